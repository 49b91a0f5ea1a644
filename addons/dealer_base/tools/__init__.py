from .name import NAME_KEY_SQL, NAME_WORDS_MAX, name_key, name_words
from .phone import PHONE_NUMBER_MAX, normalize_phone, phone_digits
from .validate import (
    DATE_MAX,
    DATE_MIN,
    check_date,
    check_id,
    check_limit,
    check_search,
    check_search_value,
    check_text,
    check_vals,
    to_record,
)
