from odoo import api, fields, models
from odoo.osv import expression

from ..tools import catalogue_search_domain, catalogue_search_text, merge_aliases


class FleetVehicleModel(models.Model):
    _inherit = "fleet.vehicle.model"

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
