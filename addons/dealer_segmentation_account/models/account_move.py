from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._dealer_segment_refresh()
        return posted

    def button_draft(self):
        # Also the first step of button_cancel for a posted invoice.
        result = super().button_draft()
        self._dealer_segment_refresh()
        return result

    def _dealer_segment_refresh(self):
        """Move the clients' CRM statuses at once in the directions that count
        journal entries, when customer invoices or credit notes are posted, reset or
        cancelled. A credit note's client is its invoice's: posting it may reverse the
        invoice. Other changes wait for the nightly run."""
        moves = self.filtered(lambda move: move.is_sale_document())
        partners = moves.partner_id | moves.reversed_entry_id.partner_id
        self.env["dealer.partner.status"]._recompute_for_documents(self._name, partners)
