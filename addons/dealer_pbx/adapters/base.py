"""The interface every provider adapter implements and the internal event."""

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import pytz
import requests

EVENT_KINDS = ("ringing", "answered", "ended", "recording")
DIRECTIONS = ("incoming", "outgoing", "internal")
DISPOSITIONS = ("answered", "no_answer", "busy", "failed")
# Longest text kept from a vendor's field: numbers, ids, URLs.
FIELD_MAX = 512
UTC = timezone.utc
# Seconds a click-to-dial request may take (connecting, then each read).
DIAL_TIMEOUT = 10


class PbxError(Exception):
    """A request the endpoint refuses; ``status`` is the HTTP status answered."""

    status = 400


class SignatureError(PbxError):
    """Missing or wrong signature: the sender is not proven."""

    status = 403


class MalformedError(PbxError):
    """The request cannot be read as the vendor's events."""

    status = 400


class DialError(Exception):
    """Click-to-dial failed: the PBX refused (``message`` is its own word, ``code`` its
    error code when it gives one), could not be reached (``unreachable``) or has no
    callback API (``unsupported``)."""

    def __init__(self, message, *, code=None, unreachable=False, unsupported=False):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.unreachable = unreachable
        self.unsupported = unsupported


@dataclass
class PbxEvent:
    """One vendor event in the addon's terms.

    ``leg`` is ``""`` for what concerns the whole call: an ``ended`` event with an
    empty leg ends the call, one with a leg only that leg (an extension that stopped
    ringing). Times are aware datetimes in UTC; ``start_time``/``answer_time`` are
    given by vendors that send them with a later event (Zadarma's ``call_start``,
    Mango's summary)."""

    kind: str
    call_key: str
    leg: str = ""
    direction: str | None = None
    caller: str | None = None
    called: str | None = None
    line: str | None = None
    extension: str | None = None
    time: datetime | None = None
    start_time: datetime | None = None
    answer_time: datetime | None = None
    disposition: str | None = None
    talk_seconds: int | None = None
    recording_url: str | None = None
    recording_id: str | None = None
    raw: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in EVENT_KINDS:
            raise MalformedError(f"unknown event kind: {self.kind!r}")
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise MalformedError(f"unknown direction: {self.direction!r}")
        if self.disposition is not None and self.disposition not in DISPOSITIONS:
            raise MalformedError(f"unknown disposition: {self.disposition!r}")
        if not self.call_key or not isinstance(self.call_key, str):
            raise MalformedError("missing call id")
        for name in ("call_key", "leg", "caller", "called", "line", "extension"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or len(value) > FIELD_MAX):
                raise MalformedError(f"{name} must be text of at most {FIELD_MAX} characters")
        for name in ("recording_url", "recording_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or len(value) > 2048):
                raise MalformedError(f"{name} must be text of at most 2048 characters")
        if self.talk_seconds is not None and not 0 <= self.talk_seconds <= 10**7:
            raise MalformedError("talk time out of range")

    def as_dict(self):
        return asdict(self)


def header(headers, name):
    """``headers[name]`` whatever the case of the name (a dict or werkzeug Headers)."""
    if headers is None:
        return None
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None and isinstance(headers, dict):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def text(value):
    """A vendor's scalar as stripped text (``None`` when empty)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = str(value).strip()
    return value or None


def from_unix(value):
    """Unix seconds (int, float or their text) as an aware UTC datetime."""
    try:
        seconds = float(value)
    except (TypeError, ValueError) as error:
        raise MalformedError(f"not a unix time: {value!r}") from error
    if not 0 < seconds < 32503680000:  # before year 3000
        raise MalformedError(f"unix time out of range: {value!r}")
    return datetime.fromtimestamp(seconds, UTC)


def from_local(value, timezone):
    """``YYYY-MM-DD HH:MM:SS`` in ``timezone`` (the PBX account's) as aware UTC."""
    try:
        naive = datetime.strptime(str(value).strip(), "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError) as error:
        raise MalformedError(f"not a date and time: {value!r}") from error
    zone = pytz.timezone(timezone or "UTC")
    return zone.localize(naive, is_dst=False).astimezone(UTC)


def hmac_sha256_hex(secret, body):
    return hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()


def same(expected, given):
    """Constant-time comparison of two texts (``False`` when one is missing)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(str(expected).encode(), str(given).encode())


def dial_request(method, url, timeout, **kwargs):
    """An HTTP request to a PBX's API with ``requests``: ``DialError(unreachable)``
    when the PBX cannot be reached or does not answer in ``timeout`` seconds."""
    if not url or not str(url).lower().startswith(("http://", "https://")):
        raise DialError(f"not an http(s) address: {url!r}")
    try:
        return requests.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout as error:
        raise DialError(f"no answer in {timeout} s", unreachable=True) from error
    except requests.RequestException as error:
        raise DialError(str(error), unreachable=True) from error


def response_json(response):
    """The JSON object a PBX answered (``{}`` when it is none)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def load_json(body):
    """The JSON document in ``body`` (bytes or text)."""
    try:
        return json.loads(body)
    except (TypeError, ValueError, RecursionError) as error:
        raise MalformedError("the body is not valid JSON") from error


class PbxAdapter:
    """One provider's webhook: ``verify`` proves the sender, ``parse`` reads events.

    ``headers`` is a mapping of request headers, ``body`` the raw request body
    (bytes), ``form`` the decoded form fields (for form POSTs), ``suffix`` the path
    after the token (Mango's ``events/call``...), ``received`` the moment the request
    arrived (aware UTC), used by vendors whose events carry no time of their own."""

    provider = None
    # Path suffixes this provider posts to ("" = the bare webhook URL).
    suffixes = ("",)

    def __init__(self, api_key="", api_secret="", timezone="UTC", extensions=()):
        self.api_key = api_key or ""
        self.api_secret = api_secret or ""
        self.timezone = timezone or "UTC"
        self.extensions = {str(number) for number in extensions or ()}

    def accepts_suffix(self, suffix):
        return (suffix or "") in self.suffixes

    def verify(self, headers, body, form, suffix=""):
        """Raise ``SignatureError`` unless the request is signed by the PBX."""
        raise NotImplementedError

    def parse(self, headers, body, form, suffix="", received=None):
        """The request's events as a list of ``PbxEvent`` (raise ``MalformedError``)."""
        raise NotImplementedError

    def echo(self, query):
        """What a GET check of the URL is answered (Zadarma's ``zd_echo``), or ``None``."""
        return None

    def originate(self, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
        """Click-to-dial: ask the PBX to ring ``extension``, then call ``number``
        (E.164) once it answers. ``url`` is the address of the provider's API (or
        of the bridge) when not the default one. Returns what the PBX answered (a
        dict); raises ``DialError`` when it refuses or cannot be reached."""
        raise DialError("click-to-dial is not supported by this PBX", unsupported=True)


class SignedJsonAdapter(PbxAdapter):
    """JSON bodies signed ``X-Dealer-Signature: sha256=<hex HMAC-SHA256(secret, body)>``."""

    signature_header = "X-Dealer-Signature"

    def verify(self, headers, body, form, suffix=""):
        if not self.api_secret:
            raise SignatureError("no secret is configured for this PBX")
        given = header(headers, self.signature_header) or ""
        scheme, _sep, digest = given.strip().partition("=")
        if scheme.lower() != "sha256" or not digest:
            raise SignatureError(f"missing {self.signature_header}: sha256=<hex>")
        if not same(hmac_sha256_hex(self.api_secret, body or b""), digest.lower()):
            raise SignatureError("wrong signature")

    def originate_signed(self, url, extension, number, timeout=DIAL_TIMEOUT):
        """``POST url`` of ``{"extension", "number"}`` signed as the webhooks are
        (``X-Dealer-Signature: sha256=<hex HMAC-SHA256(secret, body)>``); the other
        side answers 200 ``{"ok": true, ...}`` or an error status ``{"error": "..."}``."""
        if not self.api_secret:
            raise DialError("no secret is configured for this PBX")
        body = json.dumps({"extension": extension, "number": number}).encode()
        response = dial_request(
            "POST",
            url,
            timeout,
            data=body,
            headers={
                "Content-Type": "application/json",
                self.signature_header: f"sha256={hmac_sha256_hex(self.api_secret, body)}",
            },
        )
        data = response_json(response)
        if response.status_code != 200 or data.get("ok") is not True:
            raise DialError(
                text(data.get("error")) or f"HTTP {response.status_code}",
                code=response.status_code,
            )
        return data
