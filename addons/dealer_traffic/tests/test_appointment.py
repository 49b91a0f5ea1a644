from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user

from .common import TrafficCase


class TestAppointment(TrafficCase):
    """Processing a contact into an appointment books its time, kind and service
    advisor; a vehicle visit and a deal get a planned date the same way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.maintenance = cls.env.ref("dealer_traffic.appointment_kind_maintenance")
        cls.diagnostics = cls.env.ref("dealer_traffic.appointment_kind_diagnostics")
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Запись", "parent_id": cls.env.company.id}
        )
        cls.branch_consultant = new_test_user(
            cls.env,
            "tr_branch_consultant",
            groups="dealer_base.group_dealer_consultant",
            company_id=cls.branch.id,
            company_ids=[Command.set(cls.branch.ids)],
        )
        cls.tomorrow = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)

    def _taken(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        return traffic.with_user(self.consultant)

    def _wizard(self, traffic, **values):
        vals = {"traffic_ids": [Command.set(traffic.ids)], "mode": "create"} | values
        return self.env["dealer.traffic.process.wizard"].with_user(self.consultant).create(vals)

    def _appointment(self, traffic, **values):
        booking = {
            "kind": "appointment",
            "visit_at": self.tomorrow,
            "appointment_kind_id": self.maintenance.id,
            "advisor_id": self.consultant2.id,
        }
        return self._wizard(traffic, **(booking | values))

    def test_process_into_an_appointment_books_it(self):
        traffic = self._taken()
        action = self._appointment(traffic).action_confirm()
        task = self.env["project.task"].with_user(self.consultant).browse(action["res_id"])
        self.assertEqual(traffic.state, "processed")
        self.assertEqual(task.dealer_kind, "appointment")
        self.assertEqual(task.dealer_visit_at, self.tomorrow)
        self.assertEqual(task.date_deadline, self.tomorrow)
        self.assertEqual(task.dealer_visit_end, self.tomorrow + timedelta(minutes=90))
        self.assertEqual(task.dealer_appointment_kind_id, self.maintenance)
        self.assertEqual(task.dealer_advisor_id, self.consultant2)
        # The advisor is an assignee too, next to the consultant who booked.
        self.assertEqual(task.user_ids, self.consultant | self.consultant2)
        self.assertIn("dealer_visit_at", task._track_get_fields())

    def test_appointment_needs_time_kind_and_advisor(self):
        traffic = self._taken()
        wizard = self._wizard(traffic, kind="appointment")
        with self.assertRaisesRegex(
            UserError, "date and time, the kind of appointment, the service advisor"
        ):
            wizard.action_confirm()
        wizard.write({"visit_at": self.tomorrow, "appointment_kind_id": self.maintenance.id})
        with self.assertRaisesRegex(UserError, "give the service advisor"):
            wizard.action_confirm()
        self.assertEqual(traffic.state, "in_progress")
        self.assertFalse(traffic.task_ids)

    def test_appointment_in_the_past_is_refused(self):
        traffic = self._taken()
        past = fields.Datetime.now() - timedelta(hours=2)
        with self.assertRaisesRegex(UserError, "is in the past"):
            self._appointment(traffic, visit_at=past).action_confirm()
        with self.assertRaisesRegex(UserError, "is in the past"):
            traffic.action_process("appointment", visit_at=fields.Datetime.to_string(past))
        with self.assertRaisesRegex(ValidationError, "not a valid date"):
            traffic.action_process("appointment", visit_at="завтра в десять")
        self.assertEqual(traffic.state, "in_progress")
        self.assertFalse(traffic.task_ids)

    def test_advisor_must_be_a_consultant_of_the_branch(self):
        traffic = self._taken()
        with self.assertRaisesRegex(ValidationError, "cannot be the service advisor"):
            self._appointment(traffic, advisor_id=self.branch_consultant.id).action_confirm()
        with self.assertRaisesRegex(ValidationError, "cannot be the service advisor"):
            traffic.action_process("appointment", visit_at=self.tomorrow, advisor=self.operator.id)
        self.assertEqual(traffic.state, "in_progress")
        # Only the branch's consultants are offered.
        candidates = self._wizard(traffic, kind="appointment").advisor_candidate_ids
        self.assertIn(self.consultant2, candidates)
        self.assertNotIn(self.branch_consultant, candidates)
        self.assertNotIn(self.operator, candidates)

    def test_advisor_changed_on_the_task_is_checked(self):
        task = self._taken().action_process(
            "appointment",
            visit_at=self.tomorrow,
            appointment_kind=self.maintenance,
            advisor=self.consultant2,
        )
        self.assertIn(self.consultant2, task.dealer_advisor_candidate_ids)
        self.assertNotIn(self.branch_consultant, task.dealer_advisor_candidate_ids)
        with self.assertRaisesRegex(ValidationError, "cannot be the service advisor"):
            task.write({"dealer_advisor_id": self.branch_consultant.id})
        # Moved to another time (on the form or in the calendar): the deadline follows.
        later = self.tomorrow + timedelta(days=1, hours=2)
        task.write({"dealer_visit_at": later, "dealer_appointment_kind_id": self.diagnostics.id})
        self.assertEqual(task.date_deadline, later)
        self.assertEqual(task.dealer_visit_end, later + timedelta(minutes=60))

    def test_kind_of_another_direction_is_refused(self):
        other = self.env["dealer.appointment.kind"].create(
            {"name": "Тест-драйв", "direction_id": self.sales.id}
        )
        with self.assertRaisesRegex(UserError, "is not offered for"):
            self._taken().action_process(
                "appointment", visit_at=self.tomorrow, appointment_kind=other
            )

    def test_visit_and_deal_get_a_planned_date(self):
        traffic = self._taken()
        planned = self.tomorrow + timedelta(hours=3)
        action = self._wizard(traffic, kind="visit", visit_at=planned).action_confirm()
        task = self.env["project.task"].browse(action["res_id"])
        self.assertEqual(task.dealer_kind, "visit")
        self.assertEqual(task.dealer_visit_at, planned)
        self.assertEqual(task.date_deadline, planned)
        self.assertFalse(task.dealer_advisor_id)
        # Without a date, a deal is planned later: it is due the goal's days after.
        deal = self._taken()
        before = fields.Datetime.now().replace(microsecond=0)
        action = self._wizard(deal, kind="deal").action_confirm()
        task = self.env["project.task"].browse(action["res_id"])
        self.assertFalse(task.dealer_visit_at)
        days = timedelta(days=self.goal_repair.task_deadline_days)
        self.assertGreaterEqual(task.date_deadline, before + days)
        self.assertLessEqual(task.date_deadline, fields.Datetime.now() + days)
        with self.assertRaisesRegex(UserError, "is in the past"):
            self._wizard(
                self._taken(), kind="deal", visit_at=fields.Datetime.now() - timedelta(days=1)
            ).action_confirm()

    def test_calendar_opens_on_the_booked_day(self):
        task = self._taken().action_process("visit", visit_at=self.tomorrow)
        action = task.action_dealer_open_calendar()
        self.assertEqual(action["res_model"], "project.task")
        self.assertEqual(action["views"][0][1], "calendar")
        self.assertEqual(
            action["context"]["initial_date"], fields.Datetime.to_string(self.tomorrow)
        )
        # A visit is shown among the appointments: the appointments-only filter is off.
        self.assertFalse(action["context"]["search_default_dealer_appointments"])
