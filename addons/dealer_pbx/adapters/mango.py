"""Mango Office VPBX: form POSTs ``vpbx_api_key``, ``sign``, ``json`` to the webhook
URL followed by the event's path (``/events/call``, ``/events/summary``,
``/events/recording``...). ``sign = sha256_hex(vpbx_api_key + json + vpbx_api_salt)``
(the same signature as Mango's API requests, e.g. ``dasshit/Python-Mango-Office-API``).

- ``events/call``: one state of one leg (``call_id``) of a call (``entry_id``):
  ``Appeared`` rings, ``Connected`` answers (only at ``location: abonent``: the voice
  menu or a queue answering is no answer), ``Disconnected`` ends the leg.
- ``events/summary``: the final word on the call: ``entry_result`` 1 answered, 0 not;
  ``create_time``, ``talk_time``, ``end_time`` (unix seconds); ``call_direction``
  1 incoming, 2 outgoing, 0 internal.
- ``events/recording``: a completed recording's ``recording_id``; the file is fetched
  through Mango's API (``queries/recording/post``).
"""

import hashlib
import json
import uuid

from .base import (
    DIAL_TIMEOUT,
    DialError,
    MalformedError,
    PbxAdapter,
    PbxEvent,
    SignatureError,
    dial_request,
    from_unix,
    load_json,
    response_json,
    same,
    text,
)

CALL_STATES = {"Appeared": "ringing", "Connected": "answered", "Disconnected": "ended"}
SUMMARY_DIRECTIONS = {0: "internal", 1: "incoming", 2: "outgoing"}
# Busy: Mango's disconnect reasons 1xx1 "абонент занят" family.
BUSY_REASONS = {1111, 1121, 1131, 2111, 2121}
API_URL = "https://app.mango-office.ru/vpbx"
RESULT_OK = 1000
# Mango's result codes a callback command may get (its API manual), shown with the code.
RESULTS = {
    2000: "billing restriction",
    2240: "insufficient funds on the account",
    3000: "bad request",
    3100: "wrong command parameters",
    3102: "the sign does not match",
    3103: "a required parameter is missing",
    3104: "a parameter has a wrong format",
    3105: "wrong vpbx_api_key",
    3200: "wrong subscriber number",
    3330: "number not found at the VPBX or employee",
    4000: "the action cannot be performed",
    4001: "command not supported",
    4100: "the VPBX cannot perform the command",
    4200: "the subscriber cannot be reached now",
    4501: "call frequency limit",
    5000: "server error",
    5001: "overload",
    5003: "technical problems",
}


def mango_sign(api_key, json_text, salt):
    """``sha256_hex(vpbx_api_key + json + vpbx_api_salt)``: Mango's webhooks and API."""
    return hashlib.sha256(f"{api_key}{json_text}{salt}".encode()).hexdigest()


def mango_api_form(api_key, salt, document):
    """The form of a Mango API request carrying ``document``."""
    json_text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return {
        "vpbx_api_key": api_key,
        "sign": mango_sign(api_key, json_text, salt),
        "json": json_text,
    }


def _party(document, name):
    party = document.get(name)
    return party if isinstance(party, dict) else {}


def _number(value):
    """A Mango number: ``sip:user@domain`` stays as is (no phone number)."""
    return text(value)


class MangoAdapter(PbxAdapter):
    provider = "mango"
    suffixes = (
        "events/call",
        "events/summary",
        "events/recording",
        "events/dtmf",
        "events/sms",
        "events/callback",
        "events/recognized_offline",
        "events/record/added",
        "events/ping",
        "ping",
    )

    def verify(self, headers, body, form, suffix=""):
        form = form or {}
        if not self.api_key or not self.api_secret:
            raise SignatureError("no API key and salt are configured for this PBX")
        if not same(self.api_key, form.get("vpbx_api_key")):
            raise SignatureError("wrong vpbx_api_key")
        json_text = form.get("json")
        if json_text is None:
            raise SignatureError("missing json")
        if not same(mango_sign(self.api_key, json_text, self.api_secret), form.get("sign")):
            raise SignatureError("wrong sign")

    def parse(self, headers, body, form, suffix="", received=None):
        form = form or {}
        document = load_json(form.get("json") or "")
        if not isinstance(document, dict):
            raise MalformedError("json must be an object")
        handler = {
            "events/call": self._call,
            "events/summary": self._summary,
            "events/recording": self._recording,
        }.get(suffix)
        if handler is None:
            return []  # other notifications (DTMF, SMS...) are none of the call log's
        event = handler(document)
        return [event] if event else []

    @staticmethod
    def _entry(document):
        entry = text(document.get("entry_id"))
        if not entry:
            raise MalformedError("missing entry_id")
        return entry

    @staticmethod
    def _direction(source, target):
        if source.get("extension") and target.get("extension"):
            return "internal"
        return "outgoing" if source.get("extension") else "incoming"

    def originate(self, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
        return mango_originate(
            self.api_key, self.api_secret, extension, number, url=url, timeout=timeout
        )

    def _call(self, document):
        kind = CALL_STATES.get(document.get("call_state"))
        if kind is None:
            return None  # OnHold and the like change nothing in the log
        leg = text(document.get("call_id"))
        if not leg:
            raise MalformedError("missing call_id")
        source, target = _party(document, "from"), _party(document, "to")
        direction = self._direction(source, target)
        at_employee = document.get("location") == "abonent"
        extension = text(target.get("extension") if direction != "outgoing" else None) or text(
            source.get("extension") if direction == "outgoing" else None
        )
        if kind == "answered" and not at_employee and direction != "outgoing":
            return None  # the voice menu or the queue picked up: nobody answered yet
        return PbxEvent(
            kind=kind,
            call_key=self._entry(document),
            leg=leg,
            direction=direction,
            caller=text(source.get("extension"))
            if direction == "outgoing"
            else _number(source.get("number")),
            called=_number(target.get("number")),
            line=text(target.get("line_number")) or text(source.get("line_number")),
            extension=extension if (at_employee or direction == "outgoing") else None,
            time=from_unix(document.get("timestamp")),
            raw=document,
        )

    def _summary(self, document):
        source, target = _party(document, "from"), _party(document, "to")
        try:
            direction = SUMMARY_DIRECTIONS.get(int(document.get("call_direction")))
        except (TypeError, ValueError):
            direction = None
        direction = direction or self._direction(source, target)
        start = from_unix(document.get("create_time"))
        end = from_unix(document.get("end_time"))
        talk = document.get("talk_time")
        answer = from_unix(talk) if talk not in (None, "", 0, "0") else None
        answered = str(document.get("entry_result")) == "1"
        try:
            reason = int(document.get("disconnect_reason") or 0)
        except (TypeError, ValueError):
            reason = 0
        disposition = "busy" if reason in BUSY_REASONS else "no_answer"
        if answered:
            disposition = "answered"
        extension = source.get("extension") if direction == "outgoing" else target.get("extension")
        return PbxEvent(
            kind="ended",
            call_key=self._entry(document),
            direction=direction,
            caller=text(extension if direction == "outgoing" else source.get("number")),
            called=_number(target.get("number")),
            line=text(document.get("line_number")),
            extension=text(extension),
            time=end,
            start_time=start,
            answer_time=answer if answered else None,
            disposition=disposition,
            talk_seconds=max(int((end - answer).total_seconds()), 0) if answered and answer else 0,
            raw=document,
        )

    def _recording(self, document):
        state = document.get("recording_state")
        if state not in (None, "Completed"):
            return None  # Started / Continued: the file is not there yet
        recording = text(document.get("recording_id"))
        if not recording:
            raise MalformedError("missing recording_id")
        stamp = document.get("timestamp")
        return PbxEvent(
            kind="recording",
            call_key=self._entry(document),
            leg=recording,
            extension=text(document.get("extension")),
            time=from_unix(stamp) if stamp else None,
            recording_id=recording,
            raw=document,
        )


def mango_originate(api_key, salt, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
    """Mango's callback: ``POST {api}/commands/callback`` of ``vpbx_api_key``,
    ``sign``, ``json = {"command_id", "from": {"extension"}, "to_number"}``; Mango
    answers ``{"result": 1000}`` when the command is accepted, another code if not."""
    if not api_key or not salt:
        raise DialError("no API key and salt are configured for this PBX")
    document = {
        "command_id": f"dealer-{uuid.uuid4().hex}",
        "from": {"extension": str(extension)},
        "to_number": str(number).lstrip("+"),
    }
    response = dial_request(
        "POST",
        f"{(url or API_URL).rstrip('/')}/commands/callback",
        timeout,
        data=mango_api_form(api_key, salt, document),
    )
    data = response_json(response)
    try:
        result = int(data.get("result"))
    except (TypeError, ValueError):
        result = None
    if response.status_code != 200 or result != RESULT_OK:
        code = result or response.status_code
        message = text(data.get("message")) or RESULTS.get(code) or f"HTTP {response.status_code}"
        raise DialError(f"{code}: {message}" if result else message, code=code)
    return {**data, "command_id": document["command_id"]}
