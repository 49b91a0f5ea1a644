from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

# Odoo's Russian label of sms's «Phone/Mobile» search field, which is wrong.
WRONG_LABEL = "Текст над номером в хедере для мобильных"


@tagged("post_install", "-at_install")
class TestClientList(TransactionCase):
    """The client list opens on the dealership's clients: not the partners of users
    or employees, not the branches and their contacts, not Odoo's demo companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.person = Partner.create({"name": "Клиентова Анна Сергеевна"})
        cls.company = Partner.create({"name": "ООО «Клиент»", "is_company": True})
        cls.company_contact = Partner.create(
            {"name": "Закупщиков Иван", "parent_id": cls.company.id}
        )
        cls.employee = new_test_user(cls.env, "cl_employee", groups="base.group_user")
        cls.former = new_test_user(cls.env, "cl_former", groups="base.group_user")
        cls.former.active = False
        cls.portal = new_test_user(cls.env, "cl_portal", groups="base.group_portal")
        cls.branch = cls.env["res.company"].create({"name": "Автоцентр «Юг»"})
        cls.branch_contact = Partner.create(
            {"name": "Бухгалтер Юга", "parent_id": cls.branch.partner_id.id}
        )
        # Partners installed by Odoo or one of its apps have their XML id; our own
        # records and imported or exported clients stay clients.
        cls.app_partner = Partner.create({"name": "Demo Furniture"})
        cls.imported = Partner.create({"name": "Импортов Пётр"})
        cls.ours = Partner.create({"name": "Демонстрационный Клиент"})
        cls.env["ir.model.data"].create(
            [
                {
                    "module": "sale",
                    "name": "dealer_test_app_partner",
                    "model": "res.partner",
                    "res_id": cls.app_partner.id,
                },
                {
                    "module": "__import__",
                    "name": "dealer_test_imported",
                    "model": "res.partner",
                    "res_id": cls.imported.id,
                },
                {
                    "module": "dealer_base",
                    "name": "dealer_test_ours",
                    "model": "res.partner",
                    "res_id": cls.ours.id,
                },
            ]
        )
        cls.clients = (cls.person | cls.company | cls.company_contact | cls.portal.partner_id) | (
            cls.imported | cls.ours
        )
        cls.not_clients = (
            cls.employee.partner_id
            | cls.former.partner_id
            | cls.branch.partner_id
            | cls.branch_contact
            | cls.app_partner
            | cls.env.ref("base.partner_root")
            | cls.env.ref("base.main_partner")
            | cls.env.ref("base.user_admin").partner_id
        )
        cls.everybody = cls.clients | cls.not_clients

    def _search(self, domain):
        Partner = self.env["res.partner"].with_context(active_test=False)
        return Partner.search([("id", "in", self.everybody.ids), *domain])

    def test_dealership_clients(self):
        self.assertEqual(self._search([("dealer_is_client", "=", True)]), self.clients)
        self.assertEqual(self._search([("dealer_is_client", "!=", False)]), self.clients)
        self.assertEqual(self._search([("dealer_is_client", "=", False)]), self.not_clients)
        self.assertEqual(self._search([("dealer_is_client", "!=", True)]), self.not_clients)
        for partner in self.everybody:
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.dealer_is_client, partner in self.clients)

    def test_odoo_demo_companies_are_not_clients(self):
        azure = self.env.ref("base.res_partner_1", raise_if_not_found=False)
        if not azure:
            self.skipTest("Odoo's demo data is not installed")
        clients = self.env["res.partner"].search([("dealer_is_client", "=", True)])
        self.assertNotIn(azure, clients)
        self.assertNotIn(azure.child_ids[:1], clients)

    def test_client_search_accepts_only_true_or_false(self):
        with self.assertRaisesRegex(UserError, "Dealership clients"):
            self._search([("dealer_is_client", "in", [True])])
        with self.assertRaisesRegex(UserError, "Dealership clients"):
            self._search([("dealer_is_client", "=", "yes")])

    def test_client_list_opens_on_clients_with_a_removable_filter(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_base.res_partner_action_clients"
        )
        context = safe_eval(action["context"])
        self.assertEqual(context.get("search_default_dealer_clients"), 1)
        search = self.env["res.partner"].get_views([(False, "search")])["views"]["search"]
        (node,) = etree.fromstring(search["arch"]).xpath("//filter[@name='dealer_clients']")
        self.assertEqual(self._search(safe_eval(node.get("domain"))), self.clients)
        # A default filter, not the action's domain: removing it shows everybody.
        self.assertFalse(safe_eval(action.get("domain") or "[]"))

    def test_phone_search_is_ours_with_odoo_s_phone_label(self):
        Partner = self.env["res.partner"]
        arch = etree.fromstring(Partner.get_views([(False, "search")])["views"]["search"]["arch"])
        # sms replaces the phone search with its «Phone/Mobile», wrongly translated.
        self.assertFalse(arch.xpath("//field[@name='phone_mobile_search']"))
        (phone,) = arch.xpath("//field[@name='phone']")
        self.assertIsNone(phone.get("string"), "labelled as Odoo's phone field")
        self.assertIn("client_search", phone.get("filter_domain"))
        client = Partner.create({"name": "Телефонов Олег", "mobile": "+7 916 555 44 33"})
        domain = safe_eval(phone.get("filter_domain"), {"self": "8 (916) 555-44-33"})
        self.assertEqual(Partner.search(domain), client)
        if self.env["res.lang"]._lang_get("ru_RU"):
            russian = Partner.with_context(lang="ru_RU").get_views([(False, "search")])
            self.assertNotIn(WRONG_LABEL, russian["views"]["search"]["arch"])
            labels = Partner.with_context(lang="ru_RU").fields_get(["phone"], ["string"])
            self.assertNotEqual(labels["phone"]["string"], WRONG_LABEL)
