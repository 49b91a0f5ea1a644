from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_date, to_record
from odoo.exceptions import UserError, ValidationError
from odoo.tools import create_index, format_datetime

from .dealer_traffic import TASK_KINDS

FUNNEL_RANK = {"appointment": 1, "visit": 2, "deal": 3}
# An appointment may be booked for "now" from a client whose clock is a little behind.
PAST_TOLERANCE = timedelta(minutes=5)
# How long a booking lasts in the calendar when its kind does not say.
DEFAULT_VISIT_MINUTES = 60


class ProjectTask(models.Model):
    _inherit = "project.task"

    traffic_id = fields.Many2one(
        "dealer.traffic", string="Originating Contact", index="btree_not_null", copy=False
    )
    dealer_kind = fields.Selection(TASK_KINDS, string="Dealership Task Type")
    dealer_direction_id = fields.Many2one(
        "dealer.direction",
        string="Direction",
        compute="_compute_dealer_direction_id",
        store=True,
        readonly=False,
    )
    dealer_funnel_rank = fields.Integer(
        compute="_compute_dealer_funnel_rank",
        store=True,
        help="Furthest funnel step reached: 1 appointment, 2 visit, 3 deal.",
    )
    # Appointments: the booked time, the kind and the service advisor.
    dealer_visit_at = fields.Datetime(
        string="Booked For",
        tracking=True,
        copy=False,
        index="btree_not_null",
        help="When the client is booked for (an appointment), or when the vehicle visit "
        "or the deal is planned.",
    )
    dealer_visit_end = fields.Datetime(
        string="Booked Until",
        compute="_compute_dealer_visit_end",
        store=True,
        readonly=False,
        copy=False,
        help="End of the booking in the calendar: the booked time plus the duration of "
        "the appointment's kind.",
    )
    dealer_appointment_kind_id = fields.Many2one(
        "dealer.appointment.kind",
        string="Appointment Kind",
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    dealer_advisor_id = fields.Many2one(
        "res.users",
        string="Service Advisor",
        tracking=True,
        index="btree_not_null",
        domain="[('id', 'in', dealer_advisor_candidate_ids)]",
        help="The employee who receives the client: an active consultant of the branch.",
    )
    dealer_advisor_candidate_ids = fields.Many2many(
        "res.users", compute="_compute_dealer_advisor_candidate_ids"
    )

    def _auto_init(self):
        result = super()._auto_init()
        # A client's open tasks are read on every card, lookup and caller popup;
        # Odoo does not index a task's customer, and a dealer has millions of tasks.
        create_index(
            self.env.cr,
            "project_task_dealer_partner_idx",
            self._table,
            ["partner_id"],
            where="partner_id IS NOT NULL",
        )
        return result

    @api.depends("traffic_id.direction_id")
    def _compute_dealer_direction_id(self):
        for task in self.filtered("traffic_id"):
            task.dealer_direction_id = task.traffic_id.direction_id

    @api.depends("dealer_kind", "stage_id.dealer_funnel_step")
    def _compute_dealer_funnel_rank(self):
        for task in self:
            task.dealer_funnel_rank = max(
                FUNNEL_RANK.get(task.dealer_kind, 0),
                FUNNEL_RANK.get(task.stage_id.dealer_funnel_step, 0),
            )

    # --- appointments ---------------------------------------------------------------
    @api.depends("dealer_visit_at", "dealer_appointment_kind_id")
    def _compute_dealer_visit_end(self):
        for task in self:
            minutes = task.dealer_appointment_kind_id.duration_minutes or DEFAULT_VISIT_MINUTES
            task.dealer_visit_end = task.dealer_visit_at and task.dealer_visit_at + timedelta(
                minutes=minutes
            )

    @api.depends("company_id", "traffic_id.company_id")
    def _compute_dealer_advisor_candidate_ids(self):
        for task in self:
            task.dealer_advisor_candidate_ids = self._dealer_advisor_candidates(
                task._dealer_branch()
            )

    def _dealer_branch(self):
        """The branch the appointment is booked in: its contact's, else the task's."""
        self.ensure_one()
        # sudo: the originating contact may be a colleague's, hidden from the user;
        # only its branch is used, to check and offer the advisors.
        return self.traffic_id.sudo().company_id.sudo(False) or self.company_id

    @api.model
    def _dealer_advisor_candidates(self, branch):
        """Who may be booked as the service advisor in ``branch``: active internal users
        with a consultant role there (as for the responsible of a contact)."""
        consultants = self.env.ref("dealer_base.group_dealer_consultant")
        domain = [("groups_id", "in", consultants.id), ("share", "=", False)]
        if branch:
            domain.append(("company_ids", "in", branch.ids))
        # sudo: operators and consultants may not search users by group membership;
        # only the users' names are offered.
        return self.env["res.users"].sudo().search(domain).sudo(False)

    @api.model
    def _dealer_check_advisor(self, advisor, branch):
        # sudo: whoever books may not read other users' groups and branches.
        staff = advisor.sudo()
        consultant = (
            staff.active
            and not staff.share
            and staff.has_group("dealer_base.group_dealer_consultant")
        )
        if consultant and (not branch or branch in staff.company_ids):
            return
        if branch:
            message = self.env._(
                "%(user)s cannot be the service advisor of an appointment in %(branch)s: "
                "only active employees with a consultant role in that branch can.",
                user=staff.name,
                branch=branch.sudo().name,  # sudo: name the branch the task is booked in
            )
        else:
            message = self.env._(
                "%(user)s cannot be the service advisor of an appointment: only active "
                "employees with a consultant role can.",
                user=staff.name,
            )
        raise ValidationError(message)

    @api.constrains("dealer_advisor_id", "company_id", "traffic_id")
    def _check_dealer_advisor(self):
        for task in self.filtered("dealer_advisor_id"):
            task._dealer_check_advisor(task.dealer_advisor_id, task._dealer_branch())

    @api.model
    def _dealer_planning_vals(
        self, branch, direction=False, visit_at=False, appointment_kind=False, advisor=False
    ):
        """The task values booking it for ``visit_at`` (a datetime or its string form,
        UTC), of ``appointment_kind`` with ``advisor`` (records or ids) in ``branch``,
        checked: the time not in the past, the kind offered for ``direction``, the
        advisor a consultant of the branch. Empty arguments are left out."""
        vals = {}
        if visit_at:
            label = self.env._("Booked For")
            check_date(self.env, visit_at, label)
            try:
                when = fields.Datetime.to_datetime(visit_at)
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    self.env._(
                        "%(label)s is not a valid date: %(value)s.", label=label, value=visit_at
                    )
                ) from error
            if not when:
                raise ValidationError(
                    self.env._(
                        "%(label)s is not a valid date: %(value)s.", label=label, value=visit_at
                    )
                )
            if when < fields.Datetime.now() - PAST_TOLERANCE:
                raise UserError(
                    self.env._(
                        "%(time)s is in the past: book the client for a time to come.",
                        time=format_datetime(self.env, when),
                    )
                )
            vals["dealer_visit_at"] = when
        if appointment_kind:
            kind = to_record(
                self.env,
                "dealer.appointment.kind",
                appointment_kind,
                self.env._("Appointment Kind"),
            )
            if not kind.active:
                raise UserError(self.env._("The appointment kind %s is archived.", kind.name))
            if direction and kind.direction_id and kind.direction_id != direction:
                raise UserError(
                    self.env._(
                        "The appointment kind %(kind)s is not offered for %(direction)s.",
                        kind=kind.name,
                        direction=direction.name,
                    )
                )
            vals["dealer_appointment_kind_id"] = kind.id
        if advisor:
            advisor = to_record(self.env, "res.users", advisor, self.env._("Service Advisor"))
            self._dealer_check_advisor(advisor, branch)
            vals["dealer_advisor_id"] = advisor.id
        return vals

    # The deadline of a booked task is its booked time, also when it is moved later
    # (in the calendar, on the form).
    @api.model
    def _dealer_deadline_from_visit(self, vals):
        if vals.get("dealer_visit_at") and "date_deadline" not in vals:
            return {**vals, "date_deadline": vals["dealer_visit_at"]}
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._dealer_deadline_from_visit(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._dealer_deadline_from_visit(vals))

    def action_dealer_open_calendar(self):
        """The appointments calendar, on the day of this task's booking."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_traffic.project_task_action_dealer_appointments"
        )
        day = self.dealer_visit_at or fields.Datetime.now()
        action["context"] = {
            "initial_date": fields.Datetime.to_string(day),
            "search_default_dealer_appointments": self.dealer_kind in (False, "appointment"),
        }
        return action
