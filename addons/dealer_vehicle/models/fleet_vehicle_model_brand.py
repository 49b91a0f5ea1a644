from odoo import api, fields, models
from odoo.osv import expression

from ..tools import catalogue_search_domain, catalogue_search_text, merge_aliases


class FleetVehicleModelBrand(models.Model):
    _inherit = "fleet.vehicle.model.brand"

    dealer_aliases = fields.Char(
        string="Other Names",
        help="Other spellings of the brand, in Cyrillic for instance, separated by "
        "commas: the brand and its models are found by any of them.",
    )
    dealer_search_text = fields.Char(
        string="Catalogue Search Text", compute="_compute_dealer_search_text", store=True
    )

    @api.depends("name", "dealer_aliases")
    def _compute_dealer_search_text(self):
        for brand in self:
            brand.dealer_search_text = catalogue_search_text(brand.name, brand.dealer_aliases)

    @api.model
    def _search_display_name(self, operator, value):
        """Odoo's search, or every word typed beginning a word of the name or of
        another name of the brand, whatever the case and «ё» or «е»."""
        domain = super()._search_display_name(operator, value)
        if operator == "ilike" and isinstance(value, str):
            words = catalogue_search_domain("dealer_search_text", value)
            if words:
                domain = expression.OR([domain, expression.AND([[leaf] for leaf in words])])
        return domain

    @api.model
    def _dealer_add_aliases(self, aliases_by_xmlid):
        """Add the other names of the catalogue (``{xmlid: "name, name"}``) to those
        staff may have given, on installation and on every update."""
        for xmlid, aliases in aliases_by_xmlid.items():
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if record and record._name == self._name:
                merged = merge_aliases(record.dealer_aliases, aliases)
                if merged != record.dealer_aliases:
                    record.dealer_aliases = merged
