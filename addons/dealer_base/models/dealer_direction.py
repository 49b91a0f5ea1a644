from odoo import fields, models


class DealerDirection(models.Model):
    """A business direction of the dealership (service, sales, parts, ...).

    Statuses, contact goals, projects and reports are all split by direction.
    """

    _name = "dealer.direction"
    _description = "Dealership Direction"
    _order = "sequence, id"

    code = fields.Char(required=True, help="Technical code used by integrations and reports.")
    name = fields.Char(required=True, translate=True)
    short_name = fields.Char(
        required=True,
        translate=True,
        help="One letter or a short word used in compact codes, e.g. the client status code.",
    )
    color = fields.Integer()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A direction with this code already exists."),
    ]
