from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools import template_errors
from .dealer_notification_rule import KIND_MODELS


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    @api.constrains("body", "model_id")
    def _check_dealer_placeholders(self):
        for template in self.filtered(lambda t: t.model in KIND_MODELS.values()):
            errors = template_errors(
                self.env,
                template.model,
                template.body,
                self.env._("SMS template %s", template.name),
            )
            if errors:
                raise ValidationError("\n".join(errors))
