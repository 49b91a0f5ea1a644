from odoo.tests import tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestRegistrationHelpers(TrafficCase):
    def test_lookup_by_phone_plate_and_name(self):
        Partner = self.env["res.partner"].with_user(self.operator)
        for text in ("8 (916) 811-22-33", "k811kk", "Клиентов Траф"):
            with self.subTest(text=text):
                cards = Partner.dealer_lookup(text)
                self.assertEqual(cards[0]["id"], self.client.id)
                self.assertEqual(cards[0]["vehicles"][0]["plate"], "К811КК77")
        self.assertEqual(Partner.dealer_lookup("12"), [])

    def test_lookup_shows_open_tasks(self):
        traffic = self._traffic(user_id=self.consultant.id)
        task = traffic.with_user(self.consultant).action_process("appointment")
        card = self.env["res.partner"].dealer_lookup_card(self.client.id)[0]
        self.assertEqual([t["id"] for t in card["open_tasks"]], task.ids)

    def test_candidates_show_presence_and_counts(self):
        self.goal_repair.user_ids = self.consultant2
        self.consultant.dealer_presence = "busy"
        open_one = self._traffic(user_id=self.consultant.id)
        open_one.action_register()
        transferred = self._traffic(user_id=self.consultant.id, partner_id=False)
        transferred.action_transfer()
        done = self._traffic(user_id=self.consultant.id)
        done.with_user(self.consultant).action_process("appointment")

        candidates = (
            self.env["dealer.traffic"]
            .with_user(self.operator)
            .get_responsible_candidates(self.goal_repair.id)
        )
        by_id = {c["id"]: c for c in candidates}
        self.assertEqual(candidates[0]["id"], self.consultant2.id, "goal's responsible first")
        self.assertEqual(by_id[self.consultant.id]["presence"], "busy")
        self.assertEqual(by_id[self.consultant.id]["open_count"], 2)
        self.assertEqual(by_id[self.consultant.id]["transferred_today"], 1)
        self.assertNotIn(self.operator.id, by_id, "operators do not take contacts")

    def test_candidates_of_a_restricted_goal(self):
        self.goal_repair.write(
            {"user_ids": [(6, 0, self.consultant.ids)], "restrict_to_users": True}
        )
        candidates = self.env["dealer.traffic"].get_responsible_candidates(self.goal_repair.id)
        self.assertEqual([c["id"] for c in candidates], self.consultant.ids)

    def test_employees_set_their_own_presence(self):
        self.consultant.with_user(self.consultant).write({"dealer_presence": "away"})
        self.assertEqual(self.consultant.dealer_presence, "away")
