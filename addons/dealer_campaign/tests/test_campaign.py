import base64
import io
import shutil
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from openpyxl import Workbook

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..models import dealer_campaign_contact as contact_module
from ..tools import bulk
from ..wizard import dealer_campaign_add_contacts as wizard_module
from .common import CampaignCase

real_has_written = bulk.has_written


@tagged("post_install", "-at_install")
class TestAddContacts(CampaignCase):
    def test_system_filter_counts_before_adding_and_excludes_do_not_call(self):
        wizard = self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person")
        self.assertEqual(wizard.match_count, 10)
        wizard.action_add()
        self.assertEqual(wizard.added_count, 9)
        self.assertEqual(wizard.excluded_count, 1)
        self.assertIn("1", wizard.excluded_text)
        self.assertNotIn(self.clients[3], self.campaign.contact_ids.partner_id)
        self.assertEqual(self.campaign.contact_count, 9)
        # Again: nothing twice, each counted as present.
        again = self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person")
        again.action_add()
        self.assertEqual((again.added_count, again.present_count), (0, 9))
        self.assertTrue(again.report_file)

    def test_sms_campaign_takes_only_clients_with_consent_and_not_blacklisted(self):
        campaign = self.campaign.copy({"channel": "sms", "name": "SMS акция"})
        self.env["phone.blacklist"].sudo()._add([self.clients[0].phone_sanitized])
        wizard = self._wizard(campaign, category_ids=[(6, 0, self.tag.ids)], partner_type="person")
        wizard.action_add()
        expected = self.clients.filtered("consent_sms") - self.clients[0]
        self.assertEqual(set(campaign.contact_ids.partner_id.ids), set(expected.ids))
        self.assertEqual(wizard.excluded_count, 10 - len(expected))

    def test_clipboard_lines_matched_by_phone_in_any_format(self):
        text = "\n".join(
            [
                "8 (916) 600-00-01;Клиент Акции 1",
                "+79166000002\tКлиент Акции 2",
                "9166000002, повтор",
                "мусорная строка",
                "",
                "+7 999 111-11-11, Неизвестный",
            ]
        )
        wizard = self._wizard(source="clipboard", text=text)
        wizard.action_add()
        self.assertEqual(set(self.campaign.contact_ids.partner_id.ids), set(self.clients[1:3].ids))
        self.assertEqual(wizard.duplicate_count, 1)
        self.assertEqual(wizard.not_found_count, 1)
        self.assertGreaterEqual(wizard.skipped_count, 1)
        created = self._wizard(
            source="clipboard", text="+7 999 111-11-11, Неизвестный", create_unknown=True
        )
        created.action_add()
        self.assertEqual(created.created_count, 1)
        self.assertIn("Неизвестный", self.campaign.contact_ids.partner_id.mapped("name"))

    def test_oversized_paste_is_a_clear_error(self):
        wizard = self._wizard(source="clipboard", text="8 916 600 00 01\n" * 80000)
        with self.assertRaisesRegex(UserError, "1 MB"):
            wizard.action_add()
        self.assertFalse(self.campaign.contact_ids)


@tagged("post_install", "-at_install")
class TestDistribution(CampaignCase):
    def _add_all(self):
        self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person").action_add()

    def test_limits_per_person_and_working_days(self):
        self._add_all()  # 9 contacts, 2 callers, 3 a day
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()
        contacts = self.campaign.contact_ids
        self.assertTrue(all(contacts.mapped("task_id")))
        per_day = {}
        for contact in contacts:
            key = (contact.user_id.id, contact.planned_date.date())
            per_day[key] = per_day.get(key, 0) + 1
        self.assertLessEqual(max(per_day.values()), 3)
        # Monday 7 December: 6 calls; Tuesday the other 3; never a weekend.
        days = sorted({d for _u, d in per_day})
        self.assertEqual(days, [date(2026, 12, 7), date(2026, 12, 8)])
        task = contacts[0].task_id
        self.assertEqual(task.partner_id, contacts[0].partner_id)
        self.assertEqual(task.dealer_campaign_id, self.campaign)
        self.assertEqual(task.campaign_contact_id, contacts[0])
        self.assertEqual(task.project_id, self.campaign.direction_id.project_id)
        # A consultant works the task: its contact and outcome are there for them.
        worker = task.user_ids[:1]
        self.assertEqual(task.with_user(worker).campaign_contact_id, contacts[0])
        self.assertFalse(task.with_user(worker).dealer_campaign_outcome)
        Task = self.env["project.task"]
        self.assertEqual(Task.search([("campaign_contact_id", "=", contacts[0].id)]), task)
        mine = [("dealer_campaign_id", "=", self.campaign.id)]
        self.assertEqual(
            set(Task.search([("campaign_contact_id", "!=", False), *mine])), set(contacts.task_id)
        )
        self.assertFalse(Task.search([("campaign_contact_id", "=", False), *mine]))
        self.assertEqual(self.campaign.task_count, 9)

    def test_weekend_start_moves_to_monday(self):
        self._add_all()
        self.campaign.date_start = date(2026, 12, 12)  # Saturday
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()
        self.assertEqual(
            min(self.campaign.contact_ids.mapped("planned_date")).date(), date(2026, 12, 14)
        )

    def test_redistribution_moves_only_undone_contacts_of_a_leaver(self):
        self._add_all()
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()
            theirs = self.campaign.contact_ids.filtered(lambda c: c.user_id == self.caller_b)
            done = theirs[0]
            done.with_user(self.caller_b).action_set_outcome("unreachable", "не берёт трубку")
            self.campaign.user_ids = self.caller_a
            self.campaign.with_user(self.supervisor).action_distribute()
        self.assertEqual(done.user_id, self.caller_b)
        self.assertEqual(done.task_id.user_ids, self.caller_b)
        moved = theirs - done
        self.assertEqual(set(moved.mapped("user_id")), {self.caller_a})
        self.assertEqual(set(moved.task_id.user_ids), {self.caller_a})

    def test_only_supervisors_distribute(self):
        self._add_all()
        with self.assertRaises(UserError):
            self.campaign.with_user(self.caller_a).action_distribute()


@tagged("post_install", "-at_install")
class TestOutcomes(CampaignCase):
    def setUp(self):
        super().setUp()
        self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person").action_add()
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()

    def test_informed_client_gets_an_outgoing_contact_of_the_campaign(self):
        self.campaign.utm_campaign_id = self.env["utm.campaign"].create({"name": "Смарт в подарок"})
        contact = self.campaign.contact_ids.filtered(lambda c: c.user_id == self.caller_a)[0]
        contact.with_user(self.caller_a).action_set_outcome("informed", "Придёт в субботу")
        self.assertEqual((contact.outcome, contact.outcome_user_id), ("informed", self.caller_a))
        traffic = contact.traffic_id
        self.assertEqual(traffic.goal_id, self.campaign.goal_id)
        self.assertEqual(traffic.partner_id, contact.partner_id)
        self.assertEqual(traffic.dealer_utm_campaign_id, self.campaign.utm_campaign_id)
        self.assertEqual(traffic.source_id, self.env.ref("dealer_campaign.utm_source_campaign"))
        self.assertEqual(traffic.state, "assigned")
        self.assertEqual(contact.task_id.state, "1_done")
        self.assertEqual(self.campaign.informed_count, 1)
        # The client books a test drive on that contact: the campaign's results count it.
        traffic.with_user(self.caller_a).action_take()
        traffic.with_user(self.caller_a).action_process("deal")
        self.assertEqual((contact.appointment_count, contact.deal_count), (1, 1))

    def test_a_colleague_cannot_set_my_outcome_and_twice_is_refused(self):
        contact = self.campaign.contact_ids.filtered(lambda c: c.user_id == self.caller_a)[0]
        with self.assertRaises(UserError):
            contact.with_user(self.caller_b).action_set_outcome("refused")
        contact.with_user(self.caller_a).action_set_outcome("refused", "не интересно")
        with self.assertRaises(UserError):
            contact.with_user(self.caller_a).action_set_outcome("informed")
        self.assertEqual(self.campaign.refused_count, 1)

    def test_consultants_see_only_their_own_contacts(self):
        mine = self.env["dealer.campaign.contact"].with_user(self.caller_a).search([])
        self.assertTrue(mine)
        self.assertEqual(set(mine.mapped("user_id")), {self.caller_a})


@tagged("post_install", "-at_install")
class TestSmsCampaign(CampaignCase):
    def test_sms_campaign_goes_through_the_log_with_the_rules_of_sending(self):
        template = self.env["sms.template"].create(
            {
                "name": "Зимняя акция",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body": "{{ object.name }}, зимние шины со скидкой 20%!",
            }
        )
        campaign = self.campaign.copy(
            {"channel": "sms", "name": "SMS акция", "sms_template_id": template.id}
        )
        self._wizard(
            campaign, category_ids=[(6, 0, self.tag.ids)], partner_type="person"
        ).action_add()
        contacts = campaign.contact_ids
        # A consent withdrawn after adding: the message is skipped, not sent.
        late = contacts[0].partner_id
        late.consent_sms = False
        campaign.with_user(self.supervisor).action_start()
        campaign.with_user(self.supervisor).action_send()
        self.assertTrue(all(contacts.mapped("notification_id")))
        self.assertEqual(
            contacts.filtered(lambda c: c.partner_id == late).delivery_state, "skipped"
        )
        queued = contacts.filtered(lambda c: c.delivery_state == "queued")
        self.assertEqual(len(queued), len(contacts) - 1)
        self.assertIn("зимние шины", queued[0].notification_id.body)
        # Sent again: nothing new.
        campaign.with_user(self.supervisor).action_send()
        self.assertEqual(
            len(
                self.env["dealer.notification"].search(
                    [("occurrence", "=", f"campaign-{campaign.id}")]
                )
            ),
            len(contacts),
        )


@tagged("post_install", "-at_install")
class TestExcelSource(CampaignCase):
    def _workbook(self, rows, header=("ФИО", "Телефон", "Доп. телефон", "VIN")):
        book = Workbook()
        sheet = book.active
        sheet.title = "Клиенты"
        sheet.append(["Список клиентов для акции"])
        sheet.merge_cells("A1:D1")
        sheet.append([])
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return base64.b64encode(buffer.getvalue())

    def test_workbook_rows_matched_by_any_number_and_by_vin(self):
        vehicle = self.env["dealer.vehicle"].create(
            {
                "owner_id": self.clients[5].id,
                "vin": "XTA21700080123456",
                "license_plate": "А555АА59",
            }
        )
        file = self._workbook(
            [
                ("Клиент Акции 1", "8 916 600 00 01", "", ""),
                ("Клиент Акции 2", "нет", "+7 (916) 600-00-02; +7 999 000-00-00", ""),
                ("Клиент Акции 1", "79166000001", "", ""),  # the same client again
                ("Без номера", "", "", vehicle.vin),
                ("Неизвестный", "+7 999 123-45-67", "", ""),
                ("", "", "", ""),
            ]
        )
        wizard = self._wizard(source="excel", file=file, filename="акция.xlsx")
        wizard.action_preview()
        roles = {c.header: c.role for c in wizard.column_ids}
        self.assertEqual(roles["Телефон"], "phone")
        self.assertEqual(roles["VIN"], "vin")
        self.assertEqual(wizard.sheet_name, "Клиенты")
        wizard.action_add()
        self.assertEqual(
            set(self.campaign.contact_ids.partner_id.ids),
            {self.clients[1].id, self.clients[2].id, self.clients[5].id},
        )
        self.assertEqual((wizard.duplicate_count, wizard.not_found_count), (1, 1))

    def test_bad_files_are_clear_errors_and_lose_nothing(self):
        self._wizard(source="clipboard", text="8 916 600 00 01").action_add()
        for data, message in (
            (base64.b64encode(b"not a workbook at all"), "Excel"),
            (base64.b64encode(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512), "password"),
            (self._workbook([("Клиент", "просто текст")], header=("ФИО", "Комментарий")), "phone"),
        ):
            with self.subTest(message=message):
                wizard = self._wizard(source="excel", file=data, filename="f.xlsx")
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_add()
        self.assertEqual(self.campaign.contact_ids.partner_id, self.clients[1])


@tagged("post_install", "-at_install")
class TestCallSheetPdf(HttpCase):
    def test_call_sheet_prints_as_pdf(self):
        if not shutil.which("wkhtmltopdf"):
            self.skipTest("wkhtmltopdf is not installed (./dev setup installs it)")
        campaign = self.env.ref("dealer_campaign.campaign_demo_running", raise_if_not_found=False)
        if not campaign:
            self.skipTest("no demo data")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("dealer_campaign.action_report_call_sheet", campaign.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 2000)


@tagged("post_install", "-at_install")
class TestBulkParts(CampaignCase):
    """Many contacts are added and distributed in parts, each on a connection and in a
    transaction of its own (here: test cursors on the test's transaction, one after
    the other)."""

    def setUp(self):
        super().setUp()
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        # Parts from 3 rows on; the test's transaction has written its records.
        self.patch(bulk, "MIN_PART_ROWS", 3)
        self.patch(bulk, "has_written", lambda env: False)
        self.parts = []
        run_parts = bulk.run_parts

        def counted(records, method, parts):
            self.parts.append((method, [len(args[-1]) for args in parts]))
            return run_parts(records, method, parts)

        for module in (contact_module, wizard_module):
            self.patch(module, "run_parts", counted)

    def _add_all(self):
        wizard = self._wizard(category_ids=[(6, 0, self.tag.ids)], partner_type="person")
        wizard.action_add()
        return wizard

    def test_parts_add_and_distribute_as_one_statement_would(self):
        wizard = self._add_all()
        self.assertEqual(self.parts, [("_insert_part", [5, 5])])
        self.assertEqual((wizard.added_count, wizard.excluded_count), (9, 1))
        self.assertNotIn(self.clients[3], self.campaign.contact_ids.partner_id)
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()
        self.assertEqual(self.parts[1], ("_assign_part", [5, 4]))
        contacts = self.campaign.contact_ids
        self.assertEqual(len(contacts.task_id), 9)
        per_day = {}
        for contact in contacts:
            self.assertEqual(contact.task_id.user_ids, contact.user_id)
            self.assertEqual(contact.task_id.partner_id, contact.partner_id)
            key = (contact.user_id.id, contact.planned_date.date())
            per_day[key] = per_day.get(key, 0) + 1
        self.assertLessEqual(max(per_day.values()), 3)
        self.assertEqual(sorted({d for _u, d in per_day}), [date(2026, 12, 7), date(2026, 12, 8)])

    def test_a_failed_part_leaves_the_others_done_and_again_finishes_it(self):
        self._add_all()
        assign_part = type(self.env["dealer.campaign.contact"])._assign_part
        calls = []

        def second_fails(records, campaign, contacts, slots):
            calls.append(len(contacts))
            if len(calls) == 2:
                raise RuntimeError("Сбой второй части")
            return assign_part(records, campaign, contacts, slots)

        Contact = type(self.env["dealer.campaign.contact"])
        with (
            patch.object(Contact, "_assign_part", second_fails),
            freeze_time("2026-12-07 08:00:00"),
            self.assertRaisesRegex(UserError, "5 of 9 contacts were distributed.*Сбой"),
            self.assertLogs(bulk.__name__, "ERROR") as logged,
        ):
            self.campaign.with_user(self.supervisor).action_distribute()
        self.assertIn("_assign_part: part 2 of 2 failed", logged.output[0])
        contacts = self.campaign.contact_ids
        self.assertEqual(len(contacts.filtered("task_id")), 5)
        mine = [("dealer_campaign_id", "=", self.campaign.id)]
        self.assertEqual(self.env["project.task"].search_count(mine), 5)
        with freeze_time("2026-12-07 08:00:00"):
            self.campaign.with_user(self.supervisor).action_distribute()
        self.assertEqual(len(contacts.task_id), 9)
        self.assertEqual(self.env["project.task"].search_count(mine), 9)

    def test_parts_only_from_enough_rows_and_never_after_a_write(self):
        env = self.env
        self.assertEqual(bulk.part_count(env, 2), 1)
        self.assertEqual(bulk.part_count(env, 6), 2)
        env["ir.config_parameter"].set_param(bulk.JOBS_PARAM, "4")
        self.assertEqual(bulk.part_count(env, 9), 3)
        env["ir.config_parameter"].set_param(bulk.JOBS_PARAM, "много")
        with self.assertLogs(bulk.__name__, "WARNING"):
            self.assertEqual(bulk.part_count(env, 9), 1)
        env["ir.config_parameter"].set_param(bulk.JOBS_PARAM, "2")
        with patch.object(bulk, "has_written", real_has_written):
            # This test's transaction has written: its parts would not see it.
            self.assertEqual(bulk.part_count(env, 9), 1)
