from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    complaint_ids = fields.One2many("dealer.complaint", "partner_id", string="Appeals")
    complaint_count = fields.Integer(string="Appeal Count", compute="_compute_complaint_count")

    @api.depends_context("uid")
    def _compute_complaint_count(self):
        if not self.env["dealer.complaint"].has_access("read"):
            self.complaint_count = 0
            return
        counts = dict(
            self.env["dealer.complaint"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.complaint_count = counts.get(partner, 0)

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_complaint.action_dealer_complaint"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
