from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import NotifyCase, utc


@tagged("post_install", "-at_install")
class TestPlanning(NotifyCase):
    def test_day_before_plans_tomorrows_appointments_at_the_run_time(self):
        tomorrow = self._appointment(utc(2026, 12, 8, 12, 20))
        today = self._appointment(utc(2026, 12, 7, 21, 0))
        later = self._appointment(utc(2026, 12, 9, 9, 0))
        # 19:59 in Moscow: before the run time nothing is formed.
        self.assertEqual(self.day_before._plan(now=utc(2026, 12, 7, 19, 59)), 0)
        self.day_before._plan(now=utc(2026, 12, 7, 20, 0))
        line = self._lines(self.day_before, tomorrow | today | later)
        self.assertEqual(line.res_id, tomorrow.id)
        self.assertEqual(line.due_at, utc(2026, 12, 7, 20, 0))
        self.assertEqual(line.expires_at, utc(2026, 12, 7, 21, 0))
        self.assertEqual(
            (line.category, line.kind, line.state), ("crm", "appointment_day_before", "planned")
        )
        self.assertFalse(self._lines(self.day_before, today | later))

    def test_a_rerun_or_a_concurrent_run_plans_nothing_twice(self):
        task = self._appointment(utc(2026, 12, 8, 12, 20))
        now = utc(2026, 12, 7, 20, 10)
        self.assertGreaterEqual(self.day_before._plan(now=now, force=True), 1)
        self.assertEqual(self.day_before._plan(now=now, force=True), 0)
        line = self._lines(self.day_before, task)
        self.assertEqual(len(line), 1)
        # The database refuses a second line for the rule and the document, whoever writes it.
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    """INSERT INTO dealer_notification (rule_id, res_model, res_id, occurrence,
                                                        channel, state, attempts)
                       VALUES (%s, %s, %s, %s, 'sms', 'planned', 0)""",
                    (line.rule_id.id, line.res_model, line.res_id, line.occurrence),
                )

    def test_a_rescheduled_appointment_gets_a_new_reminder(self):
        task = self._appointment(utc(2026, 12, 8, 12, 20))
        self.day_before._plan(now=utc(2026, 12, 7, 20, 0))
        task.dealer_visit_at = utc(2026, 12, 8, 15, 0)
        self.day_before._plan(now=utc(2026, 12, 7, 20, 30))
        self.assertEqual(len(self._lines(self.day_before, task)), 2)

    def test_directions_and_kinds_of_the_rule_filter(self):
        sales = self.env.ref("dealer_base.direction_sales")
        kind = self.env["dealer.appointment.kind"].create(
            {"name": "Шиномонтаж", "code": "tyres_nt"}
        )
        service_task = self._appointment(
            utc(2026, 12, 8, 10, 0), dealer_appointment_kind_id=kind.id
        )
        sales_task = self._appointment(utc(2026, 12, 8, 11, 0), dealer_direction_id=sales.id)
        other_kind = self._appointment(utc(2026, 12, 8, 12, 0))
        self.day_before.appointment_kind_ids = kind
        self.day_before._plan(now=utc(2026, 12, 7, 20, 0))
        mine = service_task | other_kind | sales_task
        self.assertEqual(self._lines(self.day_before, mine).mapped("res_id"), service_task.ids)
        self.assertFalse(self._lines(self.day_before, other_kind))

    def test_birthday_once_a_year_and_29_february_on_the_28th(self):
        born = self.env["res.partner"].create(
            {
                "name": "Именинник",
                "birthday": date(1980, 12, 7),
                "mobile": "+79160000001",
                "consent_sms": True,
            }
        )
        leap = self.env["res.partner"].create({"name": "Високосный", "birthday": date(1984, 2, 29)})
        rule = self.env.ref("dealer_notify.rule_birthday")
        rule._plan(now=utc(2026, 12, 7, 10, 5))
        self.assertEqual(self._lines(rule, born | leap | self.client).mapped("res_id"), born.ids)
        self.assertEqual(self._lines(rule, born).occurrence, "2026")
        rule._plan(now=utc(2027, 2, 28, 10, 5))
        self.assertIn(leap.id, self._lines(rule).mapped("res_id"))

    def test_service_due_by_months_or_by_kilometres(self):
        rule = self.env.ref("dealer_notify.rule_service_due")
        Vehicle = self.env["dealer.vehicle"]
        by_months = self.vehicle
        by_km = Vehicle.create(
            {"owner_id": self.client.id, "license_plate": "А001АА59", "model_id": self.model.id}
        )
        not_due = Vehicle.create(
            {"owner_id": self.client.id, "license_plate": "В002ВВ59", "model_id": self.model.id}
        )
        visit = self.env.ref("dealer_traffic.stage_visit")
        for vehicle, when in (
            (by_months, utc(2025, 11, 20, 10, 0)),
            (by_km, utc(2026, 9, 1, 10, 0)),
            (not_due, utc(2026, 9, 1, 10, 0)),
        ):
            self.env["project.task"].create(
                {
                    "name": "Заказ-наряд",
                    "project_id": self.project.id,
                    "partner_id": self.client.id,
                    "vehicle_id": vehicle.id,
                    "dealer_direction_id": self.service.id,
                    "dealer_kind": "visit",
                    "dealer_visit_at": when,
                    "stage_id": visit.id,
                }
            )
        # 20,000 km in 100 days: 200 km a day, 15,000 km within the 97 days since the visit.
        Odometer = self.env["dealer.vehicle.odometer"]
        Odometer.create({"vehicle_id": by_km.id, "date": date(2026, 8, 29), "value": 10000})
        Odometer.create({"vehicle_id": by_km.id, "date": date(2026, 12, 7), "value": 29800})
        Odometer.create({"vehicle_id": not_due.id, "date": date(2026, 8, 29), "value": 10000})
        Odometer.create({"vehicle_id": not_due.id, "date": date(2026, 12, 7), "value": 12000})
        rule._plan(now=utc(2026, 12, 7, 11, 5))
        mine = by_months | by_km | not_due
        self.assertEqual(
            sorted(self._lines(rule, mine).mapped("res_id")), sorted((by_months | by_km).ids)
        )
        # A brand with a longer interval is not due yet.
        self.brand.write(
            {"dealer_service_interval_months": 24, "dealer_service_interval_km": 40000}
        )
        self.Log.search([("rule_id", "=", rule.id)]).unlink()
        rule._plan(now=utc(2026, 12, 7, 11, 5))
        self.assertFalse(self._lines(rule, mine))

    def test_booking_plans_and_dispatches_at_once(self):
        self.booked.active = True
        with freeze_time(utc(2026, 12, 7, 12, 0)):
            task = self._appointment(utc(2026, 12, 9, 12, 20))
            line = self._lines(self.booked, task)
            self.assertEqual(line.state, "planned")
            self.Log._dispatch()
        self.assertEqual(line.state, "queued")
        self.assertIn("Олег Владимирович", line.body)
        self.assertIn("09.12.2026 12:20", line.body)
        self.assertIn("Лоскутов Андрей", line.body)
        self.assertEqual(line.address, "+79168112233")
        sms = self.env["sms.sms"].search([("uuid", "=", line.sms_uuid)])
        self.assertEqual(sms.number, "+79168112233")

    def test_repair_status_when_the_task_enters_the_stage(self):
        rule = self.env.ref("dealer_notify.rule_repair_status")
        task = self._appointment(utc(2026, 12, 9, 12, 20))
        self.assertFalse(self._lines(rule, task))
        task.stage_id = self.env.ref("dealer_notify.stage_vehicle_ready")
        self.assertEqual(self._lines(rule, task).occurrence, f"stage-{task.stage_id.id}")
        task.stage_id = self.env.ref("dealer_traffic.stage_done")
        task.stage_id = self.env.ref("dealer_notify.stage_vehicle_ready")
        self.assertEqual(len(self._lines(rule, task)), 1)

    def test_appointment_soon_due_lead_time_before_the_visit(self):
        rule = self.env.ref("dealer_notify.rule_appointment_soon")
        rule.active = True
        task = self._appointment(utc(2026, 12, 8, 12, 0))
        rule._plan(now=utc(2026, 12, 8, 9, 0))
        self.assertFalse(self._lines(rule, task))
        rule._plan(now=utc(2026, 12, 8, 10, 5))
        line = self._lines(rule, task)
        self.assertEqual(line.due_at, utc(2026, 12, 8, 10, 5))
        self.assertLessEqual(line.expires_at, utc(2026, 12, 8, 12, 0))
