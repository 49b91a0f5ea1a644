from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SegmentationCase

FLOW_MEASURES = (
    "new_count",
    "returned_count",
    "lost_single_count",
    "lost_several_count",
    "lost_prospect_count",
    "entered_count",
    "left_count",
    "active_count",
    "active_change",
)


@tagged("post_install", "-at_install")
class TestSegmentationReports(SegmentationCase):
    """The three segmentation reports on a known history of clients of a branch of
    their own, read by a supervisor of that branch.

    With T today, M0 its month, M1 and M2 the two next ones, the nightly run goes on
    the 6th of M1 and of M2; documents are dated so that each client changes status
    on a known run:

    ====================  ===========================  ===============================
    client                detailing / service          history
    ====================  ===========================  ===============================
    one                   a document, lapses on M1     M0 new real; M1 lost (1 doc)
    several               two documents, idem          M0 new real; M1 lost (2 docs)
    late                  a document, lapses on M2     M0 new real; M2 lost (1 doc)
    prospect              a cancelled deal, inactive   M0 new in work, lost, inactive
    back                  an old document, a new one   M0 new lost; M1 real (returned)
    work                  an open deal                 M0 new in work
    via (service)         old document, a call, buys   M0 new lost, potential; M1 real
    ====================  ===========================  ===============================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create({"name": "Филиал Отчёты Сегментации"})
        # The branch's days are those of the test's today (see SegmentationCase).
        cls.branch.partner_id.tz = cls.Status._branch_tz()
        for user in (cls.operator, cls.consultant, cls.supervisor):
            user.company_ids |= cls.branch
        cls.other_supervisor = new_test_user(
            cls.env, "seg_rep_supervisor", groups="dealer_base.group_dealer_supervisor"
        )
        names = ("one", "several", "late", "prospect", "back", "work", "via")
        cls.clients = {
            name: cls.env["res.partner"].create(
                {"name": f"Отчётов Клиент {name}", "company_id": cls.branch.id}
            )
            for name in names
        }
        cls.m0 = cls.today.replace(day=1)
        cls.m1 = cls.m0 + relativedelta(months=1)
        cls.m2 = cls.m0 + relativedelta(months=2)
        cls.run1 = (cls.m1 - cls.today).days + 5
        cls.run2 = (cls.m2 - cls.today).days + 5

    def setUp(self):
        super().setUp()
        c = self.clients
        real_days = self.real._days_for(self.detailing)
        self._done(c["one"], days_ago=real_days - self.run1 + 1, amount=1000)
        self._done(c["several"], days_ago=real_days - self.run1 + 1, amount=1000)
        self._done(c["several"], days_ago=real_days - self.run1 + 2, amount=1000)
        self._done(c["late"], days_ago=real_days - self.run2 + 1, amount=1000)
        deal = self._open_task(c["prospect"])
        deal.with_user(self.consultant).write({"state": "1_canceled"})
        self.Status.with_user(self.consultant)._set_inactive(
            c["prospect"], self.detailing, "Купил у конкурента"
        )
        self._done(c["back"], days_ago=real_days + 10, amount=1000)
        self._done(c["back"], days_ago=-(self.run1 - 3), amount=1000)  # a sale in M1
        self._open_task(c["work"])
        # Service: a lost client calls (potential), then buys in M1.
        service_days = self.real._days_for(self.service)
        self._done(c["via"], days_ago=service_days + 10, direction=self.service, amount=1000)
        traffic = (
            self.env["dealer.traffic"]
            .with_user(self.operator)
            .with_company(self.branch)
            .create(
                {
                    "channel_id": self.call.id,
                    "direction_id": self.service.id,
                    "goal_id": self.goal_repair.id,
                    "partner_id": c["via"].id,
                    "user_id": self.consultant.id,
                    "company_id": self.branch.id,
                }
            )
        )
        traffic.action_register()
        self._done(c["via"], days_ago=-(self.run1 - 3), direction=self.service, amount=1000)
        self._recompute(days_later=self.run1)
        self._recompute(days_later=self.run2)

    def _flow(self, direction, user=None):
        rows = (
            self.env["dealer.segmentation.flow.report"]
            .with_user(user or self.supervisor)
            .search_read(
                [("company_id", "=", self.branch.id), ("direction_id", "=", direction.id)],
                ["month", *FLOW_MEASURES],
            )
        )
        return {row["month"]: [row[name] for name in FLOW_MEASURES] for row in rows}

    def test_history_is_as_planned(self):
        """The engine wrote the history the figures below are computed from."""
        c = self.clients
        planned = {
            "one": [(self.m0, False, self.real), (self.m1, self.real, self.lost)],
            "back": [(self.m0, False, self.lost), (self.m1, self.lost, self.real)],
            "late": [(self.m0, False, self.real), (self.m2, self.real, self.lost)],
            "several": [(self.m0, False, self.real), (self.m1, self.real, self.lost)],
        }
        for name, changes in planned.items():
            history = self._history(c[name])
            got = [
                (h.date.replace(day=1), h.old_status_id or False, h.new_status_id) for h in history
            ]
            self.assertEqual(got, changes, name)
        self.assertEqual(self._history(c["several"])[-1].doc_count_total, 2)
        via = self._history(c["via"], self.service)
        self.assertEqual(
            [(h.date.replace(day=1), h.new_status_id.code) for h in via],
            [(self.m0, "lost"), (self.m0, "potential"), (self.m1, "real")],
        )

    def test_inflow_outflow_by_month(self):
        # new, returned, lost 1 doc, lost several, lost prospects, entered, left,
        # active base at month end, its change
        self.assertEqual(
            self._flow(self.detailing),
            {
                self.m0: [6, 0, 0, 0, 1, 5, 1, 4, 4],
                self.m1: [0, 1, 1, 1, 0, 1, 2, 3, -1],
                self.m2: [0, 0, 1, 0, 0, 0, 1, 2, -1],
            },
        )
        # A month without any change still shows the base.
        self.assertEqual(
            self._flow(self.service),
            {
                self.m0: [1, 0, 0, 0, 0, 0, 0, 0, 0],
                self.m1: [0, 1, 0, 0, 0, 1, 0, 1, 1],
                self.m2: [0, 0, 0, 0, 0, 0, 0, 1, 0],
            },
        )

    def test_inflow_outflow_adds_up_over_directions(self):
        Flow = self.env["dealer.segmentation.flow.report"].with_user(self.supervisor)
        rows = Flow._read_group(
            [("company_id", "=", self.branch.id)],
            ["month:month"],
            ["returned_count:sum", "active_count:sum", "active_change:sum"],
        )
        self.assertEqual(
            {month: rest for month, *rest in rows},
            {self.m0: [0, 4, 4], self.m1: [2, 4, 0], self.m2: [0, 3, -1]},
        )
        # Over the whole period the change is the base at its end.
        total = Flow._read_group([("company_id", "=", self.branch.id)], [], ["active_change:sum"])
        self.assertEqual(total[0][0], 3)

    def test_dynamics_clients_entering_each_status(self):
        Dynamics = self.env["dealer.segmentation.dynamics.report"].with_user(self.supervisor)
        rows = Dynamics._read_group(
            [("company_id", "=", self.branch.id), ("direction_id", "=", self.detailing.id)],
            ["date:month", "new_status_id"],
            ["change_count:sum"],
        )
        self.assertEqual(
            {(month, status.code): count for month, status, count in rows},
            {
                (self.m0, "real"): 3,
                (self.m0, "in_work"): 2,
                (self.m0, "lost"): 2,
                (self.m0, "inactive"): 1,
                (self.m1, "lost"): 2,
                (self.m1, "real"): 1,
                (self.m2, "lost"): 1,
            },
        )
        # Who: the rows behind the outflow measures are the clients.
        c = self.clients
        lost_single = Dynamics.search(
            [("company_id", "=", self.branch.id), ("lost_single_count", "=", 1)]
        )
        self.assertEqual(lost_single.partner_id, c["one"] | c["late"])
        returned = Dynamics.search(
            [("company_id", "=", self.branch.id), ("returned_count", "=", 1)]
        )
        self.assertEqual(returned.partner_id, c["back"] | c["via"])
        self.assertEqual(
            Dynamics.search(
                [("company_id", "=", self.branch.id), ("lost_prospect_count", "=", 1)]
            ).partner_id,
            c["prospect"],
        )

    def test_distribution_count_and_share(self):
        Distribution = self.env["dealer.segmentation.distribution.report"].with_user(
            self.supervisor
        )
        measures = [
            f"{code}_{kind}:{'sum' if kind == 'count' else 'avg'}"
            for code in ("potential", "in_work", "real", "lost", "inactive")
            for kind in ("count", "share")
        ]
        rows = Distribution._read_group(
            [("company_id", "=", self.branch.id)],
            ["direction_id"],
            ["client_count:sum", *measures],
        )
        figures = {direction: values for direction, *values in rows}
        # clients; potential, in work, real, lost, inactive: count and share
        half, sixth = 100 / 2, 100 / 6
        expected = [6, 0, 0, 1, sixth, 1, sixth, 3, half, 1, sixth]
        self.assertEqual(figures[self.detailing][0], expected[0])
        for got, want in zip(figures[self.detailing], expected, strict=True):
            self.assertAlmostEqual(got, want, places=6)
        self.assertEqual(figures[self.service], [1, 0, 0, 0, 0, 1, 100, 0, 0, 0, 0])
        # The active base of the current statuses is that of the last month.
        active = Distribution.search_count(
            [
                ("company_id", "=", self.branch.id),
                ("direction_id", "=", self.detailing.id),
                ("status_code", "in", ["real", "in_work"]),
            ]
        )
        self.assertEqual(active, self._flow(self.detailing)[self.m2][7])

    def test_reports_follow_the_branch(self):
        """A supervisor of another branch sees none of these clients; staff below
        supervisors do not read the reports."""
        for model in (
            "dealer.segmentation.distribution.report",
            "dealer.segmentation.dynamics.report",
            "dealer.segmentation.flow.report",
        ):
            Report = self.env[model]
            domain = [("company_id", "=", self.branch.id)]
            self.assertTrue(Report.with_user(self.supervisor).search_count(domain), model)
            self.assertFalse(Report.with_user(self.other_supervisor).search_count(domain), model)
            with self.assertRaises(AccessError):
                Report.with_user(self.consultant).search_count([])
