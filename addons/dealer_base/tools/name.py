"""Client names as search compares them: words in lower case, ё read as е."""

import re

# Anything that is not a letter or a digit separates words: spaces, hyphens, dots,
# quotes, commas ("Компания, Иванов Иван").
_SEPARATORS = re.compile(r"[\W_]+")
# How many typed words name search uses; more add nothing but cost.
NAME_WORDS_MAX = 6


def name_words(text):
    """The words of ``text`` in lower case with ё as е, in order, e.g.
    ``"Фёдоров  Иван-Пётр"`` → ``["федоров", "иван", "петр"]``."""
    if not text or not isinstance(text, str):
        return []
    return [word for word in _SEPARATORS.split(text.lower().replace("ё", "е")) if word]


def name_key(text):
    """What the client's ``dealer_name_key`` holds: the words of ``text`` separated and
    surrounded by single spaces (``" федоров иван петрович "``), so that "a word
    starting with X" is ``LIKE '% X%'``; ``False`` when there is none. The SQL
    expression ``NAME_KEY_SQL`` computes the same in the database."""
    words = name_words(text)
    return f" {' '.join(words)} " if words else False


# NAME_KEY_SQL % column: name_key() in SQL, to fill the column of existing clients.
NAME_KEY_SQL = (
    "' ' || NULLIF(btrim(regexp_replace(translate(lower(%s), 'ё', 'е'), "
    "'[^[:alnum:]]+', ' ', 'g')), '') || ' '"
)
