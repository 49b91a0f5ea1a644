from odoo import fields, models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "dealer.complaint.link.mixin"]
    _complaint_field = "partner_id"

    complaint_ids = fields.One2many("dealer.complaint", "partner_id", string="Appeals")

    def action_view_complaints(self):
        return self._complaint_action({"default_partner_id": self.id})
