from datetime import timedelta

import odoo
from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_text, normalize_phone, to_record
from odoo.addons.dealer_vehicle.models.dealer_vehicle import PARTNER_VEHICLES_DOMAIN
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

OPEN_STATES = ("new", "queued", "assigned", "in_progress")
TASK_KINDS = [("appointment", "Appointment"), ("visit", "Vehicle Visit"), ("deal", "Deal")]
AUTO_IGNORE_BATCH = 5000
# What the workflow owns: only the action methods write these, so that states, the
# responsible and the step times (and the response figures computed from them)
# cannot be forged from the client. Dealer administrators may correct them.
WORKFLOW_FIELDS = frozenset(
    {
        "name",
        "state",
        "user_id",
        "registrar_id",
        "company_id",
        "queued_date",
        "assigned_date",
        "taken_date",
        "processed_date",
        "processed_user_id",
        "is_transferred",
        "ignore_reason_id",
        "ignore_comment",
        "take_minutes",
        "process_minutes",
        "was_overdue",
        "response_deadline",
        "is_finished",
    }
)
# What a new contact may be created with: the draft's own values, the responsible
# and branch the operator picks on the registration screen.
DRAFT_VALUES = {
    "name": ("/",),
    "state": ("new",),
    "is_transferred": (False,),
    "queued_date": (False,),
    "assigned_date": (False,),
    "taken_date": (False,),
    "processed_date": (False,),
    "processed_user_id": (False,),
    "ignore_reason_id": (False,),
    "ignore_comment": (False, ""),
    "is_finished": (False,),
}
# The registration screen's buttons, which create and act in one transaction.
SCREEN_ACTIONS = (
    "action_register_from_screen",
    "action_transfer_from_screen",
    "action_queue_from_screen",
    "action_finish_from_screen",
    "action_callback_from_screen",
)
# A contact's date may run ahead of the server clock by this much (client clocks).
DATE_TOLERANCE = timedelta(minutes=5)
# Marks writes made by the action methods; an object no JSON-RPC caller can send.
_WORKFLOW = object()


class DealerTraffic(models.Model):
    """One contact of a client with the dealership: a call, a visit, an internet request.

    It is registered by an operator, routed to a responsible employee, and processed
    into work (a task) or ignored with a reason."""

    _name = "dealer.traffic"
    _description = "Client Traffic"
    _inherit = ["mail.thread", "mail.activity.mixin", "dealer.checked.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    channel_id = fields.Many2one(
        "dealer.traffic.channel",
        required=True,
        index=True,
        default=lambda self: self.env["dealer.traffic.channel"].search([], limit=1),
    )
    channel_code = fields.Char(related="channel_id.code")
    can_queue = fields.Boolean(related="channel_id.can_queue")
    direction_id = fields.Many2one("dealer.direction", required=True, index=True)
    goal_id = fields.Many2one(
        "dealer.contact.goal",
        string="Contact Goal",
        required=True,
        index=True,
        domain="[('direction_id', '=', direction_id)]",
        tracking=True,
    )
    goal_kind = fields.Selection(related="goal_id.kind", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    source_id = fields.Many2one("utm.source", string="Information Source", index="btree_not_null")
    region_id = fields.Many2one("res.country.state", domain="[('country_id.code', '=', 'RU')]")
    partner_id = fields.Many2one(
        "res.partner", string="Client", index="btree_not_null", tracking=True, check_company=True
    )
    contact_name = fields.Char(help="Name given by a client who is not identified yet.")
    contact_phone = fields.Char(string="Phone")
    phone_normalized = fields.Char(
        compute="_compute_phone_normalized", store=True, index="btree_not_null"
    )
    vehicle_id = fields.Many2one(
        "dealer.vehicle",
        domain=PARTNER_VEHICLES_DOMAIN,
        check_company=True,
    )
    vin = fields.Char(string="VIN")
    license_plate = fields.Char()
    require_vehicle_interest = fields.Boolean(related="goal_id.require_vehicle_interest")
    require_region = fields.Boolean(related="goal_id.require_region")
    interest_model_id = fields.Many2one("fleet.vehicle.model", string="Model of Interest")
    interest_brand_id = fields.Many2one(
        "fleet.vehicle.model.brand",
        string="Brand of Interest",
        compute="_compute_interest_brand_id",
        store=True,
        readonly=False,
    )
    interest_condition = fields.Selection([("new", "New"), ("used", "Used")], string="New or Used")
    is_repeat = fields.Boolean(
        string="Repeat Contact",
        compute="_compute_is_repeat",
        store=True,
        readonly=False,
        help="The client already contacted this direction before. Set automatically, "
        "may be corrected.",
    )
    registrar_id = fields.Many2one(
        "res.users",
        string="Registered By",
        default=lambda self: self.env.user,
        readonly=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        index="btree_not_null",
        domain="[('share', '=', False)]",
    )
    note = fields.Text()
    outcome = fields.Text(string="Contact Outcome")
    state = fields.Selection(
        [
            ("new", "New"),
            ("queued", "Waiting"),
            ("assigned", "Assigned"),
            ("in_progress", "In Work"),
            ("processed", "Processed"),
            ("ignored", "Ignored"),
        ],
        default="new",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    is_transferred = fields.Boolean(string="Transferred", readonly=True, copy=False)
    queued_date = fields.Datetime(string="Queued At", readonly=True, copy=False)
    assigned_date = fields.Datetime(string="Assigned At", readonly=True, copy=False)
    taken_date = fields.Datetime(string="Taken At", readonly=True, copy=False)
    processed_date = fields.Datetime(string="Processed At", readonly=True, copy=False)
    processed_user_id = fields.Many2one(
        "res.users",
        string="Processed By",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Who processed or ignored the contact; empty while it is in work and for "
        "contacts ignored automatically.",
    )
    ignore_reason_id = fields.Many2one(
        "dealer.ignore.reason", readonly=True, copy=False, tracking=True
    )
    ignore_comment = fields.Text(readonly=True, copy=False)
    task_ids = fields.One2many("project.task", "traffic_id", string="Tasks")
    task_count = fields.Integer(compute="_compute_task_count")
    take_minutes = fields.Float(
        string="Time to Take (min)",
        digits=(16, 1),
        compute="_compute_response_minutes",
        store=True,
        # 0 for a contact never taken: an average here would count it as answered at
        # once. The Response Time report averages over the contacts taken only.
        aggregator=None,
    )
    process_minutes = fields.Float(
        string="Time to Process (min)",
        digits=(16, 1),
        compute="_compute_response_minutes",
        store=True,
        aggregator=None,
    )
    response_deadline = fields.Datetime(compute="_compute_response_deadline", store=True)
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Not taken within the goal's response time limit.",
    )
    was_overdue = fields.Boolean(
        string="Taken Late",
        compute="_compute_response_minutes",
        store=True,
        help="Taken (or still waiting) after the goal's response time limit.",
    )

    # --- computes -------------------------------------------------------------
    @api.depends("contact_phone", "partner_id.country_id")
    def _compute_phone_normalized(self):
        default_country = self.env.company.country_id.code or "RU"
        for traffic in self:
            country = traffic.partner_id.country_id.code or default_country
            traffic.phone_normalized = normalize_phone(traffic.contact_phone, country)

    @api.depends("interest_model_id")
    def _compute_interest_brand_id(self):
        for traffic in self.filtered("interest_model_id"):
            traffic.interest_brand_id = traffic.interest_model_id.brand_id

    @api.depends("partner_id", "direction_id")
    def _compute_is_repeat(self):
        for traffic in self:
            if not traffic.partner_id or not traffic.direction_id:
                traffic.is_repeat = False
                continue
            domain = [
                ("partner_id", "=", traffic.partner_id.id),
                ("direction_id", "=", traffic.direction_id.id),
            ]
            if traffic.id:
                domain += [("id", "!=", traffic.id), ("date", "<=", traffic.date)]
            # sudo: the client's earlier contacts count even when registered by others.
            traffic.is_repeat = bool(self.sudo().search_count(domain, limit=1))

    def _compute_task_count(self):
        for traffic in self:
            traffic.task_count = len(traffic.task_ids)

    @api.depends("date", "taken_date", "processed_date", "goal_id.response_minutes")
    def _compute_response_minutes(self):
        for traffic in self:
            start = traffic.date
            traffic.take_minutes = (
                (traffic.taken_date - start).total_seconds() / 60 if traffic.taken_date else 0.0
            )
            traffic.process_minutes = (
                (traffic.processed_date - start).total_seconds() / 60
                if traffic.processed_date
                else 0.0
            )
            limit = traffic.goal_id.response_minutes
            traffic.was_overdue = bool(limit and traffic.take_minutes > limit)

    @api.depends("date", "goal_id.response_minutes")
    def _compute_response_deadline(self):
        for traffic in self:
            limit = traffic.goal_id.response_minutes
            traffic.response_deadline = traffic.date + timedelta(minutes=limit) if limit else False

    @api.depends("state", "taken_date", "response_deadline")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for traffic in self:
            traffic.is_overdue = bool(
                traffic.state in OPEN_STATES
                and not traffic.taken_date
                and traffic.response_deadline
                and traffic.response_deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue traffic."))
        domain = [
            ("state", "in", OPEN_STATES),
            ("taken_date", "=", False),
            ("response_deadline", "<", fields.Datetime.now()),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", *expression.normalize_domain(domain)]

    # --- checks -----------------------------------------------------------------
    @api.constrains("goal_id", "direction_id")
    def _check_goal_direction(self):
        for traffic in self:
            if traffic.goal_id.direction_id != traffic.direction_id:
                raise ValidationError(
                    self.env._(
                        "The contact goal %(goal)s belongs to the direction %(direction)s.",
                        goal=traffic.goal_id.name,
                        direction=traffic.goal_id.direction_id.name,
                    )
                )

    @api.constrains("user_id", "goal_id", "company_id")
    def _check_user_allowed(self):
        for traffic in self.filtered("user_id"):
            traffic._check_responsible(traffic.user_id)

    def _check_responsible(self, user):
        """``user`` may be responsible for this contact: an active employee holding a
        consultant role in its branch, among the goal's employees when it says so."""
        self.ensure_one()
        # sudo: operators routing a contact may not read other users' groups/branches.
        staff = user.sudo()
        consultant = (
            staff.active
            and not staff.share
            and staff.has_group("dealer_base.group_dealer_consultant")
        )
        if not consultant or self.company_id not in staff.company_ids:
            raise ValidationError(
                self.env._(
                    "%(user)s cannot be responsible for a contact of %(branch)s: only active "
                    "employees with a consultant role in that branch can.",
                    user=staff.name,
                    branch=self.company_id.name,
                )
            )
        if self.goal_id.restrict_to_users and user not in self.goal_id.user_ids:
            raise ValidationError(
                self.env._(
                    "%(user)s is not among the employees responsible for %(goal)s.",
                    user=staff.name,
                    goal=self.goal_id.name,
                )
            )

    @api.constrains("date")
    def _check_date(self):
        latest = fields.Datetime.now() + DATE_TOLERANCE
        for traffic in self:
            if traffic.date > latest and not self._is_dealer_admin():
                raise ValidationError(
                    self.env._(
                        "The contact %(number)s cannot be dated in the future (%(date)s).",
                        number=traffic.name,
                        date=traffic.date,
                    )
                )

    def _check_required_details(self):
        """What registration needs beyond the required fields, as the goal asks."""
        for traffic in self:
            missing = []
            if not traffic.partner_id and not (traffic.contact_name or traffic.contact_phone):
                missing.append(self.env._("the client, or a name or phone"))
            if traffic.require_vehicle_interest and not (
                traffic.interest_model_id and traffic.interest_condition
            ):
                missing.append(self.env._("the model of interest and whether new or used"))
            if traffic.require_region and not traffic.region_id:
                missing.append(self.env._("the region"))
            if missing:
                raise UserError(
                    self.env._(
                        "To register %(goal)s, give %(missing)s.",
                        goal=traffic.goal_id.name,
                        missing=", ".join(missing),
                    )
                )

    # --- who may do what ---------------------------------------------------------
    def _check_role(self, group, action):
        if not (self.env.su or self.env.user.has_group(group)):
            role = self.env.ref(group).sudo().name  # sudo: group names are not secret
            raise AccessError(
                self.env._(
                    "Only staff with the role %(role)s can do this: %(action)s.",
                    role=role,
                    action=action,
                )
            )

    def _check_responsible_or_supervisor(self, action, unassigned_group=None):
        """The contact's responsible or a supervisor of its branch may act on it; an
        unassigned contact, anybody holding ``unassigned_group``."""
        me = self.env.user
        for traffic in self:
            if traffic.user_id == me or traffic._is_branch_supervisor():
                continue
            if not traffic.user_id and unassigned_group and me.has_group(unassigned_group):
                continue
            raise AccessError(
                self.env._(
                    "Only the responsible employee (%(user)s) or a supervisor of the branch "
                    "can do this with %(number)s: %(action)s.",
                    user=traffic.user_id.name or self.env._("nobody yet"),
                    number=traffic.name,
                    action=action,
                )
            )

    # --- create and write: the workflow's fields are the action methods' -----------
    def _workflow(self):
        return self.with_context(dealer_workflow=_WORKFLOW)

    def _in_workflow(self):
        return self.env.context.get("dealer_workflow") is _WORKFLOW or self._is_dealer_admin()

    def _refuse_workflow_fields(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise UserError(
            self.env._(
                "%(fields)s of a contact are set by its workflow (register, take, "
                "reassign, process, ignore), not edited directly.",
                fields=", ".join(labels),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self._in_workflow():
                forged = {
                    name
                    for name in set(vals) & WORKFLOW_FIELDS
                    if name not in ("user_id", "company_id")
                    and not (name == "registrar_id" and vals[name] == self.env.uid)
                    and vals[name] not in DRAFT_VALUES.get(name, ())
                }
                if forged:
                    self._refuse_workflow_fields(forged)
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("dealer.traffic") or "/"
        records = super().create(vals_list)
        records._stamp_client_contact()
        return records

    def write(self, vals):
        if not self._in_workflow():
            forged = set(vals) & WORKFLOW_FIELDS
            # Until it is registered, the operator may still change the responsible.
            if "user_id" in forged and all(t.state == "new" for t in self):
                forged.discard("user_id")
            # Moves between branches are checked by dealer.checked.mixin.
            forged.discard("company_id")
            if forged:
                self._refuse_workflow_fields(forged)
        return super().write(vals)

    def _stamp_client_contact(self):
        # sudo: an operator registering a contact may not be allowed to edit the client.
        for traffic in self.filtered("partner_id"):
            fname = (
                "last_incoming_contact"
                if traffic.goal_kind == "incoming"
                else "last_outgoing_contact"
            )
            partner = traffic.partner_id.sudo()
            if not partner[fname] or partner[fname] < traffic.date:
                partner[fname] = traffic.date

    def _client_label(self):
        self.ensure_one()
        return self.partner_id.name or self.contact_name or self.contact_phone or ""

    # --- routing ------------------------------------------------------------------------
    def _notify_responsible(self, body):
        # sudo: whoever routes the contact (an operator, or a consultant handing it
        # over) may lose access to it by doing so, and the new responsible must
        # still be subscribed and told. The author stays the current user.
        for traffic in self.sudo().filtered("user_id"):
            traffic.message_subscribe(partner_ids=traffic.user_id.partner_id.ids)
            # In the Discuss inbox whatever the employee's e-mail preference.
            traffic.with_context(dealer_force_inbox=True).message_post(
                body=body,
                author_id=self.env.user.partner_id.id,
                partner_ids=traffic.user_id.partner_id.ids,
                message_type="notification",
                subtype_xmlid="mail.mt_comment",
            )
            self.env["bus.bus"]._sendone(
                traffic.user_id.partner_id,
                "simple_notification",
                {
                    "title": self.env._("Incoming contact"),
                    "message": " — ".join(
                        (f"{traffic.name}: {traffic.goal_id.name}", traffic._client_label())
                    ),
                    # A walk-in waiting in the showroom: the toast stays until read.
                    "sticky": bool(traffic.queued_date),
                },
            )

    def _route_to(self, user, vals, body):
        """Assign the contacts to ``user`` (checked) with the workflow ``vals``."""
        for traffic in self:
            traffic._check_responsible(user)
        self._workflow().write({**vals, "user_id": user.id})
        self._notify_responsible(body)

    def action_register(self):
        """Register the contact and assign it to the responsible employee."""
        self._check_role("dealer_base.group_dealer_operator", self.env._("register a contact"))
        self._check_state(("new",), self.env._("registered"))
        self._check_required_details()
        for traffic in self:
            if not traffic.user_id:
                raise UserError(
                    self.env._("Choose the responsible employee to register %s.", traffic.name)
                )
            traffic._route_to(
                traffic.user_id,
                {"state": "assigned", "assigned_date": fields.Datetime.now()},
                self.env._("A contact was registered to you."),
            )
        return True

    def action_transfer(self):
        """Hand the contact over to the responsible employee at once: no client needed."""
        self._check_role("dealer_base.group_dealer_operator", self.env._("transfer a contact"))
        self._check_state(("new", "queued"), self.env._("transferred"))
        for traffic in self:
            if not traffic.user_id:
                raise UserError(self.env._("Choose the employee to transfer %s to.", traffic.name))
            traffic._route_to(
                traffic.user_id,
                {
                    "state": "assigned",
                    "assigned_date": fields.Datetime.now(),
                    "is_transferred": True,
                },
                self.env._("A contact was transferred to you."),
            )
        return True

    def action_queue(self):
        """Put a walk-in in the waiting queue."""
        self._check_role("dealer_base.group_dealer_operator", self.env._("queue a walk-in"))
        self._check_state(("new",), self.env._("put in the queue"))
        for traffic in self:
            if not traffic.can_queue:
                raise UserError(
                    self.env._(
                        "Only walk-in visits wait in the queue, not %s.", traffic.channel_id.name
                    )
                )
        self._workflow().write({"state": "queued", "queued_date": fields.Datetime.now()})
        return True

    def action_assign(self, user):
        """Assign from the queue (or an unassigned contact) to ``user``."""
        user = to_record(self.env, "res.users", user, self.env._("Responsible"))
        self._check_role("dealer_base.group_dealer_operator", self.env._("assign a contact"))
        self._check_state(("new", "queued"), self.env._("assigned"))
        self._route_to(
            user,
            {"state": "assigned", "assigned_date": fields.Datetime.now()},
            self.env._("A waiting client was assigned to you."),
        )
        return True

    def _lock_for_take(self):
        """Lock the rows, so that of two consultants taking the same contact at once
        the second waits, then sees who won (Odoo retries its serialization error)."""
        self.flush_recordset()
        self.env.cr.execute(
            SQL("SELECT id FROM dealer_traffic WHERE id = ANY(%s) FOR UPDATE", self.ids)
        )
        self.invalidate_recordset()

    def action_take(self):
        """The current user takes the contact into work."""
        self._check_role("dealer_base.group_dealer_consultant", self.env._("take a contact"))
        self._lock_for_take()
        me = self.env.user
        # sudo: a contact taken by a colleague a moment ago is no longer visible to
        # the loser, who must be told who took it rather than get an access error.
        for traffic in self.sudo():
            taken = traffic.user_id and traffic.user_id != me
            if taken and not self.browse(traffic.id)._is_branch_supervisor():
                if traffic.state in ("new", "queued", "assigned"):
                    message = self.env._(
                        "%(number)s is already assigned to %(user)s.",
                        number=traffic.name,
                        user=traffic.user_id.name,
                    )
                else:
                    message = self.env._(
                        "%(number)s is already taken by %(user)s.",
                        number=traffic.name,
                        user=traffic.user_id.name,
                    )
                raise UserError(message)
        self._check_state(("new", "queued", "assigned"), self.env._("taken"))
        for traffic in self:
            traffic._check_responsible(me)
        self._workflow().write(
            {"state": "in_progress", "user_id": me.id, "taken_date": fields.Datetime.now()}
        )
        return True

    def action_reassign(self, user, comment=False):
        user = to_record(self.env, "res.users", user, self.env._("Responsible"))
        comment = check_text(self.env, comment, self.env._("Comment"), multiline=True)
        self._check_state(("new", "queued", "assigned", "in_progress"), self.env._("reassigned"))
        self._check_responsible_or_supervisor(self.env._("reassign"))
        previous = {t.id: t.user_id for t in self}
        for traffic in self:
            body = self.env._(
                "Reassigned from %(old)s to %(new)s.",
                old=previous[traffic.id].name or self.env._("nobody"),
                new=user.name,
            )
            if comment:
                body = f"{body} {comment}"
            traffic._route_to(
                user,
                {"state": "assigned", "assigned_date": fields.Datetime.now(), "taken_date": False},
                body,
            )
        return True

    def action_mark_lost(self):
        """A walk-in left the queue before anyone saw them."""
        self._check_state(("queued",), self.env._("marked as lost"))
        reason = self.env.ref("dealer_traffic.ignore_reason_left_queue")
        return self.action_ignore(reason, self.env._("Left the waiting queue."))

    def action_ignore(self, reason, comment=False):
        if not reason:
            raise UserError(self.env._("Give the reason for ignoring the contact."))
        reason = to_record(self.env, "dealer.ignore.reason", reason, self.env._("Ignore Reason"))
        comment = check_text(self.env, comment, self.env._("Comment"), multiline=True)
        self._check_state(OPEN_STATES, self.env._("ignored"))
        # Contacts nobody was given yet (a walk-in who left, a wrong number) may be
        # closed by whoever registers them.
        self._check_responsible_or_supervisor(
            self.env._("ignore"), unassigned_group="dealer_base.group_dealer_operator"
        )
        self._workflow().write(
            {
                "state": "ignored",
                "ignore_reason_id": reason.id,
                "ignore_comment": comment,
                "processed_date": fields.Datetime.now(),
                "processed_user_id": self.env.uid,
            }
        )
        return True

    @api.returns("project.task", lambda task: task.id)
    def action_process(
        self, kind, task=False, name=False, *, visit_at=False, appointment_kind=False, advisor=False
    ):
        """Turn the contact into work: a new task of ``kind`` in the direction's
        project, or ``task`` (a record or an id), an open task of the same client.

        The task is booked for ``visit_at`` (UTC; not in the past), of
        ``appointment_kind`` with the service advisor ``advisor`` (a consultant of the
        contact's branch, also made an assignee) when given; its deadline is the booked
        time."""
        self.ensure_one()
        if kind not in dict(TASK_KINDS):
            raise UserError(self.env._("Unknown kind of task: %s.", kind))
        if task:
            task = to_record(self.env, "project.task", task, self.env._("Task"))
        name = check_text(self.env, name, self.env._("Task Title"), max_length=500)
        self._check_state(("new", "queued", "assigned", "in_progress"), self.env._("processed"))
        self._check_responsible_or_supervisor(
            self.env._("process"), unassigned_group="dealer_base.group_dealer_consultant"
        )
        if not self.partner_id:
            raise UserError(self.env._("Identify the client before processing the contact."))
        planning = self.env["project.task"]._dealer_planning_vals(
            self.company_id,
            direction=self.direction_id,
            visit_at=visit_at,
            appointment_kind=appointment_kind,
            advisor=advisor,
        )
        assignees = (self.user_id or self.env.user) | self.env["res.users"].browse(
            planning.get("dealer_advisor_id")
        )
        if task:
            if task.partner_id != self.partner_id:
                raise UserError(
                    self.env._("The task %s belongs to another client.", task.display_name)
                )
            if task.is_closed:
                raise UserError(self.env._("The task %s is already closed.", task.display_name))
            task.message_post(
                body=self.env._("Contact %s attached to this task.", self.name),
            )
            self.task_ids |= task
            if planning.get("dealer_advisor_id"):
                planning["user_ids"] = [fields.Command.link(planning["dealer_advisor_id"])]
            if planning:
                task.write(planning)
        else:
            project = self.direction_id.project_id
            if not project:
                raise UserError(
                    self.env._(
                        "The direction %s has no project for its tasks: set one in "
                        "Configuration → Directions.",
                        self.direction_id.name,
                    )
                )
            task = self.env["project.task"].create(
                {
                    "name": name or f"{self.goal_id.name}: {self.partner_id.name}",
                    "project_id": project.id,
                    "partner_id": self.partner_id.id,
                    "vehicle_id": self.vehicle_id.id,
                    "user_ids": [fields.Command.set(assignees.ids)],
                    "dealer_kind": kind,
                    "traffic_id": self.id,
                    "description": self.note,
                    **planning,
                }
            )
        now = fields.Datetime.now()
        vals = {
            "state": "processed",
            "processed_date": now,
            "processed_user_id": self.env.uid,
            "taken_date": self.taken_date or now,
        }
        if not self.user_id:
            vals["user_id"] = self.env.uid
        self._workflow().write(vals)
        return task

    def action_cancel_processing(self):
        """Undo processing or ignoring: the contact goes back into work. Tasks it
        produced are kept, only detached."""
        self._check_state(("processed", "ignored"), self.env._("reopened"))
        self._check_responsible_or_supervisor(self.env._("cancel processing"))
        self.task_ids.write({"traffic_id": False})
        for traffic in self:
            traffic._workflow().write(
                {
                    "state": "in_progress" if traffic.taken_date else "assigned",
                    "processed_date": False,
                    "processed_user_id": False,
                    "ignore_reason_id": False,
                    "ignore_comment": False,
                }
            )
        return True

    # --- registration screen buttons: act, then open a blank screen for the next contact
    def _next_registration(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": self.env["ir.actions.act_window"]._for_xml_id(
                    "dealer_traffic.dealer_traffic_action_register"
                ),
            },
        }

    @api.model
    def action_create_from_screen(self, vals, action):
        """Create the contact from the registration screen and apply ``action`` (one
        of its buttons) in the same transaction: when the action is refused, nothing
        is left behind, no abandoned draft in the journal."""
        if action not in SCREEN_ACTIONS:
            raise UserError(self.env._("Unknown registration action: %s.", action))
        if not isinstance(vals, dict):
            raise UserError(self.env._("The contact's values must be given as a mapping."))
        return getattr(self.create(vals), action)()

    def action_register_from_screen(self):
        self.action_register()
        return self._next_registration(
            self.env._(
                "%(number)s registered to %(user)s.", number=self.name, user=self.user_id.name
            )
        )

    def action_transfer_from_screen(self):
        self.action_transfer()
        return self._next_registration(
            self.env._(
                "%(number)s transferred to %(user)s.", number=self.name, user=self.user_id.name
            )
        )

    def action_queue_from_screen(self):
        self.action_queue()
        return self._next_registration(self.env._("%s is waiting in the queue.", self.name))

    # --- buttons that open wizards ----------------------------------------------------
    def _wizard(self, model, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_traffic_ids": self.ids},
        }

    def action_open_process(self):
        return self._wizard("dealer.traffic.process.wizard", self.env._("Process Contact"))

    def action_open_ignore(self):
        return self._wizard("dealer.traffic.ignore.wizard", self.env._("Ignore Contact"))

    def action_open_reassign(self):
        return self._wizard("dealer.traffic.reassign.wizard", self.env._("Reassign Contact"))

    def action_view_tasks(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Tasks"),
            "res_model": "project.task",
            "view_mode": "list,form",
            "domain": [("id", "in", self.task_ids.ids)],
        }

    # --- registration screen helpers -------------------------------------------------
    @api.model
    def get_responsible_candidates(self, goal_id, company_id=False):
        """Employees to offer on the registration screen, with their availability and
        their counts of unprocessed and transferred-today traffic: consultants of
        the branch, which must be one of the current user's, who work in the goal's
        direction (administrators only when tied to it), and the goal's responsible
        employees."""
        goal = to_record(self.env, "dealer.contact.goal", goal_id, self.env._("Contact Goal"))
        company = (
            to_record(self.env, "res.company", company_id, self.env._("Branch"))
            if company_id
            else self.env.company
        )
        if company not in self.env.user.company_ids:
            raise AccessError(self.env._("You do not work in the branch %s.", company.sudo().name))
        consultants = self.env.ref("dealer_base.group_dealer_consultant")
        # sudo: operators may not search users by group membership.
        users = (
            self.env["res.users"]
            .sudo()
            .search([("groups_id", "in", consultants.id), ("company_ids", "in", company.id)])
        )
        if goal.restrict_to_users:
            users &= goal.user_ids.sudo()
        else:
            direction = goal.direction_id
            users = users.filtered(lambda u: u in goal.user_ids or u._dealer_works_in(direction))
        users = users.filtered(lambda u: not u.share).sudo(False)
        counts = self._responsible_counts(users)
        presence_order = {"available": 0, "busy": 1, "away": 2}
        result = [
            {
                "id": user.id,
                "name": user.name,
                "presence": user.dealer_presence or "available",
                "is_goal_responsible": user in goal.user_ids,
                "open_count": counts.get(user.id, (0, 0))[0],
                "transferred_today": counts.get(user.id, (0, 0))[1],
            }
            for user in users
        ]
        result.sort(
            key=lambda r: (
                not r["is_goal_responsible"],
                presence_order.get(r["presence"], 3),
                r["open_count"],
                r["name"],
            )
        )
        return result

    def _responsible_counts(self, users):
        if not users:
            return {}
        start_of_day = fields.Datetime.to_datetime(fields.Date.context_today(self))
        self.flush_model(["user_id", "state", "is_transferred", "assigned_date"])
        # One grouped query for the whole list; counts span branches the operator
        # may not see, since they describe the employee's load.
        self.env.cr.execute(
            SQL(
                """
                SELECT user_id,
                       COUNT(*) FILTER (WHERE state IN %(open)s),
                       COUNT(*) FILTER (WHERE is_transferred AND assigned_date >= %(day)s)
                  FROM dealer_traffic
                 WHERE user_id IN %(users)s
                   AND (state IN %(open)s OR assigned_date >= %(day)s)
                 GROUP BY user_id
                """,
                open=OPEN_STATES,
                day=start_of_day,
                users=tuple(users.ids),
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    # --- automatic ignoring -------------------------------------------------------------
    @api.model
    def _cron_auto_ignore(self, batch_size=AUTO_IGNORE_BATCH):
        """Ignore traffic left unprocessed longer than its goal allows.

        Set-based and batched; the state condition makes a re-run after a crash
        touch only what is still open. Each batch logs, in the same statement, the
        chatter trace a manual ignore leaves (see ``_auto_ignore_trace``), so that a
        committed batch always has its trace."""
        reason = self.env.ref("dealer_traffic.ignore_reason_timeout")
        self.flush_model(["state", "date", "goal_id", "ignore_reason_id"])
        self.env["dealer.contact.goal"].flush_model(["auto_ignore_days"])
        trace = self._auto_ignore_trace(reason)
        total = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    WITH picked AS (
                        SELECT t2.id, t2.state, t2.ignore_reason_id
                          FROM dealer_traffic t2
                          JOIN dealer_contact_goal g ON g.id = t2.goal_id
                         WHERE t2.state IN %(open)s
                           AND g.auto_ignore_days > 0
                           AND t2.date < (now() AT TIME ZONE 'UTC')
                                         - make_interval(days => g.auto_ignore_days)
                         ORDER BY t2.id
                         LIMIT %(limit)s
                           FOR UPDATE OF t2 SKIP LOCKED
                    ), ignored AS (
                        UPDATE dealer_traffic t
                           SET state = 'ignored',
                               ignore_reason_id = %(reason)s,
                               processed_date = now() AT TIME ZONE 'UTC',
                               process_minutes = ROUND(
                                   EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - t.date) / 60,
                                   1),
                               write_date = now() AT TIME ZONE 'UTC',
                               write_uid = %(uid)s
                          FROM picked
                         WHERE t.id = picked.id
                     RETURNING t.id, picked.state AS old_state,
                               picked.ignore_reason_id AS old_reason_id
                    )%(trace)s
                    SELECT id FROM ignored
                    """,
                    reason=reason.id,
                    uid=self.env.uid,
                    open=OPEN_STATES,
                    limit=batch_size,
                    trace=trace,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            total += len(ids)
            # Their message_ids too: the messages were inserted behind the ORM's back.
            self.browse(ids).invalidate_recordset()
            # Commit each batch so a crash keeps the work done; tests own their cursor.
            if not odoo.modules.module.current_test:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return total

    def _auto_ignore_trace(self, reason):
        """What mail's tracking logs when a contact is ignored through the ORM
        (``_message_track`` then ``_message_log``): per contact an internal note with an
        empty body by the current user, with a tracking value for each tracked field
        that changed, in Odoo's order, labels in the environment's language. As CTEs
        continuing a WITH that defines ``ignored(id, old_state, old_reason_id)``; empty
        when this environment would not track (as ``mail.thread.write``)."""
        context = self.env.context
        tracked = self._track_get_fields() & {"state", "ignore_reason_id"}
        if context.get("tracking_disable") or context.get("mail_notrack") or not tracked:
            return SQL()
        # As superuser and with inactive reasons, as _track_finalize reads the values.
        reasons = self.env["dealer.ignore.reason"].sudo().with_context(active_test=False)
        reason_names = {record.id: record.display_name for record in reasons.search([])}
        info = self.fields_get(list(tracked), ["string", "type", "selection"])
        state_labels = dict(info["state"]["selection"]) if "state" in info else {}
        # Per field: whether it changed, old and new label, old and new id (many2one).
        values = {
            "state": (
                SQL("TRUE"),  # only open contacts are ignored
                _sql_case(SQL("i.old_state"), state_labels, SQL("i.old_state")),
                state_labels.get("ignored"),
                SQL("NULL::int4"),
                SQL("NULL::int4"),
            ),
            "ignore_reason_id": (
                SQL("i.old_reason_id IS DISTINCT FROM %s", reason.id),
                _sql_case(SQL("i.old_reason_id"), reason_names, ""),
                reason_names[reason.id],
                SQL("COALESCE(i.old_reason_id, 0)"),
                reason.id,
            ),
        }
        rows, changed = [], []
        for name, _sequence in self._mail_track_order_fields(info):
            field_id = self.env["ir.model.fields"]._get(self._name, name).id
            row = SQL(", ").join(values[name])
            rows.append(SQL("(%s, %s, %s)", len(rows), field_id, row))
            changed.append(values[name][0])
        author = self.env.user.partner_id
        email_from = author.email_formatted or None
        # Odoo's Message-ID form, "<random.time-openerp-message-notify@host>", whose
        # random and time parts are drawn per row.
        message_id_tail = odoo.tools.mail.generate_tracking_message_id("message-notify")
        message_id_tail = "-openerp-" + message_id_tail.split("-openerp-", 1)[1]
        return SQL(
            """, traced AS (
                INSERT INTO mail_message (
                    model, res_id, message_type, subtype_id, is_internal, body, date,
                    author_id, email_from, reply_to, message_id, email_add_signature,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(model)s, i.id, 'notification', %(subtype)s, TRUE, '',
                       date_trunc('second', now() AT TIME ZONE 'UTC'),
                       %(author)s, %(email_from)s, %(reply_to)s,
                       '<' || lpad(floor(random() * 1e15)::int8::text, 15, '0') || '.'
                           || extract(epoch FROM clock_timestamp())::numeric(25, 15)::text
                           || %(message_id_tail)s,
                       FALSE, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM ignored i
                 WHERE %(changed)s
                 ORDER BY i.id
             RETURNING id, res_id
            ), tracked AS (
                INSERT INTO mail_tracking_value (
                    field_id, mail_message_id, old_value_char, new_value_char,
                    old_value_integer, new_value_integer,
                    create_uid, create_date, write_uid, write_date)
                SELECT v.field_id, m.id, v.old_char, v.new_char, v.old_int, v.new_int,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM traced m
                  JOIN ignored i ON i.id = m.res_id
                 CROSS JOIN LATERAL (VALUES %(rows)s)
                       AS v(seq, field_id, changed, old_char, new_char, old_int, new_int)
                 WHERE v.changed
                 ORDER BY m.id, v.seq
            )""",
            model=self._name,
            subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            author=author.id or None,
            email_from=email_from,
            reply_to=self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
            message_id_tail=message_id_tail,
            uid=self.env.uid,
            changed=SQL(" OR ").join(changed),
            rows=SQL(", ").join(rows),
        )


def _sql_case(column, labels, default):
    """``CASE column WHEN key THEN label ... ELSE default END`` for a small mapping."""
    whens = SQL(" ").join(SQL("WHEN %s THEN %s", key, label) for key, label in labels.items())
    return SQL("CASE %s %s ELSE %s END", column, whens, default)
