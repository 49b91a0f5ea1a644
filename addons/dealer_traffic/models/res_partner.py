from odoo import api, fields, models

LOOKUP_LIMIT = 8


class ResPartner(models.Model):
    _inherit = "res.partner"

    traffic_ids = fields.One2many("dealer.traffic", "partner_id")
    traffic_count = fields.Integer(compute="_compute_traffic_count")

    def _compute_traffic_count(self):
        counts = dict(
            self.env["dealer.traffic"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.traffic_count = counts.get(partner, 0)

    @api.model
    def dealer_lookup(self, text, limit=LOOKUP_LIMIT):
        """Clients matching what an operator types on the registration screen (phone,
        name, e-mail, VIN or plate), with their cars and open tasks."""
        text = (text or "").strip()
        if len(text) < 3:
            return []
        partners = self.find_by_phone(text)
        if len(partners) < limit:
            partners |= self.search(
                [("client_search", "ilike", text), ("id", "not in", partners.ids)],
                limit=limit - len(partners),
            )
        return partners._dealer_client_cards()

    @api.model
    def dealer_lookup_card(self, partner_id):
        return self.browse(partner_id).exists()._dealer_client_cards()

    def _dealer_client_cards(self):
        """What the registration screen shows of each client: phones, cars, open tasks."""
        tasks = self.env["project.task"].search(
            [("partner_id", "in", self.ids), ("is_closed", "=", False)],
            order="create_date desc",
        )
        return [
            {
                "id": partner.id,
                "name": partner.display_name,
                "is_company": partner.is_company,
                "phones": partner.phone_ids.mapped("number"),
                "email": partner.email or "",
                "vehicles": [
                    {
                        "id": vehicle.id,
                        "name": vehicle.model_id.display_name or "",
                        "plate": vehicle.license_plate or "",
                        "vin": vehicle.vin or "",
                        "year": vehicle.year or "",
                    }
                    for vehicle in partner.vehicle_ids
                ],
                "open_tasks": [
                    {
                        "id": task.id,
                        "name": task.name,
                        "stage": task.stage_id.name or "",
                        "user": ", ".join(task.user_ids.mapped("name")),
                    }
                    for task in tasks
                    if task.partner_id == partner
                ][:5],
            }
            for partner in self
        ]

    def action_view_traffic(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_traffic.dealer_traffic_action_journal"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
