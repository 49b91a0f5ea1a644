from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def unlink(self):
        # The webhook caches the user of each extension (dealer.pbx's
        # _dealer_extension_users), which the database sets to null on deletion.
        self.env.registry.clear_cache()
        return super().unlink()
