"""Zadarma: form POSTs of its PBX notifications, signed as Zadarma's own libraries
sign them (github.com/zadarma/user-api-v1, ``lib/Webhook/*.php``): the ``Signature``
header is ``base64(hex(HMAC-SHA1(secret, signature string)))`` — base64 of the
lowercase hexadecimal digest, not of the raw digest — where the signature string is,
per event:

- NOTIFY_START, NOTIFY_INTERNAL, NOTIFY_END: ``caller_id + called_did + call_start``
- NOTIFY_ANSWER: ``caller_id + destination + call_start``
- NOTIFY_OUT_START, NOTIFY_OUT_END: ``internal + destination + call_start``
- NOTIFY_RECORD: ``pbx_call_id + call_id_with_rec``

The signature does not cover ``pbx_call_id`` (except NOTIFY_RECORD), ``duration`` or
``disposition``: it proves the sender, not uniqueness. ``call_start`` is local time
of the account (``dealer.pbx.timezone``); ``duration`` is talk time. Events carry no
time of their own besides ``call_start``: the moment the request arrived is used.
"""

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from .base import (
    DIAL_TIMEOUT,
    DialError,
    MalformedError,
    PbxAdapter,
    PbxEvent,
    SignatureError,
    dial_request,
    from_local,
    header,
    response_json,
    same,
)
from .base import text as _text

SIGNATURE_FIELDS = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}
DISPOSITIONS = {
    "answered": "answered",
    "busy": "busy",
    "cancel": "no_answer",
    "no answer": "no_answer",
}
ECHO_MAX = 256
API_URL = "https://api.zadarma.com"
CALLBACK_METHOD = "/v1/request/callback/"


def zadarma_signature(secret, string):
    """What Zadarma sends in ``Signature`` for ``string``."""
    digest = hmac.new(secret.encode(), string.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def text(form, name):
    return _text(form.get(name))


class ZadarmaAdapter(PbxAdapter):
    provider = "zadarma"

    def echo(self, query):
        value = query.get("zd_echo")
        if value is None:
            return None
        return str(value)[:ECHO_MAX]

    def verify(self, headers, body, form, suffix=""):
        if not self.api_secret:
            raise SignatureError("no API secret is configured for this PBX")
        event = (form or {}).get("event")
        fields = SIGNATURE_FIELDS.get(event)
        if not fields:
            # Unknown notifications (NOTIFY_IVR, SMS...) prove nothing: refused.
            raise SignatureError(f"unsupported Zadarma event: {event!r}")
        string = "".join(str(form.get(name) or "") for name in fields)
        if not same(zadarma_signature(self.api_secret, string), header(headers, "Signature")):
            raise SignatureError("wrong signature")

    def parse(self, headers, body, form, suffix="", received=None):
        form = form or {}
        event = form.get("event")
        call_key = text(form, "pbx_call_id")
        if not call_key:
            raise MalformedError("missing pbx_call_id")
        handler = getattr(self, f"_{str(event).lower()}", None)
        if handler is None:
            raise MalformedError(f"unsupported Zadarma event: {event!r}")
        return [handler(form, call_key, received)]

    def originate(self, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
        """Zadarma's callback: ``GET /v1/request/callback/?from=<extension>&to=<number>``
        signed with the API key and secret; answers ``{"status": "success", ...}`` or
        ``{"status": "error", "message": "..."}``."""
        if not self.api_key or not self.api_secret:
            raise DialError("no API key and secret are configured for this PBX")
        query, authorization = zadarma_api_request(
            self.api_key,
            self.api_secret,
            CALLBACK_METHOD,
            {"from": extension, "to": str(number).lstrip("+")},
        )
        response = dial_request(
            "GET",
            f"{(url or API_URL).rstrip('/')}{CALLBACK_METHOD}?{query}",
            timeout,
            headers={"Authorization": authorization},
        )
        data = response_json(response)
        if response.status_code != 200 or data.get("status") != "success":
            raise DialError(
                _text(data.get("message")) or f"HTTP {response.status_code}",
                code=response.status_code,
            )
        return data

    def _start(self, form):
        if not text(form, "call_start"):
            raise MalformedError("missing call_start")
        return from_local(form["call_start"], self.timezone)

    def _ended(self, form, call_key, received, *, direction, caller, called, extension):
        try:
            duration = int(form.get("duration") or 0)
        except (TypeError, ValueError) as error:
            raise MalformedError("duration must be a whole number of seconds") from error
        disposition = DISPOSITIONS.get((text(form, "disposition") or "").lower(), "failed")
        recorded = text(form, "is_recorded") == "1"
        return PbxEvent(
            kind="ended",
            call_key=call_key,
            direction=direction,
            caller=caller,
            called=called,
            extension=extension,
            time=received,
            start_time=self._start(form),
            disposition=disposition,
            talk_seconds=duration,
            recording_id=text(form, "call_id_with_rec") if recorded else None,
            raw=dict(form),
        )

    def _notify_start(self, form, call_key, received):
        start = self._start(form)
        return PbxEvent(
            kind="ringing",
            call_key=call_key,
            direction="incoming",
            caller=text(form, "caller_id"),
            called=text(form, "called_did"),
            line=text(form, "called_did"),
            time=start,
            start_time=start,
            raw=dict(form),
        )

    def _notify_internal(self, form, call_key, received):
        extension = text(form, "internal")
        return PbxEvent(
            kind="ringing",
            call_key=call_key,
            leg=extension or "",
            direction="incoming",
            caller=text(form, "caller_id"),
            called=text(form, "called_did"),
            line=text(form, "called_did"),
            extension=extension,
            time=received,
            start_time=self._start(form),
            raw=dict(form),
        )

    def _notify_answer(self, form, call_key, received):
        extension = text(form, "internal")
        return PbxEvent(
            kind="answered",
            call_key=call_key,
            leg=extension or "",
            caller=text(form, "caller_id"),
            extension=extension,
            time=received,
            start_time=self._start(form),
            raw=dict(form),
        )

    def _notify_end(self, form, call_key, received):
        return self._ended(
            form,
            call_key,
            received,
            direction="incoming",
            caller=text(form, "caller_id"),
            called=text(form, "called_did"),
            extension=text(form, "internal"),
        )

    def _notify_out_start(self, form, call_key, received):
        start = self._start(form)
        extension = text(form, "internal")
        return PbxEvent(
            kind="ringing",
            call_key=call_key,
            direction="outgoing",
            caller=extension,
            called=text(form, "destination"),
            line=text(form, "caller_id"),
            extension=extension,
            time=start,
            start_time=start,
            raw=dict(form),
        )

    def _notify_out_end(self, form, call_key, received):
        extension = text(form, "internal")
        return self._ended(
            form,
            call_key,
            received,
            direction="outgoing",
            caller=extension,
            called=text(form, "destination"),
            extension=extension,
        )

    def _notify_record(self, form, call_key, received):
        record = text(form, "call_id_with_rec")
        if not record:
            raise MalformedError("missing call_id_with_rec")
        return PbxEvent(
            kind="recording",
            call_key=call_key,
            recording_id=record,
            time=received,
            raw=dict(form),
        )


def zadarma_api_request(key, secret, method, params):
    """The query string and ``Authorization`` header of a Zadarma API call, as its
    client computes them (``lib/Client.php``): ``format=json`` added, parameters
    sorted and encoded as PHP's ``http_build_query`` (RFC 1738: spaces as ``+``),
    ``Authorization: key:base64(hex(HMAC-SHA1(secret, method + query + md5(query))))``."""
    params = {**{k: v for k, v in params.items() if v not in (None, "")}, "format": "json"}
    query = urlencode(sorted(params.items()))
    digest = hashlib.md5(query.encode()).hexdigest()
    return query, f"{key}:{zadarma_signature(secret, method + query + digest)}"
