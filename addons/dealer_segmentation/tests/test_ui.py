from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSegmentationUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            "seg_ui_operator",
            groups="dealer_base.group_dealer_operator",
            name="Оператор Сегментации",
            lang="en_US",
        )
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Сегментов Клиент Петрович",
                "phone_ids": [Command.create({"number": "+7 916 700-11-22"})],
            }
        )
        Status = cls.env["dealer.partner.status"]
        # One large recent repair order: A on amount, C on count, A on recency, and
        # far above the service's average document.
        cls.env["project.task"].create(
            {
                "name": "Заказ-наряд: кузовной ремонт",
                "project_id": cls.env.ref("dealer_traffic.project_service").id,
                "partner_id": cls.client.id,
                "dealer_kind": "visit",
                "state": "1_done",
                "dealer_amount": 5_000_000,
                "dealer_done_date": Status._today() - timedelta(days=10),
            }
        )
        Status._recompute_all()
        cls.row = Status.search(
            [
                ("partner_id", "=", cls.client.id),
                ("direction_id", "=", cls.env.ref("dealer_base.direction_service").id),
            ]
        )

    def test_client_card_crm_tab(self):
        self.assertEqual(self.row.status_id, self.env.ref("dealer_segmentation.status_real"))
        self.assertEqual(self.row.code, "АСАА")
        self.start_tour("/odoo", "dealer_segmentation_client_tour", login="seg_ui_operator")

    def test_code_on_the_registration_screen(self):
        self.start_tour("/odoo", "dealer_segmentation_register_tour", login="seg_ui_operator")
