from odoo import api, fields, models


class DealerTraffic(models.Model):
    _inherit = "dealer.traffic"

    dealer_crm_label = fields.Char(string="CRM Status", compute="_compute_dealer_crm")
    dealer_crm_color = fields.Integer(string="CRM Status Colour", compute="_compute_dealer_crm")
    dealer_crm_status = fields.Char(string="CRM Status Code", compute="_compute_dealer_crm")

    @api.depends("partner_id", "direction_id")
    def _compute_dealer_crm(self):
        keys = {(t.partner_id.id, t.direction_id.id) for t in self if t.partner_id}
        rows = self.env["dealer.partner.status"]._rows_for(keys)
        for traffic in self:
            row = rows.get((traffic.partner_id.id, traffic.direction_id.id))
            traffic.dealer_crm_label = row.display_name if row else False
            traffic.dealer_crm_color = row.status_color if row else 0
            traffic.dealer_crm_status = row.status_id.code if row else False

    # A registered contact moves the client at once («Потенциальный»).
    def action_register(self):
        result = super().action_register()
        self._dealer_segment_refresh()
        return result

    def action_transfer(self):
        result = super().action_transfer()
        self._dealer_segment_refresh()
        return result

    def action_queue(self):
        result = super().action_queue()
        self._dealer_segment_refresh()
        return result

    def _dealer_segment_refresh(self):
        if self.partner_id:
            self.env["dealer.partner.status"]._recompute_partners(
                self.partner_id, self.direction_id
            )
