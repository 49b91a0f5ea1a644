from datetime import timedelta

from odoo.exceptions import UserError
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
        """The average is over the contacts taken: t3, never taken, is not 0 minutes."""
        t1, t2, t3 = self.traffic[:3]
        for traffic, minutes in ((t1, 10), (t2, 20)):
            start = traffic.date.replace(microsecond=0)
            traffic.write({"date": start, "taken_date": start + timedelta(minutes=minutes)})
        t3.taken_date = False
        self.assertEqual(t3.take_minutes, 0)
        self.env.flush_all()
        rows = {
            user: (average, median, not_taken)
            for user, average, median, not_taken in self.env[
                "dealer.traffic.response.report"
            ]._read_group(
                [("traffic_id", "in", (t1 | t2 | t3).ids)],
                ["user_id"],
                ["take_minutes:avg", "take_minutes_median:median", "not_taken_count:sum"],
            )
        }
        self.assertAlmostEqual(rows[self.consultant][0], 15)
        self.assertAlmostEqual(rows[self.consultant][1], 15)
        self.assertEqual(rows[self.consultant][2], 1)
        # The journal offers no average of its stored minutes, which would count t3.
        fields = self.env["dealer.traffic"].fields_get(["take_minutes", "process_minutes"])
        self.assertFalse(fields["take_minutes"].get("aggregator"))
        self.assertFalse(fields["process_minutes"].get("aggregator"))

    def test_funnel_rates_of_the_seed(self):
        """«Запись, %» of the contacts, «Заезды / Запись, %» of the appointments,
        «Заезды, %» of the contacts."""
        Report = self.env["dealer.traffic.funnel.report"]
        rows = Report._read_group(
            [("company_id", "=", self.branch.id)],
            ["user_id"],
            ["appointment_rate:avg", "visit_appointment_rate:avg", "visit_rate:avg"],
        )
        rates = {user: values for user, *values in rows}
        # consultant: 3 contacts, 2 appointments, 1 visit; consultant2: 2, 1 deal, 1.
        self.assertAlmostEqual(rates[self.consultant][0], 200 / 3)
        self.assertAlmostEqual(rates[self.consultant][1], 50)
        self.assertAlmostEqual(rates[self.consultant][2], 100 / 3)
        self.assertEqual(rates[self.consultant2], [50, 100, 50])

    def test_funnel_first_and_repeat_columns_are_labelled(self):
        """The pivot's columns say First / Repeat, not a boolean's No / Yes; a repeat
        contact nobody took counts as first."""
        Report = self.env["dealer.traffic.funnel.report"]
        selection = Report.fields_get(["contact_order"])["contact_order"]["selection"]
        self.assertEqual(list(map(tuple, selection)), [("first", "First"), ("repeat", "Repeat")])
        t3 = self.traffic[2]
        self.assertTrue(t3.is_repeat)
        funnel = self._funnel(["contact_order"])
        self.assertEqual(list(funnel), ["first"])
        self.assertEqual(funnel["first"][:3], [5, 3, 2])
        # Once taken and processed, it is a repeat contact that made an appointment.
        t3.with_user(self.consultant).action_take()
        t3.with_user(self.consultant).action_process("appointment")
        self.env.flush_all()
        funnel = self._funnel(["contact_order"])
        self.assertEqual(funnel["first"][:3], [4, 3, 2])
        self.assertEqual(funnel["repeat"][:3], [1, 1, 0])

    def test_funnel_per_client_type(self):
        company = self.env["res.partner"].create({"name": "ООО Воронка", "is_company": True})
        self.traffic[3].partner_id.parent_id = company  # t4's client works there
        self.env.flush_all()
        funnel = self._funnel(["client_type"])
        self.assertEqual(funnel["person"][:3], [4, 2, 1])
        self.assertEqual(funnel["company"][:3], [1, 1, 1])

    def test_funnel_drill_down(self):
        """A cell (consultant × first contacts) opens its contacts, then their tasks."""
        Report = self.env["dealer.traffic.funnel.report"]
        cell = Report.search(
            [
                ("company_id", "=", self.branch.id),
                ("user_id", "=", self.consultant.id),
                ("contact_order", "=", "first"),
            ]
        )
        t1, t2, t3 = self.traffic[:3]
        self.assertEqual(cell.traffic_id, t1 | t2 | t3)
        action = cell.action_open_traffic()
        self.assertEqual(action["res_model"], "dealer.traffic")
        self.assertEqual(self.env["dealer.traffic"].search(action["domain"]), t1 | t2 | t3)
        action = Report.browse(t2.id).action_open_traffic()
        self.assertEqual((action["res_model"], action["res_id"]), ("dealer.traffic", t2.id))
        self.assertEqual(Report.browse(t2.id).task_id, t2.task_ids)
        action = cell.action_open_tasks()
        self.assertEqual(action["res_model"], "project.task")
        self.assertEqual(self.env["project.task"].search(action["domain"]), (t1 | t2).task_ids)
        # The list the pivot opens: a row opens its contact.
        arch = Report.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('action="action_open_traffic"', arch)

    def test_funnel_rank_follows_the_tasks(self):
        """The contact keeps the furthest step its tasks reached; it cannot be written."""
        t1, t2, _t3, _t4, t5 = self.traffic
        self.assertEqual([t.funnel_rank for t in self.traffic], [1, 2, 0, 3, 0])
        t1.task_ids.stage_id = self.env.ref("dealer_traffic.stage_visit")
        self.assertEqual(t1.funnel_rank, 2)
        t2.with_user(self.consultant).action_cancel_processing()
        self.assertEqual(t2.funnel_rank, 0)
        with self.assertRaises(UserError):
            t5.with_user(self.consultant2).write({"funnel_rank": 3})
        self.env.flush_all()
        funnel = self._funnel(["user_id"])
        self.assertEqual(funnel[self.consultant][:3], [3, 1, 1])
        self.assertEqual(funnel[self.consultant2][:3], [2, 1, 1])

    def test_groups_in_odoo_order(self):
        """The report groups come in the order Odoo gives groups of the contacts
        themselves: consultants by name, goals by direction and sequence."""
        domain = [("company_id", "=", self.branch.id)]
        for groupby in (["user_id"], ["goal_id", "user_id"], ["state"]):
            ours = self.env["dealer.traffic.statistics.report"].read_group(
                domain, ["traffic_count:sum"], groupby, lazy=False
            )
            odoo = self.env["dealer.traffic"].read_group(domain, ["__count"], groupby, lazy=False)
            self.assertEqual(
                [[group[name] for name in groupby] for group in ours],
                [[group[name] for name in groupby] for group in odoo],
            )
            self.assertEqual(
                [group["traffic_count"] for group in ours], [group["__count"] for group in odoo]
            )
        self.consultant2.name = "Aaaa First"  # the C collation puts Latin first
        users = self.env["dealer.traffic.statistics.report"].read_group(
            domain, ["traffic_count:sum"], ["user_id"], lazy=False
        )
        self.assertEqual(
            [group["user_id"][0] for group in users], [self.consultant2.id, self.consultant.id]
        )
