"""SMSC (smsc.ru).

Protocol (https://smsc.ru/api/http/ : send, status_messages, balance,
miscellaneous/callback):
- POST ``/sys/send.php``: ``login`` + ``psw`` (or ``apikey``), ``phones``, ``mes``,
  ``id`` (ours: "assigned by the Client", later used to ask the status), ``sender``,
  ``charset=utf-8``, ``fmt=3`` (JSON). Answer ``{"id": N, "cnt": N}`` or
  ``{"error": "...", "error_code": N}`` with 1 bad parameters, 2 bad login/password,
  3 no money, 4 IP blocked for a while after errors, 5 bad date, 6 message forbidden
  (text or sender), 7 bad number, 8 cannot deliver to the number, 9 an identical
  request within a minute (or too many at once).
  The ``list`` form sends several texts in one request but under one id, told apart
  only by number, so we send one message per request, each under its own id.
- POST ``/sys/status.php`` with ``id`` and ``phone``, ``fmt=3``: ``{"status": N,
  "last_date": "dd.mm.yyyy hh:mm:ss" (Moscow), "last_timestamp": unix, "err": N}``;
  status -3 not found, -1 waiting, 0 handed to the operator, 1 delivered, 2 read,
  3 expired, 4 link clicked, 20 cannot deliver, 22 bad number, 23 forbidden,
  24 no money, 25 number unavailable. ``/sys/balance.php`` answers ``{"balance"}``.
- The handler URL set in the SMSC cabinet gets statuses as ``id, phone, status, time,
  err`` and, when a password for signatures is used, ``md5 = md5("id:phone:status:"
  + password)`` (or ``sha1`` of the same string); incoming SMS as ``sms_id, phone,
  mes, to, sent, time`` with ``md5``. Give the handler URL ``?charset=utf-8``, else
  SMSC posts in windows-1251.
Because SMSC keeps our id, a request whose answer was lost is settled by asking the
status by that id before anything is sent again.
"""

import hashlib
import hmac

from odoo.tools.translate import LazyTranslate

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
    SendResult,
    StatusResult,
    callback_fields,
    digits,
    e164,
    from_moscow,
    from_unix,
    garbage_reason,
    lookup_items,
    to_int,
)
from .base import (
    REASONS as TRANSPORT_REASONS,
)

# Texts of code that runs without an environment: lazy, translated by the caller.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__, default_lang="en_US")  # English until the core translates

# error_code of send.php / status.php / balance.php
REASONS = {
    1: _lt("SMSC rejected the request's parameters."),
    2: _lt("The SMSC login or password is wrong."),
    3: _lt("There is not enough money on the SMSC account."),
    4: _lt("SMSC has blocked this server's address for a while; it will be tried later."),
    5: _lt("The send time format is wrong."),
    6: _lt("SMSC forbade the message (its text or sender name)."),
    7: _lt("The phone number format is wrong."),
    8: _lt("SMSC cannot deliver a message to this number."),
    9: _lt("SMSC got an identical request within a minute, or too many at once."),
    "refused": _lt("SMSC refused the message."),
    "lost": _lt("SMSC did not get the message; it will be sent again."),
}
# delivery status codes (status.php and the handler)
STATUS_REASONS = {
    -3: _lt("SMSC does not know this message."),
    3: _lt("Not delivered: the message's lifetime ran out."),
    20: _lt("Not delivered: SMSC could not deliver it."),
    22: _lt("Not delivered: the number is wrong."),
    23: _lt("Not delivered: the message is forbidden."),
    24: _lt("Not delivered: there was not enough money."),
    25: _lt("Not delivered: the number is unavailable."),
    "other": _lt("Not delivered."),
}

RETRY_CODES = {4}  # SMSC did nothing and asks to come back later
DOUBT_CODES = {9}  # "identical request within a minute": the first one may have gone through
SENT_STATUSES = {-1, 0}
DELIVERED_STATUSES = {1, 2, 4}


def reason(code):
    found = REASONS.get(code)
    if found is None:
        return f"{REASONS['refused']} (code {code})"
    return str(found)


def delivery(code):
    """(state, reason) of an SMSC delivery status code."""
    if code in SENT_STATUSES:
        return SENT, None
    if code in DELIVERED_STATUSES:
        return DELIVERED, None
    if code == -3:
        return NOT_FOUND, str(STATUS_REASONS[-3])
    if code is not None and (code == 3 or code >= 20):
        return FAILED, str(STATUS_REASONS.get(code, STATUS_REASONS["other"]))
    return UNKNOWN, None


def message_key(ref, phone):
    """SMSC knows a message by (id, phone): we keep both as its provider id."""
    return f"{ref}:{digits(phone)}"


def split_key(provider_id):
    ref, _sep, phone = str(provider_id or "").rpartition(":")
    return (ref, phone) if ref and phone else (None, None)


class Smsc(Gateway):
    code = "smsc"
    default_url = "https://smsc.ru"
    takes_our_id = True
    batch_size = 1

    def _auth(self):
        if self.login:
            return {"login": self.login, "psw": self.api_key, "fmt": 3, "charset": "utf-8"}
        return {"apikey": self.api_key, "fmt": 3, "charset": "utf-8"}

    def _send_chunk(self, chunk):
        return [self._send_one(message) for message in chunk]

    def _send_one(self, message):
        """Send, and before sending again after an answer that may be lost, ask SMSC
        whether it has the message under our id."""
        doubt = None  # the last result after which SMSC may hold the message
        result = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(attempt)
            if doubt is not None:
                found = self._find(message)
                if found.state in (SENT, DELIVERED, FAILED):
                    return self._found(message, found, doubt)
                if found.state == UNKNOWN:
                    continue  # cannot tell: never send blind
                doubt = None
            result = self._send_request(message)
            if result.state == UNKNOWN or result.code in {str(c) for c in DOUBT_CODES}:
                doubt = result
            elif result.state != RETRY:
                return result
        if doubt is None:
            return result
        found = self._find(message)
        if found.state in (SENT, DELIVERED, FAILED):
            return self._found(message, found, doubt)
        if found.state == NOT_FOUND:
            return SendResult(message.ref, RETRY, error=reason("lost"), code=doubt.code)
        # SMSC holds the message under this key if it has it: keep it for a later lookup
        return SendResult(
            message.ref,
            UNKNOWN,
            provider_id=message_key(message.ref, message.phone),
            error=doubt.error,
            code=doubt.code,
        )

    def _found(self, message, found, doubt):
        # SMSC has it: accepted once, whatever its delivery came to since
        return SendResult(
            message.ref,
            SENT,
            provider_id=found.provider_id or message_key(message.ref, message.phone),
            code=doubt.code,
        )

    def _find(self, message):
        return self._status_one(message.ref, message.ref, digits(message.phone))

    def _send_request(self, message):
        data = self._auth()
        data.update(phones=e164(message.phone), mes=message.text, id=message.ref)
        if self.sender:
            data["sender"] = self.sender
        reply = self._request("POST", "/sys/send.php", data=data)
        if reply.outcome != "answer":
            return self._transport_result(message.ref, reply)
        body = reply.data
        if not isinstance(body, dict) or not ("id" in body or "error_code" in body):
            if reply.status and 400 <= reply.status < 500:
                return self._http_refused(message.ref, reply)
            return self._garbage_result(message.ref, reply)
        if "error_code" in body or "error" in body:
            code = to_int(body.get("error_code"))
            state = RETRY if code in RETRY_CODES | DOUBT_CODES else FAILED
            return SendResult(message.ref, state, error=reason(code), code=str(code))
        smsc_id = body.get("id")
        return SendResult(
            message.ref,
            SENT,
            provider_id=message_key(
                smsc_id if smsc_id not in (None, "") else message.ref, message.phone
            ),
            code="ok",
        )

    # --- status ----------------------------------------------------------------------
    def status(self, items):
        results = []
        for ref, provider_id, known_phone in lookup_items(items):
            smsc_id, phone = split_key(provider_id)
            if not smsc_id and ref and known_phone:  # our id is SMSC's id
                smsc_id, phone = str(ref), digits(known_phone)
            if not smsc_id:
                results.append(
                    StatusResult(
                        ref, provider_id, UNKNOWN, error=str(TRANSPORT_REASONS["no_lookup"])
                    )
                )
                continue
            results.append(self._status_one(ref, smsc_id, phone))
        return results

    def _status_one(self, ref, smsc_id, phone):
        provider_id = f"{smsc_id}:{phone}"
        data = self._auth()
        data.update(id=smsc_id, phone=phone)
        reply = self._post_reading("/sys/status.php", data=data)
        if reply.outcome != "answer":
            return StatusResult(ref, provider_id, UNKNOWN, error=str(TRANSPORT_REASONS[reply.kind]))
        body = reply.data
        if not isinstance(body, dict) or not ("status" in body or "error_code" in body):
            return StatusResult(ref, provider_id, UNKNOWN, error=garbage_reason(reply.text))
        if "error_code" in body:
            code = to_int(body.get("error_code"))
            if code == 3:  # "message not found" as an error rather than status -3
                return StatusResult(ref, provider_id, NOT_FOUND, error=str(STATUS_REASONS[-3]))
            return StatusResult(ref, provider_id, UNKNOWN, error=reason(code))
        state, error = delivery(to_int(body.get("status")))
        at = from_unix(body.get("last_timestamp")) or from_moscow(body.get("last_date"))
        return StatusResult(ref, provider_id, state, error=error, at=at)

    # --- callbacks -------------------------------------------------------------------
    def _check(self, fields, *parts):
        given_md5 = str(fields.get("md5") or "").strip().lower()
        given_sha1 = str(fields.get("sha1") or "").strip().lower()
        text = ":".join(str(part) for part in (*parts, self.api_key))
        if given_md5:
            ok = hmac.compare_digest(
                given_md5.encode(), hashlib.md5(text.encode()).hexdigest().encode()
            )
        elif given_sha1:
            ok = hmac.compare_digest(
                given_sha1.encode(), hashlib.sha1(text.encode()).hexdigest().encode()
            )
        else:
            ok = False
        if not ok:
            raise GatewayAuthError("SMSC callback signature does not match")

    def parse_report(self, params, body, headers):
        fields = callback_fields(params, body, headers)
        if "status" not in fields:
            return []  # an incoming SMS on the shared handler: parse_incoming's
        smsc_id, phone, status = (str(fields.get(key, "")) for key in ("id", "phone", "status"))
        self._check(fields, smsc_id, phone, status)
        state, error = delivery(to_int(status))
        err = to_int(fields.get("err"))
        if state == FAILED and err:
            error = f"{error} (err {err})"
        return [
            StatusResult(
                smsc_id or None,
                f"{smsc_id}:{digits(phone)}",
                state,
                error=error,
                at=callback_time(fields.get("time") or fields.get("ts")),
            )
        ]

    def parse_incoming(self, params, body, headers):
        fields = callback_fields(params, body, headers)
        if "status" in fields or "mes" not in fields:
            return []  # a delivery status on the shared handler
        sms_id, phone, mes, to = (
            str(fields.get(key, "")) for key in ("sms_id", "phone", "mes", "to")
        )
        # NOTE: the order of the signed fields for incoming SMS was not confirmed from
        # SMSC's page (statuses are "id:phone:status:password"); keep it in this one line.
        self._check(fields, sms_id, phone, mes, to)
        return [Incoming(e164(phone), mes, provider_id=sms_id or None)]

    def balance(self):
        reply = self._post_reading("/sys/balance.php", data=self._auth())
        if reply.outcome != "answer":
            raise GatewayError(str(TRANSPORT_REASONS[reply.kind]))
        body = reply.data
        if not isinstance(body, dict) or not ("balance" in body or "error_code" in body):
            raise GatewayError(garbage_reason(reply.text))
        if "error_code" in body:
            raise GatewayError(reason(to_int(body.get("error_code"))))
        try:
            return float(body["balance"])
        except (TypeError, ValueError) as error:
            raise GatewayError(garbage_reason(reply.text)) from error


def callback_time(value):
    """SMSC's ``time`` in a callback: unix seconds, or Moscow 'dd.mm.yyyy hh:mm:ss'."""
    if value in (None, ""):
        return None
    return from_unix(value) or from_moscow(value)
