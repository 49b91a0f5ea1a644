from odoo import fields, models


class DealerTraffic(models.Model):
    _inherit = "dealer.traffic"

    dealer_utm_campaign_id = fields.Many2one(
        "utm.campaign",
        string="Promotion",
        index="btree_not_null",
        help="The campaign this contact came from.",
    )
