from datetime import date, datetime, timedelta
from typing import NamedTuple

import pytz
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .dealer_notification import CHANNELS, _float_time, committing

CATEGORIES = [("crm", "CRM"), ("service", "Service"), ("sales", "Showroom"), ("general", "General")]
KINDS = [
    ("appointment_day_before", "Service appointment reminder the day before the visit"),
    ("appointment_booked", "Service appointment reminder at booking"),
    ("appointment_soon", "Service appointment reminder shortly before the visit"),
    ("repair_status", "Repair status"),
    ("birthday", "Birthday greeting"),
    ("service_due", "Service invitation when a vehicle is due"),
    ("digest_traffic", "Unprocessed traffic digest for staff"),
]
KIND_MODELS = {
    "appointment_day_before": "project.task",
    "appointment_booked": "project.task",
    "appointment_soon": "project.task",
    "repair_status": "project.task",
    "birthday": "res.partner",
    "service_due": "dealer.vehicle",
    "digest_traffic": "res.users",
}
# Kinds planned once a day at the rule's run time; the others on events or every run.
DAILY_KINDS = ("appointment_day_before", "birthday", "service_due", "digest_traffic")
# Kinds planned when a task changes (booking, stage), right away.
EVENT_KINDS = ("appointment_booked", "repair_status")
PLAN_BATCH = 5000


class Window(NamedTuple):
    """When a rule plans: now, the branch's today and zone, due and expiry times,
    and the documents of an event (None: all)."""

    now: datetime
    today: date
    tz: object
    due: datetime
    expires: datetime | None
    ids: list | None


OPEN_TRAFFIC_STATES = ("new", "queued", "assigned")


class DealerNotificationRule(models.Model):
    """A kind of notification with its channel, template and timing (the seed's
    «шаблон оповещения»: run time, relevance, kinds of appointment, test recipient)."""

    _name = "dealer.notification.rule"
    _description = "Notification Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    category = fields.Selection(CATEGORIES, required=True, default="crm", tracking=True)
    kind = fields.Selection(KINDS, string="Type", required=True, tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="sms", tracking=True)
    res_model = fields.Char(string="Document Model", compute="_compute_res_model", store=True)
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain="[('model', '=', res_model)]", tracking=True
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', res_model)]",
        tracking=True,
    )
    run_time = fields.Float(
        default=20.0,
        tracking=True,
        help="Time of day (branch time) after which the daily messages are formed.",
        aggregator=None,
    )
    relevance_hours = fields.Float(
        string="Relevance (hours)",
        default=1.0,
        tracking=True,
        help="A message not sent within this many hours of being due is kept as expired and "
        "not sent: late information is worse than none. 0: no limit.",
        aggregator=None,
    )
    lead_hours = fields.Float(
        string="Lead Time (hours)",
        default=2.0,
        tracking=True,
        help="Shortly before the visit: how long before it. Service due: how far ahead a "
        "vehicle due counts.",
        aggregator=None,
    )
    direction_ids = fields.Many2many(
        "dealer.direction", string="Directions", help="Empty: every direction."
    )
    appointment_kind_ids = fields.Many2many(
        "dealer.appointment.kind", string="Appointment Kinds", help="Empty: every kind."
    )
    stage_ids = fields.Many2many(
        "project.task.type",
        string="Stages",
        help="Repair status: a task entering one of these stages is notified.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Employees",
        help="Who receives staff messages and call tasks; empty: the document's advisor "
        "or assignees.",
    )
    test_partner_id = fields.Many2one(
        "res.partner",
        string="Test Recipient",
        tracking=True,
        help="While set, every message of the rule goes to this contact instead of the clients.",
    )
    quiet_from = fields.Float(default=21.0)
    quiet_to = fields.Float(string="Quiet Until", default=9.0)
    company_id = fields.Many2one("res.company", string="Branch", help="Empty: every branch.")
    last_run_at = fields.Datetime(readonly=True, copy=False)
    note = fields.Text()
    planned_count = fields.Integer(compute="_compute_counts")
    sent_count = fields.Integer(compute="_compute_counts")
    delivered_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    expired_count = fields.Integer(compute="_compute_counts")
    skipped_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "run_time_range",
            "CHECK(run_time >= 0 AND run_time < 24)",
            "The run time is a time of day.",
        ),
        ("relevance_positive", "CHECK(relevance_hours >= 0)", "The relevance cannot be negative."),
        ("lead_positive", "CHECK(lead_hours >= 0)", "The lead time cannot be negative."),
        (
            "quiet_range",
            "CHECK(quiet_from >= 0 AND quiet_from < 24 AND quiet_to >= 0 AND quiet_to < 24)",
            "Quiet hours are times of day.",
        ),
    ]

    @api.depends("kind")
    def _compute_res_model(self):
        for rule in self:
            rule.res_model = rule._kind_model()

    # Kinds added by other addons (selection_add) override these two.
    def _kind_model(self):
        """The model of the documents the rule's messages are about."""
        return KIND_MODELS.get(self.kind)

    def _is_daily(self):
        """Planned once a day at the run time (staff digests always are)."""
        return self.kind in DAILY_KINDS or (self.kind or "").startswith("digest_")

    def _digest_body(self, user, day):
        """A staff digest's body: ``_digest_<x>_body`` of the kind ``digest_<x>``."""
        return getattr(self, f"_{self.kind}_body")(user, day)

    def _compute_counts(self):
        groups = self.env["dealer.notification"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id", "state"], ["__count"]
        )
        counts = {(rule.id, state): count for rule, state, count in groups}
        for rule in self:
            rule.planned_count = sum(
                counts.get((rule.id, s), 0) for s in ("planned", "queued", "sending")
            )
            rule.sent_count = counts.get((rule.id, "sent"), 0)
            rule.delivered_count = counts.get((rule.id, "delivered"), 0)
            rule.failed_count = sum(counts.get((rule.id, s), 0) for s in ("failed", "unknown"))
            rule.expired_count = counts.get((rule.id, "expired"), 0)
            rule.skipped_count = counts.get((rule.id, "skipped"), 0)

    @api.constrains("channel", "sms_template_id", "mail_template_id", "kind")
    def _check_template(self):
        for rule in self:
            if rule.channel == "sms" and not rule.sms_template_id:
                raise ValidationError(
                    self.env._("The SMS rule %s needs an SMS template.", rule.name)
                )
            if rule.channel == "email" and not rule.mail_template_id:
                raise ValidationError(
                    self.env._("The e-mail rule %s needs an e-mail template.", rule.name)
                )
            for template in (rule.sms_template_id, rule.mail_template_id):
                if template and template.model != rule.res_model:
                    raise ValidationError(
                        self.env._(
                            "The template %(template)s is written for %(model)s, but the rule "
                            "%(rule)s sends about %(expected)s.",
                            template=template.name,
                            model=self.env[template.model]._description,
                            rule=rule.name,
                            expected=self.env[rule.res_model]._description,
                        )
                    )

    # --- actions --------------------------------------------------------------------------
    def action_preview(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview"),
            "res_model": "dealer.notification.preview",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rule_id": self.id},
        }

    def action_plan_now(self):
        """Plan the rule's due messages now, whatever its run time, and send them."""
        planned = self._plan(force=True)
        self.env["dealer.notification"]._trigger_dispatch()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._("%s messages planned.", planned),
            },
        }

    def action_view_notifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_notify.dealer_notification_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"default_rule_id": self.id}
        return action

    # --- time ----------------------------------------------------------------------------
    @api.model
    def _branch_tz(self, company=None):
        """A branch's time zone (its own, its group's, the main company's), never the
        user's: when a client hears from us must not depend on who runs the job."""
        main = self.env.ref("base.main_company", raise_if_not_found=False)
        company = company or main or self.env.company
        # sudo: only the time zone of the branch is read.
        for candidate in (company.sudo(), company.sudo().root_id, main and main.sudo()):
            tz = candidate and candidate.partner_id.tz
            if tz in pytz.all_timezones_set:
                return tz
        return "Europe/Moscow"

    def _run_moment(self, now):
        """Today's run time of the rule (naive UTC) and the local date of today."""
        tz = pytz.timezone(self._branch_tz(self.company_id))
        local = pytz.utc.localize(now).astimezone(tz)
        moment = tz.localize(datetime.combine(local.date(), _float_time(self.run_time)))
        return moment.astimezone(pytz.utc).replace(tzinfo=None), local.date(), tz

    @staticmethod
    def _utc(tz, day):
        return (
            tz.localize(datetime.combine(day, datetime.min.time()))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )

    # --- planning --------------------------------------------------------------------------
    @api.model
    def _cron_plan(self):
        """Scheduled action: plan what is due for every rule, then send it."""
        rules = self.search([("active", "=", True)])
        rules.with_context(dealer_notify_commit=True)._plan()
        notifications = self.env["dealer.notification"].with_context(dealer_notify_commit=True)
        notifications._dispatch()
        notifications._poll_statuses()

    def _plan(self, now=None, force=False):
        """Insert the rules' due messages set-based; the unique constraint makes a
        re-run or a concurrent run add nothing. Returns how many were planned."""
        now = now or fields.Datetime.now()
        planned = 0
        for rule in self.sudo():
            if rule.kind in EVENT_KINDS and not force:
                continue
            source = rule._source_sql(now, force=force)
            if source is None:
                continue
            planned += rule._insert(source)
            rule.last_run_at = now
            if committing(self.env):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return planned

    def _plan_records(self, records):
        """Event kinds: plan the messages of ``records`` (tasks just booked, or
        entering a stage) now."""
        planned = 0
        for rule in self.sudo():
            source = rule._source_sql(fields.Datetime.now(), ids=records.ids, force=True)
            if source is not None:
                planned += rule._insert(source)
        if planned:
            self.env["dealer.notification"]._trigger_dispatch()
        return planned

    def _insert(self, source):
        """``source`` selects res_id, partner_id, company_id, occurrence, due_at,
        expires_at; inserted in batches of res_id, committed per batch by the cron."""
        cr = self.env.cr
        # The source reads tasks, clients and vehicles just written by the ORM.
        self.env.flush_all()
        after, planned = 0, 0
        while True:
            cr.execute(
                SQL(
                    """WITH src AS (
                           SELECT * FROM (%(source)s) q WHERE q.res_id > %(after)s
                            ORDER BY q.res_id LIMIT %(batch)s),
                       ins AS (
                           INSERT INTO dealer_notification
                               (rule_id, category, kind, channel, res_model, res_id,
                                occurrence, partner_id, company_id, state, due_at,
                                expires_at, attempts, is_test, create_uid, create_date,
                                write_uid, write_date)
                           SELECT %(rule)s, %(category)s, %(kind)s, %(channel)s, %(model)s,
                                  src.res_id, src.occurrence, src.partner_id, src.company_id,
                                  'planned', src.due_at, src.expires_at, 0, FALSE,
                                  %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                                  now() AT TIME ZONE 'UTC'
                             FROM src
                           ON CONFLICT (rule_id, res_model, res_id, occurrence) DO NOTHING
                           RETURNING 1)
                       SELECT (SELECT max(res_id) FROM src), (SELECT count(*) FROM src),
                              (SELECT count(*) FROM ins)""",
                    source=source,
                    after=after,
                    batch=PLAN_BATCH,
                    rule=self.id,
                    category=self.category,
                    kind=self.kind,
                    channel=self.channel,
                    model=self.res_model,
                    uid=self.env.uid,
                )
            )
            last, seen, inserted = cr.fetchone()
            planned += inserted
            if committing(self.env):
                cr.commit()  # pylint: disable=invalid-commit
            if seen < PLAN_BATCH:
                break
            after = last
        self.env["dealer.notification"].invalidate_model()
        return planned

    def _source_sql(self, now, ids=None, force=False):
        """The SELECT of the rule's due documents, or None when nothing is due now."""
        moment, today, tz = self._run_moment(now)
        relevance = timedelta(hours=self.relevance_hours) if self.relevance_hours else None
        if self._is_daily() and not force:
            # Once a day after the run time, and again within the relevance window
            # for what was booked since (the unique constraint keeps the others).
            first = not self.last_run_at or self.last_run_at < moment
            if now < moment or not (first or (relevance and now < moment + relevance)):
                return None
        due = moment if self._is_daily() and now >= moment else now
        expires = due + relevance if relevance else None
        window = Window(now, today, tz, due, expires, ids)
        return getattr(self, f"_source_{self.kind}")(window)

    def _task_filters(self, ids):
        self.ensure_one()
        filters = [
            SQL("t.active"),
            SQL("t.partner_id IS NOT NULL"),
            SQL("t.state NOT IN ('1_done', '1_canceled')"),
        ]
        if self.direction_ids:
            filters.append(SQL("t.dealer_direction_id = ANY(%s)", self.direction_ids.ids))
        if self.appointment_kind_ids:
            filters.append(
                SQL("t.dealer_appointment_kind_id = ANY(%s)", self.appointment_kind_ids.ids)
            )
        if self.company_id:
            filters.append(SQL("t.company_id = ANY(%s)", self._branch_ids()))
        if ids is not None:
            filters.append(SQL("t.id = ANY(%s)", list(ids)))
        return filters

    def _branch_ids(self):
        return self.env["res.company"].sudo().search([("id", "child_of", self.company_id.id)]).ids

    def _task_source(self, filters, occurrence, due, expires):
        return SQL(
            """SELECT t.id AS res_id, t.partner_id,
                      COALESCE(t.company_id, %(company)s) AS company_id,
                      %(occurrence)s AS occurrence, %(due)s::timestamp AS due_at,
                      %(expires)s::timestamp AS expires_at
                 FROM project_task t
                WHERE %(where)s""",
            company=self.company_id.id or self.env.company.id,
            occurrence=occurrence,
            due=due,
            expires=expires,
            where=SQL(" AND ").join(filters),
        )

    _VISIT_KEY = SQL("to_char(t.dealer_visit_at, 'YYYY-MM-DD\"T\"HH24:MI')")

    def _appointment_filters(self, ids):
        return [
            *self._task_filters(ids),
            SQL("t.dealer_kind = 'appointment'"),
            SQL("t.dealer_funnel_rank <= 1"),
            SQL("t.dealer_visit_at IS NOT NULL"),
        ]

    def _source_appointment_day_before(self, w):
        start, end = (
            self._utc(w.tz, w.today + timedelta(days=1)),
            self._utc(w.tz, w.today + timedelta(days=2)),
        )
        filters = [
            *self._appointment_filters(w.ids),
            SQL("t.dealer_visit_at >= %s AND t.dealer_visit_at < %s", start, end),
        ]
        return self._task_source(filters, self._VISIT_KEY, w.due, w.expires)

    def _source_appointment_booked(self, w):
        if w.ids is None:
            return None
        filters = [*self._appointment_filters(w.ids), SQL("t.dealer_visit_at > %s", w.now)]
        return self._task_source(filters, self._VISIT_KEY, w.due, w.expires)

    def _source_appointment_soon(self, w):
        lead = timedelta(hours=self.lead_hours)
        filters = [
            *self._appointment_filters(w.ids),
            SQL("t.dealer_visit_at > %s AND t.dealer_visit_at <= %s", w.now, w.now + lead),
        ]
        # Due at the lead time before the visit, relevant until the visit at most.
        return SQL(
            """SELECT t.id AS res_id, t.partner_id,
                      COALESCE(t.company_id, %(company)s) AS company_id,
                      %(occurrence)s AS occurrence,
                      GREATEST(t.dealer_visit_at - %(lead)s, %(now)s::timestamp) AS due_at,
                      LEAST(t.dealer_visit_at, %(expires)s::timestamp) AS expires_at
                 FROM project_task t WHERE %(where)s""",
            company=self.company_id.id or self.env.company.id,
            occurrence=self._VISIT_KEY,
            lead=lead,
            now=w.now,
            expires=w.expires or datetime.max,
            where=SQL(" AND ").join(filters),
        )

    def _source_repair_status(self, w):
        if w.ids is None or not self.stage_ids:
            return None
        filters = [*self._task_filters(w.ids), SQL("t.stage_id = ANY(%s)", self.stage_ids.ids)]
        return self._task_source(filters, SQL("'stage-' || t.stage_id"), w.due, w.expires)

    def _source_birthday(self, w):
        # Born on 29 February: greeted on the 28th in other years.
        leap_day = SQL("FALSE")
        if (
            w.today.month == 2
            and w.today.day == 28
            and (w.today.year % 4 or (w.today.year % 100 == 0 and w.today.year % 400))
        ):
            leap_day = SQL("EXTRACT(DAY FROM p.birthday) = 29")
        filters = [
            SQL("p.active"),
            SQL("NOT p.is_company"),
            SQL("p.birthday_month = %s", w.today.month),
            SQL("(EXTRACT(DAY FROM p.birthday) = %s OR %s)", w.today.day, leap_day),
        ]
        if self.company_id:
            filters.append(SQL("p.company_id = ANY(%s)", self._branch_ids()))
        if w.ids is not None:
            filters.append(SQL("p.id = ANY(%s)", list(w.ids)))
        return SQL(
            """SELECT p.id AS res_id, p.id AS partner_id,
                      COALESCE(p.company_id, %(company)s) AS company_id,
                      %(year)s AS occurrence, %(due)s::timestamp AS due_at,
                      %(expires)s::timestamp AS expires_at
                 FROM res_partner p WHERE %(where)s""",
            company=self.company_id.id or self.env.company.id,
            year=str(w.today.year),
            due=w.due,
            expires=w.expires,
            where=SQL(" AND ").join(filters),
        )

    def _source_service_due(self, w):
        """Vehicles due for service by the brand's interval in months since the last
        visit of the service, or in kilometres estimated from the odometer readings
        (kilometres a day between the first and the last reading); one invitation per
        service visit."""
        horizon = w.today + timedelta(days=int(self.lead_hours // 24))
        filters = [SQL("v.active"), SQL("COALESCE(v.customer_id, v.owner_id) IS NOT NULL")]
        if self.company_id:
            filters.append(SQL("v.company_id = ANY(%s)", self._branch_ids()))
        if w.ids is not None:
            filters.append(SQL("v.id = ANY(%s)", list(w.ids)))
        return SQL(
            """WITH last_service AS (
                   SELECT t.vehicle_id,
                          MAX(COALESCE(t.date_end, t.dealer_visit_at, t.create_date)) AS at
                     FROM project_task t
                     JOIN dealer_direction d ON d.id = t.dealer_direction_id AND d.code = 'service'
                    WHERE t.vehicle_id IS NOT NULL AND t.dealer_funnel_rank >= 2 AND t.active
                    GROUP BY t.vehicle_id),
               readings AS (
                   SELECT o.vehicle_id, MIN(o.date) AS d0, MAX(o.date) AS d1,
                          MIN(o.value) AS v0, MAX(o.value) AS v1
                     FROM dealer_vehicle_odometer o GROUP BY o.vehicle_id)
               SELECT v.id AS res_id, COALESCE(v.customer_id, v.owner_id) AS partner_id,
                      v.company_id, to_char(ls.at, 'YYYY-MM-DD') AS occurrence,
                      %(due)s::timestamp AS due_at, %(expires)s::timestamp AS expires_at
                 FROM dealer_vehicle v
                 JOIN last_service ls ON ls.vehicle_id = v.id
                 LEFT JOIN fleet_vehicle_model_brand b ON b.id = v.brand_id
                 LEFT JOIN readings r ON r.vehicle_id = v.id
                WHERE %(where)s AND (
                      (COALESCE(b.dealer_service_interval_months, 12) > 0
                       AND (ls.at + make_interval(
                                months => COALESCE(b.dealer_service_interval_months, 12)))::date
                           <= %(horizon)s)
                   OR (COALESCE(b.dealer_service_interval_km, 15000) > 0 AND r.d1 >= r.d0 + 30
                       AND (r.v1 - r.v0)::float / (r.d1 - r.d0) * (%(horizon)s::date - ls.at::date)
                           >= COALESCE(b.dealer_service_interval_km, 15000)))""",
            due=w.due,
            expires=w.expires,
            horizon=horizon,
            where=SQL(" AND ").join(filters),
        )

    def _source_digest_traffic(self, w):
        users = self.user_ids or self.env.ref("dealer_base.group_dealer_supervisor").users
        user_ids = [u.id for u in users if u.active and not u.share]
        if not user_ids:
            return None
        return SQL(
            """SELECT u.id AS res_id, u.partner_id, %(company)s AS company_id,
                      %(day)s AS occurrence,
                      %(due)s::timestamp AS due_at, %(expires)s::timestamp AS expires_at
                 FROM res_users u WHERE u.id = ANY(%(users)s)""",
            company=self.company_id.id or self.env.company.id,
            day=w.today.isoformat(),
            due=w.due,
            expires=w.expires,
            users=user_ids,
        )

    def _digest_traffic_body(self, user, day):
        """Counts of the contacts still waiting for processing in the user's branches."""
        branches = user.company_ids
        groups = (
            self.env["dealer.traffic"]
            .sudo()
            ._read_group(
                [("state", "in", OPEN_TRAFFIC_STATES), ("company_id", "in", branches.ids)],
                ["company_id", "direction_id"],
                ["__count"],
            )
        )
        if not groups:
            return escape(self.env._("No unprocessed contacts on %s.", day))
        rows = Markup("").join(
            Markup("<li>%s — %s: %s</li>") % (company.name, direction.name or "—", count)
            for company, direction, count in groups
        )
        title = escape(self.env._("Unprocessed contacts on %s:", day))
        return Markup("<p>%s</p><ul>%s</ul>") % (title, rows)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_logged(self):
        if self.env["dealer.notification"].search_count([("rule_id", "in", self.ids)], limit=1):
            raise UserError(self.env._("A rule with messages in the log is archived, not deleted."))
