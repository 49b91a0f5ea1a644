from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user

from .common import TrafficCase


class TestTrafficFollowup(TrafficCase):
    """«Продолжение звонка», «Завершить» and the callback reminder (seed 001)."""

    # --- continuation ---------------------------------------------------------------
    def test_continuation_links_and_counts(self):
        first = self._traffic(user_id=self.consultant.id)
        first.action_register()
        later = self._traffic(
            user_id=self.consultant.id, continued_from_id=first.id, date=first.date
        )
        later.action_register()
        self.assertTrue(later.is_continuation)
        self.assertEqual(later.continuation_measure, 1)
        self.assertFalse(first.is_continuation)
        self.assertEqual(first.with_user(self.consultant).continuation_count, 1)
        action = first.with_user(self.consultant).action_view_continuations()
        self.assertEqual(
            self.env["dealer.traffic"].with_user(self.consultant).search(action["domain"]), later
        )
        # The traffic analysis counts the continuations («из них звонки продолжения»).
        rows = (
            self.env["dealer.traffic"]
            .with_user(self.supervisor)
            ._read_group(
                [("id", "in", (first | later).ids)],
                ["user_id"],
                ["__count", "continuation_measure:sum"],
            )
        )
        self.assertEqual(rows, [(self.consultant, 2, 1)])

    def test_continuation_defaults_to_the_earlier_responsible(self):
        first = self._traffic(user_id=self.consultant2.id)
        first.action_register()
        with Form(
            self.env["dealer.traffic"].with_user(self.operator),
            view="dealer_traffic.dealer_traffic_view_form_register",
        ) as screen:
            screen.channel_id = self.call
            screen.direction_id = self.service
            screen.goal_id = self.goal_repair
            screen.continued_from_id = first
            self.assertEqual(screen.partner_id, self.client)
            self.assertEqual(screen.user_id, self.consultant2)

    def test_continuation_must_be_of_an_earlier_contact_of_the_same_client(self):
        first = self._traffic()
        other_client = self.env["res.partner"].create({"name": "Другой Клиент Продолжения"})
        with self.assertRaises(ValidationError):
            self._traffic(partner_id=other_client.id, continued_from_id=first.id)
        with self.assertRaises(ValidationError):
            first.write({"continued_from_id": first.id})
        earlier = self._traffic(date=fields.Datetime.now() - timedelta(hours=2))
        with self.assertRaises(ValidationError):
            earlier.write({"continued_from_id": first.id})

    # --- «Завершить» ----------------------------------------------------------------
    def test_operator_finishes_an_information_call(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        vals = {
            "channel_id": self.call.id,
            "direction_id": self.service.id,
            "goal_id": self.goal_repair.id,
            "contact_name": "Спрашивал дорогу",
            "contact_phone": "+7 916 000 11 22",
            "user_id": self.consultant.id,
            "outcome": "Объяснили, как проехать",
            "finish_result": "directions",
        }
        action = Traffic.action_create_from_screen(vals, "action_finish_from_screen")
        self.assertEqual(action["tag"], "display_notification")
        traffic = Traffic.search([("contact_name", "=", "Спрашивал дорогу")])
        self.assertEqual(traffic.state, "processed")
        self.assertTrue(traffic.is_finished)
        self.assertFalse(traffic.user_id, "nobody has anything more to do with it")
        self.assertEqual(traffic.registrar_id, self.operator)
        self.assertTrue(traffic.processed_date)
        self.assertFalse(traffic.task_ids)
        self.assertEqual(
            self.env["dealer.traffic"].with_user(self.consultant).get_unprocessed_counter(),
            {"visible": True, "count": 0},
        )

    def test_finish_needs_an_outcome_and_a_new_contact(self):
        traffic = self._traffic(contact_name="Без итога")
        with self.assertRaisesRegex(UserError, "outcome"):
            traffic.action_finish()
        self.assertEqual(traffic.state, "new")
        registered = self._traffic(user_id=self.consultant.id, finish_result="informed")
        registered.action_register()
        with self.assertRaises(UserError):
            registered.action_finish()

    def test_closed_on_the_spot_is_the_workflow_s(self):
        with self.assertRaises(UserError):
            self._traffic(is_finished=True)
        traffic = self._traffic(finish_result="advertising")
        with self.assertRaises(UserError):
            traffic.with_user(self.operator).write({"is_finished": True})
        traffic.action_finish()
        traffic.with_user(self.supervisor).action_cancel_processing()
        self.assertFalse(traffic.is_finished)
        self.assertNotEqual(traffic.state, "processed")

    # --- the callback reminder ------------------------------------------------------
    def _callbacks(self, traffic, user):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "dealer.traffic"),
                ("res_id", "=", traffic.id),
                ("user_id", "=", user.id),
                ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_call").id),
            ]
        )

    def test_callback_reminder_when_the_specialist_could_not_take_the_call(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        when = fields.Datetime.now() + timedelta(hours=1)
        wizard = (
            self.env["dealer.traffic.callback.wizard"]
            .with_user(self.operator)
            .create(
                {
                    "traffic_ids": [fields.Command.set(traffic.ids)],
                    "callback_date": when,
                    "comment": "Ждёт ответа по стоимости ремонта",
                }
            )
        )
        wizard.action_confirm()
        activity = self._callbacks(traffic, self.consultant)
        self.assertEqual(len(activity), 1)
        local = fields.Datetime.context_timestamp(traffic.with_user(self.consultant), when)
        self.assertEqual(activity.date_deadline, local.date())
        self.assertIn(local.strftime("%H:%M"), activity.summary)
        self.assertIn(self.client.mobile, activity.note)
        self.assertIn("Ждёт ответа", activity.note)
        self.assertEqual(activity.create_uid, self.operator, "left by the operator")
        # The consultant sees it in their activities.
        self.assertIn(
            activity,
            self.env["mail.activity"]
            .with_user(self.consultant)
            .search([("user_id", "=", self.consultant.id)]),
        )

    def test_callback_from_the_registration_screen(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        vals = {
            "channel_id": self.call.id,
            "direction_id": self.service.id,
            "goal_id": self.goal_repair.id,
            "contact_name": "Перезвонить Мне",
            "contact_phone": "+7 916 222 33 44",
            "user_id": self.consultant.id,
        }
        Traffic.action_create_from_screen(vals, "action_callback_from_screen")
        traffic = Traffic.search([("contact_name", "=", "Перезвонить Мне")])
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.user_id, self.consultant)
        activity = self._callbacks(traffic, self.consultant)
        self.assertEqual(len(activity), 1)
        self.assertIn("+7 916 222 33 44", activity.note)

    def test_callback_checks(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        with self.assertRaises(UserError):
            traffic.action_request_callback(fields.Datetime.now() - timedelta(days=1))
        unassigned = self._traffic()
        with self.assertRaises(UserError):
            unassigned.action_request_callback()
        stranger = new_test_user(
            self.env, "tr_operator_cb", groups="dealer_base.group_dealer_operator"
        )
        with self.assertRaises(AccessError):
            traffic.with_user(stranger).action_request_callback()
        self.assertFalse(self._callbacks(traffic, self.consultant))
        # The responsible may leave it to themselves too.
        traffic.with_user(self.consultant).action_request_callback()
        self.assertEqual(len(self._callbacks(traffic, self.consultant)), 1)
