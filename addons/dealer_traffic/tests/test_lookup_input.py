"""The registration screen's client lookup checks what the client sends: a result or a
clear error, never a traceback."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TrafficCase

ANY_VALUE = st.one_of(
    st.text(),
    st.lists(st.sampled_from(["8", "9", "1", "+", " ", "К", "k", "\x00", "\n", "%"])).map("".join),
    st.none(),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@tagged("post_install", "-at_install")
class TestLookupInput(TrafficCase):
    def test_lookup_refuses_what_is_not_search_text(self):
        Partner = self.env["res.partner"].with_user(self.operator)
        for text in (811, ["k811kk"], {"text": "k811kk"}):
            with self.subTest(text=text):
                with self.assertRaises(UserError) as caught:
                    Partner.dealer_lookup(text)
                self.assertIn("must be text", str(caught.exception))
        for text, message in (("k811\x00kk", "control characters"), ("k" * 1001, "too long")):
            with self.assertRaises(ValidationError) as caught:
                Partner.dealer_lookup(text)
            self.assertIn(message, str(caught.exception))
        for limit in ("8", -1, 51, 2.0):
            with self.subTest(limit=limit):
                with self.assertRaises(UserError) as caught:
                    Partner.dealer_lookup("k811kk", limit)
                self.assertIn("number of results", str(caught.exception))
        self.assertEqual(Partner.dealer_lookup(None), [])
        self.assertEqual(Partner.dealer_lookup("\tk811kk\n", 1)[0]["id"], self.client.id)

    def test_lookup_card_takes_a_record_id(self):
        Partner = self.env["res.partner"].with_user(self.operator)
        for partner_id in (str(self.client.id), [self.client.id], {"id": 1}, None, 0, -5, 2**40):
            with self.subTest(partner_id=partner_id):
                with self.assertRaises(UserError) as caught:
                    Partner.dealer_lookup_card(partner_id)
                self.assertIn("must be a record id", str(caught.exception))
        self.assertEqual(Partner.dealer_lookup_card(2**31 - 1), [])
        self.assertEqual(Partner.dealer_lookup_card(self.client.id)[0]["id"], self.client.id)

    @settings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(text=ANY_VALUE)
    def test_lookup_returns_cards_or_a_clean_error(self, text):
        Partner = self.env["res.partner"].with_user(self.operator)
        try:
            with self.env.cr.savepoint():
                cards = Partner.dealer_lookup(text)
        except (UserError, ValidationError):
            return
        self.assertIsInstance(cards, list)
