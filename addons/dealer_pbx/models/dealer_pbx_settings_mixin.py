from odoo import api, models


class DealerPbxSettingsMixin(models.AbstractModel):
    """A PBX's settings that its webhook and the assembly of its calls cache in every
    worker (``dealer.pbx._dealer_webhook_config``, ``_dealer_extension_users``,
    ``_dealer_lines``): any change clears the caches, in every worker and server
    through Odoo's cache signaling."""

    _name = "dealer.pbx.settings.mixin"
    _description = "PBX Settings Cached by the Webhook"

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
