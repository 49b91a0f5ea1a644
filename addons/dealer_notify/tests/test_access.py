from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import NotifyCase


@tagged("post_install", "-at_install")
class TestNotifyAccess(NotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.operator = new_test_user(cls.env, "nt_operator", groups=group % "operator")
        cls.admin = new_test_user(cls.env, "nt_admin", groups=group % "admin")
        cls.branch_b = cls.env["res.company"].create({"name": "Филиал Юг"})
        cls.supervisor_b = new_test_user(
            cls.env,
            "nt_supervisor_b",
            groups=group % "supervisor",
            company_id=cls.branch_b.id,
            company_ids=[(6, 0, cls.branch_b.ids)],
        )
        cls.provider = cls.env["dealer.sms.provider"].create(
            {"name": "SMSC", "provider": "smsc", "login": "dealer", "api_key": "secret-key"}
        )
        cls.line_a = cls.env["dealer.notification"].create(
            {
                "channel": "sms",
                "company_id": cls.company.id,
                "state": "failed",
                "partner_id": cls.client.id,
            }
        )
        cls.line_b = cls.env["dealer.notification"].create(
            {"channel": "sms", "company_id": cls.branch_b.id, "state": "failed"}
        )

    def test_only_administrators_configure_gateways_and_read_their_keys(self):
        for user in (self.operator, self.supervisor):
            provider = self.provider.with_user(user)
            self.assertEqual(provider.name, "SMSC")
            with self.assertRaises(AccessError):
                provider.api_key  # noqa: B018
            with self.assertRaises(AccessError):
                provider.write({"sender": "X"})
            with self.assertRaises(AccessError):
                self.env["dealer.sms.provider"].with_user(user).create(
                    {"name": "Другой", "provider": "smsru"}
                )
        self.assertEqual(self.provider.with_user(self.admin).api_key, "secret-key")

    def test_supervisors_tune_rules_operators_only_read_them(self):
        self.day_before.with_user(self.supervisor).write({"relevance_hours": 2.0})
        self.assertEqual(self.day_before.with_user(self.operator).relevance_hours, 2.0)
        with self.assertRaises(AccessError):
            self.day_before.with_user(self.operator).write({"relevance_hours": 3.0})

    def test_staff_see_the_log_of_their_branches_only(self):
        Log = self.env["dealer.notification"]
        mine = Log.with_user(self.supervisor).search(
            [("id", "in", (self.line_a | self.line_b).ids)]
        )
        self.assertEqual(mine, self.line_a)
        theirs = Log.with_user(self.supervisor_b).search(
            [("id", "in", (self.line_a | self.line_b).ids)]
        )
        self.assertEqual(theirs, self.line_b)
        with self.assertRaises(AccessError):
            self.line_a.with_user(self.operator).write({"state": "sent"})

    def test_only_supervisors_decide_on_failed_messages(self):
        with self.assertRaises(UserError):
            self.line_a.with_user(self.consultant).action_retry()
        self.line_a.with_user(self.supervisor).action_retry()
        self.assertEqual(self.line_a.state, "planned")

    def test_supervisors_export_the_register_operators_do_not(self):
        self.assertTrue(self.supervisor.has_group("base.group_allow_export"))
        self.assertFalse(self.operator.has_group("base.group_allow_export"))

    def test_the_consent_register_is_written_by_the_system_only(self):
        Register = self.env["dealer.consent.log"]
        self.client.with_user(self.operator).write({"consent_sms": False})
        line = Register.with_user(self.operator).search(
            [("partner_id", "=", self.client.id), ("value", "=", False)]
        )
        self.assertEqual((line.consent, line.user_id), ("sms", self.operator))
        with self.assertRaises(AccessError):
            line.with_user(self.supervisor).write({"value": True})
        with self.assertRaises(AccessError):
            Register.with_user(self.supervisor).create(
                {"partner_id": self.client.id, "consent": "sms"}
            )
        with self.assertRaises(AccessError):
            line.with_user(self.admin).unlink()
