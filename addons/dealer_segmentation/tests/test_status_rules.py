from odoo.tests import tagged

from .common import SegmentationCase


@tagged("post_install", "-at_install")
class TestStatusRules(SegmentationCase):
    def test_no_status_without_anything(self):
        self._recompute()
        self.assertFalse(self._row())
        self.assertFalse(self._row(direction=self.service))

    def test_registered_traffic_makes_potential_at_once(self):
        self._traffic()
        self._recompute()
        self.assertFalse(self._row(direction=self.service), "a draft is no registered contact")
        self._register()
        row = self._row(direction=self.service)
        self.assertEqual(row.status_id, self.potential)
        self.assertEqual(row.code, "СССС", "no document: C everywhere, in Cyrillic")
        self.assertEqual(row.date_status, self.today)
        history = self._history(direction=self.service)
        self.assertEqual(len(history), 1, "the first status counts as a change")
        self.assertFalse(history.old_status_id)
        self.assertEqual(history.new_status_id, self.potential)
        self.assertEqual(history.reason, "rule")
        traffic = self._register()
        traffic.invalidate_recordset()
        self.assertEqual(traffic.with_user(self.consultant).dealer_crm_label, "Potential СССС")

    def test_potential_decays_to_lost_after_its_days(self):
        self._register(days_ago=10)
        self._recompute(days_later=50)  # 60 days old: still potential, inclusive
        self.assertEqual(self._row(direction=self.service).status_id, self.potential)
        self._recompute(days_later=51)
        row = self._row(direction=self.service)
        self.assertEqual(row.status_id, self.lost)
        self.assertEqual(
            self._history(direction=self.service).mapped("new_status_id"),
            self.potential | self.lost,
        )

    def test_open_task_is_in_work_over_real_then_done_is_real(self):
        self._done(days_ago=5, amount=1000)
        self.assertEqual(self._row().status_id, self.real, "a document moves the client at once")
        task = self._open_task()
        self.assertEqual(self._row().status_id, self.in_work)
        task.with_user(self.consultant).write({"state": "1_done"})
        self.assertEqual(task.dealer_done_date, self.today, "dated when it became done")
        row = self._row()
        self.assertEqual(row.status_id, self.real)
        self.assertEqual(row.doc_count, 2)
        self.assertEqual(row.last_doc_date, self.today)

    def test_cancelled_task_is_not_work_but_leaves_lost(self):
        task = self._open_task()
        self.assertEqual(self._row().status_id, self.in_work)
        task.with_user(self.consultant).write({"state": "1_canceled"})
        self.assertEqual(self._row().status_id, self.lost, "in work once: lost, not nothing")

    def test_real_decays_after_its_days_and_direction_override(self):
        self._done(days_ago=1000, amount=5000)
        self._recompute(days_later=80)  # 1080 days old
        self.assertEqual(self._row().status_id, self.real)
        self._recompute(days_later=81)
        self.assertEqual(self._row().status_id, self.lost)
        # A direction may keep clients real for less.
        self.env["dealer.crm.status.direction"].with_user(self.admin).create(
            {"status_id": self.real.id, "direction_id": self.detailing.id, "days_to_lost": 30}
        )
        self._done(partner=self.client2, days_ago=30)
        self._done(partner=self.client3, days_ago=31)
        self._recompute()
        self.assertEqual(self._row(self.client2).status_id, self.real)
        self.assertEqual(self._row(self.client3).status_id, self.lost)

    def test_real_over_potential(self):
        self._done(days_ago=100, amount=1000, direction=self.service)
        self._register()
        self.assertEqual(self._row(direction=self.service).status_id, self.real)

    def test_inactive_by_hand_is_kept_until_cleared(self):
        self._done(days_ago=3, amount=120000)
        wizard = (
            self.env["dealer.partner.inactive.wizard"]
            .with_user(self.consultant)
            .create(
                {
                    "partner_id": self.client.id,
                    "direction_id": self.detailing.id,
                    "reason": "Продал автомобиль",
                }
            )
        )
        wizard.action_confirm()
        row = self._row()
        self.assertEqual(row.status_id, self.inactive)
        self.assertTrue(row.is_inactive)
        self.assertEqual(row.inactive_user_id, self.consultant)
        self._open_task()
        self._done(days_ago=0, amount=10)
        self._recompute()
        row = self._row()
        self.assertEqual(row.status_id, self.inactive, "the rules never overwrite it")
        self.assertEqual(row.doc_count, 2, "categories are still computed")
        self.assertEqual(row.code[0], "А")
        last = self._history()[-1]
        self.assertEqual((last.new_status_id, last.reason), (self.inactive, "user"))
        self.assertEqual(last.user_id, self.consultant)
        self.assertEqual(last.note, "Продал автомобиль")

        row.with_user(self.consultant).action_clear_inactive()
        row = self._row()
        self.assertFalse(row.is_inactive)
        self.assertEqual(row.status_id, self.in_work)
        last = self._history()[-1]
        self.assertEqual(
            (last.old_status_id, last.new_status_id, last.reason),
            (self.inactive, self.in_work, "user"),
        )

    def test_inactive_for_a_client_without_status(self):
        self.Status.with_user(self.supervisor)._set_inactive(
            self.client2, self.detailing, "Не наш клиент"
        )
        row = self._row(self.client2)
        self.assertEqual(row.status_id, self.inactive)
        self.assertEqual(row.code, "СССС")

    def test_history_rows_only_for_status_changes(self):
        self._done(days_ago=10, amount=1000)
        self.assertEqual(len(self._history()), 1)
        # A bigger amount changes the amount category, not the status: no row.
        self._done(days_ago=5, amount=150000)
        row = self._row()
        self.assertEqual(row.code[0], "А")
        self.assertEqual(len(self._history()), 1)
        self._open_task()
        history = self._history()
        self.assertEqual(len(history), 2)
        self.assertEqual(
            (history[-1].old_status_id, history[-1].new_status_id), (self.real, self.in_work)
        )

    def test_nightly_rerun_is_idempotent(self):
        self._done(days_ago=10, amount=1000)
        self._register()
        self._recompute()
        rows = self.Status.search([])
        stamps = rows.mapped("write_date")
        count = self.env["dealer.partner.status.history"].search_count([])
        self.assertEqual(self.Status._recompute_all(now=self.now, batch_size=7), 0)
        self.assertEqual(self.Status._cron_recompute(now=self.now, batch_size=3), 0)
        self.assertEqual(self.env["dealer.partner.status.history"].search_count([]), count)
        self.assertEqual(rows.mapped("write_date"), stamps)

    def test_batches_cover_every_client(self):
        self._done(partner=self.client2, days_ago=1)
        self._done(partner=self.client3, days_ago=2000)
        self.Status.search([("direction_id", "=", self.detailing.id)]).unlink()
        self.Status._recompute_all(now=self.now, batch_size=2)
        self.assertEqual(self._row(self.client2).status_id, self.real)
        self.assertEqual(self._row(self.client3).status_id, self.lost)

    def test_registration_card_shows_status_and_code(self):
        self._done(days_ago=10, amount=200000)
        cards = self.env["res.partner"].with_user(self.operator).dealer_lookup_card(self.client.id)
        crm = {line["direction"]: line for line in cards[0]["crm"]}
        self.assertEqual(crm["ДТЛ"]["status"], "Real")
        self.assertEqual(crm["ДТЛ"]["code"][:1], "А")
        self.assertEqual(crm["ДТЛ"]["color"], self.real.color)
        self.assertTrue(crm["ДТЛ"]["set"])
        # Every direction is listed, in order, «Не установлен» where nothing happened.
        directions = self.env["dealer.direction"].search([])
        self.assertEqual(
            [line["direction"] for line in cards[0]["crm"]], directions.mapped("short_name")
        )
        sales = crm[self.env.ref("dealer_base.direction_sales").short_name]
        self.assertEqual((sales["status"], sales["code"], sales["set"]), ("Not set", "", False))

    def test_task_shows_client_status(self):
        self._done(days_ago=10, amount=200000)
        task = self._open_task()
        task.invalidate_recordset()
        self.assertTrue(task.with_user(self.operator).dealer_crm_label.startswith("In Work "))
