from contextlib import contextmanager
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.dealer_traffic.tests.common import TrafficCase
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user


class SegmentationCase(TrafficCase):
    """Traffic's users and client, plus a direction of our own (created as a
    dealership administrator would, so it gets the default ranges and source) whose
    documents no demo data touches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, "seg_admin", groups="dealer_base.group_dealer_admin")
        cls.Status = cls.env["dealer.partner.status"]
        cls.potential = cls.env.ref("dealer_segmentation.status_potential")
        cls.in_work = cls.env.ref("dealer_segmentation.status_in_work")
        cls.real = cls.env.ref("dealer_segmentation.status_real")
        cls.lost = cls.env.ref("dealer_segmentation.status_lost")
        cls.inactive = cls.env.ref("dealer_segmentation.status_inactive")
        cls.project = cls.env["project.project"].create({"name": "Детейлинг: заказы"})
        detailing = (
            cls.env["dealer.direction"]
            .with_user(cls.admin)
            .create(
                {
                    "code": "detailing",
                    "name": "Детейлинг",
                    "short_name": "ДТЛ",
                    "project_id": cls.project.id,
                }
            )
        )
        cls.detailing = cls.env["dealer.direction"].browse(detailing.id)
        cls.now = fields.Datetime.now()
        cls.today = cls.Status._today(cls.now)
        cls.client2 = cls.env["res.partner"].create({"name": "Второв Клиент Иванович"})
        cls.client3 = cls.env["res.partner"].create({"name": "Третьякова Клиентка"})

    def _done(self, partner=None, days_ago=0, amount=0.0, direction=None, user=None):
        """A done task of ``direction`` (our own by default): a document."""
        direction = direction or self.detailing
        return (
            self.env["project.task"]
            .with_user(user or self.consultant)
            .create(
                {
                    "name": "Документ",
                    "project_id": direction.project_id.id,
                    "partner_id": (partner or self.client).id,
                    "dealer_kind": "visit",
                    "state": "1_done",
                    "dealer_amount": amount,
                    "dealer_done_date": self.today - timedelta(days=days_ago),
                }
            )
        )

    def _register(self, days_ago=0, partner=None):
        """A registered contact of the service direction (traffic's default)."""
        traffic = self._traffic(
            partner_id=(partner or self.client).id,
            user_id=self.consultant.id,
            date=self.now - timedelta(days=days_ago),
        )
        traffic.action_register()
        return traffic

    def _open_task(self, partner=None, direction=None):
        direction = direction or self.detailing
        return (
            self.env["project.task"]
            .with_user(self.consultant)
            .create(
                {
                    "name": "Запись",
                    "project_id": direction.project_id.id,
                    "partner_id": (partner or self.client).id,
                    "dealer_kind": "appointment",
                }
            )
        )

    def _recompute(self, days_later=0, partners=None):
        """The nightly run as of ``days_later`` days from now."""
        self.Status._recompute_all(now=self.now + timedelta(days=days_later))

    def _row(self, partner=None, direction=None, user=None):
        return self.Status.with_user(user or self.operator).search(
            [
                ("partner_id", "=", (partner or self.client).id),
                ("direction_id", "=", (direction or self.detailing).id),
            ]
        )

    def _history(self, partner=None, direction=None):
        return self.env["dealer.partner.status.history"].search(
            [
                ("partner_id", "=", (partner or self.client).id),
                ("direction_id", "=", (direction or self.detailing).id),
            ],
            order="id",
        )

    def _months_ago(self, months, extra_days=0):
        return self.today - relativedelta(months=months) - timedelta(days=extra_days)

    @contextmanager
    def assertRefused(self, message):
        """A ValidationError whose text matches ``message``; unlike unittest's
        assertRaisesRegex, Odoo's assertRaises rolls the refused change back."""
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertRegex(str(caught.exception), message)
