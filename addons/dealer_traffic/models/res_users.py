from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    dealer_presence = fields.Selection(
        [("available", "Available"), ("busy", "Busy"), ("away", "Away")],
        string="Availability",
        default="available",
        help="Shown to operators choosing whom to route a contact to.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "dealer_presence"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "dealer_presence"]
