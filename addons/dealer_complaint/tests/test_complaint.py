from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaint(ComplaintCase):
    # --- numbering, defaults ------------------------------------------------------------
    def test_number_and_display_name(self):
        first = self._complaint()
        second = self._complaint(partner_id=False, contact_name="Аноним")
        self.assertTrue(first.name.startswith("ОБР-"))
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(first.display_name, f"{first.name} — Лихачева Елена Михайловна")
        self.assertEqual(second.display_name, f"{second.name} — Аноним")
        self.assertEqual(first.state, "open")
        self.assertEqual(first.source, "manual")
        self.assertEqual(first.company_id, self.branch)

    def test_type_defaults_to_complaint(self):
        complaint = self.env["dealer.complaint"].with_user(self.consultant).create({})
        self.assertEqual(complaint.type_id, self.type_complaint)
        self.assertEqual(complaint.kind, "complaint")
        self.assertTrue(complaint.approval_required, "answers to complaints are approved")

    def test_client_details_come_from_the_client(self):
        complaint = self._complaint()
        self.assertEqual(complaint.phone, "+7 921 401-84-61")
        self.assertEqual(complaint.phone_normalized, "+79214018461")
        self.assertEqual(complaint.email, "lihacheva@example.com")
        self.assertEqual(complaint.city, "Санкт-Петербург")
        self.assertEqual(complaint.contact_name, "Лихачева Елена Михайловна")
        self.assertEqual(complaint.vehicle_id, self.vehicle, "the client's only car")
        self.assertEqual(complaint.license_plate, "К093СС98")
        # Two cars: the appeal does not guess.
        self.env["dealer.vehicle"].create({"owner_id": self.client.id, "license_plate": "Р635ОР98"})
        self.assertFalse(self._complaint().vehicle_id)

    def test_phone_search_in_any_format(self):
        complaint = self._complaint(partner_id=False, contact_name="Аноним", phone="89161234567")
        Complaint = self.env["dealer.complaint"].with_user(self.consultant)
        for typed in ("+7 (916) 123-45-67", "8 916 123 45 67", "1234567"):
            self.assertIn(complaint, Complaint.search([("phone_search", "ilike", typed)]), typed)
        self.assertNotIn(complaint, Complaint.search([("phone_search", "ilike", "89990000000")]))
        # The client's own phones count too.
        mine = self._complaint(phone=False)
        self.assertIn(mine, Complaint.search([("phone_search", "ilike", "8 921 401 84 61")]))

    # --- the process-by date ------------------------------------------------------------
    def test_deadline_default_per_type(self):
        received = datetime(2026, 3, 2, 10, 0)  # 13:00 in Moscow
        complaint = self._complaint(type_id=self.type_complaint.id, date_received=received)
        self.assertEqual(complaint.date_deadline, date(2026, 3, 5))
        self.assertFalse(complaint.date_deadline_manual)
        complaint.type_id = self.type_claim
        self.assertEqual(complaint.date_deadline, date(2026, 3, 12), "ten days for a claim")
        self.type_question.process_days = 1
        question = self._complaint(type_id=self.type_question.id, date_received=received)
        self.assertEqual(question.date_deadline, date(2026, 3, 3))
        self.assertEqual(
            complaint.date_deadline, date(2026, 3, 12), "existing appeals keep their date"
        )

    def test_deadline_uses_the_users_day(self):
        # 22:30 UTC is already the next day in Moscow.
        complaint = self._complaint(
            type_id=self.type_complaint.id, date_received=datetime(2026, 3, 2, 22, 30)
        )
        self.assertEqual(complaint.date_deadline, date(2026, 3, 6))

    def test_deadline_set_by_hand_is_kept(self):
        received = datetime(2026, 3, 2, 10, 0)
        complaint = self._complaint(type_id=self.type_complaint.id, date_received=received)
        complaint.date_deadline = date(2026, 3, 20)
        self.assertTrue(complaint.date_deadline_manual)
        complaint.type_id = self.type_question
        self.assertEqual(complaint.date_deadline, date(2026, 3, 20), "set by hand: kept")
        # Emptied: back to the type's default.
        complaint.date_deadline = False
        self.assertEqual(complaint.date_deadline, date(2026, 3, 5))
        self.assertFalse(complaint.date_deadline_manual)
        # The form recomputing it for a new type is no hand-set date.
        with Form(complaint.with_user(self.consultant)) as form:
            form.type_id = self.type_claim
        self.assertEqual(complaint.date_deadline, date(2026, 3, 12))
        self.assertFalse(complaint.date_deadline_manual)
        created = self._complaint(date_received=received, date_deadline=date(2026, 3, 9))
        self.assertTrue(created.date_deadline_manual)
        self.assertEqual(created.date_deadline, date(2026, 3, 9))

    def test_deadline_before_received_refused(self):
        received = datetime(2026, 3, 2, 10, 0)
        message = "The process-by date cannot be before the date received."
        with self.assertRaisesRegex(ValidationError, message):
            self._complaint(date_received=received, date_deadline=date(2026, 3, 1))
        complaint = self._complaint(date_received=received)
        with self.assertRaisesRegex(ValidationError, message):
            complaint.date_deadline = date(2026, 2, 28)
        # Received later, with the default date: the date follows.
        complaint = self._complaint(date_received=received)
        complaint.date_received = datetime(2026, 3, 30, 10, 0)
        self.assertEqual(complaint.date_deadline, date(2026, 4, 2))
        complaint.date_deadline = date(2026, 3, 30)  # the same day is fine
        self.assertEqual(complaint.date_deadline, date(2026, 3, 30))
        # With a date set by hand, it does not.
        complaint = self._complaint(date_received=received, date_deadline=date(2026, 3, 10))
        with self.assertRaisesRegex(ValidationError, message):
            complaint.date_received = datetime(2026, 3, 30, 10, 0)

    # --- overdue ----------------------------------------------------------------------------
    def test_overdue_computation_and_search(self):
        with freeze_time("2026-03-10 09:00:00"):
            late = self._complaint(
                date_received=datetime(2026, 3, 2, 9, 0), date_deadline=date(2026, 3, 5)
            )
            on_time = self._complaint(date_received=datetime(2026, 3, 9, 9, 0))
            due_today = self._complaint(
                date_received=datetime(2026, 3, 9, 9, 0), date_deadline=date(2026, 3, 10)
            )
            self.assertTrue(late.is_overdue)
            self.assertEqual(late.days_in_work, 8)
            self.assertEqual(late.days_overdue, 5)
            self.assertFalse(on_time.is_overdue)
            self.assertEqual(on_time.days_in_work, 1)
            self.assertEqual(on_time.days_overdue, 0)
            self.assertFalse(due_today.is_overdue, "the process-by day itself is not late")
            Complaint = self.env["dealer.complaint"].with_user(self.consultant)
            mine = [("id", "in", (late | on_time | due_today).ids)]
            self.assertEqual(Complaint.search([*mine, ("is_overdue", "=", True)]), late)
            self.assertEqual(
                Complaint.search([*mine, ("is_overdue", "=", False)]), on_time | due_today
            )
            self.assertEqual(
                Complaint.search([*mine, ("is_overdue", "!=", True)]), on_time | due_today
            )
            with self.assertRaises(UserError):
                Complaint.search([("is_overdue", "in", [True])])

            # Closed after the deadline: no longer overdue, but closed late.
            late.conclusion = "Принесены извинения"
            late.result = "satisfied"
            late.action_start()
            late.action_request_closing()
            late.action_close()
            self.assertFalse(late.is_overdue)
            self.assertTrue(late.was_overdue)
            self.assertEqual(late.days_in_work, 8)
            self.assertEqual(late.days_overdue, 5)
            on_time.action_cancel()
            self.assertFalse(on_time.is_overdue)
            self.assertEqual(on_time.days_in_work, 0)

        with freeze_time("2026-03-20 09:00:00"):
            late.invalidate_recordset(["days_in_work", "days_overdue"])
            self.assertEqual(late.days_in_work, 8, "a closed appeal's days stop")

    def test_days_are_reported_in_sql(self):
        now = fields.Datetime.now()
        today = fields.Date.context_today(self.env["dealer.complaint"].with_user(self.consultant))
        appeals = self._complaint(
            date_received=now - timedelta(days=6), date_deadline=today - timedelta(days=2)
        ) | self._complaint(date_received=now - timedelta(days=2))
        Complaint = self.env["dealer.complaint"].with_user(self.consultant)
        domain = [("id", "in", appeals.ids)]
        [(total, average)] = Complaint._read_group(
            domain, [], ["days_overdue:sum", "days_in_work:avg"]
        )
        self.assertEqual(total, 2)
        self.assertEqual(average, 4)
        self.assertEqual(sum(appeals.mapped("days_overdue")), 2)
        ordered = Complaint.search(domain, order="days_in_work desc")
        self.assertEqual(ordered.mapped("days_in_work"), [6, 2])
        fields_info = Complaint.fields_get(["days_in_work"], ["aggregator", "sortable"])
        self.assertEqual(fields_info["days_in_work"]["aggregator"], "avg")
        self.assertTrue(fields_info["days_in_work"]["sortable"])

    # --- workflow ---------------------------------------------------------------------------
    def test_workflow_without_approval(self):
        complaint = self._complaint(user_id=False)
        complaint.action_start()
        self.assertEqual(complaint.state, "in_progress")
        self.assertEqual(complaint.user_id, self.consultant, "taken by whoever starts it")
        with self.assertRaisesRegex(UserError, "Write the conclusion"):
            complaint.action_request_closing()
        complaint.conclusion = "Машину перемыли, клиенту принесены извинения."
        complaint.action_request_closing()
        self.assertEqual(complaint.state, "closing")
        self.assertEqual(complaint.approval_state, "none")
        with self.assertRaisesRegex(UserError, "Choose the result before closing"):
            complaint.action_close()
        self.assertEqual(complaint.state, "closing", "nothing is lost")
        self.assertTrue(complaint.conclusion)
        complaint.result = "satisfied"
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")
        self.assertTrue(complaint.date_closed)
        self.assertEqual(complaint.date_answered, fields.Date.context_today(complaint))
        self.assertFalse(complaint.was_overdue)

    def test_each_step_of_the_workflow_checks_the_state(self):
        complaint = self._complaint(conclusion="Ответ", result="satisfied")
        with self.assertRaisesRegex(UserError, "is open: it cannot be sent for closing"):
            complaint.action_request_closing()
        with self.assertRaisesRegex(UserError, "it cannot be closed"):
            complaint.action_close()
        with self.assertRaisesRegex(UserError, "it cannot be reopened"):
            complaint.with_user(self.supervisor).action_reopen()
        with self.assertRaisesRegex(UserError, "is not waiting for approval"):
            complaint.with_user(self.supervisor).action_approve()
        complaint.action_start()
        with self.assertRaisesRegex(UserError, "is in progress: it cannot be taken into work"):
            complaint.action_start()
        complaint.action_request_closing()
        complaint.action_close()
        with self.assertRaisesRegex(UserError, "is closed: it cannot be cancelled"):
            complaint.action_cancel()
        with self.assertRaisesRegex(UserError, "it cannot be sent for closing"):
            complaint.action_request_closing()

    def test_workflow_fields_are_the_actions(self):
        complaint = self._complaint()
        for vals in (
            {"state": "closed"},
            {"approval_state": "approved"},
            {"source": "survey"},
            {"was_overdue": True},
        ):
            with self.assertRaisesRegex(UserError, "set by its workflow"):
                complaint.write(vals)
        with self.assertRaisesRegex(UserError, "set by its workflow"):
            self._complaint(state="closed")
        with self.assertRaisesRegex(UserError, "set by its workflow"):
            self._complaint(source="survey")
        self.assertEqual(self._complaint(state="open", source="manual").state, "open")
        # Administrators correct what went wrong.
        complaint.with_user(self.env.ref("base.user_admin")).write({"external_id": "135886130"})
        complaint.sudo().write({"state": "in_progress"})
        self.assertEqual(complaint.state, "in_progress")

    def test_only_responsible_or_managers_act(self):
        complaint = self._complaint(user_id=self.consultant2.id)
        # The consultant registered it and sees it, but is not its responsible.
        with self.assertRaisesRegex(AccessError, "Only the responsible employee"):
            complaint.with_user(self.consultant).action_start()
        complaint.with_user(self.team).action_start()
        self.assertEqual(complaint.state, "in_progress")
        complaint.with_user(self.consultant2).action_cancel()
        self.assertEqual(complaint.state, "cancelled")
        with self.assertRaisesRegex(AccessError, "Only a supervisor of the branch"):
            complaint.with_user(self.consultant2).action_reopen()
        complaint.with_user(self.supervisor).action_reopen()
        self.assertEqual(complaint.state, "in_progress")

    def test_cancel_and_delete(self):
        complaint = self._complaint()
        with self.assertRaisesRegex(UserError, "Cancel an appeal before deleting it"):
            complaint.with_user(self.supervisor).unlink()
        complaint.action_cancel()
        complaint.with_user(self.supervisor).unlink()
        self.assertFalse(complaint.exists())

    # --- steps and satisfaction ------------------------------------------------------------
    def test_steps_record_the_clients_satisfaction(self):
        complaint = self._complaint(type_id=self.type_complaint.id, reason_id=self.reason_wash.id)
        Step = self.env["dealer.complaint.step"].with_user(self.consultant)
        start = datetime(2026, 3, 2, 9, 0)
        first = Step.create(
            {
                "complaint_id": complaint.id,
                "body": "Плохо помыта машина",
                "satisfaction": "dissatisfied",
                "date": start,
            }
        )
        self.assertEqual(complaint.state, "in_progress", "a step puts the appeal into work")
        self.assertEqual(complaint.satisfaction, "dissatisfied")
        self.assertEqual(first.user_id, self.consultant)
        self.assertEqual(first.position, "Мастер-консультант")
        Step.create(
            {
                "complaint_id": complaint.id,
                "body": "Принесены извинения",
                "satisfaction": "satisfied",
                "date": start + timedelta(hours=1),
            }
        )
        Step.create(
            {
                "complaint_id": complaint.id,
                "body": "Позвонили ещё раз, клиент не ответил",
                "date": start + timedelta(hours=2),
            }
        )
        self.assertEqual(complaint.step_count, 3)
        self.assertEqual(complaint.satisfaction, "satisfied", "the last step that says")
        self.assertEqual(
            complaint.step_ids.mapped("body"),
            [
                "Плохо помыта машина",
                "Принесены извинения",
                "Позвонили ещё раз, клиент не ответил",
            ],
        )
        bodies = complaint.message_ids.mapped("body")
        self.assertTrue(any("Принесены извинения" in body and "😊" in body for body in bodies))

    def test_steps_belong_to_their_author(self):
        complaint = self._complaint(user_id=self.consultant.id)
        step = (
            self.env["dealer.complaint.step"]
            .with_user(self.consultant)
            .create({"complaint_id": complaint.id, "body": "Плохо помыта машина"})
        )
        step.body = "Плохо помыта машина, грязный салон"
        with self.assertRaisesRegex(AccessError, "who wrote it"):
            step.with_user(self.team).write({"body": "Переписано"})
        step.with_user(self.supervisor).write({"satisfaction": "neutral"})
        self.assertEqual(step.satisfaction, "neutral")
        with self.assertRaisesRegex(UserError, "stays with its appeal and its author"):
            step.write({"user_id": self.consultant2.id})
        # Whatever the form says, the author is whoever writes the step.
        forged = (
            self.env["dealer.complaint.step"]
            .with_user(self.team)
            .create(
                {"complaint_id": complaint.id, "body": "От имени", "user_id": self.consultant.id}
            )
        )
        self.assertEqual(forged.user_id, self.team)

    def test_no_steps_on_a_closed_appeal(self):
        complaint = self._complaint(conclusion="Ответ", result="satisfied")
        step = (
            self.env["dealer.complaint.step"]
            .with_user(self.consultant)
            .create({"complaint_id": complaint.id, "body": "Ответ дан"})
        )
        complaint.action_request_closing()
        complaint.action_close()
        with self.assertRaisesRegex(UserError, "reopen it to change its steps"):
            self.env["dealer.complaint.step"].with_user(self.consultant).create(
                {"complaint_id": complaint.id, "body": "Ещё"}
            )
        with self.assertRaisesRegex(UserError, "reopen it to change its steps"):
            step.body = "Изменено"

    # --- approval ---------------------------------------------------------------------------
    def _ready_for_approval(self, complaint_type):
        complaint = self._complaint(
            type_id=complaint_type.id, conclusion="Предложена скидка на следующее ТО."
        )
        complaint.action_start()
        complaint.action_request_closing()
        return complaint

    def _approval_users(self, complaint):
        activity_type = self.env.ref("dealer_complaint.mail_activity_type_approval")
        return complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).user_id

    def test_approval_by_a_supervisor(self):
        complaint = self._ready_for_approval(self.type_complaint)
        self.assertEqual(complaint.state, "closing")
        self.assertEqual(complaint.approval_state, "pending")
        approvers = self._approval_users(complaint)
        self.assertIn(self.supervisor, approvers)
        self.assertNotIn(self.lawyer, approvers, "complaints are approved by supervisors")
        self.assertNotIn(self.north_supervisor, approvers, "another branch's supervisor")
        complaint.result = "satisfied"
        with self.assertRaisesRegex(UserError, "must be approved before the appeal is closed"):
            complaint.action_close()
        with self.assertRaisesRegex(AccessError, "Only a supervisor of the branch or a lawyer"):
            complaint.action_approve()
        self.assertFalse(complaint.can_approve)
        self.assertTrue(complaint.with_user(self.supervisor).can_approve)
        complaint.with_user(self.supervisor).action_approve()
        self.assertEqual(complaint.approval_state, "approved")
        self.assertEqual(complaint.approver_id, self.supervisor)
        self.assertTrue(complaint.approval_date)
        self.assertFalse(self._approval_users(complaint), "the requests are done")
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")

    def test_approval_by_a_lawyer(self):
        complaint = self._ready_for_approval(self.type_claim)
        self.assertIn(self.lawyer, self._approval_users(complaint))
        self.assertTrue(complaint.with_user(self.lawyer).can_approve)
        complaint.with_user(self.lawyer).action_approve()
        self.assertEqual(complaint.approval_state, "approved")
        self.assertEqual(complaint.approver_id, self.lawyer)
        self.assertIn(
            self.env._("The answer is approved."),
            complaint.message_ids.mapped("body")[0],
        )

    def test_rejected_answer_goes_back_into_work(self):
        complaint = self._ready_for_approval(self.type_complaint)
        action = complaint.with_user(self.supervisor).action_open_reject()
        self.assertEqual(action["res_model"], "dealer.complaint.reject")
        wizard = (
            self.env["dealer.complaint.reject"]
            .with_user(self.supervisor)
            .with_context(**action["context"])
            .create({"comment": "Скидка не согласована с руководством."})
        )
        wizard.action_confirm()
        self.assertEqual(complaint.state, "in_progress")
        self.assertEqual(complaint.approval_state, "rejected")
        self.assertEqual(complaint.approval_comment, "Скидка не согласована с руководством.")
        self.assertFalse(self._approval_users(complaint))
        self.assertIn("Скидка не согласована", complaint.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "is not waiting for approval"):
            complaint.with_user(self.supervisor).action_reject("Ещё раз")
        # A new answer is sent for approval again.
        complaint.conclusion = "Клиенту предложена бесплатная мойка."
        complaint.action_request_closing()
        self.assertEqual(complaint.approval_state, "pending")
        with self.assertRaisesRegex(UserError, "Say why the answer is rejected"):
            complaint.with_user(self.supervisor).action_reject("  ")
        with self.assertRaisesRegex(AccessError, "Only a supervisor of the branch or a lawyer"):
            complaint.with_user(self.north_supervisor).action_reject("Чужой филиал")

    def test_approval_requirement_is_fixed_once_requested(self):
        complaint = self._complaint(type_id=self.type_question.id, conclusion="Ответ")
        self.assertFalse(complaint.approval_required)
        complaint.approval_required = True  # the responsible may ask for it
        complaint.action_start()
        complaint.action_request_closing()
        self.assertEqual(complaint.approval_state, "pending")
        with self.assertRaisesRegex(UserError, "cannot change any more"):
            complaint.approval_required = False
        # The type changing does not drop the approval either.
        complaint.type_id = self.env.ref("dealer_complaint.type_gratitude")
        self.assertTrue(complaint.approval_required)

    def test_cancel_drops_the_approval_requests(self):
        complaint = self._ready_for_approval(self.type_complaint)
        self.assertTrue(self._approval_users(complaint))
        complaint.action_cancel()
        self.assertEqual(complaint.state, "cancelled")
        self.assertEqual(complaint.approval_state, "none")
        self.assertFalse(self._approval_users(complaint))
        complaint.with_user(self.supervisor).action_reopen()
        self.assertEqual(complaint.state, "in_progress")

    # --- from traffic -----------------------------------------------------------------------
    def _feedback_traffic(self, **values):
        vals = {
            "channel_id": self.env.ref("dealer_traffic.channel_call").id,
            "direction_id": self.env.ref("dealer_base.direction_feedback").id,
            "goal_id": self.env.ref("dealer_traffic.goal_feedback_complaint").id,
            "partner_id": self.client.id,
            "vehicle_id": self.vehicle.id,
            "user_id": self.consultant.id,
            "note": "Клиент не получил ответа на первичное обращение.",
        }
        vals.update(values)
        traffic = self.env["dealer.traffic"].with_user(self.operator).create(vals)
        traffic.action_register()
        return traffic

    def _process_wizard(self, traffic, user=None):
        return Form(
            self.env["dealer.traffic.process.wizard"]
            .with_user(user or self.consultant)
            .with_context(default_traffic_ids=traffic.ids)
        )

    def test_register_from_a_feedback_call_through_the_wizard(self):
        traffic = self._feedback_traffic()
        with self._process_wizard(traffic) as form:
            self.assertEqual(form.mode, "complaint", "offered first for feedback")
            self.assertTrue(form.is_feedback)
            form.complaint_reason_id = self.reason_wash
        action = form.record.action_confirm()
        complaint = self.env["dealer.complaint"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "dealer.complaint")
        self.assertEqual(complaint.traffic_id, traffic)
        self.assertEqual(complaint.source, "traffic")
        self.assertEqual(complaint.type_id, self.type_complaint)
        self.assertEqual(complaint.reason_id, self.reason_wash)
        self.assertEqual(complaint.reason_group_id, self.env.ref("dealer_complaint.reason_quality"))
        self.assertEqual(complaint.partner_id, self.client)
        self.assertEqual(complaint.vehicle_id, self.vehicle)
        self.assertEqual(complaint.channel_id, traffic.channel_id)
        self.assertEqual(complaint.goal_id, traffic.goal_id)
        self.assertEqual(complaint.user_id, self.consultant)
        self.assertEqual(complaint.date_received, traffic.date)
        self.assertEqual(complaint.description, traffic.note)
        self.assertEqual(traffic.state, "processed")
        self.assertTrue(traffic.processed_date)
        # Seen by the consultant; the operator who registered the call does not see it.
        traffic = traffic.with_user(self.consultant)
        self.assertEqual(traffic.complaint_ids, complaint)
        self.assertEqual(traffic.complaint_count, 1)
        self.assertEqual(traffic.action_view_complaints()["res_id"], complaint.id)
        self.assertEqual(traffic.with_user(self.operator).complaint_count, 0)

    def test_register_only_feedback_contacts(self):
        traffic = self._feedback_traffic(
            direction_id=self.env.ref("dealer_base.direction_service").id,
            goal_id=self.env.ref("dealer_traffic.goal_service_repair").id,
        )
        with self.assertRaisesRegex(UserError, "Only feedback contacts are registered"):
            traffic.with_user(self.consultant).action_register_complaint()
        with self._process_wizard(traffic) as form:
            self.assertEqual(form.mode, "create")
            self.assertFalse(form.is_feedback)
            form.task_mode = "attach"
            self.assertEqual(form.mode, "attach")
            form.task_mode = "create"
            form.kind = "visit"
        self.assertEqual(traffic.state, "assigned", "nothing registered")

    def test_register_from_traffic_checks_its_state_and_values(self):
        traffic = self._feedback_traffic()
        with self.assertRaisesRegex(UserError, "with its type, reason and texts only"):
            traffic.with_user(self.consultant).action_register_complaint({"state": "closed"})
        with self.assertRaisesRegex(AccessError, "Only the responsible employee"):
            traffic.with_user(self.consultant2).action_register_complaint()
        complaint = traffic.with_user(self.consultant).action_register_complaint(
            {"type_id": self.type_question.id, "description": "Вопрос по гарантии"}
        )
        self.assertEqual(complaint.type_id, self.type_question)
        self.assertEqual(complaint.description, "Вопрос по гарантии")
        with self.assertRaisesRegex(UserError, "it cannot be registered as an appeal"):
            traffic.with_user(self.consultant).action_register_complaint()

    # --- links ------------------------------------------------------------------------------
    def test_client_and_task_show_their_appeals(self):
        task = self.env["project.task"].create(
            {"name": "Заказ-наряд 198322", "partner_id": self.client.id}
        )
        complaint = self._complaint(task_id=task.id)
        self._complaint(partner_id=False, contact_name="Другой")
        client = self.client.with_user(self.consultant)
        self.assertEqual(client.complaint_count, 1)
        self.assertEqual(task.with_user(self.consultant).complaint_count, 1)
        action = client.action_view_complaints()
        self.assertEqual(
            self.env["dealer.complaint"].with_user(self.consultant).search(action["domain"]),
            complaint,
        )
        self.assertEqual(task.action_view_complaints()["context"]["default_task_id"], task.id)
        # Staff without any appeal rights see no count rather than an error.
        clerk = new_test_user(self.env, "dc_clerk", groups="base.group_user", lang="en_US")
        self.assertEqual(self.client.with_user(clerk).complaint_count, 0)
