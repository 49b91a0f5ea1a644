from odoo import fields, models


class DealerIgnoreReason(models.Model):
    _name = "dealer.ignore.reason"
    _description = "Traffic Ignore Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Technical code used by automatic actions (e.g. 'timeout').")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
