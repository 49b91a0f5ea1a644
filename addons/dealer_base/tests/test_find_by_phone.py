from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestFindByPhone(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.ivanov = Partner.create(
            {
                "name": "Иванов Иван",
                "phone_ids": [
                    (0, 0, {"number": "8 (916) 321-98-76", "sequence": 1}),
                    (0, 0, {"number": "+7 495 321 00 99", "phone_type": "work", "sequence": 2}),
                ],
            }
        )
        cls.company = Partner.create(
            {"name": "ООО «Ромашка»", "is_company": True, "phone": "+7 916 321 98 76"}
        )
        cls.wife = Partner.create({"name": "Иванова Мария", "mobile": "79163219876"})
        cls.colleague = Partner.create(
            {
                "name": "Петров Пётр",
                "phone_ids": [
                    (0, 0, {"number": "+7 926 000 00 01", "sequence": 1}),
                    (0, 0, {"number": "+7 495 321 00 99", "phone_type": "work", "sequence": 2}),
                ],
            }
        )

    def test_any_format_finds_the_client(self):
        for raw in (
            "+79163219876",
            "8-916-321-98-76",
            "tel:+7 916 3219876",
            "9163219876",
            "sip:89163219876@pbx.local",
        ):
            with self.subTest(raw=raw):
                found = self.env["res.partner"].find_by_phone(raw)
                self.assertIn(self.ivanov, found)

    def test_shared_number_returns_everyone_individuals_first(self):
        found = self.env["res.partner"].find_by_phone("8 916 321 98 76")
        self.assertEqual(set(found.ids), {self.ivanov.id, self.wife.id, self.company.id})
        self.assertEqual(found[-1], self.company, "companies come after individuals")

    def test_main_number_ranks_first(self):
        found = self.env["res.partner"].find_by_phone("84953210099")
        self.assertEqual(set(found.ids), {self.ivanov.id, self.colleague.id})
        self.colleague.phone_ids.filtered(lambda ln: ln.phone_type == "work").sequence = 0
        found = self.env["res.partner"].find_by_phone("84953210099")
        self.assertEqual(found[0], self.colleague)

    def test_recent_contact_breaks_ties(self):
        self.wife.last_incoming_contact = "2026-01-10 10:00:00"
        self.ivanov.last_incoming_contact = "2026-01-05 10:00:00"
        found = self.env["res.partner"].find_by_phone("+7 916 321-98-76")
        self.assertEqual(found[:2].ids, [self.wife.id, self.ivanov.id])

    def test_archived_clients_are_not_returned(self):
        self.wife.active = False
        found = self.env["res.partner"].find_by_phone("+79163219876")
        self.assertNotIn(self.wife, found)
        self.assertIn(self.ivanov, found)

    def test_junk_gives_empty_result(self):
        Partner = self.env["res.partner"]
        for raw in ("", None, False, "   ", "112", "0911", "abc", "+7", "111-22-33", "8 999"):
            with self.subTest(raw=raw):
                result = Partner.find_by_phone(raw)
                self.assertEqual(result._name, "res.partner")
                self.assertFalse(result)

    def test_unknown_number_gives_empty_result(self):
        self.assertFalse(self.env["res.partner"].find_by_phone("+7 999 321 98 76"))

    def test_numbers_without_country_code_follow_the_company_country(self):
        kz_client = self.env["res.partner"].create(
            {"name": "Абенов Ерлан", "mobile": "+7 701 555 44 33"}
        )
        Partner = self.env["res.partner"]
        self.env.company.country_id = self.env.ref("base.kz")
        self.assertEqual(Partner.find_by_phone("8 701 555 44 33"), kz_client)
        self.env.company.country_id = self.env.ref("base.de")
        self.assertEqual(Partner._phone_country_code(), "DE")
        self.assertFalse(Partner.find_by_phone("0701 555 44 33"), "read as a German number")
