from odoo import api, fields, models

from ..tools import catalogue_search_text


class FleetVehicleModelBrand(models.Model):
    _name = "fleet.vehicle.model.brand"
    _inherit = ["fleet.vehicle.model.brand", "dealer.catalogue.alias.mixin"]

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
        return self._dealer_alias_domain(domain, operator, value)
