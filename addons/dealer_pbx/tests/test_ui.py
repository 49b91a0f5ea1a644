"""The caller popup in Chromium: a webhook event rings the operator's extension."""

from odoo.addons.dealer_traffic.tests.live_bus import live_bus
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SECRET as BRIDGE_SECRET
from .test_dial import bridge_check, serving

TOKEN = "dealer-pbx-ui-tour-token-0001"
SECRET = "dealer-pbx-ui-tour-secret"


@tagged("post_install", "-at_install")
class TestCallerPopupUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dealer.pbx"].search([]).active = False  # demo PBXs out of the way
        cls.operator = new_test_user(
            cls.env,
            "pbx_ui_operator",
            groups="dealer_base.group_dealer_operator",
            name="Оператор АТС",
            lang="en_US",
        )
        cls.consultant = new_test_user(
            cls.env,
            "pbx_ui_consultant",
            groups="dealer_base.group_dealer_consultant",
            name="Консультант АТС",
            lang="en_US",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Звонков Пётр Ильич", "mobile": "8 (916) 811-22-33"}
        )
        cls.env["dealer.vehicle"].create({"owner_id": cls.client.id, "license_plate": "З811ЗЗ77"})
        project = cls.env["project.project"].create({"name": "Сервис АТС"})
        # An open appointment of the service: «В работе» there when the CRM
        # statuses are installed, which the popup then shows.
        cls.env["project.task"].create(
            {
                "name": "Замена масла",
                "partner_id": cls.client.id,
                "project_id": project.id,
                "dealer_kind": "appointment",
                "dealer_direction_id": cls.env.ref("dealer_base.direction_service").id,
            }
        )
        cls.pbx = cls.env["dealer.pbx"].create(
            {
                "name": "Tour PBX",
                "provider": "generic",
                "webhook_token": TOKEN,
                "api_secret": SECRET,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "number": "+7 (495) 755-44-10",
                            "name": "Сервис",
                            "direction_id": cls.env.ref("dealer_base.direction_service").id,
                            "source_id": cls.env.ref("dealer_traffic.utm_source_avito").id,
                        },
                    )
                ],
                "extension_ids": [(0, 0, {"number": "101", "user_id": cls.operator.id})],
            }
        )

    def test_caller_popup_register_traffic(self):
        with live_bus():
            self.start_tour("/odoo", "dealer_pbx_caller_popup_tour", login="pbx_ui_operator")
        call = self.env["dealer.pbx.call"].search(
            [("pbx_id", "=", self.pbx.id), ("external_id", "=", "tour-call-1")]
        )
        self.assertEqual(len(call), 1)
        self.assertEqual(call.state, "done")
        self.assertEqual(call.talk_seconds, 42)
        self.assertEqual(call.partner_id, self.client)
        self.assertEqual(call.user_id, self.operator)
        # Sent once per phase to the operator, whatever the number of tabs.
        self.assertEqual(
            call.popup_sent,
            {phase: [self.operator.id] for phase in ("ringing", "answered", "ended")},
        )
        traffic = call.traffic_id
        self.assertTrue(traffic, "the registered contact is linked to the call")
        self.assertEqual(traffic.pbx_call_id, call)
        self.assertEqual(traffic.partner_id, self.client)
        self.assertEqual(traffic.channel_id, self.env.ref("dealer_traffic.channel_call"))
        self.assertEqual(traffic.direction_id, self.env.ref("dealer_base.direction_service"))
        self.assertEqual(traffic.source_id, self.env.ref("dealer_traffic.utm_source_avito"))
        self.assertEqual(traffic.registrar_id, self.operator)
        self.assertEqual(traffic.user_id, self.consultant)

    def test_caller_popup_update_in_a_new_tab(self):
        with live_bus():
            self.start_tour("/odoo", "dealer_pbx_caller_popup_update_tour", login="pbx_ui_operator")
        call = self.env["dealer.pbx.call"].search(
            [("pbx_id", "=", self.pbx.id), ("external_id", "=", "tour-call-2")]
        )
        self.assertEqual((call.state, call.talk_seconds), ("done", 20))
        self.assertEqual(sorted(call.popup_sent), ["answered", "ended", "ringing"])

    def test_click_to_dial_from_the_client_card(self):
        answers = iter([None, "Extension 101 is not registered"])

        def check(handler, body):
            return bridge_check(refuse=next(answers))(handler, body)

        with serving(check) as bridge:
            self.pbx.write(
                {"provider": "asterisk", "bridge_url": bridge.url, "api_secret": BRIDGE_SECRET}
            )
            url = f"/odoo/res.partner/{self.client.id}"
            self.start_tour(url, "dealer_pbx_dial_tour", login="pbx_ui_operator")
        self.assertEqual(len(bridge.requests), 2)
        self.assertIn(b'"number": "+79168112233"', bridge.requests[0]["body"])
