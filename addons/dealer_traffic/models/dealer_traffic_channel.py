from odoo import fields, models


class DealerTrafficChannel(models.Model):
    """How a contact reached the dealership: call, visit, internet..."""

    _name = "dealer.traffic.channel"
    _description = "Traffic Channel"
    _order = "sequence, id"

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    icon = fields.Char(default="fa-phone", help="Font Awesome icon, e.g. fa-phone.")
    can_queue = fields.Boolean(
        string="Waiting Queue", help="Contacts of this channel may wait in the queue (walk-ins)."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A channel with this code already exists."),
    ]
