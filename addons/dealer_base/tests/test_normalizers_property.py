"""Random unicode against the phone normalizer and the client search: a result or a
clear error, never a crash."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.addons.dealer_base.tools import normalize_phone, phone_digits
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

# Deterministic (the same examples on every run, no example database written into
# the working tree) and quick: the suite runs these at every install.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Text as staff, PBXs and attackers send it: any unicode (but lone surrogates, which
# hypothesis leaves out and the checks refuse), and text built from phone-like pieces,
# control characters and other scripts' digits included.
PHONE_PIECES = st.sampled_from(
    [
        "+",
        "7",
        "8",
        "9",
        "0",
        "1",
        "(",
        ")",
        "-",
        " ",
        "доб.",
        "x",
        "#",
        ",",
        "sip:",
        "@",
        "tel:",
        ";",
        "\x00",
        "\t",
        "\n",
        "\x1b",
        "٣",
        "７",
        "%",
        "_",
        "\\",
        "'",
    ]
)
TEXT = st.one_of(st.text(), st.lists(PHONE_PIECES, max_size=25).map("".join))
ANY_VALUE = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@tagged("post_install", "-at_install")
class TestPhoneNormalizerProperties(TransactionCase):
    @PROPERTY_SETTINGS
    @given(raw=ANY_VALUE, country=st.sampled_from(["RU", "KZ", "DE", "US", None, "ru"]))
    def test_normalize_phone_gives_e164_or_false(self, raw, country):
        result = normalize_phone(raw, country)
        self.assertTrue(result is False or E164.fullmatch(result), result)
        self.assertTrue(phone_digits(raw).isascii())
        self.assertTrue(phone_digits(raw).isdigit() or phone_digits(raw) == "")


@tagged("post_install", "-at_install")
class TestClientSearchProperties(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        operator = new_test_user(
            cls.env, login="test_property_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.Partner = cls.env["res.partner"].with_user(operator)
        cls.Partner.create({"name": "Свойствов Пётр", "mobile": "+7 916 321 00 11"})

    def _result_or_clean_error(self, call):
        """``call()``'s result, or None when it raised a clean error; any other
        exception fails the test. Each call in a savepoint, so that a failed query
        cannot poison the next example."""
        try:
            with self.env.cr.savepoint():
                return call()
        except (UserError, ValidationError):
            return None

    @PROPERTY_SETTINGS
    @given(value=ANY_VALUE)
    def test_client_search_returns_clients_or_a_clean_error(self, value):
        found = self._result_or_clean_error(
            lambda: self.Partner.search([("client_search", "ilike", value)], limit=5)
        )
        if found is not None:
            self.assertEqual(found._name, "res.partner")

    @PROPERTY_SETTINGS
    @given(value=ANY_VALUE)
    def test_name_search_returns_pairs_or_a_clean_error(self, value):
        names = self._result_or_clean_error(lambda: self.Partner.name_search(value, limit=5))
        if names is not None:
            self.assertIsInstance(names, list)
            self.assertTrue(all(isinstance(pid, int) for pid, _name in names))

    @PROPERTY_SETTINGS
    @given(value=ANY_VALUE)
    def test_find_by_phone_returns_clients_or_a_clean_error(self, value):
        found = self._result_or_clean_error(lambda: self.Partner.find_by_phone(value))
        if found is not None:
            self.assertEqual(found._name, "res.partner")
