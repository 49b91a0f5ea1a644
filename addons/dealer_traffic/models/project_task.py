import ast
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_date, check_text, to_record
from odoo.addons.project.models.project_task import CLOSED_STATES
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, create_index, format_datetime, plaintext2html
from odoo.tools.sql import column_exists

from .dealer_traffic import TASK_KINDS

FUNNEL_RANK = {"appointment": 1, "visit": 2, "deal": 3}
# An appointment may be booked for "now" from a client whose clock is a little behind.
PAST_TOLERANCE = timedelta(minutes=5)
# How long a booking lasts in the calendar when its kind does not say.
DEFAULT_VISIT_MINUTES = 60
DONE = "1_done"
# Horizons searched in days: a century either way.
MAX_DUE_DAYS = 36600
# A supervisor's confirmation of a done task: only the confirm and return actions
# write these (dealer administrators may correct them).
CONFIRMATION_FIELDS = frozenset(
    {"dealer_confirmed", "dealer_confirmed_user_id", "dealer_confirmed_date"}
)
# Marks writes made by the confirm and return actions; no JSON-RPC caller can send it.
_CONFIRMATION = object()


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
    # Task control: the work list, the overdue tasks and the supervisor's confirmation.
    dealer_goal_id = fields.Many2one(related="traffic_id.goal_id", string="Contact Goal")
    dealer_partner_phone = fields.Char(
        string="Client Phone", compute="_compute_dealer_partner_phone"
    )
    dealer_is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_dealer_is_overdue",
        search="_search_dealer_is_overdue",
        help="The deadline has passed and the task is still open.",
    )
    dealer_due_in_days = fields.Integer(
        string="Due In (days)",
        compute="_compute_dealer_due_in_days",
        search="_search_dealer_due_in_days",
        aggregator=None,
        help="Days from today to the deadline's day, in the user's time zone: 0 due "
        "today, negative overdue.",
    )
    dealer_confirmed = fields.Boolean(
        string="Confirmed",
        readonly=True,
        copy=False,
        tracking=True,
        help="A supervisor has checked the done task. Set by the Confirm button; "
        "cleared when the task is reopened or returned to work.",
    )
    dealer_confirmed_user_id = fields.Many2one(
        "res.users", string="Confirmed By", readonly=True, copy=False
    )
    dealer_confirmed_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)

    def _auto_init(self):
        cr = self.env.cr
        new_confirmation = not column_exists(cr, self._table, "dealer_confirmed")
        result = super()._auto_init()
        if new_confirmation:
            # Tasks closed before task control existed are not waiting for anybody:
            # only tasks done from now on are listed to be confirmed.
            cr.execute(
                SQL(
                    "UPDATE project_task SET dealer_confirmed = TRUE WHERE state = %s",
                    DONE,
                )
            )
        # The supervisors' list of done tasks to confirm; the predicate is the one
        # the ORM writes for "not confirmed", so that the planner can use the index.
        create_index(
            cr,
            "project_task_dealer_unconfirmed_idx",
            self._table,
            ["date_last_stage_update"],
            where="state = '1_done' AND (dealer_confirmed IS NULL OR dealer_confirmed = FALSE)",
        )
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

    @api.depends("traffic_id.direction_id", "project_id")
    def _compute_dealer_direction_id(self):
        """The contact's direction, else the direction whose project the task is in
        (tasks created by hand in a direction's project are dealership tasks too);
        otherwise the direction given is kept."""
        by_project = self._dealer_project_directions()
        for task in self:
            if task.traffic_id:
                task.dealer_direction_id = task.traffic_id.direction_id
            elif task.project_id in by_project:
                task.dealer_direction_id = by_project[task.project_id]

    def _dealer_project_directions(self):
        projects = self.project_id
        if not projects:
            return {}
        # sudo: directions are configuration; whoever creates a task in a project
        # (a portal user of a shared project too) gets its direction.
        directions = (
            self.env["dealer.direction"]
            .sudo()
            .search([("project_id", "in", projects.ids)], order="sequence desc, id desc")
        )
        # The first direction by sequence wins when several share a project.
        return {direction.project_id.sudo(False): direction.sudo(False) for direction in directions}

    @api.depends("dealer_kind", "stage_id.dealer_funnel_step")
    def _compute_dealer_funnel_rank(self):
        for task in self:
            task.dealer_funnel_rank = max(
                FUNNEL_RANK.get(task.dealer_kind, 0),
                FUNNEL_RANK.get(task.stage_id.dealer_funnel_step, 0),
            )

    # --- task control: work list, overdue tasks --------------------------------------
    @api.depends("partner_id.mobile", "partner_id.phone")
    def _compute_dealer_partner_phone(self):
        for task in self:
            task.dealer_partner_phone = task.partner_id.mobile or task.partner_id.phone

    @api.depends("date_deadline", "state")
    def _compute_dealer_is_overdue(self):
        now = fields.Datetime.now()
        for task in self:
            task.dealer_is_overdue = bool(
                task.date_deadline and task.date_deadline < now and task.state not in CLOSED_STATES
            )

    def _search_dealer_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            self._dealer_refuse_search("dealer_is_overdue", operator, value)
        now = fields.Datetime.now()
        if (operator == "=") == value:
            return [("date_deadline", "<", now), ("state", "not in", list(CLOSED_STATES))]
        return [
            "|",
            "|",
            ("date_deadline", "=", False),
            ("date_deadline", ">=", now),
            ("state", "in", list(CLOSED_STATES)),
        ]

    def _dealer_refuse_search(self, fname, operator, value):
        raise UserError(
            self.env._(
                "Searching %(field)s with %(operator)s %(value)s is not supported.",
                field=self._fields[fname]._description_string(self.env),
                operator=operator,
                value=value,
            )
        )

    @api.model
    def _dealer_tz(self):
        name = self.env.context.get("tz") or self.env.user.tz
        try:
            return pytz.timezone(name or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.UTC

    @api.model
    def _dealer_local_today(self):
        return pytz.UTC.localize(fields.Datetime.now()).astimezone(self._dealer_tz()).date()

    @api.model
    def _dealer_day_start(self, day):
        """The first moment of ``day`` in the user's time zone, as naive UTC."""
        local = self._dealer_tz().localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.UTC).replace(tzinfo=None)

    @api.depends("date_deadline")
    @api.depends_context("tz", "uid")
    def _compute_dealer_due_in_days(self):
        tz = self._dealer_tz()
        today = self._dealer_local_today()
        for task in self:
            deadline = task.date_deadline
            task.dealer_due_in_days = (
                (pytz.UTC.localize(deadline).astimezone(tz).date() - today).days if deadline else 0
            )

    def _search_dealer_due_in_days(self, operator, value):
        """Tasks due within a number of days (the horizon of the work list): the days
        are the user's, from the start of today; tasks without a deadline never match
        a number of days."""
        if value is False and operator in ("=", "!="):
            return [("date_deadline", operator, False)]
        if (
            operator not in ("<", "<=", ">", ">=", "=", "!=")
            or not isinstance(value, int)
            or isinstance(value, bool)
            or abs(value) > MAX_DUE_DAYS
        ):
            self._dealer_refuse_search("dealer_due_in_days", operator, value)
        today = self._dealer_local_today()
        first = self._dealer_day_start(today + timedelta(days=value))
        after = self._dealer_day_start(today + timedelta(days=value + 1))
        day = ["&", ("date_deadline", ">=", first), ("date_deadline", "<", after)]
        return {
            "<": [("date_deadline", "<", first)],
            "<=": [("date_deadline", "<", after)],
            ">": [("date_deadline", ">=", after)],
            ">=": [("date_deadline", ">=", first)],
            "=": day,
            "!=": ["|", ("date_deadline", "=", False), "!", *day],
        }[operator]

    @api.model
    def _dealer_control_scope(self):
        """What the task control screens show: a consultant, the tasks assigned to
        them (as they see their own contacts); a supervisor, the tasks of their
        branches, which the branch rules of tasks already restrict."""
        if self.env.su or self.env.user.has_group("dealer_base.group_dealer_supervisor"):
            return []
        return [("user_ids", "in", self.env.uid)]

    @api.model
    def _dealer_control_action(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        domain = ast.literal_eval(action.get("domain") or "[]")
        action["domain"] = expression.AND([domain, self._dealer_control_scope()])
        return action

    @api.model
    def action_dealer_work_list(self):
        """My work list: the open dealership tasks, nearest deadline first."""
        return self._dealer_control_action("dealer_traffic.project_task_action_dealer_work_list")

    @api.model
    def action_dealer_unconfirmed(self):
        """Done tasks waiting for a supervisor to confirm them or return them to work."""
        return self._dealer_control_action("dealer_traffic.project_task_action_dealer_unconfirmed")

    @api.model
    def action_dealer_overdue(self):
        """Open dealership tasks past their deadline, by employee."""
        return self._dealer_control_action("dealer_traffic.project_task_action_dealer_overdue")

    # --- task control: a supervisor confirms done tasks or returns them ---------------
    def _dealer_confirmation(self):
        return self.with_context(dealer_confirmation=_CONFIRMATION)

    def _dealer_check_confirmation_fields(self, names):
        if not names or self.env.context.get("dealer_confirmation") is _CONFIRMATION:
            return
        if self.env.su or self.env.user.has_group("dealer_base.group_dealer_admin"):
            return
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise UserError(
            self.env._(
                "%(fields)s of a task are set when a supervisor confirms it, not edited directly.",
                fields=", ".join(labels),
            )
        )

    def _dealer_check_supervisor(self, message):
        """The current user supervises the branches of all these tasks; ``message``
        refuses anybody else."""
        user = self.env.user
        if self.env.su or user.has_group("dealer_base.group_dealer_admin"):
            return
        if not user.has_group("dealer_base.group_dealer_supervisor"):
            raise AccessError(message)
        for task in self:
            branch = task._dealer_branch()
            if branch and branch not in user.company_ids:
                raise AccessError(
                    self.env._(
                        "%(task)s is a task of %(branch)s: only a supervisor of that branch "
                        "can confirm it or return it to work.",
                        task=task.display_name,
                        branch=branch.sudo().name,  # sudo: name the task's branch
                    )
                )

    def _dealer_check_done(self):
        for task in self:
            if task.state != DONE:
                raise UserError(
                    self.env._(
                        "%s is not done: only done tasks are confirmed or returned to work.",
                        task.display_name,
                    )
                )

    def action_dealer_confirm(self):
        """A supervisor accepts the done tasks."""
        self._dealer_check_supervisor(
            self.env._("Only a supervisor can confirm that a task is done.")
        )
        self._dealer_check_done()
        for task in self.filtered("dealer_confirmed"):
            raise UserError(
                self.env._(
                    "%(task)s is already confirmed by %(user)s.",
                    task=task.display_name,
                    user=task.dealer_confirmed_user_id.name,
                )
            )
        self._dealer_confirmation().write(
            {
                "dealer_confirmed": True,
                "dealer_confirmed_user_id": self.env.uid,
                "dealer_confirmed_date": fields.Datetime.now(),
            }
        )
        return True

    def action_dealer_return(self, comment):
        """A supervisor sends the done tasks back to work, saying why: the assignees
        are notified with the comment."""
        message = self.env._("Only a supervisor can return a done task to work.")
        self._dealer_check_supervisor(message)
        comment = check_text(self.env, comment, self.env._("Comment"), multiline=True)
        if not comment or not comment.strip():
            raise UserError(self.env._("Say why the task goes back to work: write a comment."))
        self._dealer_check_done()
        # The reopening write clears the confirmation (see write).
        self._dealer_confirmation().write({"state": "01_in_progress"})
        body = Markup("<p>%s</p>%s") % (
            self.env._("Returned to work by %s:", self.env.user.name),
            plaintext2html(comment),
        )
        for task in self:
            task.message_post(
                body=body,
                partner_ids=task.user_ids.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_dealer_open_return(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return to Work"),
            "res_model": "dealer.task.return.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_task_ids": self.ids},
        }

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

    @api.model
    def _dealer_vals_from_contact(self, vals):
        """A task made from a contact is in the contact's branch (the directions'
        projects are shared by the branches) and, unless booked for a time, is due
        the goal's number of days from now."""
        if not vals.get("traffic_id"):
            return vals
        # sudo: the task's author processed the contact; only its branch and its
        # goal's deadline are read.
        traffic = self.env["dealer.traffic"].sudo().browse(vals["traffic_id"])
        vals = dict(vals)
        project = self.env["project.project"].browse(
            vals.get("project_id") or self.env.context.get("default_project_id")
        )
        if "company_id" not in vals and not project.company_id and traffic.company_id:
            vals["company_id"] = traffic.company_id.id
        days = traffic.goal_id.task_deadline_days
        if "date_deadline" not in vals and days:
            vals["date_deadline"] = fields.Datetime.now().replace(microsecond=0) + timedelta(
                days=days
            )
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            self._dealer_vals_from_contact(self._dealer_deadline_from_visit(vals))
            for vals in vals_list
        ]
        for vals in vals_list:
            self._dealer_check_confirmation_fields(
                {name for name in CONFIRMATION_FIELDS & set(vals) if vals[name]}
            )
        return super().create(vals_list)

    def write(self, vals):
        self._dealer_check_confirmation_fields(CONFIRMATION_FIELDS & set(vals))
        vals = self._dealer_deadline_from_visit(vals)
        # A task reopened (by its assignee, or returned by a supervisor) is no longer
        # confirmed: it is confirmed again once done again.
        if vals.get("state", DONE) != DONE and any(self.mapped("dealer_confirmed")):
            vals = {
                **vals,
                "dealer_confirmed": False,
                "dealer_confirmed_user_id": False,
                "dealer_confirmed_date": False,
            }
        return super().write(vals)

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
