from datetime import date, datetime

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import SegmentationCase

# An evening in UTC: still the 10th in Moscow (23:00), already the 11th in
# Vladivostok (06:00).
EVENING = datetime(2026, 3, 10, 20, 0)


@tagged("post_install", "-at_install")
class TestTimeZones(SegmentationCase):
    """A client's days are their branch's, whoever runs the calculation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.env.ref("base.main_company")
        main.partner_id.tz = "Europe/Moscow"
        cls.far = cls.env["res.company"].create(
            {"name": "Автоцентр Владивосток", "parent_id": main.id}
        )
        cls.far.partner_id.tz = "Asia/Vladivostok"
        cls.far_client = cls.env["res.partner"].create(
            {"name": "Дальневосточный Клиент", "company_id": cls.far.id}
        )
        cls.far_consultant = new_test_user(
            cls.env,
            "far_consultant",
            groups="dealer_base.group_dealer_consultant",
            company_id=cls.far.id,
            company_ids=[Command.set(cls.far.ids)],
        )

    def _row(self, partner=None, direction=None, user=None):
        # The engine's rows as they are, of both branches.
        return self.Status.search(
            [
                ("partner_id", "=", (partner or self.client).id),
                ("direction_id", "=", (direction or self.detailing).id),
            ]
        )

    def _contact_at(self, partner, when):
        branch = partner.company_id or self.env.company
        traffic = (
            self.env["dealer.traffic"]
            .with_company(branch)
            .create(
                {
                    "channel_id": self.call.id,
                    "direction_id": self.service.id,
                    "goal_id": self.goal_repair.id,
                    "partner_id": partner.id,
                    "company_id": branch.id,
                    "user_id": (self.far_consultant if partner.company_id else self.consultant).id,
                    "date": when,
                }
            )
        )
        traffic.action_register()

    def _document_on(self, partner, day):
        self.env["project.task"].create(
            {
                "name": "Заказ-наряд",
                "project_id": self.project.id,
                "partner_id": partner.id,
                "dealer_kind": "visit",
                "state": "1_done",
                "dealer_amount": 5000,
                "dealer_done_date": day,
            }
        )

    def test_contact_day_is_the_branch_day(self):
        self._contact_at(self.client, datetime(2026, 3, 10, 19, 30))
        self._contact_at(self.far_client, datetime(2026, 3, 10, 19, 30))
        self.Status._recompute_all(now=EVENING)
        moscow = self._row(self.client, self.service)
        far = self._row(self.far_client, self.service)
        self.assertEqual(moscow.last_traffic_date, date(2026, 3, 10))
        self.assertEqual(far.last_traffic_date, date(2026, 3, 11))
        self.assertEqual((moscow.status_id, far.status_id), (self.potential, self.potential))
        self.assertEqual(moscow.date_status, date(2026, 3, 10))
        self.assertEqual(far.date_status, date(2026, 3, 11))

    def test_tomorrow_in_moscow_is_today_in_vladivostok(self):
        self._document_on(self.client, date(2026, 3, 11))
        self._document_on(self.far_client, date(2026, 3, 11))
        self.Status._recompute_all(now=EVENING)
        moscow = self._row(self.client)
        self.assertEqual(
            (moscow.doc_count_total, moscow.last_doc_date),
            (0, False),
            "a document of tomorrow does not count yet",
        )
        far = self._row(self.far_client)
        self.assertEqual(far.status_id, self.real)
        self.assertEqual((far.doc_count, far.last_doc_date), (1, date(2026, 3, 11)))

    def test_event_path_agrees_with_the_nightly_run(self):
        for partner in (self.client, self.far_client):
            self._contact_at(partner, datetime(2026, 3, 10, 19, 30))
            self._document_on(partner, date(2026, 3, 11))
            self._document_on(partner, date(2025, 3, 10))
        self.Status._recompute_all(now=EVENING)
        rows = self._row(self.client) | self._row(self.far_client)
        before = rows.read(["status_id", "code", "doc_count", "doc_count_total", "last_doc_date"])
        written = self.Status._recompute_partners(self.client | self.far_client, now=EVENING)
        self.assertEqual(written, 0, "the event path finds nothing to change")
        self.assertEqual(
            rows.read(["status_id", "code", "doc_count", "doc_count_total", "last_doc_date"]),
            before,
        )
        self.assertEqual(self._row(self.client).doc_count_total, 1)
        self.assertEqual(self._row(self.far_client).doc_count_total, 2)
