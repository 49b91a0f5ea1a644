from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .live_bus import live_bus


@tagged("post_install", "-at_install")
class TestTrafficUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env,
            "ui_operator",
            groups="dealer_base.group_dealer_operator",
            name="Оператор Тура",
            lang="en_US",
        )
        cls.consultant = new_test_user(
            cls.env,
            "ui_consultant",
            groups="dealer_base.group_dealer_consultant",
            name="Консультант Тура",
            lang="en_US",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Туров Клиент Иванович", "mobile": "+7 916 433 21 10"}
        )
        cls.env["dealer.vehicle"].create({"owner_id": cls.client.id, "license_plate": "Т433ТТ77"})

    def test_register_call_by_phone_to_a_consultant(self):
        self.start_tour("/odoo", "dealer_traffic_register_tour", login="ui_operator")
        traffic = self.env["dealer.traffic"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(traffic), 1)
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.user_id, self.consultant)
        self.assertEqual(traffic.registrar_id, self.operator)
        self.assertEqual(traffic.goal_id, self.env.ref("dealer_traffic.goal_service_repair"))
        self.assertEqual(traffic.vehicle_id.license_plate, "Т433ТТ77")

    def test_process_into_a_task(self):
        traffic = self.env["dealer.traffic"].create(
            {
                "channel_id": self.env.ref("dealer_traffic.channel_call").id,
                "direction_id": self.env.ref("dealer_base.direction_service").id,
                "goal_id": self.env.ref("dealer_traffic.goal_service_repair").id,
                "partner_id": self.client.id,
                "user_id": self.consultant.id,
                "registrar_id": self.operator.id,
            }
        )
        traffic.action_register()
        self.start_tour("/odoo", "dealer_traffic_process_tour", login="ui_consultant")
        self.assertEqual(traffic.state, "processed")
        self.assertEqual(traffic.task_ids.dealer_kind, "visit")
        self.assertEqual(traffic.task_ids.partner_id, self.client)

    def test_walk_in_waits_in_the_queue_then_is_assigned(self):
        self.start_tour("/odoo", "dealer_traffic_queue_tour", login="ui_operator")
        traffic = self.env["dealer.traffic"].search([("partner_id.name", "=", "Пешеходов Пётр")])
        self.assertEqual(traffic.state, "queued")
        self.assertEqual(traffic.channel_id, self.env.ref("dealer_traffic.channel_visit"))
        self.assertTrue(traffic.queued_date)
        self.start_tour("/odoo", "dealer_traffic_assign_from_queue_tour", login="ui_operator")
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.user_id, self.consultant)

    def test_register_a_new_client_with_a_car_from_an_unknown_number(self):
        self.start_tour("/odoo", "dealer_traffic_new_client_tour", login="ui_operator")
        client = self.env["res.partner"].search([("name", "=", "Новиков Артём Сергеевич")])
        self.assertEqual(len(client), 1)
        self.assertFalse(client.is_company)
        self.assertEqual(client.phone_ids.number_normalized, "+79165554433")
        self.assertIn("Звонил по рекламе на радио", client.comment)
        vehicle = client.vehicle_ids
        self.assertEqual(len(vehicle), 1)
        self.assertEqual(vehicle.model_id, self.env.ref("dealer_vehicle.model_lada_granta"))
        self.assertEqual((vehicle.year, vehicle.license_plate), (2019, "Х555ХХ799"))
        traffic = self.env["dealer.traffic"].search([("partner_id", "=", client.id)])
        self.assertEqual(len(traffic), 1)
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.vehicle_id, vehicle)
        self.assertEqual(traffic.contact_phone, "8 (916) 555-44-33")
        self.assertEqual(traffic.registrar_id, self.operator)
        self.assertEqual(client.create_uid, self.operator)

    def test_live_unprocessed_counter(self):
        traffic = self.env["dealer.traffic"].create(
            {
                "channel_id": self.env.ref("dealer_traffic.channel_call").id,
                "direction_id": self.env.ref("dealer_base.direction_service").id,
                "goal_id": self.env.ref("dealer_traffic.goal_service_repair").id,
                "contact_name": "Живой Счётчик",
                "contact_phone": "+7 916 555 44 33",
                "registrar_id": self.operator.id,
            }
        )
        with live_bus():
            self.start_tour("/odoo", "dealer_traffic_counter_tour", login="ui_consultant")
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(traffic.user_id, self.consultant)

    def test_process_into_an_appointment_seen_in_the_calendar(self):
        advisor = new_test_user(
            self.env,
            "ui_advisor",
            groups="dealer_base.group_dealer_consultant",
            name="Мастер Тура",
            lang="en_US",
        )
        traffic = self.env["dealer.traffic"].create(
            {
                "channel_id": self.env.ref("dealer_traffic.channel_call").id,
                "direction_id": self.env.ref("dealer_base.direction_service").id,
                "goal_id": self.env.ref("dealer_traffic.goal_service_repair").id,
                "partner_id": self.client.id,
                "user_id": self.consultant.id,
                "registrar_id": self.operator.id,
            }
        )
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        self.start_tour("/odoo", "dealer_traffic_appointment_tour", login="ui_consultant")
        self.assertEqual(traffic.state, "processed")
        task = traffic.task_ids
        self.assertEqual(task.dealer_kind, "appointment")
        self.assertEqual(
            task.dealer_appointment_kind_id,
            self.env.ref("dealer_traffic.appointment_kind_diagnostics"),
        )
        self.assertEqual(task.dealer_advisor_id, advisor)
        now = fields.Datetime.now()
        self.assertTrue(now + timedelta(days=1) < task.dealer_visit_at < now + timedelta(days=3))
        self.assertEqual(task.date_deadline, task.dealer_visit_at)
