from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSaleSource(TransactionCase):
    """Confirmed sale orders are documents of the showroom, counted at once when an
    order is confirmed or cancelled; quotations are not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            "seg_sale_consultant",
            groups="dealer_base.group_dealer_consultant,sales_team.group_sale_salesman",
        )
        cls.Status = cls.env["dealer.partner.status"]
        cls.real = cls.env.ref("dealer_segmentation.status_real")
        cls.sales = cls.env.ref("dealer_base.direction_sales")
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.source = cls.env.ref("dealer_segmentation_sale.source_sale_orders")
        cls.car = cls.env["product.product"].create(
            {"name": "Лада Веста", "type": "consu", "list_price": 1_500_000.0}
        )
        cls.client = cls.env["res.partner"].create({"name": "Заказов Покупатель Сидорович"})

    def _order(self, amount=1_500_000.0, user=None, partner=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.salesman)
            .create(
                {
                    "partner_id": (partner or self.client).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.car.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def _row(self, direction=None, partner=None):
        return self.Status.with_user(self.salesman).search(
            [
                ("partner_id", "=", (partner or self.client).id),
                ("direction_id", "=", (direction or self.sales).id),
            ]
        )

    def test_source_of_the_showroom(self):
        self.assertEqual(self.source.direction_id, self.sales)
        self.assertTrue(self.source.active)
        self.assertEqual(self.source.model_name, "sale.order")
        self.source._check_model_and_fields()
        others = self.env["dealer.segmentation.source"].search(
            [("model_name", "=", "sale.order"), ("id", "!=", self.source.id)]
        )
        self.assertFalse(others, "only the showroom counts sale orders")

    def test_confirmed_order_makes_the_client_real(self):
        first = self._order(1_500_000.0)
        self.assertFalse(self._row(), "a quotation is no document")
        first.with_user(self.salesman).action_confirm()
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_count, 1)
        self.assertAlmostEqual(row.doc_amount, 1_500_000.0)
        self.assertEqual(row.last_doc_date, self.Status._today())
        self.assertEqual(row.amount_range_id.letter, "A")
        self.assertEqual(row.count_range_id.letter, "C")
        self.assertEqual(row.code[:1], "А", "amount category «А» (Cyrillic) in the code")

        second = self._order(40_000.0)
        second.with_user(self.salesman).action_confirm()
        row = self._row()
        self.assertEqual(row.doc_count, 2)
        self.assertAlmostEqual(row.doc_amount, 1_540_000.0)
        self.assertEqual(row.count_range_id.letter, "B")
        self.assertFalse(self._row(self.service), "orders are the showroom's documents only")

    def test_cancelled_order_no_longer_counts(self):
        order = self._order()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(self._row().status_id, self.real)
        order.with_user(self.salesman).with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        # Her only document is void: no document, and no status, since nothing else
        # ever happened to her in the showroom.
        row = self._row()
        self.assertFalse(row.status_id)
        self.assertEqual(row.doc_count, 0)
        self.assertFalse(row.doc_amount)
        self.assertFalse(row.last_doc_date)
        history = self.env["dealer.partner.status.history"].search(
            [("partner_status_id", "=", row.id)], order="id"
        )
        self.assertEqual(len(history), 2)
        self.assertEqual(history[0].new_status_id, self.real)
        self.assertEqual(history[1].old_status_id, self.real)
        self.assertFalse(history[1].new_status_id)

    def test_cancelled_order_leaves_the_others(self):
        kept = self._order(40_000.0)
        kept.with_user(self.salesman).action_confirm()
        order = self._order(1_500_000.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(self._row().doc_count, 2)
        order.with_user(self.salesman).with_context(disable_cancel_warning=True).action_cancel()
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_count, 1)
        self.assertAlmostEqual(row.doc_amount, 40_000.0)
        self.assertEqual(row.amount_range_id.letter, "C")

    def test_quotation_does_not_count(self):
        order = self._order()
        order.with_user(self.salesman).action_quotation_sent()
        self.assertEqual(order.state, "sent")
        self.Status._recompute_all()
        self.assertFalse(self._row())
        # The nightly run counts the order once it is confirmed, like the event.
        order.with_user(self.salesman).action_confirm()
        self.Status._recompute_all()
        self.assertEqual(self._row().status_id, self.real)
        self.assertEqual(self._row().doc_count, 1)

    def test_salesman_without_dealership_role(self):
        """Confirming moves the status also for a salesman who may not read it."""
        plain = new_test_user(
            self.env, "seg_plain_salesman", groups="sales_team.group_sale_salesman"
        )
        order = self._order(user=plain)
        order.with_user(plain).action_confirm()
        self.assertEqual(self._row().status_id, self.real)

    def test_archived_source_counts_nothing(self):
        self.source.active = False
        self._order().with_user(self.salesman).action_confirm()
        self.Status._recompute_all()
        self.assertFalse(self._row())
