"""The SMS gateways against a fake vendor on 127.0.0.1 that speaks each vendor's
protocol, signs callbacks as the vendor does and injects the failures that make
"exactly once" hard. No models: only the gateway classes and HTTP."""

import hashlib
import json
import socket
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..gateways import (
    DELIVERED,
    FAILED,
    GATEWAYS,
    NOT_FOUND,
    RETRY,
    SENT,
    UNKNOWN,
    GatewayAuthError,
    GatewayError,
    Incoming,
    OutMessage,
    SmsRu,
)
from ..gateways.base import from_moscow, from_unix
from .fake_gateway import FakeGateway, form_body

KINDS = ("smsru", "smsc", "smsaero")
GARBAGE = "The gateway answered something that is not its API"


def messages(count, prefix="m", start=0):
    """``count`` messages to distinct numbers, each with its own text."""
    return [
        OutMessage(str(1000 + start + i), f"+7916{start + i:07d}", f"{prefix} {start + i}")
        for i in range(count)
    ]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestGateways(TransactionCase):
    # --- sending ---------------------------------------------------------------------
    def test_send_ok_gives_ids(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                out = messages(3)
                results = vendor.client().send(out)
                self.assertEqual([r.ref for r in results], [m.ref for m in out])
                self.assertEqual({r.state for r in results}, {SENT})
                self.assertTrue(all(r.provider_id for r in results))
                self.assertEqual(
                    sorted(a["provider_id"] for a in vendor.accepted),
                    sorted(r.provider_id for r in results),
                )
                for message in out:
                    self.assertEqual(vendor.sent_count(message.phone, message.text), 1)

    def test_send_speaks_each_protocol(self):
        with FakeGateway("smsru") as vendor:
            vendor.client().send(messages(2))
            path, fields = vendor.requests[0]
            self.assertEqual(path, "/sms/send")
            self.assertEqual(fields["json"], "1")
            self.assertEqual(fields["from"], "DEALER")
            self.assertEqual(fields["multi[79160000000]"], "m 0")
            self.assertEqual(len(vendor.requests), 1, "one request for the batch")
        with FakeGateway("smsc") as vendor:
            result = vendor.client().send(messages(1))[0]
            path, fields = vendor.requests[0]
            self.assertEqual(path, "/sys/send.php")
            self.assertEqual(
                (fields["id"], fields["fmt"], fields["charset"]), ("1000", "3", "utf-8")
            )
            self.assertEqual(fields["phones"], "+79160000000")
            self.assertEqual(result.provider_id, "1000:79160000000")
            self.assertEqual(vendor.accepted[0]["ref"], "1000", "SMSC keeps our id")
            self.assertTrue(GATEWAYS["smsc"].takes_our_id)
        with FakeGateway("smsaero") as vendor:
            vendor.client(report_url="https://odoo.example/r").send(messages(1))
            path, fields = vendor.requests[0]
            self.assertEqual(path, "/v2/sms/send")
            self.assertEqual(fields["number"], "79160000000")
            self.assertEqual(fields["sign"], "DEALER")
            self.assertEqual(fields["callbackUrl"], "https://odoo.example/r")

    def test_smsru_batches_keep_a_number_once_per_request(self):
        with FakeGateway("smsru") as vendor:
            gateway = vendor.client()
            gateway.batch_size = 2
            out = [*messages(3), OutMessage("2000", "+79160000000", "again")]
            results = gateway.send(out)
            self.assertEqual([r.ref for r in results], [m.ref for m in out])
            self.assertEqual({r.state for r in results}, {SENT})
            self.assertEqual(len({r.provider_id for r in results}), 4)
            for _path, fields in vendor.requests:
                numbers = [key for key in fields if key.startswith("multi[")]
                self.assertLessEqual(len(numbers), 2)
            self.assertEqual(vendor.sent_count("+79160000000", "again"), 1)

    def test_smsru_vendor_errors(self):
        with FakeGateway("smsru") as vendor:
            vendor.refuse["79160000001"] = 207
            results = vendor.client().send(messages(2))
            self.assertEqual(results[0].state, SENT)
            self.assertEqual((results[1].state, results[1].code), (FAILED, "207"))
            self.assertIn("route", results[1].error)
            wrong = SmsRu(vendor.url, "", "wrong-key", "DEALER", timeout=0.3, backoff=0.01)
            results = wrong.send(messages(2, start=5))
            self.assertEqual({(r.state, r.code) for r in results}, {(FAILED, "200")})
            self.assertIn("api_id", results[0].error)
            vendor.fail_next("try_later", "try_later", "try_later")
            result = vendor.client().send(messages(1, start=9))[0]
            self.assertEqual((result.state, result.code), (RETRY, "220"))
            self.assertEqual(len(vendor.accepted), 1)

    def test_smsc_vendor_errors(self):
        with FakeGateway("smsc") as vendor:
            vendor.refuse["79160000001"] = 3
            out = [*messages(2), OutMessage("77", "+7916", "short number")]
            results = vendor.client().send(out)
            self.assertEqual(results[0].state, SENT)
            self.assertEqual((results[1].state, results[1].code), (FAILED, "3"))
            self.assertIn("money", results[1].error)
            self.assertEqual((results[2].state, results[2].code), (FAILED, "7"))
            vendor.refuse["79160000005"] = 4  # IP blocked for a while: try later
            result = vendor.client().send(messages(1, start=5))[0]
            self.assertEqual((result.state, result.code), (RETRY, "4"))
            wrong = GATEWAYS["smsc"](vendor.url, "dealer@example.com", "nope", "", timeout=0.3)
            result = wrong.send(messages(1, start=7))[0]
            self.assertEqual((result.state, result.code), (FAILED, "2"))
            self.assertIn("password", result.error)

    def test_smsaero_vendor_errors(self):
        with FakeGateway("smsaero") as vendor:
            vendor.refuse["79160000001"] = "no money"
            out = [*messages(2), OutMessage("77", "+7916", "short number")]
            results = vendor.client().send(out)
            self.assertEqual(results[0].state, SENT)
            self.assertEqual((results[1].state, results[1].code), (FAILED, "no_money"))
            self.assertEqual((results[2].state, results[2].code), (FAILED, "number"))
            self.assertIn("incorrect", results[2].error, "the vendor's own words are kept")
            wrong = GATEWAYS["smsaero"](vendor.url, "dealer@example.com", "nope", "DEALER")
            result = wrong.send(messages(1, start=7))[0]
            self.assertEqual((result.state, result.code), (FAILED, "auth"))
            self.assertEqual(len(vendor.accepted), 1)

    def test_garbage_answer_is_unknown_not_a_traceback(self):
        for kind in ("smsru", "smsaero"):
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                vendor.fail_next("garbage")
                result = vendor.client().send(messages(1))[0]
                self.assertEqual((result.state, result.code), (UNKNOWN, "garbage"))
                self.assertTrue(result.error.startswith(GARBAGE), result.error)
                self.assertIn("Gateway maintenance", result.error)
        with FakeGateway("smsc") as vendor:
            # SMSC can be asked: the HTML page was not the vendor, so it sends again
            vendor.fail_next("garbage")
            result = vendor.client().send(messages(1))[0]
            self.assertEqual(result.state, SENT)
            self.assertEqual(vendor.sent_count("+79160000000", "m 0"), 1)
            lost = GATEWAYS["smsc"](vendor.url + "/nowhere", "x", "y", "", timeout=0.3)
            with self.assertRaises(GatewayError) as caught:
                lost.balance()
            self.assertTrue(str(caught.exception).startswith(GARBAGE))
            status = lost.status([("1000", "1000:79160000000")])[0]
            self.assertEqual(status.state, UNKNOWN)

    def test_redirect_is_a_configuration_error(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                vendor.fail_next("redirect")
                result = vendor.client().send(messages(1))[0]
                self.assertEqual((result.state, result.code), (FAILED, "http_301"))
                self.assertIn("redirects", result.error)
                self.assertEqual(len(vendor.accepted), 0)

    def test_retry_after_5xx(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                vendor.fail_next("http_503")
                result = vendor.client().send(messages(1))[0]
                self.assertEqual(result.state, SENT)
                self.assertEqual(vendor.sent_count("+79160000000", "m 0"), 1)
                sends = [p for p, _f in vendor.requests if p.endswith(("send", "send.php"))]
                self.assertEqual(len(sends), 2)
                vendor.fail_next("http_503", "http_503", "http_503")
                result = vendor.client(retries=2).send(messages(1, start=1))[0]
                self.assertEqual((result.state, result.code), (RETRY, "http_503"))
                self.assertEqual(vendor.sent_count("+79160000001", "m 1"), 0)

    def test_unreachable_gateway_is_retry(self):
        for kind in KINDS:
            with self.subTest(kind=kind):
                gateway = GATEWAYS[kind](
                    f"http://127.0.0.1:{closed_port()}", "l", "k", "", timeout=0.3, backoff=0.01
                )
                result = gateway.send(messages(1))[0]
                self.assertEqual((result.state, result.code), (RETRY, "connect"))

    def test_timeouts(self):
        with FakeGateway("smsru", slow_seconds=0.45) as vendor:
            vendor.fail_next("timeout_before")
            result = vendor.client(timeout=0.3).send(messages(1))[0]
            self.assertEqual((result.state, result.code), (UNKNOWN, "timeout"))
            self.assertEqual(len(vendor.accepted), 0, "not processed, but we cannot know")
            vendor.fail_next("lost_after")
            result = vendor.client(timeout=0.3).send(messages(1, start=1))[0]
            self.assertEqual(result.state, UNKNOWN)
            self.assertEqual(len(vendor.accepted), 1, "processed, never sent twice")
        with FakeGateway("smsc", slow_seconds=0.45) as vendor:
            vendor.fail_next("timeout_before")
            result = vendor.client(timeout=0.3).send(messages(1))[0]
            self.assertEqual(result.state, SENT, "SMSC did not have it: sent again")
            vendor.fail_next("lost_after")
            result = vendor.client(timeout=0.3).send(messages(1, start=1))[0]
            self.assertEqual(result.state, SENT, "SMSC had it: found by our id")
            self.assertEqual(result.provider_id, "1001:79160000001")
            self.assertEqual([m["ref"] for m in vendor.accepted], ["1000", "1001"])
            statuses = [p for p, _f in vendor.requests if p == "/sys/status.php"]
            self.assertEqual(len(statuses), 2, "asked before sending again")

    # --- a flaky vendor and exactly once ---------------------------------------------
    def test_flaky_smsc_accepts_every_message_exactly_once(self):
        with FakeGateway("smsc", fail_ratio=0.33, seed=11, slow_seconds=0.4) as vendor:
            gateway = vendor.client(timeout=0.3, retries=3)
            out = messages(30, prefix="smsc")
            final = {}
            pending = out
            for _round in range(8):  # as the core requeues «retry»
                for message, result in zip(pending, gateway.send(pending), strict=True):
                    final[message.ref] = result
                pending = [m for m in pending if final[m.ref].state == RETRY]
                if not pending:
                    break
            self.assertEqual({r.state for r in final.values()}, {SENT})
            for message in out:
                self.assertEqual(vendor.sent_count(message.phone, message.text), 1, message)
            kinds = {failure for _path, failure in vendor.injected}
            self.assertTrue({"lost_after", "timeout_before", "http_503"} <= kinds, kinds)

    def test_flaky_no_blind_resend(self):
        # seeds chosen so that answers get lost as well as refused (deterministic)
        for kind, batch, size, seed in (("smsru", 3, 30, 1), ("smsaero", 1, 24, 5)):
            with (
                self.subTest(kind=kind),
                FakeGateway(kind, fail_ratio=0.33, seed=seed, slow_seconds=0.4) as vendor,
            ):
                gateway = vendor.client(timeout=0.3, retries=2)
                gateway.batch_size = batch
                out = messages(size, prefix=kind)
                results = gateway.send(out)
                seen = set()
                for message, result in zip(out, results, strict=True):
                    count = vendor.sent_count(message.phone, message.text)
                    seen.add(result.state)
                    self.assertLessEqual(count, 1, "never accepted twice")
                    if result.state == SENT:
                        self.assertEqual(count, 1)
                    elif result.state == RETRY:
                        self.assertEqual(count, 0, "retry means surely not processed")
                    else:
                        self.assertEqual(result.state, UNKNOWN)
                self.assertIn(SENT, seen)
                self.assertIn(UNKNOWN, seen, vendor.injected)

    # --- status ----------------------------------------------------------------------
    def test_status(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                gateway = vendor.client()
                first, second = gateway.send(messages(2))
                vendor.set_status(second.provider_id, "failed")
                missing = "999:79160000000" if kind == "smsc" else "999999"
                statuses = gateway.status(
                    [
                        (first.ref, first.provider_id),
                        (second.ref, second.provider_id),
                        ("5", missing),
                        ("6", None),
                    ]
                )
                self.assertEqual([s.state for s in statuses], [SENT, FAILED, NOT_FOUND, UNKNOWN])
                self.assertTrue(statuses[1].error)
                vendor.set_status(first.provider_id, "delivered")
                delivered = gateway.status([(first.ref, first.provider_id)])[0]
                self.assertEqual(delivered.state, DELIVERED)
        with FakeGateway("smsc") as vendor:
            gateway = vendor.client()
            gateway.send(messages(1))
            # a line left «sending» has no provider id yet: SMSC finds it by ref and phone
            found = gateway.status([("1000", None, "+79160000000")])[0]
            self.assertEqual((found.state, found.provider_id), (SENT, "1000:79160000000"))
            self.assertIsNone(found.at.tzinfo)

    def test_balance(self):
        for kind, amount in (("smsru", 4122.56), ("smsc", 1234.5), ("smsaero", 1389.26)):
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                self.assertEqual(vendor.client().balance(), amount)
                wrong = GATEWAYS[kind](vendor.url, vendor.login, "nope", "", timeout=0.3)
                with self.assertRaises(GatewayError):
                    wrong.balance()

    # --- callbacks -------------------------------------------------------------------
    def test_delivery_reports(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                gateway = vendor.client()
                sent = gateway.send(messages(1))[0]
                payload, headers = vendor.report_payload(sent.provider_id, "delivered")
                reports = gateway.parse_report(payload, b"", headers)
                self.assertEqual(len(reports), 1)
                self.assertEqual(
                    (reports[0].provider_id, reports[0].state), (sent.provider_id, DELIVERED)
                )
                self.assertIsNone(reports[0].at.tzinfo)
                payload, headers = vendor.report_payload(sent.provider_id, "failed")
                failed = gateway.parse_report(payload, b"", headers)[0]
                self.assertEqual(failed.state, FAILED)
                self.assertTrue(failed.error)
                payload, headers = vendor.report_payload(
                    sent.provider_id, "delivered", wrong_secret=True
                )
                with self.assertRaises(GatewayAuthError):
                    gateway.parse_report(payload, b"", headers)

    def test_smsru_report_many_records_and_raw_body(self):
        with FakeGateway("smsru") as vendor:
            gateway = vendor.client()
            gateway.send(messages(3))
            [(payload, headers)] = vendor.deliveries("delivered")
            reports = gateway.parse_report({}, form_body(payload), headers)
            self.assertEqual([r.state for r in reports], [DELIVERED] * 3)
            self.assertEqual(gateway.report_ack(), ("100", "text/plain"))
            # a heartbeat and a call check are signed like the rest and ignored
            records = ["test\n1782404811", "callcheck_status\n202626-1\n401\n1782404881"]
            signed = hashlib.sha256((vendor.api_key + "".join(records)).encode()).hexdigest()
            fields = {"data[0]": records[0], "data[1]": records[1], "hash": signed}
            self.assertEqual(gateway.parse_report(fields, b"", {}), [])
            fields["data[1]"] = "sms_status\n202626-1\n103\n1782404881"
            with self.assertRaises(GatewayAuthError):
                gateway.parse_report(fields, b"", {})
            with self.assertRaises(GatewayAuthError):
                gateway.parse_report({"data[0]": records[0]}, b"", {})

    def test_smsaero_report_is_checked_with_the_vendor(self):
        with FakeGateway("smsaero") as vendor:
            gateway = vendor.client()
            sent = gateway.send(messages(1))[0]
            payload, _headers = vendor.report_payload(sent.provider_id, "delivered")
            as_json = json.dumps(payload).encode()
            report = gateway.parse_report({}, as_json, {"Content-Type": "application/json"})[0]
            self.assertEqual(report.state, DELIVERED)
            # a report claiming delivery of a message the vendor still has queued
            vendor.set_status(sent.provider_id, "sent")
            payload["status"] = "1"
            self.assertEqual(gateway.parse_report(payload, b"", {})[0].state, SENT)
            payload["number"] = "79990000000"
            with self.assertRaises(GatewayAuthError):
                gateway.parse_report(payload, b"", {})
            with self.assertRaises(GatewayAuthError):
                gateway.parse_report({"status": "1"}, b"", {})

    def test_incoming_stop(self):
        with FakeGateway("smsc") as vendor:
            gateway = vendor.client()
            payload, headers = vendor.incoming_payload("+79161234567", "STOP")
            self.assertEqual(
                gateway.parse_incoming(payload, b"", headers),
                [Incoming("+79161234567", "STOP", provider_id=payload["sms_id"])],
            )
            self.assertEqual(
                gateway.parse_report(payload, b"", headers),
                [],
                "the shared handler: an SMS is no report",
            )
            payload, headers = vendor.incoming_payload("+79161234567", "СТОП")
            self.assertEqual(
                gateway.parse_incoming({}, form_body(payload), headers)[0].text, "СТОП"
            )
            payload, headers = vendor.incoming_payload("+79161234567", "STOP", wrong_secret=True)
            with self.assertRaises(GatewayAuthError):
                gateway.parse_incoming(payload, b"", headers)
            sent = gateway.send(messages(1))[0]
            payload, headers = vendor.report_payload(sent.provider_id, "delivered")
            self.assertEqual(gateway.parse_incoming(payload, b"", headers), [])
        with FakeGateway("smsru") as vendor:
            gateway = vendor.client()
            payload, headers = vendor.report_payload("202612-1", "delivered")
            self.assertEqual(gateway.parse_incoming(payload, b"", headers), [])
            payload["hash"] = "0" * 64
            with self.assertRaises(GatewayAuthError):
                gateway.parse_incoming(payload, b"", headers)
        with FakeGateway("smsaero") as vendor:
            self.assertEqual(vendor.client().parse_incoming({"text": "STOP"}, b"", {}), [])

    # --- time, secrets ---------------------------------------------------------------
    def test_times_are_naive_utc(self):
        self.assertEqual(from_unix(1476794052), datetime(2016, 10, 18, 12, 34, 12))
        self.assertEqual(from_unix("1476794052"), datetime(2016, 10, 18, 12, 34, 12))
        self.assertEqual(from_moscow("18.10.2016 15:34:12"), datetime(2016, 10, 18, 12, 34, 12))
        self.assertIsNone(from_unix("yesterday"))
        self.assertIsNone(from_moscow("32.13.2016 25:00:00"))
        with FakeGateway("smsc") as vendor:
            gateway = vendor.client()
            sent = gateway.send(messages(1))[0]
            payload, headers = vendor.report_payload(sent.provider_id, "delivered", at=1476794052)
            self.assertEqual(
                gateway.parse_report(payload, b"", headers)[0].at,
                datetime(2016, 10, 18, 12, 34, 12),
            )
            payload["time"] = "18.10.2016 15:34:12"  # the textual form, Moscow time
            self.assertEqual(
                gateway.parse_report(payload, b"", headers)[0].at,
                datetime(2016, 10, 18, 12, 34, 12),
            )
        with FakeGateway("smsru") as vendor:
            payload, headers = vendor.report_payload("202612-9", "delivered", at=1476794052)
            report = vendor.client().parse_report(payload, b"", headers)[0]
            self.assertEqual(report.at, datetime(2016, 10, 18, 12, 34, 12))

    def test_api_key_is_never_logged(self):
        for kind in KINDS:
            with self.subTest(kind=kind), FakeGateway(kind) as vendor:
                gateway = vendor.client()
                self.assertNotIn(vendor.api_key, repr(gateway))
                with self.assertLogs("odoo.addons.dealer_notify.gateways", "DEBUG") as logs:
                    vendor.fail_next("http_503")
                    gateway.send(messages(1))
                    gateway.status([("1", "1:1")])
                self.assertNotIn(vendor.api_key, "\n".join(logs.output))
