from odoo import fields, models

ROLES = [
    ("ignore", "Ignore"),
    ("name", "Client Name"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("vin", "VIN"),
    ("plate", "License Plate"),
    ("note", "Note"),
]


class DealerCampaignAddContactsColumn(models.TransientModel):
    """A column of the Excel sheet and what it holds, as found by its header and
    corrected by the user."""

    _name = "dealer.campaign.add.contacts.column"
    _description = "Excel Column Mapping"
    _order = "index"

    wizard_id = fields.Many2one("dealer.campaign.add.contacts", required=True, ondelete="cascade")
    index = fields.Integer(string="Column", required=True)
    header = fields.Char()
    role = fields.Selection(ROLES, required=True, default="ignore")
