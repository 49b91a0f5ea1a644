from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestWorkflowFields(TrafficCase):
    """What the workflow owns cannot be written directly, by any role but the
    dealership administrator."""

    def test_consultant_cannot_forge_the_state_or_step_times(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        mine = traffic.with_user(self.consultant)
        forged_values = [
            {"state": "processed"},
            {"taken_date": "2099-01-01 10:00:00"},
            {"processed_date": "2026-01-01 10:00:00"},
            {"take_minutes": -30.0},
            {"registrar_id": self.consultant.id},
            {"name": "TR999999"},
            {"ignore_reason_id": self.env.ref("dealer_traffic.ignore_reason_wrong_number").id},
            {"user_id": self.consultant2.id},
        ]
        for vals in forged_values:
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "set by its workflow"):
                mine.write(vals)
        self.assertEqual(traffic.state, "assigned")
        self.assertFalse(traffic.taken_date)
        self.assertFalse(traffic.task_ids)
        mine.write({"note": "Перезвонить после обеда", "is_repeat": True})
        self.assertEqual(traffic.note, "Перезвонить после обеда")

    def test_operator_cannot_create_a_contact_already_processed(self):
        for vals in (
            {"state": "processed"},
            {"taken_date": "2026-01-01 10:00:00"},
            {"registrar_id": self.consultant.id},
            {"is_transferred": True},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "set by its workflow"):
                self._traffic(**vals)
        # What the web client sends for a blank draft is accepted.
        draft = self._traffic(state="new", registrar_id=self.operator.id, name="/")
        self.assertTrue(draft.name.startswith("TR"))

    def test_draft_responsible_may_change_until_registered(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.user_id = self.consultant2
        traffic.action_register()
        with self.assertRaisesRegex(UserError, "set by its workflow"):
            traffic.user_id = self.consultant

    def test_contact_cannot_be_dated_in_the_future(self):
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self._traffic(date="2099-01-01 10:00:00")
        with self.assertRaisesRegex(ValidationError, "between 1900 and 2100"):
            self._traffic(date="1812-09-07 10:00:00")

    def test_administrator_corrects_workflow_fields(self):
        admin = new_test_user(self.env, "tr_guard_admin", groups="dealer_base.group_dealer_admin")
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.with_user(admin).write({"state": "in_progress", "taken_date": traffic.date})
        self.assertEqual(traffic.state, "in_progress")
        self.assertEqual(traffic.take_minutes, 0)


@tagged("post_install", "-at_install")
class TestWhoActs(TrafficCase):
    """Actions check the caller's role and relation to the contact, not only the state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(cls.env, "tr_portal", groups="base.group_portal")
        cls.stranger = new_test_user(cls.env, "tr_stranger", groups="base.group_user")
        cls.ghost = new_test_user(cls.env, "tr_ghost", groups="dealer_base.group_dealer_consultant")
        cls.ghost.active = False

    def _registered(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        return traffic

    def test_only_consultants_take(self):
        traffic = self._traffic(channel_id=self.visit.id)
        traffic.action_queue()
        with self.assertRaisesRegex(AccessError, "Consultant"):
            traffic.action_take()
        traffic.with_user(self.consultant).action_take()
        self.assertEqual(traffic.user_id, self.consultant)

    def test_the_loser_of_a_take_is_told_who_won(self):
        traffic = self._traffic(channel_id=self.visit.id)
        traffic.action_queue()
        traffic.with_user(self.consultant).action_take()
        with self.assertRaisesRegex(UserError, "already taken by tr_consultant"):
            traffic.with_user(self.consultant2).action_take()
        registered = self._registered()
        with self.assertRaisesRegex(UserError, "already assigned to tr_consultant"):
            registered.with_user(self.consultant2).action_take()

    def test_only_the_responsible_or_a_supervisor_acts_on_a_contact(self):
        traffic = self._registered()
        reason = self.env.ref("dealer_traffic.ignore_reason_wrong_number")
        colleague = traffic.with_user(self.consultant2)
        operator = traffic.with_user(self.operator)
        for attempt in (
            lambda t: t.action_process("appointment"),
            lambda t: t.action_ignore(reason),
            lambda t: t.action_reassign(self.consultant2.id),
        ):
            with self.subTest(attempt=attempt), self.assertRaises(AccessError):
                attempt(colleague)
            with (
                self.subTest(attempt=attempt),
                self.assertRaisesRegex(AccessError, "Only the responsible employee"),
            ):
                attempt(operator)
        supervisor = traffic.with_user(self.supervisor)
        supervisor.action_reassign(self.consultant2.id, "Клиент просит другого")
        self.assertEqual(traffic.user_id, self.consultant2)
        traffic.with_user(self.consultant2).action_process("visit")
        with self.assertRaisesRegex(AccessError, "Only the responsible employee"):
            traffic.with_user(self.operator).action_cancel_processing()
        supervisor.action_cancel_processing()
        self.assertEqual(traffic.state, "in_progress")

    def test_operators_route_only_new_or_waiting_contacts(self):
        traffic = self._registered()
        with self.assertRaisesRegex(UserError, "cannot be assigned"):
            traffic.action_assign(self.consultant2)
        with self.assertRaisesRegex(UserError, "cannot be transferred"):
            traffic.action_transfer()

    def test_responsible_is_an_active_consultant_of_the_branch(self):
        branch = self.env["res.company"].create(
            {"name": "Филиал Химки", "parent_id": self.env.company.id}
        )
        for user in (self.portal, self.stranger, self.ghost, self.operator):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(ValidationError, "consultant role"),
            ):
                self._traffic(user_id=user.id)
        other_branch = self.env["dealer.traffic"].create(
            {
                "channel_id": self.visit.id,
                "direction_id": self.service.id,
                "goal_id": self.goal_repair.id,
                "contact_name": "Клиент Химки",
                "company_id": branch.id,
            }
        )
        other_branch.action_queue()
        with self.assertRaisesRegex(ValidationError, "consultant role in that branch"):
            other_branch.action_assign(self.consultant)

    def test_bad_arguments_give_clear_errors(self):
        traffic = self._registered().with_user(self.consultant)
        with self.assertRaisesRegex(UserError, "Responsible"):
            traffic.action_reassign("consultant2")
        with self.assertRaisesRegex(UserError, "does not exist"):
            traffic.action_reassign(999999999)
        with self.assertRaisesRegex(UserError, "Unknown kind"):
            traffic.action_process("holiday")
        with self.assertRaisesRegex(UserError, "record id"):
            traffic.action_process("visit", task="abc")
        with self.assertRaisesRegex(ValidationError, "control characters"):
            traffic.action_process("visit", name="Запись\x00")
        with self.assertRaisesRegex(ValidationError, "control characters"):
            traffic.write({"note": "Перезвонить\x00"})
        with self.assertRaisesRegex(ValidationError, "control characters"):
            self.env["dealer.traffic.reassign.wizard"].with_user(self.consultant).create(
                {"traffic_ids": traffic.ids, "user_id": self.consultant2.id, "comment": "\x00"}
            )
        with self.assertRaisesRegex(UserError, "record id"):
            self.env["dealer.traffic"].with_user(self.operator).get_responsible_candidates("x")


@tagged("post_install", "-at_install")
class TestRegistrationScreen(TrafficCase):
    def _screen_vals(self, **values):
        vals = {
            "channel_id": self.call.id,
            "direction_id": self.service.id,
            "goal_id": self.goal_repair.id,
            "partner_id": self.client.id,
            "state": "new",
        }
        vals.update(values)
        return vals

    def test_refused_registration_leaves_nothing_behind(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        before = Traffic.search_count([])
        # The savepoint stands for the RPC's transaction, rolled back on the error.
        with self.assertRaisesRegex(UserError, "responsible"), self.env.cr.savepoint():
            Traffic.action_create_from_screen(self._screen_vals(), "action_register_from_screen")
        # The create happened inside the refused call and went with it, as the RPC's
        # transaction does in the web client.
        self.assertEqual(Traffic.search_count([]), before)
        action = Traffic.action_create_from_screen(
            self._screen_vals(user_id=self.consultant.id), "action_register_from_screen"
        )
        self.assertEqual(action["tag"], "display_notification")
        traffic = Traffic.search([("partner_id", "=", self.client.id)])
        self.assertEqual(traffic.state, "assigned")
        self.assertFalse(traffic.is_repeat)

    def test_only_the_screen_buttons(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        with self.assertRaisesRegex(UserError, "Unknown registration action"):
            Traffic.action_create_from_screen(self._screen_vals(), "unlink")
        with self.assertRaisesRegex(UserError, "mapping"):
            Traffic.action_create_from_screen(["x"], "action_register_from_screen")


@tagged("post_install", "-at_install")
class TestBranches(TrafficCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Тест", "parent_id": cls.env.company.id}
        )
        cls.two_branch_supervisor = new_test_user(
            cls.env,
            "tr_two_branch_supervisor",
            groups="dealer_base.group_dealer_supervisor",
            company_ids=[(6, 0, (cls.env.company | cls.branch).ids)],
        )

    def test_moving_a_contact_to_another_branch(self):
        traffic = self._traffic()
        with self.assertRaises(AccessError):
            traffic.write({"company_id": self.branch.id})
        with self.assertRaisesRegex(AccessError, "supervisor of both branches"):
            traffic.with_user(self.supervisor).write({"company_id": self.branch.id})
        traffic.with_user(self.two_branch_supervisor).write({"company_id": self.branch.id})
        self.assertEqual(traffic.company_id, self.branch)

    def test_vehicle_of_another_branch_is_refused(self):
        car = self.env["dealer.vehicle"].create(
            {"license_plate": "Х001ХХ50", "company_id": self.branch.id}
        )
        with self.assertRaises(UserError):
            self._traffic(partner_id=False, contact_name="Гость", vehicle_id=car.id)

    def test_candidates_only_from_the_users_branches(self):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        names = {c["id"] for c in Traffic.get_responsible_candidates(self.goal_repair.id)}
        self.assertIn(self.consultant.id, names)
        self.assertNotIn(self.operator.id, names, "operators are not consultants")
        with self.assertRaisesRegex(AccessError, "do not work in the branch"):
            Traffic.get_responsible_candidates(self.goal_repair.id, self.branch.id)
