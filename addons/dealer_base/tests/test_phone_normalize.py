from odoo.addons.dealer_base.tools import normalize_phone
from odoo.tests import TransactionCase, tagged

# (as typed, country of the client, expected E.164 or False)
REAL_WORLD_NUMBERS = [
    ("+7 (916) 123-45-67", "RU", "+79161234567"),
    ("8 (916) 123-45-67", "RU", "+79161234567"),
    ("89161234567", "RU", "+79161234567"),
    ("79161234567", "RU", "+79161234567"),
    ("9161234567", "RU", "+79161234567"),
    ("+79161234567", "RU", "+79161234567"),
    ("8-916-123-45-67", "RU", "+79161234567"),
    ("7 916 123 45 67", "RU", "+79161234567"),
    ("8(916)1234567", "RU", "+79161234567"),
    ("+7-916-123-4567", "RU", "+79161234567"),
    ("  +7 916 123 45 67  ", "RU", "+79161234567"),
    ("8 904-46-73-715", "RU", "+79044673715"),
    ("tel:+7-916-123-45-67", "RU", "+79161234567"),
    ("TEL:89161234567", "RU", "+79161234567"),
    ("sip:+79161234567@pbx.dealer.local", "RU", "+79161234567"),
    ("sip:89161234567@10.0.0.5;user=phone", "RU", "+79161234567"),
    ("sips:79161234567@pbx", "RU", "+79161234567"),
    ("+7 (495) 755-44-10 доб. 123", "RU", "+74957554410"),
    ("8 495 755 44 10 доб 7", "RU", "+74957554410"),
    ("+7 495 7554410 ext. 45", "RU", "+74957554410"),
    ("+7 495 7554410 x45", "RU", "+74957554410"),
    ("(495) 755-44-10", "RU", "+74957554410"),
    ("8 800 555-35-35", "RU", "+78005553535"),
    ("+375 29 123-45-67", "RU", "+375291234567"),
    ("00375291234567", "RU", "+375291234567"),
    ("810375291234567", "RU", "+375291234567"),
    ("+7 701 234 56 78", "KZ", "+77012345678"),
    ("8 701 234 56 78", "KZ", "+77012345678"),
    ("+49 30 12345678", "RU", "+493012345678"),
    ("030 12345678", "DE", "+493012345678"),
    ("+1 (012) 555-0123", "RU", False),  # no US area code starts with 0
    ("+1 650 253 0000", "RU", "+16502530000"),
    ("111-22-33", "RU", False),  # a local number without its area code
    ("112", "RU", False),
    ("0911", "RU", False),
    ("", "RU", False),
    (False, "RU", False),
    ("не звонить", "RU", False),
    ("+7 000 000 00 00", "RU", False),
    ("12345678901234567890", "RU", False),
]


@tagged("post_install", "-at_install")
class TestPhoneNormalize(TransactionCase):
    def test_real_world_numbers(self):
        self.assertGreaterEqual(len(REAL_WORLD_NUMBERS), 30)
        for raw, country, expected in REAL_WORLD_NUMBERS:
            with self.subTest(raw=raw, country=country):
                self.assertEqual(normalize_phone(raw, country), expected)

    def test_phone_lines_are_normalized_with_the_client_country(self):
        kz = self.env.ref("base.kz")
        client = self.env["res.partner"].create(
            {
                "name": "Абенов Ерлан",
                "country_id": kz.id,
                "phone_ids": [(0, 0, {"number": "8 701 234 56 78", "phone_type": "mobile"})],
            }
        )
        self.assertEqual(client.phone_ids.number_normalized, "+77012345678")
        client.country_id = self.env.ref("base.de")
        client.phone_ids.number = "030 12345678"
        self.assertEqual(client.phone_ids.number_normalized, "+493012345678")

    def test_standard_fields_follow_the_phone_list(self):
        Partner = self.env["res.partner"]
        client = Partner.create({"name": "Козлов Андрей", "mobile": "8 926 555 01 02"})
        self.assertEqual(client.phone_ids.number_normalized, "+79265550102")
        self.assertEqual(client.phone_ids.phone_type, "mobile")

        client.phone = "+7 (495) 612-33-21"
        self.assertEqual(len(client.phone_ids), 2)
        self.assertEqual(
            set(client.phone_ids.mapped("number_normalized")), {"+79265550102", "+74956123321"}
        )

        client.mobile = "+7 903 111 22 33"
        mobile_line = client.phone_ids.filtered(lambda ln: ln.phone_type == "mobile")
        self.assertEqual(mobile_line.number_normalized, "+79031112233")
        self.assertEqual(len(client.phone_ids), 2, "the old mobile is replaced, not duplicated")

        client.phone_ids.filtered(lambda ln: ln.phone_type != "mobile").unlink()
        self.assertFalse(client.phone)
        self.assertEqual(client.mobile, "+7 903 111 22 33")

        client.phone_ids.create(
            {
                "partner_id": client.id,
                "number": "8 495 000 11 22",
                "phone_type": "work",
                "sequence": 1,
            }
        )
        self.assertEqual(client.phone, "8 495 000 11 22")

        client.mobile = False
        self.assertFalse(client.phone_ids.filtered(lambda ln: ln.phone_type == "mobile"))

    def test_invalid_numbers_are_kept_and_flagged(self):
        client = self.env["res.partner"].create({"name": "Белов Григорий", "phone": "111-22-33"})
        self.assertEqual(client.phone_ids.number, "111-22-33")
        self.assertFalse(client.phone_ids.is_valid)
        self.assertFalse(client.phone_ids.number_normalized)
        self.assertIn(
            client,
            self.env["res.partner"].search([("phone_ids.is_valid", "=", False)]),
        )
