"""SMS gateways: each speaks one vendor's HTTP API and answers in the core's terms.

Pure Python (requests, no ORM); see base.py for what sent / failed / retry / unknown
promise."""

from .base import (
    DELIVERED,
    FAILED,
    NOT_FOUND,
    RETRY,
    SENT,
    UNKNOWN,
    Gateway,
    GatewayAuthError,
    GatewayError,
    Incoming,
    OutMessage,
    Report,
    SendResult,
    StatusResult,
)
from .smsru import SmsRu
from .smsc import Smsc
from .smsaero import SmsAero

GATEWAYS = {"smsru": SmsRu, "smsc": Smsc, "smsaero": SmsAero}


def _all_reasons():
    from . import base, smsaero, smsc, smsru

    reasons = [
        *base.REASONS.values(),
        *smsaero.REASONS.values(),
        *smsc.REASONS.values(),
        *smsc.STATUS_REASONS.values(),
        *smsru.REASONS.values(),
    ]
    return sorted(reasons, key=lambda lazy: -len(lazy._source))


REASON_TEXTS = _all_reasons()


def translate_reason(env, text):
    """A gateway's reason in the reader's language. Gateways speak English: they run
    outside any request; the reason may be followed by details (a code, a snippet)."""
    if not text or (env.lang or "en_US") == "en_US":
        return text
    for lazy in REASON_TEXTS:
        source = lazy._source
        # A reason ending with one named detail («…: %(start)s») was filled in English.
        fixed, _sep, name = source.partition("%(")
        if name.endswith(")s") and text.startswith(fixed):
            return env._(source, **{name[:-2]: text[len(fixed) :]})
        if text.startswith(source):
            return env._(lazy) + text[len(source) :]
    return text
