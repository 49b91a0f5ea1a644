import json

from odoo.tests import new_test_user

from .common import TrafficCase


class TestTrafficNotify(TrafficCase):
    """Nobody misses a contact: the live counter, the inbox, the toasts, the queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The consultant chose to be notified by e-mail.
        cls.consultant.notification_type = "email"
        cls.consultant2.notification_type = "inbox"

    def setUp(self):
        super().setUp()
        self.env.cr.precommit.clear()

    def _bus(self, notification_type, target=None):
        """Payloads of the bus notifications of this type sent in this transaction,
        to ``target`` (a partner or a group) when given."""
        payloads = []
        for value in self.env.cr.precommit.data.get("bus.bus.values", []):
            message = json.loads(value["message"])
            channel = json.loads(value["channel"])
            if message["type"] != notification_type:
                continue
            if target is not None and channel[1:] != [target._name, target.id]:
                continue
            payloads.append(message["payload"])
        return payloads

    def _counter(self, user):
        return self.env["dealer.traffic"].with_user(user).get_unprocessed_counter()

    def test_counter_follows_register_take_process(self):
        self.assertEqual(self._counter(self.consultant), {"visible": True, "count": 0})
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        self.assertEqual(self._counter(self.consultant)["count"], 1)
        self.assertEqual(
            self._bus("dealer_traffic/unprocessed", self.consultant.partner_id)[-1], {"count": 1}
        )
        second = self._traffic(user_id=self.consultant.id)
        second.action_transfer()
        self.assertEqual(self._counter(self.consultant)["count"], 2)
        self.assertEqual(
            self._bus("dealer_traffic/unprocessed", self.consultant.partner_id)[-1], {"count": 2}
        )
        mine = traffic.with_user(self.consultant)
        mine.action_take()
        self.assertEqual(self._counter(self.consultant)["count"], 2, "in work is unprocessed")
        mine.action_process("appointment")
        self.assertEqual(self._counter(self.consultant)["count"], 1)
        self.assertEqual(
            self._bus("dealer_traffic/unprocessed", self.consultant.partner_id)[-1], {"count": 1}
        )
        # Handed over: the counters of both employees move.
        second.with_user(self.consultant).action_reassign(self.consultant2)
        self.assertEqual(self._counter(self.consultant)["count"], 0)
        self.assertEqual(self._counter(self.consultant2)["count"], 1)
        self.assertEqual(
            self._bus("dealer_traffic/unprocessed", self.consultant.partner_id)[-1], {"count": 0}
        )
        self.assertEqual(
            self._bus("dealer_traffic/unprocessed", self.consultant2.partner_id)[-1], {"count": 1}
        )

    def test_counter_hidden_for_operators(self):
        self.assertEqual(self._counter(self.operator), {"visible": False, "count": 0})

    def test_assignment_lands_in_the_inbox_whatever_the_email_preference(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        message = traffic.message_ids.filtered(
            lambda m: self.consultant.partner_id in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.operator.partner_id, "the author is kept")
        notification = message.notification_ids.filtered(
            lambda n: n.res_partner_id == self.consultant.partner_id
        )
        self.assertEqual(notification.notification_type, "inbox")
        self.assertFalse(
            self.env["mail.mail"].search([("mail_message_id", "=", message.id)]),
            "no e-mail instead of the inbox",
        )
        self.assertEqual(
            self.env["mail.notification"].search_count(
                [
                    ("res_partner_id", "=", self.consultant.partner_id.id),
                    ("notification_type", "=", "inbox"),
                    ("is_read", "=", False),
                ]
            ),
            1,
        )

    def test_other_messages_keep_the_email_preference(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        message = traffic.sudo().message_post(
            body="Просто заметка", partner_ids=self.consultant.partner_id.ids
        )
        self.assertEqual(message.notification_ids.notification_type, "email")

    def test_toast_of_a_call_is_not_sticky(self):
        self._traffic(user_id=self.consultant.id).action_register()
        (toast,) = self._bus("simple_notification", self.consultant.partner_id)
        self.assertFalse(toast["sticky"])

    def test_walk_in_queued_for_someone_notifies_them_until_read(self):
        walk_in = self._traffic(channel_id=self.visit.id, user_id=self.consultant2.id)
        walk_in.action_queue()
        self.assertEqual(walk_in.state, "queued")
        (toast,) = self._bus("simple_notification", self.consultant2.partner_id)
        self.assertTrue(toast["sticky"])
        self.assertIn(walk_in.name, toast["message"])
        message = walk_in.message_ids.filtered(
            lambda m: self.consultant2.partner_id in m.partner_ids
        )
        self.assertEqual(message.notification_ids.notification_type, "inbox")
        self.assertEqual(self._counter(self.consultant2)["count"], 1)
        # Assigned from the queue: still a walk-in waiting, the toast stays.
        self.env.cr.precommit.clear()
        walk_in.action_assign(self.consultant)
        (toast,) = self._bus("simple_notification", self.consultant.partner_id)
        self.assertTrue(toast["sticky"])

    def test_queue_board_told_when_the_queue_changes(self):
        staff = self.env.ref("dealer_base.group_dealer_operator")
        walk_in = self._traffic(channel_id=self.visit.id)
        self.assertFalse(self._bus("dealer_traffic/queue"))
        walk_in.action_queue()
        self.assertEqual(
            self._bus("dealer_traffic/queue", staff), [{"company_ids": walk_in.company_id.ids}]
        )
        self.env.cr.precommit.clear()
        walk_in.action_assign(self.consultant)
        self.assertEqual(len(self._bus("dealer_traffic/queue", staff)), 1)
        self.env.cr.precommit.clear()
        walk_in.with_user(self.consultant).action_take()
        self.assertFalse(self._bus("dealer_traffic/queue"), "no longer in the queue")

    def test_registration_screen_shows_the_queue_length(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        waiting = Traffic.new({"channel_id": self.call.id}).queue_count
        for _i in range(2):
            self._traffic(channel_id=self.visit.id).action_queue()
        self.assertEqual(Traffic.new({"channel_id": self.call.id}).queue_count, waiting + 2)
        # Another branch's queue is not this one's.
        branch = self.env["res.company"].create({"name": "Другой филиал очереди"})
        operator2 = new_test_user(
            self.env,
            "tr_operator_queue",
            groups="dealer_base.group_dealer_operator",
            company_id=branch.id,
            company_ids=[branch.id],
        )
        other = self.env["dealer.traffic"].with_user(operator2).with_company(branch)
        self.assertEqual(other.new({"channel_id": self.call.id}).queue_count, 0)
