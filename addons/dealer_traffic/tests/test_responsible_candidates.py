from odoo.tests import new_test_user, tagged

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestResponsibleCandidates(TrafficCase):
    """The picker offers the active consultants of the goal's direction in the
    branch and the goal's named responsible, not administrators or integrators."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "dealer_base.group_dealer_%s"

        def user(login, groups, directions=(), **values):
            return new_test_user(
                cls.env,
                login,
                groups=groups,
                dealer_direction_ids=[(6, 0, [d.id for d in directions])],
                **values,
            )

        cls.sales_consultant = user("cand_sales", group % "consultant", [cls.sales])
        cls.service_consultant = user("cand_service", group % "consultant", [cls.service])
        cls.branch = cls.env["res.company"].create(
            {"name": "Филиал Кандидатов", "parent_id": cls.env.company.id}
        )
        cls.branch_consultant = user(
            "cand_branch",
            group % "consultant",
            [cls.sales],
            company_id=cls.branch.id,
            company_ids=[(6, 0, cls.branch.ids)],
        )
        cls.dealer_admin = user("cand_admin", group % "admin")
        cls.integrator = user("cand_integrator", f"{group % 'admin'},base.group_system")
        cls.system_consultant = user("cand_system", f"{group % 'consultant'},base.group_system")
        cls.sales_admin = user("cand_sales_admin", group % "admin", [cls.sales])
        cls.gone = user("cand_gone", group % "consultant", [cls.sales])
        cls.gone.active = False
        cls.goal_new_car.user_ids = [(6, 0, cls.service_consultant.ids)]

    def _candidates(self, goal):
        Traffic = self.env["dealer.traffic"].with_user(self.operator)
        return {c["id"] for c in Traffic.get_responsible_candidates(goal.id)}

    def test_consultants_of_the_direction_in_the_branch(self):
        ids = self._candidates(self.goal_new_car)
        self.assertIn(self.sales_consultant.id, ids)
        self.assertIn(self.consultant.id, ids, "no direction given: every direction")
        self.assertIn(self.sales_admin.id, ids, "an administrator tied to the direction")
        self.assertNotIn(self.branch_consultant.id, ids, "another branch")
        self.assertNotIn(self.gone.id, ids, "archived")
        self.assertNotIn(self.operator.id, ids)
        for admin in (self.dealer_admin, self.integrator, self.system_consultant):
            self.assertNotIn(admin.id, ids, admin.login)
        self.assertNotIn(self.env.ref("base.user_admin").id, ids)

    def test_goal_responsible_offered_first_whatever_their_direction(self):
        candidates = (
            self.env["dealer.traffic"]
            .with_user(self.operator)
            .get_responsible_candidates(self.goal_new_car.id)
        )
        self.assertEqual(candidates[0]["id"], self.service_consultant.id)
        self.assertTrue(candidates[0]["is_goal_responsible"])

    def test_consultant_of_another_direction_excluded(self):
        ids = self._candidates(self.goal_repair)
        self.assertIn(self.service_consultant.id, ids)
        self.assertNotIn(self.sales_consultant.id, ids)
        self.assertNotIn(self.sales_admin.id, ids)
