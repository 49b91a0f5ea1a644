from odoo import fields, models


class DealerTrafficReassignWizard(models.TransientModel):
    _name = "dealer.traffic.reassign.wizard"
    _inherit = ["dealer.checked.mixin"]
    _description = "Reassign Contact"

    traffic_ids = fields.Many2many("dealer.traffic", required=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", required=True, domain="[('share', '=', False)]"
    )
    comment = fields.Text()

    def action_confirm(self):
        waiting = self.traffic_ids.filtered(lambda t: t.state in ("new", "queued"))
        if waiting:
            waiting.action_assign(self.user_id)
        (self.traffic_ids - waiting).action_reassign(self.user_id, self.comment)
        return {"type": "ir.actions.act_window_close"}
