from datetime import date

from markupsafe import Markup, escape

from odoo import fields, models
from odoo.tools import SQL, format_date

# Appeals still being worked on: a closed or cancelled appeal is never overdue.
OPEN_COMPLAINT_STATES = ("open", "in_progress", "closing")
# Appeals listed in one digest; the rest are counted, with a link to the journal.
DIGEST_LIMIT = 30


class DealerNotificationRule(models.Model):
    _inherit = "dealer.notification.rule"

    kind = fields.Selection(
        selection_add=[("digest_complaint", "Overdue appeals digest")],
        # The log keeps its messages: a rule of a kind gone with the module is
        # archived under a kind that still exists instead of being deleted.
        ondelete={
            "digest_complaint": lambda rules: rules.write(
                {"kind": "digest_traffic", "active": False}
            )
        },
    )

    def _kind_model(self):
        if self.kind == "digest_complaint":
            return "res.users"
        return super()._kind_model()

    def _complaint_managers(self):
        """Who answers for every appeal of their branches: supervisors and the
        complaints team."""
        return (
            self.env.ref("dealer_base.group_dealer_supervisor").users
            | self.env.ref("dealer_complaint.group_dealer_complaint_team").users
        )

    def _source_digest_complaint(self, w):
        """One digest a day for each employee with overdue appeals: those they are
        responsible for and, for supervisors and the complaints team, those of their
        branches. The rule's employees, when set, are the only ones considered."""
        users = SQL("u.active AND NOT u.share")
        if self.user_ids:
            users = SQL("%s AND u.id = ANY(%s)", users, self.user_ids.ids)
        overdue = [
            SQL("c.state IN %s", OPEN_COMPLAINT_STATES),
            SQL("c.date_deadline < %s", w.today),
        ]
        if self.company_id:
            overdue.append(SQL("c.company_id = ANY(%s)", self._branch_ids()))
        return SQL(
            """WITH overdue AS (
                   SELECT c.user_id, c.company_id FROM dealer_complaint c WHERE %(overdue)s)
               SELECT u.id AS res_id, u.partner_id, %(company)s AS company_id,
                      %(day)s AS occurrence,
                      %(due)s::timestamp AS due_at, %(expires)s::timestamp AS expires_at
                 FROM res_users u
                WHERE %(users)s
                  AND (EXISTS (SELECT 1 FROM overdue o WHERE o.user_id = u.id)
                       OR (u.id = ANY(%(managers)s) AND EXISTS (
                           SELECT 1 FROM overdue o
                             JOIN res_company_users_rel r ON r.cid = o.company_id
                            WHERE r.user_id = u.id)))""",
            overdue=SQL(" AND ").join(overdue),
            company=self.company_id.id or self.env.company.id,
            day=w.today.isoformat(),
            due=w.due,
            expires=w.expires,
            users=users,
            managers=self._complaint_managers().ids,
        )

    def _digest_complaint_body(self, user, day):
        """The user's overdue appeals on ``day`` (the digest's date, ISO), read with
        the user's own rights: theirs and, for supervisors and the complaints team,
        the others of their branches; each with a link to its card."""
        day = date.fromisoformat(day) if isinstance(day, str) else day
        # Read as the employee: the digest shows what they may open, no more.
        Complaint = (
            self.env["dealer.complaint"]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids, lang=user.lang)
        )
        overdue = [("state", "in", OPEN_COMPLAINT_STATES), ("date_deadline", "<", day)]
        if self.company_id:
            overdue.append(("company_id", "child_of", self.company_id.id))
        sections = [
            (Complaint.env._("Assigned to you"), [*overdue, ("user_id", "=", user.id)]),
        ]
        if user in self._complaint_managers():
            sections.append(
                (
                    Complaint.env._("Other appeals of your branches"),
                    [
                        *overdue,
                        ("user_id", "!=", user.id),
                        ("company_id", "in", user.company_ids.ids),
                    ],
                )
            )
        base_url = self.get_base_url()

        def responsible(appeal):
            if appeal.user_id and appeal.user_id != user:
                return Complaint.env._(", responsible: %s", appeal.user_id.name)
            return ""

        parts = []
        for title, domain in sections:
            count = Complaint.search_count(domain)
            if not count:
                continue
            appeals = Complaint.search(domain, order="date_deadline, id", limit=DIGEST_LIMIT)
            items = Markup("").join(
                Markup('<li><a href="%s">%s</a> — %s</li>')
                % (
                    f"{base_url}/odoo/dealer.complaint/{appeal.id}",
                    appeal.display_name,
                    Complaint.env._(
                        "process by %(deadline)s, %(days)s days overdue%(who)s",
                        deadline=format_date(Complaint.env, appeal.date_deadline),
                        days=(day - appeal.date_deadline).days,
                        who=responsible(appeal),
                    ),
                )
                for appeal in appeals
            )
            more = (
                Markup("<li>%s</li>")
                % Complaint.env._("… and %s more in the journal.", count - len(appeals))
                if count > len(appeals)
                else ""
            )
            parts.append(Markup("<p><b>%s: %s</b></p><ul>%s%s</ul>") % (title, count, items, more))
        if not parts:
            return escape(
                Complaint.env._("No overdue appeals on %s.", format_date(Complaint.env, day))
            )
        heading = escape(Complaint.env._("Overdue appeals on %s", format_date(Complaint.env, day)))
        return Markup("<p>%s</p>") % heading + Markup("").join(parts)
