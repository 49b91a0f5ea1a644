from odoo.tests import HttpCase, new_test_user, tagged


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
