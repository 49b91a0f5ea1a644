from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

CHANNELS = [("phone", "Phone Call"), ("sms", "SMS"), ("email", "E-mail")]
STATES = [("draft", "Preliminary"), ("running", "In Progress"), ("closed", "Closed")]
# Working days looked ahead when distributing: a campaign is spread over a year at most.
HORIZON_DAYS = 366
# Planned calls start at the beginning of the working day.
DAY_START = time(10, 0)


class DealerCampaign(models.Model):
    """A marketing campaign («маркетинговая акция»): its planned contacts, the
    employees who call them and how many calls a day each makes."""

    _name = "dealer.campaign"
    _description = "Marketing Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    goal_id = fields.Many2one(
        "dealer.contact.goal",
        string="Contact Goal",
        required=True,
        tracking=True,
        domain="[('kind', '=', 'outgoing')]",
        ondelete="restrict",
    )
    direction_id = fields.Many2one(related="goal_id.direction_id", store=True)
    channel = fields.Selection(
        CHANNELS, string="Notification Type", required=True, default="phone", tracking=True
    )
    utm_campaign_id = fields.Many2one(
        "utm.campaign",
        string="Promotion",
        tracking=True,
        help="Traffic and tasks the campaign brings carry it, so reports count them.",
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(string="End", tracking=True)
    state = fields.Selection(STATES, required=True, default="draft", tracking=True, readonly=True)
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, default=lambda self: self.env.company
    )
    tasks_per_day = fields.Integer(string="Tasks per Person per Day", default=15, required=True)
    user_ids = fields.Many2many(
        "res.users",
        string="Employees",
        domain="[('share', '=', False)]",
        help="The employees who call the planned contacts.",
    )
    use_calendar = fields.Boolean(
        string="Use Working Schedules",
        default=True,
        help="Working days from each employee's working schedule and time off; "
        "otherwise Monday to Friday.",
    )
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain="[('model', '=', 'res.partner')]"
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail Template", domain="[('model', '=', 'res.partner')]"
    )
    contact_ids = fields.One2many("dealer.campaign.contact", "campaign_id", string="Contacts")
    contact_count = fields.Integer(string="Planned Contacts", compute="_compute_counts")
    task_count = fields.Integer(string="Planned Tasks", compute="_compute_counts")
    done_count = fields.Integer(string="Done", compute="_compute_counts")
    informed_count = fields.Integer(string="Informed Clients", compute="_compute_counts")
    unreachable_count = fields.Integer(string="Unreachable Clients", compute="_compute_counts")
    refused_count = fields.Integer(string="Refused", compute="_compute_counts")
    wrong_number_count = fields.Integer(string="Wrong Numbers", compute="_compute_counts")

    _sql_constraints = [
        ("tasks_per_day_positive", "CHECK(tasks_per_day > 0)", "Tasks per day must be positive."),
        (
            "period_ordered",
            "CHECK(date_end IS NULL OR date_end >= date_start)",
            "The campaign cannot end before it starts.",
        ),
    ]

    def _compute_counts(self):
        Contact = self.env["dealer.campaign.contact"]
        groups = Contact._read_group(
            [("campaign_id", "in", self.ids)], ["campaign_id", "outcome"], ["__count"]
        )
        tasks = dict(
            Contact._read_group(
                [("campaign_id", "in", self.ids), ("task_id", "!=", False)],
                ["campaign_id"],
                ["__count"],
            )
        )
        counts = {}
        for campaign, outcome, count in groups:
            counts.setdefault(campaign, {})[outcome] = count
        for campaign in self:
            mine = counts.get(campaign, {})
            campaign.contact_count = sum(mine.values())
            campaign.task_count = tasks.get(campaign, 0)
            campaign.done_count = sum(count for outcome, count in mine.items() if outcome)
            campaign.informed_count = mine.get("informed", 0)
            campaign.unreachable_count = mine.get("unreachable", 0)
            campaign.refused_count = mine.get("refused", 0)
            campaign.wrong_number_count = mine.get("wrong_number", 0)

    @api.constrains("channel", "sms_template_id", "mail_template_id")
    def _check_template(self):
        for campaign in self:
            if (
                campaign.state == "running"
                and campaign.channel == "sms"
                and not campaign.sms_template_id
            ):
                raise ValidationError(self.env._("An SMS campaign needs an SMS template."))
            if (
                campaign.state == "running"
                and campaign.channel == "email"
                and not campaign.mail_template_id
            ):
                raise ValidationError(self.env._("An e-mail campaign needs an e-mail template."))

    # --- workflow --------------------------------------------------------------------
    def _check_supervisor(self):
        if not self.env.user.has_group("dealer_base.group_dealer_supervisor"):
            raise UserError(self.env._("Only supervisors run campaigns."))

    def action_start(self):
        self._check_supervisor()
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(self.env._("Only a preliminary campaign can be started."))
            campaign.state = "running"
            campaign._check_template()
        return True

    def action_close(self):
        self._check_supervisor()
        self.filtered(lambda c: c.state != "closed").state = "closed"
        return True

    def action_reset_draft(self):
        self._check_supervisor()
        self.filtered(lambda c: c.state == "closed").state = "draft"
        return True

    def action_open_add_contacts(self):
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("A closed campaign takes no new contacts."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Contacts"),
            "res_model": "dealer.campaign.add.contacts",
            "view_mode": "form",
            "target": "new",
            "context": {"default_campaign_id": self.id},
        }

    def action_view_contacts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_campaign.dealer_campaign_contact_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {**self.env.context, "default_campaign_id": self.id}
        return action

    def action_view_tasks(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Tasks"),
            "res_model": "project.task",
            "view_mode": "list,form",
            "domain": [("dealer_campaign_id", "=", self.id)],
        }

    def action_send(self):
        """SMS and e-mail campaigns: one message per planned contact through
        dealer_notify's log and Odoo's queues — the consent, the blacklists and the
        number checks of every message apply, and the delivery comes back to the
        contact."""
        self.ensure_one()
        self._check_supervisor()
        if self.channel == "phone":
            raise UserError(self.env._("A phone campaign is called, not sent: distribute it."))
        if self.state != "running":
            raise UserError(self.env._("Start the campaign before sending it."))
        contacts = self.contact_ids.filtered(lambda c: not c.notification_id)
        if not contacts:
            return self._notify(self.env._("Every planned contact already has its message."))
        template = self.sms_template_id if self.channel == "sms" else self.mail_template_id
        partners = contacts.partner_id
        field = "body" if self.channel == "sms" else "body_html"
        bodies = template._render_field(field, partners.ids, compute_lang=True)
        subjects = (
            template._render_field("subject", partners.ids, compute_lang=True)
            if self.channel == "email"
            else {}
        )
        now = fields.Datetime.now()
        # sudo: the log is the system's; the supervisor sends to the campaign's contacts.
        lines = (
            self.env["dealer.notification"]
            .sudo()
            .create(
                [
                    {
                        "channel": self.channel,
                        "partner_id": contact.partner_id.id,
                        "res_model": "res.partner",
                        "res_id": contact.partner_id.id,
                        "occurrence": f"campaign-{self.id}",
                        "company_id": self.company_id.id,
                        "due_at": now,
                        "body": bodies.get(contact.partner_id.id) or "",
                        "subject": subjects.get(contact.partner_id.id) or self.name,
                    }
                    for contact in contacts
                ]
            )
        )
        for contact, line in zip(contacts.sudo(), lines, strict=True):
            contact.notification_id = line
        lines._deliver(now)
        sent = len(lines.filtered(lambda n: n.state != "skipped"))
        return self._notify(
            self.env._(
                "%(sent)s messages queued, %(skipped)s skipped (consent, blacklist, number).",
                sent=sent,
                skipped=len(lines) - sent,
            ),
            kind="success",
        )

    def action_print_call_sheet(self):
        # The sheet has its own layout: no document layout set-up first.
        return self.env.ref("dealer_campaign.action_report_call_sheet").report_action(
            self, config=False
        )

    # --- distribution ------------------------------------------------------------------
    def action_distribute(self):
        """Spread the contacts not yet worked over the employees and their working
        days from the start (or today), at most ``tasks_per_day`` each a day, as call
        tasks. Done contacts and their tasks stay; undone ones of employees no longer
        in the campaign move to the others."""
        self.ensure_one()
        self._check_supervisor()
        if self.channel != "phone":
            raise UserError(self.env._("Only phone campaigns are distributed as call tasks."))
        if self.state == "closed":
            raise UserError(self.env._("A closed campaign is not distributed."))
        users = self.user_ids.filtered("active")
        if not users:
            raise UserError(self.env._("Choose the employees who call first."))
        # Only the four columns distribution needs, for up to a hundred thousand
        # contacts; the campaign is the supervisor's, so are all its contacts.
        self.env["dealer.campaign.contact"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id, task_id, user_id, planned_date FROM dealer_campaign_contact
                    WHERE campaign_id = %s AND outcome IS NULL ORDER BY id""",
                self.id,
            )
        )
        # Undone contacts of employees still in the campaign keep their day and task.
        load, moving, kept_users = {}, [], set(users.ids)
        for contact_id, task_id, user_id, planned in self.env.cr.fetchall():
            if task_id and user_id in kept_users:
                day = planned and planned.date()
                load[user_id, day] = load.get((user_id, day), 0) + 1
            else:
                moving.append((contact_id, task_id))
        if not moving:
            return self._notify(
                self.env._("Nothing to distribute: every contact has its employee.")
            )
        start = max(self.date_start, fields.Date.context_today(self))
        slots = self._slots(users, start, len(moving), load)
        if len(slots) < len(moving):
            raise UserError(
                self.env._(
                    "%(count)s contacts do not fit in the working days of a year at "
                    "%(per_day)s a day: add employees or raise the tasks per day.",
                    count=len(moving) - len(slots),
                    per_day=self.tasks_per_day,
                )
            )
        self.env["dealer.campaign.contact"]._assign(self, moving, slots)
        return self._notify(
            self.env._("%(count)s contacts distributed.", count=len(moving)), kind="success"
        )

    def _notify(self, message, kind="info"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _slots(self, users, start, needed, load):
        """(user id, planned datetime) pairs in order: day by day, employee by employee,
        up to the daily limit, skipping days an employee does not work."""
        working = {user.id: self._working_days(user, start) for user in users}
        tz = pytz.timezone(self.env["dealer.notification.rule"]._branch_tz(self.company_id))
        slots = []
        for offset in range(HORIZON_DAYS):
            day = start + timedelta(days=offset)
            at = (
                tz.localize(datetime.combine(day, DAY_START))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
            for user in users:
                if day not in working[user.id]:
                    continue
                free = self.tasks_per_day - load.get((user.id, day), 0)
                slots.extend([(user.id, at)] * max(free, 0))
            if len(slots) >= needed:
                return slots[:needed]
        return slots

    def _working_days(self, user, start):
        """The days ``user`` works from ``start`` on: the working schedule and its
        time off, or Monday to Friday."""
        end = start + timedelta(days=HORIZON_DAYS)
        calendar = user.resource_calendar_id or self.company_id.resource_calendar_id
        if not (self.use_calendar and calendar):
            return {
                start + timedelta(days=i)
                for i in range(HORIZON_DAYS)
                if (start + timedelta(days=i)).weekday() < 5
            }
        resource = user.resource_ids[:1]
        tz = pytz.timezone(calendar.tz or "Europe/Moscow")
        start_dt = tz.localize(datetime.combine(start, time.min))
        end_dt = tz.localize(datetime.combine(end, time.max))
        intervals = calendar._work_intervals_batch(start_dt, end_dt, resources=resource)[
            resource.id
        ]
        return {interval[0].date() for interval in intervals}
