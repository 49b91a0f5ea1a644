from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools import template_errors
from .dealer_notification_rule import KIND_MODELS


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.constrains("subject", "body_html", "model_id")
    def _check_dealer_placeholders(self):
        for template in self.filtered(lambda t: t.model in KIND_MODELS.values()):
            label = self.env._("E-mail template %s", template.name)
            errors = template_errors(self.env, template.model, template.subject, label)
            errors += template_errors(
                self.env, template.model, template.body_html, label, engine="qweb"
            )
            if errors:
                raise ValidationError("\n".join(errors))
