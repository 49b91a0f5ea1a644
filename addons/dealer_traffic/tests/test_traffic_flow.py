from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestTrafficFlow(TrafficCase):
    def test_register_assigns_and_notifies(self):
        traffic = self._traffic(user_id=self.consultant.id)
        self.assertTrue(traffic.name.startswith("TR"))
        self.assertEqual(traffic.registrar_id, self.operator)
        traffic.action_register()
        self.assertEqual(traffic.state, "assigned")
        self.assertTrue(traffic.assigned_date)
        self.assertIn(self.consultant.partner_id, traffic.message_partner_ids)
        notified = traffic.message_ids.filtered(
            lambda m: self.consultant.partner_id in m.partner_ids
        )
        self.assertTrue(notified)
        self.assertEqual(self.client.last_incoming_contact, traffic.date)

    def test_register_needs_responsible_and_client(self):
        traffic = self._traffic()
        with self.assertRaisesRegex(UserError, "responsible"):
            traffic.action_register()
        anonymous = self._traffic(partner_id=False, user_id=self.consultant.id)
        with self.assertRaisesRegex(UserError, "name or phone"):
            anonymous.action_register()
        anonymous.contact_phone = "8 916 000 99 88"
        anonymous.action_register()
        self.assertEqual(anonymous.phone_normalized, "+79160009988")

    def test_goal_requirements(self):
        traffic = self._traffic(
            direction_id=self.sales.id, goal_id=self.goal_new_car.id, user_id=self.consultant.id
        )
        with self.assertRaisesRegex(UserError, "model of interest"):
            traffic.action_register()
        traffic.write(
            {
                "interest_model_id": self.env.ref("dealer_vehicle.model_haval_jolion").id,
                "interest_condition": "new",
                "region_id": self.env.ref("base.state_ru_mos").id,
            }
        )
        traffic.action_register()
        self.assertEqual(traffic.interest_brand_id.name, "Haval")

    def test_goal_must_match_direction(self):
        with self.assertRaisesRegex(ValidationError, "belongs to the direction"):
            self._traffic(direction_id=self.sales.id)

    def test_restricted_goal_only_for_its_employees(self):
        self.goal_repair.write(
            {"user_ids": [(6, 0, self.consultant.ids)], "restrict_to_users": True}
        )
        with self.assertRaisesRegex(ValidationError, "not among the employees"):
            self._traffic(user_id=self.consultant2.id)

    def test_transfer_without_client(self):
        traffic = self._traffic(partner_id=False, user_id=self.consultant.id)
        traffic.action_transfer()
        self.assertEqual(traffic.state, "assigned")
        self.assertTrue(traffic.is_transferred)

    def test_take_and_process_into_a_new_task(self):
        traffic = self._traffic(user_id=self.consultant.id, vehicle_id=self.vehicle.id)
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        self.assertEqual(traffic.state, "in_progress")
        self.assertTrue(traffic.taken_date)
        task = traffic.with_user(self.consultant).action_process("appointment")
        self.assertEqual(traffic.state, "processed")
        self.assertEqual(task.project_id, self.service.project_id)
        self.assertEqual(task.partner_id, self.client)
        self.assertEqual(task.vehicle_id, self.vehicle)
        self.assertEqual(task.dealer_kind, "appointment")
        self.assertEqual(task.traffic_id, traffic)
        self.assertEqual(task.user_ids, self.consultant)

    def test_process_attaches_to_an_open_task_of_the_client(self):
        first = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        task = first.action_process("visit")
        second = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        second.action_process("visit", task=task.id)
        self.assertEqual(second.task_ids, task)
        other_client_task = self.env["project.task"].create(
            {"name": "Чужая", "project_id": self.service.project_id.id}
        )
        third = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        with self.assertRaisesRegex(UserError, "another client"):
            third.action_process("visit", task=other_client_task)

    def test_process_needs_a_client(self):
        traffic = self._traffic(partner_id=False, contact_name="Аноним")
        with self.assertRaisesRegex(UserError, "Identify the client"):
            traffic.with_user(self.consultant).action_process("appointment")

    def test_process_wizard(self):
        traffic = self._traffic(user_id=self.consultant.id)
        wizard = (
            self.env["dealer.traffic.process.wizard"]
            .with_user(self.consultant)
            .with_context(default_traffic_ids=traffic.ids)
            .create({"mode": "create", "kind": "deal", "name": "Сделка: Jolion"})
        )
        action = wizard.action_confirm()
        task = self.env["project.task"].browse(action["res_id"])
        self.assertEqual(task.name, "Сделка: Jolion")
        self.assertEqual(traffic.state, "processed")

    def test_ignore_with_reason_and_cancel(self):
        traffic = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        reason = self.env.ref("dealer_traffic.ignore_reason_wrong_number")
        with self.assertRaisesRegex(UserError, "reason"):
            traffic.action_ignore(self.env["dealer.ignore.reason"])
        self.env["dealer.traffic.ignore.wizard"].with_user(self.consultant).create(
            {"traffic_ids": traffic.ids, "reason_id": reason.id, "comment": "Искали шиномонтаж"}
        ).action_confirm()
        self.assertEqual(traffic.state, "ignored")
        self.assertEqual(traffic.ignore_comment, "Искали шиномонтаж")
        with self.assertRaisesRegex(UserError, "cannot be taken"):
            traffic.action_take()
        traffic.action_cancel_processing()
        self.assertEqual(traffic.state, "assigned")
        self.assertFalse(traffic.ignore_reason_id)

    def test_cancel_processing_keeps_the_task(self):
        traffic = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        task = traffic.action_process("appointment")
        traffic.action_cancel_processing()
        self.assertEqual(traffic.state, "in_progress")
        self.assertTrue(task.exists())
        self.assertFalse(task.traffic_id)
        with self.assertRaisesRegex(UserError, "cannot be reopened"):
            traffic.action_cancel_processing()

    def test_reassign_notifies_the_new_employee(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        # The consultant hands the contact over and loses sight of it at once: the
        # new responsible must still be subscribed and told.
        self.env["dealer.traffic.reassign.wizard"].with_user(self.consultant).create(
            {"traffic_ids": traffic.ids, "user_id": self.consultant2.id, "comment": "Отпуск"}
        ).action_confirm()
        traffic = traffic.with_user(self.consultant2)
        self.assertEqual(traffic.user_id, self.consultant2)
        self.assertEqual(traffic.state, "assigned")
        self.assertFalse(traffic.taken_date)
        last = traffic.message_ids[0]
        self.assertIn(self.consultant2.partner_id, last.partner_ids)
        self.assertIn("Отпуск", last.body)
        self.assertEqual(last.author_id, self.consultant.partner_id)
        self.assertIn(self.consultant2.partner_id, traffic.message_partner_ids)
        with self.assertRaises(AccessError):
            traffic.with_user(self.consultant).read(["state"])

    def test_waiting_queue(self):
        traffic = self._traffic(channel_id=self.visit.id)
        traffic.action_queue()
        self.assertEqual(traffic.state, "queued")
        self.assertTrue(traffic.queued_date)
        # A consultant at the queue assigns the walk-in to a colleague.
        self.env["dealer.traffic.reassign.wizard"].with_user(self.consultant2).create(
            {"traffic_ids": traffic.ids, "user_id": self.consultant.id}
        ).action_confirm()
        traffic = traffic.with_user(self.consultant)
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.user_id, self.consultant)
        lost = self._traffic(channel_id=self.visit.id)
        lost.action_queue()
        lost.action_mark_lost()
        self.assertEqual(lost.state, "ignored")
        self.assertEqual(lost.ignore_reason_id.code, "left_queue")

    def test_only_walk_ins_wait_in_the_queue(self):
        with self.assertRaisesRegex(UserError, "Only walk-in visits"):
            self._traffic().action_queue()

    def test_forbidden_transitions(self):
        traffic = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        traffic.action_process("appointment")
        for action in (
            traffic.action_register,
            traffic.action_transfer,
            traffic.action_queue,
            traffic.action_take,
            traffic.action_mark_lost,
        ):
            with self.subTest(action=action.__name__), self.assertRaises(UserError):
                action()
        with self.assertRaises(UserError):
            traffic.action_process("appointment")

    def test_first_and_repeat_contact(self):
        first = self._traffic()
        self.assertFalse(first.is_repeat)
        second = self._traffic()
        self.assertTrue(second.is_repeat)
        other_direction = self._traffic(
            direction_id=self.sales.id, goal_id=self.env.ref("dealer_traffic.goal_sales_credit").id
        )
        self.assertFalse(other_direction.is_repeat, "repeat is counted per direction")
        second.is_repeat = False
        self.assertFalse(second.is_repeat, "the operator may correct it")
        self.assertFalse(self._traffic(partner_id=False, contact_name="Новый").is_repeat)

    def test_response_times_and_overdue(self):
        # Step times are the workflow's: only a dealer administrator corrects them.
        admin = new_test_user(self.env, "tr_admin_times", groups="dealer_base.group_dealer_admin")
        traffic = self._traffic(user_id=self.consultant.id, date="2026-01-10 10:00:00")
        traffic = traffic.with_user(admin)
        self.assertTrue(traffic.is_overdue)
        self.assertIn(traffic, self.env["dealer.traffic"].search([("is_overdue", "=", True)]))
        traffic.write({"taken_date": "2026-01-10 10:40:00"})
        self.assertEqual(traffic.take_minutes, 40)
        self.assertTrue(traffic.was_overdue, "the repair goal allows 15 minutes")
        self.assertFalse(traffic.is_overdue)
        traffic.write({"processed_date": "2026-01-10 11:30:00"})
        self.assertEqual(traffic.process_minutes, 90)
