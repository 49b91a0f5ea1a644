from odoo import fields, models


class DealerVehicleOwnership(models.Model):
    """A period during which a client owned a vehicle; written when the owner changes."""

    _name = "dealer.vehicle.ownership"
    _description = "Vehicle Owner History"
    _order = "date_start desc, id desc"

    vehicle_id = fields.Many2one("dealer.vehicle", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Owner", required=True, index=True)
    date_start = fields.Date(string="From", required=True)
    date_end = fields.Date(string="Until")
