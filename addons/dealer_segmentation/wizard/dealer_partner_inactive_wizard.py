from odoo import fields, models


class DealerPartnerInactiveWizard(models.TransientModel):
    """Asks for the reason before a client is marked «Не активен» in a direction."""

    _name = "dealer.partner.inactive.wizard"
    _description = "Mark Client Inactive"
    _inherit = ["dealer.checked.mixin"]

    partner_id = fields.Many2one("res.partner", string="Client", required=True)
    direction_id = fields.Many2one("dealer.direction", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.env["dealer.partner.status"]._set_inactive(
            self.partner_id, self.direction_id, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
