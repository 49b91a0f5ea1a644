"""Checks of what the web client or an RPC caller sends, turned into clear errors.

Every public method of the suite that takes arguments from the client runs them
through these, so that bad input gives a translated error and never a psycopg2 or
Python traceback."""

import math
import re
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError, ValidationError

# Control characters other than tab and line breaks: never part of what staff type.
# Lone surrogates (JSON can carry them) cannot be encoded for the database either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_INLINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
TEXT_MAX = 100_000
# What a search box takes: longer text is no search but a paste gone wrong.
SEARCH_MAX = 1000
# PostgreSQL ``integer`` columns.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LIKE_OPERATORS = ("like", "ilike", "=like", "=ilike", "not like", "not ilike")


def check_text(env, value, label, multiline=False, max_length=TEXT_MAX):
    """``value`` as a clean string (``False`` when empty); refuses non-strings,
    NUL and other control characters, and text longer than ``max_length``."""
    if value in (None, False, ""):
        return False
    if not isinstance(value, str):
        raise UserError(env._("%(label)s must be text.", label=label))
    if (_CONTROL if multiline else _CONTROL_INLINE).search(value):
        raise ValidationError(
            env._("%(label)s contains control characters that cannot be stored.", label=label)
        )
    if len(value) > max_length:
        raise ValidationError(
            env._(
                "%(label)s is too long: at most %(max)s characters.",
                label=label,
                max=max_length,
            )
        )
    return value


def check_date(env, value, label):
    """``value`` (a date, datetime or their string forms) within 1900–2100."""
    if not value:
        return value
    try:
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, str) and len(value) > 10:
            day = fields.Datetime.to_datetime(value).date()
        else:
            day = fields.Date.to_date(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            env._("%(label)s is not a valid date: %(value)s.", label=label, value=value)
        ) from error
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            env._("%(label)s must be between 1900 and 2100, not %(value)s.", label=label, value=day)
        )
    return value


def check_vals(model, vals):
    """Refuse, with a clear message, what the database would reject with a
    traceback in ``vals`` for ``model``: control characters in text, dates
    outside 1900–2100, values of the wrong type for numbers and relations,
    integers the column cannot hold, values outside a fixed selection."""
    env = model.env
    for name, value in vals.items():
        field = model._fields.get(name)
        if field is None or value in (None, False):
            continue
        label = field._description_string(env)
        if field.type in ("char", "text", "html"):
            check_text(env, value, label, multiline=field.type != "char")
        elif field.type in ("date", "datetime"):
            check_date(env, value, label)
        elif field.type == "many2one":
            check_id(env, value, label)
        elif field.type in ("integer", "float", "monetary"):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise UserError(env._("%(label)s must be a number.", label=label))
            if field.type == "integer" and not INT_MIN <= value <= INT_MAX:
                raise ValidationError(
                    env._("%(label)s is out of range: %(value)s.", label=label, value=value)
                )
        elif field.type == "selection" and isinstance(field.selection, list):
            # Only fixed lists: Odoo itself does not check dynamic selections.
            if not isinstance(value, str) or value not in field.get_values(env):
                raise UserError(
                    env._(
                        "%(label)s: %(value)s is not one of the allowed values.",
                        label=label,
                        value=value,
                    )
                )
    return vals


def check_search(env, value, label, max_length=SEARCH_MAX):
    """Text typed into a search box, as a single stripped line (``""`` when empty).

    Line breaks and tabs, as pasted from a spreadsheet, become spaces; other
    control characters, non-text values and text longer than ``max_length`` are
    refused with a clear error instead of reaching the database."""
    if value is None or value is False:
        return ""
    text = check_text(env, value, label, multiline=True, max_length=max_length)
    return " ".join(text.split()) if text else ""


def check_search_value(env, operator, value, label):
    """The ``value`` of a search criterion ``(field, operator, value)`` on a field the
    suite searches itself: text for the ``like`` operators, no control characters
    in any text (the database refuses NUL with a traceback)."""
    if operator in LIKE_OPERATORS and value not in (None, False) and not isinstance(value, str):
        raise UserError(env._("%(label)s must be text.", label=label))
    for item in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(item, str):
            check_text(env, item, label, multiline=True, max_length=SEARCH_MAX)
    return value


def check_limit(env, limit, maximum=None):
    """A ``limit`` argument: ``None``/``False`` (no limit) or a positive integer, at
    most ``maximum`` when given."""
    if limit is None or limit is False:
        return limit
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or limit < 0
        or (maximum is not None and limit > maximum)
    ):
        raise UserError(
            env._(
                "The number of results must be a whole number between 0 and %(max)s.",
                max=maximum or INT_MAX,
            )
        )
    return limit


def check_id(env, value, label):
    """A database id as the client sends one for a relation: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        if hasattr(value, "_name"):  # a record, as Python callers pass
            return value.id
        raise UserError(env._("%(label)s must be a record id.", label=label))
    if value > 2**31 - 1:
        raise UserError(env._("%(label)s must be a record id.", label=label))
    return value


def to_record(env, model_name, value, label):
    """The existing record of ``model_name`` that ``value`` (a record or an id)
    names; a clear error when it does not exist."""
    if hasattr(value, "_name"):
        if value._name != model_name or len(value) > 1:
            raise UserError(env._("%(label)s must be a single record.", label=label))
        record = value
    else:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        record = env[model_name].browse(check_id(env, value, label))
    if not record.exists():
        raise UserError(env._("%(label)s: the record does not exist.", label=label))
    return record
