from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintAccess(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Complaint = cls.env["dealer.complaint"]
        cls.mine = Complaint.with_user(cls.consultant).create(
            {"description": "Моё обращение", "user_id": cls.consultant.id}
        )
        cls.colleagues = Complaint.with_user(cls.team).create(
            {"description": "Обращение коллеги", "user_id": cls.consultant2.id}
        )
        cls.registered = Complaint.with_user(cls.operator).create(
            {"description": "Зарегистрировано оператором", "user_id": cls.consultant2.id}
        )
        cls.north_appeal = Complaint.with_user(cls.north_supervisor).create(
            {"description": "Обращение северного филиала", "company_id": cls.north.id}
        )
        cls.appeals = cls.mine | cls.colleagues | cls.registered | cls.north_appeal

    def _visible(self, user):
        return self.env["dealer.complaint"].with_user(user).search([("id", "in", self.appeals.ids)])

    def test_consultants_see_their_own(self):
        self.assertEqual(self._visible(self.consultant), self.mine)
        self.assertEqual(self._visible(self.consultant2), self.colleagues | self.registered)
        with self.assertRaises(AccessError):
            self.colleagues.with_user(self.consultant).read(["description"])

    def test_operators_see_what_they_registered(self):
        self.assertEqual(self._visible(self.operator), self.registered)

    def test_team_and_supervisors_see_their_branches(self):
        branch = self.mine | self.colleagues | self.registered
        self.assertEqual(self._visible(self.team), branch)
        self.assertEqual(self._visible(self.supervisor), branch)
        self.assertEqual(self._visible(self.north_supervisor), self.north_appeal)
        # The team works any appeal of the branch.
        self.mine.with_user(self.team).write({"note": "Клиентская служба в курсе"})
        self.mine.with_user(self.team).action_start()
        self.assertEqual(self.mine.state, "in_progress")

    def test_other_branches_are_not_written_to(self):
        with self.assertRaises(AccessError):
            self.env["dealer.complaint"].with_user(self.supervisor).create(
                {"description": "В чужой филиал", "company_id": self.north.id}
            )
        with self.assertRaises(AccessError):
            self.north_appeal.with_user(self.supervisor).write({"note": "Чужое"})

    def test_lawyers_read_and_approve_but_do_not_write(self):
        branch = self.mine | self.colleagues | self.registered
        self.assertEqual(self._visible(self.lawyer), branch)
        appeal = self.mine.with_user(self.lawyer)
        self.assertEqual(appeal.description, "Моё обращение")
        with self.assertRaises(AccessError):
            appeal.write({"note": "Юрист правит"})
        with self.assertRaises(AccessError):
            self.env["dealer.complaint"].with_user(self.lawyer).create({"description": "Новое"})
        with self.assertRaises(AccessError):
            appeal.action_cancel()
        with self.assertRaises(AccessError):
            self.env["dealer.complaint.step"].with_user(self.lawyer).create(
                {"complaint_id": self.mine.id, "body": "Шаг юриста"}
            )
        # The answer is prepared together: the lawyer comments in the chatter.
        appeal.message_post(body="Ответ согласовать с отделом продаж.", message_type="comment")
        self.assertIn("согласовать", self.mine.message_ids[0].body)
        # …and approves it.
        self.mine.write({"type_id": self.type_claim.id, "conclusion": "Ответ по претензии"})
        self.mine.action_start()
        self.mine.action_request_closing()
        appeal.action_approve()
        self.assertEqual(self.mine.approval_state, "approved")
        self.assertEqual(self.mine.approver_id, self.lawyer)

    def test_steps_follow_their_appeal(self):
        step = (
            self.env["dealer.complaint.step"]
            .with_user(self.consultant2)
            .create({"complaint_id": self.colleagues.id, "body": "Клиенту перезвонили"})
        )
        Step = self.env["dealer.complaint.step"]
        self.assertFalse(Step.with_user(self.consultant).search([("id", "=", step.id)]))
        self.assertEqual(Step.with_user(self.supervisor).search([("id", "=", step.id)]), step)
        self.assertEqual(Step.with_user(self.lawyer).search([("id", "=", step.id)]), step)
        self.assertFalse(Step.with_user(self.north_supervisor).search([("id", "=", step.id)]))
        with self.assertRaises(AccessError):
            Step.with_user(self.consultant).create(
                {"complaint_id": self.colleagues.id, "body": "В чужое обращение"}
            )

    def test_configuration_is_the_administrators(self):
        with self.assertRaises(AccessError):
            self.type_complaint.with_user(self.supervisor).write({"process_days": 30})
        with self.assertRaises(AccessError):
            self.reason_wash.with_user(self.team).write({"name": "Мойка"})
        self.assertTrue(self.reason_wash.with_user(self.lawyer).complete_name)
        admin = self.env.ref("base.user_admin")
        self.type_complaint.with_user(admin).write({"process_days": 5})
        self.assertEqual(self.type_complaint.process_days, 5)

    def test_only_approvers_open_the_reject_dialog(self):
        with self.assertRaises(AccessError):
            self.mine.with_user(self.consultant).action_open_reject()
        with self.assertRaises(AccessError):
            self.env["dealer.complaint.reject"].with_user(self.consultant).create(
                {"complaint_ids": [(6, 0, self.mine.ids)], "comment": "Нет"}
            )
        action = self.mine.with_user(self.supervisor).action_open_reject()
        self.assertEqual(action["context"]["default_complaint_ids"], self.mine.ids)

    def test_reasons_have_two_levels(self):
        admin = self.env.ref("base.user_admin")
        quality = self.env.ref("dealer_complaint.reason_quality")
        reception = self.env.ref("dealer_complaint.reason_reception")
        with self.assertRaisesRegex(Exception, "Reasons have two levels"):
            self.env["dealer.complaint.reason"].with_user(admin).create(
                {"name": "Третий уровень", "parent_id": self.reason_wash.id}
            )
        with self.assertRaisesRegex(Exception, "Reasons have two levels"):
            quality.with_user(admin).write({"parent_id": reception.id})
        self.assertEqual(
            self.reason_wash.complete_name, "QUALITY: Car wash, complaints about the quality"
        )
        self.assertEqual(self.reason_wash.code, 8)
        Reason = self.env["dealer.complaint.reason"]
        self.assertIn(self.reason_wash, Reason.search([("complete_name", "ilike", "wash")]))
        self.assertIn(
            self.reason_wash, Reason.search([("complete_name", "ilike", "QUALITY: wash")])
        )
        self.assertNotIn(
            self.reason_wash, Reason.search([("complete_name", "ilike", "RECEPTION: wash")])
        )
        self.assertEqual(len(Reason.search([("parent_id", "!=", False), ("code", ">", 0)])), 25)
        with self.assertRaises(UserError):
            Reason.search([("complete_name", "in", ["wash"])])
