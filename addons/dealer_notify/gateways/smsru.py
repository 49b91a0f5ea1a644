"""SMS.ru.

Protocol (https://sms.ru/api, "sms/send", "sms/status", "my/balance", "callback"):
- POST form to ``/sms/send``: ``api_id``, ``json=1``, ``from`` (an approved sender),
  ``multi[<phone digits>]=<text>`` for up to 100 numbers (one text per number, so a
  number appears once per request). Answer ``{"status": "OK"|"ERROR", "status_code",
  "status_text", "sms": {"<phone>": {"status", "status_code", "sms_id"|"status_text"}},
  "balance"}``; a top-level ERROR concerns the whole request.
- POST ``/sms/status`` with ``sms_id`` (comma list, up to 100) answers the same way,
  keyed by sms_id; ``/my/balance`` answers ``balance``.
- The callback URL (set in the SMS.ru cabinet or by ``callback/add``) gets POST form
  fields ``data[0]``, ``data[1]``… each ``"<type>\\n<id>\\n<code>\\n<unix time>"`` with
  type ``sms_status`` (also ``callcheck_status`` and ``test`` heartbeats), and
  ``hash = sha256_hex(api_id + data[0] + data[1] + …)``; the handler must answer ``100``.
  SMS.ru documents no incoming-SMS records on it.
SMS.ru cannot find a message by our reference, so a lost answer stays ``unknown``.
"""

import hashlib
import hmac
import re

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
    SendResult,
    StatusResult,
    callback_fields,
    digits,
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

# The vendor's request and delivery codes, as it documents them.
REASONS = {
    -1: _lt("SMS.ru does not know this message."),
    104: _lt("Not delivered: the message's lifetime ran out."),
    105: _lt("Not delivered: the operator deleted the message."),
    106: _lt("Not delivered: the phone failed to take it."),
    107: _lt("Not delivered for an unknown reason."),
    108: _lt("Not delivered: the message was rejected."),
    150: _lt("Not delivered: there is no route to this number."),
    200: _lt("The SMS.ru API key (api_id) is wrong."),
    201: _lt("There is not enough money on the SMS.ru account."),
    202: _lt("The recipient's number is wrong."),
    203: _lt("The message has no text."),
    204: _lt("The sender name is not approved by SMS.ru."),
    205: _lt("The message is too long."),
    206: _lt("The account's daily limit of messages is reached; it will be tried later."),
    207: _lt("There is no delivery route to this number."),
    208: _lt("The send time is wrong."),
    209: _lt("The number is in the account's stop list."),
    210: _lt("The request used GET where SMS.ru needs POST."),
    211: _lt("SMS.ru does not know the API method."),
    212: _lt("The text is not in UTF-8."),
    213: _lt("Too many numbers in one request."),
    214: _lt("The number is abroad and sending abroad is switched off on the account."),
    215: _lt("The number is in the SMS.ru stop list."),
    216: _lt("The text contains a forbidden word."),
    217: _lt("The text lacks a phrase SMS.ru requires."),
    220: _lt("SMS.ru is temporarily unavailable; it will be tried later."),
    221: _lt("The sender name does not match the brand named in the text."),
    230: _lt("The daily limit of messages to this number is reached; it will be tried later."),
    231: _lt("Too many identical messages to this number this minute; it will be tried later."),
    232: _lt("Too many identical messages to this number today; it will be tried later."),
    233: _lt("The limit of repeated messages is reached; it will be tried later."),
    300: _lt("The SMS.ru token is wrong or expired."),
    301: _lt("The SMS.ru login or password is wrong."),
    302: _lt("The SMS.ru account is not confirmed yet."),
    500: _lt("SMS.ru had an internal error; it will be tried later."),
    550: _lt("Sending to this country is blocked."),
    "refused": _lt("SMS.ru refused the message."),
    "missing": _lt("SMS.ru's answer does not mention this number."),
}

# Codes after which SMS.ru did nothing and asks to come back later.
RETRY_CODES = {206, 220, 230, 231, 232, 233, 500}
# Delivery status codes (sms/status and callbacks).
SENT_CODES = {100, 101, 102}
DELIVERED_CODES = {103, 110}
FAILED_CODES = {104, 105, 106, 107, 108, 150}

DATA_KEY = re.compile(r"^data\[(\d+)\]$")


def reason(code):
    found = REASONS.get(code)
    if found is None:
        return f"{REASONS['refused']} (code {code})"
    return str(found)


def delivery(code):
    """(state, reason) of an SMS.ru delivery code."""
    if code in SENT_CODES:
        return SENT, None
    if code in DELIVERED_CODES:
        return DELIVERED, None
    if code in FAILED_CODES:
        return FAILED, reason(code)
    if code == -1:
        return NOT_FOUND, reason(code)
    return UNKNOWN, reason(code)


class SmsRu(Gateway):
    code = "smsru"
    default_url = "https://sms.ru"
    takes_our_id = False
    batch_size = 100

    def _auth(self):
        return {"api_id": self.api_key, "json": 1}

    def _chunks(self, messages):
        # multi[] is keyed by number: a number twice in one request would lose a text
        pending = list(enumerate(messages))
        size = max(1, min(100, int(self.batch_size or 1)))
        while pending:
            chunk, numbers, later = [], set(), []
            for index, message in pending:
                number = digits(message.phone)
                if len(chunk) >= size or number in numbers:
                    later.append((index, message))
                else:
                    chunk.append((index, message))
                    numbers.add(number)
            yield chunk
            pending = later

    def _send_once(self, chunk):
        data = self._auth()
        if self.sender:
            data["from"] = self.sender
        for message in chunk:
            data[f"multi[{digits(message.phone)}]"] = message.text
        reply = self._request("POST", "/sms/send", data=data)
        if reply.outcome != "answer":
            return [self._transport_result(message.ref, reply) for message in chunk]
        body = reply.data
        if not isinstance(body, dict) or "status" not in body:
            if reply.status and 400 <= reply.status < 500:
                return [self._http_refused(message.ref, reply) for message in chunk]
            return [self._garbage_result(message.ref, reply) for message in chunk]
        if body.get("status") != "OK":
            code = to_int(body.get("status_code"))
            return [self._refusal(message.ref, code) for message in chunk]
        per_number = body.get("sms")
        if not isinstance(per_number, dict):
            return [self._garbage_result(message.ref, reply) for message in chunk]
        return [self._message_result(message, per_number) for message in chunk]

    def _message_result(self, message, per_number):
        entry = per_number.get(digits(message.phone))
        if not isinstance(entry, dict):
            # the request went through but says nothing of this number: it may be sent
            return SendResult(message.ref, UNKNOWN, error=str(REASONS["missing"]), code="missing")
        code = to_int(entry.get("status_code"))
        if entry.get("status") == "OK":
            sms_id = entry.get("sms_id")
            return SendResult(
                message.ref, SENT, provider_id=str(sms_id) if sms_id else None, code=str(code)
            )
        return self._refusal(message.ref, code)

    def _refusal(self, ref, code):
        state = RETRY if code in RETRY_CODES else FAILED
        return SendResult(ref, state, error=reason(code), code=str(code))

    # --- status ----------------------------------------------------------------------
    def status(self, items):
        items = list(lookup_items(items))
        results = [None] * len(items)
        lookups = []
        for index, (ref, provider_id, _phone) in enumerate(items):
            if provider_id:
                lookups.append((index, ref, str(provider_id)))
            else:
                results[index] = StatusResult(
                    ref, None, UNKNOWN, error=str(TRANSPORT_REASONS["no_lookup"])
                )
        for start in range(0, len(lookups), 100):
            chunk = lookups[start : start + 100]
            for (index, _ref, _id), result in zip(chunk, self._status_chunk(chunk), strict=True):
                results[index] = result
        return results

    def _status_chunk(self, chunk):
        data = self._auth()
        data["sms_id"] = ",".join(provider_id for _index, _ref, provider_id in chunk)
        reply = self._post_reading("/sms/status", data=data)
        if reply.outcome != "answer":
            error = str(TRANSPORT_REASONS[reply.kind])
            return [StatusResult(ref, pid, UNKNOWN, error=error) for _i, ref, pid in chunk]
        body = reply.data
        per_id = body.get("sms") if isinstance(body, dict) else None
        if isinstance(body, dict) and body.get("status") == "ERROR" and not per_id:
            error = reason(to_int(body.get("status_code")))
            return [StatusResult(ref, pid, UNKNOWN, error=error) for _i, ref, pid in chunk]
        if not isinstance(per_id, dict):
            error = garbage_reason(reply.text)
            return [StatusResult(ref, pid, UNKNOWN, error=error) for _i, ref, pid in chunk]
        results = []
        for _index, ref, provider_id in chunk:
            entry = per_id.get(provider_id)
            if not isinstance(entry, dict):
                results.append(StatusResult(ref, provider_id, UNKNOWN, error=reason("missing")))
                continue
            state, error = delivery(to_int(entry.get("status_code")))
            results.append(StatusResult(ref, provider_id, state, error=error))
        return results

    # --- callbacks -------------------------------------------------------------------
    def _records(self, params, body, headers):
        """The callback's data[N] records in their order, after checking its hash."""
        fields = callback_fields(params, body, headers)
        numbered = []
        for key, value in fields.items():
            match = DATA_KEY.match(key)
            if match:
                numbered.append((int(match.group(1)), str(value)))
        if isinstance(fields.get("data"), list):  # a framework that already nests them
            numbered = list(enumerate(str(value) for value in fields["data"]))
        records = [value for _index, value in sorted(numbered)]
        given = str(fields.get("hash") or "").strip().lower()
        expected = hashlib.sha256((self.api_key + "".join(records)).encode()).hexdigest()
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise GatewayAuthError("SMS.ru callback hash does not match")
        return [record.replace("\r\n", "\n").split("\n") for record in records]

    def parse_report(self, params, body, headers):
        reports = []
        for lines in self._records(params, body, headers):
            if lines[0].strip() != "sms_status" or len(lines) < 3:
                continue  # heartbeats ("test") and call checks are not ours
            code = to_int(lines[2])
            state, error = delivery(code)
            reports.append(
                StatusResult(
                    None,
                    lines[1].strip(),
                    state,
                    error=error,
                    at=from_unix(lines[3]) if len(lines) > 3 else None,
                )
            )
        return reports

    def parse_incoming(self, params, body, headers):
        self._records(params, body, headers)  # still refuse a forged call
        return []  # SMS.ru documents no incoming-SMS records

    def report_ack(self):
        return "100", "text/plain"

    def balance(self):
        reply = self._post_reading("/my/balance", data=self._auth())
        if reply.outcome != "answer":
            raise GatewayError(str(TRANSPORT_REASONS[reply.kind]))
        body = reply.data
        if not isinstance(body, dict) or "status" not in body:
            raise GatewayError(garbage_reason(reply.text))
        if body.get("status") != "OK":
            raise GatewayError(reason(to_int(body.get("status_code"))))
        try:
            return float(body.get("balance"))
        except (TypeError, ValueError) as error:
            raise GatewayError(garbage_reason(reply.text)) from error
