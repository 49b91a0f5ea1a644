"""The client card of the registration screen and the consultant's window, adding
the typed number to a client, and a new client with their car created on the spot,
as the operator and the consultant."""

from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..models.res_partner import similar_names
from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestClientCard(TrafficCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"].with_user(cls.operator)
        cls.granta = cls.env.ref("dealer_vehicle.model_lada_granta")

    def _names(self, cards):
        return [card["name"] for card in cards]

    # --- who is offered as a client ---------------------------------------------------
    def test_lookup_never_offers_staff_or_own_companies(self):
        client = self.env["res.partner"].create(
            {"name": "Смирнова Карточка Клиентовна", "mobile": "+7 916 300 00 01"}
        )
        staff = new_test_user(
            self.env, "card_staff", groups="base.group_user", name="Смирнова Карточка Штатная"
        )
        staff.partner_id.mobile = "+7 916 300 00 02"
        former = new_test_user(
            self.env, "card_former", groups="base.group_user", name="Смирнова Карточка Бывшая"
        )
        former.partner_id.mobile = "+7 916 300 00 04"
        former.active = False
        company = self.env["res.company"].create({"name": "Смирнова Карточка Авто"})
        company.partner_id.mobile = "+7 916 300 00 03"
        self.operator.company_ids |= company
        portal = new_test_user(
            self.env, "card_portal", groups="base.group_portal", name="Смирнова Карточка Портал"
        )

        names = self._names(self.Partner.dealer_lookup("Смирнова Карточка"))
        self.assertIn(client.name, names)
        self.assertIn(portal.name, names, "a client with portal access is still a client")
        for partner in (staff.partner_id, former.partner_id, company.partner_id):
            self.assertNotIn(partner.name, names)
        self.assertEqual(
            self._names(self.Partner.dealer_lookup("Смирнова Карточка"))[0], client.name
        )
        for number in ("8 916 300 00 02", "8 916 300 00 03", "8 916 300 00 04"):
            with self.subTest(number=number):
                self.assertEqual(self.Partner.dealer_lookup(number), [])
        self.assertEqual(self._names(self.Partner.dealer_lookup("8 916 300 00 01")), [client.name])

    def test_lookup_never_offers_employees(self):
        if "hr.employee" not in self.env:
            self.skipTest("HR is not installed: no employees to exclude")
        employee = self.env["hr.employee"].create(
            {"name": "Смирнова Карточка Сотрудница", "mobile_phone": "+7 916 300 00 05"}
        )
        self.assertTrue(employee.work_contact_id)
        names = self._names(self.Partner.dealer_lookup("Смирнова Карточка Сотрудница"))
        self.assertNotIn(employee.work_contact_id.name, names)

    # --- the card -------------------------------------------------------------------
    def test_card_shows_what_the_seed_shows(self):
        self.client.comment = "<p>Предпочитает звонки после 18:00</p>"
        self.vehicle.write(
            {
                "model_id": self.granta.id,
                "year": 2015,
                "vin": "XTA219010F0123456",
                "mileage": 84500,
                "warranty_start_date": date(2015, 3, 1),
            }
        )
        traffic = self._traffic(user_id=self.consultant.id, date=datetime(2024, 5, 6, 10, 0))
        task = traffic.with_user(self.consultant).action_process("appointment")
        for user in (self.operator, self.consultant):
            with self.subTest(user=user.login):
                card = self.env["res.partner"].with_user(user).dealer_lookup_card(self.client.id)[0]
                self.assertEqual(card["phones"], ["+7 916 811 22 33"])
                self.assertTrue(card["registered"])
                self.assertIn("2024", card["last_incoming"])
                self.assertEqual(card["last_outgoing"], "no data")
                self.assertEqual(card["note"], "Предпочитает звонки после 18:00")
                vehicle = card["vehicles"][0]
                self.assertEqual(vehicle["id"], self.vehicle.id)
                self.assertEqual(vehicle["plate"], "К811КК77")
                self.assertEqual(vehicle["year"], 2015)
                self.assertIn("Granta", vehicle["name"])
                self.assertEqual(vehicle["mileage"], 84500)
                self.assertEqual(vehicle["vin"], "XTA219010F0123456")
                self.assertIn("2015", vehicle["warranty_start"])
                document = card["open_tasks"][0]
                self.assertEqual(document["id"], task.id)
                self.assertEqual(document["kind"], "Appointment")
                self.assertEqual(document["number"], str(task.id))
                self.assertTrue(document["date"])
                self.assertEqual(document["stage"], task.stage_id.name)
                self.assertEqual(document["user"], self.consultant.name)

    def test_card_lists_cars_the_client_brings_for_others(self):
        owner = self.env["res.partner"].create({"name": "Владельцев Лизинг"})
        leased = self.env["dealer.vehicle"].create(
            {"owner_id": owner.id, "customer_id": self.client.id, "license_plate": "К812КК77"}
        )
        card = self.Partner.dealer_lookup_card(self.client.id)[0]
        self.assertEqual({v["id"] for v in card["vehicles"]}, {self.vehicle.id, leased.id})

    # --- «Добавить указанный телефон клиенту» ------------------------------------------
    def test_typed_number_new_for_the_client_can_be_added(self):
        card = self.Partner.dealer_lookup_card(self.client.id, "8 (916) 811-22-33")[0]
        self.assertEqual(card["new_phone"], "", "the client has this number")
        self.assertEqual(
            self.Partner.dealer_lookup_card(self.client.id, "Клиентов")[0]["new_phone"], ""
        )
        card = self.Partner.dealer_lookup_card(self.client.id, " 8 903 100-20-30 ")[0]
        self.assertEqual(card["new_phone"], "8 903 100-20-30")

        card = self.Partner.dealer_add_phone(self.client.id, card["new_phone"])[0]
        self.assertEqual(card["phones"], ["+7 916 811 22 33", "8 903 100-20-30"])
        self.assertEqual(card["new_phone"], "")
        self.assertEqual(self.client.phone_ids[-1].create_uid, self.operator)
        self.Partner.dealer_add_phone(self.client.id, "+79031002030")
        self.assertEqual(len(self.client.phone_ids), 2, "a number is not added twice")
        self.assertEqual(self.Partner.find_by_phone("89031002030"), self.client)

    def test_add_phone_checks_its_arguments(self):
        for partner_id, phone, message in (
            (self.client.id, "12", "not a valid phone number"),
            (self.client.id, 89031002030, "must be text"),
            (self.client.id, "8 903\x00 100", "control characters"),
            ("x", "8 903 100-20-30", "must be a record id"),
            (2**31 - 1, "8 903 100-20-30", "does not exist"),
        ):
            with self.subTest(phone=phone, partner_id=partner_id):
                with self.assertRaises(UserError) as caught:
                    self.Partner.dealer_add_phone(partner_id, phone)
                self.assertIn(message, str(caught.exception))
        with self.assertRaises(UserError):
            self.Partner.dealer_lookup_card(self.client.id, ["8 903"])

    # --- new client on the spot ----------------------------------------------------
    def test_new_client_values_from_what_was_typed(self):
        values = self.Partner.dealer_new_client_values
        self.assertEqual(values("8 (903) 111-22-33")["phone"], "8 (903) 111-22-33")
        self.assertEqual(values("Петров Пётр")["name"], "Петров Пётр")
        self.assertEqual(values("а123вс 77")["identifier"], "а123вс 77")
        self.assertEqual(values("XTA21901050123456")["identifier"], "XTA21901050123456")
        given = values("Петров", "Пётр Петров", "+7 903 111 22 33")
        self.assertEqual((given["name"], given["phone"]), ("Петров", "+7 903 111 22 33"))
        with self.assertRaises(UserError):
            values(["Петров"])

    def test_new_person_with_a_car_by_plate(self):
        result = self.Partner.dealer_create_client(
            {
                "is_company": False,
                "name": "  Новиков   Артём ",
                "phone": "8 903 700-10-20",
                "note": "Звонил по рекламе\nпросил перезвонить",
                "vehicle": {"model_id": self.granta.id, "year": "2019", "identifier": "х555хх799"},
            }
        )
        client = self.env["res.partner"].browse(result["card"]["id"])
        self.assertEqual(client.name, "Новиков Артём")
        self.assertEqual(client.phone_ids.number_normalized, "+79037001020")
        self.assertEqual(client.phone_ids.phone_type, "mobile")
        self.assertEqual(result["card"]["note"], "Звонил по рекламе\nпросил перезвонить")
        vehicle = self.env["dealer.vehicle"].browse(result["vehicle_id"])
        self.assertEqual(vehicle.owner_id, client)
        self.assertEqual((vehicle.model_id, vehicle.year), (self.granta, 2019))
        self.assertEqual((vehicle.license_plate, vehicle.vin), ("Х555ХХ799", False))
        self.assertEqual(vehicle.create_uid, self.operator)
        self.assertEqual(result["card"]["vehicles"][0]["id"], vehicle.id)

    def test_new_company_with_a_car_by_vin(self):
        result = self.Partner.dealer_create_client(
            {
                "is_company": True,
                "name": "ООО Автопарк Север",
                "phone": "+7 495 123-45-67",
                "vehicle": {"identifier": "xta 21901050123456"},
            }
        )
        self.assertTrue(result["card"]["is_company"])
        vehicle = self.env["dealer.vehicle"].browse(result["vehicle_id"])
        self.assertEqual((vehicle.vin, vehicle.license_plate), ("XTA21901050123456", False))
        company = self.env["res.partner"].browse(result["card"]["id"])
        self.assertEqual(company.phone_ids.phone_type, "work")

    def test_new_client_without_a_car(self):
        result = self.Partner.dealer_create_client({"name": "Безмашинный Иван"})
        self.assertFalse(result["vehicle_id"])
        self.assertEqual(result["card"]["vehicles"], [])

    def test_near_duplicate_is_offered_instead(self):
        values = {"name": "Клиентоф Трафик", "phone": "8 916 811-22-33"}
        result = self.Partner.dealer_create_client(values)
        self.assertEqual([card["id"] for card in result["duplicates"]], self.client.ids)
        self.assertNotIn("card", result)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Клиентоф Трафик")]))

        created = self.Partner.dealer_create_client(values, True)
        self.assertEqual(created["card"]["name"], "Клиентоф Трафик")

        # The same number, another name (a relative): no twin, created.
        other = self.Partner.dealer_create_client({"name": "Сидорова Анна", "phone": "89168112233"})
        self.assertIn("card", other)

    def test_staff_with_the_number_is_no_duplicate(self):
        staff = new_test_user(
            self.env, "card_twin_staff", groups="base.group_user", name="Штатов Игорь"
        )
        staff.partner_id.mobile = "+7 916 300 00 09"
        result = self.Partner.dealer_create_client({"name": "Штатов Игорь", "phone": "89163000009"})
        self.assertIn("card", result)

    def test_new_client_checks_its_arguments(self):
        create = self.Partner.dealer_create_client
        for values, message in (
            ("Петров", "not what the screen sends"),
            ({"name": "Петров", "is_admin": True}, "not what the screen sends"),
            ({"name": "  "}, "Give the new client's name"),
            ({"name": ["Петров"]}, "must be text"),
            ({"name": "Петров", "phone": "12"}, "not a valid phone number"),
            ({"name": "Петров", "is_company": "yes"}, "Person or company"),
            ({"name": "Петров", "note": "a\x00b"}, "control characters"),
            ({"name": "Петров", "vehicle": "Granta"}, "car's values"),
            ({"name": "Петров", "vehicle": {"model_id": "Granta"}}, "must be a record id"),
            ({"name": "Петров", "vehicle": {"model_id": 2**31 - 1}}, "does not exist"),
            ({"name": "Петров", "vehicle": {"year": "две тысячи"}}, "whole number"),
            ({"name": "Петров", "vehicle": {"year": 2019}}, "model, plate or VIN"),
            (
                {"name": "Петров", "vehicle": {"model_id": self.granta.id, "year": 1200}},
                "model year",
            ),
            ({"name": "Петров", "vehicle": {"identifier": "К811КК77"}}, "already registered"),
        ):
            with self.subTest(values=values):
                with self.assertRaises(UserError) as caught:
                    with self.env.cr.savepoint():
                        create(values)
                self.assertIn(message, str(caught.exception))
        with self.assertRaises(UserError):
            create({"name": "Петров"}, "yes")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Петров")]))

    def test_similar_names(self):
        self.assertTrue(similar_names("Иванов Василий", "Иваноф В."))
        self.assertTrue(similar_names("Семёнов Пётр", "семенов"))
        self.assertFalse(similar_names("Иванов Василий", "Петрова Анна"))
        self.assertFalse(similar_names("", "Петрова"))
