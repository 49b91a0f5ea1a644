from odoo import api, fields, models

from ..tools import PHONE_NUMBER_MAX, check_text, normalize_phone, phone_digits


class DealerPartnerPhone(models.Model):
    """One phone number of a client, as typed and normalized to E.164.

    Every lookup by phone (registration, PBX caller id, imports) goes through the
    indexed ``number_normalized`` column.
    """

    _name = "dealer.partner.phone"
    _description = "Client Phone Number"
    _inherit = ["dealer.checked.mixin"]
    _order = "partner_id, sequence, id"
    _rec_name = "number"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    number = fields.Char(required=True, help="The number as it was given.")
    phone_type = fields.Selection(
        [("mobile", "Mobile"), ("home", "Home"), ("work", "Work"), ("other", "Other")],
        string="Type",
        required=True,
        default="mobile",
    )
    note = fields.Char()
    number_normalized = fields.Char(
        string="Normalized Number",
        compute="_compute_number_normalized",
        store=True,
        index=True,
        help="E.164 form used by every phone lookup; empty when the number is not valid.",
    )
    number_digits = fields.Char(
        compute="_compute_number_normalized",
        store=True,
        index="trigram",
        help="Digits of the number, for search by fragment.",
    )
    is_valid = fields.Boolean(string="Valid", compute="_compute_number_normalized", store=True)

    @api.depends("number", "partner_id.country_id")
    def _compute_number_normalized(self):
        default_country = self.env.company.country_id.code or "RU"
        for line in self:
            country = line.partner_id.country_id.code or default_country
            normalized = normalize_phone(line.number, country)
            line.number_normalized = normalized
            line.number_digits = phone_digits(normalized or line.number)
            line.is_valid = bool(normalized)

    def _check_number_vals(self, vals):
        # On top of the mixin's checks: a phone number is one short line.
        if vals.get("number"):
            check_text(
                self.env,
                vals["number"],
                self._fields["number"]._description_string(self.env),
                max_length=PHONE_NUMBER_MAX,
            )
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_number_vals(vals)
        lines = super().create(vals_list)
        lines.partner_id._sync_phone_fields()
        return lines

    def write(self, vals):
        self._check_number_vals(vals)
        partners = self.partner_id
        res = super().write(vals)
        (partners | self.partner_id)._sync_phone_fields()
        return res

    def unlink(self):
        partners = self.partner_id
        res = super().unlink()
        partners.exists()._sync_phone_fields()
        return res
