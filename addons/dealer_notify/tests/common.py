from datetime import datetime

import pytz

from odoo.tests import TransactionCase, new_test_user

MOSCOW = pytz.timezone("Europe/Moscow")


def utc(*args):
    """A Moscow wall-clock time as the naive UTC Odoo stores."""
    return MOSCOW.localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


class NotifyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.company.partner_id.write(
            {"tz": "Europe/Moscow", "city": "Пермь", "street": "ул. Крисанова, 4"}
        )
        cls.company.country_id = cls.env.ref("base.ru")
        cls.env["dealer.sms.provider"].search([]).active = False
        group = "dealer_base.group_dealer_%s"
        cls.consultant = new_test_user(
            cls.env, "nt_consultant", groups=group % "consultant", name="Лоскутов Андрей"
        )
        cls.supervisor = new_test_user(cls.env, "nt_supervisor", groups=group % "supervisor")
        cls.service = cls.env.ref("dealer_base.direction_service")
        cls.project = cls.service.project_id
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Олег Владимирович",
                "mobile": "+7 916 811 22 33",
                "email": "oleg@example.ru",
                "consent_sms": True,
                "consent_email": True,
            }
        )
        brand = cls.env["fleet.vehicle.model.brand"].create({"name": "Тестмобиль"})
        cls.model = cls.env["fleet.vehicle.model"].create({"name": "Т-100", "brand_id": brand.id})
        cls.brand = brand
        cls.vehicle = cls.env["dealer.vehicle"].create(
            {"owner_id": cls.client.id, "license_plate": "К811КК59", "model_id": cls.model.id}
        )
        cls.day_before = cls.env.ref("dealer_notify.rule_appointment_day_before")
        cls.booked = cls.env.ref("dealer_notify.rule_appointment_booked")
        cls.booked.active = False  # planned on booking: kept out of the way unless tested
        cls.Log = cls.env["dealer.notification"]

    @classmethod
    def _appointment(cls, visit_at, partner=None, **values):
        vals = {
            "name": "Предварительная запись",
            "project_id": cls.project.id,
            "partner_id": (partner or cls.client).id,
            "dealer_kind": "appointment",
            "dealer_visit_at": visit_at,
            "vehicle_id": cls.vehicle.id if (partner or cls.client) == cls.client else False,
            "dealer_direction_id": cls.service.id,
            "dealer_advisor_id": cls.consultant.id,
        }
        vals.update(values)
        return cls.env["project.task"].create(vals)

    def _lines(self, rule, records=None):
        domain = [("rule_id", "=", rule.id)]
        if records is not None:
            domain.append(("res_id", "in", records.ids))
        return self.Log.search(domain)
