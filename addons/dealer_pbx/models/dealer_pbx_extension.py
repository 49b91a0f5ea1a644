from odoo import fields, models


class DealerPbxExtension(models.Model):
    """An internal number of the PBX and the employee who answers it."""

    _name = "dealer.pbx.extension"
    _description = "PBX Extension"
    _inherit = ["dealer.checked.mixin", "dealer.pbx.settings.mixin"]
    _order = "pbx_id, number"
    _rec_name = "number"

    pbx_id = fields.Many2one("dealer.pbx", string="PBX", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="pbx_id.company_id", store=True, index=True)
    number = fields.Char(required=True, help="Internal number, e.g. 101.")
    user_id = fields.Many2one(
        "res.users", string="Employee", domain="[('share', '=', False)]", index="btree_not_null"
    )

    _sql_constraints = [
        ("number_unique", "UNIQUE(pbx_id, number)", "This extension already exists on this PBX."),
    ]
