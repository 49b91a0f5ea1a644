from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestClientSearch(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Зубков Алексей Викторович",
                "email": "alexey.zubkov.test@example.com",
                "phone_ids": [(0, 0, {"number": "+7 (908) 494-44-34"})],
            }
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Леонидов Пётр", "phone_ids": [(0, 0, {"number": "89099090909"})]}
        )

    def _search(self, value):
        return self.env["res.partner"].search([("client_search", "ilike", value)])

    def test_by_partial_name(self):
        self.assertIn(self.client, self._search("зубков"))
        self.assertIn(self.client, self._search("Алексей Викт"))
        self.assertNotIn(self.other, self._search("зубков"))

    def test_by_phone_in_any_format(self):
        for value in ("89084944434", "+7 908 494 44 34", "8 (908) 494-44-34", "9084944434"):
            with self.subTest(value=value):
                found = self._search(value)
                self.assertIn(self.client, found)
                self.assertNotIn(self.other, found)

    def test_by_phone_fragment(self):
        self.assertIn(self.client, self._search("494-44-34"))
        self.assertIn(self.client, self._search("8 908 494"))
        self.assertNotIn(self.client, self._search("909 90"))

    def test_by_email(self):
        self.assertEqual(self._search("alexey.zubkov.test@"), self.client)

    def test_name_search_of_client_fields(self):
        """Any many2one to a client (traffic, tasks...) finds clients by phone."""
        names = self.env["res.partner"].name_search("+7 908 494-44-34")
        self.assertIn(self.client.id, [pid for pid, _name in names])
        names = self.env["res.partner"].name_search("Леонидов")
        self.assertIn(self.other.id, [pid for pid, _name in names])

    def test_short_digits_do_not_match_every_phone(self):
        self.assertNotIn(self.client, self._search("44"))
