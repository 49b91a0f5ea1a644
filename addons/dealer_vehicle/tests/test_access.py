from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestVehicleAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.operator = new_test_user(cls.env, "veh_operator", groups=group % "operator")
        cls.consultant = new_test_user(cls.env, "veh_consultant", groups=group % "consultant")
        cls.supervisor = new_test_user(cls.env, "veh_supervisor", groups=group % "supervisor")
        cls.admin = new_test_user(cls.env, "veh_admin", groups=group % "admin")
        cls.employee = new_test_user(cls.env, "veh_employee", groups="base.group_user")
        cls.client = cls.env["res.partner"].create({"name": "Клиент Доступа"})

    def _create_vehicle(self, user, plate):
        return (
            self.env["dealer.vehicle"]
            .with_user(user)
            .create(
                {
                    "owner_id": self.client.id,
                    "license_plate": plate,
                    "model_id": self.env.ref("dealer_vehicle.model_kia_rio").id,
                    "mileage": 1000,
                }
            )
        )

    def test_staff_register_vehicles_only_supervisors_delete(self):
        for index, user in enumerate((self.operator, self.consultant)):
            vehicle = self._create_vehicle(user, f"А{index}11АА77")
            vehicle.write({"color": "Белый", "mileage": 2000})
            self.assertEqual(len(vehicle.odometer_ids), 2)
            self.assertTrue(vehicle.ownership_ids, "owner history is written for every role")
            with self.assertRaises(AccessError):
                vehicle.unlink()
            with self.assertRaises(AccessError):
                vehicle.ownership_ids.write({"date_end": "2020-01-01"})
        for index, user in enumerate((self.supervisor, self.admin)):
            self._create_vehicle(user, f"В{index}22ВВ77").unlink()

    def test_catalogue_read_by_staff_edited_by_admin(self):
        model = self.env.ref("dealer_vehicle.model_haval_jolion")
        self.assertEqual(model.with_user(self.operator).brand_id.name, "Haval")
        with self.assertRaises(AccessError):
            model.with_user(self.supervisor).write({"name": "Jolion 2"})
        model.with_user(self.admin).write({"name": "Jolion New"})

    def test_employees_outside_the_dealer_groups_see_no_vehicles(self):
        vehicle = self._create_vehicle(self.operator, "С333СС33")
        with self.assertRaises(AccessError):
            vehicle.with_user(self.employee).read(["vin"])

    def test_other_company_vehicles_are_hidden(self):
        other = self.env["res.company"].create({"name": "Чужой дилер"})
        foreign = self.env["dealer.vehicle"].create(
            {"license_plate": "К999КК99", "company_id": other.id}
        )
        visible = self.env["dealer.vehicle"].with_user(self.supervisor).search([])
        self.assertNotIn(foreign, visible)
