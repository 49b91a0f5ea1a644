from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestAutoIgnore(TrafficCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Demo traffic may be overdue already: clear it so counts below are exact.
        cls.env["dealer.traffic"]._cron_auto_ignore()

    def test_only_traffic_past_its_goal_days_is_ignored(self):
        now = fields.Datetime.now()
        self.goal_repair.auto_ignore_days = 3
        old = self._traffic(user_id=self.consultant.id, date=now - timedelta(days=4))
        old.action_register()
        fresh = self._traffic(date=now - timedelta(days=2))
        done = self._traffic(date=now - timedelta(days=10))
        done.action_process("appointment")
        no_limit_goal = self.env.ref("dealer_traffic.goal_service_maintenance")
        no_limit_goal.auto_ignore_days = 0
        kept = self._traffic(goal_id=no_limit_goal.id, date=now - timedelta(days=30))

        count = self.env["dealer.traffic"]._cron_auto_ignore()

        self.assertGreaterEqual(count, 1)
        timeout = self.env.ref("dealer_traffic.ignore_reason_timeout")
        self.assertEqual(old.state, "ignored")
        self.assertEqual(old.ignore_reason_id, timeout)
        self.assertTrue(old.processed_date)
        self.assertGreater(old.process_minutes, 4 * 24 * 60 - 1)
        self.assertEqual(fresh.state, "new")
        self.assertEqual(done.state, "processed")
        self.assertEqual(kept.state, "new")

    def test_batches_and_rerun_are_safe(self):
        past = fields.Datetime.now() - timedelta(days=30)
        traffic = self.env["dealer.traffic"].create(
            [
                {
                    "channel_id": self.call.id,
                    "direction_id": self.service.id,
                    "goal_id": self.goal_repair.id,
                    "partner_id": self.client.id,
                    "date": past,
                }
                for _i in range(7)
            ]
        )
        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 7)
        self.assertEqual(set(traffic.mapped("state")), {"ignored"})
        stamps = traffic.mapped("processed_date")
        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 0)
        self.assertEqual(traffic.mapped("processed_date"), stamps, "a re-run changes nothing")
