from odoo import api, fields, models

from ..tools import catalogue_search_text


class FleetVehicleModel(models.Model):
    _name = "fleet.vehicle.model"
    _inherit = ["fleet.vehicle.model", "dealer.catalogue.alias.mixin"]

    dealer_aliases = fields.Char(
        string="Other Names",
        help="Other spellings of the model, in Cyrillic for instance, separated by "
        "commas: the model is found by any of them, alone or after its brand.",
    )
    dealer_search_text = fields.Char(
        string="Catalogue Search Text", compute="_compute_dealer_search_text", store=True
    )

    @api.depends("name", "dealer_aliases", "brand_id.name", "brand_id.dealer_aliases")
    def _compute_dealer_search_text(self):
        for model in self:
            model.dealer_search_text = catalogue_search_text(
                model.name, model.dealer_aliases, model.brand_id.name, model.brand_id.dealer_aliases
            )

    @api.model
    def _search_display_name(self, operator, value):
        """Odoo's search, or every word typed beginning a word of the model's or
        its brand's names, in any order: «Киа Рио», «рио», «Лада Вёста»."""
        domain = super()._search_display_name(operator, value)
        return self._dealer_alias_domain(domain, operator, value)
