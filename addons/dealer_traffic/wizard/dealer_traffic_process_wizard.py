from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.dealer_traffic import TASK_KINDS


class DealerTrafficProcessWizard(models.TransientModel):
    _name = "dealer.traffic.process.wizard"
    _inherit = ["dealer.checked.mixin"]
    _description = "Process Contact"

    traffic_ids = fields.Many2many("dealer.traffic", required=True)
    partner_id = fields.Many2one(related="traffic_ids.partner_id")
    mode = fields.Selection(
        [("create", "Create a task"), ("attach", "Attach to an open task")],
        required=True,
        default="create",
    )
    kind = fields.Selection(TASK_KINDS, string="Task Type", default="appointment")
    name = fields.Char(string="Task Title")
    task_id = fields.Many2one(
        "project.task",
        string="Open Task",
        domain="[('partner_id', '=', partner_id), ('is_closed', '=', False)]",
    )
    # The booking: required for an appointment, a planned date for a visit or a deal.
    visit_at = fields.Datetime(string="Date and Time")
    direction_id = fields.Many2one(related="traffic_ids.direction_id")
    appointment_kind_id = fields.Many2one(
        "dealer.appointment.kind",
        domain="['|', ('direction_id', '=', False), ('direction_id', '=', direction_id)]",
    )
    advisor_id = fields.Many2one(
        "res.users",
        string="Service Advisor",
        domain="[('id', 'in', advisor_candidate_ids)]",
    )
    advisor_candidate_ids = fields.Many2many("res.users", compute="_compute_advisor_candidate_ids")

    @api.depends("traffic_ids")
    def _compute_advisor_candidate_ids(self):
        tasks = self.env["project.task"]
        for wizard in self:
            wizard.advisor_candidate_ids = tasks._dealer_advisor_candidates(
                wizard.traffic_ids[:1].company_id
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        traffic = self.env["dealer.traffic"].browse(self.env.context.get("default_traffic_ids"))
        if traffic[:1].goal_id.task_kind:
            values["kind"] = traffic[:1].goal_id.task_kind
        return values

    def _booking(self):
        """What the task is booked with: in an appointment the time, the kind and the
        advisor, all required; for a visit or a deal, the planned time if given."""
        if self.mode != "create":
            return {}
        if self.kind != "appointment":
            return {"visit_at": self.visit_at}
        missing = []
        if not self.visit_at:
            missing.append(self.env._("the date and time"))
        if not self.appointment_kind_id:
            missing.append(self.env._("the kind of appointment"))
        if not self.advisor_id:
            missing.append(self.env._("the service advisor"))
        if missing:
            raise UserError(
                self.env._("To book an appointment, give %(missing)s.", missing=", ".join(missing))
            )
        return {
            "visit_at": self.visit_at,
            "appointment_kind": self.appointment_kind_id,
            "advisor": self.advisor_id,
        }

    def action_confirm(self):
        tasks = self.env["project.task"]
        booking = self._booking()
        for traffic in self.traffic_ids:
            tasks |= traffic.action_process(
                self.kind,
                task=self.task_id if self.mode == "attach" else False,
                name=self.name,
                **booking,
            )
        if len(tasks) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "project.task",
                "res_id": tasks.id,
                "view_mode": "form",
            }
        return {"type": "ir.actions.act_window_close"}
