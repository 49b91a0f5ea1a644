"""The notification rule card in Chromium: preview a reminder on a real appointment
and send it to the rule's test recipient through the SMS gateway."""

from datetime import datetime, time, timedelta

import pytz

from odoo.tests import HttpCase, new_test_user, tagged

from .fake_gateway import FakeGateway

MOSCOW = pytz.timezone("Europe/Moscow")


@tagged("post_install", "-at_install")
class TestNotifyUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        company.partner_id.write(
            {"tz": "Europe/Moscow", "city": "Пермь", "street": "ул. Крисанова, 4"}
        )
        company.country_id = cls.env.ref("base.ru")
        cls.env["dealer.sms.provider"].search([]).active = False  # demo gateways out of the way
        cls.supervisor = new_test_user(
            cls.env,
            "notify_ui_supervisor",
            groups="dealer_base.group_dealer_supervisor",
            name="Старший Смены",
            lang="en_US",
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Напоминалов Сергей Петрович",
                "mobile": "+7 916 700 11 22",
                "consent_sms": True,
            }
        )
        cls.tester = cls.env["res.partner"].create(
            {"name": "Тестов Получатель", "mobile": "8 (916) 700-99-88", "consent_sms": True}
        )
        service = cls.env.ref("dealer_base.direction_service")
        cls.rule = cls.env.ref("dealer_notify.rule_appointment_day_before")
        cls.rule.test_partner_id = cls.tester
        # Planned at booking: kept out of the way, the preview is what is tested.
        cls.env.ref("dealer_notify.rule_appointment_booked").active = False
        tomorrow = datetime.now(MOSCOW).date() + timedelta(days=1)
        visit_at = MOSCOW.localize(datetime.combine(tomorrow, time(11, 30)))
        cls.task = cls.env["project.task"].create(
            {
                "name": "Замена масла Напоминалова",
                "project_id": service.project_id.id,
                "partner_id": cls.client.id,
                "dealer_kind": "appointment",
                "dealer_direction_id": service.id,
                "dealer_visit_at": visit_at.astimezone(pytz.utc).replace(tzinfo=None),
            }
        )

    def test_preview_and_send_to_the_test_recipient(self):
        with FakeGateway("smsru") as vendor:
            self.env["dealer.sms.provider"].create(
                {
                    "name": "SMS.ru (tour)",
                    "provider": "smsru",
                    "api_url": vendor.url,
                    "api_key": vendor.api_key,
                    "sender": vendor.sender,
                    "timeout": 5,
                }
            )
            self.start_tour("/odoo", "dealer_notify_rule_tour", login="notify_ui_supervisor")
        line = self.env["dealer.notification"].search(
            [("rule_id", "=", self.rule.id), ("is_test", "=", True)]
        )
        self.assertEqual(len(line), 1)
        self.assertEqual(line.partner_id, self.tester)
        self.assertEqual(line.address, "+79167009988")
        self.assertEqual((line.res_model, line.res_id), ("project.task", self.task.id))
        self.assertIn("Напоминалов Сергей Петрович", line.body)
        self.assertEqual(line.state, "sent")
        # The gateway got it once, for the test recipient; the client got nothing.
        self.assertEqual([m["phone"] for m in vendor.accepted], ["+79167009988"])
        self.assertIn("Напоминалов Сергей Петрович", vendor.accepted[0]["text"])
