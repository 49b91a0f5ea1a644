from odoo import fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    campaign_contact_id = fields.Many2one(
        "dealer.campaign.contact", string="Planned Contact", index="btree_not_null", copy=False
    )
    dealer_campaign_id = fields.Many2one(
        related="campaign_contact_id.campaign_id",
        store=True,
        string="Campaign",
        index="btree_not_null",
    )
    dealer_campaign_outcome = fields.Selection(
        related="campaign_contact_id.outcome", string="Contact Outcome"
    )

    def action_open_campaign_outcome(self):
        self.ensure_one()
        return self.campaign_contact_id.action_open_outcome()
