import json
from datetime import datetime, timezone

from odoo.tests import TransactionCase, new_test_user

UTC = timezone.utc
SECRET = "s3cr3t-hmac-key-for-tests"
ZADARMA_KEY, ZADARMA_SECRET = "a248a6a984459935b569", "8a8e91d214fb728889c7"
MANGO_KEY, MANGO_SALT = "ntwc8o86aekb8dja2phoc1d1hpj215nf", "sux7mpqilsripo5gbjok484gxb10h6ua"
CLIENT_NUMBER = "+79168112233"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


class PbxCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["dealer.pbx"].search([]).active = False  # demo PBXs out of the way
        group = "dealer_base.group_dealer_%s"
        cls.operator = new_test_user(cls.env, "pbx_operator", groups=group % "operator")
        cls.consultant = new_test_user(cls.env, "pbx_consultant", groups=group % "consultant")
        cls.consultant2 = new_test_user(cls.env, "pbx_consultant2", groups=group % "consultant")
        cls.supervisor = new_test_user(cls.env, "pbx_supervisor", groups=group % "supervisor")
        cls.dealer_admin = new_test_user(cls.env, "pbx_admin", groups=group % "admin")
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.sales = cls.env.ref("dealer_base.direction_sales")
        cls.source = cls.env.ref("dealer_traffic.utm_source_avito")
        cls.client = cls.env["res.partner"].create(
            {"name": "Звонков Пётр Ильич", "mobile": "8 (916) 811-22-33"}
        )
        cls.pbx = {
            provider: cls._make_pbx(provider, key, secret)
            for provider, key, secret in (
                ("generic", "", SECRET),
                ("asterisk", "", SECRET),
                ("zadarma", ZADARMA_KEY, ZADARMA_SECRET),
                ("mango", MANGO_KEY, MANGO_SALT),
            )
        }

    @classmethod
    def _make_pbx(cls, provider, key, secret):
        return cls.env["dealer.pbx"].create(
            {
                "name": f"Test {provider}",
                "provider": provider,
                "api_key": key,
                "api_secret": secret,
                "timezone": "Europe/Moscow",
                "recording_base_url": "https://pbx.example/monitor",
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "number": "+7 (495) 755-44-10",
                            "name": "Сервис",
                            "direction_id": cls.service.id,
                            "source_id": cls.source.id,
                            "user_id": cls.supervisor.id,
                        },
                    )
                ],
                "extension_ids": [
                    (0, 0, {"number": "101", "user_id": cls.consultant.id}),
                    (0, 0, {"number": "102", "user_id": cls.consultant2.id}),
                ],
            }
        )

    def ingest(self, provider, events, received=None):
        return self.pbx[provider]._dealer_ingest(events, received)

    def call(self, provider, key):
        return self.env["dealer.pbx.call"].search(
            [("pbx_id", "=", self.pbx[provider].id), ("external_id", "=", key)]
        )

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM bus_bus")
        self.bus_mark = self.env.cr.fetchone()[0]

    def bus(self, user=None):
        """Popup payloads written to the bus in this test (to ``user`` when given)."""
        payloads = []
        self.env.cr.execute(
            "SELECT channel, message FROM bus_bus WHERE id > %s ORDER BY id", [self.bus_mark]
        )
        for channel_text, message_text in self.env.cr.fetchall():
            message, channel = json.loads(message_text), json.loads(channel_text)
            if message["type"] != "dealer_pbx/call":
                continue
            if user is not None and channel[1:] != ["res.partner", user.partner_id.id]:
                continue
            payloads.append(message["payload"])
        return payloads
