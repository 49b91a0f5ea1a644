from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

# Friday 10 December 2026, 10:00 in Moscow: the 3rd day after Monday 7 December.
NOW = "2026-12-10 07:00:00"


class SurveyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"
        cls.supervisor = new_test_user(
            cls.env,
            "ps_supervisor",
            groups=group % "supervisor",
            name="Побединская Е.",
            lang="en_US",
        )
        cls.operator_a = new_test_user(
            cls.env, "ps_operator_a", groups=group % "operator", name="Поляков И.С.", lang="en_US"
        )
        cls.operator_b = new_test_user(
            cls.env, "ps_operator_b", groups=group % "operator", name="Сардин Э.В.", lang="en_US"
        )
        cls.survey = cls.env.ref("dealer_complaint.survey_post_service")
        # Only this survey plans in the tests, whatever the demo data holds.
        cls.env["survey.survey"].search(
            [("dealer_kind", "=", "post_service"), ("id", "!=", cls.survey.id)]
        ).dealer_plan_active = False
        cls.survey.write(
            {
                "dealer_user_ids": [(6, 0, (cls.operator_a | cls.operator_b).ids)],
                "dealer_company_ids": [(6, 0, cls.env.company.ids)],
                "dealer_days_after": 3,
                "dealer_plan_active": True,
            }
        )
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.project = cls.env["project.project"].create(
            {"name": "Сервис (опросы)", "company_id": False}
        )
        Partner = cls.env["res.partner"]
        cls.client = Partner.create(
            {
                "name": "Свороб Сергей Петрович",
                "mobile": "+7 911 717-83-33",
                "email": "svorob@example.com",
                "consent_phone_survey": True,
                "consent_sms": True,
                "consent_email": True,
            }
        )
        cls.client_2 = Partner.create(
            {
                "name": "Деревянко Сергей",
                "mobile": "+7 983 100-20-30",
                "consent_phone_survey": True,
            }
        )
        cls.no_consent = Partner.create(
            {"name": "Коротышова Юлия", "mobile": "+79219557827", "consent_sms": True}
        )
        cls.do_not_call = Partner.create(
            {
                "name": "Толкачев Валерий",
                "mobile": "+79169697849",
                "consent_phone_survey": True,
                "do_not_call": True,
            }
        )
        cls.branch_north = cls.env["res.company"].create({"name": "Филиал Север"})
        cls.supervisor.company_ids |= cls.branch_north
        # The calls of the demo data are not the tests'.
        cls.calls_before = cls.env["dealer.survey.call"].search([])

    @classmethod
    def _task(cls, partner, done_at, *, state="1_done", direction=None, company=None, name=None):
        task = cls.env["project.task"].create(
            {
                "name": name or f"ЗН {partner.name}",
                "project_id": cls.project.id,
                "partner_id": partner.id,
                "dealer_direction_id": (direction or cls.service).id,
                "company_id": (company or cls.env.company).id,
            }
        )
        task.write({"state": state, "date_end": done_at})
        return task

    def _calls(self):
        return (
            # The demo's done service orders are listed too when every branch is.
            self.env["dealer.survey.call"].search(
                [("survey_id", "=", self.survey.id), ("task_id.project_id", "=", self.project.id)]
            )
            - self.calls_before
        )

    def _plan(self):
        with freeze_time(NOW):
            self.env["survey.survey"]._cron_plan_post_service_calls()
        return self._calls()

    def _call(self, partner=None, task=None, user=None):
        partner = partner or self.client
        task = task or self._task(partner, datetime(2026, 12, 7, 9, 0))
        return (
            self.env["dealer.survey.call"]
            .with_user(self.supervisor)
            .create(
                {
                    "survey_id": self.survey.id,
                    "task_id": task.id,
                    "user_id": (user or self.operator_a).id,
                }
            )
        )

    def _ref(self, name):
        return self.env.ref(f"dealer_complaint.{name}")

    def _answer(self, call, overall, improve=(), comment=None, user=None):
        """Fill in the call's survey as the survey's pages do: the answer the call
        opens, its lines saved by the survey's own API, then finished."""
        action = call.with_user(user or call.user_id).action_start_survey()
        answer = call.sudo().user_input_id
        self.assertIn(answer.access_token, action["url"])
        answer._save_lines(self._ref("survey_post_service_q_overall"), self._ref(overall).id)
        answer._save_lines(
            self._ref("survey_post_service_q_improve"), [self._ref(name).id for name in improve]
        )
        if comment:
            answer._save_lines(self._ref("survey_post_service_q_comment"), comment)
        answer.with_user(user or call.user_id).sudo()._mark_done()
        return answer


@tagged("post_install", "-at_install")
class TestSurveyPlanning(SurveyCase):
    def test_cron_lists_each_done_service_task_once_on_the_nth_day(self):
        due = self._task(self.client, datetime(2026, 12, 7, 9, 0), name="ЗН 198322")
        due_2 = self._task(self.client, datetime(2026, 12, 7, 15, 0), name="ЗН 198323")
        late = self._task(self.client_2, datetime(2026, 12, 2, 12, 0))
        self._task(self.client_2, datetime(2026, 12, 8, 9, 0))  # only the 2nd day
        self._task(self.client_2, datetime(2026, 11, 20, 9, 0))  # long past
        self._task(self.client_2, datetime(2026, 12, 7, 9, 0), state="01_in_progress")
        self._task(
            self.client_2,
            datetime(2026, 12, 7, 9, 0),
            direction=self.env.ref("dealer_base.direction_sales"),
        )
        self._task(self.no_consent, datetime(2026, 12, 7, 9, 0))
        self._task(self.do_not_call, datetime(2026, 12, 7, 9, 0))
        north = self._task(self.client_2, datetime(2026, 12, 7, 9, 0), company=self.branch_north)

        calls = self._plan()

        self.assertEqual(set(calls.task_id.ids), {due.id, due_2.id, late.id})
        call = calls.filtered(lambda c: c.task_id == due)
        self.assertEqual(call.partner_id, self.client)
        self.assertEqual(call.phone, self.client.mobile)
        self.assertEqual(call.company_id, self.env.company)
        self.assertEqual(call.state, "to_call")
        self.assertEqual(call.date_service, datetime(2026, 12, 7, 9, 0))
        self.assertEqual(call.date_planned, date(2026, 12, 10))
        # Listed late: planned for its own 3rd day, so it shows as overdue.
        self.assertEqual(
            calls.filtered(lambda c: c.task_id == late).date_planned, date(2026, 12, 5)
        )
        # The operators in turn.
        per_operator = [
            len(calls.filtered(lambda c, u=u: c.user_id == u))
            for u in (self.operator_a, self.operator_b)
        ]
        self.assertEqual(sorted(per_operator), [1, 2])

        # Again: nothing twice.
        self.assertEqual(self._plan(), calls)

        # Every branch: the northern task joins, the others stay once.
        self.survey.dealer_company_ids = False
        with freeze_time(NOW):
            self.env.ref("dealer_complaint.ir_cron_post_service_survey").method_direct_trigger()
        calls = self._calls()
        self.assertEqual(len(calls), 4)
        self.assertEqual(calls.filtered(lambda c: c.task_id == north).company_id, self.branch_north)
        self.assertEqual(len(calls.filtered(lambda c: c.user_id == self.operator_a)), 2)
        self.assertEqual(len(calls.filtered(lambda c: c.user_id == self.operator_b)), 2)

    def test_days_after_and_inactive_plan(self):
        self._task(self.client, datetime(2026, 12, 9, 9, 0))
        self.survey.dealer_days_after = 1
        self.survey.dealer_plan_active = False
        self.assertFalse(self._plan())
        self.survey.dealer_plan_active = True
        calls = self._plan()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.date_planned, date(2026, 12, 10))
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.survey.dealer_days_after = -1

    def test_plan_now_button_and_no_operators(self):
        self._task(self.client, datetime(2026, 12, 7, 9, 0))
        self.survey.dealer_user_ids = False
        before = self.survey.dealer_call_count  # the demo's calls, when installed with demo
        with freeze_time(NOW):
            action = self.survey.action_dealer_plan_calls()
        self.assertIn("1", action["params"]["message"])
        self.assertFalse(self._calls().user_id)
        self.survey.invalidate_recordset(["dealer_call_count"])
        self.assertEqual(self.survey.dealer_call_count, before + 1)

    def test_manual_call_for_client_without_consent_is_refused(self):
        task = self._task(self.no_consent, datetime(2026, 12, 7, 9, 0))
        with (
            self.assertRaisesRegex(ValidationError, "not agreed to phone surveys"),
            self.cr.savepoint(),
        ):
            self._call(self.no_consent, task)
        task = self._task(self.do_not_call, datetime(2026, 12, 7, 9, 0))
        with self.assertRaisesRegex(ValidationError, "asked not to be called"), self.cr.savepoint():
            self._call(self.do_not_call, task)
        self.assertFalse(self._calls())

    def test_manual_call_takes_the_task_details(self):
        task = self._task(self.client, datetime(2026, 12, 7, 9, 0), company=self.branch_north)
        call = self._call(task=task)
        self.assertEqual(call.partner_id, self.client)
        self.assertEqual(call.company_id, self.branch_north)
        self.assertEqual(call.date_service, datetime(2026, 12, 7, 9, 0))
        self.assertEqual(call.display_name, f"{self.client.name} — {task.name}")
        # Once per task and survey.
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self._call(task=task)


@tagged("post_install", "-at_install")
class TestSurveyCall(SurveyCase):
    def test_start_survey_needs_consent_and_reuses_the_answer(self):
        call = self._call()
        action = call.with_user(self.operator_a).action_start_survey()
        answer = call.sudo().user_input_id
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], answer.get_start_url())
        self.assertEqual(answer.partner_id, self.client)
        self.assertEqual(answer.dealer_call_id, call)
        call.with_user(self.operator_a).action_start_survey()
        self.assertEqual(call.sudo().user_input_id, answer)

        self.client.consent_phone_survey = False
        with self.assertRaisesRegex(UserError, "not agreed to phone surveys"):
            call.with_user(self.operator_a).action_start_survey()

    def test_operator_works_only_their_calls(self):
        call = self._call(user=self.operator_a)
        with self.assertRaises(AccessError):
            call.with_user(self.operator_b).action_start_survey()
        with self.assertRaisesRegex(UserError, "buttons"):
            call.with_user(self.operator_a).write({"state": "done", "is_negative": True})
        call.with_user(self.operator_a).note = "перезвонить после 18:00"
        self.assertEqual(call.note, "перезвонить после 18:00")

    def test_unreachable_refused_and_call_again(self):
        call = self._call()
        as_operator = call.with_user(self.operator_a)
        as_operator.action_unreachable()
        as_operator.action_unreachable()
        self.assertEqual((call.state, call.attempt_count), ("unreachable", 2))
        self.assertEqual(call.done_user_id, self.operator_a)
        as_operator.action_refused()
        self.assertEqual(call.state, "refused")
        with self.assertRaisesRegex(UserError, "already closed"):
            as_operator.action_start_survey()
        with self.assertRaisesRegex(UserError, "already closed"):
            as_operator.action_unreachable()
        as_operator.action_reset_to_call()
        self.assertEqual(call.state, "to_call")
        self.assertFalse(call.date_done)
        with self.assertRaisesRegex(UserError, "Only unreachable or refused"):
            as_operator.action_reset_to_call()

    def test_send_link_by_sms_logs_the_message_with_the_link(self):
        call = self._call()
        call.with_user(self.operator_a).action_send_link()
        line = self.env["dealer.notification"].search(
            [("res_model", "=", "dealer.survey.call"), ("res_id", "=", call.id)]
        )
        self.assertEqual(len(line), 1)
        self.assertEqual(line.channel, "sms")
        self.assertEqual(line.partner_id, self.client)
        answer = call.sudo().user_input_id
        self.assertIn(answer.get_start_url(), line.body)
        self.assertEqual(call.notification_id, line)
        self.assertEqual(call.state, "to_call")
        # The client answers by the link later: the same answer is completed.
        call.with_user(self.operator_a).action_send_link_email()
        email = call.notification_id
        self.assertEqual(email.channel, "email")
        self.assertIn(answer.access_token, email.body)

    def test_send_link_without_consent_is_refused(self):
        self.client.consent_sms = False
        self.client.consent_email = False
        call = self._call()
        with self.assertRaisesRegex(UserError, "not agreed to receive SMS"):
            call.with_user(self.operator_a).action_send_link()
        with self.assertRaisesRegex(UserError, "not agreed to receive e-mails"):
            call.with_user(self.operator_a).action_send_link_email()
        self.assertFalse(
            self.env["dealer.notification"].search(
                [("res_model", "=", "dealer.survey.call"), ("res_id", "=", call.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestSurveyAppeal(SurveyCase):
    def test_negative_answer_registers_one_appeal_of_the_category(self):
        call = self._call()
        answer = self._answer(
            call,
            "survey_post_service_overall_poor",
            ["survey_post_service_improve_price", "survey_post_service_improve_wash"],
            comment="Дорого, и машина плохо помыта",
        )
        appeal = self.env["dealer.complaint"].search([("user_input_id", "=", answer.id)])
        self.assertEqual(len(appeal), 1)
        # The first category in the survey's order: the wash comes before the prices.
        self.assertEqual(appeal.reason_id, self._ref("reason_quality_wash"))
        self.assertEqual(appeal.type_id, self._ref("type_complaint"))
        self.assertEqual(appeal.source, "survey")
        self.assertEqual(appeal.survey_call_id, call)
        self.assertEqual(appeal.task_id, call.task_id)
        self.assertEqual(appeal.partner_id, self.client)
        self.assertEqual(appeal.company_id, call.company_id)
        self.assertEqual(appeal.channel_id, self.env.ref("dealer_traffic.channel_call"))
        self.assertIn("Дорого, и машина плохо помыта", appeal.description)
        self.assertEqual(call.complaint_id, appeal)
        self.assertEqual(call.state, "done")
        self.assertTrue(call.is_negative)
        self.assertEqual(call.comment, "Дорого, и машина плохо помыта")
        self.assertEqual(call.done_user_id, self.operator_a)
        # Finished again: no second appeal.
        answer.sudo()._mark_done()
        self.assertEqual(
            self.env["dealer.complaint"].search_count([("user_input_id", "=", answer.id)]), 1
        )

    def test_category_alone_registers_an_appeal(self):
        call = self._call()
        self._answer(
            call, "survey_post_service_overall_good", ["survey_post_service_improve_parts"]
        )
        self.assertTrue(call.is_negative)
        self.assertEqual(
            call.complaint_id.reason_id,
            self._ref("survey_post_service_improve_parts").dealer_reason_id,
        )

    def test_positive_answer_registers_none(self):
        call = self._call()
        answer = self._answer(
            call,
            "survey_post_service_overall_excellent",
            ["survey_post_service_improve_nothing"],
            comment="Всё хорошо.",
        )
        self.assertFalse(self.env["dealer.complaint"].search([("user_input_id", "=", answer.id)]))
        self.assertEqual(call.state, "done")
        self.assertFalse(call.is_negative)
        self.assertFalse(call.complaint_id)
        self.assertEqual(call.comment, "Всё хорошо.")

    def test_client_answering_by_link_as_public_user(self):
        call = self._call()
        call.with_user(self.operator_a).action_send_link()
        answer = call.sudo().user_input_id
        public = self.env.ref("base.public_user")
        # As the survey's pages: the public user, the answer in sudo.
        answer = answer.with_user(public).sudo()
        answer._save_lines(
            self._ref("survey_post_service_q_overall"),
            self._ref("survey_post_service_overall_unsatisfactory").id,
        )
        answer._mark_done()
        self.assertEqual(call.state, "done")
        self.assertFalse(call.done_user_id)
        appeal = call.complaint_id
        self.assertTrue(appeal)
        self.assertFalse(appeal.reason_id)
        self.assertEqual(appeal.channel_id, self.env.ref("dealer_traffic.channel_internet"))
        self.assertEqual(appeal.user_id, self.operator_a)

    def test_test_entries_register_nothing(self):
        answer = self.survey._create_answer(user=self.env.user, test_entry=True)
        answer._save_lines(
            self._ref("survey_post_service_q_overall"),
            self._ref("survey_post_service_overall_poor").id,
        )
        answer._mark_done()
        self.assertFalse(answer.dealer_complaint_ids)


@tagged("post_install", "-at_install")
class TestSurveyPages(HttpCase):
    def test_operator_opens_the_clients_survey(self):
        operator = new_test_user(
            self.env, "ps_http_operator", groups="dealer_base.group_dealer_operator", lang="en_US"
        )
        client = self.env["res.partner"].create(
            {"name": "Киреева Юлия", "mobile": "+79266226000", "consent_phone_survey": True}
        )
        call = self.env["dealer.survey.call"].create(
            {
                "survey_id": self.env.ref("dealer_complaint.survey_post_service").id,
                "partner_id": client.id,
                "user_id": operator.id,
            }
        )
        url = call.with_user(operator).action_start_survey()["url"]
        self.authenticate("ps_http_operator", "ps_http_operator")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Survey Access Error", response.text)
        # Someone else's client stays closed to a colleague.
        new_test_user(
            self.env, "ps_http_other", groups="dealer_base.group_dealer_operator", lang="en_US"
        )
        self.authenticate("ps_http_other", "ps_http_other")
        self.assertIn("Survey Access Error", self.url_open(url).text)
