from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TrafficCase


@tagged("post_install", "-at_install")
class TestAutoIgnore(TrafficCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Demo traffic may be overdue already: clear it so counts below are exact.
        cls.env["dealer.traffic"]._cron_auto_ignore()

    def test_only_traffic_past_its_goal_days_is_ignored(self):
        now = fields.Datetime.now()
        self.goal_repair.auto_ignore_days = 3
        old = self._traffic(user_id=self.consultant.id, date=now - timedelta(days=4))
        old.action_register()
        fresh = self._traffic(date=now - timedelta(days=2))
        done = self._traffic(user_id=self.consultant.id, date=now - timedelta(days=10))
        done.with_user(self.consultant).action_process("appointment")
        no_limit_goal = self.env.ref("dealer_traffic.goal_service_maintenance")
        no_limit_goal.auto_ignore_days = 0
        kept = self._traffic(goal_id=no_limit_goal.id, date=now - timedelta(days=30))

        count = self.env["dealer.traffic"]._cron_auto_ignore()

        self.assertGreaterEqual(count, 1)
        timeout = self.env.ref("dealer_traffic.ignore_reason_timeout")
        self.assertEqual(old.state, "ignored")
        self.assertEqual(old.ignore_reason_id, timeout)
        self.assertTrue(old.processed_date)
        self.assertGreater(old.process_minutes, 4 * 24 * 60 - 1)
        self.assertEqual(fresh.state, "new")
        self.assertEqual(done.state, "processed")
        self.assertEqual(kept.state, "new")

    def test_batches_and_rerun_are_safe(self):
        past = fields.Datetime.now() - timedelta(days=30)
        traffic = self.env["dealer.traffic"].create(
            [
                {
                    "channel_id": self.call.id,
                    "direction_id": self.service.id,
                    "goal_id": self.goal_repair.id,
                    "partner_id": self.client.id,
                    "date": past,
                }
                for _i in range(7)
            ]
        )
        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 7)
        self.assertEqual(set(traffic.mapped("state")), {"ignored"})
        stamps = traffic.mapped("processed_date")
        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 0)
        self.assertEqual(traffic.mapped("processed_date"), stamps, "a re-run changes nothing")

    # --- the chatter trace: the same as a manual ignore's -------------------------------

    def _flush_tracking(self):
        """What a commit does first: tracking messages are posted at precommit."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def _overdue_pair(self, register=False):
        """Two overdue contacts of the consultant in the same state: the first to be
        ignored by hand, the second by the cron."""
        past = fields.Datetime.now() - timedelta(days=10)
        pair = self._traffic(user_id=self.consultant.id, date=past)
        pair += self._traffic(user_id=self.consultant.id, date=past)
        if register:
            pair.action_register()
        self._flush_tracking()
        return pair

    def _ignore_both_ways(self, pair, lang):
        manual, auto = pair
        timeout = self.env.ref("dealer_traffic.ignore_reason_timeout")
        # As the responsible consultant would from the chatter's form, in his language.
        manual.with_user(self.consultant).with_context(lang=lang).action_ignore(timeout.id)
        self._flush_tracking()
        self.env["dealer.traffic"].with_context(lang=lang)._cron_auto_ignore()
        self._flush_tracking()
        self.assertEqual(pair.mapped("state"), ["ignored", "ignored"])
        return manual, auto

    def _trace(self, traffic, lang):
        """The tracking messages of ``traffic``'s ignoring (as sudo: the raw trace)."""
        ignored = self._label("ignored", lang)
        return traffic.sudo().message_ids.filtered(
            lambda message: any(
                value.field_id.name == "state" and value.new_value_char == ignored
                for value in message.tracking_value_ids
            )
        )

    def _label(self, state, lang):
        traffic = self.env["dealer.traffic"].with_context(lang=lang)
        return dict(traffic.fields_get(["state"], ["selection"])["state"]["selection"])[state]

    def _row(self, table, record_id, ignored):
        """The stored row, but the columns ``ignored``."""
        self.env.cr.execute(
            SQL(
                "SELECT row_to_json(r)::jsonb FROM %s r WHERE id = %s",
                SQL.identifier(table),
                record_id,
            )
        )
        row = self.env.cr.fetchone()[0]
        return {key: value for key, value in row.items() if key not in ignored}

    def _assert_same_trace(self, manual, auto, lang):
        manual_message, auto_message = self._trace(manual, lang), self._trace(auto, lang)
        self.assertEqual(len(manual_message), 1, "the ORM logs one tracking message")
        self.assertEqual(len(auto_message), 1, "the cron logs one tracking message")
        # Every column Odoo fills, but who wrote it, when, and the ids.
        who_when = {
            "id",
            "res_id",
            "author_id",
            "email_from",
            "reply_to",
            "message_id",
            "create_uid",
            "write_uid",
            "date",
            "create_date",
            "write_date",
        }
        self.assertEqual(
            self._row("mail_message", auto_message.id, who_when),
            self._row("mail_message", manual_message.id, who_when),
        )
        self.assertEqual(auto_message.message_type, "notification")
        self.assertEqual(auto_message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertTrue(auto_message.is_internal)
        # By the user the cron runs as, as tracking would sign it.
        cron_partner = self.env.user.partner_id
        self.assertEqual(auto_message.author_id, cron_partner)
        self.assertEqual(auto_message.email_from, cron_partner.email_formatted)
        self.assertEqual(manual_message.author_id, self.consultant.partner_id)
        self.assertRegex(auto_message.message_id, r"^<\d{15}\.\d+\.\d+-openerp-message-notify@.+>$")
        self.assertNotEqual(auto_message.message_id, manual_message.message_id)
        # The tracking values, column by column, in the same order.
        value_ids = {
            "id",
            "mail_message_id",
            "create_uid",
            "write_uid",
            "create_date",
            "write_date",
        }
        manual_values = manual_message.tracking_value_ids.sorted("id")
        auto_values = auto_message.tracking_value_ids.sorted("id")
        self.assertEqual(
            [self._row("mail_tracking_value", value.id, value_ids) for value in auto_values],
            [self._row("mail_tracking_value", value.id, value_ids) for value in manual_values],
        )

        # And as the chatter shows them.
        def shown(values):
            return [
                {key: value for key, value in line.items() if key != "id"}
                for line in values._tracking_value_format()
            ]

        self.assertEqual(shown(auto_values), shown(manual_values))
        return auto_values

    def test_cron_logs_the_trace_of_a_manual_ignore(self):
        for lang, register in (("en_US", False), ("en_US", True), ("ru_RU", True)):
            with self.subTest(lang=lang, register=register):
                self.env["res.lang"]._activate_lang(lang)
                manual, auto = self._ignore_both_ways(self._overdue_pair(register), lang)
                values = self._assert_same_trace(manual, auto, lang)
                self.assertEqual(values.field_id.mapped("name"), ["state", "ignore_reason_id"])
                state, reason = values
                old = "assigned" if register else "new"
                self.assertEqual(state.old_value_char, self._label(old, lang))
                self.assertEqual(state.new_value_char, self._label("ignored", lang))
                timeout = self.env.ref("dealer_traffic.ignore_reason_timeout")
                self.assertEqual(
                    (reason.old_value_integer, reason.new_value_integer), (0, timeout.id)
                )
                self.assertEqual(
                    reason.new_value_char, timeout.with_context(lang=lang).display_name
                )

    def test_cron_traces_every_row_of_every_batch_once(self):
        past = fields.Datetime.now() - timedelta(days=30)
        traffic = self._traffic(user_id=self.consultant.id, date=past)
        for _i in range(6):
            traffic += self._traffic(user_id=self.consultant.id, date=past)
        self._flush_tracking()
        before = {t.id: len(t.sudo().message_ids) for t in traffic}

        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 7)
        self._flush_tracking()
        self.assertEqual(self.env["dealer.traffic"]._cron_auto_ignore(batch_size=3), 0)
        self._flush_tracking()

        for record in traffic:
            # One message more: the cron's, and no second one from the ORM's tracking.
            self.assertEqual(len(record.sudo().message_ids), before[record.id] + 1)
            values = self._trace(record, "en_US").tracking_value_ids.sorted("id")
            self.assertEqual(values.field_id.mapped("name"), ["state", "ignore_reason_id"])
        self.env.cr.execute(
            SQL(
                """SELECT count(DISTINCT m.id), count(*) FROM mail_tracking_value v
                     JOIN mail_message m ON m.id = v.mail_message_id
                     JOIN ir_model_fields f ON f.id = v.field_id
                    WHERE m.model = 'dealer.traffic' AND m.res_id = ANY(%s)
                      AND f.name IN ('state', 'ignore_reason_id')""",
                traffic.ids,
            )
        )
        self.assertEqual(self.env.cr.fetchone(), (7, 14))

    def test_cron_keeps_a_reason_already_set_out_of_the_trace(self):
        """Tracking logs only what changed: a contact reopened with the timeout reason
        still set gets only its state tracked."""
        manual, auto = self._overdue_pair()
        timeout = self.env.ref("dealer_traffic.ignore_reason_timeout")
        self.env.cr.execute(
            SQL(
                "UPDATE dealer_traffic SET ignore_reason_id = %s WHERE id = ANY(%s)",
                timeout.id,
                (manual + auto).ids,
            )
        )
        self.env.invalidate_all()
        manual, auto = self._ignore_both_ways(manual + auto, "en_US")
        values = self._assert_same_trace(manual, auto, "en_US")
        self.assertEqual(values.field_id.mapped("name"), ["state"])

    def test_cron_without_tracking_logs_nothing(self):
        traffic = self._traffic(date=fields.Datetime.now() - timedelta(days=30))
        self._flush_tracking()
        count = len(traffic.sudo().message_ids)
        ignore = self.env["dealer.traffic"].with_context(tracking_disable=True)._cron_auto_ignore
        self.assertEqual(ignore(), 1)
        self._flush_tracking()
        self.assertEqual(traffic.state, "ignored")
        self.assertEqual(len(traffic.sudo().message_ids), count)
