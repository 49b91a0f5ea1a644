from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    dealer_direction_ids = fields.Many2many(
        "dealer.direction",
        "dealer_direction_res_users_rel",
        "user_id",
        "direction_id",
        string="Directions",
        help="Directions this employee works in: the registration screen offers them "
        "as responsible for contacts of these directions only. Leave empty for every "
        "direction (administrators: for none).",
    )

    def _dealer_works_in(self, direction):
        """The employee works in ``direction``: it is among their directions, or they
        have none and administer neither the dealership nor Odoo."""
        self.ensure_one()
        if self.dealer_direction_ids:
            return direction in self.dealer_direction_ids
        return not (
            self.has_group("dealer_base.group_dealer_admin") or self.has_group("base.group_system")
        )
