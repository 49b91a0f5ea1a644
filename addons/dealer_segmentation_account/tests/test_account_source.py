from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAccountSource(TransactionCase):
    """Posted customer invoices are documents of the service direction, counted at
    once when posted, reset to draft, cancelled or reversed; drafts, credit notes and
    invoices made from an order are not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        cls.accountant = new_test_user(
            cls.env,
            "seg_inv_consultant",
            groups="dealer_base.group_dealer_consultant,account.group_account_invoice",
        )
        cls.Status = cls.env["dealer.partner.status"]
        cls.real = cls.env.ref("dealer_segmentation.status_real")
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.sales = cls.env.ref("dealer_base.direction_sales")
        cls.source = cls.env.ref("dealer_segmentation_account.source_customer_invoices")
        cls.client = cls.env["res.partner"].create({"name": "Счетов Клиент Сервисович"})

    def _invoice(self, amount=60_000.0, move_type="out_invoice", user=None, **values):
        vals = {
            "move_type": move_type,
            "partner_id": self.client.id,
            "invoice_date": self.Status._today(),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "ТО-2, заказ-наряд",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        vals.update(values)
        return self.env["account.move"].with_user(user or self.accountant).create(vals)

    def _row(self, direction=None):
        return self.Status.with_user(self.accountant).search(
            [
                ("partner_id", "=", self.client.id),
                ("direction_id", "=", (direction or self.service).id),
            ]
        )

    def _assert_not_counted(self):
        """The client's only invoice no longer counts: no document, and no status,
        since nothing else ever happened to them in the service."""
        row = self._row()
        self.assertTrue(row, "the row made «Реальный» by the invoice stays")
        self.assertNotEqual(row.status_id, self.real)
        self.assertFalse(row.status_id)
        self.assertEqual(row.doc_count, 0)
        self.assertFalse(row.doc_amount)
        self.assertFalse(row.last_doc_date)

    def test_source_of_the_service(self):
        self.assertEqual(self.source.direction_id, self.service)
        self.assertEqual(self.source.model_name, "account.move")
        self.assertEqual(self.source.amount_field, "amount_total_signed")
        self.source._check_model_and_fields()

    def test_posted_invoice_makes_the_client_real(self):
        invoice = self._invoice(60_000.0)
        self.assertFalse(self._row(), "a draft invoice is no document")
        invoice.with_user(self.accountant).action_post()
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_count, 1)
        self.assertAlmostEqual(row.doc_amount, 60_000.0)
        self.assertEqual(row.last_doc_date, invoice.invoice_date)
        self.assertEqual(row.amount_range_id.letter, "B")
        # The code shows the categories in Cyrillic: «В» is category B.
        self.assertEqual(row.code[:1], "В")
        self.assertFalse(self._row(self.sales), "invoices are the service's documents only")

    def test_draft_invoice_does_not_count(self):
        self._invoice()
        self.Status._recompute_all()
        self.assertFalse(self._row())

    def test_cancelled_invoice_no_longer_counts(self):
        invoice = self._invoice()
        invoice.with_user(self.accountant).action_post()
        self.assertEqual(self._row().status_id, self.real)
        invoice.with_user(self.accountant).button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self._assert_not_counted()

    def test_invoice_reset_to_draft_no_longer_counts(self):
        invoice = self._invoice()
        invoice.with_user(self.accountant).action_post()
        invoice.with_user(self.accountant).button_draft()
        self._assert_not_counted()
        invoice.with_user(self.accountant).action_post()
        self.assertEqual(self._row().status_id, self.real)

    def _reverse(self, invoice, amount=None):
        """A credit note of ``invoice`` through the wizard, posted; for ``amount``
        only, when given (a partial refund)."""
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Возврат", "journal_id": invoice.journal_id.id})
        )
        action = wizard.refund_moves()
        refund = self.env["account.move"].with_user(self.accountant).browse(action["res_id"])
        if amount is not None:
            refund.invoice_line_ids.price_unit = amount
        refund.action_post()
        return refund

    def test_fully_refunded_invoice_no_longer_counts(self):
        invoice = self._invoice(60_000.0)
        invoice.with_user(self.accountant).action_post()
        refund = self._reverse(invoice)
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(invoice.payment_state, "reversed")
        # Neither the invoice nor the credit note is a document.
        self._assert_not_counted()

    def test_partial_refund_leaves_the_invoice(self):
        invoice = self._invoice(60_000.0)
        invoice.with_user(self.accountant).action_post()
        self._reverse(invoice, amount=10_000.0)
        self.assertEqual(invoice.payment_state, "partial")
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_count, 1, "a credit note is not a document")
        self.assertAlmostEqual(row.doc_amount, 60_000.0)

    def test_amount_in_company_currency(self):
        company_currency = self.env.company.currency_id
        currency = self.env.ref("base.EUR")
        if currency == company_currency:
            currency = self.env.ref("base.USD")
        currency.active = True
        # One unit of the company's currency is 0.01 of the other: 1 000 → 100 000.
        self.env["res.currency.rate"].search([("currency_id", "=", currency.id)]).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 0.01, "name": "2000-01-01"}
        )
        invoice = self._invoice(1_000.0, currency_id=currency.id)
        invoice.with_user(self.accountant).action_post()
        self.assertAlmostEqual(invoice.amount_total, 1_000.0)
        self.assertAlmostEqual(self._row().doc_amount, 100_000.0)

    def test_invoice_of_an_order_and_vendor_bill_do_not_count(self):
        """An invoice made from an order counts as the order (its own source);
        a vendor bill is no client's document."""
        self._invoice(invoice_origin="S00042").with_user(self.accountant).action_post()
        self._invoice(move_type="in_invoice").with_user(self.accountant).action_post()
        self.Status._recompute_all()
        self.assertFalse(self._row())

    def test_accountant_without_dealership_role(self):
        """Posting moves the status also for an accountant who may not read it."""
        plain = new_test_user(
            self.env, "seg_plain_accountant", groups="account.group_account_invoice"
        )
        self._invoice(user=plain).with_user(plain).action_post()
        self.assertEqual(self._row().status_id, self.real)
