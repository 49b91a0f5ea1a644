from .phone import normalize_phone, phone_digits
