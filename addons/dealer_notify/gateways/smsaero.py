"""SMS Aero, API v2.

Protocol (https://smsaero.ru/integration/documentation/api/ and SMS Aero's own clients
github.com/smsaero/smsaero_python, smsaero_php, smsaero_golang):
- Base ``https://gate.smsaero.ru/v2/`` (mirrors gate.smsaero.org / .net), HTTP basic
  auth ``email:api_key``; every answer is ``{"success": bool, "data": …, "message": …}``
  (401 with "invalid credentials", 400 "Validation error." with per-field ``data``,
  older "no credits"/"reject" ``result`` forms).
- POST ``sms/send`` ``{number, text, sign, callbackUrl}`` answers the message
  ``{id, from, number, text, status, extendStatus, channel, cost, dateCreate,
  dateSend}`` (unix times); one number per request here, so each message gets its id.
- POST ``sms/status`` ``{id}`` answers the same object with ``dateAnswer``; status
  0 queue, 1 delivered, 2 not delivered, 3 handed to the operator, 4 waiting for the
  status, 6 rejected, 8 on moderation. ``balance`` answers ``{"balance"}``.
- The report goes to the message's ``callbackUrl`` (a form post by default, JSON with
  ``callbackFormat=JSON``), expecting HTTP 200; SMS Aero documents no signature, so a
  report is only a hint: we ask ``sms/status`` for the id it names and report what
  SMS Aero itself says. No incoming-SMS callback is documented in v2.
SMS Aero cannot find a message by our reference, so a lost answer stays ``unknown``.
"""

from odoo.tools.translate import LazyTranslate

from .base import (
    DELIVERED,
    FAILED,
    NOT_FOUND,
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

# SMS Aero gives messages, not codes: these keys are ours, derived from its answers.
REASONS = {
    "auth": _lt("The SMS Aero e-mail or API key is wrong."),
    "no_money": _lt("There is not enough money on the SMS Aero account."),
    "number": _lt("SMS Aero found the phone number wrong."),
    "sign": _lt("SMS Aero does not accept this sender name."),
    "text": _lt("SMS Aero found the text wrong."),
    "validation": _lt("SMS Aero found the request wrong."),
    "refused": _lt("SMS Aero refused the message."),
    "not_found": _lt("SMS Aero does not know this message."),
    "status_2": _lt("Not delivered."),
    "status_6": _lt("Not delivered: the message was rejected."),
}

SENT_STATUSES = {0, 3, 4, 8}  # queued, handed to the operator, waiting, on moderation
DELIVERED_STATUSES = {1}
FAILED_STATUSES = {2, 6}


def delivery(code):
    if code in SENT_STATUSES:
        return SENT, None
    if code in DELIVERED_STATUSES:
        return DELIVERED, None
    if code in FAILED_STATUSES:
        return FAILED, str(REASONS[f"status_{code}"])
    return UNKNOWN, None


def refusal_key(status, body):
    """Our REASONS key for an SMS Aero answer with success false."""
    message = str(body.get("message") or body.get("reason") or body.get("result") or "")
    lowered = message.lower()
    if status in (401, 403) or "credential" in lowered or "authoriz" in lowered:
        return "auth"
    if any(word in lowered for word in ("no credits", "money", "balance", "funds", "средств")):
        return "no_money"
    data = body.get("data")
    if "validation" in lowered and isinstance(data, dict):
        for field in ("number", "sign", "text"):
            if field in data:
                return field
        return "validation"
    if "validation" in lowered:
        return "validation"
    return "refused"


def vendor_words(body):
    parts = [str(body.get("message") or body.get("reason") or "")]
    data = body.get("data")
    if isinstance(data, dict):
        parts += [f"{key}: {value}" for key, value in data.items()]
    return "; ".join(part for part in parts if part)


class SmsAero(Gateway):
    code = "smsaero"
    default_url = "https://gate.smsaero.ru/v2"
    takes_our_id = False
    batch_size = 1

    @property
    def _auth(self):
        return (self.login, self.api_key)

    def _send_once(self, chunk):
        return [self._send_message(message) for message in chunk]

    def _send_message(self, message):  # noqa: PLR0911 (one return per answer)
        payload = {"number": digits(message.phone), "text": message.text}
        if self.sender:
            payload["sign"] = self.sender
        if self.report_url:
            payload["callbackUrl"] = self.report_url
        reply = self._request("POST", "/sms/send", json=payload, auth=self._auth)
        if reply.outcome != "answer":
            return self._transport_result(message.ref, reply)
        body = reply.data
        if not isinstance(body, dict) or not ({"success", "result"} & body.keys()):
            if reply.status in (401, 403):
                return SendResult(
                    message.ref, FAILED, error=str(REASONS["auth"]), code=f"http_{reply.status}"
                )
            if reply.status and 400 <= reply.status < 500:
                return self._http_refused(message.ref, reply)
            return self._garbage_result(message.ref, reply)
        data = body.get("data")
        if body.get("success") is True and isinstance(data, dict) and data.get("id"):
            provider_id = str(data["id"])
            code = to_int(data.get("status"))
            if code in FAILED_STATUSES:  # taken, and refused at once
                return SendResult(
                    message.ref,
                    FAILED,
                    provider_id=provider_id,
                    error=delivery(code)[1],
                    code=f"status_{code}",
                )
            return SendResult(message.ref, SENT, provider_id=provider_id, code=str(code))
        if body.get("success") is True:
            return self._garbage_result(message.ref, reply)
        key = refusal_key(reply.status, body)
        words = vendor_words(body)
        error = str(REASONS[key]) + (f" ({words})" if words else "")
        return SendResult(message.ref, FAILED, error=error, code=key)

    # --- status ----------------------------------------------------------------------
    def status(self, items):
        results = []
        for ref, provider_id, _phone in lookup_items(items):
            if not provider_id:
                results.append(
                    StatusResult(ref, None, UNKNOWN, error=str(TRANSPORT_REASONS["no_lookup"]))
                )
            else:
                results.append(self._status_one(ref, str(provider_id))[0])
        return results

    def _status_one(self, ref, provider_id):
        """(StatusResult, the vendor's message object or None)."""
        sms_id = to_int(provider_id)
        if sms_id is None:
            return StatusResult(ref, provider_id, NOT_FOUND, error=str(REASONS["not_found"])), None
        reply = self._post_reading("/sms/status", json={"id": sms_id}, auth=self._auth)
        if reply.outcome != "answer":
            error = str(TRANSPORT_REASONS[reply.kind])
            return StatusResult(ref, provider_id, UNKNOWN, error=error), None
        body = reply.data
        if not isinstance(body, dict) or "success" not in body:
            return StatusResult(ref, provider_id, UNKNOWN, error=garbage_reason(reply.text)), None
        data = body.get("data")
        if body.get("success") is True and isinstance(data, dict) and "status" in data:
            state, error = delivery(to_int(data.get("status")))
            at = (
                from_unix(data.get("dateAnswer"))
                or from_unix(data.get("dateSend"))
                or from_unix(data.get("dateCreate"))
            )
            return StatusResult(ref, provider_id, state, error=error, at=at), data
        message = str(body.get("message") or "").lower()
        if reply.status == 404 or "not found" in message:
            return StatusResult(ref, provider_id, NOT_FOUND, error=str(REASONS["not_found"])), None
        key = refusal_key(reply.status, body)
        return StatusResult(ref, provider_id, UNKNOWN, error=str(REASONS[key])), None

    # --- callbacks -------------------------------------------------------------------
    def parse_report(self, params, body, headers):
        """The report names a message; what counts is what SMS Aero says of it when
        asked (it signs nothing), so a forged report changes nothing."""
        fields = callback_fields(params, body, headers)
        if isinstance(fields.get("data"), dict):  # the JSON form may wrap the message
            fields = fields["data"]
        provider_id = str(fields.get("id") or "").strip()
        if not provider_id:
            raise GatewayAuthError("SMS Aero callback names no message")
        report, data = self._status_one(None, provider_id)
        if report.state == NOT_FOUND:
            raise GatewayAuthError("SMS Aero does not know the message of this callback")
        if report.state == UNKNOWN:
            raise GatewayError(report.error)  # cannot check now: let SMS Aero call again
        claimed = digits(str(fields.get("number") or ""))
        if claimed and data and claimed != digits(str(data.get("number") or "")):
            raise GatewayAuthError("SMS Aero callback number does not match the message")
        return [report]

    def parse_incoming(self, params, body, headers):
        return []  # SMS Aero v2 documents no incoming-SMS callback

    def balance(self):
        reply = self._post_reading("/balance", json={}, auth=self._auth)
        if reply.outcome != "answer":
            raise GatewayError(str(TRANSPORT_REASONS[reply.kind]))
        body = reply.data
        if not isinstance(body, dict) or "success" not in body:
            if reply.status in (401, 403):
                raise GatewayError(str(REASONS["auth"]))
            raise GatewayError(garbage_reason(reply.text))
        data = body.get("data")
        if body.get("success") is not True or not isinstance(data, dict):
            raise GatewayError(str(REASONS[refusal_key(reply.status, body)]))
        try:
            return float(data.get("balance"))
        except (TypeError, ValueError) as error:
            raise GatewayError(garbage_reason(reply.text)) from error
