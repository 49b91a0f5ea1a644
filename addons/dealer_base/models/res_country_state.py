from odoo import api, fields, models


class ResCountryState(models.Model):
    """Regions found by their Russian name too, in any language of the interface;
    users working in Russian see that name."""

    _inherit = "res.country.state"
    _rec_names_search = ["name", "code", "dealer_name_ru"]

    dealer_name_ru = fields.Char(
        string="Russian Name",
        help="The region's name in Russian: it is found by it and shown by it to users "
        "working in Russian.",
    )

    @api.depends("country_id", "dealer_name_ru")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # Odoo's "Name (CODE)", with the Russian name for users working in Russian.
        russian = (self.env.lang or "").startswith("ru")
        for state in self:
            name = (russian and state.dealer_name_ru) or state.name
            state.display_name = f"{name} ({state.country_id.code})"
