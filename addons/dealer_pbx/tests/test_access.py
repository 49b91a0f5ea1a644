from odoo.exceptions import AccessError

from ..adapters import PbxEvent
from .common import PbxCase, utc


class TestAccess(PbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create({"name": "Филиал Тест"})
        cls.other_pbx = cls.env["dealer.pbx"].create(
            {
                "name": "Other branch",
                "provider": "generic",
                "company_id": cls.branch.id,
                "api_secret": "x" * 20,
            }
        )
        time = utc(2024, 12, 7, 7)
        for pbx, key in ((cls.pbx["generic"], "mine"), (cls.other_pbx, "theirs")):
            pbx._dealer_ingest(
                [
                    PbxEvent(
                        "ringing",
                        key,
                        direction="incoming",
                        caller="+79160000001",
                        called="+74957554410",
                        time=time,
                    ),
                    PbxEvent("ended", key, disposition="no_answer", time=time),
                ]
            )

    def test_calls_of_own_branch_only(self):
        for user in (self.operator, self.consultant, self.supervisor):
            calls = self.env["dealer.pbx.call"].with_user(user).search([])
            self.assertIn("mine", calls.mapped("external_id"), user.login)
            self.assertNotIn("theirs", calls.mapped("external_id"), user.login)

    def test_popup_of_own_branch_only(self):
        """The whole popup (the client cards) is built for the user who asks, who
        must be able to read the call."""
        self.assertEqual(
            self.call("generic", "mine").with_user(self.operator).dealer_popup_payload()["number"],
            "+79160000001",
        )
        theirs = self.env["dealer.pbx.call"].search([("external_id", "=", "theirs")])
        with self.assertRaises(AccessError):
            theirs.with_user(self.operator).dealer_popup_payload()

    def test_staff_do_not_write_calls_nor_read_logs(self):
        call = self.call("generic", "mine")
        for user in (self.operator, self.consultant):
            with self.assertRaises(AccessError):
                call.with_user(user).write({"partner_id": self.client.id})
            with self.assertRaises(AccessError):
                call.with_user(user).read(["popup_sent"])
            for model in ("dealer.pbx.event", "dealer.pbx.request"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.pbx["generic"].with_user(user).write({"name": "x"})
        call.with_user(self.supervisor).write({"partner_id": self.client.id})
        self.assertEqual(call.partner_id, self.client)

    def test_secrets_only_for_system(self):
        pbx = self.pbx["generic"]
        for user in (self.operator, self.supervisor, self.dealer_admin):
            with self.assertRaises(AccessError):
                pbx.with_user(user).read(["api_secret"])
            with self.assertRaises(AccessError):
                pbx.with_user(user).read(["api_key"])
        with self.assertRaises(AccessError):
            pbx.with_user(self.operator).read(["webhook_token"])
        url = pbx.with_user(self.dealer_admin).webhook_url
        self.assertTrue(url.endswith(f"/dealer_pbx/webhook/{pbx.webhook_token}"))
        self.assertGreaterEqual(len(pbx.webhook_token), 16)
        old = pbx.webhook_token
        pbx.with_user(self.dealer_admin).action_regenerate_token()
        self.assertNotEqual(pbx.webhook_token, old)

    def test_callback_done_by_responsible_only(self):
        call = self.call("generic", "mine")
        self.assertEqual(call.callback_user_id, self.supervisor)
        with self.assertRaises(AccessError):
            call.with_user(self.consultant).action_callback_done()
        call.with_user(self.supervisor).action_callback_done()
        self.assertEqual(call.callback_state, "done")
        self.assertFalse(call.activity_ids)
