from odoo import fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    # One link between a call task and its planned contact is stored, the contact's
    # task (``dealer.campaign.contact.task_id``): a distribution inserts up to a
    # hundred thousand tasks at once, and each stored link is a foreign key checked
    # and an index written per row.
    dealer_campaign_id = fields.Many2one(
        "dealer.campaign",
        string="Campaign",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
    )
    campaign_contact_id = fields.Many2one(
        "dealer.campaign.contact",
        string="Planned Contact",
        compute="_compute_campaign_contact_id",
        search="_search_campaign_contact_id",
    )
    dealer_campaign_outcome = fields.Selection(
        related="campaign_contact_id.outcome", string="Contact Outcome"
    )

    def _compute_campaign_contact_id(self):
        Contact = self.env["dealer.campaign.contact"]
        ids = [task_id for task_id in self._origin.ids if task_id]
        contacts = (
            Contact.search([("task_id", "in", ids)])
            if ids and Contact.has_access("read")
            else Contact
        )
        by_task = {contact.task_id.id: contact for contact in contacts}
        for task in self:
            task.campaign_contact_id = by_task.get(task._origin.id, Contact)

    def _search_campaign_contact_id(self, operator, value):
        Contact = self.env["dealer.campaign.contact"]
        if operator in ("=", "!=") and not value:
            distributed = Contact._search([("task_id", "!=", False)]).subselect("task_id")
            return [("id", "not in" if operator == "=" else "in", distributed)]
        contacts = Contact._search([("id", operator, value), ("task_id", "!=", False)])
        return [("id", "in", contacts.subselect("task_id"))]

    def action_open_campaign_outcome(self):
        self.ensure_one()
        return self.campaign_contact_id.action_open_outcome()
