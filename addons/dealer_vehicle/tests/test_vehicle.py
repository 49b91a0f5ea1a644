from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestVehicle(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.owner = Partner.create({"name": "Тестов Владелец", "mobile": "+7 916 700 00 01"})
        cls.driver = Partner.create({"name": "Тестов Водитель", "mobile": "+7 916 700 00 02"})
        cls.stranger = Partner.create({"name": "Посторонний Клиент"})
        cls.model = cls.env.ref("dealer_vehicle.model_lada_vesta")
        cls.vehicle = cls.env["dealer.vehicle"].create(
            {
                "owner_id": cls.owner.id,
                "model_id": cls.model.id,
                "license_plate": "e 321 кх 777",
                "vin": "xta gfl110 my000001",
                "mileage": 15000,
            }
        )

    def test_identifiers_are_normalized(self):
        self.assertEqual(self.vehicle.vin, "XTAGFL110MY000001")
        self.assertEqual(self.vehicle.license_plate, "E 321 КХ 777")
        self.assertEqual(self.vehicle.plate_normalized, "Е321КХ777")
        self.assertIn("Vesta", self.vehicle.name)

    def test_invalid_vin_is_refused_with_a_clear_message(self):
        with self.assertRaisesRegex(ValidationError, "17 characters"):
            self.env["dealer.vehicle"].create({"vin": "XTA123"})
        with self.assertRaisesRegex(ValidationError, "except I, O and Q"):
            self.env["dealer.vehicle"].create({"vin": "XTAGFL110MY00000O"})
        with self.assertRaisesRegex(ValidationError, "check digit"):
            self.env["dealer.vehicle"].create({"vin": "1M8GDM9A1KP042788"})

    def test_duplicate_vin_names_the_vehicle_and_its_owner(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["dealer.vehicle"].create(
                {"vin": "XTAGFL110MY000001", "owner_id": self.driver.id}
            )
        message = str(caught.exception)
        self.assertIn(self.vehicle.name, message)
        self.assertIn("Тестов Владелец", message)

    def test_duplicate_vin_allowed_in_another_company(self):
        other = self.env["res.company"].create({"name": "Другой дилер"})
        twin = self.env["dealer.vehicle"].create(
            {"vin": "XTAGFL110MY000001", "company_id": other.id}
        )
        self.assertEqual(twin.vin, self.vehicle.vin)

    def test_duplicate_plate_in_latin_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Тестов Владелец"):
            self.env["dealer.vehicle"].create({"license_plate": "E321KX777"})

    def test_plate_reusable_once_the_old_vehicle_is_archived(self):
        self.vehicle.active = False
        reused = self.env["dealer.vehicle"].create({"license_plate": "Е321КХ777"})
        self.assertEqual(reused.plate_normalized, self.vehicle.plate_normalized)
        with self.assertRaisesRegex(ValidationError, "already registered"):
            self.vehicle.active = True

    def test_owner_history(self):
        self.assertEqual(self.vehicle.ownership_ids.partner_id, self.owner)
        self.vehicle.owner_id = self.driver
        history = self.vehicle.ownership_ids.sorted("id")
        self.assertEqual(history.partner_id, self.owner | self.driver)
        self.assertTrue(history[0].date_end)
        self.assertFalse(history[1].date_end)

    def test_mileage_readings(self):
        self.assertEqual(self.vehicle.odometer_ids.value, 15000)
        self.vehicle.odometer_ids = [(0, 0, {"date": "2030-01-01", "value": 42000})]
        self.assertEqual(self.vehicle.mileage, 42000)
        self.vehicle.mileage = 43000
        self.assertEqual(len(self.vehicle.odometer_ids), 3)

    def test_client_card_counts_vehicles_in_every_role(self):
        self.vehicle.customer_id = self.driver
        self.assertEqual(self.owner.vehicle_count, 1)
        self.assertEqual(self.driver.vehicle_count, 1)
        self.assertEqual(self.stranger.vehicle_count, 0)
        action = self.driver.action_view_vehicles()
        self.assertEqual(self.env["dealer.vehicle"].search(action["domain"]), self.vehicle)

    def test_client_search_by_vin_and_plate(self):
        Partner = self.env["res.partner"]
        for value in ("MY000001", "my000001", "321кх", "321KX", "e321kx777", "Е 321 КХ"):
            with self.subTest(value=value):
                found = Partner.search([("client_search", "ilike", value)])
                self.assertIn(self.owner, found)
                self.assertNotIn(self.stranger, found)
        self.vehicle.trusted_person_id = self.driver
        self.assertIn(self.driver, Partner.search([("client_search", "ilike", "E321KX")]))
        names = Partner.name_search("XTAGFL110MY000001")
        self.assertIn(self.owner.id, [pid for pid, _name in names])

    def test_vehicle_search_by_fragment(self):
        Vehicle = self.env["dealer.vehicle"]
        self.assertEqual(Vehicle.search([("display_name", "ilike", "e321")]), self.vehicle)
        self.assertEqual(Vehicle.search([("display_name", "ilike", "MY000001")]), self.vehicle)

    def test_task_vehicle_belongs_to_the_task_client(self):
        project = self.env["project.project"].create({"name": "Сервис"})
        task = self.env["project.task"].create(
            {
                "name": "ТО-1",
                "project_id": project.id,
                "partner_id": self.owner.id,
                "vehicle_id": self.vehicle.id,
            }
        )
        self.assertEqual(task.vehicle_plate, "E 321 КХ 777")
        self.assertEqual(self.vehicle.task_count, 1)
        with self.assertRaisesRegex(ValidationError, "not a vehicle of"):
            task.partner_id = self.stranger
        allowed = self.env["dealer.vehicle"].search([("owner_id", "=", self.stranger.id)])
        self.assertFalse(allowed)

    def test_task_form_drops_a_foreign_vehicle(self):
        project = self.env["project.project"].create({"name": "Сервис"})
        with Form(self.env["project.task"]) as form:
            form.name = "Диагностика"
            form.project_id = project
            form.partner_id = self.owner
            form.vehicle_id = self.vehicle
            form.partner_id = self.stranger
            self.assertFalse(form.vehicle_id)

    def test_client_search_by_plate_stays_in_the_users_companies(self):
        other = self.env["res.company"].create({"name": "Другой филиал"})
        self.env["dealer.vehicle"].create(
            {"owner_id": self.stranger.id, "license_plate": "Х555ХХ55", "company_id": other.id}
        )
        Partner = self.env["res.partner"]
        main_only = Partner.with_context(allowed_company_ids=self.env.company.ids)
        self.assertNotIn(self.stranger, main_only.search([("client_search", "ilike", "x555xx")]))
        both = Partner.with_context(allowed_company_ids=[self.env.company.id, other.id])
        self.assertIn(self.stranger, both.search([("client_search", "ilike", "x555xx")]))
