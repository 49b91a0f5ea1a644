from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import create_index, format_date

STATES = [
    ("to_call", "To Call"),
    ("done", "Surveyed"),
    ("unreachable", "Unreachable"),
    ("refused", "Refused"),
]
# States the operator can still call in: an unreachable client is tried again.
OPEN_STATES = ("to_call", "unreachable")
# What the call's buttons and the survey own: not written from a form or RPC, so the
# survey figures («Follow up PS») cannot be forged. Dealer administrators may correct.
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "user_input_id",
        "complaint_id",
        "is_negative",
        "comment",
        "date_done",
        "done_user_id",
        "attempt_count",
        "notification_id",
    }
)


class DealerSurveyCall(models.Model):
    """A client to call for a survey («обзвон»): one per done service task, listed
    by the scheduled action N days after the service, or added by hand."""

    _name = "dealer.survey.call"
    _description = "Survey Call"
    _order = "date_planned desc, id desc"

    survey_id = fields.Many2one(
        "survey.survey",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('dealer_kind', '!=', False)]",
    )
    task_id = fields.Many2one(
        "project.task",
        string="Service Task",
        index="btree_not_null",
        ondelete="set null",
        help="The done service task (repair order) the client is asked about.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    vehicle_id = fields.Many2one("dealer.vehicle", ondelete="set null")
    vehicle_model_id = fields.Many2one(related="vehicle_id.model_id", string="Model")
    license_plate = fields.Char(related="vehicle_id.license_plate")
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    phone = fields.Char(
        compute="_compute_phone", store=True, readonly=False, help="The number to call."
    )
    date_service = fields.Datetime(string="Service Date", help="When the service task was done.")
    date_planned = fields.Date(
        string="Call Date", required=True, index=True, default=fields.Date.context_today
    )
    user_id = fields.Many2one(
        "res.users",
        string="Operator",
        index="btree_not_null",
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        STATES, required=True, default="to_call", index=True, readonly=True, string="Status"
    )
    attempt_count = fields.Integer(
        string="Unanswered Attempts", readonly=True, help="Calls the client did not answer."
    )
    date_done = fields.Datetime(string="Called On", readonly=True)
    done_user_id = fields.Many2one("res.users", string="Called By", readonly=True)
    user_input_id = fields.Many2one(
        "survey.user_input", string="Survey Answers", readonly=True, ondelete="set null"
    )
    complaint_id = fields.Many2one(
        "dealer.complaint", string="Appeal", readonly=True, ondelete="set null"
    )
    is_negative = fields.Boolean(
        string="Negative",
        readonly=True,
        help="The client chose a negative answer or a problem category.",
    )
    comment = fields.Text(string="Client's Comment", readonly=True)
    note = fields.Char(help="The operator's note, e.g. when to call back.")
    notification_id = fields.Many2one(
        "dealer.notification", string="Link Message", readonly=True, ondelete="set null"
    )
    delivery_state = fields.Selection(related="notification_id.state", string="Link Delivery")

    _sql_constraints = [
        (
            "survey_task_unique",
            "UNIQUE(survey_id, task_id)",
            "The client of this service task is already in the survey's call list.",
        ),
    ]

    def init(self):
        # What the daily planning looks done service tasks up by, among millions.
        create_index(
            self.env.cr,
            "project_task_dealer_done_at_idx",
            "project_task",
            ["dealer_direction_id", "(COALESCE(date_end, date_last_stage_update))"],
            where="state = '1_done' AND active",
        )

    @api.depends("partner_id")
    def _compute_phone(self):
        for call in self:
            call.phone = call.partner_id.mobile or call.partner_id.phone or False

    @api.depends("partner_id", "task_id")
    def _compute_display_name(self):
        for call in self:
            # sudo: only the task's name, as its link on the call shows it, even when
            # its project is private to its followers.
            names = (call.partner_id.name, call.task_id.sudo().name)
            call.display_name = " — ".join(name for name in names if name)

    @api.onchange("task_id")
    def _onchange_task_id(self):
        task = self.task_id
        if task:
            self.partner_id = task.partner_id
            self.vehicle_id = task.vehicle_id
            self.company_id = task.company_id or self.company_id
            self.date_service = task.date_end or task.date_last_stage_update

    @api.constrains("partner_id")
    def _check_partner_consent(self):
        for call in self:
            call._raise_without_consent(ValidationError)

    def _raise_without_consent(self, error):
        partner = self.partner_id
        if not partner.consent_phone_survey:
            raise error(
                self.env._(
                    "The client has not agreed to phone surveys.\nClient: %(client)s",
                    client=partner.display_name,
                )
            )
        if partner.do_not_call:
            raise error(
                self.env._(
                    "The client asked not to be called.\nClient: %(client)s",
                    client=partner.display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        tasks = self.env["project.task"].browse(
            [vals["task_id"] for vals in vals_list if vals.get("task_id")]
        )
        for vals in vals_list:
            task = tasks.browse(vals.get("task_id"))
            if not task:
                continue
            vals.setdefault("partner_id", task.partner_id.id)
            vals.setdefault("vehicle_id", task.vehicle_id.id)
            if task.company_id:
                vals.setdefault("company_id", task.company_id.id)
            vals.setdefault("date_service", task.date_end or task.date_last_stage_update)
        self._check_workflow_fields(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_fields([vals])
        return super().write(vals)

    def _check_workflow_fields(self, vals_list):
        if self.env.su or self.env.user.has_group("dealer_base.group_dealer_admin"):
            return
        if any(WORKFLOW_FIELDS & vals.keys() for vals in vals_list):
            raise UserError(
                self.env._(
                    "The status and the answers of a survey call change through its buttons."
                )
            )

    # --- the operator's buttons -------------------------------------------------------
    def _check_workable(self):
        """The operator works their own calls; supervisors and the complaints team
        every call they see."""
        self.check_access("write")
        user = self.env.user
        manager = user.has_group("dealer_base.group_dealer_supervisor") or user.has_group(
            "dealer_complaint.group_dealer_complaint_team"
        )
        for call in self:
            if call.user_id and call.user_id != user and not manager:
                raise UserError(
                    self.env._(
                        "The call to %(client)s is planned for %(operator)s.",
                        client=call.partner_id.display_name,
                        operator=call.user_id.name,
                    )
                )

    def _check_open(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for call in self:
            if call.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "The call to %(client)s is already closed: %(state)s.",
                        client=call.partner_id.display_name,
                        state=states[call.state],
                    )
                )

    def _survey_answer(self):
        """The client's answer of the call's survey: the one begun, or a new one."""
        self.ensure_one()
        # sudo: operators have no rights on survey answers; the call they may work
        # is the client's, and its answer is only made and read for it.
        answer = self.sudo().user_input_id
        if answer and answer.state != "done":
            return answer
        answer = self.survey_id.sudo()._create_answer(
            partner=self.partner_id, check_attempts=False, dealer_call_id=self.id
        )
        # sudo: the call's link to its answer is written by this action only.
        self.sudo().user_input_id = answer
        return answer

    def action_start_survey(self):
        """Open the client's survey in a new tab for the operator to fill in while
        talking; finishing it closes the call (and registers an appeal when the
        client is dissatisfied)."""
        self.ensure_one()
        self._check_workable()
        self._check_open()
        self._raise_without_consent(UserError)
        if not self.user_id:
            self.user_id = self.env.user
        answer = self._survey_answer()
        return {"type": "ir.actions.act_url", "url": answer.get_start_url(), "target": "new"}

    def _set_outcome(self, state, **extra):
        self._check_workable()
        self._check_open()
        now = fields.Datetime.now()
        for call in self:
            # sudo: the workflow fields are written by the call's buttons only.
            call.sudo().write(
                {"state": state, "date_done": now, "done_user_id": self.env.uid, **extra}
            )
        return True

    def action_unreachable(self):
        for call in self:
            call._set_outcome("unreachable", attempt_count=call.attempt_count + 1)
        return True

    def action_refused(self):
        return self._set_outcome("refused")

    def action_reset_to_call(self):
        """Call again: an unreachable client another day, or a refusal taken back."""
        self._check_workable()
        if any(call.state not in ("unreachable", "refused") for call in self):
            raise UserError(
                self.env._("Only unreachable or refused calls go back to the call list.")
            )
        # sudo: see _set_outcome.
        self.sudo().write({"state": "to_call", "date_done": False, "done_user_id": False})
        return True

    def action_send_link(self, channel="sms"):
        """Send the client the link to answer the survey themselves, by SMS or
        e-mail, through the message log: consent, blacklists and number checks of
        the log apply, and the delivery is shown on the call."""
        self.ensure_one()
        if channel not in ("sms", "email"):
            raise UserError(self.env._("Unknown channel: %s.", channel))
        self._check_workable()
        self._check_open()
        partner = self.partner_id
        if channel == "sms":
            if not partner.consent_sms:
                raise UserError(
                    self.env._(
                        "The client has not agreed to receive SMS.\nClient: %(client)s",
                        client=partner.display_name,
                    )
                )
            if not (partner.mobile or partner.phone):
                raise UserError(
                    self.env._(
                        "The client has no mobile number.\nClient: %(client)s",
                        client=partner.display_name,
                    )
                )
        elif not partner.consent_email:
            raise UserError(
                self.env._(
                    "The client has not agreed to receive e-mails.\nClient: %(client)s",
                    client=partner.display_name,
                )
            )
        elif not partner.email:
            raise UserError(
                self.env._(
                    "The client has no e-mail address.\nClient: %(client)s",
                    client=partner.display_name,
                )
            )
        answer = self._survey_answer()
        url = answer.get_base_url() + answer.get_start_url()
        subject, body = self.with_context(lang=partner.lang or self.env.lang)._link_message(
            channel, url
        )
        now = fields.Datetime.now()
        # sudo: the log is the system's; the operator sends to the client of their call.
        line = (
            self.env["dealer.notification"]
            .sudo()
            .create(
                {
                    "channel": channel,
                    "partner_id": partner.id,
                    "res_model": self._name,
                    "res_id": self.id,
                    "occurrence": f"survey-link-{answer.id}",
                    "company_id": self.company_id.id,
                    "due_at": now,
                    "subject": subject,
                    "body": body,
                }
            )
        )
        # sudo: see _set_outcome.
        self.sudo().notification_id = line
        line._deliver(now)
        if line.state == "skipped":
            reasons = dict(line._fields["skip_reason"]._description_selection(self.env))
            message = self.env._(
                "The link was not sent: %(reason)s.", reason=reasons.get(line.skip_reason)
            )
            kind = "warning"
        else:
            message = self.env._("The survey link is on its way to the client.")
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_send_link_email(self):
        return self.action_send_link("email")

    def _link_message(self, channel, url):
        """Subject and body of the link message, in the language of the context."""
        company = self.company_id.name
        date = self.date_service and format_date(self.env, self.date_service)
        if date:
            text = self.env._(
                "%(company)s: how was your service visit of %(date)s? Please answer a few "
                "questions:",
                company=company,
                date=date,
            )
        else:
            text = self.env._(
                "%(company)s: how was your service visit? Please answer a few questions:",
                company=company,
            )
        subject = self.env._("How was your visit to %(company)s?", company=company)
        if channel == "sms":
            return subject, f"{text} {url}"
        body = Markup('<p>%s</p><p><a href="%s">%s</a></p>') % (
            text,
            url,
            self.env._("Answer the survey"),
        )
        return subject, str(body)

    def action_open_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "dealer.complaint",
            "res_id": self.complaint_id.id,
            "views": [(False, "form")],
        }

    # --- the survey's answer ----------------------------------------------------------
    def _record_answer(self, answer, is_negative, comment):
        """The survey is done: the call is closed with its outcome."""
        self.ensure_one()
        user = self.env.user
        # sudo: called from the survey's completion — by the operator or by the
        # client's public page — and the workflow fields are written here only.
        self.sudo().write(
            {
                "state": "done",
                "user_input_id": answer.id,
                "date_done": fields.Datetime.now(),
                "done_user_id": (user.id if not user._is_public() else False),
                "is_negative": is_negative,
                "comment": comment or False,
            }
        )
