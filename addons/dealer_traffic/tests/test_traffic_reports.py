from datetime import timedelta

from odoo.tests import tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestTrafficReports(TrafficCase):
    """Report figures on a known data set, isolated in their own branch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create({"name": "Отчётный филиал"})
        cls.env.user.company_ids |= cls.branch
        (cls.consultant | cls.consultant2).company_ids |= cls.branch
        base = {
            "channel_id": cls.call.id,
            "direction_id": cls.service.id,
            "goal_id": cls.goal_repair.id,
            "company_id": cls.branch.id,
        }
        Traffic = cls.env["dealer.traffic"].with_company(cls.branch)
        clients = cls.env["res.partner"].create([{"name": f"Клиент {i}"} for i in range(4)])
        # consultant: 3 contacts (2 first, 1 repeat); 2 appointments, one reaching a visit
        t1 = Traffic.create({**base, "partner_id": clients[0].id, "user_id": cls.consultant.id})
        t2 = Traffic.create({**base, "partner_id": clients[1].id, "user_id": cls.consultant.id})
        t3 = Traffic.create({**base, "partner_id": clients[0].id, "user_id": cls.consultant.id})
        t1.action_process("appointment")
        task = t2.action_process("appointment")
        task.stage_id = cls.env.ref("dealer_traffic.stage_visit")
        # consultant2: 2 first contacts, 1 deal, 1 ignored
        t4 = Traffic.create({**base, "partner_id": clients[2].id, "user_id": cls.consultant2.id})
        t5 = Traffic.create({**base, "partner_id": clients[3].id, "user_id": cls.consultant2.id})
        t4.action_process("deal")
        t5.action_ignore(cls.env.ref("dealer_traffic.ignore_reason_failed"))
        cls.traffic = t1 | t2 | t3 | t4 | t5

    def _funnel(self, groupby):
        Report = self.env["dealer.traffic.funnel.report"]
        rows = Report._read_group(
            [("company_id", "=", self.branch.id)],
            groupby,
            [
                "traffic_count:sum",
                "appointment_count:sum",
                "visit_count:sum",
                "appointment_rate:avg",
                "visit_rate:avg",
            ],
        )
        return {key: rest for key, *rest in rows}

    def test_funnel_per_consultant(self):
        funnel = self._funnel(["user_id"])
        self.assertEqual(funnel[self.consultant][:3], [3, 2, 1])
        self.assertAlmostEqual(funnel[self.consultant][3], 200 / 3)
        self.assertAlmostEqual(funnel[self.consultant][4], 100 / 3)
        self.assertEqual(funnel[self.consultant2][:3], [2, 1, 1])
        self.assertAlmostEqual(funnel[self.consultant2][3], 50)

    def test_funnel_first_vs_repeat(self):
        funnel = self._funnel(["is_repeat"])
        self.assertEqual(funnel[False][:3], [4, 3, 2])
        self.assertEqual(funnel[True][:3], [1, 0, 0])

    def test_journal_groupings(self):
        Traffic = self.env["dealer.traffic"]
        by_user = dict(
            Traffic._read_group([("company_id", "=", self.branch.id)], ["user_id"], ["__count"])
        )
        self.assertEqual(by_user, {self.consultant: 3, self.consultant2: 2})
        by_state = dict(
            Traffic._read_group([("company_id", "=", self.branch.id)], ["state"], ["__count"])
        )
        self.assertEqual(by_state, {"processed": 3, "new": 1, "ignored": 1})

    def test_response_time_per_employee(self):
        for traffic, minutes in zip(self.traffic[:3], (10, 20, 60), strict=True):
            start = traffic.date.replace(microsecond=0)
            traffic.write({"date": start, "taken_date": start + timedelta(minutes=minutes)})
        rows = dict(
            self.env["dealer.traffic"]._read_group(
                [("id", "in", self.traffic[:3].ids)], ["user_id"], ["take_minutes:avg"]
            )
        )
        self.assertAlmostEqual(rows[self.consultant], 30)
