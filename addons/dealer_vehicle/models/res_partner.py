from odoo import api, fields, models
from odoo.osv import expression


class ResPartner(models.Model):
    _inherit = "res.partner"

    vehicle_ids = fields.One2many("dealer.vehicle", "owner_id", string="Vehicles")
    customer_vehicle_ids = fields.One2many("dealer.vehicle", "customer_id")
    trusted_vehicle_ids = fields.One2many("dealer.vehicle", "trusted_person_id")
    vehicle_count = fields.Integer(compute="_compute_vehicle_count")

    def _vehicle_domain(self):
        return [
            "|",
            "|",
            ("owner_id", "in", self.ids),
            ("customer_id", "in", self.ids),
            ("trusted_person_id", "in", self.ids),
        ]

    def _compute_vehicle_count(self):
        vehicles = self.env["dealer.vehicle"].search_fetch(
            self._vehicle_domain(), ["owner_id", "customer_id", "trusted_person_id"]
        )
        for partner in self:
            partner.vehicle_count = len(vehicles.filtered(lambda v, p=partner: p in v._parties()))

    @api.model
    def _client_search_domain(self, value):
        vehicle_domain = self.env["dealer.vehicle"]._vehicle_search_domain(value)
        if vehicle_domain == expression.FALSE_DOMAIN:
            return super()._client_search_domain(value)
        return expression.OR(
            [
                super()._client_search_domain(value),
                [("vehicle_ids", "any", vehicle_domain)],
                [("customer_vehicle_ids", "any", vehicle_domain)],
                [("trusted_vehicle_ids", "any", vehicle_domain)],
            ]
        )

    def action_view_vehicles(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vehicles"),
            "res_model": "dealer.vehicle",
            "view_mode": "list,kanban,form",
            "domain": self._vehicle_domain(),
            "context": {"default_owner_id": self.id},
        }
