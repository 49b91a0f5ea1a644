"""End-to-end tests: a real Odoo server on the database the test command just built
(every dealer addon installed with demo data), driven over HTTP/JSON-RPC."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_server(database, log_name="e2e-server.log", extra_args=()):
    """A real Odoo HTTP server on ``database``, serving until the block ends: its
    URL. Several may serve one database at once (the PBX scale-out test)."""
    port = _free_port()
    log_path = ROOT / ".state" / "logs" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.environ["ODOO_SRC"], "odoo-bin"),
            "-c",
            str(ROOT / "odoo.conf"),
            "--addons-path",
            os.environ["ADDONS_PATH"],
            "-d",
            database,
            "--db-filter",
            f"^{database}$",
            "--http-port",
            str(port),
            "--max-cron-threads",
            "0",
            *extra_args,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # Odoo answers HTTP while it still loads the registry, and a request in that
        # window can fail: wait for the load to finish, then for a health answer.
        for _attempt in range(240):
            if "Registry loaded" in log_path.read_text(errors="replace"):
                break
            if server.poll() is not None:
                pytest.fail(f"the Odoo server stopped: see .state/logs/{log_name}")
            time.sleep(0.5)
        else:
            pytest.fail("the Odoo server did not load its registry within 2 minutes")
        assert requests.get(f"{url}/web/health", timeout=60).status_code == 200
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def odoo_url():
    database = os.environ.get("DEALER_TEST_DB")
    if not database:
        pytest.skip("run through ./dev test, which builds the test database")
    with odoo_server(database) as url:
        yield url


class Session:
    """A logged-in web client session speaking JSON-RPC."""

    def __init__(self, url, login, password):
        self.url = url
        self.http = requests.Session()
        info = self.rpc(
            "/web/session/authenticate",
            {"db": os.environ["DEALER_TEST_DB"], "login": login, "password": password},
        )
        self.uid = info["uid"]
        # Sent with every call, as the web client does: the user's language and
        # time zone.
        self.context = info["user_context"]

    def rpc(self, path, params):
        response = self.http.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 1},
            timeout=60,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RpcError(body["error"])
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            "/web/dataset/call_kw",
            {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": {"context": self.context, **kwargs},
            },
        )


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(error["data"]["message"])
        self.name = error["data"]["name"]


@pytest.fixture(scope="session")
def login(odoo_url):
    def _login(user):
        return Session(odoo_url, user, user)

    return _login
