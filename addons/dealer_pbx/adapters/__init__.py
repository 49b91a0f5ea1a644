"""Provider adapters: each turns one vendor's webhook requests into ``PbxEvent``s.

Pure Python (no ORM): the model stores and assembles what they return."""

from .base import (
    DIAL_TIMEOUT,
    DISPOSITIONS,
    DialError,
    EVENT_KINDS,
    MalformedError,
    PbxAdapter,
    PbxError,
    PbxEvent,
    SignatureError,
)
from .asterisk import AsteriskAdapter
from .generic import GenericAdapter
from .mango import MangoAdapter
from .zadarma import ZadarmaAdapter

ADAPTERS = {
    adapter.provider: adapter
    for adapter in (GenericAdapter, AsteriskAdapter, ZadarmaAdapter, MangoAdapter)
}


def get_adapter(provider, **config):
    """The adapter of ``provider`` configured with ``config`` (api_key, api_secret,
    timezone, extensions)."""
    return ADAPTERS[provider](**config)
