from odoo import fields, models

CONSENTS = [
    ("personal_data", "Personal Data Processing"),
    ("sms", "SMS"),
    ("email", "E-mail"),
    ("phone_survey", "Phone Surveys"),
    ("do_not_call", "Do Not Call"),
]
SOURCES = [
    ("card", "Client Card"),
    ("import", "Import"),
    ("opt_out_sms", "SMS Opt-out"),
    ("unsubscribe", "E-mail Unsubscribe Link"),
    ("api", "Integration"),
    ("other", "Other"),
]


class DealerConsentLog(models.Model):
    """The consent register: every change of a client's consent, when, by whom or
    what, and from where — the audit trail 152-FZ asks a personal data operator for.
    Lines are written by the system only and never changed."""

    _name = "dealer.consent.log"
    _description = "Consent Register"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True, readonly=True
    )
    consent = fields.Selection(CONSENTS, required=True, readonly=True)
    value = fields.Boolean(string="Given", readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Changed By", default=lambda self: self.env.user, readonly=True
    )
    source = fields.Selection(SOURCES, required=True, default="card", readonly=True)
    address = fields.Char(readonly=True, help="The number or e-mail the change came from.")
    note = fields.Char(readonly=True)
    company_id = fields.Many2one(related="partner_id.company_id", store=True, string="Branch")
