from odoo.tests import Form, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPartnerVehicles(TransactionCase):
    """The client card lists every car its button counts: owned ones and those of
    which the client is the customer or the trusted person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, "cards_operator", groups="dealer_base.group_dealer_operator"
        )
        Partner = cls.env["res.partner"]
        cls.owner = Partner.create({"name": "Владельцев Пётр"})
        cls.customer = Partner.create({"name": "Покупателева Анна"})
        cls.trusted = Partner.create({"name": "Доверенная Мария"})
        Vehicle = cls.env["dealer.vehicle"]
        cls.car = Vehicle.create(
            {
                "owner_id": cls.owner.id,
                "customer_id": cls.customer.id,
                "trusted_person_id": cls.trusted.id,
                "license_plate": "В 101 ВВ 77",
            }
        )
        cls.own_car = Vehicle.create({"owner_id": cls.trusted.id, "license_plate": "В 102 ВВ 77"})

    def test_trusted_person_card_lists_the_car_and_the_count_matches(self):
        trusted = self.trusted.with_user(self.operator)
        self.assertEqual(trusted.vehicle_ids, self.own_car)
        self.assertEqual(trusted.party_vehicle_ids, self.car)
        self.assertEqual(trusted.vehicle_count, 2)
        self.assertEqual(
            trusted.vehicle_count, len(trusted.vehicle_ids | trusted.party_vehicle_ids)
        )
        action = trusted.action_view_vehicles()
        listed = self.env["dealer.vehicle"].with_user(self.operator).search(action["domain"])
        self.assertEqual(listed, self.car | self.own_car)

    def test_customer_and_owner(self):
        customer = self.customer.with_user(self.operator)
        self.assertEqual(customer.party_vehicle_ids, self.car)
        self.assertEqual(customer.vehicle_count, 1)
        owner = self.owner.with_user(self.operator)
        self.assertEqual(owner.vehicle_ids, self.car)
        self.assertFalse(owner.party_vehicle_ids, "owned cars are listed once")
        self.assertEqual(owner.vehicle_count, 1)

    def test_card_shows_the_list(self):
        cars = Form(self.trusted.with_user(self.operator)).party_vehicle_ids
        self.assertEqual([cars[i].id for i in range(len(cars))], self.car.ids)
