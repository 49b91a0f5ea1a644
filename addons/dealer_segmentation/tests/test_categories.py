from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestCategories(SegmentationCase):
    def _letters(self, partner=None):
        row = self._row(partner)
        return [
            rng.letter
            for rng in (
                row.amount_range_id,
                row.count_range_id,
                row.recency_range_id,
                row.avg_check_range_id,
            )
        ]

    def test_amount_boundaries_have_no_gap(self):
        self._done(self.client, amount=100000.50)
        self._done(self.client2, amount=100001)
        self._done(self.client3, amount=50000.99)
        self._recompute()
        self.assertEqual(self._letters(self.client)[0], "B", "100 000.50 is B, not in a gap")
        self.assertEqual(self._letters(self.client2)[0], "A")
        self.assertEqual(self._letters(self.client3)[0], "C")
        self.assertEqual(self._row(self.client2).amount_range_id.display_name[:1], "А")

    def test_count_and_recency(self):
        for days in (90, 200, 300, 400, 500, 600):
            self._done(self.client, days_ago=days, amount=10)
        self._done(self.client2, days_ago=91)
        self._done(self.client2, days_ago=181)
        self._done(self.client3, days_ago=181)
        self._recompute()
        self.assertEqual(self._letters(self.client)[1:3], ["A", "A"], "6 documents, 90 days")
        self.assertEqual(self._letters(self.client2)[1:3], ["B", "B"], "2 documents, 91 days")
        self.assertEqual(self._letters(self.client3)[1:3], ["C", "C"], "1 document, 181 days")

    def test_recency_without_any_document_is_c(self):
        self._open_task()
        self._recompute()
        row = self._row()
        self.assertEqual(row.status_id, self.in_work)
        self.assertEqual(self._letters(), ["C", "C", "C", "C"])

    def test_average_check_ratio(self):
        # The direction's average document is (1005 + 985 + 1010) / 3 = 1000.
        self._done(self.client, amount=1005)
        self._done(self.client2, amount=985)
        self._done(self.client3, amount=1010)
        self._recompute()
        self.assertAlmostEqual(self.detailing.crm_average_check, 1000.0)
        self.assertAlmostEqual(self._row(self.client).avg_check_ratio, 1.005)
        self.assertEqual(self._letters(self.client)[3], "B", "1.005 is B, not in a gap")
        self.assertEqual(self._letters(self.client2)[3], "B")
        self.assertEqual(self._letters(self.client3)[3], "A")
        self.assertEqual(self._row(self.client3).code, "ССАА")

    def test_window_ends_are_included(self):
        self.detailing.with_user(self.admin).crm_window_months = 12
        self._done(self.client, days_ago=0, amount=100)
        edge = self._done(self.client, amount=100)
        edge.dealer_done_date = self._months_ago(12)
        outside = self._done(self.client, amount=100)
        outside.dealer_done_date = self._months_ago(12, extra_days=1)
        self._recompute()
        row = self._row()
        self.assertEqual(row.doc_count, 2, "today and exactly 12 months ago count")
        self.assertEqual(row.doc_amount, 200)
        self.assertEqual(row.status_id, self.real, "older documents still keep the client real")

    def test_document_outside_window_only(self):
        self._done(self.client, days_ago=1500, amount=900000)
        self._recompute()
        row = self._row()
        self.assertEqual(row.status_id, self.lost)
        self.assertEqual(row.code, "СССС")
        self.assertEqual(row.doc_amount, 0)

    def test_range_labels_as_in_the_seed(self):
        ranges = self.detailing.crm_range_ids
        amount_a = ranges.filtered(lambda r: r.metric == "amount" and r.letter == "A")
        amount_b = ranges.filtered(lambda r: r.metric == "amount" and r.letter == "B")
        avg_b = ranges.filtered(lambda r: r.metric == "avg_check" and r.letter == "B")
        self.assertEqual(amount_a.upper_bound, 1_000_000_000)
        self.assertEqual(amount_b.upper_bound, 100000)
        self.assertAlmostEqual(avg_b.upper_bound, 1.0)
        self.assertTrue(amount_b.display_name.startswith("В 50"))
        self.assertEqual(len(ranges), 12, "a new direction gets the seed's ranges")
        self.assertEqual(len(self.detailing.crm_source_ids), 1)
