from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..models.dealer_notification_rule import KIND_MODELS


class DealerNotificationPreview(models.TransientModel):
    """A rule's message rendered on a real document, and sent to its test recipient."""

    _name = "dealer.notification.preview"
    _description = "Notification Preview"

    rule_id = fields.Many2one("dealer.notification.rule", required=True, ondelete="cascade")
    res_model = fields.Char(related="rule_id.res_model")
    record_ref = fields.Reference(selection="_selection_record_ref", string="Document")
    address = fields.Char(string="Test Recipient", compute="_compute_preview")
    subject = fields.Char(compute="_compute_preview")
    body = fields.Text(compute="_compute_preview")

    @api.model
    def _selection_record_ref(self):
        models_ = sorted(set(KIND_MODELS.values()))
        return [(model, self.env[model]._description) for model in models_ if model in self.env]

    @api.depends("rule_id", "record_ref")
    def _compute_preview(self):
        for wizard in self:
            rule = wizard.rule_id
            test = rule.test_partner_id
            wizard.address = (
                (test.mobile or test.phone) if rule.channel == "sms" else test.email
            ) or ""
            wizard.subject, wizard.body = wizard._render()

    def _render(self):
        self.ensure_one()
        rule, record = self.rule_id, self.record_ref
        if not record or record._name != rule.res_model:
            return "", ""
        if rule.channel == "sms" and rule.sms_template_id:
            body = rule.sms_template_id._render_field("body", record.ids, compute_lang=True)
            return "", body.get(record.id, "")
        if rule.mail_template_id:
            template = rule.mail_template_id
            subject = template._render_field("subject", record.ids, compute_lang=True)
            body = template._render_field("body_html", record.ids, compute_lang=True)
            return subject.get(record.id, ""), html2plaintext(body.get(record.id) or "")
        if rule.kind.startswith("digest_"):
            return rule.name, html2plaintext(rule._digest_body(record, fields.Date.today()))
        return rule.name, ""

    def action_send_test(self):
        """Send the rendered message to the rule's test recipient, logged as a test."""
        self.ensure_one()
        rule = self.rule_id
        if not rule.test_partner_id:
            raise UserError(self.env._("Set a test recipient on the rule first."))
        if not self.record_ref:
            raise UserError(self.env._("Choose a document to render the message on."))
        if self.record_ref._name != rule.res_model:
            raise UserError(
                self.env._(
                    "The rule sends about a %s: choose such a document.",
                    self.env[rule.res_model]._description,
                )
            )
        if rule.channel in ("sms", "email") and not self.address:
            raise UserError(
                self.env._("The test recipient has no number or e-mail for this channel.")
            )
        now = fields.Datetime.now()
        # sudo: a test message goes to the rule's own test recipient only; the log
        # and its occurrence are the system's.
        line = (
            self.env["dealer.notification"]
            .sudo()
            .create(
                {
                    "rule_id": rule.id,
                    "channel": rule.channel,
                    "res_model": rule.res_model,
                    "res_id": self.record_ref.id,
                    "occurrence": f"test-{now.isoformat()}-{self.env.uid}",
                    "partner_id": rule.test_partner_id.id,
                    "company_id": self.env.company.id,
                    "due_at": now,
                    "is_test": True,
                }
            )
        )
        line._deliver(now)
        if line.state == "skipped":
            raise UserError(
                self.env._(
                    "The test message was not sent: %s.",
                    dict(line._fields["skip_reason"]._description_selection(self.env))[
                        line.skip_reason
                    ],
                )
            )
        if rule.channel == "sms":
            self.env["sms.sms"].sudo().search([("uuid", "=", line.sms_uuid)])._send()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The test message was sent to %s.", line.address or self.address
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
