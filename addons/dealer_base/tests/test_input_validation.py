"""What the client may send to the client card and the client search: bad input gives a
clear UserError / ValidationError, never a psycopg2 or Python traceback."""

from contextlib import contextmanager
from datetime import date, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

# Values of the wrong type as JSON-RPC can deliver them.
WRONG_TYPES = [123, 4.5, ["+79161234567"], {"number": "+79161234567"}, True]


class InputCase(TransactionCase):
    @contextmanager
    def assertRaisesMessage(self, error, pattern):
        """``assertRaisesRegex`` in a savepoint, as Odoo's ``assertRaises``: what the
        refused call wrote before raising is rolled back."""
        with self.assertRaises(error) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)


@tagged("post_install", "-at_install")
class TestClientInputValidation(InputCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, login="test_input_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.Partner = cls.env["res.partner"].with_user(cls.operator)
        cls.client = cls.Partner.create(
            {"name": "Проверкин Иван", "mobile": "+7 916 555 12 34", "birthday": "1985-04-01"}
        )

    # --- find_by_phone -------------------------------------------------------------
    def test_find_by_phone_refuses_values_that_are_not_text(self):
        for value in WRONG_TYPES:
            with self.subTest(value=value):
                with self.assertRaisesMessage(UserError, "phone number must be text"):
                    self.Partner.find_by_phone(value)

    def test_find_by_phone_junk_and_empty_give_nothing(self):
        for value in (None, False, "", "доб. 305", "\x00\x00", "7" * 5000, "+7 916\x00555"):
            with self.subTest(value=value):
                self.assertFalse(self.Partner.find_by_phone(value))
        self.assertEqual(self.Partner.find_by_phone("8 (916) 555-12-34"), self.client)

    # --- client search -------------------------------------------------------------
    def _client_search(self, value, operator="ilike"):
        return self.Partner.search([("client_search", operator, value)])

    def test_client_search_refuses_values_that_are_not_text(self):
        for value in [123, 4.5, ["Проверкин"], {"a": 1}]:
            with self.subTest(value=value):
                with self.assertRaisesMessage(UserError, "Client must be text"):
                    self._client_search(value)
        self.assertFalse(self._client_search(None))
        self.assertFalse(self._client_search(False))

    def test_client_search_refuses_control_characters_and_overlong_text(self):
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self._client_search("Проверкин\x00")
        with self.assertRaisesMessage(ValidationError, "too long"):
            self._client_search("Проверкин" * 1000)
        # Line breaks and tabs, as pasted from a spreadsheet, are spaces.
        self.assertIn(self.client, self._client_search("\tПроверкин\r\nИван\n"))

    def test_client_search_refuses_unsupported_operators(self):
        with self.assertRaisesMessage(UserError, "only finds clients by text"):
            self._client_search("Проверкин", "not ilike")

    def test_name_search_checks_its_arguments(self):
        for value in [123, ["Проверкин"], {"a": 1}]:
            with self.subTest(value=value):
                with self.assertRaisesMessage(UserError, "must be text"):
                    self.Partner.name_search(value)
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.Partner.name_search("Про\x00веркин")
        for limit in ("10", -1, 2.5, [1]):
            with self.subTest(limit=limit):
                with self.assertRaisesMessage(UserError, "number of results"):
                    self.Partner.name_search("Проверкин", limit=limit)
        self.assertIn(self.client.id, [pid for pid, _ in self.Partner.name_search("Проверкин")])
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.Partner.search([("display_name", "=", "Про\x00веркин")])

    # --- client card -----------------------------------------------------------------
    def test_birthday_within_1900_and_today(self):
        tomorrow = date.today() + timedelta(days=1)
        for value, message in (
            ("1899-12-31", "between 1900 and 2100"),
            ("2101-01-01", "between 1900 and 2100"),
            ("1900-02-30", "not a valid date"),
            ("вчера", "not a valid date"),
            (tomorrow, "between 1900 and today"),
        ):
            with self.subTest(value=value):
                with self.assertRaisesMessage(ValidationError, message):
                    self.client.write({"birthday": value})
        with self.assertRaisesMessage(UserError, "must be a record id"):
            self.client.write({"consent_sms_user_id": "admin"})
        self.client.write({"birthday": "1900-01-01"})
        self.assertEqual(self.client.birthday, date(1900, 1, 1))

    def test_phone_lines_refuse_control_characters_and_overlong_numbers(self):
        Phone = self.env["dealer.partner.phone"].with_user(self.operator)
        line = self.client.phone_ids
        cases = (
            ({"number": "+7 916\x00 555 12 35"}, ValidationError, "control characters"),
            ({"number": "+7 916 555 12 35\n"}, ValidationError, "control characters"),
            ({"number": "1" * 101}, ValidationError, "too long"),
            ({"number": 79165551235}, UserError, "must be text"),
            ({"phone_type": "fax"}, UserError, "not one of the allowed values"),
            ({"sequence": 2**40}, ValidationError, "out of range"),
            ({"sequence": "first"}, UserError, "must be a number"),
        )
        for vals, error, message in cases:
            with self.subTest(vals=vals):
                with self.assertRaisesMessage(error, message):
                    line.write(vals)
                with self.assertRaisesMessage(error, message):
                    Phone.create({"partner_id": self.client.id, "number": "+79165551236"} | vals)
        with self.assertRaisesMessage(UserError, "must be a record id"):
            Phone.create({"partner_id": "Проверкин", "number": "+79165551236"})
        line.write({"number": "8 916 555 12 35 доб. 12", "note": "рабочий"})
        self.assertEqual(line.number_normalized, "+79165551235")

    def test_partner_phone_fields_refuse_control_characters(self):
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.Partner.create({"name": "Нулев", "mobile": "+7 916 555\x00 12 37"})
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.client.write({"phone": "+7 495 111\x0022 33"})
        with self.assertRaisesMessage(ValidationError, "too long"):
            self.client.write({"mobile": "9" * 101})
        self.client.write({"phone": "+7 495 111 22 33"})
        self.assertIn("+74951112233", self.client.phone_ids.mapped("number_normalized"))
