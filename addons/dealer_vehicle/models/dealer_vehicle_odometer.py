from odoo import api, fields, models
from odoo.exceptions import ValidationError

# No car reaches it; a larger figure is a typo (an extra zero, a VIN in the wrong box).
MILEAGE_MAX = 2_000_000


def check_mileage(env, value):
    """``value`` as a mileage in km: a whole number from 0 to ``MILEAGE_MAX``
    (``False``/``None`` for none)."""
    if value is None or value is False:
        return value
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= MILEAGE_MAX  # also false for NaN
    ):
        maximum = f"{MILEAGE_MAX:,}".replace(",", " ")
        raise ValidationError(
            env._(
                "A mileage must be a number of km from 0 to %(max)s, not %(value)s.",
                max=maximum,
                value=value,
            )
        )
    return value


class DealerVehicleOdometer(models.Model):
    _name = "dealer.vehicle.odometer"
    _description = "Vehicle Mileage Reading"
    _inherit = ["dealer.checked.mixin"]
    _order = "date desc, id desc"

    vehicle_id = fields.Many2one("dealer.vehicle", required=True, ondelete="cascade", index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    value = fields.Integer(string="Mileage, km", required=True)
    note = fields.Char()

    _sql_constraints = [
        ("value_positive", "CHECK(value >= 0)", "A mileage reading cannot be negative."),
    ]

    # Checked before the database sees the values: its constraint would only give
    # a traceback for a negative value, and none for an absurd one.
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_mileage(self.env, vals.get("value"))
        return super().create(vals_list)

    def write(self, vals):
        check_mileage(self.env, vals.get("value"))
        return super().write(vals)

    @api.constrains("value")
    def _check_value(self):
        for reading in self:
            check_mileage(self.env, reading.value)
