"""Any PBX or middleware: the addon's own JSON format (documented in the readme)."""

from datetime import datetime

from .base import (
    DIAL_TIMEOUT,
    DISPOSITIONS,
    UTC,
    DialError,
    MalformedError,
    PbxEvent,
    SignedJsonAdapter,
    from_unix,
    load_json,
    text,
)

EVENTS_MAX = 1000


def parse_time(value):
    """ISO 8601 with an offset, or unix seconds."""
    if isinstance(value, bool) or value in (None, ""):
        raise MalformedError("missing time")
    if isinstance(value, (int, float)) or (isinstance(value, str) and _is_number(value)):
        return from_unix(value)
    if not isinstance(value, str):
        raise MalformedError(f"not a time: {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise MalformedError(f"not an ISO 8601 time: {value!r}") from error
    if moment.tzinfo is None:
        raise MalformedError(f"the time needs an offset (e.g. +03:00): {value!r}")
    return moment.astimezone(UTC)


def _is_number(value):
    try:
        float(value)
    except ValueError:
        return False
    return True


class GenericAdapter(SignedJsonAdapter):
    """``{"event": "ringing", "call_id": "...", ...}`` or a list of such objects."""

    provider = "generic"

    def parse(self, headers, body, form, suffix="", received=None):
        document = load_json(body)
        items = document if isinstance(document, list) else [document]
        if not items or len(items) > EVENTS_MAX:
            raise MalformedError(f"expected 1 to {EVENTS_MAX} events")
        return [self._event(item) for item in items]

    def _event(self, item):
        if not isinstance(item, dict):
            raise MalformedError("each event must be a JSON object")
        kind = text(item.get("event"))
        disposition = text(item.get("disposition"))
        if disposition is not None and disposition not in DISPOSITIONS:
            raise MalformedError(f"unknown disposition: {disposition!r}")
        extension = text(item.get("extension"))
        talk = item.get("talk_seconds")
        if talk is not None and (isinstance(talk, bool) or not isinstance(talk, (int, float))):
            raise MalformedError("talk_seconds must be a number")
        return PbxEvent(
            kind=kind or "",
            call_key=text(item.get("call_id")) or "",
            # Two extensions rung for one call are two legs; a sender may name its own.
            leg=text(item.get("leg"))
            or (extension if kind in ("ringing", "answered") else "")
            or "",
            direction=text(item.get("direction")),
            caller=text(item.get("from")),
            called=text(item.get("to")),
            line=text(item.get("line")),
            extension=extension,
            time=parse_time(item.get("time")),
            disposition=disposition,
            talk_seconds=int(talk) if talk is not None else None,
            recording_url=text(item.get("recording_url")),
            raw=item,
        )

    def originate(self, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
        """Click-to-dial through the PBX's own callback URL, when one is configured:
        ``POST`` of ``{"extension", "number"}`` signed as the webhooks are (readme)."""
        if not url:
            raise DialError("no click-to-dial URL is configured for this PBX", unsupported=True)
        return self.originate_signed(url, extension, number, timeout)
