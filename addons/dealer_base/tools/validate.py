"""Checks of what the web client or an RPC caller sends, turned into clear errors.

Every public method of the suite that takes arguments from the client runs them
through these, so that bad input gives a translated error and never a psycopg2 or
Python traceback."""

import re
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError, ValidationError

# Control characters other than tab and line breaks: never part of what staff type.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_INLINE = re.compile(r"[\x00-\x1f\x7f]")
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
TEXT_MAX = 100_000


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
    outside 1900–2100, values of the wrong type for numbers and relations."""
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
        elif field.type in ("integer", "float", "monetary") and (
            isinstance(value, bool) or not isinstance(value, (int, float))
        ):
            raise UserError(env._("%(label)s must be a number.", label=label))
    return vals


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
