from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTemplateChecks(TransactionCase):
    def _sms(self, body):
        return self.env["sms.template"].create(
            {
                "name": "Проверка",
                "model_id": self.env.ref("project.model_project_task").id,
                "body": body,
            }
        )

    def test_unknown_placeholder_is_refused_with_its_position(self):
        with self.assertRaisesRegex(
            ValidationError, r"object\.dealer_notify_whenn.*line 2, column 6.*dealer_notify_whenn"
        ):
            self._sms("Здравствуйте!\nЖдём {{ object.dealer_notify_whenn }}")

    def test_unknown_field_of_a_related_record_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self._sms("{{ object.partner_id.no_such_field }}")

    def test_syntax_error_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "syntax error.*line 1"):
            self._sms("Ждём {{ object.dealer_notify_when + }}")
        with self.assertRaisesRegex(ValidationError, "not closed at line 1, column 6"):
            self._sms("Ждём {{ object.dealer_notify_when")

    def test_mail_template_html_and_expressions_are_checked(self):
        model = self.env.ref("project.model_project_task").id
        with self.assertRaisesRegex(ValidationError, "nope"):
            self.env["mail.template"].create(
                {
                    "name": "Письмо",
                    "model_id": model,
                    "subject": "Запись",
                    "body_html": '<p><t t-out="object.nope"/></p>',
                }
            )

    def test_valid_templates_and_methods_pass(self):
        template = self._sms(
            "{{ object.dealer_notify_client }}, {{ object.partner_id.name or '' }} "
            "{{ object.get_base_url() }}"
        )
        self.assertTrue(template)
        self.assertTrue(self.env.ref("dealer_notify.sms_template_appointment_day_before").body)
