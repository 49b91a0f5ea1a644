from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone


class DealerPbxLine(models.Model):
    """A company number of the PBX: calls dialled to it belong to its direction and
    came from its information source (one number per advertising channel)."""

    _name = "dealer.pbx.line"
    _description = "PBX Line"
    _inherit = ["dealer.checked.mixin", "dealer.pbx.settings.mixin"]
    _order = "pbx_id, sequence, id"
    _rec_name = "number"

    pbx_id = fields.Many2one("dealer.pbx", string="PBX", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="pbx_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description", help="E.g. «Сервис — сайт», «Отдел продаж — Авито».")
    number = fields.Char(required=True, help="The company number dialled, in any format.")
    number_normalized = fields.Char(
        compute="_compute_number_normalized", store=True, index="btree_not_null"
    )
    direction_id = fields.Many2one("dealer.direction", help="Direction of the calls to this line.")
    source_id = fields.Many2one(
        "utm.source", string="Information Source", help="Where callers found this number."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Callback Responsible",
        domain="[('share', '=', False)]",
        help="Gets the callback task of every call to this line nobody answered.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "number_unique",
            "UNIQUE(pbx_id, number_normalized)",
            "This number is already a line of this PBX.",
        ),
    ]

    @api.depends("number", "pbx_id.company_id")
    def _compute_number_normalized(self):
        for line in self:
            country = line.pbx_id._country_code() if line.pbx_id else "RU"
            line.number_normalized = normalize_phone(line.number, country) or (
                (line.number or "").strip() or False
            )

    @api.depends("number", "name")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.number} ({line.name})" if line.name else (line.number or "")
