"""What the client may send for vehicles, mileage readings and owner history: bad input
gives a clear UserError / ValidationError, never a psycopg2 or Python traceback."""

from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


class InputCase(TransactionCase):
    @contextmanager
    def assertRaisesMessage(self, error, pattern):
        """``assertRaisesRegex`` in a savepoint, as Odoo's ``assertRaises``: what the
        refused call wrote before raising is rolled back."""
        with self.assertRaises(error) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)


@tagged("post_install", "-at_install")
class TestVehicleInputValidation(InputCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.main = cls.env.company
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Проверки", "parent_id": cls.main.id}
        )
        cls.operator = new_test_user(
            cls.env,
            "veh_input_operator",
            groups=group % "operator",
            company_id=cls.main.id,
            company_ids=[Command.set(cls.main.ids)],
        )
        cls.admin = new_test_user(
            cls.env,
            "veh_input_admin",
            groups=group % "admin",
            company_id=cls.main.id,
            company_ids=[Command.set((cls.main | cls.branch).ids)],
        )
        cls.Vehicle = cls.env["dealer.vehicle"].with_user(cls.operator)
        cls.owner = cls.env["res.partner"].create({"name": "Владелец Проверкин"})
        cls.vehicle = cls.Vehicle.create(
            {
                "owner_id": cls.owner.id,
                "license_plate": "о 404 кк 77",
                "vin": "XTAGFL110MY404404",
                "year": 2021,
                "mileage": 30000,
            }
        )

    def _refused(self, vals, error, message):
        with self.subTest(vals=vals):
            with self.assertRaisesMessage(error, message):
                self.Vehicle.create(vals)
            with self.assertRaisesMessage(error, message):
                self.vehicle.write(vals)

    def test_vin_of_junk_is_refused_not_emptied(self):
        alphabet = "may only contain digits and Latin letters"
        for vin in ("---", " / ", "ХТАГФЛ110МУ404405", "XTA GFL110 MY40440Ö", "№ ?!"):
            self._refused({"vin": vin}, ValidationError, alphabet)
        self._refused({"vin": "XTAGFL110MY404405" + " " * 30}, ValidationError, "too long")
        self._refused({"vin": "XTAGFL110\x00MY404405"}, ValidationError, "control characters")
        self._refused({"vin": 12345678901234567}, UserError, "must be text")
        self._refused({"vin": "XTA123"}, ValidationError, "17 characters")
        self.assertEqual(self.vehicle.vin, "XTAGFL110MY404404")
        self.vehicle.write({"vin": " xta-gfl110-my404405 "})
        self.assertEqual(self.vehicle.vin, "XTAGFL110MY404405")
        self.vehicle.write({"vin": False})
        self.assertFalse(self.vehicle.vin)

    def test_plates_of_unusual_length_or_control_characters_are_refused(self):
        self._refused({"license_plate": "А1"}, ValidationError, "4 to 12 letters and digits")
        self._refused({"license_plate": "--- ---"}, ValidationError, "it has 0")
        self._refused({"license_plate": "А123ВС77 А123ВС7"}, ValidationError, "it has 15")
        self._refused({"license_plate": "А123ВС\x0777"}, ValidationError, "control characters")
        self._refused({"license_plate": "А123ВС77\t"}, ValidationError, "control characters")
        self._refused({"license_plate": "А" * 26}, ValidationError, "too long")
        for plate in ("B AB 1234", "777 ABC 02", "AA 1234 BB", "А123ВС777"):
            with self.subTest(plate=plate):
                self.vehicle.write({"license_plate": plate})
                self.assertEqual(self.vehicle.license_plate, plate.upper())

    def test_year_warranty_and_mileage_within_sane_limits(self):
        next_year = date.today().year + 1
        self._refused({"year": 1899}, ValidationError, f"between 1900 and {next_year}")
        self._refused({"year": next_year + 1}, ValidationError, f"not {next_year + 1}")
        self._refused({"year": 10**12}, ValidationError, "out of range")
        self._refused({"year": "2020"}, UserError, "must be a number")
        self._refused({"warranty_start_date": "2101-01-01"}, ValidationError, "1900 and 2100")
        self._refused({"warranty_start_date": "1812-09-07"}, ValidationError, "1900 and 2100")
        self._refused({"warranty_start_date": "2024-02-30"}, ValidationError, "not a valid")
        self._refused({"mileage": 2_000_001}, ValidationError, "from 0 to 2 000 000")
        self._refused({"mileage": -5}, ValidationError, "from 0 to 2 000 000")
        self._refused({"mileage": "100500"}, UserError, "must be a number")
        self._refused({"owner_id": "Владелец"}, UserError, "must be a record id")
        self._refused({"model_id": [1, 2]}, UserError, "must be a record id")
        self.vehicle.write(
            {"year": next_year, "warranty_start_date": "2021-03-01", "mileage": 2_000_000}
        )
        self.assertEqual(self.vehicle.mileage, 2_000_000)

    def test_mileage_readings_refused_before_the_database(self):
        Reading = self.env["dealer.vehicle.odometer"].with_user(self.operator)
        reading = self.vehicle.odometer_ids
        for vals, message in (
            ({"value": -1}, "from 0 to"),
            ({"value": 2_000_001}, "from 0 to"),
            ({"value": 2**40}, "from 0 to"),
            ({"date": "1899-12-31"}, "1900 and 2100"),
            ({"date": "2101-01-01"}, "1900 and 2100"),
            ({"note": "\x00"}, "control characters"),
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesMessage(ValidationError, message):
                    Reading.create({"vehicle_id": self.vehicle.id, "value": 31000} | vals)
                with self.assertRaisesMessage(ValidationError, message):
                    reading.write(vals)
        with self.assertRaisesMessage(UserError, "must be a record id"):
            Reading.create({"vehicle_id": {"id": self.vehicle.id}, "value": 31000})
        Reading.create({"vehicle_id": self.vehicle.id, "value": 31000, "date": "2100-12-31"})
        self.assertEqual(self.vehicle.mileage, 31000)

    def test_owner_history_dates(self):
        period = self.vehicle.ownership_ids.with_user(self.admin)
        with self.assertRaisesMessage(ValidationError, "1900 and 2100"):
            period.write({"date_start": "1000-01-01"})
        with self.assertRaisesMessage(ValidationError, "before it starts"):
            period.write({"date_start": "2020-05-01", "date_end": "2020-04-30"})
        period.write({"date_start": "2020-05-01", "date_end": "2020-05-01"})

    def test_vehicle_search_checks_its_arguments(self):
        for value in (123, ["О404КК"], {"vin": "X"}):
            with self.subTest(value=value):
                with self.assertRaisesMessage(UserError, "Vehicle must be text"):
                    self.Vehicle.name_search(value)
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.Vehicle.name_search("О404\x00КК")
        with self.assertRaisesMessage(ValidationError, "control characters"):
            self.Vehicle.search([("display_name", "ilike", "О404\x00КК")])
        with self.assertRaisesMessage(ValidationError, "too long"):
            self.Vehicle.search([("display_name", "ilike", "О404КК" * 500)])
        with self.assertRaisesMessage(UserError, "number of results"):
            self.Vehicle.name_search("О404КК", limit="all")
        found = [vid for vid, _name in self.Vehicle.name_search("o404kk")]
        self.assertEqual(found, self.vehicle.ids)

    def test_client_search_by_vehicle_refuses_control_characters(self):
        Partner = self.env["res.partner"].with_user(self.operator)
        with self.assertRaisesMessage(ValidationError, "control characters"):
            Partner.search([("client_search", "ilike", "MY404\x00404")])
        self.assertEqual(Partner.search([("client_search", "ilike", "MY404404")]), self.owner)


@tagged("post_install", "-at_install")
class TestDuplicateMessage(InputCase):
    """The duplicate VIN / plate message names the other vehicle and its owner only
    to a user who may read them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        main = cls.env.company
        cls.branch = cls.env["res.company"].create({"name": "Филиал Дублей", "parent_id": main.id})
        both = [Command.set((main | cls.branch).ids)]
        cls.operator = new_test_user(
            cls.env,
            "dup_operator",
            groups=group % "operator",
            company_id=main.id,
            company_ids=[Command.set(main.ids)],
        )
        cls.branch_operator = new_test_user(
            cls.env,
            "dup_branch_operator",
            groups=group % "operator",
            company_id=cls.branch.id,
            company_ids=[Command.set(cls.branch.ids)],
        )
        cls.supervisor = new_test_user(
            cls.env,
            "dup_supervisor",
            groups=group % "supervisor",
            company_id=main.id,
            company_ids=both,
        )
        owner = cls.env["res.partner"].create(
            {"name": "Тайный Владелец", "company_id": cls.branch.id}
        )
        cls.twin = cls.env["dealer.vehicle"].create(
            {
                "owner_id": owner.id,
                "company_id": cls.branch.id,
                "vin": "XW8ZZZ61ZJG777001",
                "license_plate": "М777ММ77",
            }
        )

    def _message(self, user, vals, **context):
        Vehicle = self.env["dealer.vehicle"].with_user(user).with_context(**context)
        with self.assertRaises(ValidationError) as caught:
            Vehicle.create({"company_id": self.branch.id} | vals)
        return str(caught.exception)

    def test_user_of_another_branch_learns_nothing_about_the_twin(self):
        for vals in ({"vin": "xw8zzz61zjg777001"}, {"license_plate": "M777MM77"}):
            with self.subTest(vals=vals):
                message = self._message(self.operator, vals)
                self.assertIn("already registered in another branch", message)
                self.assertNotIn("Тайный", message)
                self.assertNotIn(self.twin.name, message)

    def test_users_who_may_read_the_twin_see_it_named(self):
        message = self._message(self.branch_operator, {"vin": "XW8ZZZ61ZJG777001"})
        self.assertIn(self.twin.name, message)
        self.assertIn("Тайный Владелец", message)
        message = self._message(
            self.supervisor,
            {"license_plate": "м 777 мм 77"},
            allowed_company_ids=[self.branch.id, self.env.company.id],
        )
        self.assertIn("Тайный Владелец", message)
