"""Click-to-dial over real HTTP: one fake vendor server per provider on loopback
checks each request as the vendor does (Zadarma's API signature, Mango's sign, the
bridge's HMAC) and answers success or the vendor's own error."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..adapters import DialError, get_adapter
from .common import MANGO_KEY, MANGO_SALT, SECRET, ZADARMA_KEY, ZADARMA_SECRET, PbxCase

NUMBER = "+79168112233"


class FakeVendor(ThreadingHTTPServer):
    """A vendor's API on 127.0.0.1: ``check(handler, body)`` returns ``(status,
    payload)``; every request is kept in ``requests``."""

    daemon_threads = True

    def __init__(self, check):
        self.check = check
        self.requests = []
        self.delay = 0
        super().__init__(("127.0.0.1", 0), VendorHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class VendorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        if self.server.delay:
            time.sleep(self.server.delay)
        status, payload = self.server.check(self, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


@contextmanager
def serving(check):
    server = FakeVendor(check)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port():
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the vendors' checks, written from their documentation, not from the addon ------------
def zadarma_check(refuse=None):
    """Zadarma's API: ``GET /v1/request/callback/``, ``Authorization: key:signature``
    with signature = base64(hex(HMAC-SHA1(secret, method + query + md5(query)))) over
    the parameters sorted by name."""

    def check(handler, body):
        url = urlsplit(handler.path)
        if handler.command != "GET" or url.path != "/v1/request/callback/":
            return 404, {"status": "error", "message": "Method not found"}
        params = parse_qsl(url.query, keep_blank_values=True)
        if [name for name, _value in params] != sorted(name for name, _value in params):
            return 401, {"status": "error", "message": "Not authorized"}
        digest = hashlib.md5(url.query.encode()).hexdigest()
        string = f"{url.path}{url.query}{digest}"
        sign = hmac.new(ZADARMA_SECRET.encode(), string.encode(), hashlib.sha1).hexdigest()
        expected = f"{ZADARMA_KEY}:{base64.b64encode(sign.encode()).decode()}"
        if handler.headers.get("Authorization") != expected:
            return 401, {"status": "error", "message": "Not authorized"}
        values = dict(params)
        if values.get("format") != "json" or not values.get("from") or not values.get("to"):
            return 400, {"status": "error", "message": "Wrong parameters"}
        if refuse:
            return 200, {"status": "error", "message": refuse}
        return 200, {"status": "success", "from": values["from"], "to": values["to"], "time": 1}

    return check


def mango_check(refuse=None):
    """Mango's API: ``POST .../commands/callback`` of a form ``vpbx_api_key``, ``sign``,
    ``json`` with sign = sha256_hex(key + json + salt); ``{"result": 1000}`` or a code."""

    def check(handler, body):  # noqa: PLR0911 (one answer per error of the vendor)
        if handler.command != "POST" or urlsplit(handler.path).path != "/vpbx/commands/callback":
            return 404, {"result": 3000}
        if not handler.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return 200, {"result": 3000}
        form = dict(parse_qsl(body.decode()))
        if form.get("vpbx_api_key") != MANGO_KEY:
            return 200, {"result": 3105}
        json_text = form.get("json", "")
        sign = hashlib.sha256(f"{MANGO_KEY}{json_text}{MANGO_SALT}".encode()).hexdigest()
        if form.get("sign") != sign:
            return 200, {"result": 3102}
        document = json.loads(json_text)
        if (
            not document.get("command_id")
            or not isinstance(document.get("from"), dict)
            or not document["from"].get("extension")
            or not str(document.get("to_number", "")).isdigit()
        ):
            return 200, {"result": 3103}
        if refuse:
            return 200, {"result": refuse}
        return 200, {"result": 1000}

    return check


def bridge_check(path="/originate", refuse=None):
    """The addon's AMI bridge (or a generic PBX's callback URL): JSON signed
    ``X-Dealer-Signature: sha256=<hex HMAC-SHA256(secret, body)>``."""

    def check(handler, body):
        if handler.command != "POST" or urlsplit(handler.path).path != path:
            return 404, {"error": "not found"}
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if handler.headers.get("X-Dealer-Signature") != f"sha256={digest}":
            return 403, {"error": "bad or missing signature"}
        data = json.loads(body)
        if not data.get("extension") or not data.get("number"):
            return 400, {"error": "extension is missing or invalid"}
        if refuse:
            return 502, {"error": refuse}
        return 200, {"ok": True, "actionid": "dealer-1"}

    return check


@tagged("post_install", "-at_install")
class TestDial(PbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.traffic = cls.env["dealer.traffic"].create(
            {
                "channel_id": cls.env.ref("dealer_traffic.channel_call").id,
                "direction_id": cls.service.id,
                "goal_id": cls.env.ref("dealer_traffic.goal_service_repair").id,
                "partner_id": cls.client.id,
                "contact_phone": "8 916 811-22-33",
            }
        )
        cls.task = cls.env["project.task"].create(
            {
                "name": "Перезвонить клиенту",
                "partner_id": cls.client.id,
                "project_id": cls.env["project.project"].create({"name": "Звонки"}).id,
            }
        )

    def use(self, provider, **values):
        """Only ``provider``'s PBX is active, configured with ``values``."""
        for name, pbx in self.pbx.items():
            pbx.active = name == provider
        self.pbx[provider].write(values)
        return self.pbx[provider]

    def dial(self, record=None, user=None, number=None):
        record = (record or self.client).with_user(user or self.consultant)
        if number:
            record = record.with_context(dealer_dial_number=number)
        return record.action_dealer_pbx_dial()

    # --- Zadarma -----------------------------------------------------------------------------
    def test_zadarma_callback(self):
        with serving(zadarma_check()) as vendor:
            self.use("zadarma", api_url=vendor.url)
            action = self.dial()
        self.assertEqual(len(vendor.requests), 1)
        query = dict(parse_qsl(urlsplit(vendor.requests[0]["path"]).query))
        self.assertEqual(query, {"format": "json", "from": "101", "to": "79168112233"})
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(NUMBER, action["params"]["title"])
        self.assertIn("101", action["params"]["message"])

    def test_zadarma_refuses_with_its_message(self):
        with serving(zadarma_check(refuse="Incorrect phone number")) as vendor:
            self.use("zadarma", api_url=vendor.url)
            with self.assertRaises(UserError) as caught:
                self.dial()
        message = str(caught.exception)
        self.assertIn("refused to call +79168112233 from extension 101", message)
        self.assertIn("Incorrect phone number", message)

    def test_zadarma_wrong_secret_is_not_authorized(self):
        with serving(zadarma_check()) as vendor:
            self.use("zadarma", api_url=vendor.url, api_secret="not-the-secret")
            with self.assertRaises(UserError) as caught:
                self.dial()
        self.assertIn("Not authorized", str(caught.exception))

    # --- Mango ---------------------------------------------------------------------------------
    def test_mango_callback(self):
        with serving(mango_check()) as vendor:
            self.use("mango", api_url=f"{vendor.url}/vpbx")
            self.dial(self.traffic)
        form = dict(parse_qsl(vendor.requests[0]["body"].decode()))
        document = json.loads(form["json"])
        self.assertEqual(document["from"], {"extension": "101"})
        self.assertEqual(document["to_number"], "79168112233")
        self.assertTrue(document["command_id"].startswith("dealer-"))

    def test_mango_refusal_and_wrong_sign_show_the_code(self):
        with serving(mango_check(refuse=4200)) as vendor:
            self.use("mango", api_url=f"{vendor.url}/vpbx")
            with self.assertRaises(UserError) as caught:
                self.dial(self.task)
            self.assertIn("4200: the subscriber cannot be reached now", str(caught.exception))
            self.pbx["mango"].api_secret = "wrong-salt"
            with self.assertRaises(UserError) as caught:
                self.dial(self.task)
            self.assertIn("3102: the sign does not match", str(caught.exception))

    # --- Asterisk through the bridge ----------------------------------------------------------
    def test_asterisk_originate_through_the_bridge(self):
        with serving(bridge_check()) as bridge:
            self.use("asterisk", bridge_url=f"{bridge.url}/")
            self.dial(self.client, number="8 (916) 811-22-33")
        sent = json.loads(bridge.requests[0]["body"])
        self.assertEqual(sent, {"extension": "101", "number": NUMBER})

    def test_asterisk_bridge_refuses(self):
        with serving(bridge_check(refuse="Extension 101 is not registered")) as bridge:
            self.use("asterisk", bridge_url=bridge.url)
            with self.assertRaises(UserError) as caught:
                self.dial(self.traffic)
        self.assertIn("Extension 101 is not registered", str(caught.exception))

    def test_asterisk_bridge_unreachable(self):
        self.use("asterisk", bridge_url=f"http://127.0.0.1:{closed_port()}")
        with self.assertRaises(UserError) as caught:
            self.dial()
        message = str(caught.exception)
        self.assertIn("The PBX Test asterisk could not be reached to call +79168112233", message)
        self.assertIn("dial the number by hand", message)

    # --- generic -------------------------------------------------------------------------------
    def test_generic_callback_url(self):
        with serving(bridge_check(path="/dealer/dial")) as pbx:
            self.use("generic", dial_url=f"{pbx.url}/dealer/dial")
            self.dial(self.task)
        sent = json.loads(pbx.requests[0]["body"])
        self.assertEqual(sent, {"extension": "101", "number": NUMBER})

    def test_generic_without_url_is_not_supported(self):
        self.use("generic", dial_url=False)
        with self.assertRaises(UserError) as caught:
            self.dial()
        self.assertIn("cannot place calls from Odoo", str(caught.exception))

    def test_wrong_secret_refused_by_the_generic_pbx(self):
        with serving(bridge_check(path="/dial")) as pbx:
            self.use("generic", dial_url=f"{pbx.url}/dial", api_secret="another-secret")
            with self.assertRaises(UserError) as caught:
                self.dial()
        self.assertIn("bad or missing signature", str(caught.exception))

    # --- who calls, which number ----------------------------------------------------------------
    def test_no_extension(self):
        self.use("zadarma")
        stranger = new_test_user(self.env, "pbx_no_ext", groups="dealer_base.group_dealer_operator")
        with self.assertRaises(UserError) as caught:
            self.dial(user=stranger)
        self.assertIn("You have no extension", str(caught.exception))
        employee = new_test_user(self.env, "pbx_plain_user", groups="base.group_user")
        with self.assertRaises(UserError) as caught:
            self.dial(self.client, user=employee, number=NUMBER)
        self.assertIn("You have no extension", str(caught.exception))

    def test_no_number_and_not_a_number(self):
        self.use("zadarma")
        nobody = self.env["res.partner"].create({"name": "Без Телефона"})
        with self.assertRaises(UserError) as caught:
            self.dial(nobody)
        self.assertIn("no phone number to call", str(caught.exception))
        with self.assertRaises(UserError) as caught:
            self.dial(nobody, number="12")
        self.assertIn("12 is not a phone number", str(caught.exception))

    def test_unsaved_record_dials_the_number_given(self):
        with serving(bridge_check()) as bridge:
            self.use("asterisk", bridge_url=bridge.url)
            self.env["dealer.pbx.extension"].create(
                {"pbx_id": self.pbx["asterisk"].id, "number": "105", "user_id": self.operator.id}
            )
            self.env["dealer.traffic"].with_user(self.operator).with_context(
                dealer_dial_number="+7 916 811-22-33"
            ).browse().action_dealer_pbx_dial()
        self.assertEqual(
            json.loads(bridge.requests[0]["body"]), {"extension": "105", "number": NUMBER}
        )

    def test_adapter_timeout_is_unreachable(self):
        with serving(bridge_check()) as bridge:
            bridge.delay = 1
            adapter = get_adapter("asterisk", api_secret=SECRET)
            with self.assertRaises(DialError) as caught:
                adapter.originate("101", NUMBER, url=bridge.url, timeout=0.2)
        self.assertTrue(caught.exception.unreachable)
