"""SMS through real gateway protocols: a fake vendor on loopback, started and stopped
by each test, failing a third of its requests."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import NotifyCase
from .fake_gateway import FakeGateway

MESSAGES = 24


class GatewayMixin:
    def _provider(self, vendor, **values):
        self.env["dealer.sms.provider"].search([]).active = False
        return self.env["dealer.sms.provider"].create(
            {
                "name": f"Тестовый {vendor.kind}",
                "provider": vendor.kind,
                "api_url": vendor.url,
                "login": vendor.login,
                "api_key": vendor.api_key,
                "sender": vendor.sender,
                "timeout": 1,
                "retries": 2,
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestDelivery(GatewayMixin, NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Bookings confirmed at once, whatever the hour the test runs at.
        cls.booked.write({"active": True, "quiet_from": 0.0, "quiet_to": 0.0})

    def _book(self, count, first=0):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Клиент Доставки {i}",
                    "mobile": f"+7 916 700-{i // 100:02d}-{i % 100:02d}",
                    "consent_sms": True,
                }
                for i in range(first, first + count)
            ]
        )
        visit = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        tasks = self.env["project.task"]
        for partner in partners:
            tasks |= self._appointment(visit, partner=partner)
        self.Log._dispatch()
        return self._lines(self.booked, tasks)

    def _drain(self, lines, rounds=12):
        """Run Odoo's SMS queue until nothing is left to send; time passing between
        rounds is a retry's backoff elapsed."""
        for _round in range(rounds):
            self.env["sms.sms"]._process_queue()
            lines.invalidate_recordset()
            waiting = lines.filtered(lambda n: n.state == "queued")
            if not waiting:
                return
            waiting.sudo().write({"next_try_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.fail(f"messages still queued: {waiting.mapped('state')}")

    def test_flaky_smsc_delivers_every_message_exactly_once(self):
        with FakeGateway("smsc", fail_ratio=0.33, seed=7, slow_seconds=1.3) as vendor:
            self._provider(vendor)
            lines = self._book(MESSAGES)
            self.assertEqual(len(lines), MESSAGES)
            self._drain(lines)
            self.assertTrue(vendor.injected, "the vendor failed some requests")
            self.assertEqual(set(lines.mapped("state")), {"sent"})
            for line in lines:
                self.assertEqual(vendor.sent_count(line.address, line.body), 1, line.address)
            retried = lines.filtered(lambda n: len(n.attempt_ids) > 1)
            self.assertTrue(retried, "failed attempts are shown in the log")
            self.assertTrue(all(a.error for a in retried.attempt_ids if a.outcome == "retry"))
            # Odoo's own SMS records are gone; the log keeps every message.
            self.assertFalse(
                self.env["sms.sms"].search(
                    [("uuid", "in", lines.mapped("sms_uuid")), ("to_delete", "=", False)]
                )
            )

    def _check_never_twice(self, kind):
        with FakeGateway(kind, fail_ratio=0.33, seed=11, slow_seconds=1.3) as vendor:
            self._provider(vendor)
            vendor.fail_next("http_503")
            lines = self._book(MESSAGES)
            self._drain(lines)
            self.assertTrue(vendor.injected)
            # Nothing lost: every message is sent, or «unknown» for a person to decide.
            self.assertLessEqual(set(lines.mapped("state")), {"sent", "unknown"})
            for line in lines:
                count = vendor.sent_count(line.address, line.body)
                self.assertLessEqual(count, 1, f"{line.address} sent twice")
                if line.state == "sent":
                    self.assertEqual(count, 1)
                else:
                    self.assertTrue(line.error)
            lost = [f for _path, f in vendor.injected if f in ("lost_after", "timeout_before")]
            self.assertEqual(bool(lines.filtered(lambda n: n.state == "unknown")), bool(lost))

    def test_flaky_smsru_never_sends_twice(self):
        self._check_never_twice("smsru")

    def test_flaky_smsaero_never_sends_twice(self):
        self._check_never_twice("smsaero")

    def test_vendor_refusal_and_garbage_are_failed_attempts_with_reasons(self):
        with FakeGateway("smsru") as vendor:
            self._provider(vendor)
            vendor.refuse["79167000000"] = 207
            refused = self._book(1)
            self._drain(refused)
            self.assertEqual(refused.state, "failed")
            self.assertIn("207", refused.attempt_ids.mapped("code"))
            self.assertTrue(refused.error)
            vendor.fail_next("garbage")
            answered_garbage = self._book(1, first=1)
            self._drain(answered_garbage)
            self.assertEqual(answered_garbage.state, "unknown")
            self.assertIn("not its API", answered_garbage.error)
            # A person decides to send it again: it goes out once more.
            answered_garbage.with_user(self.supervisor).action_retry()
            self.Log._dispatch()
            self._drain(answered_garbage)
            self.assertEqual(answered_garbage.state, "sent")

    def _crash_after_sending(self, line):
        """The request went out, the commit of its answer did not: the SMS is still
        queued and its line «sending»."""
        sms = self.env["sms.sms"].search([("uuid", "=", line.sms_uuid)])
        if not sms:
            sms = self.env["sms.sms"].create(
                {"number": line.address, "body": line.body, "uuid": line.sms_uuid}
            )
        sms.write({"state": "outgoing", "to_delete": False})
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE dealer_notification
                  SET state = 'sending', provider_message_id = NULL,
                      write_date = now() AT TIME ZONE 'UTC' - interval '10 minutes'
                WHERE id = %s""",
            [line.id],
        )
        line.invalidate_recordset()

    def test_a_message_left_sending_by_a_crash_is_not_sent_blindly(self):
        # SMSC is asked by our id and says it has the message; SMS.ru cannot be
        # asked: the message waits, «unknown», for a person.
        for kind, expected in (("smsc", "sent"), ("smsru", "unknown")):
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                self._provider(vendor)
                line = self._book(1)
                self._drain(line)
                self.assertEqual(vendor.sent_count(line.address, line.body), 1)
                self._crash_after_sending(line)
                self.env["sms.sms"]._process_queue()
                line.invalidate_recordset()
                self.assertEqual(line.state, expected)
                self.assertEqual(vendor.sent_count(line.address, line.body), 1)

    def test_odoo_own_sms_go_through_the_gateway_and_are_logged(self):
        with FakeGateway("smsru") as vendor:
            self._provider(vendor)
            self.client._message_sms("Ваш автомобиль готов к выдаче.", partner_ids=self.client.ids)
            self.env["sms.sms"]._process_queue()
            self.assertEqual(vendor.sent_count("+79168112233", "Ваш автомобиль готов к выдаче."), 1)
            line = self.Log.search([("body", "=", "Ваш автомобиль готов к выдаче.")])
            self.assertEqual(
                (line.state, line.rule_id.id, line.res_model), ("sent", False, "res.partner")
            )

    def test_status_polling_settles_what_no_callback_reported(self):
        with FakeGateway("smsaero") as vendor:
            self._provider(vendor)
            line = self._book(1)
            self._drain(line)
            self.assertEqual(line.state, "sent")
            self.Log._poll_statuses()  # too early: callbacks come first
            self.assertFalse(line.checked_at)
            line.sudo().write({"sent_at": fields.Datetime.now() - timedelta(minutes=20)})
            vendor.set_status(line.provider_message_id, "delivered")
            self.Log._poll_statuses()
            self.assertEqual(line.state, "delivered")
            self.assertTrue(line.checked_at)


@tagged("post_install", "-at_install")
class TestCallbacks(GatewayMixin, HttpCase):
    def _post(self, provider, payload):
        fields_, headers = payload
        return self.url_open(
            f"/dealer_notify/sms/{provider.callback_token}/report", data=fields_, headers=headers
        )

    def _sent_line(self, provider, vendor):
        client = self.env["res.partner"].create(
            {"name": "Отчётов Илья", "mobile": "+79167771122", "consent_sms": True}
        )
        client._message_sms("Запись подтверждена.", partner_ids=client.ids)
        self.env["sms.sms"]._process_queue()
        return self.env["dealer.notification"].search([("partner_id", "=", client.id)])

    def test_signed_delivery_reports_deliver_and_forged_ones_are_refused(self):
        for kind in ("smsru", "smsc", "smsaero"):
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                provider = self._provider(vendor)
                line = self._sent_line(provider, vendor)
                self.assertEqual(line.state, "sent")
                forged = self._post(
                    provider, vendor.report_payload(line.provider_message_id, wrong_secret=True)
                )
                self.assertEqual(forged.status_code, 403)
                self.assertEqual(forged.json()["error"], "bad signature")
                line.invalidate_recordset()
                self.assertEqual(line.state, "sent")
                answer = self._post(
                    provider, vendor.report_payload(line.provider_message_id, "delivered")
                )
                self.assertEqual(answer.status_code, 200)
                line.invalidate_recordset()
                self.assertEqual(line.state, "delivered")
                self.assertTrue(line.delivered_at)
                line.partner_id.unlink()

    def test_unknown_token_is_a_json_404(self):
        answer = self.url_open(
            "/dealer_notify/sms/no-such-token-0000000000/report", data={"x": "1"}
        )
        self.assertEqual(answer.status_code, 404)
        self.assertEqual(answer.json()["error"], "unknown gateway token")

    def test_stop_reply_through_smsc_opts_the_client_out(self):
        client = self.env["res.partner"].create(
            {"name": "Отписков Глеб", "mobile": "+79165550011", "consent_sms": True}
        )
        with FakeGateway("smsc") as vendor:
            provider = self._provider(vendor)
            forged = self._post(
                provider, vendor.incoming_payload("+79165550011", "СТОП", wrong_secret=True)
            )
            self.assertEqual(forged.status_code, 403)
            self.assertEqual(
                self._post(provider, vendor.incoming_payload("+79165550011", "СТОП")).status_code,
                200,
            )
        client.invalidate_recordset()
        self.assertFalse(client.consent_sms)
        self.assertEqual(
            client.consent_log_ids.filtered(lambda c: not c.value).source, "opt_out_sms"
        )
