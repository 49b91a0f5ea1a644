#!/usr/bin/env python3
"""Dealer PBX AMI bridge: forwards Asterisk call events to Odoo and originates calls.

A small standalone service (python3 standard library and ``requests``), see README.md:

* logs in to the Asterisk Manager Interface (AMI) over TCP, keeps the session alive
  with ``Action: Ping`` and reconnects with a capped, jittered exponential backoff;
* forwards the call events (Newchannel, Newstate, DialBegin, DialEnd, BridgeEnter,
  BridgeLeave, Hangup, VarSet of MIXMONITOR_FILENAME, Cdr) in order, in batches, as
  ``{"events": [...]}`` POSTed to the dealer_pbx webhook of Odoo and signed with
  ``X-Dealer-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``; events keep AMI's
  own keys and get a ``Timestamp`` (unix seconds, as ``timestampevents = yes``) when
  AMI did not send one;
* buffers the events in a bounded memory queue while Odoo is unreachable or answers
  408/429/5xx and retries with backoff, keeping the order; spools the queue to a file
  on shutdown when a buffer directory is set;
* listens on HTTP (default 127.0.0.1:8766) for ``POST /originate`` (click-to-dial),
  signed like the webhook, and sends ``Action: Originate`` to AMI.
"""

import argparse
import collections
import configparser
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import os
import random
import re
import signal
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

_logger = logging.getLogger("dealer_pbx.ami_bridge")

VERSION = "1.0"
SIGNATURE_HEADER = "X-Dealer-Signature"
ENV_PREFIX = "DEALER_BRIDGE_"
INI_SECTION = "bridge"
DEFAULT_EVENTS = "Newchannel,Newstate,DialBegin,DialEnd,BridgeEnter,BridgeLeave,Hangup,VarSet,Cdr"
RETRYABLE_4XX = frozenset({408, 429})
# The whole endpoint refuses (wrong URL, token or secret): splitting the batch is useless.
ENDPOINT_REFUSALS = frozenset({401, 403, 404, 405})
MAX_ORIGINATE_BODY = 64 * 1024
PENDING_FILE = "pending.jsonl"
REJECTED_FILE = "rejected.jsonl"

EXTENSION_RE = re.compile(r"^[0-9A-Za-z_.*#+-]{1,40}$")
NUMBER_RE = re.compile(r"^\+?[0-9*#]{1,32}$")
NUMBER_SEPARATORS_RE = re.compile(r"[\s().-]")
CONTEXT_RE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


# --------------------------------------------------------------------------- config
def _option(default, help_text, kind=str):
    return dataclasses.field(default=default, metadata={"help": help_text, "kind": kind})


@dataclasses.dataclass
class Config:
    """Every setting; each can come from the ini file, the environment or the CLI."""

    ami_host: str = _option("127.0.0.1", "AMI host")
    ami_port: int = _option(5038, "AMI TCP port", int)
    ami_username: str = _option("", "AMI user (manager.conf section)")
    ami_secret: str = _option("", "AMI password (prefer the environment or the ini file)")
    ami_events: str = _option("on", "Events: header of the Login action (on, or classes)")
    webhook_url: str = _option("", "Odoo webhook URL: https://odoo/dealer_pbx/webhook/<token>")
    hmac_secret: str = _option("", "HMAC secret of the PBX record in Odoo")
    webhook_verify: str = _option("true", "TLS check of the webhook: true, false or a CA file")
    webhook_timeout: float = _option(10.0, "seconds for one webhook POST", float)
    listen: str = _option("127.0.0.1:8766", "host:port of the originate server, empty: off")
    originate_technology: str = _option("PJSIP", "channel technology of the extensions")
    originate_context: str = _option("from-internal", "dialplan context of Originate")
    originate_callerid: str = _option(
        '"{number}" <{number}>', "CallerID shown on the extension ({number}, {extension})"
    )
    originate_ring_timeout: float = _option(30.0, "seconds the extension rings", float)
    action_timeout: float = _option(10.0, "seconds to wait for AMI's answer to an action", float)
    forward_events: str = _option(DEFAULT_EVENTS, "comma separated AMI events to forward")
    forward_variables: str = _option(
        "MIXMONITOR_FILENAME", "comma separated variables whose VarSet is forwarded"
    )
    batch_size: int = _option(100, "most events in one webhook POST", int)
    batch_linger: float = _option(0.05, "seconds to wait for more events of a burst", float)
    buffer_size: int = _option(50000, "most events kept in memory (oldest dropped)", int)
    buffer_dir: str = _option("", "folder for the shutdown spool and the rejected events")
    connect_timeout: float = _option(10.0, "seconds to connect and log in to AMI", float)
    reconnect_min: float = _option(1.0, "first AMI reconnect delay, seconds", float)
    reconnect_max: float = _option(60.0, "longest AMI reconnect delay, seconds", float)
    retry_min: float = _option(0.5, "first webhook retry delay, seconds", float)
    retry_max: float = _option(60.0, "longest webhook retry delay, seconds", float)
    ping_interval: float = _option(20.0, "seconds between AMI keepalive pings", float)
    ping_timeout: float = _option(10.0, "seconds without Pong before reconnecting", float)
    shutdown_flush: float = _option(5.0, "seconds to deliver the queue on shutdown", float)
    log_level: str = _option("INFO", "DEBUG, INFO, WARNING or ERROR")

    def validate(self):
        missing = [
            name
            for name in ("ami_username", "ami_secret", "webhook_url", "hmac_secret")
            if not getattr(self, name)
        ]
        if missing:
            raise ValueError("missing setting(s): " + ", ".join(missing))
        if self.batch_size < 1 or self.buffer_size < 1:
            raise ValueError("batch_size and buffer_size must be positive")
        if self.listen:
            parse_listen(self.listen)

    @property
    def event_names(self):
        return frozenset(name.strip() for name in self.forward_events.split(",") if name.strip())

    @property
    def variable_names(self):
        return frozenset(n.strip() for n in self.forward_variables.split(",") if n.strip())

    @property
    def requests_verify(self):
        value = self.webhook_verify.strip()
        if value.lower() in ("1", "true", "yes", "on", ""):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        return value


def parse_listen(value):
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"listen must be host:port, not {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _convert(field, value):
    kind = field.metadata["kind"]
    try:
        return kind(value)
    except ValueError as error:
        raise ValueError(f"{field.name}: {error}") from None


def load_config(argv=None, environ=None):
    """Settings from the defaults, then the ini file, the environment, the command line."""
    environ = os.environ if environ is None else environ
    fields = dataclasses.fields(Config)
    parser = argparse.ArgumentParser(
        description="Forward Asterisk AMI call events to the dealer_pbx webhook of Odoo.",
        epilog=f"Every setting can also be given as {ENV_PREFIX}<NAME> in the environment "
        f"or as <name> in the [{INI_SECTION}] section of the --config file.",
    )
    parser.add_argument(
        "--config", "-c", default=environ.get(ENV_PREFIX + "CONFIG"), help="ini file"
    )
    for field in fields:
        parser.add_argument(
            "--" + field.name.replace("_", "-"),
            dest=field.name,
            default=None,
            help=f"{field.metadata['help']} (default: {field.default!r})",
        )
    args = parser.parse_args(argv)
    values = {}
    if args.config:
        ini = configparser.ConfigParser(interpolation=None)
        if not ini.read(args.config):
            parser.error(f"cannot read the config file {args.config}")
        if ini.has_section(INI_SECTION):
            values.update(ini.items(INI_SECTION))
    for field in fields:
        env_name = ENV_PREFIX + field.name.upper()
        if env_name in environ:
            values[field.name] = environ[env_name]
        if getattr(args, field.name) is not None:
            values[field.name] = getattr(args, field.name)
    known = {field.name: field for field in fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        parser.error("unknown setting(s): " + ", ".join(unknown))
    config = Config(**{name: _convert(known[name], value) for name, value in values.items()})
    try:
        config.validate()
    except ValueError as error:
        parser.error(str(error))
    return config


# --------------------------------------------------------------------------- helpers
def sign(secret, body):
    """The X-Dealer-Signature value of a raw body."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret, body, header):
    if not header or not secret:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip().lower())


class Backoff:
    """Exponential delays, capped, with jitter: each delay is in [delay/2, delay]."""

    def __init__(self, initial, maximum, factor=2.0):
        self.initial = max(initial, 0.001)
        self.maximum = max(maximum, self.initial)
        self.factor = factor
        self.attempts = 0

    def next_delay(self):
        delay = min(self.maximum, self.initial * self.factor**self.attempts)
        if delay < self.maximum:
            self.attempts += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self):
        self.attempts = 0


# --------------------------------------------------------------------------- AMI framing
class AmiProtocolError(Exception):
    """The peer does not speak AMI as expected, or stopped answering."""


class AmiLoginError(Exception):
    """AMI refused the credentials."""


class AmiUnavailable(Exception):
    """No AMI session to send an action through, or no answer in time."""


def _clean(value):
    # A value may never break the framing: CR/LF would inject keys or actions.
    return str(value).replace("\r", " ").replace("\n", " ")


def encode_action(action, fields):
    """Bytes of one AMI action; fields is a dict or a list of (key, value) pairs."""
    pairs = fields.items() if isinstance(fields, dict) else fields
    lines = [f"Action: {_clean(action)}"]
    lines += [f"{_clean(key)}: {_clean(value)}" for key, value in pairs]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_message(block):
    """One AMI message (bytes without its blank line) as a dict.

    A key repeated in the message (ChanVariable, DestChanVariable…) gives a list of
    its values; lines without ``: `` (command output) are gathered under "Output".
    """
    message = {}
    for raw in block.decode("utf-8", errors="replace").split("\n"):
        line = raw.rstrip("\r")
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep or " " in key:
            message.setdefault("Output", []).append(line)
            continue
        key, value = key.strip(), value.strip()
        if key in message:
            previous = message[key]
            message[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            message[key] = value
    return message


class AmiConnection:
    """One TCP session with AMI: the banner, then messages ended by a blank line."""

    def __init__(self, sock):
        self.sock = sock
        self.banner = ""
        self._buffer = bytearray()
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, host, port, timeout):
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        connection = cls(sock)
        try:
            connection.banner = connection._read_banner(timeout)
        except BaseException:
            connection.close()
            raise
        return connection

    def _recv(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not data:
            raise ConnectionError("AMI closed the connection")
        self._buffer += data.replace(b"\r", b"")
        return True

    def _read_banner(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if time.monotonic() >= deadline or len(self._buffer) > 1024:
                raise AmiProtocolError("no AMI banner")
            self._recv(deadline - time.monotonic())
        line, _sep, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        banner = line.decode("utf-8", errors="replace").strip()
        if not banner.startswith("Asterisk Call Manager"):
            raise AmiProtocolError(f"not an AMI banner: {banner[:80]!r}")
        return banner

    def read_message(self, timeout):
        """The next message as a dict, or None when none arrived within timeout."""
        deadline = time.monotonic() + timeout
        while True:
            end = self._buffer.find(b"\n\n")
            if end >= 0:
                block = bytes(self._buffer[:end])
                del self._buffer[: end + 2]
                if block.strip():
                    return parse_message(block)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._recv(remaining):
                return None

    def send(self, data):
        with self._write_lock:
            self.sock.sendall(data)

    def abort(self):
        """Wake a reader blocked in recv (from another thread)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


# --------------------------------------------------------------------------- buffer
class EventBuffer:
    """A bounded FIFO of events: when full, the oldest event is dropped and counted."""

    def __init__(self, maxlen):
        self.maxlen = maxlen
        self._events = collections.deque()
        self._cond = threading.Condition()
        self.dropped = 0
        self._unreported = 0
        self._reported_at = 0.0

    def __len__(self):
        with self._cond:
            return len(self._events)

    def put(self, event):
        with self._cond:
            if len(self._events) >= self.maxlen:
                self._events.popleft()
                self.dropped += 1
                self._unreported += 1
            self._events.append(event)
            self._cond.notify()
        self.report_drops()

    def report_drops(self, force=False):
        with self._cond:
            now = time.monotonic()
            if not self._unreported or (not force and now - self._reported_at < 5.0):
                return
            count, self._unreported, self._reported_at = self._unreported, 0, now
        _logger.warning(
            "buffer full (%d events): dropped the %d oldest event(s), %d in all",
            self.maxlen,
            count,
            self.dropped,
        )

    def take(self, limit, timeout, linger=0.0):
        """Up to limit events from the front, waiting up to timeout for the first one
        and up to linger for more of the same burst."""
        with self._cond:
            if not self._events:
                self._cond.wait(timeout)
            if self._events and len(self._events) < limit and linger > 0:
                self._cond.wait(linger)
            count = min(limit, len(self._events))
            return [self._events.popleft() for _index in range(count)]

    def take_all(self):
        with self._cond:
            events = list(self._events)
            self._events.clear()
            return events

    def wake(self):
        with self._cond:
            self._cond.notify_all()


# --------------------------------------------------------------------------- bridge
class _Waiter:
    __slots__ = ("done", "error", "response")

    def __init__(self):
        self.done = threading.Event()
        self.response = None
        self.error = None


class Bridge:
    """The AMI reader, the webhook sender and the originate server, each in a thread."""

    def __init__(self, config):
        self.config = config
        self.secret = config.hmac_secret.encode()
        self.buffer = EventBuffer(config.buffer_size)
        self.forwarded = 0
        self.http_address = None
        self._events = config.event_names
        self._variables = config.variable_names
        self._stop = threading.Event()
        self._drain = threading.Event()
        self._drain_deadline = 0.0
        self._connection = None
        self._pending = {}
        self._pending_lock = threading.Lock()
        self._ping_id = None
        self._leftover = []
        self._threads = []
        self._httpd = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"dealer-pbx-ami-bridge/{VERSION}"

    # -- lifecycle
    def start(self):
        self._load_spool()
        if self.config.listen:
            host, port = parse_listen(self.config.listen)
            self._httpd = OriginateServer((host, port), OriginateHandler, self)
            self.http_address = self._httpd.server_address[:2]
            _logger.info("originate server on http://%s:%d", *self.http_address)
            self._spawn("originate-http", lambda: self._httpd.serve_forever(poll_interval=0.2))
        self._spawn("ami-reader", self._ami_loop)
        self._spawn("webhook-sender", self._sender_loop)
        return self

    def _spawn(self, name, target):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    @property
    def connected(self):
        return self._connection is not None

    def stop(self):
        """Stop reading AMI, deliver what is queued (up to shutdown_flush seconds),
        spool the rest to buffer_dir."""
        if self._stop.is_set():
            return
        _logger.info("stopping")
        self._stop.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        connection = self._connection
        if connection:
            with contextlib.suppress(OSError):
                connection.send(encode_action("Logoff", {"ActionID": "dealer-logoff"}))
            connection.abort()
        for thread in self._threads:
            if thread.name == "ami-reader":
                thread.join(timeout=self.config.connect_timeout + 2)
        self._drain_deadline = time.monotonic() + self.config.shutdown_flush
        self._drain.set()
        self.buffer.wake()
        for thread in self._threads:
            if thread.name == "webhook-sender":
                thread.join(timeout=self.config.shutdown_flush + self.config.webhook_timeout + 2)
        remaining = self._leftover + self.buffer.take_all()
        self.buffer.report_drops(force=True)
        self._write_spool(remaining)
        self._session.close()
        _logger.info("stopped")

    def run_forever(self):
        """Run until SIGTERM or SIGINT (the main thread only)."""
        stop = threading.Event()

        def _on_signal(signum, _frame):
            _logger.info("signal %d received", signum)
            stop.set()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        self.start()
        while not stop.wait(1.0):
            pass
        self.stop()

    # -- spool
    def _spool_path(self, name):
        return Path(self.config.buffer_dir) / name if self.config.buffer_dir else None

    def _load_spool(self):
        path = self._spool_path(PENDING_FILE)
        if not path or not path.exists():
            return
        count = 0
        with path.open(encoding="utf-8") as spool:
            for line in spool:
                if line.strip():
                    self.buffer.put(json.loads(line))
                    count += 1
        path.unlink()
        _logger.info("loaded %d spooled event(s) from %s", count, path)

    def _write_spool(self, events):
        if not events:
            return
        path = self._spool_path(PENDING_FILE)
        if not path:
            _logger.error("%d undelivered event(s) lost: no buffer_dir set", len(events))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as spool:
            for event in events:
                spool.write(json.dumps(event, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        _logger.warning("spooled %d undelivered event(s) to %s", len(events), path)

    def _keep_rejected(self, events, status):
        path = self._spool_path(REJECTED_FILE)
        if not path:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as rejected:
            for event in events:
                record = {"status": status, "at": time.time(), "event": event}
                rejected.write(json.dumps(record, ensure_ascii=False) + "\n")

    # -- AMI
    def _ami_loop(self):
        backoff = Backoff(self.config.reconnect_min, self.config.reconnect_max)
        while not self._stop.is_set():
            try:
                self._ami_session(backoff)
            except AmiLoginError as error:
                _logger.error("AMI login refused: %s", error)
            except (OSError, AmiProtocolError) as error:
                if not self._stop.is_set():
                    _logger.warning("AMI connection lost: %s", error)
            except Exception:
                _logger.exception("unexpected error in the AMI session")
            if self._stop.is_set():
                break
            delay = backoff.next_delay()
            _logger.info("reconnecting to AMI in %.2f s", delay)
            self._stop.wait(delay)

    def _ami_session(self, backoff):
        config = self.config
        connection = AmiConnection.open(config.ami_host, config.ami_port, config.connect_timeout)
        try:
            _logger.info(
                "connected to %s:%d (%s)", config.ami_host, config.ami_port, connection.banner
            )
            self._login(connection)
            backoff.reset()
            self._ping_id = None
            self._connection = connection
            self._read_events(connection)
        finally:
            self._connection = None
            self._ping_id = None
            connection.close()
            self._fail_pending("AMI connection lost")

    def _login(self, connection):
        config = self.config
        action_id = new_action_id()
        connection.send(
            encode_action(
                "Login",
                {
                    "ActionID": action_id,
                    "Username": config.ami_username,
                    "Secret": config.ami_secret,
                    "Events": config.ami_events,
                },
            )
        )
        deadline = time.monotonic() + config.connect_timeout
        while time.monotonic() < deadline:
            message = connection.read_message(deadline - time.monotonic())
            if message is None:
                continue
            if "Response" not in message:
                # An event that came before the answer is kept, not lost.
                self._dispatch(message)
                continue
            if message.get("ActionID", action_id) != action_id:
                continue
            if message["Response"] != "Success":
                raise AmiLoginError(message.get("Message") or message["Response"])
            _logger.info("logged in to AMI as %s", config.ami_username)
            return
        raise AmiProtocolError("no answer to Login")

    def _read_events(self, connection):
        config = self.config
        last_seen = ping_sent = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if self._ping_id is not None:
                if now - ping_sent > config.ping_timeout:
                    raise AmiProtocolError(f"no answer to Ping in {config.ping_timeout:g} s")
                wait = ping_sent + config.ping_timeout - now
            elif now - last_seen >= config.ping_interval:
                self._ping_id = new_action_id()
                ping_sent = now
                connection.send(encode_action("Ping", {"ActionID": self._ping_id}))
                wait = config.ping_timeout
            else:
                wait = last_seen + config.ping_interval - now
            message = connection.read_message(min(max(wait, 0.01), 0.5))
            if message is not None:
                last_seen = time.monotonic()
                self._dispatch(message)

    def _dispatch(self, message):
        if "Event" in message:
            self._on_event(message)
            return
        if "Response" not in message:
            return
        action_id = message.get("ActionID")
        if action_id is not None and action_id == self._ping_id:
            self._ping_id = None
            return
        with self._pending_lock:
            waiter = self._pending.get(action_id)
        if waiter:
            waiter.response = message
            waiter.done.set()

    def _on_event(self, event):
        name = event["Event"]
        if name == "OriginateResponse":
            level = logging.INFO if event.get("Response") == "Success" else logging.WARNING
            _logger.log(
                level,
                "originate %s: %s to %s (reason %s)",
                event.get("ActionID"),
                event.get("Response"),
                event.get("Exten"),
                event.get("Reason"),
            )
        if name not in self._events:
            return
        if name == "VarSet" and event.get("Variable") not in self._variables:
            return
        if not event.get("Timestamp"):
            event["Timestamp"] = f"{time.time():.6f}"
        self.buffer.put(event)

    def _fail_pending(self, reason):
        with self._pending_lock:
            waiters = list(self._pending.values())
        for waiter in waiters:
            if not waiter.done.is_set():
                waiter.error = reason
                waiter.done.set()

    def send_action(self, action, fields):
        """Send an action and wait for its Response; (action id, response dict)."""
        connection = self._connection
        if connection is None:
            raise AmiUnavailable("not connected to Asterisk AMI")
        action_id = new_action_id()
        waiter = _Waiter()
        with self._pending_lock:
            self._pending[action_id] = waiter
        try:
            try:
                connection.send(encode_action(action, {"ActionID": action_id, **fields}))
            except OSError as error:
                raise AmiUnavailable(f"cannot send to Asterisk AMI: {error}") from None
            if not waiter.done.wait(self.config.action_timeout):
                raise AmiUnavailable("Asterisk AMI did not answer in time")
            if waiter.error:
                raise AmiUnavailable(waiter.error)
            return action_id, waiter.response
        finally:
            with self._pending_lock:
                self._pending.pop(action_id, None)

    def originate(self, extension, number, context=None):
        """Ring the extension, then dial the number: (ok, action id or error message)."""
        config = self.config
        action_id, response = self.send_action(
            "Originate",
            {
                "Channel": f"{config.originate_technology}/{extension}",
                "Exten": number,
                "Context": context or config.originate_context,
                "Priority": "1",
                "CallerID": config.originate_callerid.format(number=number, extension=extension),
                "Timeout": str(int(config.originate_ring_timeout * 1000)),
                "Async": "true",
            },
        )
        if response.get("Response") != "Success":
            return False, response.get("Message") or "Asterisk refused the call"
        _logger.info("originate %s queued: %s -> %s", action_id, extension, number)
        return True, action_id

    # -- webhook
    def _sender_loop(self):
        config = self.config
        backoff = Backoff(config.retry_min, config.retry_max)
        inflight, limit = [], 0
        while True:
            if self._drain.is_set() and time.monotonic() > self._drain_deadline:
                break
            if not inflight:
                draining = self._drain.is_set()
                inflight = self.buffer.take(
                    config.batch_size,
                    0.0 if draining else 0.5,
                    0.0 if draining else config.batch_linger,
                )
                limit = len(inflight)
                if not inflight:
                    if draining:
                        break
                    continue
            chunk = inflight[:limit]
            verdict, status, retry_after = self._post(chunk)
            if verdict == "ok":
                del inflight[:limit]
                self.forwarded += len(chunk)
                backoff.reset()
                self.buffer.report_drops(force=True)
                continue
            if verdict == "reject":
                if status in ENDPOINT_REFUSALS or limit == 1:
                    _logger.error(
                        "Odoo refused %d event(s) with HTTP %s: dropped%s",
                        len(chunk),
                        status,
                        " (kept in rejected.jsonl)" if config.buffer_dir else "",
                    )
                    self._keep_rejected(chunk, status)
                    del inflight[:limit]
                else:
                    # Find the event Odoo refuses without dropping its neighbours.
                    limit = max(1, limit // 2)
                continue
            if self._drain.is_set():
                break
            delay = max(backoff.next_delay(), min(retry_after or 0.0, config.retry_max))
            _logger.info("retrying %d event(s) in %.2f s", len(inflight), delay)
            self._drain.wait(delay)
        self._leftover = inflight

    def _post(self, events):
        """Deliver one batch: ("ok"|"retry"|"reject", HTTP status, Retry-After seconds)."""
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body)}
        try:
            response = self._session.post(
                self.config.webhook_url,
                data=body,
                headers=headers,
                timeout=self.config.webhook_timeout,
                verify=self.config.requests_verify,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            _logger.warning(
                "Odoo unreachable (%d event(s) in the batch, %d queued): %s",
                len(events),
                len(self.buffer),
                error,
            )
            return "retry", None, None
        status = response.status_code
        if 200 <= status < 300:
            _logger.debug("delivered %d event(s)", len(events))
            return "ok", status, None
        detail = response.text[:200].replace("\n", " ")
        if status >= 500 or status in RETRYABLE_4XX:
            _logger.warning("Odoo answered HTTP %d, will retry: %s", status, detail)
            retry_after = response.headers.get("Retry-After", "")
            return "retry", status, float(retry_after) if retry_after.isdigit() else None
        _logger.error("Odoo answered HTTP %d: %s", status, detail)
        return "reject", status, None


def new_action_id():
    return "dealer-" + uuid.uuid4().hex[:20]


# --------------------------------------------------------------------------- originate HTTP
class OriginateServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, bridge):
        self.bridge = bridge
        super().__init__(address, handler)


class OriginateHandler(BaseHTTPRequestHandler):
    server_version = f"dealer-pbx-ami-bridge/{VERSION}"
    protocol_version = "HTTP/1.1"
    timeout = 10  # seconds a client may take to send its request

    def log_message(self, format, *args):
        _logger.debug("http %s - %s", self.address_string(), format % args)

    def _answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.split("?")[0] != "/health":
            self._answer(404, {"error": "not found"})
            return
        bridge = self.server.bridge
        self._answer(
            200,
            {
                "ami": "connected" if bridge.connected else "disconnected",
                "buffered": len(bridge.buffer),
                "dropped": bridge.buffer.dropped,
                "forwarded": bridge.forwarded,
            },
        )

    def do_POST(self):
        try:
            status, payload = 200, {"ok": True, "actionid": self._originate()}
        except HttpError as error:
            status, payload = error.status, {"error": error.message}
        self._answer(status, payload)

    def _originate(self):
        if self.path.split("?")[0] != "/originate":
            self.close_connection = True
            raise HttpError(404, "not found")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            raise HttpError(411, "Content-Length required") from None
        if length < 0 or length > MAX_ORIGINATE_BODY:
            self.close_connection = True
            raise HttpError(413, "body too large")
        body = self.rfile.read(length)
        bridge = self.server.bridge
        if not verify_signature(bridge.secret, body, self.headers.get(SIGNATURE_HEADER)):
            raise HttpError(403, "bad or missing signature")
        try:
            extension, number, context = parse_originate(body)
        except ValueError as error:
            raise HttpError(400, str(error)) from None
        try:
            ok, result = bridge.originate(extension, number, context)
        except AmiUnavailable as error:
            raise HttpError(502, str(error)) from None
        if not ok:
            _logger.warning("Asterisk refused originate %s -> %s: %s", extension, number, result)
            raise HttpError(502, result)
        return result


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def parse_originate(body):
    """(extension, number, context or None) of an originate request, or ValueError."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    extension, number, context = data.get("extension"), data.get("number"), data.get("context")
    if isinstance(extension, int) and not isinstance(extension, bool):
        extension = str(extension)
    if not isinstance(extension, str) or not EXTENSION_RE.match(extension):
        raise ValueError("extension is missing or invalid")
    if not isinstance(number, str):
        raise ValueError("number is missing or invalid")
    number = NUMBER_SEPARATORS_RE.sub("", number)
    if not NUMBER_RE.match(number):
        raise ValueError("number is missing or invalid")
    if context in (None, ""):
        context = None
    elif not isinstance(context, str) or not CONTEXT_RE.match(context):
        raise ValueError("context is invalid")
    return extension, number, context


# --------------------------------------------------------------------------- main
def main(argv=None):
    config = load_config(argv)
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s",
    )
    _logger.info(
        "dealer-pbx-ami-bridge %s: AMI %s:%d -> %s",
        VERSION,
        config.ami_host,
        config.ami_port,
        config.webhook_url.rsplit("/", 1)[0] + "/…",
    )
    Bridge(config).run_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
