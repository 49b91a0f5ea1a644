from datetime import datetime, timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import TrafficCase


def _arch(env, model, view_type):
    return etree.fromstring(env[model].get_views([(False, view_type)])["views"][view_type]["arch"])


@tagged("post_install", "-at_install")
class TestTrafficJournal(TrafficCase):
    """The journal of seed 000: who processed a contact, its duration, phone, note and
    document, its filters and a date range, cancel processing from the list."""

    def _journal_filter(self, name):
        """The domain of the journal's search filter ``name``, as the web client
        evaluates it."""
        arch = _arch(self.env, "dealer.traffic", "search")
        (node,) = arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(node.get("domain"), {"uid": self.env.uid})

    # --- «Обработал» ---------------------------------------------------------------
    def test_processed_by_is_who_processed_or_ignored_and_cancel_clears_it(self):
        processed = self._traffic(user_id=self.consultant.id)
        processed.action_register()
        self.assertFalse(processed.processed_user_id)
        processed.with_user(self.consultant).action_take()
        self.assertFalse(processed.processed_user_id, "taken is not processed")
        processed.with_user(self.consultant).action_process("appointment")
        self.assertEqual(processed.processed_user_id, self.consultant)

        # A supervisor ignoring a consultant's contact processed it, not the responsible.
        ignored = self._traffic(user_id=self.consultant.id)
        ignored.action_register()
        ignored.with_user(self.supervisor).action_ignore(
            self.env.ref("dealer_traffic.ignore_reason_wrong_number")
        )
        self.assertEqual(ignored.processed_user_id, self.supervisor)
        self.assertEqual(ignored.user_id, self.consultant)

        # An operator closing an information call on the spot.
        finished = self._traffic(partner_id=False, contact_name="Справка", finish_result="informed")
        finished.action_finish()
        self.assertEqual(finished.processed_user_id, self.operator)

        (processed | ignored).with_user(self.supervisor).action_cancel_processing()
        self.assertFalse(processed.processed_user_id)
        self.assertFalse(ignored.processed_user_id)
        self.assertEqual(processed.state, "in_progress")
        self.assertEqual(ignored.state, "assigned")

    def test_processed_by_cannot_be_forged(self):
        with self.assertRaisesRegex(UserError, "Processed By"):
            self._traffic(processed_user_id=self.consultant.id)
        traffic = self._traffic(user_id=self.consultant.id)
        with self.assertRaisesRegex(UserError, "Processed By"):
            traffic.with_user(self.consultant).write({"processed_user_id": self.consultant.id})
        self.assertFalse(traffic.processed_user_id)

    def test_automatic_ignoring_has_nobody_as_processed_by(self):
        self.env["dealer.traffic"]._cron_auto_ignore()
        old = self._traffic(
            user_id=self.consultant.id, date=fields.Datetime.now() - timedelta(days=30)
        )
        old.action_register()
        self.env["dealer.traffic"]._cron_auto_ignore()
        self.assertEqual(old.state, "ignored")
        self.assertFalse(old.processed_user_id)

    # --- document, phone, columns --------------------------------------------------
    def test_document_is_the_task_the_contact_produced(self):
        first = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        self.assertFalse(first.document_task_id)
        task = first.action_process("appointment")
        self.assertEqual(first.document_task_id, task)
        # Attached to the same task, a later contact shows it as its document too.
        second = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        second.action_process("visit", task=task.id)
        self.assertEqual(second.document_task_id, task)
        # Cancelled processing detaches the task: no document any more.
        first.with_user(self.supervisor).action_cancel_processing()
        self.assertFalse(first.with_user(self.supervisor).document_task_id)
        # The document opens: a many2one link in the journal, not disabled.
        list_arch = _arch(self.env, "dealer.traffic", "list")
        (column,) = list_arch.xpath("//field[@name='document_task_id']")
        self.assertNotIn("no_open", column.get("options") or "")

    def test_phone_is_shown_for_identified_clients_too(self):
        identified = self._traffic()
        self.assertFalse(identified.contact_phone)
        self.assertEqual(identified.client_phone, "+7 916 811 22 33")
        landline = self.env["res.partner"].create({"name": "Стационаров", "phone": "84956123321"})
        self.assertEqual(self._traffic(partner_id=landline.id).client_phone, "84956123321")
        anonymous = self._traffic(partner_id=False, contact_phone="8 916 000 99 88")
        self.assertEqual(anonymous.client_phone, "8 916 000 99 88")
        given = self._traffic(contact_phone="8 903 111 22 33")
        self.assertEqual(given.client_phone, "8 903 111 22 33", "the phone given comes first")

    def test_journal_columns_of_the_seed(self):
        columns = [
            node.get("name")
            for node in _arch(self.env, "dealer.traffic", "list").xpath("/list/field")
        ]
        seed = [
            "name",
            "date",
            "create_date",
            "user_id",
            "processed_user_id",
            "goal_id",
            "partner_id",
            "process_minutes",
            "client_phone",
            "note",
            "document_task_id",
        ]
        for name in seed:
            self.assertIn(name, columns)
        self.assertEqual(
            [name for name in columns if name in seed], seed, "in the order of the seed"
        )

    # --- filters ---------------------------------------------------------------------
    def test_appointment_visit_and_no_client_filters(self):
        def processed(kind):
            traffic = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
            traffic.action_process(kind)
            return traffic

        appointment = processed("appointment")
        visit = processed("visit")
        deal = processed("deal")
        reached = processed("appointment")
        reached.task_ids.stage_id = self.env.ref("dealer_traffic.stage_visit")
        open_ = self._traffic(user_id=self.consultant.id)
        anonymous = self._traffic(partner_id=False, contact_name="Без клиента")
        ignored = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        ignored.action_ignore(self.env.ref("dealer_traffic.ignore_reason_wrong_number"))
        everything = appointment | visit | deal | reached | open_ | anonymous | ignored

        def found(name):
            domain = [("id", "in", everything.ids), *self._journal_filter(name)]
            return self.env["dealer.traffic"].search(domain)

        self.assertEqual(found("appointment"), appointment | visit | deal | reached)
        self.assertEqual(found("visit"), visit | deal | reached)
        self.assertEqual(found("no_client"), anonymous)

    def test_date_range_from_to_in_the_user_time_zone(self):
        def at(moscow):
            # Moscow is UTC+3 all year round.
            return self._traffic(date=datetime.fromisoformat(moscow) - timedelta(hours=3))

        before = at("2017-11-30 23:59:00")
        first = at("2017-12-01 00:00:00")
        evening = at("2017-12-18 20:05:00")
        last = at("2017-12-18 23:59:00")
        after = at("2017-12-19 00:00:00")
        everything = before | first | evening | last | after
        Traffic = self.env["dealer.traffic"].with_context(tz="Europe/Moscow")
        mine = [("id", "in", everything.ids)]

        both = Traffic.search(
            [*mine, ("date_from", "=", "2017-12-01"), ("date_to", "=", "2017-12-18")]
        )
        self.assertEqual(both, first | evening | last)
        self.assertEqual(
            Traffic.search([*mine, ("date_from", ">=", "2017-12-18")]), evening | last | after
        )
        self.assertEqual(
            Traffic.search([*mine, ("date_to", "<=", "2017-12-18")]),
            before | first | evening | last,
        )
        one_day = Traffic.search(
            [*mine, ("date_from", "=", "2017-12-18"), ("date_to", "=", "2017-12-18")]
        )
        self.assertEqual(one_day, evening | last)
        # The same day read in UTC ends three hours later.
        utc = self.env["dealer.traffic"].with_context(tz="UTC")
        self.assertEqual(utc.search([*mine, ("date_to", "=", "2017-11-30")]), before | first)
        # Both are search fields of the journal.
        search = _arch(self.env, "dealer.traffic", "search")
        self.assertTrue(search.xpath("//field[@name='date_from']"))
        self.assertTrue(search.xpath("//field[@name='date_to']"))

    def test_date_range_refuses_what_is_not_a_day(self):
        Traffic = self.env["dealer.traffic"]
        with self.assertRaisesRegex(UserError, "operator"):
            Traffic.search([("date_from", "<", "2017-12-01")])
        with self.assertRaisesRegex(UserError, "needs a day"):
            Traffic.search([("date_to", "=", "вчера")])
        with self.assertRaisesRegex(UserError, "needs a day"):
            Traffic.search([("date_from", "=", False)])

    # --- cancel processing from the list -----------------------------------------
    def test_cancel_processing_from_the_list(self):
        header = _arch(self.env, "dealer.traffic", "list").xpath("/list/header/button")
        self.assertIn("action_cancel_processing", [button.get("name") for button in header])

        processed = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        task = processed.action_process("appointment")
        ignored = self._traffic(user_id=self.consultant.id).with_user(self.consultant)
        ignored.action_ignore(self.env.ref("dealer_traffic.ignore_reason_wrong_number"))
        open_ = self._traffic(user_id=self.consultant.id)
        open_.action_register()

        # A selection with a contact still in work is refused whole.
        selection = (processed | ignored | open_).with_user(self.supervisor)
        with self.assertRaisesRegex(UserError, "cannot be reopened"):
            selection.action_cancel_processing()
        self.assertEqual(processed.state, "processed")
        self.assertEqual(ignored.state, "ignored")

        # A consultant may not reopen a colleague's contacts.
        with self.assertRaises(AccessError):
            (processed | ignored).with_user(self.consultant2).action_cancel_processing()

        (processed | ignored).with_user(self.supervisor).action_cancel_processing()
        self.assertEqual(processed.state, "in_progress")
        self.assertEqual(ignored.state, "assigned")
        self.assertFalse(ignored.ignore_reason_id)
        self.assertTrue(task.exists())
        self.assertFalse(task.traffic_id)


@tagged("post_install", "-at_install")
class TestDealerLists(TrafficCase):
    """Lists that look like a dealer's: configuration lists do not add up days and
    minutes in their groups, the model year of a car reads «2013», not «2 013»."""

    # Configuration fields of days, minutes, hours, months, seconds, km: no sum in
    # the group rows of their lists (Odoo sums an integer field's groups by default).
    CONFIG_FIELDS = {
        "dealer.appointment.kind": ["duration_minutes"],
        "dealer.vehicle": ["year"],
        # The modules installed after this one, when they are (CI installs them all).
        "dealer.crm.status": ["days_to_lost"],
        "dealer.crm.status.direction": ["days_to_lost"],
        "dealer.direction": ["crm_window_months"],
        "fleet.vehicle.model.brand": [
            "dealer_service_interval_months",
            "dealer_service_interval_km",
        ],
        "dealer.sms.provider": ["timeout", "retries"],
        "dealer.notification.rule": ["run_time", "relevance_hours", "lead_hours"],
    }

    def _assert_not_summed(self, model, names):
        Model = self.env[model]
        described = Model.fields_get(names, ["aggregator"])
        for name in names:
            with self.subTest(model=model, field=name):
                self.assertNotIn("aggregator", described[name])
                # What a grouped list asks: aggregates of the fields that have one.
                self.assertFalse(Model._fields[name].aggregator)

    def test_configuration_lists_do_not_sum_days_and_minutes(self):
        checked = 0
        for model, names in self.CONFIG_FIELDS.items():
            if model in self.env and all(name in self.env[model]._fields for name in names):
                self._assert_not_summed(model, names)
                checked += 1
        self.assertGreaterEqual(checked, 2)

    def test_contact_goal_days_and_minutes_are_not_summed(self):
        # The goals' list is grouped by direction and kind by default.
        self._assert_not_summed("dealer.contact.goal", ["auto_ignore_days", "response_minutes"])

    def test_model_year_is_not_formatted_as_a_number(self):
        views = [
            ("dealer.vehicle", "list"),
            ("dealer.vehicle", "form"),
            ("res.partner", "form"),
            # The years of the cars a campaign adds clients by, when installed.
            ("dealer.campaign.add.contacts", "form"),
        ]
        found = 0
        for model, view_type in views:
            if model not in self.env:
                continue
            # As a supervisor, who sees the client's cars and adds clients to campaigns.
            arch = _arch(self.env(user=self.supervisor), model, view_type)
            for node in arch.xpath("//field[@name='year' or starts-with(@name, 'year_')]"):
                with self.subTest(model=model, view=view_type):
                    options = safe_eval(node.get("options") or "{}")
                    self.assertIs(options.get("enable_formatting"), False)
                    found += 1
        self.assertGreaterEqual(found, 4)
