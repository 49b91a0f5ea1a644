from odoo import api, models
from odoo.osv import expression

from ..tools import catalogue_search_domain, merge_aliases


class DealerCatalogueAliasMixin(models.AbstractModel):
    """Brands and models found by their other names (``dealer_aliases``) through a
    stored ``dealer_search_text``: every word typed beginning one of its words, in any
    order, whatever the case and «ё» or «е»."""

    _name = "dealer.catalogue.alias.mixin"
    _description = "Catalogue Entry with Other Names"

    @api.model
    def _dealer_alias_domain(self, domain, operator, value):
        """``domain``, Odoo's own search of ``value``, or the other names. Called from
        each model's ``_search_display_name``: fleet's model search does not call
        ``super()``, so a mixin override would never run for it."""
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
