from datetime import timedelta

from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestDecay(SegmentationCase):
    def _winbacks(self, partner=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", (partner or self.client).id),
                ("activity_type_id", "=", self.winback.id),
            ]
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.winback = cls.env.ref("dealer_segmentation.mail_activity_type_winback")

    def test_decay_alone_moves_only_the_expired(self):
        self._done(days_ago=1080, amount=5000)  # real until today, lost tomorrow
        self._done(partner=self.client2, days_ago=10, amount=5000)  # stays real
        Status = self.Status
        self.assertEqual(Status._apply_decay(now=self.now), 0, "nothing expired today")
        written = Status._apply_decay(now=self.now + timedelta(days=1))
        self.assertEqual(written, 1, "only the expired client is recomputed")
        self.assertEqual(self._row().status_id, self.lost)
        self.assertEqual(self._row(self.client2).status_id, self.real)
        self.assertEqual(self._history()[-1].new_status_id, self.lost)
        self.assertEqual(self._history()[-1].doc_count_total, 1)

    def test_potential_decays_without_the_full_run(self):
        self._register()
        row = self._row(direction=self.service)
        self.assertEqual(row.status_id, self.potential)
        self.assertEqual(row.last_traffic_date, self.Status._today(self.now))
        self.Status._apply_decay(now=self.now + timedelta(days=61))
        self.assertEqual(self._row(direction=self.service).status_id, self.lost)

    def test_inactive_is_not_decayed(self):
        self._done(days_ago=1080, amount=5000)
        self.Status.with_user(self.consultant)._set_inactive(
            self.client, self.detailing, "Переехал в другой город"
        )
        self.Status._apply_decay(now=self.now + timedelta(days=5))
        self.assertEqual(self._row().status_id, self.inactive)

    def test_lost_real_client_gets_one_winback_activity(self):
        self._done(days_ago=1080, amount=5000)
        self._row(user=self.consultant).write({"user_id": self.consultant.id})
        self.Status._apply_decay(now=self.now + timedelta(days=1))
        activity = self._winbacks()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.consultant, "the personal manager")
        self.assertIn(self.detailing.name, activity.summary)
        # Neither the nightly run nor a second decay repeat it.
        self.Status._apply_decay(now=self.now + timedelta(days=2))
        self._recompute(days_later=2)
        self.assertEqual(len(self._winbacks()), 1, "once per decay")

    def test_winback_falls_back_to_the_direction_responsible(self):
        self.detailing.with_user(self.admin).write({"crm_user_id": self.supervisor.id})
        self._done(days_ago=1080, amount=5000)
        self._recompute(days_later=1)
        self.assertEqual(self._winbacks().user_id, self.supervisor)

    def test_potential_lost_gets_no_winback(self):
        self.detailing.with_user(self.admin).write({"crm_user_id": self.supervisor.id})
        self._open_task().with_user(self.consultant).write({"state": "1_canceled"})
        self.assertEqual(self._row().status_id, self.lost)
        self.assertFalse(self._winbacks(), "never bought: nothing to win back")
