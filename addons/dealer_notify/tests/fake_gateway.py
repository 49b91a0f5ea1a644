"""A fake SMS vendor on 127.0.0.1 speaking SMS.ru's, SMSC's or SMS Aero's HTTP API.

Written from the vendors' documentation (see the gateway modules), not from our client:
same paths, parameters, credentials checks and answers. It records what it accepted so
tests can count deliveries (exactly once), builds the vendor's signed callbacks (to POST
to Odoo), and injects the failures that make "exactly once" hard, deterministically:

- ``http_503``: an HTML 503 page, nothing processed;
- ``try_later``: the vendor's own "try later" error, nothing processed;
- ``timeout_before``: no answer within ``slow_seconds``, nothing processed;
- ``lost_after``: processed, then no answer within ``slow_seconds`` (the answer is lost);
- ``garbage``: an HTML page with HTTP 200, nothing processed;
- ``redirect``: a 301 to https (a wrong http address), nothing processed.

``fail_ratio`` draws them at random (seeded) for send requests: a third 5xx, a third
"try later", a third timeouts (half before, half after processing); ``fail_next(...)``
forces the next send requests' fates. Lookups (status, balance) never fail.

    with FakeGateway("smsc", fail_ratio=0.33, seed=7) as vendor:
        gateway = vendor.client(timeout=0.3)
        results = gateway.send(messages)
        vendor.sent_count(phone, text)
"""

import base64
import hashlib
import json
import random
import re
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

MOSCOW = timezone(timedelta(hours=3))
FAILURES = ("http_503", "try_later", "timeout_before", "lost_after", "garbage", "redirect")
SEND_PATHS = {"/sms/send", "/sys/send.php", "/v2/sms/send"}
HANDLER_LIMIT = 5.0  # no handler sleeps longer than this
SMSC_DUPLICATE_WINDOW = 60  # SMSC refuses an identical send request within a minute

# Our words for a delivery outcome -> each vendor's status code.
STATUS_CODES = {
    "smsru": {"sent": 102, "delivered": 103, "failed": 104},
    "smsc": {"sent": 0, "delivered": 1, "failed": 20},
    "smsaero": {"sent": 3, "delivered": 1, "failed": 2},
}


def _digits(phone):
    return re.sub(r"\D", "", str(phone or ""))


class _Drop(Exception):
    """Answer nothing: close the connection."""


class FakeGateway:
    def __init__(
        self,
        kind,
        *,
        fail_ratio=0.0,
        seed=0,
        login="dealer@example.com",
        api_key="test-api-key-0123456789",
        sender="DEALER",
        slow_seconds=0.5,
        own_number="79000000001",
    ):
        if kind not in STATUS_CODES:
            raise ValueError(f"unknown gateway kind {kind!r}")
        self.kind = kind
        self.fail_ratio = fail_ratio
        self.login = login if kind != "smsru" else ""
        self.api_key = api_key
        self.sender = sender
        self.slow_seconds = min(float(slow_seconds), HANDLER_LIMIT)
        self.own_number = own_number
        self.accepted = []  # dicts: ref, provider_id, phone, text
        self.requests = []  # (path, fields) of every request, credentials removed
        self.injected = []  # (path, failure) of every failure injected
        self.refuse = {}  # phone digits -> vendor error code to answer for it
        self.statuses = {}  # provider_id -> vendor status code
        self._rng = random.Random(seed)
        self._forced = deque()
        self._lock = threading.Lock()
        self._counter = 1000
        self._recent = {}  # SMSC: (id, phone, text) -> time accepted
        self._aero = {}  # SMS Aero: id -> (number, text)
        self._server = None
        self._thread = None

    # --- life ------------------------------------------------------------------------
    def __enter__(self):
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(HANDLER_LIMIT)

    @property
    def url(self):
        base = f"http://127.0.0.1:{self._server.server_address[1]}"
        return f"{base}/v2" if self.kind == "smsaero" else base

    def client(self, **options):
        """Our gateway class for this vendor, pointed here with the right credentials."""
        # Imported here: the fake server alone also serves end-to-end tests outside Odoo.
        from odoo.addons.dealer_notify.gateways import (  # pylint: disable=odoo-addons-relative-import
            GATEWAYS,
        )

        options.setdefault("timeout", 0.3)
        options.setdefault("retries", 2)
        options.setdefault("backoff", 0.01)
        return GATEWAYS[self.kind](self.url, self.login, self.api_key, self.sender, **options)

    # --- what tests read -------------------------------------------------------------
    def sent_count(self, phone, text):
        number = _digits(phone)
        with self._lock:
            return sum(
                1 for m in self.accepted if _digits(m["phone"]) == number and m["text"] == text
            )

    def fail_next(self, *failures):
        for failure in failures:
            if failure not in FAILURES:
                raise ValueError(f"unknown failure {failure!r}")
            self._forced.append(failure)

    def set_status(self, provider_id, status):
        """Set what the vendor says of a message: our word (sent/delivered/failed) or
        its own code."""
        self.statuses[str(provider_id)] = self._code(status)

    # --- callbacks the vendor would post to Odoo -------------------------------------
    def report_payload(self, provider_id, status="delivered", *, wrong_secret=False, at=None):
        """A delivery report for one message as the vendor posts it: (form fields or
        JSON body, headers). ``wrong_secret`` signs it with another key (for SMS Aero,
        which signs nothing, it names a message the vendor never had)."""
        code = self._code(status)
        provider_id = str(provider_id)
        self.statuses[provider_id] = code
        at = at or int(time.time())
        secret = "not-the-key" if wrong_secret else self.api_key
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.kind == "smsru":
            return self._smsru_callback([f"sms_status\n{provider_id}\n{code}\n{at}"], secret)
        if self.kind == "smsc":
            smsc_id, _sep, phone = provider_id.rpartition(":")
            fields = {
                "id": smsc_id,
                "phone": phone,
                "status": str(code),
                "time": str(at),
                "err": "0",
            }
            fields["md5"] = _md5(smsc_id, phone, code, secret)
            return fields, form
        message = self._aero_message(provider_id)
        if wrong_secret or message is None:
            message = {"id": 987654321, "number": "79990000000", "status": code}
        fields = {key: str(value) for key, value in message.items() if value is not None}
        fields.update(status=str(code), dateAnswer=str(at))
        return fields, form

    def deliveries(self, status="delivered"):
        """Reports for every accepted message: SMS.ru sends many records in one post,
        the others one post per message. A list of (payload, headers)."""
        if self.kind == "smsru":
            code = self._code(status)
            now = int(time.time())
            records = []
            for message in self.accepted:
                self.statuses[message["provider_id"]] = code
                records.append(f"sms_status\n{message['provider_id']}\n{code}\n{now}")
            return [self._smsru_callback(records, self.api_key)]
        return [self.report_payload(m["provider_id"], status) for m in self.accepted]

    def incoming_payload(self, phone, text, *, wrong_secret=False):
        """An incoming SMS as the vendor posts it. Only SMSC documents one."""
        if self.kind != "smsc":
            raise NotImplementedError(f"{self.kind} documents no incoming-SMS callback")
        secret = "not-the-key" if wrong_secret else self.api_key
        with self._lock:
            self._counter += 1
            sms_id = str(self._counter)
        now = str(int(time.time()))
        fields = {
            "sms_id": sms_id,
            "phone": _digits(phone),
            "mes": text,
            "to": self.own_number,
            "sent": now,
            "time": now,
        }
        fields["md5"] = _md5(sms_id, fields["phone"], text, self.own_number, secret)
        return fields, {"Content-Type": "application/x-www-form-urlencoded"}

    def _smsru_callback(self, records, secret):
        fields = {f"data[{index}]": record for index, record in enumerate(records)}
        fields["hash"] = hashlib.sha256((secret + "".join(records)).encode()).hexdigest()
        return fields, {"Content-Type": "application/x-www-form-urlencoded"}

    def _code(self, status):
        return STATUS_CODES[self.kind].get(status, status)

    # --- serving ---------------------------------------------------------------------
    def _draw(self, path):
        """The failure to inject in this request, if any."""
        if path not in SEND_PATHS:
            return None
        with self._lock:
            if self._forced:
                failure = self._forced.popleft()
            elif self.fail_ratio and self._rng.random() < self.fail_ratio:
                roll = self._rng.random()
                failure = (
                    "http_503"
                    if roll < 1 / 3
                    else "try_later"
                    if roll < 2 / 3
                    else "timeout_before"
                    if roll < 5 / 6
                    else "lost_after"
                )
            else:
                failure = None
            if failure:
                self.injected.append((path, failure))
        return failure

    def handle(self, method, path, fields, headers):
        """(status, body, content type) for one request, or raise _Drop."""
        failure = self._draw(path)
        with self._lock:
            self.requests.append((path, _without_secrets(fields)))
        if failure == "http_503":
            return 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html"
        if failure == "garbage":
            return 200, b"<html><body>Gateway maintenance</body></html>", "text/html"
        if failure == "redirect":
            return 301, b"<html>Moved Permanently</html>", "text/html"
        if failure == "try_later":
            return self._try_later()
        if failure == "timeout_before":
            time.sleep(self.slow_seconds)
            raise _Drop
        answer = getattr(self, f"_{self.kind}")(method, path, fields, headers)
        if failure == "lost_after":
            time.sleep(self.slow_seconds)
            raise _Drop
        return answer

    def _try_later(self):
        if self.kind == "smsru":
            return _json(
                200,
                {
                    "status": "ERROR",
                    "status_code": 220,
                    "status_text": "Сервис временно недоступен, попробуйте чуть позже",
                },
            )
        if self.kind == "smsc":
            return _json(200, {"error": "too many concurrent requests", "error_code": 9})
        return _json(429, {"success": False, "data": None, "message": "Too Many Requests"})

    def _accept(self, ref, provider_id, phone, text):
        self.accepted.append(
            {"ref": ref, "provider_id": provider_id, "phone": f"+{_digits(phone)}", "text": text}
        )

    def _next_id(self):
        self._counter += 1
        return self._counter

    # SMS.ru ---------------------------------------------------------------------------
    def _smsru(self, method, path, fields, headers):
        if method != "POST":
            return _json(
                200,
                {
                    "status": "ERROR",
                    "status_code": 210,
                    "status_text": "Используется GET, где необходимо использовать POST",
                },
            )
        if fields.get("api_id") != self.api_key:
            return _json(
                200, {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}
            )
        if path == "/sms/send":
            return self._smsru_send(fields)
        if path == "/sms/status":
            return self._smsru_status(fields)
        if path == "/my/balance":
            return _json(200, {"status": "OK", "status_code": 100, "balance": 4122.56})
        return _json(200, {"status": "ERROR", "status_code": 211, "status_text": "Метод не найден"})

    def _smsru_send(self, fields):
        texts = {
            match.group(1): value
            for key, value in fields.items()
            if (match := re.fullmatch(r"multi\[(\d+)\]", key))
        }
        if not texts and fields.get("to"):
            texts = {_digits(to): fields.get("msg", "") for to in fields["to"].split(",")}
        if not texts:
            return _json(
                200,
                {
                    "status": "ERROR",
                    "status_code": 202,
                    "status_text": "Неправильно указан номер получателя",
                },
            )
        if len(texts) > 100:
            return _json(
                200, {"status": "ERROR", "status_code": 213, "status_text": "Слишком много номеров"}
            )
        answers = {}
        with self._lock:
            for number, text in texts.items():
                code = self.refuse.get(number)
                if code is None and not 11 <= len(number) <= 15:
                    code = 202
                if code is None and not text:
                    code = 203
                if code is None and fields.get("from") not in (None, "", self.sender):
                    code = 204
                if code is not None:
                    answers[number] = {
                        "status": "ERROR",
                        "status_code": code,
                        "status_text": f"error {code}",
                    }
                    continue
                sms_id = f"202612-{self._next_id()}"
                self.statuses[sms_id] = 100
                self._accept(None, sms_id, number, text)
                answers[number] = {"status": "OK", "status_code": 100, "sms_id": sms_id}
        return _json(200, {"status": "OK", "status_code": 100, "sms": answers, "balance": 4122.56})

    def _smsru_status(self, fields):
        answers = {}
        for sms_id in str(fields.get("sms_id", "")).split(","):
            code = self.statuses.get(sms_id)
            if code is None:
                answers[sms_id] = {
                    "status": "ERROR",
                    "status_code": -1,
                    "status_text": "Сообщение не найдено",
                }
            else:
                answers[sms_id] = {
                    "status": "OK",
                    "status_code": code,
                    "status_text": f"status {code}",
                }
        return _json(200, {"status": "OK", "status_code": 100, "sms": answers, "balance": 4122.56})

    # SMSC -----------------------------------------------------------------------------
    def _smsc(self, method, path, fields, headers):
        if path not in ("/sys/send.php", "/sys/status.php", "/sys/balance.php"):
            return 404, b"<html><body>Not Found</body></html>", "text/html"
        authorised = (fields.get("login") == self.login and fields.get("psw") == self.api_key) or (
            fields.get("apikey") == self.api_key and "login" not in fields
        )
        if not authorised:
            return _json(200, {"error": "authorise error", "error_code": 2})
        if path == "/sys/send.php":
            return self._smsc_send(fields)
        if path == "/sys/status.php":
            return self._smsc_status(fields)
        return _json(200, {"balance": "1234.50"})

    def _smsc_send(self, fields):
        phone = _digits(fields.get("phones"))
        text = fields.get("mes", "")
        if not text:
            return _json(200, {"error": "parameters error", "error_code": 1})
        if not 11 <= len(phone) <= 15:
            return _json(200, {"error": "invalid number", "error_code": 7})
        if phone in self.refuse:
            return _json(200, {"error": "refused", "error_code": self.refuse[phone]})
        with self._lock:
            smsc_id = fields.get("id") or str(self._next_id())
            key = (smsc_id, phone, text)
            now = time.monotonic()
            if now - self._recent.get(key, -SMSC_DUPLICATE_WINDOW) < SMSC_DUPLICATE_WINDOW:
                return _json(200, {"error": "duplicate request, wait a minute", "error_code": 9})
            self._recent[key] = now
            provider_id = f"{smsc_id}:{phone}"
            self.statuses[provider_id] = -1
            self._accept(fields.get("id"), provider_id, phone, text)
        answer_id = int(smsc_id) if smsc_id.isdigit() else smsc_id
        return _json(200, {"id": answer_id, "cnt": 1})

    def _smsc_status(self, fields):
        provider_id = f"{fields.get('id')}:{_digits(fields.get('phone'))}"
        code = self.statuses.get(provider_id)
        if code is None:
            return _json(200, {"status": -3, "last_date": "", "last_timestamp": 0})
        now = int(time.time())
        last_date = datetime.fromtimestamp(now, MOSCOW).strftime("%d.%m.%Y %H:%M:%S")
        return _json(200, {"status": code, "last_date": last_date, "last_timestamp": now, "err": 0})

    # SMS Aero -------------------------------------------------------------------------
    def _smsaero(self, method, path, fields, headers):
        expected = base64.b64encode(f"{self.login}:{self.api_key}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return _json(
                401,
                {
                    "success": False,
                    "data": None,
                    "message": "Your request was made with invalid credentials.",
                },
            )
        if path == "/v2/sms/send":
            return self._aero_send(fields)
        if path == "/v2/sms/status":
            message = self._aero_message(str(fields.get("id", "")))
            if message is None:
                return _json(404, {"success": False, "data": None, "message": "Not found"})
            return _json(200, {"success": True, "data": message, "message": None})
        if path == "/v2/balance":
            return _json(200, {"success": True, "data": {"balance": 1389.26}, "message": None})
        return _json(404, {"success": False, "data": None, "message": "Not found"})

    def _aero_send(self, fields):
        number = _digits(fields.get("number"))
        text = fields.get("text") or ""
        problems = {}
        if not 11 <= len(number) <= 15:
            problems["number"] = ["incorrect"]
        if not text:
            problems["text"] = ["cannot be blank"]
        if fields.get("sign") not in (None, "", self.sender):
            problems["sign"] = ["incorrect"]
        if problems:
            return _json(400, {"success": False, "data": problems, "message": "Validation error."})
        if number in self.refuse:
            return _json(
                400,
                {"success": False, "data": None, "message": "Insufficient funds on the balance"},
            )
        with self._lock:
            sms_id = self._next_id()
            self.statuses[str(sms_id)] = 0
            self._accept(None, str(sms_id), number, text)
            self._aero[str(sms_id)] = (number, text)
        return _json(
            200, {"success": True, "data": self._aero_message(str(sms_id)), "message": None}
        )

    def _aero_message(self, sms_id):
        if sms_id not in self._aero:
            return None
        number, text = self._aero[sms_id]
        code = self.statuses.get(sms_id, 0)
        names = {
            0: "queue",
            1: "delivery",
            2: "no delivery",
            3: "transmitted",
            4: "wait",
            6: "reject",
            8: "moderation",
        }
        now = int(time.time())
        return {
            "id": int(sms_id),
            "from": self.sender,
            "number": number,
            "text": text,
            "status": code,
            "extendStatus": names.get(code, "queue"),
            "channel": "FREE SIGN",
            "cost": 5.49,
            "dateCreate": now,
            "dateSend": now,
            "dateAnswer": now if code in (1, 2, 6) else None,
        }


def _md5(*parts):
    return hashlib.md5(":".join(str(part) for part in parts).encode()).hexdigest()


def _json(status, document):
    return status, json.dumps(document, ensure_ascii=False).encode(), "application/json"


def _without_secrets(fields):
    return {k: v for k, v in fields.items() if k not in ("api_id", "psw", "apikey")}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping must not hold up the test

    def __init__(self, fake):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this each kept-alive answer
    # waits for the client's delayed ACK (40 ms), as no real vendor does.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # quiet test output
        pass

    def _serve(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fields = dict(parse_qsl(url.query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type") or ""
        if "json" in content_type:
            try:
                document = json.loads(body or b"{}")
            except ValueError:
                document = {}
            if isinstance(document, dict):
                fields.update({k: v for k, v in document.items() if v is not None})
        else:
            fields.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        fields = {k: v if isinstance(v, str) else str(v) for k, v in fields.items()}
        try:
            status, payload, kind = self.server.fake.handle(
                self.command, url.path, fields, self.headers
            )
        except _Drop:
            self.close_connection = True
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up waiting
            self.close_connection = True

    do_GET = do_POST = _serve


def form_body(fields):
    """A callback's form fields as the raw body the vendor would post."""
    return urlencode(fields).encode()
