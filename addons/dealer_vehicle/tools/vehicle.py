"""VINs and Russian licence plates as staff type them."""

import re

# Letters of Russian plates that look the same in Latin; plates are compared in Cyrillic.
_LATIN_TO_CYRILLIC = str.maketrans("ABEKMHOPCTYX", "АВЕКМНОРСТУХ")
_NOT_ALNUM = re.compile(r"[\W_]+")
_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
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

    ``"a 123 вс 77"``, ``"А123ВС77"`` and ``"A123BC-77"`` all give ``"А123ВС77"``.
    """
    if not raw:
        return False
    return _NOT_ALNUM.sub("", raw).upper().translate(_LATIN_TO_CYRILLIC) or False


def normalize_vin(raw):
    """VIN as stored: upper case, without spaces or dashes."""
    if not raw:
        return False
    return _NOT_ALNUM.sub("", raw).upper() or False


def _check_digit(vin):
    total = sum(
        (int(char) if char.isdigit() else _VIN_VALUES[char]) * weight
        for char, weight in zip(vin, _VIN_WEIGHTS, strict=True)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_error(vin):
    """Why ``vin`` (normalized) is not a valid VIN, or ``None``.

    Returns ``"length"``, ``"alphabet"`` or ``"check_digit"``.
    """
    if len(vin) != 17:
        return "length"
    if not _VIN_ALPHABET.match(vin):
        return "alphabet"
    if vin[0] in _NORTH_AMERICA and vin[8] != _check_digit(vin):
        return "check_digit"
    return None
