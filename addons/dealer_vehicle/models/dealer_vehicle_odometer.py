from odoo import fields, models


class DealerVehicleOdometer(models.Model):
    _name = "dealer.vehicle.odometer"
    _description = "Vehicle Mileage Reading"
    _order = "date desc, id desc"

    vehicle_id = fields.Many2one("dealer.vehicle", required=True, ondelete="cascade", index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    value = fields.Integer(string="Mileage, km", required=True)
    note = fields.Char()

    _sql_constraints = [
        ("value_positive", "CHECK(value >= 0)", "A mileage reading cannot be negative."),
    ]
