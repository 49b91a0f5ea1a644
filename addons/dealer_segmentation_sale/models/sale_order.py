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
        self.env["dealer.partner.status"]._recompute_for_documents(self._name, self.partner_id)
