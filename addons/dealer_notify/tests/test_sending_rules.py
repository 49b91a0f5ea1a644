from freezegun import freeze_time

from odoo.tests import tagged

from .common import NotifyCase, utc


@tagged("post_install", "-at_install")
class TestSendingRules(NotifyCase):
    def _planned(self, partner, visit=None):
        task = self._appointment(visit or utc(2026, 12, 8, 12, 20), partner=partner)
        self.day_before._plan(now=utc(2026, 12, 7, 20, 0))
        return self._lines(self.day_before, task)

    def _dispatch(self, when=None):
        with freeze_time(when or utc(2026, 12, 7, 20, 1)):
            self.Log._dispatch()

    def test_only_individuals_with_consent_and_a_valid_russian_number(self):
        Partner = self.env["res.partner"]
        company = Partner.create(
            {
                "name": "ООО Ромашка",
                "is_company": True,
                "mobile": "+79160000010",
                "consent_sms": True,
            }
        )
        no_consent = Partner.create({"name": "Без согласия", "mobile": "+79160000011"})
        invalid = Partner.create({"name": "Неверный номер", "mobile": "12345", "consent_sms": True})
        foreign = Partner.create(
            {"name": "Иностранный", "mobile": "+49 30 901820", "consent_sms": True}
        )
        no_number = Partner.create({"name": "Без номера", "consent_sms": True})
        lines = {
            p: self._planned(p)
            for p in (company, no_consent, invalid, foreign, no_number, self.client)
        }
        self._dispatch()
        reasons = {p.name: (lines[p].state, lines[p].skip_reason) for p in lines}
        self.assertEqual(reasons["ООО Ромашка"], ("skipped", "not_individual"))
        self.assertEqual(reasons["Без согласия"], ("skipped", "no_consent"))
        self.assertEqual(reasons["Неверный номер"], ("skipped", "invalid_number"))
        self.assertEqual(reasons["Иностранный"], ("skipped", "foreign_number"))
        self.assertEqual(reasons["Без номера"], ("skipped", "no_address"))
        self.assertEqual(reasons["Олег Владимирович"], ("queued", False))

    def test_blacklisted_number_is_skipped(self):
        self.env["phone.blacklist"].sudo()._add(["+79168112233"])
        line = self._planned(self.client)
        self._dispatch()
        self.assertEqual((line.state, line.skip_reason), ("skipped", "blacklisted"))

    def test_late_messages_expire_instead_of_going_out(self):
        line = self._planned(self.client)
        self._dispatch(utc(2026, 12, 7, 21, 30))
        self.assertEqual(line.state, "expired")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.client.id)]))

    def test_quiet_hours_defer_and_keep_the_relevance(self):
        self.booked.write({"active": True, "relevance_hours": 1.0})
        with freeze_time(utc(2026, 12, 7, 22, 30)):
            task = self._appointment(utc(2026, 12, 9, 12, 20))
            self.Log._dispatch()
        line = self._lines(self.booked, task)
        self.assertEqual(line.state, "planned")
        self.assertEqual(line.due_at, utc(2026, 12, 8, 9, 0))
        self.assertEqual(line.expires_at, utc(2026, 12, 8, 10, 0))
        self._dispatch(utc(2026, 12, 8, 9, 1))
        self.assertEqual(line.state, "queued")

    def test_test_recipient_receives_instead_of_the_client(self):
        tester = self.env["res.partner"].create(
            {"name": "Тестовый получатель", "mobile": "+7 900 000-00-99"}
        )
        self.day_before.test_partner_id = tester
        line = self._planned(self.client)
        self._dispatch()
        self.assertEqual((line.state, line.address, line.is_test), ("queued", "+79000000099", True))
        self.assertIn("Олег Владимирович", line.body)

    def test_staff_digest_reaches_the_inbox(self):
        rule = self.env.ref("dealer_notify.rule_digest_traffic")
        rule.user_ids = self.supervisor
        self.env["dealer.traffic"].with_user(self.consultant).create(
            {
                "channel_id": self.env.ref("dealer_traffic.channel_call").id,
                "direction_id": self.service.id,
                "goal_id": self.env.ref("dealer_traffic.goal_service_repair").id,
                "partner_id": self.client.id,
            }
        )
        rule._plan(now=utc(2026, 12, 7, 9, 5))
        with freeze_time(utc(2026, 12, 7, 9, 6)):
            self.Log._dispatch()
        line = self._lines(rule)
        self.assertEqual((line.state, line.user_id), ("delivered", self.supervisor))
        self.assertIn(self.service.name, line.body)
        inbox = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.supervisor.partner_id.id)]
        )
        self.assertTrue(inbox)

    def test_phone_channel_makes_a_call_task(self):
        self.day_before.write({"channel": "phone", "user_ids": [(6, 0, self.consultant.ids)]})
        line = self._planned(self.client)
        self._dispatch()
        self.assertEqual(line.state, "sent")
        task = self.env["project.task"].browse(line.res_id)
        activity = task.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(activity.user_id, self.consultant)

    def test_do_not_call_client_gets_no_call(self):
        self.day_before.write({"channel": "phone", "user_ids": [(6, 0, self.consultant.ids)]})
        self.client.do_not_call = True
        line = self._planned(self.client)
        self._dispatch()
        self.assertEqual((line.state, line.skip_reason), ("skipped", "do_not_call"))
