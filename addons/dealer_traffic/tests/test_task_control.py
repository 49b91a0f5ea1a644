import ast
from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import TrafficCase

# Tuesday 10 March 2026, 12:00 UTC: 15:00 in Moscow, 22:00 in Vladivostok.
NOW = datetime(2026, 3, 10, 12, 0)


class TestTaskControl(TrafficCase):
    """The Tasks menu: my work list with its horizon and the overdue tasks in red,
    the done tasks a supervisor confirms or returns to work, the overdue tasks by
    employee; the deadline a task made by processing gets from its goal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Task = cls.env["project.task"]
        cls.project = cls.env.ref("dealer_traffic.project_service")
        cls.main = cls.env.company
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Контроль", "parent_id": cls.main.id}
        )
        cls.branch_supervisor = new_test_user(
            cls.env,
            "tc_branch_supervisor",
            groups="dealer_base.group_dealer_supervisor",
            company_id=cls.branch.id,
            company_ids=[Command.set(cls.branch.ids)],
        )
        cls.admin = new_test_user(cls.env, "tc_admin", groups="dealer_base.group_dealer_admin")
        for user in (cls.consultant, cls.consultant2, cls.supervisor):
            user.tz = "Europe/Moscow"

    def _task(self, user=None, **values):
        vals = {
            "name": "Звонок клиенту",
            "project_id": self.project.id,
            "partner_id": self.client.id,
            "user_ids": [Command.set((user or self.consultant).ids)],
            "dealer_kind": "visit",
            "company_id": self.main.id,
        }
        vals.update(values)
        return self.Task.create(vals)

    def _done(self, user=None, **values):
        task = self._task(user, **values)
        task.with_user(user or self.consultant).write({"state": "1_done"})
        return task

    def _taken(self):
        traffic = self._traffic(user_id=self.consultant.id)
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        return traffic.with_user(self.consultant)

    def _menu_action(self, xmlid, user):
        """What the menu opens for ``user``: the server action's window action."""
        return self.env.ref(xmlid).with_user(user).run()

    def _listed(self, xmlid, user, tasks):
        """Which of ``tasks`` the menu ``xmlid`` lists for ``user``."""
        action = self._menu_action(xmlid, user)
        return self.Task.with_user(user).search([*action["domain"], ("id", "in", tasks.ids)])

    def _filter_domain(self, name):
        """The domain of a filter of the task control search view."""
        view = self.env.ref("dealer_traffic.project_task_view_search_dealer_control")
        arch = etree.fromstring(self.Task.get_view(view.id, "search")["arch"])
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return ast.literal_eval(node.get("domain"))

    # --- deadline from the goal ------------------------------------------------------
    def test_task_from_processing_is_due_after_the_goal_days(self):
        self.goal_repair.task_deadline_days = 3
        with freeze_time(NOW):
            task = self._taken().action_process("visit")
        self.assertEqual(task.date_deadline, NOW + timedelta(days=3))
        # The task is in the branch of the contact: the directions' projects are shared.
        self.assertEqual(task.company_id, self.main)
        self.assertEqual(task.dealer_direction_id, self.service)
        # A booked task is due at its booked time, whatever the goal says.
        booked = NOW + timedelta(days=1, hours=2)
        with freeze_time(NOW):
            task = self._taken().action_process("visit", visit_at=booked)
        self.assertEqual(task.date_deadline, booked)
        # 0 days: no deadline.
        self.goal_repair.task_deadline_days = 0
        with freeze_time(NOW):
            task = self._taken().action_process("deal")
        self.assertFalse(task.date_deadline)

    def test_task_from_processing_in_a_branch_is_the_branch_task(self):
        self.consultant.company_ids = [Command.link(self.branch.id)]
        traffic = self.env["dealer.traffic"].create(
            {
                "channel_id": self.call.id,
                "direction_id": self.service.id,
                "goal_id": self.goal_repair.id,
                "partner_id": self.client.id,
                "company_id": self.branch.id,
                "user_id": self.consultant.id,
            }
        )
        traffic.action_register()
        traffic.with_user(self.consultant).action_take()
        task = traffic.with_user(self.consultant).action_process("visit")
        self.assertEqual(task.company_id, self.branch)
        # Its branch's supervisor sees it; the other branch's does not.
        self.assertTrue(task.with_user(self.branch_supervisor).has_access("read"))
        self.assertFalse(task.with_user(self.supervisor).has_access("read"))

    def test_goal_deadline_days_cannot_be_negative(self):
        self.assertEqual(self.env["dealer.contact.goal"].new({}).task_deadline_days, 1)
        form = self.env["dealer.contact.goal"].get_view(
            self.env.ref("dealer_traffic.dealer_contact_goal_view_form").id, "form"
        )
        self.assertIn('name="task_deadline_days"', form["arch"])
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.goal_repair.task_deadline_days = -1
            self.goal_repair.flush_recordset()

    # --- my work list -------------------------------------------------------------------
    def test_work_list_shows_own_open_dealership_tasks(self):
        mine = self._task()
        shared = self._task(self.consultant | self.consultant2)
        colleague = self._task(self.consultant2)
        done = self._done()
        cancelled = self._task(state="1_canceled")
        private = self.Task.create(
            {"name": "Личная задача", "user_ids": [Command.set(self.consultant.ids)]}
        )
        branch = self._task(self.consultant2, company_id=self.branch.id)
        tasks = mine | shared | colleague | done | cancelled | private | branch
        xmlid = "dealer_traffic.project_task_server_action_dealer_work_list"
        # A consultant: their own open dealership tasks, nobody else's.
        self.assertEqual(self._listed(xmlid, self.consultant, tasks), mine | shared)
        self.assertEqual(self._listed(xmlid, self.consultant2, tasks), shared | colleague)
        # A supervisor: the open dealership tasks of their branches, "my tasks" as the
        # default filter they may remove to pick an employee.
        self.assertEqual(self._listed(xmlid, self.supervisor, tasks), mine | shared | colleague)
        self.assertEqual(
            self._listed(xmlid, self.branch_supervisor, tasks.filtered("company_id")), branch
        )
        action = self._menu_action(xmlid, self.supervisor)
        self.assertEqual(action["res_model"], "project.task")
        context = ast.literal_eval(action["context"])
        self.assertTrue(context["search_default_my_tasks"])
        self.assertTrue(context["search_default_dealer_horizon_30"])
        self.assertEqual(
            action["search_view_id"][0],
            self.env.ref("dealer_traffic.project_task_view_search_dealer_control").id,
        )

    def test_work_list_columns_and_overdue_in_red(self):
        view = self.env.ref("dealer_traffic.project_task_view_list_dealer_work")
        arch = etree.fromstring(self.Task.get_view(view.id, "list")["arch"])
        self.assertEqual(arch.get("decoration-danger"), "dealer_is_overdue")
        columns = [node.get("name") for node in arch.xpath("//field")]
        for name in (
            "date_deadline",
            "user_ids",
            "dealer_kind",
            "dealer_goal_id",
            "partner_id",
            "dealer_partner_phone",
            "vehicle_id",
        ):
            self.assertIn(name, columns)
        with freeze_time(NOW):
            traffic = self._taken()
            task = traffic.action_process("visit")
            late = self._task(date_deadline=NOW - timedelta(minutes=1), vehicle_id=self.vehicle.id)
            done_late = self._done(date_deadline=NOW - timedelta(days=1))
            no_deadline = self._task()
            (task | late | done_late | no_deadline).invalidate_recordset()
            self.assertEqual(
                (late | task | done_late | no_deadline).mapped("dealer_is_overdue"),
                [True, False, False, False],
            )
            overdue = self.Task.search(
                [("dealer_is_overdue", "=", True), ("id", "in", (task | late | done_late).ids)]
            )
            self.assertEqual(overdue, late)
            not_overdue = self.Task.search(
                [
                    ("dealer_is_overdue", "=", False),
                    ("id", "in", (task | late | done_late | no_deadline).ids),
                ]
            )
            self.assertEqual(not_overdue, task | done_late | no_deadline)
        # What a row shows: the client's phone, the car, the action (kind and goal).
        task = task.with_user(self.consultant)
        self.assertEqual(task.dealer_partner_phone, self.client.mobile)
        self.assertEqual(task.dealer_goal_id, self.goal_repair)
        self.assertEqual(late.vehicle_id, self.vehicle)

    def test_horizon_filters_count_the_users_days(self):
        with freeze_time(NOW):
            overdue = self._task(date_deadline=datetime(2026, 3, 8, 9, 0))
            # 23:00 in Moscow today; already tomorrow in Vladivostok.
            today = self._task(date_deadline=datetime(2026, 3, 10, 20, 0))
            in_3_days = self._task(date_deadline=datetime(2026, 3, 13, 10, 0))
            in_10_days = self._task(date_deadline=datetime(2026, 3, 20, 10, 0))
            in_40_days = self._task(date_deadline=datetime(2026, 4, 19, 10, 0))
            no_deadline = self._task()
            tasks = overdue | today | in_3_days | in_10_days | in_40_days | no_deadline
            Task = self.Task.with_user(self.consultant)

            def horizon(name, model=Task):
                return model.search([*self._filter_domain(name), ("id", "in", tasks.ids)])

            self.assertEqual(horizon("dealer_horizon_1"), overdue | today)
            self.assertEqual(horizon("dealer_horizon_7"), overdue | today | in_3_days)
            self.assertEqual(horizon("dealer_horizon_30"), overdue | today | in_3_days | in_10_days)
            self.assertEqual(horizon("dealer_no_deadline"), no_deadline)
            self.assertEqual(
                tasks.with_user(self.consultant).mapped("dealer_due_in_days"),
                [-2, 0, 3, 10, 40, 0],
            )
            # In Vladivostok it is already 22:00: the 20:00 UTC deadline is tomorrow.
            far = Task.with_context(tz="Asia/Vladivostok")
            self.assertEqual(horizon("dealer_horizon_1", far), overdue)
            self.assertEqual(far.browse(today.id).dealer_due_in_days, 1)
            # The other comparisons the field offers.
            self.assertEqual(
                Task.search([("dealer_due_in_days", "=", 3), ("id", "in", tasks.ids)]),
                in_3_days,
            )
            self.assertEqual(
                Task.search([("dealer_due_in_days", ">", 3), ("id", "in", tasks.ids)]),
                in_10_days | in_40_days,
            )
            self.assertEqual(
                Task.search([("dealer_due_in_days", "!=", 0), ("id", "in", tasks.ids)]),
                tasks - today,
            )
        with self.assertRaisesRegex(UserError, "is not supported"):
            self.Task.search([("dealer_due_in_days", "like", "3")])
        with self.assertRaisesRegex(UserError, "is not supported"):
            self.Task.search([("dealer_is_overdue", ">", 1)])
        with self.assertRaisesRegex(UserError, "is not supported"):
            self.Task.search([("dealer_due_in_days", "<", 10**9)])

    # --- overdue tasks by employee --------------------------------------------------------
    def test_overdue_tasks_by_employee(self):
        with freeze_time(NOW):
            past = NOW - timedelta(days=2)
            self._task(date_deadline=past)
            self._task(date_deadline=past - timedelta(days=5))
            self._task(self.consultant | self.consultant2, date_deadline=past)
            self._task(self.consultant2, date_deadline=NOW + timedelta(days=1))
            self._done(self.consultant2, date_deadline=past)
            xmlid = "dealer_traffic.project_task_server_action_dealer_overdue"
            action = self._menu_action(xmlid, self.supervisor)
            groups = self.Task.with_user(self.supervisor)._read_group(
                action["domain"] + [("user_ids", "in", (self.consultant | self.consultant2).ids)],
                ["user_ids"],
                ["__count"],
            )
            self.assertEqual(
                dict(groups),
                {self.consultant: 3, self.consultant2: 1},
            )
            # A consultant sees only their own.
            action = self._menu_action(xmlid, self.consultant2)
            self.assertEqual(
                self.Task.with_user(self.consultant2).search_count(action["domain"]), 1
            )
        action = self._menu_action(xmlid, self.supervisor)
        self.assertTrue(ast.literal_eval(action["context"])["search_default_user"])
        self.assertEqual([mode for _id, mode in action["views"]], ["list", "pivot", "form"])

    def test_menus_by_role(self):
        Menu = self.env["ir.ui.menu"]
        root = self.env.ref("dealer_traffic.menu_dealer_tasks_root")
        overdue = self.env.ref("dealer_traffic.menu_dealer_tasks_overdue")
        work = self.env.ref("dealer_traffic.menu_dealer_tasks_work_list")
        visible = Menu.with_user(self.consultant)._visible_menu_ids()
        self.assertIn(root.id, visible)
        self.assertIn(work.id, visible)
        self.assertNotIn(overdue.id, visible)
        self.assertIn(overdue.id, Menu.with_user(self.supervisor)._visible_menu_ids())
        self.assertNotIn(root.id, Menu.with_user(self.operator)._visible_menu_ids())

    # --- done, unconfirmed ----------------------------------------------------------------
    def test_supervisor_confirms_a_done_task(self):
        task = self._done()
        open_task = self._task()
        xmlid = "dealer_traffic.project_task_server_action_dealer_unconfirmed"
        both = task | open_task
        self.assertEqual(self._listed(xmlid, self.supervisor, both), task)
        # The consultant sees their own done tasks waiting; a colleague does not.
        self.assertEqual(self._listed(xmlid, self.consultant, both), task)
        self.assertFalse(self._listed(xmlid, self.consultant2, both))
        with freeze_time(NOW):
            task.with_user(self.supervisor).action_dealer_confirm()
        self.assertTrue(task.dealer_confirmed)
        self.assertEqual(task.dealer_confirmed_user_id, self.supervisor)
        self.assertEqual(task.dealer_confirmed_date, NOW)
        self.assertFalse(self._listed(xmlid, self.supervisor, both))
        with self.assertRaisesRegex(UserError, "is already confirmed by"):
            task.with_user(self.supervisor).action_dealer_confirm()
        # Reopened by its assignee, the task is no longer confirmed.
        task.with_user(self.consultant).write({"state": "01_in_progress"})
        self.assertFalse(task.dealer_confirmed)
        self.assertFalse(task.dealer_confirmed_user_id)
        self.assertFalse(task.dealer_confirmed_date)

    def test_consultant_cannot_confirm_or_return(self):
        task = self._done()
        with self.assertRaisesRegex(AccessError, "Only a supervisor can confirm"):
            task.with_user(self.consultant).action_dealer_confirm()
        with self.assertRaisesRegex(AccessError, "Only a supervisor can return"):
            task.with_user(self.consultant).action_dealer_return("Переделать")
        with self.assertRaises(AccessError):
            self.env["dealer.task.return.wizard"].with_user(self.consultant).create(
                {"task_ids": [Command.set(task.ids)], "comment": "Переделать"}
            )
        self.assertEqual(task.state, "1_done")
        self.assertFalse(task.dealer_confirmed)

    def test_only_done_tasks_are_confirmed_or_returned(self):
        task = self._task()
        with self.assertRaisesRegex(UserError, "is not done"):
            task.with_user(self.supervisor).action_dealer_confirm()
        with self.assertRaisesRegex(UserError, "is not done"):
            task.with_user(self.supervisor).action_dealer_return("Почему не сделано?")
        self.assertFalse(task.dealer_confirmed)

    def test_supervisor_of_another_branch_cannot_confirm(self):
        self.consultant.company_ids = [Command.link(self.branch.id)]
        task = self._done(company_id=self.branch.id)
        # The branch rules hide the task from a supervisor of another branch.
        with self.assertRaises(AccessError):
            task.with_user(self.supervisor).action_dealer_confirm()
        # A task without a branch of its own belongs to its contact's branch.
        traffic = self._taken()
        legacy = traffic.action_process("visit")
        legacy.write({"company_id": False, "state": "1_done"})
        with self.assertRaisesRegex(AccessError, "only a supervisor of that branch"):
            legacy.with_user(self.branch_supervisor).action_dealer_confirm()
        task.with_user(self.branch_supervisor).action_dealer_confirm()
        self.assertEqual(task.dealer_confirmed_user_id, self.branch_supervisor)
        legacy.with_user(self.supervisor).action_dealer_confirm()
        self.assertTrue(legacy.dealer_confirmed)

    def test_return_to_work_needs_a_comment(self):
        task = self._done()
        supervisor_task = task.with_user(self.supervisor)
        for blank in (False, "", "   \n "):
            with self.assertRaisesRegex(UserError, "write a comment"):
                supervisor_task.action_dealer_return(blank)
        self.assertEqual(task.state, "1_done")
        supervisor_task.action_dealer_confirm()
        supervisor_task.action_dealer_return("Клиент не дозвонился.\nПерезвонить до обеда.")
        self.assertEqual(task.state, "01_in_progress")
        self.assertFalse(task.dealer_confirmed)
        self.assertFalse(task.dealer_confirmed_user_id)
        message = task.message_ids.filtered(lambda m: "Перезвонить до обеда." in m.body)
        self.assertEqual(len(message), 1)
        self.assertIn("Клиент не дозвонился.", message.body)
        self.assertIn("Перезвонить до обеда.", message.body)
        self.assertIn(self.supervisor.name, message.body)
        self.assertEqual(message.author_id, self.supervisor.partner_id)
        # The assignee is notified.
        self.assertIn(self.consultant.partner_id, message.partner_ids)
        # It is in the consultant's work list again.
        xmlid = "dealer_traffic.project_task_server_action_dealer_work_list"
        self.assertEqual(self._listed(xmlid, self.consultant, task), task)

    def test_return_dialog(self):
        tasks = self._done() | self._done(self.consultant2)
        action = tasks.with_user(self.supervisor).action_dealer_open_return()
        self.assertEqual(action["res_model"], "dealer.task.return.wizard")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.supervisor)
            .with_context(**action["context"])
            .create({"comment": "Нет отчёта о звонке"})
        )
        self.assertEqual(wizard.task_ids, tasks)
        self.assertEqual(wizard.action_confirm()["type"], "ir.actions.act_window_close")
        self.assertEqual(set(tasks.mapped("state")), {"01_in_progress"})
        # The dialog is its author's only.
        self.assertFalse(
            self.env[action["res_model"]]
            .with_user(self.branch_supervisor)
            .search([("id", "=", wizard.id)])
        )

    def test_confirmation_is_not_forged(self):
        task = self._done()
        with self.assertRaisesRegex(UserError, "set when a supervisor confirms it"):
            task.with_user(self.consultant).write({"dealer_confirmed": True})
        with self.assertRaisesRegex(UserError, "set when a supervisor confirms it"):
            task.with_user(self.supervisor).write({"dealer_confirmed_user_id": self.supervisor.id})
        with self.assertRaisesRegex(UserError, "set when a supervisor confirms it"):
            self.Task.with_user(self.consultant).create(
                {
                    "name": "Сразу подтверждена",
                    "project_id": self.project.id,
                    "dealer_confirmed": True,
                }
            )
        self.assertFalse(task.dealer_confirmed)
        # A dealer administrator may correct it.
        task.with_user(self.admin).write({"dealer_confirmed": True})
        self.assertTrue(task.dealer_confirmed)

    # --- dealership tasks ---------------------------------------------------------------
    def test_task_in_a_directions_project_is_a_dealership_task(self):
        task = self.Task.with_user(self.consultant).create(
            {"name": "Созвон", "project_id": self.project.id}
        )
        self.assertEqual(task.dealer_direction_id, self.service)
        other = self.env["project.project"].create({"name": "Внутренний проект"})
        internal = self.Task.create({"name": "Внутренняя", "project_id": other.id})
        self.assertFalse(internal.dealer_direction_id)

    def test_milestone_hidden_on_dealership_tasks(self):
        planner = new_test_user(
            self.env,
            "tc_planner",
            groups="dealer_base.group_dealer_consultant,project.group_project_milestone",
        )
        for xmlid, view_type in (
            ("project.view_task_form2", "form"),
            ("project.view_task_tree2", "list"),
        ):
            view = self.env.ref(xmlid)
            arch = etree.fromstring(
                self.Task.with_user(planner).get_view(view.id, view_type)["arch"]
            )
            nodes = arch.xpath("//field[@name='milestone_id'][not(ancestor::field)]")
            self.assertTrue(nodes, xmlid)
            for node in nodes:
                self.assertIn("dealer_direction_id", node.get("invisible"), xmlid)
            self.assertTrue(arch.xpath("//field[@name='dealer_direction_id']"), xmlid)
