"""Phone numbers as Russian dealership staff and PBXs write them, reduced to E.164."""

import re

import phonenumbers

# A SIP/TEL URI keeps the number in its user part: "sip:+79161234567@pbx.local;user=phone".
_URI = re.compile(r"^\s*(?:sips?|tel|callto):\s*(?P<user>[^@;?]*)", re.IGNORECASE)
# Everything after an extension marker is not part of the number: "доб. 123", "x12".
_EXTENSION = re.compile(
    r"(?:\s|^|(?<=\d))(?:доб(?:авочный)?|вн|ext(?:ension)?|x|#|,)\.?\s*\d{1,6}\s*$",
    re.IGNORECASE,
)
# ASCII digits only: other scripts' digits are no part of how staff write numbers,
# and phonenumbers would read some of them and not others.
_NOT_DIGIT = re.compile(r"[^0-9]")
_RU_DEFAULT = "RU"
# Longer text is no phone number (a SIP URI with parameters is well below): refused
# in the phone list, never a match in a search.
PHONE_NUMBER_MAX = 100


def normalize_phone(raw, country_code=_RU_DEFAULT):
    """Return ``raw`` as an E.164 string (``+79161234567``), or ``False`` when it is
    not a valid full number (junk, short service codes, empty input).

    Numbers written without a country code are read in ``country_code`` (the
    client's or the company's country); Russian trunk prefix ``8`` and a bare ``7``
    are understood whatever that country is, since they are how every Russian
    number is written locally. Never raises: anything else, including text that
    is not a string, gives ``False``.
    """
    if not raw or not isinstance(raw, str) or len(raw) > PHONE_NUMBER_MAX:
        return False
    text = raw.strip()
    uri = _URI.match(text)
    if uri:
        text = uri.group("user")
    text = _EXTENSION.sub("", text)
    plus = text.lstrip().startswith("+")
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) < 7 or len(digits) > 15:
        return False
    region = (country_code or _RU_DEFAULT).upper()
    if not plus:
        if digits.startswith("00"):
            digits, plus = digits[2:], True
        elif digits.startswith("810") and len(digits) > 12:
            # Russian international prefix: 810 49 30 ... = +49 30 ...
            digits, plus = digits[3:], True
        elif (
            len(digits) == 11 and digits[0] in "78" and (region in ("RU", "KZ") or digits[1] == "9")
        ):
            digits, plus = "7" + digits[1:], True
        elif len(digits) == 10 and region == "RU":
            digits, plus = "7" + digits, True
    try:
        number = phonenumbers.parse(("+" if plus else "") + digits, None if plus else region)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw):
    """Digits of ``raw`` for fragment search ("912 34" -> "91234")."""
    return _NOT_DIGIT.sub("", raw) if isinstance(raw, str) else ""
