import base64
import io
import shutil
from datetime import datetime, timedelta
from statistics import median

import openpyxl

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import TrafficCase

# Monday 4 March 2024, 09:00 in Moscow.
DAY1 = datetime(2024, 3, 4, 6, 0)
DAY2 = DAY1 + timedelta(days=1)
DAY8 = DAY1 + timedelta(days=7)  # the following week


class StatisticsCase(TrafficCase):
    """A known data set in a branch of its own: nine incoming contacts and one outgoing,
    of every client type, with their times, statuses and tasks set as they were.

    ==== ======= ================ ========== ======= ======= ============= =============
    no.  day     client           consultant taken   closed  status        task (rank)
    ==== ======= ================ ========== ======= ======= ============= =============
    c1   1 call  person           1          10 min  30 min  processed     visit (2)
    c2   1 call  person (repeat)  1          20 min  60 min  processed     appointment (1)
    c3   1 call  person (repeat)  1          —       15 min  ignored       —
    c4   1 call  company contact  1          40 min  90 min  processed     deal (3)
    c5   2 visit partner          2          —       —       assigned      —
    c6   2 visit employee         2          5 min   —       in progress   —
    c7   2 web   not identified   —          —       7 days  auto-ignored  —
    c8   8 call  person (repeat)  1          50 min  100 min ignored       — continues c2
    c9   8 visit company (sales)  2          6 min   12 min  processed     appointment, canceled
    c10  8 call  person, outgoing 1          1 min   5 min   processed     —
    ==== ======= ================ ========== ======= ======= ============= =============

    The goals answer within 30 minutes: c4 and c8 were taken late, c3, c5 and c7 never."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.branch = env["res.company"].create({"name": "Филиал Статистики"})
        env.user.company_ids |= cls.branch
        (cls.consultant | cls.consultant2 | cls.supervisor).company_ids |= cls.branch
        cls.goal_confirm = env.ref("dealer_traffic.goal_service_confirm")
        (cls.goal_repair | cls.goal_new_car | cls.goal_confirm).response_minutes = 30
        cls.internet = env.ref("dealer_traffic.channel_internet")
        Partner = env["res.partner"]
        cls.person = Partner.create({"name": "Частников Иван"})
        cls.company = Partner.create({"name": "ООО Статистика", "is_company": True})
        cls.company_contact = Partner.create(
            {"name": "Сотрудников Пётр", "parent_id": cls.company.id}
        )
        cls.dealer_partner = Partner.create(
            {
                "name": "Партнёров Олег",
                "category_id": [
                    Command.link(env.ref("dealer_traffic.partner_category_partner").id)
                ],
            }
        )
        cls.employee = cls.consultant2.partner_id
        cls.employee.company_id = False  # a client of every branch
        one, two = cls.consultant, cls.consultant2
        failed = env.ref("dealer_traffic.ignore_reason_failed")
        other = env.ref("dealer_traffic.ignore_reason_other")
        timeout = env.ref("dealer_traffic.ignore_reason_timeout")
        visit, internet = {"channel_id": cls.visit.id}, {"channel_id": cls.internet.id}
        hour = timedelta(hours=1)
        # (date, client, consultant, minutes to take, minutes to close, status, values)
        specs = {
            1: (DAY1, cls.person, one, 10, 30, "processed", {}),
            2: (DAY1 + hour, cls.person, one, 20, 60, "processed", {}),
            3: (DAY1 + 2 * hour, cls.person, one, None, 15, "ignored", {"reason": failed}),
            4: (DAY1 + 3 * hour, cls.company_contact, one, 40, 90, "processed", {}),
            5: (DAY2, cls.dealer_partner, two, None, None, "assigned", {**visit}),
            6: (DAY2 + hour, cls.employee, two, 5, None, "in_progress", {**visit}),
            7: (DAY2 + 2 * hour, None, None, None, 7 * 24 * 60, "ignored", {**internet}),
            8: (DAY8, cls.person, one, 50, 100, "ignored", {"reason": other}),
            9: (DAY8 + hour, cls.company, two, 6, 12, "processed", {**visit}),
            10: (DAY8 + 2 * hour, cls.person, one, 1, 5, "processed", {}),
        }
        specs[7][-1]["reason"] = timeout
        specs[9][-1].update(direction_id=cls.sales.id, goal_id=cls.goal_new_car.id)
        specs[10][-1]["goal_id"] = cls.goal_confirm.id
        c = {}
        for number, spec in specs.items():
            if number == 8:
                spec[-1].update(continued_from_id=c[2].id, ignore_comment="Передумал")
            c[number] = cls._contact(spec)
        cls.c = c
        visit_stage = env.ref("dealer_traffic.stage_visit")
        cls.tasks = {
            1: cls._task(c[1], "appointment", stage_id=visit_stage.id),
            2: cls._task(c[2], "appointment"),
            4: cls._task(c[4], "deal"),
            9: cls._task(c[9], "appointment", state="1_canceled"),
        }
        cls.incoming = [("company_id", "=", cls.branch.id), ("goal_kind", "=", "incoming")]
        env.flush_all()

    @classmethod
    def _contact(cls, spec):
        """A contact at ``date`` taken and closed (processed or ignored) that many
        minutes later, written as the workflow leaves it; ``spec`` as in setUpClass."""
        date, partner, user, taken, closed, state, vals = spec
        vals = dict(vals)
        reason = vals.pop("reason", None)
        values = {
            "channel_id": cls.call.id,
            "direction_id": cls.service.id,
            "goal_id": cls.goal_repair.id,
            "company_id": cls.branch.id,
            "date": date,
            "partner_id": partner.id if partner else False,
            "contact_name": False if partner else "Аноним",
            "user_id": user.id if user else False,
            "state": state,
            "assigned_date": date + timedelta(minutes=1) if user else False,
            "taken_date": date + timedelta(minutes=taken) if taken is not None else False,
            "processed_date": date + timedelta(minutes=closed) if closed is not None else False,
            "ignore_reason_id": reason.id if reason else False,
            **vals,
        }
        return cls.env["dealer.traffic"].with_company(cls.branch).create(values)

    @classmethod
    def _task(cls, traffic, kind, **vals):
        return cls.env["project.task"].create(
            {
                "name": f"Документ {traffic.name}",
                "project_id": traffic.direction_id.project_id.id,
                "partner_id": traffic.partner_id.id,
                "traffic_id": traffic.id,
                "dealer_kind": kind,
                **vals,
            }
        )

    def _group(self, model, groupby, aggregates, domain=None):
        rows = self.env[model]._read_group(domain or self.incoming, groupby, aggregates)
        if not groupby:
            return list(rows[0])
        return {key: list(values) for key, *values in rows}


@tagged("post_install", "-at_install")
class TestTrafficStatistics(StatisticsCase):
    STATISTICS = [
        "traffic_count:sum",
        "first_count:sum",
        "repeat_count:sum",
        "processed_count:sum",
        "ignored_count:sum",
        "open_count:sum",
        "continuation_count:sum",
        "not_taken_count:sum",
        "lost_rate:avg",
    ]

    def _statistics(self, groupby, domain=None):
        return self._group("dealer.traffic.statistics.report", groupby, self.STATISTICS, domain)

    def test_the_data_set_is_what_it_says(self):
        c = self.c
        self.assertEqual(
            [c[i].is_repeat for i in range(1, 11)],
            [False, True, True, False, False, False, False, True, False, True],
        )
        self.assertEqual(c[8].continued_from_id, c[2])
        self.assertEqual([self.tasks[i].dealer_funnel_rank for i in (1, 2, 4, 9)], [2, 1, 3, 1])

    def test_totals(self):
        """9 incoming contacts: 7 first (c3, repeat but never taken, counts as first),
        2 repeat; 4 processed, 3 ignored, 2 in work; 1 continuation; 3 nobody took,
        a third lost."""
        total = self._statistics([])
        self.assertEqual(total[:8], [9, 7, 2, 4, 3, 2, 1, 3])
        self.assertAlmostEqual(total[8], 100 / 3)

    def test_by_direction_and_goal(self):
        rows = self._statistics(["direction_id"])
        self.assertEqual(rows[self.service][:8], [8, 6, 2, 3, 3, 2, 1, 3])
        self.assertAlmostEqual(rows[self.service][8], 3 / 8 * 100)
        # The pivot's two row levels: direction, then goal.
        rows = self.env["dealer.traffic.statistics.report"]._read_group(
            self.incoming, ["direction_id", "goal_id"], ["traffic_count:sum", "first_count:sum"]
        )
        self.assertEqual(
            sorted((direction.code, goal, count, first) for direction, goal, count, first in rows),
            [("sales", self.goal_new_car, 1, 1), ("service", self.goal_repair, 8, 6)],
        )

    def test_by_client_type(self):
        rows = self._statistics(["client_type"])
        counts = {kind: values[0] for kind, values in rows.items()}
        self.assertEqual(
            counts, {"person": 4, "company": 2, "partner": 1, "employee": 1, "unknown": 1}
        )
        # The company's contact person is the company's client too.
        report = self.env["dealer.traffic.statistics.report"]
        self.assertEqual(report.browse(self.c[4].id).client_type, "company")
        self.assertEqual(report.browse(self.c[9].id).client_type, "company")
        # A tag on the company makes its people partners.
        self.company.category_id = self.env.ref("dealer_traffic.partner_category_partner")
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(report.browse(self.c[4].id).client_type, "partner")

    def test_by_channel(self):
        rows = self._statistics(["channel_id"])
        self.assertEqual(
            {channel.code: values[0] for channel, values in rows.items()},
            {"call": 5, "visit": 3, "internet": 1},
        )
        self.assertEqual(rows[self.internet][7], 1)  # the web request nobody took

    def test_dynamics(self):
        """By day, week and month (the dates are grouped in the user's time zone)."""
        Report = self.env["dealer.traffic.statistics.report"].with_context(tz="Europe/Moscow")
        for granularity, expected in (
            ("day", [4, 3, 2]),
            ("week", [7, 2]),
            ("month", [9]),
        ):
            rows = Report._read_group(self.incoming, [f"date:{granularity}"], ["traffic_count:sum"])
            self.assertEqual([count for _date, count in rows], expected, granularity)

    def test_outgoing_apart(self):
        domain = [("company_id", "=", self.branch.id), ("goal_kind", "=", "outgoing")]
        self.assertEqual(self._statistics([], domain)[:3], [1, 0, 1])

    def test_consultant_sees_own(self):
        Report = self.env["dealer.traffic.statistics.report"].with_user(self.consultant2)
        rows = Report.with_company(self.branch)._read_group(
            [("company_id", "=", self.branch.id)], [], ["traffic_count:sum"]
        )
        self.assertEqual(rows[0][0], 3)  # c5, c6, c9
        supervisor = self.env["dealer.traffic.statistics.report"].with_user(self.supervisor)
        rows = supervisor.with_company(self.branch)._read_group(
            [("company_id", "=", self.branch.id)], [], ["traffic_count:sum"]
        )
        self.assertEqual(rows[0][0], 10)

    def test_drill_down_to_contacts(self):
        Report = self.env["dealer.traffic.statistics.report"]
        cell = Report.search([*self.incoming, ("not_taken_count", "=", 1)])
        action = cell.action_open_traffic()
        self.assertEqual(action["res_model"], "dealer.traffic")
        self.assertEqual(
            self.env["dealer.traffic"].search(action["domain"]),
            self.c[3] | self.c[5] | self.c[7],
        )


@tagged("post_install", "-at_install")
class TestResponseTime(StatisticsCase):
    TAKEN = {1: 10, 2: 20, 4: 40, 6: 5, 8: 50, 9: 6}
    PROCESSED = {1: 30, 2: 60, 3: 15, 4: 90, 8: 100, 9: 12}  # c7 was ignored automatically

    def _response(self, groupby, domain=None):
        return self._group(
            "dealer.traffic.response.report",
            groupby,
            [
                "traffic_count:sum",
                "taken_count:sum",
                "not_taken_count:sum",
                "take_minutes:avg",
                "take_minutes_median:median",
                "process_minutes:avg",
                "process_minutes_median:median",
                "overdue_count:sum",
                "overdue_rate:avg",
                "auto_ignored_count:sum",
            ],
            domain,
        )

    def test_averages_and_medians_over_taken_contacts(self):
        total = self._response([])
        taken, processed = list(self.TAKEN.values()), list(self.PROCESSED.values())
        self.assertEqual(total[:3], [9, 6, 3])
        self.assertAlmostEqual(total[3], sum(taken) / 6)  # 21.8, not 131 / 9 = 14.6
        self.assertAlmostEqual(total[4], median(taken))  # 15
        self.assertAlmostEqual(total[5], sum(processed) / 6)  # 51.2, without 7 days
        self.assertAlmostEqual(total[6], median(processed))  # 45
        self.assertEqual(total[6], 45)

    def test_never_taken_are_overdue(self):
        """Taken late: c4 and c8; never taken: c3 (ignored), c5 (waiting past its
        limit), c7 (ignored automatically)."""
        total = self._response([])
        self.assertEqual(total[7], 5)
        self.assertAlmostEqual(total[8], 5 / 9 * 100)
        overdue = self.env["dealer.traffic.response.report"].search(
            [*self.incoming, ("overdue_count", "=", 1)]
        )
        self.assertEqual(set(overdue.ids), {self.c[i].id for i in (3, 4, 5, 7, 8)})

    def test_waiting_within_the_limit_is_not_overdue(self):
        now = datetime.now().replace(microsecond=0)
        fresh = self._contact(
            (now - timedelta(minutes=5), self.person, self.consultant2, None, None, "assigned", {})
        )
        self.env.flush_all()
        row = self.env["dealer.traffic.response.report"].browse(fresh.id)
        self.assertEqual((row.not_taken_count, row.overdue_count), (1, 0))
        self.assertFalse(row.take_minutes)

    def test_automatic_ignoring_apart(self):
        total = self._response([])
        self.assertEqual(total[9], 1)
        row = self.env["dealer.traffic.response.report"].browse(self.c[7].id)
        self.assertEqual(row.auto_ignored_count, 1)
        self.assertFalse(row.process_minutes)

    def test_per_consultant(self):
        rows = self._response(["user_id"])
        one, two = rows[self.consultant], rows[self.consultant2]
        self.assertEqual(one[:3], [5, 4, 1])
        self.assertAlmostEqual(one[3], 30)  # 10, 20, 40, 50
        self.assertAlmostEqual(one[4], 30)
        self.assertEqual(two[:3], [3, 2, 1])
        self.assertAlmostEqual(two[3], 5.5)
        self.assertAlmostEqual(two[4], 5.5)
        self.assertEqual(rows[self.env["res.users"]][:3], [1, 0, 1])

    def test_pivot_reads_medians(self):
        """The web client asks each measure with its field's aggregator."""
        Report = self.env["dealer.traffic.response.report"]
        fields = Report.fields_get(["take_minutes_median", "take_minutes"], ["aggregator"])
        self.assertEqual(fields["take_minutes_median"]["aggregator"], "median")
        groups = Report.read_group(
            self.incoming,
            ["take_minutes:avg", "take_minutes_median:median"],
            ["user_id"],
            lazy=False,
        )
        by_user = {group["user_id"] and group["user_id"][0]: group for group in groups}
        self.assertAlmostEqual(by_user[self.consultant.id]["take_minutes_median"], 30)
        self.assertAlmostEqual(by_user[self.consultant2.id]["take_minutes"], 5.5)


@tagged("post_install", "-at_install")
class TestPeriodExport(StatisticsCase):
    def _export(self, user=None, **vals):
        wizard = (
            self.env["dealer.traffic.period.export"]
            .with_user(user or self.env.user)
            .with_company(self.branch)
            .with_context(tz="Europe/Moscow", lang="en_US")
            .create({"date_from": "2024-03-04", "date_to": "2024-03-11", **vals})
        )
        action = wizard.action_export_xlsx()
        self.assertIn(f"id={wizard.id}&field=xlsx_file", action["url"])
        self.assertTrue(wizard.xlsx_filename.endswith(".xlsx"))
        content = base64.b64decode(wizard.xlsx_file)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[3]
        return [dict(zip(header, row, strict=True)) for row in rows[4:]]

    def _rows_by_number(self, rows):
        return {row["Number"]: row for row in rows}

    def test_columns_of_the_seed(self):
        rows = self._export()
        self.assertEqual(len(rows), 10)
        by_number = self._rows_by_number(rows)
        c, tasks = self.c, self.tasks
        first = by_number[c[1].name]
        self.assertEqual(first["Date"], datetime(2024, 3, 4, 9, 0))  # Moscow time
        self.assertEqual(first["Responsible"], self.consultant.name)
        self.assertEqual(first["Contact Goal"], self.goal_repair.name)
        self.assertEqual(first["Client"], self.person.name)
        self.assertEqual(first["First / Repeat"], "First")
        self.assertEqual(first["Taking"], timedelta(minutes=10))
        self.assertEqual(first["Processing"], timedelta(minutes=30))
        self.assertEqual(first["Registration"], timedelta(minutes=1))
        self.assertEqual(first["Status"], "Document created")
        self.assertEqual(first["Document No."], tasks[1].id)
        self.assertEqual(first["Status Changed"], datetime(2024, 3, 4, 9, 30))
        ignored = by_number[c[3].name]
        self.assertEqual(ignored["Status"], "Ignored")
        self.assertEqual(ignored["Ignore Reason"], "Failed contact")
        self.assertIsNone(ignored["Taking"])
        self.assertEqual(by_number[c[8].name]["Comment"], "Передумал")
        self.assertEqual(by_number[c[8].name]["First / Repeat"], "Repeat")
        lost = by_number[c[9].name]
        self.assertEqual(lost["Reason of Loss"], "Document canceled at Appointment")
        self.assertEqual(lost["Direction"], self.sales.name)
        anonymous = by_number[c[7].name]
        self.assertEqual(anonymous["Client"], "Аноним")
        self.assertEqual(anonymous["Ignore Reason"], "Not processed in time")
        waiting = by_number[c[5].name]
        self.assertEqual(waiting["Status"], "Assigned")
        self.assertEqual(waiting["Status Changed"], datetime(2024, 3, 5, 9, 1))
        self.assertEqual([row["Number"] for row in rows], [c[i].name for i in range(1, 11)])

    def test_attached_document(self):
        """A contact processed into a task that existed before it."""
        self.env.cr.execute(
            "UPDATE project_task SET create_date = %s WHERE id = %s",
            [DAY1 - timedelta(days=3), self.tasks[2].id],
        )
        self.env.invalidate_all()
        row = self._rows_by_number(self._export())[self.c[2].name]
        self.assertEqual(row["Status"], "Attached to document")

    def test_brand_model_and_condition(self):
        model = self.env.ref("dealer_vehicle.model_kia_rio")
        self.c[9].write({"interest_model_id": model.id, "interest_condition": "used"})
        self.env.flush_all()
        row = self._rows_by_number(self._export())[self.c[9].name]
        self.assertEqual(
            (row["Brand"], row["Model"], row["New or Used"]),
            (model.brand_id.name, model.name, "Used"),
        )

    def test_record_rules_and_filters(self):
        # Their own contacts, and the unassigned ones operators see too (c7).
        rows = self._export(user=self.consultant2)
        self.assertEqual([row["Number"] for row in rows], [self.c[i].name for i in (5, 6, 7, 9)])
        rows = self._export(direction_ids=[Command.set(self.sales.ids)])
        self.assertEqual([row["Number"] for row in rows], [self.c[9].name])
        rows = self._export(date_from="2024-03-05", date_to="2024-03-05")
        self.assertEqual([row["Number"] for row in rows], [self.c[i].name for i in (5, 6, 7)])

    def test_summary_by_direction(self):
        data = {"date_from": "2024-03-04", "date_to": "2024-03-11"}
        Summary = self.env["report.dealer_traffic.report_traffic_by_direction"].with_company(
            self.branch
        )
        values = Summary.with_context(allowed_company_ids=self.branch.ids)._get_report_values(
            None, data
        )
        lines = {line["label"]: line for line in values["lines"]}
        service = lines[self.service.display_name]
        self.assertEqual(
            [service[k] for k in ("traffic_count", "first_count", "repeat_count")], [9, 6, 3]
        )
        self.assertEqual((service["appointment_count"], service["visit_count"]), (3, 2))
        self.assertAlmostEqual(service["appointment_rate"], 100 * 3 / 9)
        self.assertAlmostEqual(service["take_minutes"], (10 + 20 + 40 + 5 + 50 + 1) / 6)
        self.assertEqual(values["total"]["traffic_count"], 10)

    def test_summary_of_journal_selection(self):
        selected = self.c[1] | self.c[2] | self.c[9]
        Summary = self.env["report.dealer_traffic.report_traffic_by_responsible"]
        values = Summary._get_report_values(selected.ids)
        lines = {line["label"]: line["traffic_count"] for line in values["lines"]}
        self.assertEqual(lines, {self.consultant.name: 2, self.consultant2.name: 1})

    def test_summaries_render(self):
        wizard = self.env["dealer.traffic.period.export"].create(
            {"date_from": "2024-03-04", "date_to": "2024-03-11", "grouping": "day"}
        )
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "dealer_traffic.report_traffic_by_day")
        Reports = self.env["ir.actions.report"].with_context(lang="en_US")
        for grouping in ("direction", "source", "registrar", "responsible", "model", "day"):
            html = Reports._render_qweb_html(
                f"dealer_traffic.action_report_traffic_by_{grouping}", None, action["data"]
            )[0]
            self.assertIn(b"o_dealer_traffic_summary", html, grouping)
        html = Reports._render_qweb_html(
            "dealer_traffic.action_report_traffic_by_day", None, action["data"]
        )[0].decode()
        # The total row: 10 contacts, 7 first, 3 repeat.
        total = html[html.index("<tfoot>") :]
        self.assertRegex(
            total, r"(?s)Total</td>\s*<td[^>]*>10</td>\s*<td[^>]*>7</td>\s*<td[^>]*>3</td>"
        )
        self.assertIn("03/04/2024", html)
        self.assertIn("03/11/2024", html)


@tagged("post_install", "-at_install")
class TestSummaryPdf(StatisticsCase, HttpCase):
    """wkhtmltopdf reads the report's assets from the server, which HttpCase runs."""

    def test_summary_prints_as_pdf(self):
        if not shutil.which("wkhtmltopdf"):
            self.skipTest("wkhtmltopdf is not installed (./dev setup installs it)")
        data = {"date_from": "2024-03-04", "date_to": "2024-03-11", "direction_ids": []}
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("dealer_traffic.action_report_traffic_by_direction", None, data)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 2000)
