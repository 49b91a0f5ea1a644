from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        result = super().action_confirm()
        self._dealer_segment_refresh()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._dealer_segment_refresh()
        return result

    def _dealer_segment_refresh(self):
        """Move the clients' CRM statuses at once in the directions that count sale
        orders; other changes (client, date, lines of a confirmed order) wait for the
        nightly run."""
        # sudo: the status follows the order whoever confirms or cancels it, also a
        # salesman without a dealership role; nothing is read back or shown to them.
        sources = self.env["dealer.segmentation.source"].sudo()
        directions = sources.search([("model_name", "=", self._name)]).direction_id
        if directions and self.partner_id:
            self.env["dealer.partner.status"].sudo()._recompute_partners(
                self.partner_id, directions
            )
