from odoo import fields, models

OUTCOMES = [
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("retry", "To Retry"),
    ("unknown", "Unknown"),
    ("delivered", "Delivered"),
]


class DealerNotificationAttempt(models.Model):
    """One try at sending a message, or one report about it: what the log shows
    under the message, so that every request to a gateway can be accounted for."""

    _name = "dealer.notification.attempt"
    _description = "Message Attempt"
    _order = "id"

    notification_id = fields.Many2one(
        "dealer.notification", required=True, ondelete="cascade", index=True, readonly=True
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    code = fields.Char(string="Gateway Code", readonly=True)
    error = fields.Char(string="Reason", readonly=True)
    provider_message_id = fields.Char(string="Gateway Message ID", readonly=True)
