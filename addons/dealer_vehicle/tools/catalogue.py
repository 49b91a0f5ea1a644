"""Brands and models of the car catalogue as staff type them: in Latin or Cyrillic,
in any case, with «ё» or «е», brand and model words in one string («Киа Рио»)."""

import re

from odoo.tools.sql import escape_psql

_WORD = re.compile(r"[^\W_]+")
# Longest text a catalogue search looks at; more is not a brand or model name.
_MAX_SEARCH_LENGTH = 200


def catalogue_words(text):
    """Lower-case words of ``text`` with «ё» read as «е»; ``[]`` unless it is text."""
    if not text or not isinstance(text, str):
        return []
    return _WORD.findall(text[:_MAX_SEARCH_LENGTH].lower().replace("ё", "е"))


def split_aliases(aliases):
    """The names of a comma-separated list, stripped, empty ones left out."""
    return [name.strip() for name in (aliases or "").split(",") if name.strip()]


def catalogue_search_text(*names):
    """What the catalogue is searched in: the words of all ``names``, each with a
    space before it, so that a word is found by its beginning."""
    words = [word for name in names for word in catalogue_words(name)]
    return f" {' '.join(words)} " if words else False


def catalogue_search_domain(field_name, text):
    """Every word of ``text`` begins a word of ``field_name`` (a search text above);
    ``None`` when ``text`` has no word."""
    words = catalogue_words(text)
    if not words:
        return None
    return [(field_name, "=like", f"% {escape_psql(word)}%") for word in words]


def merge_aliases(aliases, more):
    """``aliases`` with the names of ``more`` it lacks (compared as searched), as a
    comma-separated list; the names already there keep their order and spelling."""
    names = split_aliases(aliases)
    known = {tuple(catalogue_words(name)) for name in names}
    for name in split_aliases(more):
        key = tuple(catalogue_words(name))
        if key and key not in known:
            names.append(name)
            known.add(key)
    return ", ".join(names) or False
