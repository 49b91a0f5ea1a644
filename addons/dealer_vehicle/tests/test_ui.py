from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestVehicleUi(HttpCase):
    def test_add_vehicle_then_find_client_by_latin_plate(self):
        client = self.env["res.partner"].create(
            {"name": "Турбинов Тур Турович", "mobile": "+7 916 555 77 00"}
        )
        # The tour reads English labels; the test database also has Russian loaded.
        self.env.ref("base.user_admin").lang = "en_US"
        self.start_tour("/odoo", "dealer_vehicle_client_tour", login="admin")
        vehicle = client.vehicle_ids
        self.assertEqual(len(vehicle), 1)
        self.assertEqual(vehicle.plate_normalized, "А777МК77")
        self.assertEqual(vehicle.vin, "XTAGFL110MY777777")
