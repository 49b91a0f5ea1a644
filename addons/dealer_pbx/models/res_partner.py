from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    pbx_call_ids = fields.One2many("dealer.pbx.call", "partner_id", string="Calls")
    pbx_call_count = fields.Integer(string="Call Count", compute="_compute_pbx_call_count")

    def _compute_pbx_call_count(self):
        counts = dict(
            self.env["dealer.pbx.call"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.pbx_call_count = counts.get(partner, 0)
