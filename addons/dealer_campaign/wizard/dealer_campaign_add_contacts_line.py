from odoo import fields, models
from odoo.tools import SQL


class DealerCampaignAddContactsLine(models.TransientModel):
    """The filters of one direction: CRM status and categories, last visit."""

    _name = "dealer.campaign.add.contacts.line"
    _description = "Campaign Contacts Filter by Direction"

    wizard_id = fields.Many2one("dealer.campaign.add.contacts", required=True, ondelete="cascade")
    direction_id = fields.Many2one("dealer.direction", required=True)
    status_ids = fields.Many2many("dealer.crm.status", string="CRM Status")
    amount_range_ids = fields.Many2many(
        "dealer.segmentation.range",
        "dealer_campaign_line_amount_rel",
        domain="[('direction_id', '=', direction_id), ('metric', '=', 'amount')]",
        string="Amount Category",
    )
    count_range_ids = fields.Many2many(
        "dealer.segmentation.range",
        "dealer_campaign_line_count_rel",
        domain="[('direction_id', '=', direction_id), ('metric', '=', 'count')]",
        string="Count Category",
    )
    recency_range_ids = fields.Many2many(
        "dealer.segmentation.range",
        "dealer_campaign_line_recency_rel",
        domain="[('direction_id', '=', direction_id), ('metric', '=', 'recency')]",
        string="Recency Category",
    )
    avg_check_range_ids = fields.Many2many(
        "dealer.segmentation.range",
        "dealer_campaign_line_avg_check_rel",
        domain="[('direction_id', '=', direction_id), ('metric', '=', 'avg_check')]",
        string="Average Check Category",
    )
    last_visit_after = fields.Date()
    last_visit_before = fields.Date()

    def _status_sql(self):
        """Conditions on the client's status row ``s`` of the direction."""
        conditions = []
        for fname, column in (
            ("status_ids", "status_id"),
            ("amount_range_ids", "amount_range_id"),
            ("count_range_ids", "count_range_id"),
            ("recency_range_ids", "recency_range_id"),
            ("avg_check_range_ids", "avg_check_range_id"),
        ):
            if self[fname]:
                conditions.append(SQL("%s = ANY(%s)", SQL.identifier("s", column), self[fname].ids))
        if self.last_visit_after:
            conditions.append(SQL("s.last_doc_date >= %s", self.last_visit_after))
        if self.last_visit_before:
            conditions.append(SQL("s.last_doc_date <= %s", self.last_visit_before))
        return conditions
