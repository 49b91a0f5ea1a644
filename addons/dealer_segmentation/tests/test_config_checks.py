from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestConfigChecks(SegmentationCase):
    def _range(self, metric, letter):
        return self.detailing.crm_range_ids.filtered(
            lambda r: r.metric == metric and r.letter == letter
        ).with_user(self.admin)

    def _refused(self, message, change):
        with self.assertRefused(message):
            change()

    def test_bad_ranges_are_refused(self):
        Range = self.env["dealer.segmentation.range"].with_user(self.admin)
        base = {"direction_id": self.detailing.id, "metric": "amount", "letter": "A"}
        self._refused("below zero", lambda: Range.create({**base, "lower_bound": -5}))
        self._refused("appears twice", lambda: Range.create({**base, "lower_bound": 5}))
        self._refused(
            "same value", lambda: self._range("amount", "B").write({"lower_bound": 100001})
        )
        self._refused("gap", lambda: self._range("amount", "C").write({"lower_bound": 10}))
        self._refused("gap", lambda: self._range("count", "C").unlink())
        self._refused("appears twice", lambda: self._range("count", "A").write({"letter": "B"}))
        # A valid change: B starts later.
        self._range("amount", "B").write({"lower_bound": 60000})
        self.assertEqual(self._range("amount", "C").upper_bound, 59999)

    def test_window_and_days_are_checked(self):
        with self.assertRefused("at least one month"):
            self.detailing.with_user(self.admin).crm_window_months = 0
        with self.assertRefused("negative"):
            self.env["dealer.crm.status.direction"].with_user(self.admin).create(
                {"status_id": self.real.id, "direction_id": self.detailing.id, "days_to_lost": -1}
            )
        with self.assertRaises(ValidationError):
            self.potential.with_user(self.admin).days_to_lost = 0

    def test_source_is_checked_when_saved(self):
        Source = self.env["dealer.segmentation.source"].with_user(self.admin)
        vals = {
            "name": "Задачи",
            "direction_id": self.detailing.id,
            "model_name": "project.task",
            "domain": "[('state', '=', '1_done')]",
            "partner_field": "partner_id",
            "amount_field": "dealer_amount",
            "date_field": "dealer_done_date",
        }
        self.assertTrue(Source.create(vals))
        with self.assertRefused("Amount Field"):
            Source.create({**vals, "amount_field": "name"})
        with self.assertRefused("Date Field"):
            Source.create({**vals, "date_field": "no_such_date"})
        with self.assertRefused("Client Field"):
            Source.create({**vals, "partner_field": "project_id"})
        with self.assertRefused("not valid"):
            Source.create({**vals, "domain": "[('no_such_field', '=', 1)]"})
        with self.assertRefused("list of conditions"):
            Source.create({**vals, "domain": "__import__('os')"})
        with self.assertRefused("Client Field"):
            Source.create({**vals, "model_name": "res.partner"})
        with self.assertRefused("not a stored model"):
            Source.create({**vals, "model_name": "dealer.partner.inactive.wizard"})
        with self.assertRefused("not a stored model"):
            Source.create({**vals, "model_name": "no.such.model"})
        with self.assertRefused("has no project"):
            Source.create(
                {
                    **vals,
                    "model_name": "dealer.traffic",
                    "domain": "[]",
                    "amount_field": "take_minutes",
                    "date_field": "date",
                    "restrict_to_project": True,
                }
            )

    def test_extra_source_counts_its_documents(self):
        """A second source of the direction: any task of the client with an amount,
        here of another project, dated by its deadline."""
        self.env["dealer.segmentation.source"].with_user(self.admin).create(
            {
                "name": "Все задачи с суммой",
                "direction_id": self.detailing.id,
                "model_name": "project.task",
                "domain": f"[('dealer_amount', '>', 0), ('project_id', '!=', {self.project.id})]",
                "partner_field": "partner_id",
                "amount_field": "dealer_amount",
                "date_field": "date_deadline",
            }
        )
        other = self.env["project.project"].create({"name": "Сторонний проект"})
        self.env["project.task"].create(
            {
                "name": "Счёт",
                "project_id": other.id,
                "partner_id": self.client.id,
                "dealer_amount": 70000,
                "date_deadline": self.now,
            }
        )
        self._recompute()
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_amount, 70000)
        self.assertEqual(row.code[0], "В")
