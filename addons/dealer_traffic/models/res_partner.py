from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_id, check_limit, check_search

LOOKUP_LIMIT = 8
LOOKUP_LIMIT_MAX = 50


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
        name, e-mail, VIN or plate), with their cars and open tasks. Text shorter
        than 3 characters finds nothing; a value that is not text, control
        characters, or a ``limit`` that is not a whole number up to 50 (no limit:
        8), are refused with a clear error."""
        text = check_search(self.env, text, self.env._("Search text"))
        limit = check_limit(self.env, limit, LOOKUP_LIMIT_MAX) or LOOKUP_LIMIT
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
        """The card of the client ``partner_id`` (a record id), as a one-element
        list; empty when the client no longer exists."""
        partner_id = check_id(self.env, partner_id, self.env._("Client"))
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
