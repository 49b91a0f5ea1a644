from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRegionSearch(TransactionCase):
    """Regions of Russia are found by their Russian name in any interface language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.operator = new_test_user(
            cls.env, "region_operator", groups="dealer_base.group_dealer_operator"
        )
        cls.russia = cls.env.ref("base.ru")
        cls.moscow = cls.env.ref("base.state_ru_mow")
        cls.moscow_oblast = cls.env.ref("base.state_ru_mos")

    def _find(self, text, lang):
        States = self.env["res.country.state"].with_user(self.operator).with_context(lang=lang)
        found = States.name_search(text, [("country_id", "=", self.russia.id)])
        return {state_id for state_id, _name in found}

    def test_found_by_russian_name_in_any_language(self):
        for lang in ("ru_RU", "en_US"):
            with self.subTest(lang=lang):
                self.assertLessEqual(
                    {self.moscow.id, self.moscow_oblast.id}, self._find("Моск", lang)
                )
                self.assertEqual(self._find("Татарст", lang), {self.env.ref("base.state_ru_ta").id})
                self.assertEqual(self._find("свердл", lang), {self.env.ref("base.state_ru_sve").id})

    def test_english_name_and_code_still_found(self):
        self.assertIn(self.moscow_oblast.id, self._find("Moscow Obl", "ru_RU"))
        self.assertIn(self.env.ref("base.state_ru_spe").id, self._find("SPE", "ru_RU"))

    def test_every_region_of_russia_has_a_russian_name(self):
        regions = self.env["res.country.state"].search([("country_id", "=", self.russia.id)])
        self.assertTrue(regions)
        self.assertFalse(regions.filtered(lambda r: not r.dealer_name_ru))

    def test_shown_in_russian_to_russian_users(self):
        oblast = self.moscow_oblast.with_user(self.operator)
        self.assertEqual(oblast.with_context(lang="ru_RU").display_name, "Московская область (RU)")
        self.assertEqual(oblast.with_context(lang="en_US").display_name, "Moscow Oblast (RU)")

    def test_region_field_of_a_record_searches_russian_names(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Регионов Тест",
                "country_id": self.russia.id,
                "state_id": self.env.ref("base.state_ru_ta").id,
            }
        )
        Partner = self.env["res.partner"].with_user(self.operator)
        self.assertIn(partner, Partner.search([("state_id", "ilike", "Татарстан")]))
