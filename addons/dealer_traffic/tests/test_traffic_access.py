from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestTrafficAccess(TrafficCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Тест", "parent_id": cls.env.company.id}
        )
        cls.operator2 = new_test_user(
            cls.env, "tr_operator2", groups="dealer_base.group_dealer_operator"
        )
        cls.branch_supervisor = new_test_user(
            cls.env,
            "tr_branch_supervisor",
            groups="dealer_base.group_dealer_supervisor",
            company_id=cls.branch.id,
            company_ids=[(6, 0, cls.branch.ids)],
        )
        cls.branch_consultant = new_test_user(
            cls.env,
            "tr_branch_consultant",
            groups="dealer_base.group_dealer_consultant",
            company_id=cls.branch.id,
            company_ids=[(6, 0, cls.branch.ids)],
        )
        cls.mine = cls._make(cls.operator, user_id=cls.consultant.id)
        cls.unassigned = cls._make(cls.operator2)
        cls.others = cls._make(cls.operator2, user_id=cls.consultant2.id)
        cls.in_branch = cls._make(
            cls.env.user, company_id=cls.branch.id, user_id=cls.branch_consultant.id
        )

    @classmethod
    def _make(cls, user, **values):
        vals = {
            "channel_id": cls.call.id,
            "direction_id": cls.service.id,
            "goal_id": cls.goal_repair.id,
            "contact_name": "Клиент",
        }
        vals.update(values)
        return cls.env["dealer.traffic"].with_user(user).create(vals)

    def _visible(self, user):
        traffic = self.mine | self.unassigned | self.others | self.in_branch
        return self.env["dealer.traffic"].with_user(user).search([("id", "in", traffic.ids)])

    def test_operator_sees_registered_and_unassigned(self):
        self.assertEqual(self._visible(self.operator), self.mine | self.unassigned)
        self.assertEqual(self._visible(self.operator2), self.unassigned | self.others)
        with self.assertRaises(AccessError):
            self.others.with_user(self.operator).read(["name"])

    def test_consultant_sees_own(self):
        visible = self._visible(self.consultant2)
        self.assertIn(self.others, visible)
        self.assertNotIn(self.mine, visible)
        self.assertIn(self.unassigned, visible, "consultants are operators too")

    def test_supervisor_sees_their_branches(self):
        self.assertEqual(self._visible(self.supervisor), self.mine | self.unassigned | self.others)
        self.assertEqual(self._visible(self.branch_supervisor), self.in_branch)

    def test_only_supervisors_delete(self):
        with self.assertRaises(AccessError):
            self.mine.with_user(self.operator).unlink()
        self.mine.with_user(self.supervisor).unlink()

    def test_consultant_processes_own_traffic(self):
        traffic = self.mine.with_user(self.consultant)
        traffic.partner_id = self.client
        task = traffic.action_process("appointment")
        self.assertEqual(task.traffic_id, self.mine)
        with self.assertRaisesRegex(UserError, "already assigned to tr_consultant2"):
            self.others.with_user(self.consultant).action_take()

    def test_configuration_is_for_administrators(self):
        with self.assertRaises(AccessError):
            self.goal_repair.with_user(self.supervisor).write({"auto_ignore_days": 1})
        admin = new_test_user(self.env, "tr_admin", groups="dealer_base.group_dealer_admin")
        self.goal_repair.with_user(admin).write({"auto_ignore_days": 1})
        self.assertEqual(self.goal_repair.auto_ignore_days, 1)
