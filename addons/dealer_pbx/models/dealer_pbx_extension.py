from odoo import api, fields, models


class DealerPbxExtension(models.Model):
    """An internal number of the PBX and the employee who answers it."""

    _name = "dealer.pbx.extension"
    _description = "PBX Extension"
    _inherit = ["dealer.checked.mixin"]
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

    # The webhook caches its PBX's extensions (dealer.pbx._dealer_webhook_config,
    # _dealer_extension_users).
    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
