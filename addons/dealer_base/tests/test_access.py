from itertools import pairwise

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

GROUPS = {
    "operator": "dealer_base.group_dealer_operator",
    "consultant": "dealer_base.group_dealer_consultant",
    "supervisor": "dealer_base.group_dealer_supervisor",
    "admin": "dealer_base.group_dealer_admin",
}


@tagged("post_install", "-at_install")
class TestDealerBaseAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"test_{role}", groups=group)
            for role, group in GROUPS.items()
        }
        cls.employee = new_test_user(cls.env, login="test_employee", groups="base.group_user")

    def test_groups_imply_the_one_below(self):
        chain = [self.env.ref(xmlid) for xmlid in GROUPS.values()]
        for lower, upper in pairwise(chain):
            self.assertIn(lower, upper.implied_ids)
        admin = self.users["admin"]
        for group in chain:
            self.assertTrue(admin.has_group(group.get_external_id()[group.id]))
        self.assertFalse(self.users["operator"].has_group(GROUPS["consultant"]))

    def test_directions_read_by_all_written_by_admin(self):
        direction = self.env.ref("dealer_base.direction_service")
        for role in ("operator", "consultant", "supervisor"):
            user = self.users[role]
            with self.subTest(role=role):
                self.assertEqual(direction.with_user(user).code, "service")
                with self.assertRaises(AccessError):
                    direction.with_user(user).write({"name": "Сервис 2"})
                with self.assertRaises(AccessError):
                    self.env["dealer.direction"].with_user(user).create(
                        {"code": "x", "name": "X", "short_name": "X"}
                    )
        admin_dir = self.env["dealer.direction"].with_user(self.users["admin"])
        new = admin_dir.create({"code": "tires", "name": "Шиномонтаж", "short_name": "Ш"})
        new.unlink()

    def test_client_phones_per_group(self):
        for role, user in self.users.items():
            with self.subTest(role=role):
                client = (
                    self.env["res.partner"]
                    .with_user(user)
                    .create({"name": f"Клиент {role}", "mobile": f"+7 916 000 00 0{len(role)}"})
                )
                line = client.phone_ids
                self.assertEqual(len(line), 1)
                line.write({"note": "основной"})
                line.unlink()
        # a plain employee outside the dealer groups only reads client phones
        client = self.env["res.partner"].create({"name": "Клиент", "mobile": "+7 916 000 11 22"})
        line = client.phone_ids.with_user(self.employee)
        self.assertTrue(line.number_normalized)
        with self.assertRaises(AccessError):
            line.write({"note": "x"})
        with self.assertRaises(AccessError):
            self.env["dealer.partner.phone"].with_user(self.employee).create(
                {"partner_id": client.id, "number": "+7 916 000 11 23"}
            )

    def test_consents_record_who_and_when(self):
        client = (
            self.env["res.partner"]
            .with_user(self.users["operator"])
            .create({"name": "Согласный Клиент", "consent_sms": True})
        )
        self.assertEqual(client.consent_sms_user_id, self.users["operator"])
        self.assertTrue(client.consent_sms_date)
        self.assertFalse(client.do_not_call_date)
        client.with_user(self.users["consultant"]).do_not_call = True
        self.assertEqual(client.do_not_call_user_id, self.users["consultant"])
        self.assertIn(client, self.env["res.partner"].search([("do_not_call", "=", True)]))
