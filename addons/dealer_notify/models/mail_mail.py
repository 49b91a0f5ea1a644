from odoo import fields, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    dealer_notification_id = fields.Many2one(
        "dealer.notification", index="btree_not_null", ondelete="set null"
    )

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        lines = self.dealer_notification_id
        if lines:
            now = fields.Datetime.now()
            values = (
                {"state": "failed", "error": failure_reason or failure_type}
                if failure_type
                else {"state": "sent", "sent_at": now, "error": False}
            )
            # sudo: the mail queue runs as whoever triggered it; the log is the system's.
            for line in lines.sudo():
                line.write({**values, "attempts": line.attempts + 1})
            self.env["dealer.notification.attempt"].sudo().create(
                [
                    {
                        "notification_id": line.id,
                        "outcome": values["state"],
                        "error": values.get("error"),
                    }
                    for line in lines
                ]
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
