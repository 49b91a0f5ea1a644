import base64
import io
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

# March 2019: far from any demo data, so the figures are those built here only.
MARCH = {"date_from": date(2019, 3, 1), "date_to": date(2019, 3, 31)}


class ReportCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Figures are asserted as they read in English (dates, decimals).
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        # The period's days are the branch's (Moscow, UTC+3), whoever runs the report.
        cls.env.ref("base.main_company").partner_id.tz = "Europe/Moscow"
        group = "dealer_base.group_dealer_%s"
        cls.supervisor = new_test_user(
            cls.env, "rp_supervisor", groups=group % "supervisor", name="Михайлов С.", lang="en_US"
        )
        cls.operator = new_test_user(
            cls.env, "rp_operator", groups=group % "operator", name="Поляков И.С.", lang="en_US"
        )
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.project = cls.env["project.project"].create(
            {"name": "Сервис (отчёты)", "company_id": False}
        )
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "Опрос на 3-й день (отчёты)",
                "dealer_kind": "post_service",
                "dealer_direction_id": cls.service.id,
                "dealer_plan_active": False,
            }
        )
        cls.kmu = cls.env["fleet.vehicle.model"].search([], limit=1)
        Partner = cls.env["res.partner"]
        cls.clients = Partner.create(
            [
                {
                    "name": f"Клиент отчёта {i}",
                    "mobile": f"+7 921 555-00-{i:02d}",
                    "city": "Санкт-Петербург" if i % 2 else False,
                    "consent_phone_survey": True,
                }
                for i in range(12)
            ]
        )
        cls.type_complaint = cls.env.ref("dealer_complaint.type_complaint")
        cls.type_gratitude = cls.env.ref("dealer_complaint.type_gratitude")
        cls.repair = cls.env.ref("dealer_complaint.reason_quality_repair_work")
        cls.price = cls.env.ref("dealer_complaint.reason_general_price")
        cls.explain = cls.env.ref("dealer_complaint.reason_reception_no_explanation")

        # Documents: 10 service tasks done in March (one at 00:30 on 1 March in
        # Moscow, still 28 February in UTC); not counted: done 1 April in Moscow
        # (31 March in UTC), done in February, a sales task, a task not done.
        cls.tasks = cls.env["project.task"]
        for i in range(9):
            cls.tasks |= cls._task(cls.clients[i], datetime(2019, 3, 2 + 3 * i, 9, 0))
        cls.tasks |= cls._task(cls.clients[9], datetime(2019, 2, 28, 21, 30))
        cls._task(cls.clients[10], datetime(2019, 3, 31, 22, 30))
        cls._task(cls.clients[10], datetime(2019, 2, 15, 9, 0))
        cls._task(
            cls.clients[11],
            datetime(2019, 3, 10, 9, 0),
            direction=cls.env.ref("dealer_base.direction_sales"),
        )
        cls._task(cls.clients[11], datetime(2019, 3, 11, 9, 0), state="01_in_progress")

        # Calls about 8 of them: 5 surveyed (3 negative), 2 unreachable, 1 to call;
        # a surveyed call about February's service is not counted.
        outcomes = [
            ("done", True, "Долго выдали автомобиль. Около часа оформляли."),
            ("done", True, "Плохо помыта машина"),
            ("done", True, "дорого"),
            ("done", False, "Всё хорошо."),
            ("done", False, False),
            ("unreachable", False, False),
            ("unreachable", False, False),
            ("to_call", False, False),
        ]
        Call = cls.env["dealer.survey.call"]
        cls.calls = Call
        for task, (state, negative, comment) in zip(cls.tasks, outcomes, strict=False):
            cls.calls |= Call.create(
                {
                    "survey_id": cls.survey.id,
                    "task_id": task.id,
                    "user_id": cls.operator.id if task == cls.tasks[0] else cls.supervisor.id,
                    "date_planned": task.date_end.date(),
                    "state": state,
                    "is_negative": negative,
                    "comment": comment,
                }
            )
        february = cls.env["project.task"].search(
            [("project_id", "=", cls.project.id), ("date_end", "<", "2019-02-20")]
        )
        Call.create(
            {
                "survey_id": cls.survey.id,
                "task_id": february.id,
                "state": "done",
                "is_negative": True,
                "comment": "Февраль",
            }
        )

        # Appeals received in March: from the 3 negative calls, 2 of «repair work»
        # and 1 of «price»; by hand, a complaint of «no explanation» and a gratitude;
        # April's complaint is not counted.
        def appeal(reason, received, call=None, kind=None, user=None):
            return cls.env["dealer.complaint"].create(
                {
                    "type_id": (kind or cls.type_complaint).id,
                    "reason_id": reason.id,
                    "partner_id": (call.partner_id if call else cls.clients[11]).id,
                    "date_received": received,
                    "survey_call_id": call and call.id,
                    "source": "survey" if call else "manual",
                    "user_id": (user or cls.supervisor).id,
                    "description": "Жалоба для отчёта",
                }
            )

        cls.appeals = (
            appeal(cls.repair, datetime(2019, 3, 5, 10, 0), cls.calls[0], user=cls.operator)
            | appeal(cls.repair, datetime(2019, 3, 8, 10, 0), cls.calls[1])
            | appeal(cls.price, datetime(2019, 3, 11, 10, 0), cls.calls[2])
            | appeal(cls.explain, datetime(2019, 3, 20, 10, 0))
            | appeal(cls.price, datetime(2019, 3, 21, 10, 0), kind=cls.type_gratitude)
            | appeal(cls.explain, datetime(2019, 4, 2, 10, 0))
        )

    @classmethod
    def _task(cls, partner, done_at, *, state="1_done", direction=None):
        task = cls.env["project.task"].create(
            {
                "name": f"ТО легковых автомобилей — {partner.name}",
                "project_id": cls.project.id,
                "partner_id": partner.id,
                "dealer_direction_id": (direction or cls.service).id,
                "company_id": cls.env.company.id,
            }
        )
        task.write({"state": state, "date_end": done_at})
        return task

    def _wizard(self, user=None, **values):
        return (
            self.env["dealer.complaint.followup"]
            .with_user(user or self.supervisor)
            .create({**MARCH, "survey_ids": [(6, 0, self.survey.ids)], **values})
        )

    @staticmethod
    def _line(figures, reason):
        return next(line for line in figures["categories"] if line["name"] == reason.complete_name)


@tagged("post_install", "-at_install")
class TestFollowup(ReportCase):
    def test_survey_figures(self):
        f = self._wizard()._followup_figures()
        self.assertEqual(f["documents"], 10)
        self.assertEqual(f["to_survey"], 8)
        self.assertEqual(f["surveyed"], 5)
        self.assertEqual(f["surveyed_share"], 62.5)
        self.assertEqual((f["positive"], f["positive_share"]), (2, 40.0))
        self.assertEqual((f["negative"], f["negative_share"]), (3, 60.0))

    def test_complaints_by_category_from_the_surveys(self):
        f = self._wizard()._followup_figures()
        self.assertEqual(f["complaints"], 3)
        self.assertEqual(f["complaints_share"], 60.0)
        repair, price = self._line(f, self.repair), self._line(f, self.price)
        self.assertEqual((repair["code"], repair["count"]), (1, 2))
        self.assertEqual((repair["share_surveyed"], repair["share_complaints"]), (40.0, 66.67))
        self.assertEqual((price["code"], price["count"]), (21, 1))
        self.assertEqual((price["share_surveyed"], price["share_complaints"]), (20.0, 33.33))
        self.assertEqual(self._line(f, self.explain)["count"], 0)
        # Every category is listed, zeros too, each group's reasons together.
        leaves = self.env["dealer.complaint.reason"].search([("child_ids", "=", False)])
        self.assertEqual(len(f["categories"]), len(leaves))
        self.assertEqual(sum(line["count"] for line in f["categories"]), 3)
        groups = [
            self.env["dealer.complaint.reason"]
            .search([("complete_name", "=", line["name"])])
            .parent_id
            for line in f["categories"]
        ]
        seen = []
        for group in groups:
            if not seen or seen[-1] != group:
                self.assertNotIn(group, seen, "the reasons of a group are listed together")
                seen.append(group)

    def test_all_complaints_of_the_period(self):
        f = self._wizard(complaint_source="all")._followup_figures()
        counted = {line["name"]: line for line in f["categories"] if line["count"]}
        self.assertEqual(len(counted), 3)
        self.assertEqual(f["complaints"], 4)
        explain = self._line(f, self.explain)
        self.assertEqual((explain["count"], explain["share_surveyed"]), (1, 20.0))
        self.assertEqual(explain["share_complaints"], 25.0)
        self.assertEqual(self._line(f, self.repair)["share_complaints"], 50.0)

    def test_comments_list(self):
        comments = self._wizard()._followup_figures()["comments"]
        self.assertEqual(
            [line["comment"] for line in comments],
            [
                "Долго выдали автомобиль. Около часа оформляли.",
                "Плохо помыта машина",
                "дорого",
                "Всё хорошо.",
            ],
        )
        first = comments[0]
        self.assertEqual(first["date"], date(2019, 3, 2))
        self.assertEqual(first["client"], self.clients[0].name)
        self.assertEqual(first["task"], self.tasks[0].name)
        self.assertTrue(first["negative"])
        self.assertFalse(comments[3]["negative"])
        self.assertEqual(comments[1]["city"], "Санкт-Петербург")

    def test_branch_filter(self):
        branch = self.env["res.company"].create({"name": "Филиал Юг (отчёты)"})
        self.supervisor.company_ids |= branch
        f = self._wizard(company_ids=[(6, 0, branch.ids)])._followup_figures()
        self.assertEqual((f["documents"], f["to_survey"], f["complaints"]), (0, 0, 0))
        self.assertEqual(f["branches"], branch.name)

    def test_record_rules_apply_to_the_figures(self):
        """The figures are read with the user's record rules: were the report opened
        to operators, one would count only their own calls and appeals."""
        self.env["ir.model.access"].create(
            {
                "name": "followup for the test operator",
                "model_id": self.env.ref("dealer_complaint.model_dealer_complaint_followup").id,
                "group_id": self.env.ref("dealer_base.group_dealer_operator").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
            }
        )
        f = self._wizard(user=self.operator, complaint_source="all")._followup_figures()
        self.assertEqual((f["to_survey"], f["surveyed"], f["negative"]), (1, 1, 1))
        self.assertEqual(f["complaints"], 1)
        self.assertEqual(self._line(f, self.repair)["share_surveyed"], 100.0)

    def test_branch_team_counts_its_branch_only(self):
        south = self.env["res.company"].create({"name": "Филиал Юг (команда)"})
        team = new_test_user(
            self.env,
            "rp_team_south",
            groups="dealer_complaint.group_dealer_complaint_team",
            company_id=south.id,
            company_ids=[(6, 0, south.ids)],
            lang="en_US",
        )
        f = self._wizard(user=team, complaint_source="all")._followup_figures()
        self.assertEqual(
            (f["documents"], f["to_survey"], f["complaints"], f["comments"]), (0, 0, 0, [])
        )
        # Nor does anyone open another's report (and the workbook it holds).
        with self.assertRaises(AccessError):
            self._wizard().with_user(team).read(["report_html"])

    def test_shown_in_the_wizard(self):
        html = str(self._wizard().report_html)
        self.assertIn("62.50", html)
        self.assertIn(self.repair.complete_name, html)
        self.assertIn("Плохо помыта машина", html)

    def test_period_cannot_end_before_it_starts(self):
        with self.assertRaises(ValidationError):
            self._wizard(date_from=date(2019, 4, 1))
        wizard = self.env["dealer.complaint.followup"].new(
            {"date_from": date(2019, 4, 1), "date_to": date(2019, 3, 1)}
        )
        self.assertIn("cannot start after it ends", str(wizard.report_html))
        with self.assertRaises(UserError):
            wizard._followup_figures()

    def test_pdf_holds_the_figures(self):
        wizard = self._wizard()
        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            "dealer_complaint.action_report_complaint_followup", wizard.ids
        )
        self.assertEqual(kind, "html")
        html = html.decode()
        for text in (
            "Follow up PS",
            "03/01/2019",
            'o_followup_documents">10<',
            'o_followup_to_survey">8<',
            'o_followup_surveyed">5<',
            "62.50",
            "66.67",
            self.price.complete_name,
            "Всё хорошо.",
        ):
            self.assertIn(text, html)
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "dealer_complaint.report_complaint_followup")

    def test_excel_holds_the_figures(self):
        wizard = self._wizard()
        action = wizard.action_export_xlsx()
        self.assertIn(f"id={wizard.id}", action["url"])
        self.assertIn("download=true", action["url"])
        self.assertTrue(wizard.xlsx_filename.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.xlsx_file)))
        summary, comments = book.worksheets
        rows = [
            [c for c in row if c not in (None, "")] for row in summary.iter_rows(values_only=True)
        ]
        self.assertIn(["Documents in the period", 10], rows)
        self.assertIn(["To be surveyed in the period", 8], rows)
        self.assertIn(["Surveyed", 5], rows)
        self.assertIn(["Share surveyed, %", 62.5], rows)
        self.assertIn(["negative", 3, 60], rows)
        self.assertIn([1, self.repair.complete_name, 2, 40, 66.67], rows)
        self.assertIn(["Total", 3, 60, 100], rows)
        lines = list(comments.iter_rows(min_row=5, values_only=True))
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[0][0], datetime(2019, 3, 2))
        self.assertEqual(lines[0][1], self.clients[0].name)
        self.assertEqual(lines[0][5], "Долго выдали автомобиль. Около часа оформляли.")


@tagged("post_install", "-at_install")
class TestAnalysis(ReportCase):
    def test_days_in_work_is_a_measure(self):
        """The pivot averages the days in work in SQL as the card counts them."""
        appeals = self.appeals[:2]  # received on 5 and 8 March 2019, still open
        # The day in the user's time zone, as staff count it (not the server's).
        today = fields.Date.context_today(appeals)
        expected = ((today - date(2019, 3, 5)).days + (today - date(2019, 3, 8)).days) / 2
        self.assertEqual(sum(appeals.mapped("days_in_work")) / 2, expected)
        groups = self.env["dealer.complaint"].read_group(
            [("id", "in", appeals.ids)], ["days_in_work:avg"], []
        )
        self.assertEqual(groups[0]["days_in_work"], expected)
        by_reason = self.env["dealer.complaint"].read_group(
            [("id", "in", self.appeals.ids)], ["days_in_work:avg"], ["reason_group_id"]
        )
        self.assertEqual(
            {group["reason_group_id"][0]: group["reason_group_id_count"] for group in by_reason},
            {
                self.repair.parent_id.id: 2,
                self.price.parent_id.id: 2,
                self.explain.parent_id.id: 2,
            },
        )

    def test_analysis_action_opens_pivot_and_graph(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_complaint.action_dealer_complaint_analysis"
        )
        self.assertEqual(action["view_mode"], "pivot,graph,list")
        views = self.env["dealer.complaint"].get_views(
            [(False, "pivot"), (False, "graph"), (action["search_view_id"][0], "search")]
        )
        self.assertIn("days_in_work", views["views"]["pivot"]["arch"])
        self.assertIn('name="overdue"', views["views"]["search"]["arch"])


@tagged("post_install", "-at_install")
class TestOverdueDigest(ReportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env.ref("dealer_complaint.rule_complaint_overdue_digest")
        cls.consultant = new_test_user(
            cls.env,
            "rp_consultant",
            groups="dealer_base.group_dealer_consultant",
            name="Шарафутдинов Р.М.",
            lang="en_US",
        )
        cls.idle = new_test_user(
            cls.env,
            "rp_idle",
            groups="dealer_base.group_dealer_consultant",
            name="Без просрочек",
            lang="en_US",
        )
        cls.north = cls.env["res.company"].create({"name": "Филиал Север (отчёты)"})

        def appeal(deadline, user=None, company=None):
            return cls.env["dealer.complaint"].create(
                {
                    "type_id": cls.type_complaint.id,
                    "reason_id": cls.repair.id,
                    "partner_id": cls.clients[0].id,
                    "date_received": datetime(2030, 6, 1, 9, 0),
                    "date_deadline": deadline,
                    "user_id": user and user.id,
                    "company_id": (company or cls.env.company).id,
                    "description": "Клиент ожидает ответа",
                }
            )

        cls.overdue = appeal(date(2030, 6, 4), cls.consultant)
        cls.in_time = appeal(date(2030, 6, 20), cls.consultant)
        cls.cancelled = appeal(date(2030, 6, 3), cls.consultant)
        cls.cancelled.action_cancel()
        cls.unassigned = appeal(date(2030, 6, 5))
        cls.elsewhere = appeal(date(2030, 6, 5), company=cls.north)

    def test_digest_goes_to_who_has_overdue_appeals(self):
        # 09:05 in Moscow on 10 June 2030, just after the rule's 09:00.
        self.rule._plan(now=datetime(2030, 6, 10, 6, 5))
        lines = self.env["dealer.notification"].search([("rule_id", "=", self.rule.id)])
        users = self.env["res.users"].browse(lines.mapped("res_id"))
        self.assertIn(self.consultant, users)
        self.assertIn(self.supervisor, users)
        self.assertNotIn(self.idle, users)
        self.assertEqual(set(lines.mapped("occurrence")), {"2030-06-10"})
        with freeze_time("2030-06-10 06:06:00"):
            self.env["dealer.notification"]._dispatch()
        mine = lines.filtered(lambda line: line.res_id == self.consultant.id)
        self.assertEqual((mine.state, mine.user_id), ("delivered", self.consultant))
        self.assertIn(self.overdue.name, mine.body)
        self.assertNotIn(self.unassigned.name, mine.body)
        inbox = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.consultant.partner_id.id)]
        )
        self.assertIn(self.overdue.name, inbox.mail_message_id.mapped("body")[0])

    def test_body_lists_the_users_overdue_appeals_only(self):
        body = str(self.rule._digest_complaint_body(self.consultant, "2030-06-10"))
        self.assertIn(self.overdue.name, body)
        self.assertIn(f"/odoo/dealer.complaint/{self.overdue.id}", body)
        self.assertIn("6 days overdue", body)
        for other in (self.in_time, self.cancelled, self.unassigned, self.elsewhere):
            self.assertNotIn(other.name, body)

    def test_supervisor_sees_the_overdue_appeals_of_the_branch(self):
        body = str(self.rule._digest_complaint_body(self.supervisor, "2030-06-10"))
        self.assertIn(self.overdue.name, body)
        self.assertIn(self.unassigned.name, body)
        self.assertIn(self.consultant.name, body)
        self.assertNotIn(self.elsewhere.name, body)
        self.assertNotIn(self.in_time.name, body)

    def test_nothing_overdue(self):
        body = str(self.rule._digest_complaint_body(self.idle, "2030-06-10"))
        self.assertIn("No overdue appeals", body)
