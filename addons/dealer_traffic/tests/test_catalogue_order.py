from odoo.tests import tagged

from .common import TrafficCase

DEALER_SOURCES = [
    "dealer_traffic.utm_source_website",
    "dealer_traffic.utm_source_avito",
    "dealer_traffic.utm_source_autoru",
    "dealer_traffic.utm_source_recommendation",
    "dealer_traffic.utm_source_outdoor",
    "dealer_traffic.utm_source_repeat_client",
]


@tagged("post_install", "-at_install")
class TestSourceOrder(TrafficCase):
    """The registration screen's source field lists the dealership's own sources
    before Odoo's English ones."""

    def test_dealer_sources_first(self):
        Source = self.env["utm.source"].with_user(self.operator)
        ids = [source_id for source_id, _name in Source.name_search("", limit=None)]
        own = [self.env.ref(xmlid).id for xmlid in DEALER_SOURCES]
        self.assertEqual(ids[: len(own)], own)
        self.assertIn(self.env.ref("utm.utm_source_search_engine").id, ids[len(own) :])

    def test_new_dealer_source_before_odoo_ones(self):
        mine = self.env["utm.source"].create({"name": "ВКонтакте", "is_dealer": True})
        ids = self.env["utm.source"].with_user(self.operator).search([]).ids
        self.assertLess(ids.index(mine.id), ids.index(self.env.ref("utm.utm_source_newsletter").id))

    def test_marking_keeps_the_staffs_order(self):
        website = self.env.ref("dealer_traffic.utm_source_website")
        website.sequence = 99
        self.env["utm.source"]._dealer_mark_own(DEALER_SOURCES)
        self.assertEqual(website.sequence, 99)
