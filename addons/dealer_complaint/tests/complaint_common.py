from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

# Moscow: the received day of an appeal is the day in the user's time zone.
TZ = "Europe/Moscow"


class ComplaintCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env.company
        cls.north = cls.env["res.company"].create({"name": "Филиал Север"})
        group = "dealer_base.group_dealer_%s"

        def user(login, groups, name, company=None):
            company = company or cls.branch
            return new_test_user(
                cls.env,
                login,
                groups=groups,
                name=name,
                tz=TZ,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
                lang="en_US",
            )

        cls.operator = user("dc_operator", group % "operator", "Оператор Горячей Линии")
        cls.consultant = user("dc_consultant", group % "consultant", "Михайлов С.")
        cls.consultant2 = user("dc_consultant2", group % "consultant", "Шарафутдинов Р.М.")
        cls.team = user(
            "dc_team", "dealer_complaint.group_dealer_complaint_team", "Клиентская Служба"
        )
        cls.supervisor = user("dc_supervisor", group % "supervisor", "Руководитель Сервиса")
        cls.lawyer = user("dc_lawyer", "dealer_complaint.group_dealer_complaint_lawyer", "Юрист")
        cls.north_supervisor = user(
            "dc_north_supervisor", group % "supervisor", "Руководитель Севера", cls.north
        )
        cls.consultant.partner_id.function = "Мастер-консультант"
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Лихачева Елена Михайловна",
                "mobile": "+7 921 401-84-61",
                "email": "lihacheva@example.com",
                "city": "Санкт-Петербург",
            }
        )
        cls.vehicle = cls.env["dealer.vehicle"].create(
            {"owner_id": cls.client.id, "license_plate": "К093СС98"}
        )
        cls.type_complaint = cls.env.ref("dealer_complaint.type_complaint")
        cls.type_question = cls.env.ref("dealer_complaint.type_question")
        cls.type_claim = cls.env.ref("dealer_complaint.type_claim")
        cls.reason_wash = cls.env.ref("dealer_complaint.reason_quality_wash")

    def _complaint(self, user=None, **values):
        vals = {
            "type_id": self.type_question.id,
            "partner_id": self.client.id,
            "user_id": self.consultant.id,
            "description": "Плохо помыта машина",
        }
        vals.update(values)
        return self.env["dealer.complaint"].with_user(user or self.consultant).create(vals)

    @staticmethod
    def _utc(*args):
        return datetime(*args)
