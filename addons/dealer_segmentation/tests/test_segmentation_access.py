from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestSegmentationAccess(SegmentationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Сегмент", "parent_id": cls.env.company.id}
        )
        cls.branch_supervisor = new_test_user(
            cls.env,
            "seg_branch_supervisor",
            groups="dealer_base.group_dealer_supervisor",
            company_id=cls.branch.id,
            company_ids=[(6, 0, cls.branch.ids)],
        )
        cls.branch_client = cls.env["res.partner"].create(
            {"name": "Филиалов Клиент", "company_id": cls.branch.id}
        )

    def test_operator_reads_but_changes_nothing(self):
        self._done(amount=1000)
        row = self._row(user=self.operator)
        self.assertEqual(row.status_id, self.real)
        self.assertTrue(row.history_ids)
        with self.assertRaises(AccessError):
            row.write({"user_id": self.operator.id})
        with self.assertRaises(AccessError):
            self.Status.with_user(self.operator)._set_inactive(self.client, self.detailing, "x")
        ranges = self.detailing.crm_range_ids.with_user(self.operator)
        self.assertTrue(ranges.read(["lower_bound"]))
        with self.assertRaises(AccessError):
            ranges[:1].write({"lower_bound": 1})
        with self.assertRaises(AccessError):
            self.detailing.crm_source_ids.with_user(self.operator).write({"domain": "[]"})
        with self.assertRaises(AccessError):
            self.real.with_user(self.operator).write({"days_to_lost": 10})

    def test_consultant_sets_manager_but_not_the_figures(self):
        self._done(amount=1000)
        row = self._row(user=self.consultant)
        row.write({"user_id": self.consultant.id})
        self.assertEqual(row.user_id, self.consultant)
        for vals in ({"status_id": self.lost.id}, {"code": "АААА"}, {"is_inactive": True}):
            with self.assertRaises(UserError):
                row.write(vals)
        with self.assertRaises(UserError):
            self.env["dealer.partner.status.history"].with_user(self.consultant).create(
                {
                    "partner_id": self.client.id,
                    "direction_id": self.detailing.id,
                    "new_status_id": self.lost.id,
                    "date": self.today,
                }
            )
        with self.assertRaises(AccessError):
            row.unlink()
        with self.assertRaises(AccessError):
            self.detailing.crm_range_ids[:1].with_user(self.consultant).unlink()

    def test_consultant_adds_a_direction_row(self):
        self._done(direction=self.service, amount=10)
        row = self.Status.with_user(self.consultant).create(
            {
                "partner_id": self.client2.id,
                "direction_id": self.detailing.id,
                "user_id": self.consultant.id,
            }
        )
        self.assertFalse(row.status_id, "no status until something happens")
        with self.assertRaises(UserError):
            self.Status.with_user(self.consultant).create(
                {
                    "partner_id": self.client3.id,
                    "direction_id": self.detailing.id,
                    "status_id": self.real.id,
                }
            )

    def test_supervisors_see_their_branches_only(self):
        self._done(partner=self.branch_client, amount=1000, user=self.env.user)
        self._done(partner=self.client, amount=1000)
        self.assertFalse(self._row(self.branch_client, user=self.supervisor))
        self.assertFalse(self._row(self.branch_client, user=self.consultant))
        self.assertEqual(
            self._row(self.branch_client, user=self.branch_supervisor).status_id, self.real
        )
        history = self.env["dealer.partner.status.history"]
        self.assertFalse(
            history.with_user(self.supervisor).search([("partner_id", "=", self.branch_client.id)])
        )
        # Shared clients (no branch) are everyone's, as Odoo's partner rule has it.
        self.assertTrue(self._row(self.client, user=self.branch_supervisor))

    def test_admin_configures(self):
        ranges = self.detailing.crm_range_ids.with_user(self.admin)
        ranges.filtered(lambda r: r.metric == "count" and r.letter == "A").lower_bound = 10
        self.real.with_user(self.admin).days_to_lost = 720
        self.assertEqual(self.real.days_to_lost, 720)
