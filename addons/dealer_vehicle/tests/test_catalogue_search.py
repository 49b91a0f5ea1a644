from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCatalogueSearch(TransactionCase):
    """Brands and models are found as Russian staff type them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, "catalogue_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.Brand = cls.env["fleet.vehicle.model.brand"].with_user(cls.operator)
        cls.Model = cls.env["fleet.vehicle.model"].with_user(cls.operator)
        cls.vesta = cls.env.ref("dealer_vehicle.model_lada_vesta")
        cls.rio = cls.env.ref("dealer_vehicle.model_kia_rio")
        cls.ceed = cls.env.ref("dealer_vehicle.model_kia_ceed")

    def _ids(self, Model, text):
        return {record_id for record_id, _name in Model.name_search(text, limit=None)}

    def test_brands_found_in_cyrillic(self):
        for text, xmlid in (
            ("Мерседес", "fleet.brand_mercedes"),
            ("МЕРСЕДЕС-БЕНЦ", "fleet.brand_mercedes"),
            ("тойота", "fleet.brand_toyota"),
            ("Лада", "dealer_vehicle.brand_lada"),
            ("Хёндай", "fleet.brand_hyundai"),
            ("Хендай", "fleet.brand_hyundai"),
            ("Toyota", "fleet.brand_toyota"),
        ):
            with self.subTest(text=text):
                self.assertIn(self.env.ref(xmlid).id, self._ids(self.Brand, text))

    def test_models_found_by_brand_and_model_words(self):
        for text in ("Лада Веста", "лада вёста", "ЛАДА ВЕСТА", "Веста", "Lada Vesta", "Vesta"):
            with self.subTest(text=text):
                self.assertIn(self.vesta.id, self._ids(self.Model, text))
        for text in ("Киа Рио", "киа рио", "Рио Киа", "Kia Rio", "Киа Rio"):
            with self.subTest(text=text):
                found = self._ids(self.Model, text)
                self.assertIn(self.rio.id, found)
                self.assertNotIn(self.ceed.id, found)
        mercedes = self._ids(self.Model, "Мерседес")
        self.assertIn(self.env.ref("dealer_vehicle.model_mercedes_benz_e_class").id, mercedes)
        self.assertIn(
            self.env.ref("dealer_vehicle.model_toyota_camry").id,
            self._ids(self.Model, "Тойота Камри"),
        )

    def test_words_must_all_match(self):
        self.assertNotIn(self.rio.id, self._ids(self.Model, "Тойота Рио"))
        self.assertFalse(self._ids(self.Model, "Киа Веста"))

    def test_vehicles_searched_by_cyrillic_model(self):
        owner = self.env["res.partner"].create({"name": "Каталогов Тест"})
        vehicle = self.env["dealer.vehicle"].create(
            {"owner_id": owner.id, "model_id": self.rio.id, "license_plate": "А 555 АА 77"}
        )
        Vehicle = self.env["dealer.vehicle"].with_user(self.operator)
        self.assertIn(vehicle, Vehicle.search([("model_id", "ilike", "Киа Рио")]))
        self.assertIn(vehicle, Vehicle.search([("brand_id", "ilike", "киа")]))

    def test_staff_aliases_kept_on_update(self):
        brand = self.env.ref("fleet.brand_kia")
        brand.dealer_aliases = "Кия"
        self.env["fleet.vehicle.model.brand"]._dealer_add_aliases({"fleet.brand_kia": "Киа, КИЯ"})
        self.assertEqual(brand.dealer_aliases, "Кия, Киа")
        self.assertIn(self.rio.id, self._ids(self.Model, "Кия Рио"))
