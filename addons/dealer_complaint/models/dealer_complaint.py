from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import (
    check_search,
    check_text,
    normalize_phone,
    phone_digits,
)
from odoo.addons.dealer_vehicle.models.dealer_vehicle import PARTNER_VEHICLES_DOMAIN
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, create_index

from .dealer_complaint_step import SATISFACTION

STATES = [
    ("open", "Open"),
    ("in_progress", "In Progress"),
    ("closing", "Closing"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# An appeal in these states is still being worked: it can be overdue.
ACTIVE_STATES = ("open", "in_progress", "closing")
RESULTS = [("satisfied", "Client Satisfied"), ("not_satisfied", "Client Not Satisfied")]
SOURCES = [
    ("manual", "Registered by Hand"),
    ("traffic", "Traffic Record"),
    ("survey", "Survey Answer"),
    ("web", "Web Form"),
]
APPROVAL_STATES = [
    ("none", "Not Requested"),
    ("pending", "Waiting for Approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# What the workflow owns: only the action methods (and the traffic and survey that
# register appeals) write these, so that statuses, approvals and the overdue figures
# of the reports cannot be forged from a form or RPC. Dealer administrators may
# correct them.
WORKFLOW_FIELDS = frozenset(
    {
        "name",
        "state",
        "date_closed",
        "was_overdue",
        "approval_state",
        "approver_id",
        "approval_date",
        "approval_comment",
        "source",
        "traffic_id",
        "survey_call_id",
        "user_input_id",
    }
)
# What a new appeal may be created with by hand.
DRAFT_VALUES = {
    "name": ("/",),
    "state": ("open",),
    "date_closed": (False,),
    "was_overdue": (False,),
    "approval_state": ("none",),
    "approver_id": (False,),
    "approval_date": (False,),
    "approval_comment": (False, ""),
    "source": ("manual",),
    "traffic_id": (False,),
    "survey_call_id": (False,),
    "user_input_id": (False,),
}
# Marks writes made by the action methods; an object no JSON-RPC caller can send.
_WORKFLOW = object()


class DealerComplaint(models.Model):
    """An appeal of a client («обращение»): a complaint, a question, a gratitude or a
    proposal, worked in steps by its responsible until the client has an answer,
    approved by a supervisor or a lawyer when its type says so."""

    _name = "dealer.complaint"
    _description = "Client Appeal"
    _inherit = ["mail.thread", "mail.activity.mixin", "dealer.checked.mixin"]
    _order = "date_received desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id", "contact_name"]
    # Lawyers read appeals and take part in the answer in the chatter.
    _mail_post_access = "read"

    name = fields.Char(string="Number", readonly=True, copy=False, default="/", index="trigram")
    type_id = fields.Many2one(
        "dealer.complaint.type",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        default=lambda self: self.env.ref(
            "dealer_complaint.type_complaint", raise_if_not_found=False
        ),
    )
    kind = fields.Selection(related="type_id.kind", store=True)
    reason_id = fields.Many2one(
        "dealer.complaint.reason",
        index="btree_not_null",
        tracking=True,
        ondelete="restrict",
    )
    reason_group_id = fields.Many2one(
        "dealer.complaint.reason",
        compute="_compute_reason_group_id",
        store=True,
        index="btree_not_null",
    )
    channel_id = fields.Many2one("dealer.traffic.channel", string="Contact Type")
    goal_id = fields.Many2one("dealer.contact.goal", string="Contact Goal")
    region_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id.code', '=', 'RU')]",
        compute="_compute_client_details",
        store=True,
        readonly=False,
    )
    city = fields.Char(compute="_compute_client_details", store=True, readonly=False)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    partner_category_ids = fields.Many2many(related="partner_id.category_id", string="Client Group")
    contact_name = fields.Char(
        string="Contact Person",
        compute="_compute_client_details",
        store=True,
        readonly=False,
    )
    phone = fields.Char(compute="_compute_client_details", store=True, readonly=False)
    phone_normalized = fields.Char(
        compute="_compute_phone_normalized", store=True, index="btree_not_null"
    )
    phone_search = fields.Char(
        string="Phone Number", compute="_compute_phone_search", search="_search_phone_search"
    )
    email = fields.Char(
        string="E-mail", compute="_compute_client_details", store=True, readonly=False
    )
    vehicle_id = fields.Many2one(
        "dealer.vehicle",
        domain=PARTNER_VEHICLES_DOMAIN,
        check_company=True,
        index="btree_not_null",
        compute="_compute_vehicle_id",
        store=True,
        readonly=False,
        tracking=True,
    )
    vin = fields.Char(string="VIN", related="vehicle_id.vin")
    license_plate = fields.Char(related="vehicle_id.license_plate")
    model_id = fields.Many2one(
        "fleet.vehicle.model", related="vehicle_id.model_id", store=True, string="Model"
    )
    task_id = fields.Many2one(
        "project.task",
        string="Repair Order / Task",
        index="btree_not_null",
        domain="[('partner_id', '=?', partner_id)]",
        help="The repair order or the task the appeal is about.",
    )
    external_id = fields.Char(
        string="External ID",
        copy=False,
        help="The number the manufacturer's hotline gave the appeal.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    date_received = fields.Datetime(
        string="Received", required=True, default=fields.Datetime.now, tracking=True, index=True
    )
    date_deadline = fields.Date(
        string="Process By",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        help="By default the day received plus the days to process of the type.",
    )
    date_deadline_manual = fields.Boolean(
        copy=False, help="The process-by date was set by hand: a new type does not move it."
    )
    date_answered = fields.Date(string="Answered", tracking=True, copy=False)
    date_closed = fields.Datetime(string="Closed", readonly=True, copy=False)
    days_in_work = fields.Integer(
        compute="_compute_days",
        aggregator="avg",
        help="Days from the day received to the day closed, or to today while in work.",
    )
    days_overdue = fields.Integer(
        compute="_compute_days",
        aggregator="avg",
        help="Days past the process-by date, to the day closed or to today.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still in work after the process-by date.",
    )
    was_overdue = fields.Boolean(
        string="Closed Late", readonly=True, copy=False, help="Closed after the process-by date."
    )
    state = fields.Selection(
        STATES,
        string="Status",
        default="open",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        readonly=True,
    )
    result = fields.Selection(RESULTS, tracking=True, copy=False)
    description = fields.Text(string="Appeal")
    note = fields.Text()
    conclusion = fields.Text(copy=False, help="The answer given to the client.")
    replacement_car = fields.Boolean(string="Replacement Car Given", tracking=True)
    source = fields.Selection(SOURCES, default="manual", required=True, readonly=True)
    traffic_id = fields.Many2one(
        "dealer.traffic",
        string="Traffic Record",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    survey_call_id = fields.Many2one(
        "dealer.survey.call",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Survey Answer",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    step_ids = fields.One2many("dealer.complaint.step", "complaint_id", string="Steps", copy=False)
    step_count = fields.Integer(compute="_compute_step_count")
    satisfaction = fields.Selection(
        SATISFACTION,
        compute="_compute_satisfaction",
        store=True,
        help="The client's satisfaction after the last step that recorded it.",
    )
    approval_required = fields.Boolean(
        compute="_compute_approval_required",
        store=True,
        readonly=False,
        help="The answer is approved by a supervisor of the branch (or a lawyer) before "
        "the appeal is closed.",
    )
    approval_state = fields.Selection(
        APPROVAL_STATES,
        string="Approval",
        default="none",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approval_date = fields.Datetime(readonly=True, copy=False)
    approval_comment = fields.Text(readonly=True, copy=False)
    can_approve = fields.Boolean(compute="_compute_can_approve")

    _sql_constraints = [
        (
            "closed_has_date",
            "CHECK(state != 'closed' OR date_closed IS NOT NULL)",
            "A closed appeal has the date it was closed.",
        ),
    ]

    def init(self):
        # The rule of operators and consultants («their own») matches the creator too.
        create_index(
            self.env.cr,
            "dealer_complaint_create_uid_index",
            self._table,
            ["create_uid"],
        )

    # --- computes -------------------------------------------------------------------
    @api.depends("reason_id.parent_id")
    def _compute_reason_group_id(self):
        for complaint in self:
            complaint.reason_group_id = complaint.reason_id.parent_id or complaint.reason_id

    @api.depends("partner_id")
    def _compute_client_details(self):
        for complaint in self:
            partner = complaint.partner_id
            if not partner:
                continue
            # A person speaks for themselves; a company's contact person is typed in.
            if not partner.is_company:
                complaint.contact_name = partner.name
            complaint.phone = partner.mobile or partner.phone or complaint.phone
            complaint.email = partner.email or complaint.email
            complaint.city = partner.city or complaint.city
            complaint.region_id = partner.state_id or complaint.region_id

    @api.depends("partner_id")
    def _compute_vehicle_id(self):
        Vehicle = self.env["dealer.vehicle"]
        for complaint in self:
            partner = complaint.partner_id
            if not partner:
                continue
            owned = ("owner_id", "customer_id", "trusted_person_id")
            if complaint.vehicle_id and any(complaint.vehicle_id[f] == partner for f in owned):
                continue
            vehicles = Vehicle.search(
                expression.OR([[(fname, "=", partner.id)] for fname in owned]), limit=2
            )
            complaint.vehicle_id = vehicles if len(vehicles) == 1 else False

    @api.depends("phone", "partner_id.country_id")
    def _compute_phone_normalized(self):
        default_country = self.env.company.country_id.code or "RU"
        for complaint in self:
            country = complaint.partner_id.country_id.code or default_country
            complaint.phone_normalized = normalize_phone(complaint.phone, country)

    def _compute_phone_search(self):
        self.phone_search = False

    def _search_phone_search(self, operator, value):
        """Appeals by the phone given in them or by any phone of their client, typed
        in any format or as a fragment."""
        if operator not in ("ilike", "="):
            raise UserError(self.env._("Appeals are searched by phone as text."))
        text = check_search(self.env, value, self.env._("Phone"))
        if not text:
            return expression.FALSE_DOMAIN
        domains = [
            [("phone", "ilike", text)],
            [("partner_id.client_search", "ilike", text)],
        ]
        normalized = normalize_phone(text)
        if normalized:
            domains.append([("phone_normalized", "=", normalized)])
        digits = phone_digits(text)
        if len(digits) >= 5:
            domains.append([("phone_normalized", "like", digits)])
        return expression.OR(domains)

    def _local_day(self, moment):
        """The day of ``moment`` (UTC) in the user's time zone."""
        moment = fields.Datetime.to_datetime(moment)
        return fields.Datetime.context_timestamp(self, moment).date() if moment else False

    def _received_day(self):
        return self._local_day(self.date_received)

    def _default_deadline(self, complaint_type, received):
        day = self._local_day(received)
        return (
            day + timedelta(days=complaint_type.process_days) if day and complaint_type else False
        )

    @api.depends("type_id", "date_received")
    def _compute_date_deadline(self):
        for complaint in self:
            if complaint.date_deadline_manual and complaint.date_deadline:
                continue
            complaint.date_deadline = complaint._default_deadline(
                complaint.type_id, complaint.date_received
            )

    def _today(self):
        return fields.Date.context_today(self)

    @api.depends("state", "date_received", "date_closed", "date_deadline")
    @api.depends_context("tz", "uid")
    def _compute_days(self):
        today = self._today()
        for complaint in self:
            if complaint.state == "cancelled" or not complaint.date_received:
                complaint.days_in_work = complaint.days_overdue = 0
                continue
            end = complaint._local_day(complaint.date_closed) if complaint.date_closed else today
            complaint.days_in_work = max((end - complaint._received_day()).days, 0)
            deadline = complaint.date_deadline
            complaint.days_overdue = max((end - deadline).days, 0) if deadline else 0

    def _tz(self):
        tz = self.env.context.get("tz") or self.env.user.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # The days are figures of the reports: grouped, averaged and sorted in SQL
        # as the compute above counts them.
        if fname not in ("days_in_work", "days_overdue"):
            return super()._field_to_sql(alias, fname, query, flush)

        def column(name):
            return self._field_to_sql(alias, name, query, flush)

        def local_day(value):
            return SQL("((%s) AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", value, self._tz())

        end = local_day(SQL("COALESCE(%s, now() AT TIME ZONE 'UTC')", column("date_closed")))
        start = (
            local_day(column("date_received"))
            if fname == "days_in_work"
            else column("date_deadline")
        )
        return SQL(
            "(CASE WHEN %s = 'cancelled' OR %s IS NULL THEN 0 ELSE GREATEST(%s - %s, 0) END)",
            column("state"),
            start,
            end,
            start,
        )

    @api.depends("state", "date_deadline")
    @api.depends_context("tz", "uid")
    def _compute_is_overdue(self):
        today = self._today()
        for complaint in self:
            complaint.is_overdue = bool(
                complaint.state in ACTIVE_STATES
                and complaint.date_deadline
                and complaint.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Overdue appeals are searched as yes or no."))
        domain = [("state", "in", ACTIVE_STATES), ("date_deadline", "<", self._today())]
        positive = (operator == "=") == value
        return domain if positive else ["!", *expression.normalize_domain(domain)]

    def _compute_step_count(self):
        counts = dict(
            self.env["dealer.complaint.step"]._read_group(
                [("complaint_id", "in", self.ids)], ["complaint_id"], ["__count"]
            )
        )
        for complaint in self:
            complaint.step_count = counts.get(complaint, 0)

    @api.depends("step_ids.satisfaction", "step_ids.date")
    def _compute_satisfaction(self):
        for complaint in self:
            rated = complaint.step_ids.filtered("satisfaction").sorted(lambda s: (s.date, s.id))
            complaint.satisfaction = rated[-1:].satisfaction or False

    @api.depends("type_id")
    def _compute_approval_required(self):
        for complaint in self:
            if complaint.approval_state in ("none", "rejected"):
                complaint.approval_required = complaint.type_id.approval_required

    @api.depends("approval_state", "company_id")
    @api.depends_context("uid")
    def _compute_can_approve(self):
        for complaint in self:
            complaint.can_approve = (
                complaint.approval_state == "pending" and complaint._is_approver()
            )

    @api.depends("name", "partner_id", "contact_name")
    def _compute_display_name(self):
        for complaint in self:
            client = complaint.partner_id.name or complaint.contact_name
            complaint.display_name = (
                f"{complaint.name} — {client}" if client else complaint.name or ""
            )

    # --- checks -------------------------------------------------------------------------
    @api.constrains("date_deadline", "date_received")
    def _check_date_deadline(self):
        for complaint in self:
            if (
                complaint.date_deadline
                and complaint.date_received
                and complaint.date_deadline < complaint._received_day()
            ):
                raise ValidationError(
                    self.env._("The process-by date cannot be before the date received.")
                )

    # --- who may do what -------------------------------------------------------------------
    def _is_branch_manager(self):
        """The current user is a supervisor or a member of the complaints team in the
        branch of all these appeals."""
        user = self.env.user
        return self._is_dealer_admin() or (
            (
                user.has_group("dealer_base.group_dealer_supervisor")
                or user.has_group("dealer_complaint.group_dealer_complaint_team")
            )
            and self.company_id <= user.company_ids
        )

    def _is_approver(self):
        """The current user may approve the answer: a supervisor of the branch, or a
        lawyer working for it."""
        user = self.env.user
        return self._is_dealer_admin() or (
            (
                user.has_group("dealer_base.group_dealer_supervisor")
                or user.has_group("dealer_complaint.group_dealer_complaint_lawyer")
            )
            and self.company_id <= user.company_ids
        )

    def _check_responsible_or_manager(self, action):
        """The appeal's responsible, the complaints team or a supervisor of its branch
        may act on it; an appeal nobody is responsible for, whoever may edit it."""
        me = self.env.user
        for complaint in self:
            if not complaint.user_id or complaint.user_id == me or complaint._is_branch_manager():
                continue
            raise AccessError(
                self.env._(
                    "Only the responsible employee (%(user)s), the complaints team or a "
                    "supervisor of the branch can do this with %(number)s: %(action)s.",
                    user=complaint.user_id.name,
                    number=complaint.name,
                    action=action,
                )
            )
        self.check_access("write")

    def _check_approver(self, action):
        for complaint in self:
            if not complaint._is_approver():
                raise AccessError(
                    self.env._(
                        "Only a supervisor of the branch or a lawyer can do this with "
                        "%(number)s: %(action)s.",
                        number=complaint.name,
                        action=action,
                    )
                )
        self.check_access("read")

    # --- create and write ---------------------------------------------------------------------
    def _workflow(self):
        return self.with_context(dealer_complaint_workflow=_WORKFLOW)

    def _in_workflow(self):
        return (
            self.env.context.get("dealer_complaint_workflow") is _WORKFLOW
            or self._is_dealer_admin()
        )

    def _refuse_workflow_fields(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise UserError(
            self.env._(
                "%(fields)s of an appeal are set by its workflow (start, request closing, "
                "approve, close, cancel), not edited directly.",
                fields=", ".join(labels),
            )
        )

    def _deadline_values(self, vals):
        """The process-by date ``vals`` give and whether it was set by hand, i.e. is not
        the default of the type and the date received; an empty one is the default."""
        complaint_type = (
            self.env["dealer.complaint.type"].browse(vals["type_id"])
            if vals.get("type_id")
            else self.type_id
            or self.env["dealer.complaint.type"].browse(
                self.default_get(["type_id"]).get("type_id")
            )
        )
        received = vals.get("date_received") or self.date_received or fields.Datetime.now()
        default = self._default_deadline(complaint_type, received)
        given = fields.Date.to_date(vals.get("date_deadline"))
        if not given:
            return default, False
        return given, given != default

    @api.model_create_multi
    def create(self, vals_list):
        in_workflow = self._in_workflow()
        for vals in vals_list:
            if not in_workflow:
                forged = {
                    name
                    for name in set(vals) & WORKFLOW_FIELDS
                    if vals[name] not in DRAFT_VALUES.get(name, ())
                }
                if forged:
                    self._refuse_workflow_fields(forged)
            if vals.get("name", "/") in ("/", False, ""):
                vals["name"] = self.env["ir.sequence"].next_by_code("dealer.complaint") or "/"
            if vals.get("source", "manual") == "manual":
                if vals.get("traffic_id"):
                    vals["source"] = "traffic"
                elif vals.get("survey_call_id") or vals.get("user_input_id"):
                    vals["source"] = "survey"
            if "date_deadline" in vals:
                vals["date_deadline"], vals["date_deadline_manual"] = self._deadline_values(vals)
                if not vals["date_deadline"]:
                    del vals["date_deadline"]
        return super().create(vals_list)

    def write(self, vals):
        if not self._in_workflow():
            forged = set(vals) & WORKFLOW_FIELDS
            if forged:
                self._refuse_workflow_fields(forged)
            if "approval_required" in vals and any(
                c.approval_state in ("pending", "approved") for c in self
            ):
                raise UserError(
                    self.env._(
                        "The approval was already requested: whether it is required cannot "
                        "change any more."
                    )
                )
        if "date_deadline" in vals:
            # The flag differs per appeal (type and date received are their own).
            for complaint in self:
                deadline, manual = complaint._deadline_values(vals)
                super(DealerComplaint, complaint).write(
                    {**vals, "date_deadline": deadline, "date_deadline_manual": manual}
                )
            return True
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_cancelled(self):
        if not self._is_dealer_admin() and any(c.state != "cancelled" for c in self):
            raise UserError(self.env._("Cancel an appeal before deleting it."))

    # --- workflow -----------------------------------------------------------------------------
    def _start(self):
        """Put open appeals into work, with the current user responsible where nobody
        is yet."""
        for complaint in self.filtered(lambda c: c.state == "open"):
            vals = {"state": "in_progress"}
            if not complaint.user_id:
                vals["user_id"] = self.env.uid
            complaint._workflow().write(vals)

    def action_start(self):
        self._check_state(("open",), self.env._("taken into work"))
        self._check_responsible_or_manager(self.env._("take into work"))
        self._start()
        return True

    def _approvers(self):
        """Who is asked to approve the answer: the supervisors of the branch and, for
        types lawyers approve, the lawyers working for it."""
        self.ensure_one()
        groups = ["dealer_base.group_dealer_supervisor"]
        if self.type_id.lawyer_approval:
            groups.append("dealer_complaint.group_dealer_complaint_lawyer")
        group_ids = [self.env.ref(xmlid).id for xmlid in groups]
        # sudo: whoever asks for the approval may not read other users' groups.
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group_ids),
                    ("company_ids", "in", self.company_id.id),
                    ("share", "=", False),
                ]
            )
        )
        return users.sudo(False)

    def _approval_activities(self):
        activity_type = self.env.ref("dealer_complaint.mail_activity_type_approval")
        return self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def action_request_closing(self):
        """The answer is ready: the appeal waits to be closed, for the approval of its
        answer first where required."""
        self._check_state(("in_progress",), self.env._("sent for closing"))
        self._check_responsible_or_manager(self.env._("request closing"))
        for complaint in self:
            if not (complaint.conclusion or "").strip():
                raise UserError(
                    self.env._(
                        "Write the conclusion (the answer to the client) of %s before "
                        "requesting its closing.",
                        complaint.name,
                    )
                )
        for complaint in self:
            vals = {"state": "closing"}
            if complaint.approval_required:
                approvers = complaint._approvers()
                if not approvers:
                    raise UserError(
                        self.env._(
                            "Nobody can approve the answer to %(number)s: the branch "
                            "%(branch)s has no supervisor.",
                            number=complaint.name,
                            branch=complaint.company_id.name,
                        )
                    )
                vals.update(
                    {
                        "approval_state": "pending",
                        "approver_id": False,
                        "approval_date": False,
                        "approval_comment": False,
                    }
                )
                for user in approvers:
                    complaint.activity_schedule(
                        "dealer_complaint.mail_activity_type_approval",
                        date_deadline=max(complaint.date_deadline or self._today(), self._today()),
                        note=complaint.conclusion,
                        user_id=user.id,
                    )
            complaint._workflow().write(vals)
        return True

    def _close_approval_activities(self, feedback):
        me = self.env.user
        for complaint in self:
            activities = complaint._approval_activities()
            mine = activities.filtered(lambda a: a.user_id == me)
            # sudo: the requests of the other approvers are theirs; once the answer is
            # decided on, they are void.
            (activities - mine).sudo().unlink()
            mine.action_feedback(feedback=feedback)

    def action_approve(self):
        self._check_approver(self.env._("approve the answer"))
        for complaint in self:
            if complaint.approval_state != "pending":
                raise UserError(
                    self.env._("The answer to %s is not waiting for approval.", complaint.name)
                )
        self._close_approval_activities(self.env._("Approved."))
        # sudo: lawyers read appeals only, and approving is the one thing they write.
        self.sudo()._workflow().write(
            {
                "approval_state": "approved",
                "approver_id": self.env.uid,
                "approval_date": fields.Datetime.now(),
            }
        )
        for complaint in self:
            complaint.message_post(
                body=self.env._("The answer is approved."),
                partner_ids=complaint.user_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_open_reject(self):
        self._check_approver(self.env._("reject the answer"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject the Answer"),
            "res_model": "dealer.complaint.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_ids": self.ids},
        }

    def action_reject(self, comment):
        """The answer is not approved: the appeal goes back into work with the
        approver's comment."""
        comment = check_text(self.env, comment, self.env._("Comment"), multiline=True)
        comment = (comment or "").strip()
        if not comment:
            raise UserError(self.env._("Say why the answer is rejected."))
        self._check_approver(self.env._("reject the answer"))
        for complaint in self:
            if complaint.approval_state != "pending":
                raise UserError(
                    self.env._("The answer to %s is not waiting for approval.", complaint.name)
                )
        self._close_approval_activities(self.env._("Rejected: %s", comment))
        # sudo: as for approving.
        self.sudo()._workflow().write(
            {
                "state": "in_progress",
                "approval_state": "rejected",
                "approver_id": self.env.uid,
                "approval_date": fields.Datetime.now(),
                "approval_comment": comment,
            }
        )
        for complaint in self:
            complaint.message_post(
                body=Markup("%s<br/>%s") % (self.env._("The answer is rejected:"), comment),
                partner_ids=complaint.user_id.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_close(self):
        self._check_state(("closing",), self.env._("closed"))
        self._check_responsible_or_manager(self.env._("close"))
        for complaint in self:
            if not complaint.result:
                raise UserError(self.env._("Choose the result before closing %s.", complaint.name))
            if complaint.approval_required and complaint.approval_state != "approved":
                raise UserError(
                    self.env._(
                        "The answer to %s must be approved before the appeal is closed.",
                        complaint.name,
                    )
                )
        now = fields.Datetime.now()
        for complaint in self:
            closed_day = complaint._local_day(now)
            complaint._workflow().write(
                {
                    "state": "closed",
                    "date_closed": now,
                    "date_answered": complaint.date_answered or closed_day,
                    "was_overdue": bool(
                        complaint.date_deadline and closed_day > complaint.date_deadline
                    ),
                }
            )
        return True

    def action_cancel(self):
        self._check_state(ACTIVE_STATES, self.env._("cancelled"))
        self._check_responsible_or_manager(self.env._("cancel"))
        # sudo: pending approval requests belong to the approvers.
        self._approval_activities().sudo().unlink()
        vals = {"state": "cancelled"}
        if any(c.approval_state == "pending" for c in self):
            vals["approval_state"] = "none"
        self._workflow().write(vals)
        return True

    def action_reopen(self):
        self._check_state(("closed", "cancelled"), self.env._("reopened"))
        for complaint in self:
            if not complaint._is_branch_manager():
                raise AccessError(
                    self.env._(
                        "Only a supervisor of the branch or the complaints team can reopen %s.",
                        complaint.name,
                    )
                )
        # A reopened appeal gets a new answer, approved anew where required.
        self._workflow().write(
            {
                "state": "in_progress",
                "date_closed": False,
                "was_overdue": False,
                "approval_state": "none",
                "approver_id": False,
                "approval_date": False,
                "approval_comment": False,
            }
        )
        return True

    # --- navigation -------------------------------------------------------------------------
    def action_view_steps(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Steps"),
            "res_model": "dealer.complaint.step",
            "view_mode": "list,form",
            "domain": [("complaint_id", "=", self.id)],
            "context": {"default_complaint_id": self.id},
        }
