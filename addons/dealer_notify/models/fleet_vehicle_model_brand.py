from odoo import fields, models


class FleetVehicleModelBrand(models.Model):
    _inherit = "fleet.vehicle.model.brand"

    dealer_service_interval_months = fields.Integer(
        string="Service Interval (months)",
        default=12,
        help="A vehicle of the brand is due for service this long after its last visit.",
        aggregator=None,
    )
    dealer_service_interval_km = fields.Integer(
        string="Service Interval (km)",
        default=15000,
        help="…or after this many kilometres, estimated from its odometer readings.",
        aggregator=None,
    )

    _sql_constraints = [
        (
            "dealer_service_interval_positive",
            "CHECK(dealer_service_interval_months >= 0 AND dealer_service_interval_km >= 0)",
            "Service intervals cannot be negative.",
        )
    ]
