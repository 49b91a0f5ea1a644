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
