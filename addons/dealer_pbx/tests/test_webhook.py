"""The endpoint over HTTP: statuses with JSON bodies, every request logged."""

import hashlib
import hmac
import json

from odoo.tests import HttpCase, tagged

from .common import MANGO_KEY, MANGO_SALT, SECRET, ZADARMA_KEY, ZADARMA_SECRET
from .test_adapters import mango_form, zadarma_header


@tagged("post_install", "-at_install")
class TestWebhook(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def pbx(provider, key, secret):
            return cls.env["dealer.pbx"].create(
                {
                    "name": f"HTTP {provider}",
                    "provider": provider,
                    "api_key": key,
                    "api_secret": secret,
                    "line_ids": [(0, 0, {"number": "+74957554410"})],
                    "extension_ids": [(0, 0, {"number": "101", "user_id": cls.env.uid})],
                }
            )

        cls.generic = pbx("generic", "", SECRET)
        cls.zadarma = pbx("zadarma", ZADARMA_KEY, ZADARMA_SECRET)
        cls.mango = pbx("mango", MANGO_KEY, MANGO_SALT)
        cls.logs = cls.env["dealer.pbx.request"]

    def post_json(self, pbx, payload, signature=None, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json"}
        if signature is not False:
            headers["X-Dealer-Signature"] = signature or f"sha256={digest}"
        return self.url_open(f"/dealer_pbx/webhook/{pbx.webhook_token}", data=body, headers=headers)

    def assertJson(self, response, status, key="error"):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertIn(key, body)
        return body

    def last_log(self):
        return self.logs.search([], limit=1, order="id desc")

    def test_statuses(self):
        event = {
            "event": "ringing",
            "call_id": "h1",
            "direction": "incoming",
            "from": "+79168112233",
            "to": "+74957554410",
            "time": 1733555700,
        }
        count = self.logs.search_count([])
        response = self.url_open("/dealer_pbx/webhook/no-such-token-000000", data=b"{}")
        self.assertJson(response, 404)
        self.assertEqual((self.last_log().status, self.last_log().token_found), (404, False))
        self.assertJson(self.post_json(self.generic, event, signature=False), 403)
        self.assertJson(self.post_json(self.generic, event, signature="sha256=00"), 403)
        self.assertEqual((self.last_log().status, self.last_log().pbx_id), (403, self.generic))
        self.assertJson(self.post_json(self.generic, None, raw=b"{not json"), 400)
        self.assertJson(
            self.post_json(self.generic, {"event": "x", "call_id": "h1", "time": 1}), 400
        )
        big = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
        self.assertJson(self.post_json(self.generic, None, raw=big), 413)
        self.assertEqual(self.last_log().status, 413)
        ok = self.assertJson(self.post_json(self.generic, event), 200, "stored")
        self.assertEqual((ok["stored"], ok["duplicates"]), (1, 0))
        # Logged by the statement storing the event, as received.
        log = self.last_log()
        self.assertEqual(
            (log.status, log.event_count, log.duplicate_count, log.pbx_id, log.token_found),
            (200, 1, 0, self.generic, True),
        )
        self.assertEqual(json.loads(log.body), event)
        self.assertEqual(log.body_size, len(json.dumps(event).encode()))
        self.assertIn("X-Dealer-Signature", json.loads(log.headers))
        again = self.assertJson(self.post_json(self.generic, event), 200, "stored")
        self.assertEqual((again["stored"], again["duplicates"]), (0, 1))
        calls = self.env["dealer.pbx.call"].search([("pbx_id", "=", self.generic.id)])
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.caller_number, "+79168112233")
        self.assertEqual(self.logs.search_count([]), count + 8, "every request is logged")
        self.assertEqual(self.last_log().duplicate_count, 1)
        self.assertNotIn(self.generic.webhook_token, self.last_log().path)

    def test_settings_apply_at_once(self):
        """The webhook caches its PBX's settings: any change applies to the next
        request (token, secret, archiving, an extension's employee)."""

        def ringing(key, extension="101"):
            return {
                "event": "ringing",
                "call_id": key,
                "direction": "incoming",
                "from": "+79168112233",
                "to": "+74957554410",
                "extension": extension,
                "time": 1733555700,
            }

        self.assertJson(self.post_json(self.generic, ringing("c1")), 200, "stored")
        old_token = self.generic.webhook_token
        self.generic.action_regenerate_token()
        response = self.url_open(f"/dealer_pbx/webhook/{old_token}", data=b"{}")
        self.assertJson(response, 404)
        self.assertJson(self.post_json(self.generic, ringing("c2")), 200, "stored")
        self.generic.api_secret = "another-secret"
        self.assertJson(self.post_json(self.generic, ringing("c3")), 403)
        self.generic.api_secret = SECRET
        other = self.env["res.users"].create({"name": "Дежурный", "login": "pbx_http_duty"})
        self.generic.extension_ids.user_id = other
        self.generic.extension_ids += self.env["dealer.pbx.extension"].create(
            {"pbx_id": self.generic.id, "number": "105", "user_id": self.env.uid}
        )
        self.assertJson(self.post_json(self.generic, ringing("c4")), 200, "stored")
        self.assertJson(self.post_json(self.generic, ringing("c5", "105")), 200, "stored")
        calls = self.env["dealer.pbx.call"].search([("pbx_id", "=", self.generic.id)])
        users = {call.external_id: call.user_id for call in calls}
        self.assertEqual(users["c4"], other)
        self.assertEqual(users["c5"].id, self.env.uid)
        self.generic.active = False
        self.assertJson(self.post_json(self.generic, ringing("c6")), 404)

    def test_zadarma_echo_and_form(self):
        url = f"/dealer_pbx/webhook/{self.zadarma.webhook_token}"
        response = self.url_open(f"{url}?zd_echo=8f14e45f")
        self.assertEqual((response.status_code, response.text), (200, "8f14e45f"))
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        self.assertJson(self.url_open(f"/dealer_pbx/webhook/{self.generic.webhook_token}"), 405)
        form = {
            "event": "NOTIFY_START",
            "call_start": "2024-12-07 10:15:00",
            "pbx_call_id": "in_http1",
            "caller_id": "79168112233",
            "called_did": "74957554410",
        }
        signature = zadarma_header("79168112233749575544102024-12-07 10:15:00")
        self.assertJson(self.url_open(url, data=form, headers={"Signature": "bad"}), 403)
        ok = self.assertJson(
            self.url_open(url, data=form, headers={"Signature": signature}), 200, "stored"
        )
        self.assertEqual(ok["stored"], 1)
        call = self.env["dealer.pbx.call"].search([("external_id", "=", "in_http1")])
        self.assertEqual((call.state, call.called_number), ("ringing", "+74957554410"))
        self.assertIn("NOTIFY_START", self.last_log().body)

    def test_mango_suffixes(self):
        url = f"/dealer_pbx/webhook/{self.mango.webhook_token}"
        call = {
            "entry_id": "E1",
            "call_id": "L1",
            "timestamp": 1733555700,
            "seq": 1,
            "call_state": "Appeared",
            "location": "ivr",
            "from": {"number": "79168112233"},
            "to": {"number": "74957554410", "line_number": "74957554410"},
        }
        summary = {
            "entry_id": "E1",
            "call_direction": 1,
            "from": {"number": "79168112233"},
            "line_number": "74957554410",
            "create_time": 1733555700,
            "talk_time": 0,
            "end_time": 1733555730,
            "entry_result": 0,
        }
        self.assertJson(self.url_open(f"{url}/events/call", data=mango_form(call)), 200, "stored")
        self.assertJson(
            self.url_open(f"{url}/events/summary", data=mango_form(summary)), 200, "stored"
        )
        self.assertJson(
            self.url_open(f"{url}/events/dtmf", data=mango_form({"x": 1})), 200, "stored"
        )
        self.assertJson(self.url_open(f"{url}/nowhere", data=mango_form(call)), 404)
        self.assertJson(self.url_open(f"{url}/events/call", data=mango_form(call, salt="bad")), 403)
        generic = f"/dealer_pbx/webhook/{self.generic.webhook_token}/events/call"
        self.assertJson(self.url_open(generic, data=b"{}"), 404)
        missed = self.env["dealer.pbx.call"].search([("external_id", "=", "E1")])
        self.assertEqual((missed.state, missed.wait_seconds), ("missed", 30))
        self.assertNotIn(MANGO_KEY, self.last_log().body, "the API key is masked in the log")
        self.assertEqual(self.last_log().suffix, "events/call")
