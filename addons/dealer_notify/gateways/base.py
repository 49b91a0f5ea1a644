"""What every SMS gateway gives the core, and the HTTP plumbing they share.

Pure Python plus ``requests``: the core stores what these return, nothing here touches
the ORM. The one promise that matters is *exactly once*: a message reported ``sent``
was accepted by the vendor once; ``retry`` means the vendor surely did not process it
(safe to send again later); ``unknown`` means it may have, so only a person (or a
vendor lookup by our own id, see ``takes_our_id``) may decide.
"""

import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import requests
from urllib3.exceptions import NewConnectionError

from odoo.tools.translate import LazyTranslate

# Texts of code that runs without an environment: lazy, translated by the caller.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__, default_lang="en_US")  # English until the core translates
_logger = logging.getLogger(__name__)
UTC = timezone.utc

# SendResult.state
SENT, FAILED, RETRY, UNKNOWN = "sent", "failed", "retry", "unknown"
# StatusResult.state adds these two
DELIVERED, NOT_FOUND = "delivered", "not_found"

try:
    from zoneinfo import ZoneInfo

    MOSCOW = ZoneInfo("Europe/Moscow")
except Exception:  # no tz database on the host: Moscow has kept UTC+3 all year since 2014
    MOSCOW = timezone(timedelta(hours=3), "MSK")

# Reasons for what happened on the wire, whatever the vendor.
REASONS = {
    "connect": _lt("The gateway could not be reached; nothing was sent."),
    "timeout": _lt(
        "The gateway did not answer in time; the message may or may not have been sent."
    ),
    "connection_lost": _lt(
        "The connection broke after the request left; the message may or may not have been sent."
    ),
    "http_429": _lt("The gateway asked to slow down (HTTP 429); nothing was sent."),
    "http_5xx": _lt("The gateway had an internal error; nothing was sent."),
    "http_504": _lt(
        "A proxy in front of the gateway timed out; the message may or may not have been sent."
    ),
    "http_4xx": _lt("The gateway refused the request (HTTP error)."),
    "bad_url": _lt("The gateway address is not a valid URL."),
    "redirect": _lt(
        "The gateway address redirects elsewhere (often http to https); nothing was sent. "
        "Use the address the vendor documents."
    ),
    "garbage": _lt("The gateway answered something that is not its API: %(start)s"),
    "no_lookup": _lt("This gateway cannot look a message up without its message id."),
}


@dataclass(frozen=True)
class OutMessage:
    ref: str  # our id: the dealer.notification id as text
    phone: str  # E.164, '+7916…'
    text: str


@dataclass
class SendResult:
    ref: str
    state: str  # sent | failed | retry | unknown
    provider_id: str | None = None
    error: str | None = None  # the reason, for people
    code: str | None = None  # the vendor's code or the HTTP/transport kind, for the log


@dataclass
class StatusResult:
    ref: str | None
    provider_id: str | None
    state: str  # sent | delivered | failed | not_found | unknown
    error: str | None = None
    at: datetime | None = None  # naive UTC


Report = StatusResult  # a delivery report parsed from a vendor's callback


@dataclass
class Incoming:
    phone: str  # E.164
    text: str
    provider_id: str | None = None


class GatewayError(Exception):
    """The gateway refused, or could not be asked; ``str()`` is the reason for people."""


class GatewayAuthError(Exception):
    """A callback whose signature (or hash) does not prove it comes from the vendor."""


@dataclass
class Reply:
    """What one HTTP exchange came to.

    ``outcome``: ``answer`` (the vendor answered; read ``status``/``data``/``text``),
    ``not_processed`` (surely not processed: refused connection, 429, 5xx),
    ``ambiguous`` (the request may have been processed but the answer is lost),
    ``broken`` (our configuration makes the request impossible)."""

    outcome: str
    status: int | None = None
    text: str = ""
    data: object = None  # the JSON body when there is one
    kind: str | None = None  # REASONS key for the transport outcomes


def digits(phone):
    """Only the digits of a phone number: vendors take '7916…' without the plus."""
    return re.sub(r"\D", "", phone or "")


def e164(phone):
    number = digits(phone)
    return f"+{number}" if number else ""


def to_int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def from_unix(value):
    """Unix seconds (number or text) as a naive UTC datetime; None when not a sane time."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if not 0 < seconds < 32503680000:  # before year 3000
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def from_moscow(value, fmt="%d.%m.%Y %H:%M:%S"):
    """A vendor's textual time, which Russian gateways give in Moscow time, as naive UTC."""
    try:
        local = datetime.strptime(str(value).strip(), fmt)
    except (TypeError, ValueError):
        return None
    return local.replace(tzinfo=MOSCOW).astimezone(UTC).replace(tzinfo=None)


def garbage_reason(text):
    start = " ".join(str(text or "").split())[:80]
    return str(_lt("The gateway answered something that is not its API: %(start)s", start=start))


def callback_fields(params, body, headers=None):
    """A callback's fields whatever way they came: the framework's params, else the raw
    body as a form or as a JSON object. Values are text (first one of a repeated key)."""
    fields = {}
    for key, value in (params or {}).items():
        fields[str(key)] = value[0] if isinstance(value, list | tuple) and value else value
    if fields or not body:
        return fields
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    content_type = str(header(headers, "Content-Type") or "")
    if "json" in content_type or raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    for key, value in parse_qsl(raw, keep_blank_values=True):
        fields.setdefault(key, value)
    return fields


def lookup_items(items):
    """``status()`` items as (ref, provider_id, phone): the core gives (ref, provider_id)
    and may add the phone, which SMSC needs to find a message by our id alone."""
    for item in items:
        ref, provider_id, *rest = item
        yield ref, provider_id, (rest[0] if rest else None)


def header(headers, name):
    """``headers[name]`` whatever the case of the name (dict or werkzeug Headers)."""
    if not headers:
        return None
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, dict):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _never_arrived(error):
    """Whether a requests ConnectionError happened before anything was sent (refused,
    unknown host): then the vendor surely did not process the request."""
    seen = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return True
        todo.append(getattr(current, "reason", None))
        todo.append(current.__cause__)
        todo.append(current.__context__)
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return False


class Gateway:
    """One vendor's HTTP API. Subclasses set the class attributes and implement
    ``_send_once``, ``status``, ``parse_report``, ``parse_incoming``, ``balance``."""

    code = ""
    default_url = ""
    takes_our_id = False  # the vendor stores our ref, so a lost answer can be looked up
    batch_size = 1

    def __init__(
        self,
        api_url,
        login,
        api_key,
        sender,
        *,
        timeout=10,
        retries=2,
        backoff=0.5,
        session=None,
        report_url=None,
    ):
        self.api_url = (api_url or self.default_url).rstrip("/")
        self.login = login or ""
        self.api_key = api_key or ""
        self.sender = sender or ""
        self.timeout = float(timeout or 10)
        self.retries = max(0, int(retries or 0))
        self.backoff = max(0.0, float(backoff or 0))
        self.session = session or requests.Session()
        # where the vendor should post delivery reports, for vendors that take it per
        # message (SMS Aero); the others are configured in the vendor's cabinet
        self.report_url = report_url or None

    def __repr__(self):  # never show the key
        return f"<{type(self).__name__} {self.api_url} login={self.login!r}>"

    # --- sending ---------------------------------------------------------------------
    def send(self, messages):
        """One SendResult per message, in the same order, with the same refs."""
        messages = list(messages)
        results = [None] * len(messages)
        for chunk in self._chunks(messages):
            chunk_results = self._send_chunk([message for _index, message in chunk])
            for (index, _message), result in zip(chunk, chunk_results, strict=True):
                results[index] = result
        return results

    def _chunks(self, messages):
        """Lists of (index, message) that go in one request."""
        indexed = list(enumerate(messages))
        size = max(1, int(self.batch_size or 1))
        for start in range(0, len(indexed), size):
            yield indexed[start : start + size]

    def _send_chunk(self, chunk):
        """Send ``chunk`` in one request, again (after a pause) for the messages the
        vendor surely did not process, at most ``retries`` more times."""
        results = {}
        pending = list(chunk)
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(attempt)
            for message, result in zip(pending, self._send_once(pending), strict=True):
                results[message.ref] = result
            pending = [message for message in pending if results[message.ref].state == RETRY]
            if not pending:
                break
        return [results[message.ref] for message in chunk]

    def _send_once(self, chunk):
        raise NotImplementedError

    def _pause(self, attempt):
        time.sleep(self.backoff * 2 ** (attempt - 1))

    # --- the rest of the interface ---------------------------------------------------
    def status(self, items):
        """One StatusResult per item, same order. ``items``: (ref, provider_id) or
        (ref, provider_id, phone)."""
        raise NotImplementedError

    def parse_report(self, params, body, headers):
        raise NotImplementedError

    def parse_incoming(self, params, body, headers):
        raise NotImplementedError

    def report_ack(self):
        return "OK", "text/plain"

    def balance(self):
        raise NotImplementedError

    # --- HTTP ------------------------------------------------------------------------
    @property
    def _timeouts(self):
        return min(self.timeout, 5.0), self.timeout

    def _request(self, method, path, **kwargs):  # noqa: PLR0911 (one return per outcome)
        """One exchange, classified. Credentials travel in the body or in a header,
        never in the logged URL."""
        url = f"{self.api_url}{path}"
        try:
            response = self.session.request(
                method, url, timeout=self._timeouts, allow_redirects=False, **kwargs
            )
        except requests.ConnectTimeout:
            return self._transport_reply("not_processed", "connect", url)
        except requests.ConnectionError as error:
            if _never_arrived(error):
                return self._transport_reply("not_processed", "connect", url)
            return self._transport_reply("ambiguous", "connection_lost", url)
        except requests.Timeout:
            return self._transport_reply("ambiguous", "timeout", url)
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ):
            return self._transport_reply("broken", "bad_url", url)
        except requests.RequestException:
            return self._transport_reply("ambiguous", "connection_lost", url)
        status = response.status_code
        _logger.debug("%s %s %s -> HTTP %s", self.code, method, url, status)
        if status == 429:
            return Reply("not_processed", status, response.text, kind="http_429")
        if status == 504:
            return Reply("ambiguous", status, response.text, kind="http_504")
        if status >= 500:
            return Reply("not_processed", status, response.text, kind="http_5xx")
        if 300 <= status < 400:  # redirects are not followed: a POST would turn into a GET
            return Reply("broken", status, response.text, kind="redirect")
        try:
            data = response.json()
        except ValueError:
            data = None
        return Reply("answer", status, response.text, data)

    def _transport_reply(self, outcome, kind, url):
        _logger.debug("%s %s: %s", self.code, url, kind)
        return Reply(outcome, kind=kind)

    def _post_reading(self, path, **kwargs):
        """A request that only reads (status, balance): repeating it is harmless, so it
        is retried on every transport failure."""
        reply = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(attempt)
            reply = self._request("POST", path, **kwargs)
            if reply.outcome in ("answer", "broken"):
                break
        return reply

    def _transport_result(self, ref, reply):
        """A SendResult for a reply that is not the vendor's answer."""
        state = {"not_processed": RETRY, "ambiguous": UNKNOWN}.get(reply.outcome, FAILED)
        code = f"http_{reply.status}" if reply.status else reply.kind
        return SendResult(ref, state, error=str(REASONS[reply.kind]), code=code)

    def _http_refused(self, ref, reply):
        """A SendResult for a 4xx the vendor answered without its own error body."""
        return SendResult(
            ref,
            FAILED,
            error=f"{REASONS['http_4xx']} HTTP {reply.status}",
            code=f"http_{reply.status}",
        )

    def _garbage_result(self, ref, reply):
        return SendResult(ref, UNKNOWN, error=garbage_reason(reply.text), code="garbage")
