from .phone import normalize_phone, phone_digits
from .validate import check_date, check_id, check_text, check_vals, to_record
