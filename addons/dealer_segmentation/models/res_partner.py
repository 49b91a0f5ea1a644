from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_status_ids = fields.One2many("dealer.partner.status", "partner_id", string="CRM Statuses")
    crm_history_ids = fields.One2many(
        "dealer.partner.status.history", "partner_id", string="CRM Status History"
    )

    def _dealer_client_cards(self):
        """The registration screen's cards, with the client's CRM status and code in
        every direction, «Не установлен» where there is none (as the seed shows
        them: «В работе САСА», «Упущенный СССС»)."""
        cards = super()._dealer_client_cards()
        directions = self.env["dealer.direction"].search([])  # pylint: disable=no-search-all
        rows = self.env["dealer.partner.status"]._rows_for(
            {(card["id"], direction.id) for card in cards for direction in directions}
        )
        not_set = self.env._("Not set")
        for card in cards:
            card["crm"] = []
            for direction in directions:
                row = rows.get((card["id"], direction.id))
                status = row.status_id if row else self.env["dealer.crm.status"]
                card["crm"].append(
                    {
                        "direction": direction.short_name,
                        "direction_name": direction.name,
                        "status": status.name or not_set,
                        "status_short": status.short_name or "",
                        "code": (status and row.code) or "",
                        "color": status.color or 0,
                        "set": bool(status),
                    }
                )
        return cards
