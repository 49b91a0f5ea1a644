from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DealerVehicleOwnership(models.Model):
    """A period during which a client owned a vehicle; written when the owner changes."""

    _name = "dealer.vehicle.ownership"
    _description = "Vehicle Owner History"
    _inherit = ["dealer.checked.mixin"]
    _order = "date_start desc, id desc"

    vehicle_id = fields.Many2one("dealer.vehicle", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Owner", required=True, index=True)
    date_start = fields.Date(string="From", required=True)
    date_end = fields.Date(string="Until")

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for period in self:
            if period.date_end and period.date_end < period.date_start:
                raise ValidationError(
                    self.env._(
                        "An ownership cannot end (%(end)s) before it starts (%(start)s).",
                        start=period.date_start,
                        end=period.date_end,
                    )
                )
