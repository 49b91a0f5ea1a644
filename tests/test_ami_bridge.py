"""The dealer_pbx AMI bridge (addons/dealer_pbx/bridge/ami_bridge.py) against a fake
Asterisk Manager Interface and a fake Odoo webhook, both on loopback: no Odoo needed."""

import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BRIDGE_PATH = ROOT / "addons" / "dealer_pbx" / "bridge" / "ami_bridge.py"

_spec = importlib.util.spec_from_file_location("dealer_pbx_ami_bridge", BRIDGE_PATH)
ami_bridge = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = ami_bridge
_spec.loader.exec_module(ami_bridge)

AMI_USER, AMI_SECRET = "dealer-bridge", "ami-Secret-1"
HMAC_SECRET = "webhook-Secret-42"


def wait_until(predicate, timeout=3.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signature(body):
    return "sha256=" + hmac.new(HMAC_SECRET.encode(), body, hashlib.sha256).hexdigest()


def ami_block(message):
    return "".join(f"{key}: {value}\r\n" for key, value in message.items()) + "\r\n"


def call_event(name, uniqueid, **fields):
    return {"Event": name, "Privilege": "call,all", "Uniqueid": uniqueid, **fields}


# --------------------------------------------------------------------------- fake AMI
class FakeAmi:
    """Speaks AMI as Asterisk does: banner, Login, events, Ping, Originate, Logoff."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.actions = []  # every action received, as dicts
        self.logins = []  # (monotonic time, accepted)
        self.clients = []  # authenticated sockets
        self.refuse_logins = 0
        self.answer_pings = True
        self.before_login_answer = []  # events written ahead of the answer to Login
        self.originate_answer = {"Response": "Success", "Message": "Originate successfully queued"}
        self.closed = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.closed.is_set():
            try:
                conn, _address = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _send(self, conn, *messages):
        with contextlib.suppress(OSError):
            conn.sendall("".join(ami_block(message) for message in messages).encode())

    def _serve(self, conn):
        conn.settimeout(0.1)
        conn.sendall(b"Asterisk Call Manager/9.0.0\r\n")
        try:
            self._read_actions(conn)
        finally:
            with self.lock:
                if conn in self.clients:
                    self.clients.remove(conn)
            conn.close()

    def _read_actions(self, conn):
        buffer = b""
        while not self.closed.is_set():
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                block, buffer = buffer.split(b"\r\n\r\n", 1)
                action = dict(line.split(": ", 1) for line in block.decode().split("\r\n"))
                with self.lock:
                    self.actions.append(action)
                if not self._answer(conn, action):
                    return

    def _answer(self, conn, action):
        """Answer one action; False closes the connection."""
        reply = {"Response": "Success", "ActionID": action.get("ActionID", "")}
        name = action["Action"]
        if name == "Login":
            with self.lock:
                accepted = (
                    action.get("Username") == AMI_USER
                    and action.get("Secret") == AMI_SECRET
                    and self.refuse_logins <= 0
                )
                self.refuse_logins -= 1
            if not accepted:
                with self.lock:
                    self.logins.append((time.monotonic(), accepted))
                self._send(conn, {**reply, "Response": "Error", "Message": "Authentication failed"})
                return False
            self._send(
                conn,
                *self.before_login_answer,
                {**reply, "Message": "Authentication accepted"},
                {"Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"},
            )
            # As Asterisk: events only after the answer to Login.
            with self.lock:
                self.logins.append((time.monotonic(), accepted))
                self.clients.append(conn)
        elif name == "Ping":
            if self.answer_pings:
                self._send(conn, {**reply, "Ping": "Pong", "Timestamp": f"{time.time():.6f}"})
        elif name == "Originate":
            self._send(conn, {**self.originate_answer, "ActionID": action["ActionID"]})
        elif name == "Logoff":
            self._send(
                conn, {**reply, "Response": "Goodbye", "Message": "Thanks for all the fish."}
            )
            return False
        else:
            self._send(conn, {**reply, "Response": "Error", "Message": "Invalid/unknown command"})
        return True

    def push(self, *events, split=False):
        """Send events to every logged-in client, in one write (or cut in the middle)."""
        data = "".join(ami_block(event) for event in events).encode()
        with self.lock:
            clients = list(self.clients)
        for conn in clients:
            if split:
                conn.sendall(data[: len(data) // 2 + 3])
                time.sleep(0.05)
                conn.sendall(data[len(data) // 2 + 3 :])
            else:
                with contextlib.suppress(OSError):  # a client closing meanwhile
                    conn.sendall(data)

    def kick(self):
        with self.lock:
            clients, self.clients = self.clients, []
        for conn in clients:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def accepted_logins(self):
        with self.lock:
            return [at for at, accepted in self.logins if accepted]

    def actions_named(self, name):
        with self.lock:
            return [action for action in self.actions if action["Action"] == name]

    def close(self):
        self.kick()
        self.closed.set()
        for thread in self.threads:
            thread.join(timeout=2)
        self.listener.close()


# --------------------------------------------------------------------------- fake Odoo
class FakeOdoo:
    """The dealer_pbx webhook: checks the signature, records the batches, answers
    what `answer(events)` says (200 by default)."""

    def __init__(self, port=0):
        self.batches = []  # accepted batches
        self.requests = []  # (status, events) of every request
        self.bad_signatures = 0
        self.answer = lambda events: 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("X-Dealer-Signature") != signature(body):
                    fake.bad_signatures += 1
                    status, events = 403, None
                else:
                    assert self.headers["Content-Type"] == "application/json"
                    events = json.loads(body)["events"]
                    status = fake.answer(events)
                fake.requests.append((status, events))
                if status == 200:
                    fake.batches.append(events)
                answer = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dealer_pbx/webhook/tok"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def events(self):
        return [event for batch in self.batches for event in batch]

    def uniqueids(self):
        return [event["Uniqueid"] for event in self.events]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def ami():
    server = FakeAmi()
    yield server
    server.close()


@pytest.fixture
def odoo():
    server = FakeOdoo()
    yield server
    server.close()


@pytest.fixture
def make_bridge():
    bridges = []

    def _make(ami_port, webhook_url, **overrides):
        settings = {
            "ami_port": ami_port,
            "ami_username": AMI_USER,
            "ami_secret": AMI_SECRET,
            "webhook_url": webhook_url,
            "hmac_secret": HMAC_SECRET,
            "listen": "127.0.0.1:0",
            "connect_timeout": 2.0,
            "action_timeout": 2.0,
            "reconnect_min": 0.05,
            "reconnect_max": 0.2,
            "retry_min": 0.05,
            "retry_max": 0.2,
            "batch_linger": 0.02,
            "webhook_timeout": 2.0,
            "shutdown_flush": 0.5,
            **overrides,
        }
        config = ami_bridge.Config(**settings)
        config.validate()
        bridge = ami_bridge.Bridge(config).start()
        bridges.append(bridge)
        return bridge

    yield _make
    for bridge in bridges:
        bridge.stop()


def connected(ami, count=1, timeout=3.0):
    assert wait_until(lambda: len(ami.accepted_logins()) >= count, timeout), "no AMI login"
    assert wait_until(lambda: len(ami.clients) >= 1)


def originate(bridge, payload, sign=True):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if sign:
        headers["X-Dealer-Signature"] = signature(body)
    host, port = bridge.http_address
    return requests.post(f"http://{host}:{port}/originate", data=body, headers=headers, timeout=5)


# --------------------------------------------------------------------------- forwarding
def test_logs_in_and_forwards_call_events_signed_in_order_with_timestamps(ami, odoo, make_bridge):
    make_bridge(ami.port, odoo.url)
    connected(ami)
    login = ami.actions_named("Login")[0]
    assert login["Username"] == AMI_USER and login["Secret"] == AMI_SECRET
    assert login["Events"] == "on" and login["ActionID"]

    linkedid = "1733551234.10"
    ami.push(
        call_event(
            "Newchannel",
            "1733551234.10",
            Channel="PJSIP/trunk-00000001",
            Linkedid=linkedid,
            CallerIDNum="+79161234567",
            Exten="74951234567",
            Timestamp="1733551234.123456",
        ),
        {"Event": "RTCPSent", "Privilege": "reporting,all", "Uniqueid": "rtcp"},
        call_event("Newchannel", "1733551234.11", Channel="Local/101@from-queue-00000002;1"),
        call_event("VarSet", "varset-other", Variable="SIPCALLID", Value="abc@host"),
        call_event("DialBegin", "1733551234.10", DestChannel="PJSIP/101-00000003"),
        call_event("Newstate", "1733551234.12", ChannelStateDesc="Ringing"),
        {"Event": "PeerStatus", "Privilege": "system,all", "Uniqueid": "peer"},
        call_event("DialEnd", "1733551234.10", DialStatus="ANSWER"),
        call_event("BridgeEnter", "1733551234.12", BridgeUniqueid="b-1"),
        call_event("VarSet", "1733551234.12", Variable="MIXMONITOR_FILENAME", Value="/r/1.wav"),
        call_event("BridgeLeave", "1733551234.12", BridgeUniqueid="b-1"),
        call_event("Hangup", "1733551234.10", Cause="16", **{"Cause-txt": "Normal Clearing"}),
        {
            "Event": "Cdr",
            "Privilege": "cdr,all",
            "Uniqueid": "1733551234.10",
            "Disposition": "ANSWERED",
        },
        split=True,
    )
    expected = [
        "1733551234.10",
        "1733551234.11",
        "1733551234.10",
        "1733551234.12",
        "1733551234.10",
        "1733551234.12",
        "1733551234.12",
        "1733551234.12",
        "1733551234.10",
        "1733551234.10",
    ]
    assert wait_until(lambda: len(odoo.events) >= len(expected))
    time.sleep(0.1)
    events = odoo.events
    assert odoo.bad_signatures == 0
    assert [event["Uniqueid"] for event in events] == expected
    assert [event["Event"] for event in events] == [
        "Newchannel",
        "Newchannel",
        "DialBegin",
        "Newstate",
        "DialEnd",
        "BridgeEnter",
        "VarSet",
        "BridgeLeave",
        "Hangup",
        "Cdr",
    ]
    # AMI's own keys, untouched; Local/ channels are forwarded (Odoo's adapter filters).
    assert events[0]["Channel"] == "PJSIP/trunk-00000001"
    assert events[0]["CallerIDNum"] == "+79161234567" and events[0]["Linkedid"] == linkedid
    assert events[1]["Channel"].startswith("Local/")
    assert events[6]["Value"] == "/r/1.wav"
    assert events[8]["Cause-txt"] == "Normal Clearing"
    # AMI's Timestamp is kept; the bridge stamps the events without one.
    assert events[0]["Timestamp"] == "1733551234.123456"
    for event in events[1:]:
        assert re.fullmatch(r"\d{10}\.\d{6}", event["Timestamp"])
        assert abs(float(event["Timestamp"]) - time.time()) < 10
    # Nothing else: FullyBooted, RTCPSent, PeerStatus and other VarSets stay home.
    assert not {"varset-other", "rtcp", "peer"} & set(odoo.uniqueids())


def test_an_event_written_before_the_login_answer_is_forwarded(ami, odoo, make_bridge):
    ami.before_login_answer = [call_event("Newchannel", "early-1", Channel="PJSIP/trunk-1")]
    make_bridge(ami.port, odoo.url)
    connected(ami)
    ami.push(call_event("Hangup", "late-2"))
    assert wait_until(lambda: len(odoo.events) >= 2)
    assert [event["Uniqueid"] for event in odoo.events] == ["early-1", "late-2"]


def test_many_events_arrive_in_order_across_batches(ami, odoo, make_bridge):
    make_bridge(ami.port, odoo.url, batch_size=7)
    connected(ami)
    ids = [f"u{index:03d}" for index in range(60)]
    for start in range(0, 60, 15):
        ami.push(*(call_event("Newstate", uid) for uid in ids[start : start + 15]))
    assert wait_until(lambda: len(odoo.events) >= 60)
    assert odoo.uniqueids() == ids
    assert max(len(batch) for batch in odoo.batches) <= 7


def test_reconnects_after_ami_drops_with_backoff_and_events_continue(ami, odoo, make_bridge):
    bridge = make_bridge(ami.port, odoo.url, reconnect_min=0.2, reconnect_max=1.0)
    connected(ami)
    ami.push(call_event("Newchannel", "before"))
    assert wait_until(lambda: odoo.uniqueids() == ["before"])

    # Two refused logins after the drop: the delays grow (jitter keeps each in [d/2, d]).
    ami.refuse_logins = 2
    dropped_at = time.monotonic()
    ami.kick()
    connected(ami, count=2)
    assert bridge.connected
    with ami.lock:
        attempts = [at for at, _accepted in ami.logins][1:]
    assert [accepted for _at, accepted in ami.logins] == [True, False, False, True]
    gaps = [attempts[0] - dropped_at, attempts[1] - attempts[0], attempts[2] - attempts[1]]
    assert 0.09 <= gaps[0] < 0.6  # 0.2 s jittered
    assert 0.19 <= gaps[1] < 0.9  # 0.4 s jittered
    assert 0.39 <= gaps[2] < 1.5  # 0.8 s jittered

    ami.push(call_event("Newchannel", "after"), call_event("Hangup", "after"))
    assert wait_until(lambda: len(odoo.events) == 3)
    assert odoo.uniqueids() == ["before", "after", "after"]


def test_keepalive_pings_and_reconnects_when_pong_stops(ami, odoo, make_bridge):
    make_bridge(ami.port, odoo.url, ping_interval=0.15, ping_timeout=0.3)
    connected(ami)
    assert wait_until(lambda: len(ami.actions_named("Ping")) >= 2)
    assert all(ping["ActionID"] for ping in ami.actions_named("Ping"))
    assert len(ami.accepted_logins()) == 1  # answered pings keep the session
    ami.answer_pings = False
    assert wait_until(lambda: len(ami.accepted_logins()) >= 2), "no reconnect without Pong"


def test_backoff_is_exponential_capped_and_jittered():
    backoff = ami_bridge.Backoff(0.1, 1.0)
    delays = [backoff.next_delay() for _index in range(8)]
    for delay, ceiling in zip(delays, [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 0.1
    assert len({round(ami_bridge.Backoff(1, 1).next_delay(), 6) for _i in range(20)}) > 1


# --------------------------------------------------------------------------- webhook down
def test_odoo_5xx_buffers_and_delivers_everything_once_in_order(ami, odoo, make_bridge):
    failures = {"left": 4}

    def answer(_events):
        if failures["left"] > 0:
            failures["left"] -= 1
            return 503
        return 200

    odoo.answer = answer
    make_bridge(ami.port, odoo.url, batch_size=3)
    connected(ami)
    ami.push(*(call_event("Newstate", f"a{index}") for index in range(4)))
    assert wait_until(lambda: failures["left"] <= 2)
    ami.push(*(call_event("Newstate", f"b{index}") for index in range(4)))
    expected = [f"a{index}" for index in range(4)] + [f"b{index}" for index in range(4)]
    assert wait_until(lambda: len(odoo.events) >= 8)
    time.sleep(0.1)
    assert odoo.uniqueids() == expected
    assert [status for status, _events in odoo.requests[:4]] == [503] * 4


def test_odoo_unreachable_then_back_gets_the_buffered_events_in_order(ami, make_bridge):
    port = free_port()
    bridge = make_bridge(ami.port, f"http://127.0.0.1:{port}/dealer_pbx/webhook/tok")
    connected(ami)
    ami.push(*(call_event("Newchannel", f"c{index}") for index in range(5)))
    time.sleep(0.4)  # a few refused connections
    assert bridge.forwarded == 0
    ami.push(call_event("Hangup", "c5"))
    odoo = FakeOdoo(port)
    try:
        assert wait_until(lambda: len(odoo.events) >= 6)
        assert odoo.uniqueids() == [f"c{index}" for index in range(6)]
        assert wait_until(lambda: bridge.forwarded == 6)
    finally:
        odoo.close()


def test_buffer_is_bounded_and_drops_the_oldest_with_a_count(caplog):
    buffer = ami_bridge.EventBuffer(3)
    for index in range(5):
        buffer.put({"Uniqueid": str(index)})
    buffer.report_drops(force=True)
    assert buffer.dropped == 2
    assert [event["Uniqueid"] for event in buffer.take(10, 0)] == ["2", "3", "4"]
    assert "dropped the 1 oldest event(s), 2 in all" in caplog.text


def test_a_refused_event_is_isolated_logged_and_not_retried(ami, odoo, make_bridge, tmp_path):
    odoo.answer = lambda events: 400 if any(e["Uniqueid"] == "bad" for e in events) else 200
    make_bridge(ami.port, odoo.url, buffer_dir=str(tmp_path))
    connected(ami)
    ami.push(
        call_event("Newchannel", "good1"),
        call_event("Newchannel", "bad"),
        call_event("Newchannel", "good2"),
        call_event("Hangup", "good3"),
    )
    assert wait_until(lambda: len(odoo.events) >= 3)
    time.sleep(0.3)
    count = len(odoo.requests)
    time.sleep(0.3)
    assert len(odoo.requests) == count, "a refused batch is retried"
    assert odoo.uniqueids() == ["good1", "good2", "good3"]
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert [(r["status"], r["event"]["Uniqueid"]) for r in rejected] == [(400, "bad")]


def test_a_refusing_endpoint_drops_the_batch_instead_of_retrying_forever(ami, odoo, make_bridge):
    odoo.answer = lambda events: 404
    bridge = make_bridge(ami.port, odoo.url)
    connected(ami)
    ami.push(call_event("Newchannel", "x1"), call_event("Hangup", "x1"))
    assert wait_until(lambda: sum(len(events) for _s, events in odoo.requests) >= 2)
    time.sleep(0.4)
    assert sum(len(events) for _s, events in odoo.requests) == 2
    assert len(bridge.buffer) == 0 and bridge.forwarded == 0


# --------------------------------------------------------------------------- originate
def test_originate_sends_the_ami_action_and_answers_its_action_id(ami, odoo, make_bridge):
    bridge = make_bridge(ami.port, odoo.url)
    connected(ami)
    response = originate(bridge, {"extension": "101", "number": "+7 (916) 123-45-67"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    sent = ami.actions_named("Originate")
    assert len(sent) == 1
    action = sent[0]
    assert action["ActionID"] == body["actionid"]
    assert action["Channel"] == "PJSIP/101"
    assert action["Exten"] == "+79161234567"
    assert action["Context"] == "from-internal"
    assert action["Priority"] == "1"
    assert action["Async"] == "true"
    assert "+79161234567" in action["CallerID"]
    assert action["Timeout"] == "30000"

    # A context of the request wins; the technology is a setting.
    bridge.config.originate_technology = "SIP"
    response = originate(bridge, {"extension": 102, "number": "89161234567", "context": "out"})
    assert response.status_code == 200
    action = ami.actions_named("Originate")[1]
    assert (action["Channel"], action["Context"]) == ("SIP/102", "out")


def test_originate_refused_by_asterisk_is_a_502_with_its_message(ami, odoo, make_bridge):
    bridge = make_bridge(ami.port, odoo.url)
    connected(ami)
    ami.originate_answer = {"Response": "Error", "Message": "Extension does not exist."}
    response = originate(bridge, {"extension": "101", "number": "+79161234567"})
    assert response.status_code == 502
    assert response.json() == {"error": "Extension does not exist."}


def test_originate_without_ami_is_a_502(odoo, make_bridge):
    bridge = make_bridge(free_port(), odoo.url, reconnect_min=1.0, reconnect_max=1.0)
    response = originate(bridge, {"extension": "101", "number": "+79161234567"})
    assert response.status_code == 502
    assert "not connected" in response.json()["error"]


def test_originate_checks_signature_and_body(ami, odoo, make_bridge):
    bridge = make_bridge(ami.port, odoo.url)
    connected(ami)
    payload = {"extension": "101", "number": "+79161234567"}
    assert originate(bridge, payload, sign=False).status_code == 403
    host, port = bridge.http_address
    body = json.dumps(payload).encode()
    forged = requests.post(
        f"http://{host}:{port}/originate",
        data=body,
        headers={"X-Dealer-Signature": "sha256=" + "0" * 64},
        timeout=5,
    )
    assert forged.status_code == 403 and forged.json() == {"error": "bad or missing signature"}
    for bad in (
        {"extension": "101"},
        {"extension": "101", "number": "+7916\r\nAction: Command"},
        {"extension": "101\r\nAction: Command", "number": "+79161234567"},
        {"extension": "101", "number": "+79161234567", "context": "x\r\ny"},
        ["101", "+79161234567"],
    ):
        response = originate(bridge, bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]
    assert ami.actions_named("Originate") == []
    health = requests.get(f"http://{host}:{port}/health", timeout=5).json()
    assert health["ami"] == "connected"


# --------------------------------------------------------------------------- pieces
def test_ami_framing_cleans_values_and_keeps_repeated_keys():
    data = ami_bridge.encode_action("Originate", {"ActionID": "a1", "Exten": "1\r\nAction: X"})
    assert data == b"Action: Originate\r\nActionID: a1\r\nExten: 1  Action: X\r\n\r\n"
    message = ami_bridge.parse_message(
        b"Event: Newchannel\r\nChanVariable: A=1\r\nChanVariable: B=2\r\nExten: s\r\nKey:\r\n"
    )
    assert message == {
        "Event": "Newchannel",
        "ChanVariable": ["A=1", "B=2"],
        "Exten": "s",
        "Key": "",
    }


def test_config_from_ini_then_environment_then_command_line(tmp_path):
    ini = tmp_path / "bridge.ini"
    ini.write_text(
        "[bridge]\nami_host = pbx.local\nami_port = 5039\nami_username = ini-user\n"
        "ami_secret = from-ini\nwebhook_url = https://odoo/dealer_pbx/webhook/t\n"
        "hmac_secret = s\nbuffer_size = 10\n"
    )
    environ = {"DEALER_BRIDGE_AMI_USERNAME": "env-user", "DEALER_BRIDGE_BUFFER_SIZE": "20"}
    config = ami_bridge.load_config(["-c", str(ini), "--buffer-size", "30"], environ)
    assert (config.ami_host, config.ami_port) == ("pbx.local", 5039)
    assert config.ami_username == "env-user" and config.ami_secret == "from-ini"
    assert config.buffer_size == 30
    assert config.listen == "127.0.0.1:8766"
    with pytest.raises(SystemExit):
        ami_bridge.load_config(["--ami-host", "x"], {})  # credentials and webhook missing


# --------------------------------------------------------------------------- as a service
def test_sigterm_spools_the_undelivered_events_and_a_restart_sends_them(
    ami, odoo, make_bridge, tmp_path
):
    odoo.answer = lambda events: 503
    log_path = tmp_path / "bridge.log"
    ini = tmp_path / "bridge.ini"
    ini.write_text(f"[bridge]\nami_port = {ami.port}\nami_username = {AMI_USER}\n")
    env = {
        **os.environ,
        "DEALER_BRIDGE_AMI_SECRET": AMI_SECRET,
        "DEALER_BRIDGE_HMAC_SECRET": HMAC_SECRET,
        "DEALER_BRIDGE_WEBHOOK_URL": odoo.url,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, str(BRIDGE_PATH), "-c", str(ini), "--listen", "127.0.0.1:0"),
            *("--buffer-dir", str(tmp_path), "--retry-min", "0.05", "--retry-max", "0.1"),
            *("--shutdown-flush", "0.3"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
    )
    try:
        connected(ami, timeout=10)
        ami.push(*(call_event("Newstate", f"s{index}") for index in range(4)))
        assert wait_until(lambda: len(odoo.requests) >= 2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=4) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = log_path.read_text()
    assert "spooled 4 undelivered event(s)" in log, log
    assert wait_until(lambda: ami.actions_named("Logoff"))
    spool = tmp_path / "pending.jsonl"
    assert [json.loads(line)["Uniqueid"] for line in spool.read_text().splitlines()] == [
        f"s{index}" for index in range(4)
    ]

    # Back with Odoo up: the spool goes first, then the new events.
    odoo.answer = lambda events: 200
    make_bridge(ami.port, odoo.url, buffer_dir=str(tmp_path))
    connected(ami, count=2)
    ami.push(call_event("Hangup", "s4"))
    assert wait_until(lambda: len(odoo.events) >= 5)
    assert odoo.uniqueids() == [f"s{index}" for index in range(5)]
    assert not spool.exists()
