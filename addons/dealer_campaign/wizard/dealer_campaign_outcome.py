from odoo import fields, models

from ..models.dealer_campaign_contact import OUTCOMES


class DealerCampaignOutcome(models.TransientModel):
    """How a planned call ended, set by the employee who made it."""

    _name = "dealer.campaign.outcome"
    _description = "Contact Outcome"

    contact_id = fields.Many2one("dealer.campaign.contact", required=True, ondelete="cascade")
    outcome = fields.Selection(OUTCOMES, required=True, default="informed")
    comment = fields.Char()

    def action_apply(self):
        self.ensure_one()
        self.contact_id.action_set_outcome(self.outcome, self.comment)
        return {"type": "ir.actions.act_window_close"}
