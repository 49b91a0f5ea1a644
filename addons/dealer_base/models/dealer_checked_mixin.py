from odoo import api, models

from ..tools import check_vals


class DealerCheckedMixin(models.AbstractModel):
    """Refuses with a clear, translated error what the client sends that the
    database would reject with a traceback: control characters in text, dates
    outside 1900–2100, values of the wrong type. Every model of the suite that
    staff or integrators write to inherits it."""

    _name = "dealer.checked.mixin"
    _description = "Checked Client Input"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_vals(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_vals(self, vals)
        return super().write(vals)
