"""Take the README screenshots from a running Odoo with the demo data (./dev run).

    .venv/bin/python docs/screenshots/take.py [--url http://localhost:8069] [--db dealer]

Logs in as the demo supervisor (Russian), opens each screen in headless Chromium through
the DevTools protocol and writes the PNG files beside this script.
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
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

    def shot(self, url, path, wait=4.0, click=None):
        """Open ``url``; with ``click``, a CSS selector clicked once the page is there."""
        self.send("Page.navigate", url=url)
        time.sleep(wait)
        if click:
            self.send(
                "Runtime.evaluate",
                expression=f"document.querySelector({json.dumps(click)}).click()",
            )
            time.sleep(2)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"{path.name}: {url}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="dealer")
    parser.add_argument("--login", default="supervisor")
    args = parser.parse_args()

    session = requests.Session()
    session.post(
        f"{args.url}/web/session/authenticate",
        json={"params": {"db": args.db, "login": args.login, "password": args.login}},
        timeout=30,
    ).raise_for_status()

    def call(model, method, *call_args, **kwargs):
        response = session.post(
            f"{args.url}/web/dataset/call_kw",
            json={
                "params": {"model": model, "method": method, "args": call_args, "kwargs": kwargs}
            },
            timeout=30,
        ).json()
        return response["result"]

    client = call("res.partner", "search", [("name", "=", "Иванов Василий Петрович")])[0]
    vehicle = call("dealer.vehicle", "search", [("license_plate", "=", "H433AP12")])[0]

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
        # The first page builds the asset bundles: load it once before the shots.
        browser.shot(
            f"{base}/action-dealer_base.res_partner_action_clients",
            HERE / "client_card.png",
            wait=10,
        )
        browser.shot(
            f"{base}/action-dealer_base.res_partner_action_clients/{client}",
            HERE / "client_card.png",
        )
        browser.shot(
            f"{base}/action-dealer_vehicle.dealer_vehicle_action/{vehicle}",
            HERE / "vehicle_form.png",
        )
        browser.shot(
            f"{base}/action-dealer_traffic.dealer_traffic_action_register",
            HERE / "traffic_register.png",
        )
        browser.shot(
            f"{base}/action-dealer_traffic.dealer_traffic_action_journal",
            HERE / "traffic_journal.png",
        )
        browser.shot(
            f"{base}/action-dealer_base.res_partner_action_clients/{client}",
            HERE / "client_crm.png",
            click=".o_notebook .nav-link[name=dealer_crm]",
        )
        browser.shot(
            f"{base}/action-dealer_segmentation.dealer_segmentation_distribution_report_action",
            HERE / "segmentation_distribution.png",
        )
    finally:
        browser.close()


if __name__ == "__main__":
    main()
