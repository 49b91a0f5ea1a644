"""The complaints book in Chromium: a feedback call becomes an appeal, a step with the
client's satisfaction is added, and the appeal is closed with its result."""

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestComplaintUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            "complaint_ui_agent",
            groups="dealer_complaint.group_dealer_complaint_team,dealer_base.group_dealer_supervisor",
            name="Клиентская Служба Тура",
            lang="en_US",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Мойкин Олег Петрович", "mobile": "+7 916 455 21 10"}
        )
        cls.vehicle = cls.env["dealer.vehicle"].create(
            {"owner_id": cls.client.id, "license_plate": "М455ОК77"}
        )
        cls.traffic = cls.env["dealer.traffic"].create(
            {
                "channel_id": cls.env.ref("dealer_traffic.channel_call").id,
                "direction_id": cls.env.ref("dealer_base.direction_feedback").id,
                "goal_id": cls.env.ref("dealer_traffic.goal_feedback_complaint").id,
                "partner_id": cls.client.id,
                "vehicle_id": cls.vehicle.id,
                "user_id": cls.agent.id,
                "note": "Машину выдали после ТО грязной, салон не пропылесосили.",
            }
        )
        cls.traffic._workflow().write({"state": "in_progress", "taken_date": fields.Datetime.now()})

    def test_feedback_call_to_a_closed_appeal(self):
        self.start_tour(
            f"/odoo/dealer.traffic/{self.traffic.id}",
            "dealer_complaint_tour",
            login="complaint_ui_agent",
        )
        complaint = self.traffic.complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertEqual(self.traffic.state, "processed")
        self.assertEqual(
            (complaint.state, complaint.result, complaint.source),
            ("closed", "satisfied", "traffic"),
        )
        self.assertEqual(complaint.partner_id, self.client)
        self.assertEqual(complaint.vehicle_id, self.vehicle)
        self.assertEqual(complaint.reason_id, self.env.ref("dealer_complaint.reason_quality_wash"))
        self.assertIn("грязной", complaint.description)
        self.assertEqual(complaint.step_ids.satisfaction, "satisfied")
        self.assertEqual(complaint.step_ids.user_id, self.agent)
        self.assertEqual(complaint.satisfaction, "satisfied")
        self.assertTrue(complaint.date_closed)
        self.assertEqual(
            (complaint.approval_state, complaint.approver_id), ("approved", self.agent)
        )
