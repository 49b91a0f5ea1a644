"""Asterisk through the addon's AMI bridge (``bridge/``): AMI events with AMI's own
keys, posted as ``{"events": [...]}`` and signed like the generic format.

- A call is its ``Linkedid``; its legs are the ``Uniqueid``s of the real SIP/PJSIP
  channels. ``Local/`` channels are never calls or extensions of their own: only the
  real channel a Local channel dials counts.
- ``Newchannel`` of the call's first channel (``Uniqueid == Linkedid``) starts the
  call: caller ``CallerIDNum``, number dialled ``Exten``. ``DialBegin`` to an
  extension's channel rings that extension (its peer name, e.g. ``101`` of
  ``PJSIP/101-0000002a``); ``DialEnd`` with ``DialStatus: ANSWER`` or ``BridgeEnter``
  of a leg answers it; ``Hangup`` of the first channel ends the call (``Cause``
  17 busy, 18/19 no answer, other failures failed); ``VarSet`` of
  ``MIXMONITOR_FILENAME`` names the recording.
- Direction: incoming when the caller is external (a long number, a trunk channel),
  outgoing when an extension dials an external number, internal otherwise.
- Times: AMI's ``Timestamp`` (``timestampevents = yes``, else stamped by the bridge).
"""

import re

from .base import (
    DIAL_TIMEOUT,
    DialError,
    MalformedError,
    PbxEvent,
    SignedJsonAdapter,
    from_unix,
    load_json,
    text,
)

EVENTS_MAX = 5000
# An extension is a known extension number, else a short all-digit number.
EXTENSION_MAX_DIGITS = 5
BUSY_CAUSES = {17, 21}
NO_ANSWER_CAUSES = {18, 19}
FAILED_CAUSES = {1, 3, 20, 22, 27, 28, 31, 34, 38, 41, 42, 44, 58, 88, 102, 111, 127}
_CHANNEL = re.compile(r"^(?P<tech>[A-Za-z0-9_]+)/(?P<peer>.+?)(?:-[0-9a-fA-F]+)?(?:;\d)?$")


def channel_peer(channel):
    """``("PJSIP", "101")`` for ``PJSIP/101-0000002a``; ``(None, None)`` if unreadable."""
    match = _CHANNEL.match(channel or "")
    if not match:
        return None, None
    return match.group("tech"), match.group("peer").split("@", 1)[0]


def is_local(channel):
    return (channel or "").lower().startswith("local/")


class AsteriskAdapter(SignedJsonAdapter):
    provider = "asterisk"

    def parse(self, headers, body, form, suffix="", received=None):
        document = load_json(body)
        items = document.get("events") if isinstance(document, dict) else None
        if not isinstance(items, list) or len(items) > EVENTS_MAX:
            raise MalformedError(f'expected {{"events": [...]}} with at most {EVENTS_MAX} events')
        events = []
        for item in items:
            if not isinstance(item, dict):
                raise MalformedError("each AMI event must be a JSON object")
            handler = getattr(self, f"_on_{str(item.get('Event', '')).lower()}", None)
            event = handler(item, received) if handler else None
            if event is not None:
                events.append(event)
        return events

    # --- helpers ---------------------------------------------------------------------
    def is_extension(self, number):
        number = text(number)
        if not number:
            return False
        return number in self.extensions or (
            number.isdigit() and len(number) <= EXTENSION_MAX_DIGITS
        )

    def _extension_of(self, channel, *numbers):
        """The extension behind a real (not Local) channel: its peer name when it is
        an extension, else the first of ``numbers`` that is one."""
        if not channel or is_local(channel):
            return None
        _tech, peer = channel_peer(channel)
        for candidate in (peer, *numbers):
            if self.is_extension(candidate):
                return text(candidate)
        return None

    def _time(self, item, received):
        stamp = item.get("Timestamp")
        if stamp in (None, ""):
            if received is None:
                raise MalformedError("AMI event without Timestamp")
            return received
        return from_unix(stamp)

    @staticmethod
    def _key(item, prefix=""):
        key = text(item.get(f"{prefix}Linkedid")) or text(item.get("Linkedid"))
        if not key:
            raise MalformedError("AMI event without Linkedid")
        return key

    def _event(self, item, received, **values):
        return PbxEvent(time=self._time(item, received), raw=item, **values)

    # --- AMI events ----------------------------------------------------------------------
    def _on_newchannel(self, item, received):
        if text(item.get("Uniqueid")) != text(item.get("Linkedid")):
            return None  # a further leg: DialBegin tells which extension it rings
        channel = text(item.get("Channel"))
        caller = text(item.get("CallerIDNum"))
        called = text(item.get("Exten"))
        if called == "s":
            called = None
        from_extension = self._extension_of(channel, caller)
        if not from_extension and is_local(channel) and self.is_extension(caller):
            from_extension = caller  # click-to-dial: Originate through a Local channel
        to_internal = self.is_extension(called)
        if from_extension:
            direction = "internal" if to_internal or not called else "outgoing"
        else:
            direction = "incoming"
        return self._event(
            item,
            received,
            kind="ringing",
            call_key=self._key(item),
            direction=direction,
            caller=from_extension if from_extension else caller,
            called=called,
            line=called if direction == "incoming" else None,
            extension=from_extension,
        )

    def _on_dialbegin(self, item, received):
        dest = text(item.get("DestChannel"))
        extension = self._extension_of(dest, item.get("DestCallerIDNum"), item.get("DestExten"))
        if not extension or not text(item.get("DestUniqueid")):
            return None  # a trunk (outgoing) or a Local channel: not an extension rung
        return self._event(
            item,
            received,
            kind="ringing",
            call_key=self._key(item, "Dest"),
            leg=text(item.get("DestUniqueid")),
            extension=extension,
        )

    def _on_dialend(self, item, received):
        dest = text(item.get("DestChannel"))
        leg = text(item.get("DestUniqueid"))
        if not dest or is_local(dest) or not leg:
            return None
        status = (text(item.get("DialStatus")) or "").upper()
        extension = self._extension_of(dest, item.get("DestCallerIDNum"), item.get("DestExten"))
        if status == "ANSWER":
            # A trunk answering an outgoing call: the extension is the one dialling.
            extension = extension or self._extension_of(
                text(item.get("Channel")), item.get("CallerIDNum")
            )
            return self._event(
                item,
                received,
                kind="answered",
                call_key=self._key(item, "Dest"),
                leg=leg,
                extension=extension,
            )
        disposition = {"BUSY": "busy", "NOANSWER": "no_answer", "CANCEL": "no_answer"}.get(
            status, "failed"
        )
        return self._event(
            item,
            received,
            kind="ended",
            call_key=self._key(item, "Dest"),
            leg=leg,
            extension=extension,
            disposition=disposition,
        )

    def _on_bridgeenter(self, item, received):
        channel = text(item.get("Channel"))
        leg = text(item.get("Uniqueid"))
        if not channel or is_local(channel) or leg == text(item.get("Linkedid")):
            return None  # the caller's own channel entering the bridge answers nothing
        connected = text(item.get("ConnectedLineNum"))
        extension = self._extension_of(channel, item.get("CallerIDNum")) or (
            connected if self.is_extension(connected) else None
        )
        return self._event(
            item, received, kind="answered", call_key=self._key(item), leg=leg, extension=extension
        )

    def _on_hangup(self, item, received):
        if text(item.get("Uniqueid")) != text(item.get("Linkedid")):
            return None  # a leg: DialEnd already told how it ended
        try:
            cause = int(item.get("Cause") or 0)
        except (TypeError, ValueError):
            cause = 0
        disposition = None  # normal clearing: answered or not, as the legs tell
        if cause in BUSY_CAUSES:
            disposition = "busy"
        elif cause in NO_ANSWER_CAUSES:
            disposition = "no_answer"
        elif cause in FAILED_CAUSES:
            disposition = "failed"
        return self._event(
            item, received, kind="ended", call_key=self._key(item), disposition=disposition
        )

    def _on_varset(self, item, received):
        if (text(item.get("Variable")) or "").upper() != "MIXMONITOR_FILENAME":
            return None
        filename = text(item.get("Value"))
        if not filename:
            return None
        url = filename if filename.startswith(("http://", "https://")) else None
        return self._event(
            item,
            received,
            kind="recording",
            call_key=self._key(item),
            recording_url=url,
            recording_id=None if url else filename,
        )

    def originate(self, extension, number, *, url=None, timeout=DIAL_TIMEOUT):
        """Click-to-dial through the AMI bridge: ``POST {bridge_url}/originate``
        (the bridge sends AMI ``Originate``: the extension rings, then the number)."""
        if not url:
            raise DialError("no bridge URL is configured for this PBX")
        return self.originate_signed(f"{url.rstrip('/')}/originate", extension, number, timeout)
