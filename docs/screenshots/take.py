"""Take the README screenshots from a running Odoo with the demo data (./dev run).

    .venv/bin/python docs/screenshots/take.py [--url http://localhost:8069] [--db dealer]
        [--only pbx_calls pbx_popup notify_rule notify_log campaign_form complaint_form]

Logs in as the demo supervisor (Russian), opens each screen in headless Chromium through
the DevTools protocol and writes the PNG files beside this script. For the caller popup
it posts a signed call to the webhook of the demo generic PBX (as a real PBX would),
ringing the supervisor's extension there (set up by the administrator, --admin).
"""

import argparse
import base64
import hashlib
import hmac
import json
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
import websocket

HERE = Path(__file__).resolve().parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self):
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="dealer-shots-")
        self.process = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1440,900",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                pages = requests.get(f"http://127.0.0.1:{self.port}/json/list", timeout=1).json()
                target = next(p for p in pages if p["type"] == "page")
                break
            except (requests.ConnectionError, StopIteration):
                time.sleep(0.2)
        else:
            raise RuntimeError("Chromium did not start")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def evaluate(self, expression):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)

    def wait_for(self, selector, timeout=20.0):
        """Wait until the page has an element matching ``selector``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.evaluate(f"!!document.querySelector({json.dumps(selector)})")
            if found.get("result", {}).get("value"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{selector} did not appear")

    def shot(self, url, path, wait=4.0, click=None, then=None):
        """Open ``url``; with ``click``, a CSS selector clicked once the page is there;
        with ``then``, a function called (with the browser) before the capture. Without
        ``path``, the page is only loaded."""
        self.send("Page.navigate", url=url)
        time.sleep(wait)
        if click:
            self.evaluate(f"document.querySelector({json.dumps(click)}).click()")
            time.sleep(2)
        if then:
            then(self)
        if path is None:
            return
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"{path.name}: {url}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(url, db, user):
    """A requests session logged in as ``user`` (password = login) and its RPC caller."""
    session = requests.Session()
    response = session.post(
        f"{url}/web/session/authenticate",
        json={"params": {"db": db, "login": user, "password": user}},
        timeout=30,
    )
    response.raise_for_status()
    uid = response.json()["result"]["uid"]

    def call(model, method, *call_args, **kwargs):
        response = session.post(
            f"{url}/web/dataset/call_kw",
            json={
                "params": {"model": model, "method": method, "args": call_args, "kwargs": kwargs}
            },
            timeout=60,
        ).json()
        if "error" in response:
            raise RuntimeError(f"{model}.{method}: {response['error']['data']['message']}")
        return response["result"]

    return session, uid, call


class DemoCall:
    """A call to the demo generic PBX's webhook, posted and signed as a PBX does
    (``X-Dealer-Signature: sha256=<hex HMAC-SHA256(API secret, raw body)>``), ringing the
    extension of ``user_id``. The administrator's RPC gives that user an extension and
    the PBX a line when the demo data has none (the demo generic PBX comes without)."""

    def __init__(self, url, admin_session, admin, user_id):
        self.url = url
        self.session = admin_session
        self.admin = admin
        self.key = f"screenshot-{int(time.time())}"
        self.call_ids = []
        pbx_id = self._ref(admin, "dealer_pbx", "demo_pbx_generic")
        pbx = admin("dealer.pbx", "read", [pbx_id], ["webhook_token", "api_secret"])[0]
        self.token, self.secret = pbx["webhook_token"], pbx["api_secret"]
        lines = admin("dealer.pbx.line", "search", [("pbx_id", "=", pbx_id)], limit=1)
        if not lines:
            values = {
                "pbx_id": pbx_id,
                "number": "+7 (495) 755-44-30",
                "name": "Сервис — колл-трекинг сайта",
                "source_id": self._ref(admin, "dealer_traffic", "utm_source_website"),
                "user_id": user_id,
            }
            lines = [admin("dealer.pbx.line", "create", values)]
        self.line = admin("dealer.pbx.line", "read", lines, ["number"])[0]["number"]
        mine = [("pbx_id", "=", pbx_id), ("user_id", "=", user_id)]
        extensions = admin("dealer.pbx.extension", "search_read", mine, ["number"], limit=1)
        if not extensions:
            values = {"pbx_id": pbx_id, "number": "300", "user_id": user_id}
            admin("dealer.pbx.extension", "create", values)
            extensions = [values]
        self.extension = extensions[0]["number"]

    @staticmethod
    def _ref(admin, module, name):
        domain = [("module", "=", module), ("name", "=", name)]
        return admin("ir.model.data", "search_read", domain, ["res_id"])[0]["res_id"]

    def post(self, *events):
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        body = json.dumps([{"call_id": self.key, "time": now, **event} for event in events])
        signature = hmac.new(self.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        response = self.session.post(
            f"{self.url}/dealer_pbx/webhook/{self.token}",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "X-Dealer-Signature": f"sha256={signature}",
            },
            timeout=60,
        )
        response.raise_for_status()
        self.call_ids = sorted({*self.call_ids, *response.json()["calls"]})

    def ring(self, number):
        """``number`` calls the line; the extension rings."""
        self.post(
            {
                "event": "ringing",
                "direction": "incoming",
                "from": number,
                "to": self.line,
                "line": self.line,
            },
            {"event": "ringing", "extension": self.extension},
        )

    def finish(self):
        """The call was staged for the picture: out of the demo call log again."""
        if self.call_ids:
            self.admin("dealer.pbx.call", "unlink", self.call_ids)


def complaint_shots(shot, call, base):
    """An appeal waiting for the approval of its answer, and the appeals journal."""
    appeal = call("dealer.complaint", "search", [("state", "=", "closing")], limit=1)[0]
    shot(
        f"{base}/action-dealer_complaint.action_dealer_complaint/{appeal}",
        "complaint_form",
        then=lambda browser: browser.wait_for(".o_form_view .o_field_widget") or time.sleep(1),
    )
    shot(
        f"{base}/action-dealer_complaint.action_dealer_complaint",
        "complaint_journal",
        then=lambda browser: browser.wait_for(".o_data_row") or time.sleep(1),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="dealer")
    parser.add_argument("--login", default="supervisor")
    parser.add_argument("--admin", default="admin", help="sets up the demo PBX for the popup")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these shots (file stems) only")
    args = parser.parse_args()

    session, uid, call = login(args.url, args.db, args.login)
    admin_session, _admin_uid, admin = login(args.url, args.db, args.admin)

    client = call("res.partner", "search", [("name", "=", "Иванов Василий Петрович")])[0]
    vehicle = call("dealer.vehicle", "search", [("license_plate", "=", "H433AP12")])[0]
    client_mobile = call(
        "dealer.partner.phone",
        "search_read",
        [("partner_id", "=", client), ("phone_type", "=", "mobile")],
        ["number"],
    )[0]["number"]
    demo_call = DemoCall(args.url, admin_session, admin, uid)

    def ring(browser):
        """The client calls while the tab is on the bus: the supervisor's popup."""
        demo_call.ring(client_mobile)
        browser.wait_for(".o_dealer_pbx_popup .o_dealer_pbx_client")
        time.sleep(2)

    browser = Browser()
    try:
        browser.send("Network.enable")
        browser.send(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=args.url,
        )
        base = f"{args.url}/odoo"

        def shot(url, name, **kwargs):
            """Write ``name``.png beside this script, unless --only leaves it out."""
            if not args.only or name in args.only:
                browser.shot(url, HERE / f"{name}.png", **kwargs)

        # The first page builds the asset bundles: load it once before the shots.
        browser.shot(
            f"{base}/action-dealer_base.res_partner_action_clients",
            None,
            wait=10,
        )
        shot(
            f"{base}/action-dealer_base.res_partner_action_clients/{client}",
            "client_card",
        )
        shot(
            f"{base}/action-dealer_vehicle.dealer_vehicle_action/{vehicle}",
            "vehicle_form",
        )
        shot(
            f"{base}/action-dealer_traffic.dealer_traffic_action_register",
            "traffic_register",
        )
        shot(
            f"{base}/action-dealer_traffic.dealer_traffic_action_journal",
            "traffic_journal",
        )
        shot(
            f"{base}/action-dealer_base.res_partner_action_clients/{client}",
            "client_crm",
            click=".o_notebook .nav-link[name=dealer_crm]",
        )
        shot(
            f"{base}/action-dealer_segmentation.dealer_segmentation_distribution_report_action",
            "segmentation_distribution",
        )
        shot(
            f"{base}/action-dealer_pbx.dealer_pbx_call_action",
            "pbx_calls",
            then=lambda browser: browser.wait_for(".o_data_row") or time.sleep(1),
        )
        rule = call(
            "dealer.notification.rule", "search", [("kind", "=", "appointment_day_before")]
        )[0]
        shot(
            f"{base}/action-dealer_notify.dealer_notification_rule_action/{rule}",
            "notify_rule",
        )
        shot(
            f"{base}/action-dealer_notify.dealer_notification_action",
            "notify_log",
            then=lambda browser: browser.wait_for(".o_data_row") or time.sleep(1),
        )
        campaign = call("dealer.campaign", "search", [("state", "=", "running")], limit=1)[0]
        shot(
            f"{base}/action-dealer_campaign.dealer_campaign_action/{campaign}",
            "campaign_form",
        )
        complaint_shots(shot, call, base)
        try:
            # The tab must be on the bus (its websocket open) before the call rings.
            shot(
                f"{base}/action-dealer_traffic.dealer_traffic_action_journal",
                "pbx_popup",
                wait=6,
                then=ring,
            )
        finally:
            demo_call.finish()
    finally:
        browser.close()


if __name__ == "__main__":
    main()
