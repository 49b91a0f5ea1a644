from odoo import api, fields, models


class DealerTrafficProcessWizard(models.TransientModel):
    _inherit = "dealer.traffic.process.wizard"

    mode = fields.Selection(
        selection_add=[("complaint", "Register an appeal")],
        ondelete={"complaint": "set default"},
    )
    # The same choice without the appeal, for the contacts of other directions.
    task_mode = fields.Selection(
        [("create", "Create a task"), ("attach", "Attach to an open task")],
        compute="_compute_task_mode",
        readonly=False,
    )
    is_feedback = fields.Boolean(compute="_compute_is_feedback")
    complaint_type_id = fields.Many2one(
        "dealer.complaint.type",
        string="Appeal Type",
        default=lambda self: self.env.ref(
            "dealer_complaint.type_complaint", raise_if_not_found=False
        ),
    )
    complaint_reason_id = fields.Many2one("dealer.complaint.reason", string="Appeal Reason")

    @api.depends("traffic_ids.direction_id")
    def _compute_is_feedback(self):
        feedback = self.env.ref("dealer_base.direction_feedback")
        for wizard in self:
            wizard.is_feedback = bool(wizard.traffic_ids) and all(
                traffic.direction_id == feedback for traffic in wizard.traffic_ids
            )

    @api.depends("mode")
    def _compute_task_mode(self):
        for wizard in self:
            wizard.task_mode = "attach" if wizard.mode == "attach" else "create"

    @api.onchange("task_mode")
    def _onchange_task_mode(self):
        if not self.is_feedback:
            self.mode = self.task_mode

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        traffic = self.env["dealer.traffic"].browse(self.env.context.get("default_traffic_ids"))
        feedback = self.env.ref("dealer_base.direction_feedback")
        if "mode" in fields_list and traffic and all(t.direction_id == feedback for t in traffic):
            values["mode"] = "complaint"
        return values

    def action_confirm(self):
        if self.mode != "complaint":
            return super().action_confirm()
        complaints = self.traffic_ids.action_register_complaint(
            {"type_id": self.complaint_type_id.id, "reason_id": self.complaint_reason_id.id}
        )
        if len(complaints) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "dealer.complaint",
                "res_id": complaints.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {"type": "ir.actions.act_window_close"}
