from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import NotifyCase, utc


@tagged("post_install", "-at_install")
class TestConsentRegister(NotifyCase):
    def test_every_change_on_the_card_is_registered_with_who_and_when(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.supervisor)
            .create({"name": "Согласный Иван", "consent_sms": True, "consent_personal_data": True})
        )
        partner.with_user(self.supervisor).write({"consent_sms": False, "do_not_call": True})
        partner.with_user(self.supervisor).write({"consent_sms": False})  # no change, no line
        lines = partner.consent_log_ids.sorted("id")
        self.assertEqual(
            [(line.consent, line.value, line.source) for line in lines],
            [
                ("personal_data", True, "card"),
                ("sms", True, "card"),
                ("sms", False, "card"),
                ("do_not_call", True, "card"),
            ],
        )
        self.assertEqual(set(lines.mapped("user_id")), {self.supervisor})
        self.assertEqual(partner.consent_log_count, 4)

    def test_import_is_registered_as_import(self):
        partner = (
            self.env["res.partner"]
            .with_context(import_file=True)
            .create({"name": "Импортов Пётр", "consent_email": True})
        )
        self.assertEqual(partner.consent_log_ids.source, "import")

    def test_stop_reply_opts_out_and_blacklists(self):
        provider = self.env["dealer.sms.provider"].create(
            {"name": "SMS.ru", "provider": "smsru", "api_key": "k", "api_url": "http://127.0.0.1:9"}
        )
        from ..gateways import Incoming

        provider._handle_incoming(
            [
                Incoming(phone="89168112233", text=" Стоп! "),
                Incoming(phone="+79168112233", text="Спасибо"),
            ]
        )
        self.assertFalse(self.client.consent_sms)
        line = self.client.consent_log_ids.filtered(lambda c: c.source == "opt_out_sms")
        self.assertEqual(
            (line.value, line.source, line.address), (False, "opt_out_sms", "+79168112233")
        )
        self.assertTrue(
            self.env["phone.blacklist"].sudo().search([("number", "=", "+79168112233")])
        )

    def test_email_message_carries_a_working_unsubscribe_link(self):
        self.day_before.write(
            {
                "channel": "email",
                "mail_template_id": self.env.ref(
                    "dealer_notify.mail_template_appointment_booked"
                ).id,
                "sms_template_id": False,
            }
        )
        task = self._appointment(utc(2026, 12, 8, 12, 20))
        self.day_before._plan(now=utc(2026, 12, 7, 20, 0))
        with freeze_time(utc(2026, 12, 7, 20, 1)):
            self.Log._dispatch()
        line = self._lines(self.day_before, task)
        self.assertEqual((line.state, line.address), ("queued", "oleg@example.ru"))
        mail = self.env["mail.mail"].search([("dealer_notification_id", "=", line.id)])
        self.assertIn(line._unsubscribe_url(), mail.body_html)
        self.assertIn("12:20", mail.subject)
        mail.send()
        self.assertEqual((line.state, line.attempts), ("sent", 1))
        self.assertEqual(line.attempt_ids.outcome, "sent")
        self.assertFalse(line._check_unsubscribe_token("forged"))
        line._unsubscribe()
        self.assertFalse(self.client.consent_email)
        line = self.client.consent_log_ids.filtered(lambda c: c.source == "unsubscribe")
        self.assertEqual((line.consent, line.value), ("email", False))
        self.assertTrue(
            self.env["mail.blacklist"].sudo().search([("email", "=", "oleg@example.ru")])
        )


@tagged("post_install", "-at_install")
class TestUnsubscribeHttp(HttpCase):
    def test_unsubscribe_page_and_forged_link(self):
        client = self.env["res.partner"].create(
            {"name": "Почтов Юрий", "email": "yuri@example.ru", "consent_email": True}
        )
        line = self.env["dealer.notification"].create(
            {
                "channel": "email",
                "partner_id": client.id,
                "address": "yuri@example.ru",
                "state": "sent",
            }
        )
        forged = self.url_open(f"/dealer_notify/unsubscribe/{line.id}/forged")
        self.assertEqual(forged.status_code, 404)
        self.assertEqual(forged.json()["error"], "unknown or expired link")
        url = f"/dealer_notify/unsubscribe/{line.id}/{line._unsubscribe_token()}"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertTrue(client.consent_email)  # a GET (a link scanner) changes nothing
        self.assertEqual(self.url_open(url, data={"confirm": "1"}).status_code, 200)
        client.invalidate_recordset()
        self.assertFalse(client.consent_email)


@tagged("post_install", "-at_install")
class TestReasonsTranslated(NotifyCase):
    def test_gateway_reasons_reach_the_log_in_russian(self):
        from ..gateways import translate_reason

        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.skipTest("Russian is not loaded in this database")
        env = self.env(context={"lang": "ru_RU"})
        garbage = "The gateway answered something that is not its API: <html>502</html>"
        self.assertEqual(
            translate_reason(env, garbage),
            "Шлюз вернул ответ не в формате своего API: <html>502</html>",
        )
        self.assertEqual(translate_reason(env, "no such reason"), "no such reason")
        self.assertEqual(translate_reason(self.env(context={"lang": "en_US"}), garbage), garbage)
