from datetime import datetime

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestNameSearch(TransactionCase):
    """Clients found by name as an operator types it: words in any order and case,
    ё as е, the start of a word; the best match first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, login="test_name_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.Partner = cls.env["res.partner"]

        def client(name, last_contact=None, **vals):
            return cls.Partner.create({"name": name, "last_incoming_contact": last_contact, **vals})

        cls.client = staticmethod(client)
        cls.ivan = client("Тестоев Иван Петрович", datetime(2024, 3, 1))
        cls.anna = client("Тестоева Анна Ивановна", datetime(2024, 5, 1))
        cls.fedor = client("Щёткин Фёдор Семёнович")
        cls.other = client("Претестоев Иван")

    def find(self, text, limit=8):
        return self.Partner.with_user(self.operator).dealer_find_by_name(text, limit)

    def test_word_order(self):
        for text in ("Тестоев Иван", "Иван Тестоев", "Петрович Тестоев Иван"):
            with self.subTest(text=text):
                self.assertEqual(self.find(text)[:1], self.ivan)

    def test_case(self):
        for text in ("тестоев иван", "ТЕСТОЕВ ИВАН", "иВаН тЕсТоЕв"):
            with self.subTest(text=text):
                self.assertEqual(self.find(text)[:1], self.ivan)

    def test_yo_and_ye(self):
        for text in ("Щеткин Федор", "щёткин федор семенович", "Фёдор Щёткин"):
            with self.subTest(text=text):
                self.assertEqual(self.find(text), self.fedor)
        ye = self.client("Тестоев Семен Артемович")
        self.assertEqual(self.find("Тестоев Семён Артёмович")[:1], ye)

    def test_start_of_words(self):
        """«тестоев и»: when no name has every typed word whole, the last one may start
        a word of the name; failing that, every one."""
        self.assertEqual(self.find("тестоев и"), self.ivan, "Тестоева is another surname")
        self.assertEqual(self.find("Тестоева Анна Ив"), self.anna)
        self.assertEqual(self.find("тест ив пет"), self.ivan)
        self.assertFalse(self.find("естоев"), "the middle of a word is no match")

    def test_exact_name_first(self):
        """The exact name (any order) before names having more words, whatever the
        contacts; names merely starting with the typed words (Тестоева Анна Ивановна)
        are left out when names have them whole."""
        exact = self.client("Тестоев Иван", datetime(2020, 1, 1))
        longer = self.client("Тестоев Иван Сергеевич", datetime(2024, 9, 1))
        found = self.find("Иван Тестоев")
        self.assertEqual(found[:1], exact)
        self.assertEqual(set(found.ids), {exact.id, longer.id, self.ivan.id})
        self.assertEqual(self.find("Тестоев Иван Петрович")[:1], self.ivan)

    def test_last_contact_order(self):
        """Among equal matches, the most recently contacted first, incoming or outgoing."""
        old = self.client("Контактов Олег Ильич", datetime(2023, 1, 1))
        recent = self.client("Контактов Олег Ильич", datetime(2024, 1, 1))
        called = self.client("Контактов Олег Ильич", last_outgoing_contact=datetime(2024, 6, 1))
        never = self.client("Контактов Олег Ильич")
        self.assertEqual(self.find("контактов олег").ids, [called.id, recent.id, old.id, never.id])

    def test_branch_first(self):
        """Clients of the user's branch, or of none, before those of other branches
        the user sees, whatever the contacts; then by last contact."""
        main = self.env.company
        branch = self.env["res.company"].create({"name": "Тестовый филиал", "parent_id": main.id})
        operator = new_test_user(
            self.env,
            login="test_name_branch_operator",
            groups="dealer_base.group_dealer_operator",
            company_id=branch.id,
            company_ids=[(6, 0, [branch.id, main.id])],
        )
        other = self.client("Филиалов Пётр", datetime(2024, 6, 1), company_id=main.id)
        shared = self.client("Филиалов Пётр", datetime(2023, 6, 1))
        own = self.client("Филиалов Пётр", datetime(2022, 6, 1), company_id=branch.id)
        found = self.Partner.with_user(operator).with_company(branch)
        found = found.dealer_find_by_name("Петр Филиалов")
        self.assertEqual(found.ids, [shared.id, own.id, other.id])

    def test_limit_and_nothing_to_find(self):
        self.assertEqual(len(self.find("тестоев", limit=1)), 1)
        self.assertFalse(self.find("Несуществующий Клиентов"))
        self.assertFalse(self.find("  ,.- "))

    def test_client_search_in_any_order(self):
        """The client search of list views and many2one fields matches words in any
        order and spelling too."""
        found = self.Partner.with_user(self.operator).search(
            [("client_search", "ilike", "федор щеткин")]
        )
        self.assertEqual(found, self.fedor)
        names = self.Partner.with_user(self.operator).name_search("Иван Тестоев")
        self.assertIn(self.ivan.id, [pid for pid, _name in names])

    def test_name_key(self):
        self.assertEqual(self.fedor.dealer_name_key, " щеткин федор семенович ")
        self.fedor.name = "Щёткин-Иванов  Фёдор"
        self.assertEqual(self.fedor.dealer_name_key, " щеткин иванов федор ")
