from odoo import api, fields, models

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

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        traffic = self.env["dealer.traffic"].browse(self.env.context.get("default_traffic_ids"))
        if traffic[:1].goal_id.task_kind:
            values["kind"] = traffic[:1].goal_id.task_kind
        return values

    def action_confirm(self):
        tasks = self.env["project.task"]
        for traffic in self.traffic_ids:
            tasks |= traffic.action_process(
                self.kind, task=self.task_id if self.mode == "attach" else False, name=self.name
            )
        if len(tasks) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": "project.task",
                "res_id": tasks.id,
                "view_mode": "form",
            }
        return {"type": "ir.actions.act_window_close"}
