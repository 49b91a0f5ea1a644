from odoo import fields, models


class DealerTrafficIgnoreWizard(models.TransientModel):
    _name = "dealer.traffic.ignore.wizard"
    _inherit = ["dealer.checked.mixin"]
    _description = "Ignore Contact"

    traffic_ids = fields.Many2many("dealer.traffic", required=True)
    reason_id = fields.Many2one("dealer.ignore.reason", required=True)
    comment = fields.Text()

    def action_confirm(self):
        self.traffic_ids.action_ignore(self.reason_id, self.comment)
        return {"type": "ir.actions.act_window_close"}
