from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

from ..tools import normalize_plate, normalize_vin
from .dealer_vehicle import FRAGMENT_MIN_LENGTH


class ResPartner(models.Model):
    _inherit = "res.partner"

    vehicle_ids = fields.One2many("dealer.vehicle", "owner_id", string="Vehicles")
    vehicle_count = fields.Integer(compute="_compute_vehicle_count")
    customer_vehicle_ids = fields.One2many(
        "dealer.vehicle", "customer_id", string="Vehicles as Customer"
    )
    trusted_vehicle_ids = fields.One2many(
        "dealer.vehicle", "trusted_person_id", string="Vehicles as Trusted Person"
    )
    # The cars the client does not own but buys or drives for their owner: on the
    # card next to their own, so that it lists every car the button counts.
    party_vehicle_ids = fields.Many2many(
        "dealer.vehicle",
        compute="_compute_party_vehicle_ids",
        string="Vehicles as Customer or Trusted Person",
    )

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

    @api.depends("vehicle_ids", "customer_vehicle_ids", "trusted_vehicle_ids")
    def _compute_party_vehicle_ids(self):
        for partner in self:
            partner.party_vehicle_ids = (
                partner.customer_vehicle_ids | partner.trusted_vehicle_ids
            ) - partner.vehicle_ids

    @api.model
    def _client_search_queries(self, value):
        queries = super()._client_search_queries(value)
        vin = normalize_vin(value)
        if vin and len(vin) >= FRAGMENT_MIN_LENGTH:
            self.env["dealer.vehicle"].flush_model(
                [
                    "vin",
                    "plate_normalized",
                    "active",
                    "owner_id",
                    "customer_id",
                    "trusted_person_id",
                ]
            )
            # The client in any role on the vehicle; the client's own record rules
            # still apply to the search this query is part of.
            queries.append(
                SQL(
                    """
                    SELECT party.id
                      FROM dealer_vehicle vehicle,
                           unnest(ARRAY[vehicle.owner_id, vehicle.customer_id,
                                        vehicle.trusted_person_id]) AS party(id)
                     WHERE vehicle.active
                       AND vehicle.company_id IN %s
                       AND (vehicle.vin LIKE %s OR vehicle.plate_normalized LIKE %s)
                       AND party.id IS NOT NULL
                    """,
                    tuple(self.env.companies.ids),
                    f"%{escape_psql(vin)}%",
                    f"%{escape_psql(normalize_plate(value))}%",
                )
            )
        return queries

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
