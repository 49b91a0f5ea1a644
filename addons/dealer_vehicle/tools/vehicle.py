"""VINs and Russian licence plates as staff type them."""

import re

# Letters of Russian plates that look the same in Latin; plates are compared in Cyrillic.
_LATIN_TO_CYRILLIC = str.maketrans("ABEKMHOPCTYX", "АВЕКМНОРСТУХ")
_NOT_ALNUM = re.compile(r"[\W_]+")
_VIN_CHARS = re.compile(r"[A-HJ-NPR-Z0-9]*")
_VIN_VALUES = dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9],
        strict=True,
    )
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers of North America (USA 1, 4, 5; Canada 2; Mexico 3),
# the only VINs that carry a check digit.
_NORTH_AMERICA = "12345"


def normalize_plate(raw):
    """Canonical plate for comparison: upper-case Cyrillic, no spaces or dashes.

    ``"a 123 вс 77"``, ``"А123ВС77"`` and ``"A123BC-77"`` all give ``"А123ВС77"``;
    ``False`` when nothing is left, or ``raw`` is not text.
    """
    if not raw or not isinstance(raw, str):
        return False
    # Upper case first: it can bring in combining marks ("ǰ" -> "J̌"), stripped too.
    return _NOT_ALNUM.sub("", raw.upper()).translate(_LATIN_TO_CYRILLIC) or False


def normalize_vin(raw):
    """VIN as stored: upper case, without spaces or dashes; ``False`` when nothing
    is left, or ``raw`` is not text. Whether it is a valid VIN is ``vin_error``'s
    business."""
    if not raw or not isinstance(raw, str):
        return False
    return _NOT_ALNUM.sub("", raw.upper()) or False


def _check_digit(vin):
    total = sum(
        (int(char) if char.isdigit() else _VIN_VALUES[char]) * weight
        for char, weight in zip(vin, _VIN_WEIGHTS, strict=True)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_error(vin):
    """Why ``vin`` (normalized) is not a valid VIN, or ``None``.

    Returns ``"alphabet"`` (also for a value that is not text), ``"length"`` or
    ``"check_digit"``; junk characters are named before a wrong length.
    """
    if not isinstance(vin, str) or not _VIN_CHARS.fullmatch(vin):
        return "alphabet"
    if len(vin) != 17:
        return "length"
    if vin[0] in _NORTH_AMERICA and vin[8] != _check_digit(vin):
        return "check_digit"
    return None
