import hashlib
import hmac
import logging
import threading
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, html2plaintext

from ..gateways import OutMessage, SendResult, translate_reason

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("sms", "SMS"),
    ("email", "E-mail"),
    ("internal", "Internal Message"),
    ("phone", "Phone Call"),
]
STATES = [
    ("planned", "Planned"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("expired", "Expired"),
    ("skipped", "Skipped"),
    ("unknown", "Unknown"),
]
SKIP_REASONS = [
    ("not_individual", "Not an individual"),
    ("no_consent", "No consent for the channel"),
    ("blacklisted", "Address blacklisted"),
    ("no_address", "No number or address"),
    ("invalid_number", "Invalid number"),
    ("foreign_number", "Foreign number"),
    ("do_not_call", "Do not call"),
    ("inactive", "Document no longer valid"),
    ("no_recipient", "No staff recipient"),
]
CLIENT_CHANNELS = ("sms", "email")
DISPATCH_BATCH = 500
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)
# A message handed to a gateway whose answer never came back is looked at again
# after this long (the process sending it may still be waiting for the answer).
SENDING_STALE = timedelta(minutes=5)
# Status polling: from a quarter of an hour after sending (callbacks come first) to
# three days, at most hourly per message.
POLL_AFTER = timedelta(minutes=15)
POLL_UNTIL = timedelta(days=3)
POLL_EVERY = timedelta(hours=1)
POLL_BATCH = 5000


def committing(env):
    """Batches are committed by scheduled runs, never inside tests or a user's request."""
    return env.context.get("dealer_notify_commit") and not getattr(
        threading.current_thread(), "testing", False
    )


class DealerNotification(models.Model):
    """The message log: every message to a client or employee and its fate. The
    durable record of what was sent: Odoo deletes its sent SMS."""

    _name = "dealer.notification"
    _description = "Message Log"
    _order = "id desc"
    _rec_name = "id"

    rule_id = fields.Many2one(
        "dealer.notification.rule", index=True, ondelete="restrict", readonly=True
    )
    category = fields.Selection(related="rule_id.category", store=True, string="Category")
    kind = fields.Selection(related="rule_id.kind", store=True, string="Type")
    res_model = fields.Char(string="Document Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    document_ref = fields.Reference(
        selection="_selection_document_ref", string="Document", compute="_compute_document_ref"
    )
    occurrence = fields.Char(
        required=True,
        default="",
        readonly=True,
        help="What makes a message of a rule and a document a new one: the booked time "
        "of an appointment, the stage reached, the year of a birthday.",
    )
    partner_id = fields.Many2one("res.partner", string="Client", index=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Employee", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", index=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    address = fields.Char(string="Recipient Address", readonly=True)
    subject = fields.Char(readonly=True)
    body = fields.Text(readonly=True)
    state = fields.Selection(STATES, required=True, default="planned", index=True, readonly=True)
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True)
    error = fields.Char(readonly=True)
    is_test = fields.Boolean(
        string="Test Message",
        readonly=True,
        help="Sent to the rule's test recipient, not the client.",
    )
    due_at = fields.Datetime(string="Due", readonly=True, index=True)
    expires_at = fields.Datetime(string="Relevant Until", readonly=True)
    sent_at = fields.Datetime(string="Sent", readonly=True)
    delivered_at = fields.Datetime(string="Delivered", readonly=True)
    attempts = fields.Integer(readonly=True)
    next_try_at = fields.Datetime(string="Next Attempt", readonly=True)
    provider_id = fields.Many2one(
        "dealer.sms.provider", string="Gateway", readonly=True, index="btree_not_null"
    )
    provider_message_id = fields.Char(string="Gateway Message ID", readonly=True)
    sms_uuid = fields.Char(string="SMS UUID", readonly=True, copy=False)
    checked_at = fields.Datetime(
        string="Status Checked", readonly=True, help="When the gateway was last asked about it."
    )
    attempt_ids = fields.One2many(
        "dealer.notification.attempt", "notification_id", string="Attempt History", readonly=True
    )

    _sql_constraints = [
        # Once per rule and document: the database guarantees it, whoever plans.
        (
            "rule_document_unique",
            "UNIQUE(rule_id, res_model, res_id, occurrence)",
            "This message was already planned for this document.",
        ),
        ("sms_uuid_unique", "UNIQUE(sms_uuid)", "One log line per SMS."),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        cr = self.env.cr
        # What the dispatcher and the delivery reports look rows up by.
        cr.execute(
            "CREATE INDEX IF NOT EXISTS dealer_notification_due_idx "
            "ON dealer_notification (due_at, id) WHERE state = 'planned'"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS dealer_notification_provider_msg_idx "
            "ON dealer_notification (provider_id, provider_message_id) "
            "WHERE provider_message_id IS NOT NULL"
        )
        return result

    @api.model
    def _selection_document_ref(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_document_ref(self):
        for line in self:
            model = line.res_model in self.env and line.res_id and line.res_model
            line.document_ref = f"{model},{line.res_id}" if model else False

    @api.depends("rule_id", "partner_id", "channel")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for line in self:
            parts = [
                f"#{line.id}",
                line.rule_id.name or channels.get(line.channel),
                line.partner_id.name,
            ]
            line.display_name = " · ".join(p for p in parts if p)

    # --- user actions --------------------------------------------------------------
    def action_retry(self):
        """Plan a failed, unknown, expired or skipped message again, now. A person
        decides it: for an «unknown» SMS that means it may reach the client twice."""
        retriable = self.filtered(lambda n: n.state in ("failed", "unknown", "expired", "skipped"))
        if not retriable:
            raise UserError(
                self.env._("Only failed, unknown, expired or skipped messages can be retried.")
            )
        retriable._check_manage()
        now = fields.Datetime.now()
        # sudo: workflow fields are readonly in views and written by this action only.
        retriable.sudo().write(
            {
                "state": "planned",
                "due_at": now,
                "expires_at": False,
                "next_try_at": False,
                "skip_reason": False,
                "error": False,
                "sms_uuid": False,
            }
        )
        self.env["dealer.notification.attempt"].sudo().create(
            [
                {
                    "notification_id": n.id,
                    "outcome": "retry",
                    "error": self.env._("Retried by %s", self.env.user.name),
                }
                for n in retriable
            ]
        )
        self._trigger_dispatch()
        return True

    def action_mark_sent(self):
        """A person checked with the gateway's account that an «unknown» SMS went out."""
        unknown = self.filtered(lambda n: n.state == "unknown")
        if not unknown:
            raise UserError(
                self.env._("Only messages in the state «Unknown» can be marked as sent.")
            )
        unknown._check_manage()
        # sudo: see action_retry.
        unknown.sudo().write({"state": "sent", "sent_at": fields.Datetime.now(), "error": False})
        return True

    def action_open_document(self):
        self.ensure_one()
        if not self.document_ref:
            raise UserError(self.env._("The message has no document."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
        }

    def _check_manage(self):
        if not self.env.user.has_group("dealer_base.group_dealer_supervisor"):
            raise UserError(self.env._("Only supervisors decide on messages of the log."))

    # --- dispatching -----------------------------------------------------------------
    @api.model
    def _trigger_dispatch(self, at=None):
        self.env.ref("dealer_notify.ir_cron_notification_plan")._trigger(at)

    @api.model
    def _dispatch(self, limit=DISPATCH_BATCH, max_batches=None):
        """Hand every due planned message to its channel, batch by batch; each batch
        is locked (SKIP LOCKED: another worker takes the next ones) and committed
        by scheduled runs, so a crash never hands a message over twice."""
        cr = self.env.cr
        batches = 0
        while max_batches is None or batches < max_batches:
            self.env.flush_all()
            now = fields.Datetime.now()
            cr.execute(
                SQL(
                    """UPDATE dealer_notification SET state = 'expired', write_date = %(now)s
                        WHERE state = 'planned' AND expires_at < %(now)s""",
                    now=now,
                )
            )
            cr.execute(
                SQL(
                    """SELECT id FROM dealer_notification
                        WHERE state = 'planned' AND due_at <= %s
                        ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED""",
                    now,
                    limit,
                )
            )
            ids = [row[0] for row in cr.fetchall()]
            self.invalidate_model()
            if not ids:
                break
            self.browse(ids)._deliver(now)
            batches += 1
            if committing(self.env):
                cr.commit()  # pylint: disable=invalid-commit
            if len(ids) < limit:
                break
        self._recover_sending()
        return batches

    def _deliver(self, now):
        # sudo: the dispatcher runs as the scheduler; every rule's message is handled
        # whatever branch it belongs to, and only the recipients it names get it.
        lines = self.sudo().with_context(active_test=False)
        deferred = lines._defer_quiet(now)
        lines -= deferred
        facts = lines._facts()
        for line in lines:
            reason = line._skip_reason(facts)
            if reason:
                line.write({"state": "skipped", "skip_reason": reason})
        lines = lines.filtered(lambda n: n.state == "planned")
        for (rule, channel), group in lines.grouped(lambda n: (n.rule_id, n.channel)).items():
            getattr(group, f"_deliver_{channel}")(rule, now)
        if lines.filtered(lambda n: n.channel == "sms"):
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()
        if lines.filtered(lambda n: n.channel == "email"):
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _facts(self):
        """What the checks of a batch read, read once for the batch: the documents
        that still exist and the blacklisted addresses."""
        existing = set()
        for model, lines in self.grouped("res_model").items():
            if model and model in self.env:
                found = self.env[model].browse(lines.mapped("res_id")).exists()
                existing.update((model, record_id) for record_id in found.ids)
        addresses = {"sms": set(), "email": set()}
        for line in self.filtered(lambda n: n.channel in CLIENT_CHANNELS):
            address, _reason = line._client_address()
            if address:
                addresses[line.channel].add(address)
        # sudo: blacklists are read to respect them, whoever sends.
        phones = (
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", list(addresses["sms"])), ("active", "=", True)])
        )
        emails = (
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", list(addresses["email"])), ("active", "=", True)])
        )
        return {
            "existing": existing,
            "blacklisted": set(phones.mapped("number")) | set(emails.mapped("email")),
        }

    def _defer_quiet(self, now):
        """Client SMS due in the quiet hours of the branch wait for their end; their
        relevance window moves with them, so they are deferred, not dropped."""
        deferred = self.browse()
        zones = {}
        for line in self.filtered(lambda n: n.channel == "sms" and n.rule_id and not n.is_test):
            rule = line.rule_id
            if rule.quiet_from == rule.quiet_to:
                continue
            if line.company_id not in zones:
                zones[line.company_id] = pytz.timezone(rule._branch_tz(line.company_id))
            tz = zones[line.company_id]
            local = pytz.utc.localize(now).astimezone(tz)
            hour = local.hour + local.minute / 60
            quiet = (
                rule.quiet_from <= hour or hour < rule.quiet_to
                if rule.quiet_from > rule.quiet_to
                else rule.quiet_from <= hour < rule.quiet_to
            )
            if not quiet:
                continue
            day = local.date() + timedelta(days=1 if hour >= rule.quiet_to else 0)
            if rule.quiet_from < rule.quiet_to:
                day = local.date()
            end = tz.localize(datetime.combine(day, _float_time(rule.quiet_to)))
            end = end.astimezone(pytz.utc).replace(tzinfo=None)
            shift = end - (line.due_at or now)
            line.write(
                {
                    "due_at": end,
                    "expires_at": line.expires_at and line.expires_at + shift,
                }
            )
            deferred |= line
        return deferred

    def _skip_reason(self, facts):
        """Why this message must not go out, or False. Staff messages and tests
        have no client to check."""
        self.ensure_one()
        if self.res_model and (self.res_model, self.res_id) not in facts["existing"]:
            return "inactive"
        if self.is_test or self.channel == "internal":
            return False
        partner = self.partner_id
        allowed = {
            "sms": partner.consent_sms,
            "email": partner.consent_email,
            "phone": not partner.do_not_call,
        }
        checks = (
            (not partner, "no_address"),
            (partner.is_company, "not_individual"),
            (not allowed[self.channel], "do_not_call" if self.channel == "phone" else "no_consent"),
        )
        reason = next((reason for failed, reason in checks if failed), False)
        if reason or self.channel == "phone":
            return reason
        address, reason = self._client_address()
        return reason or (address in facts["blacklisted"] and "blacklisted")

    def _client_address(self):
        """The client's number (E.164) or e-mail, and the reason when there is none."""
        partner = self.partner_id
        if self.channel == "email":
            email = email_normalize(partner.email or "")
            return (email, False) if email else (False, "no_address")
        raw = partner.mobile or partner.phone
        if not raw:
            return False, "no_address"
        country = self.company_id.country_id or self.env.company.country_id
        number = normalize_phone(raw, country.code or "RU")
        if not number:
            return False, "invalid_number"
        if country.phone_code and not number.startswith(f"+{country.phone_code}"):
            return False, "foreign_number"
        return number, False

    def _recipient(self, rule):
        """Where the message goes: the rule's test recipient while one is set."""
        self.ensure_one()
        test = rule.test_partner_id
        if test:
            if self.channel == "sms":
                number = normalize_phone(test.mobile or test.phone or "", "RU")
                return number, True
            return email_normalize(test.email or ""), True
        address, _reason = self._client_address()
        return address, False

    def _render(self, template, field):
        """The template's field rendered for each line's document, in the client's language."""
        values = template._render_field(field, self.mapped("res_id"), compute_lang=True)
        return {line.id: values.get(line.res_id) or "" for line in self}

    def _deliver_sms(self, rule, now):
        template = rule.sms_template_id
        bodies = self._render(template, "body") if template else {}
        sms_vals, lines = [], []
        for line in self:
            address, is_test = line._recipient(rule)
            body = bodies.get(line.id) or line.body
            if not address or not body:
                line.write({"state": "skipped", "skip_reason": "no_address"})
                continue
            sms_vals.append({"number": address, "body": body, "partner_id": line.partner_id.id})
            lines.append((line, address, body, is_test))
        smss = self.env["sms.sms"].create(sms_vals)
        for (line, address, body, is_test), sms in zip(lines, smss, strict=True):
            line.write(
                {
                    "state": "queued",
                    "address": address,
                    "body": body,
                    "is_test": is_test,
                    "sms_uuid": sms.uuid,
                }
            )

    def _deliver_email(self, rule, now):
        # Without a rule (a campaign's message), the line carries its rendered text.
        template = rule.mail_template_id
        subjects = self._render(template, "subject") if template else {}
        bodies = self._render(template, "body_html") if template else {}
        for line in self:
            if not template and not line.body:
                line.write({"state": "failed", "error": self.env._("The message has no text.")})
                continue
            address, is_test = line._recipient(rule)
            if not address:
                line.write({"state": "skipped", "skip_reason": "no_address"})
                continue
            body = Markup(bodies.get(line.id) or line.body or "") + line._unsubscribe_footer()
            mail = self.env["mail.mail"].create(
                {
                    "subject": subjects.get(line.id) or line.subject or rule.name,
                    "body_html": body,
                    "email_to": address,
                    "email_from": template.email_from or self.env.company.email_formatted,
                    "auto_delete": True,
                    "model": line.res_model,
                    "res_id": line.res_id,
                    "dealer_notification_id": line.id,
                    "headers": {"List-Unsubscribe": f"<{line._unsubscribe_url()}>"},
                }
            )
            line.write(
                {
                    "state": "queued",
                    "address": address,
                    "subject": mail.subject,
                    "body": _html_text(mail.body_html),
                    "is_test": is_test,
                }
            )

    def _staff(self, rule):
        """The employees a staff message or call goes to: the user a digest line is
        for, else the rule's, else the document's advisor or assignees."""
        document = self.document_ref
        if self.res_model == "res.users":
            # A digest has one line per employee (chosen from the rule's users).
            return document.filtered("active")
        if rule.user_ids:
            return rule.user_ids
        users = self.env["res.users"]
        if self.res_model == "project.task":
            users = document.dealer_advisor_id or document.user_ids
        return users.filtered("active")

    def _staff_body(self, rule):
        if rule.kind.startswith("digest_"):
            return rule._digest_body(self.document_ref, self.occurrence)
        if rule.mail_template_id:
            return self._render(rule.mail_template_id, "body_html").get(self.id)
        if rule.sms_template_id:
            return escape(self._render(rule.sms_template_id, "body").get(self.id))
        return escape(rule.name)

    def _deliver_internal(self, rule, now):
        for line in self:
            users = line._staff(rule)
            if not users:
                line.write({"state": "skipped", "skip_reason": "no_recipient"})
                continue
            body = Markup(line._staff_body(rule) or "")
            partners = users.partner_id
            self.env["mail.thread"].message_notify(
                partner_ids=partners.ids,
                subject=rule.name,
                body=body,
                model=line.res_model if line.res_model != "res.users" else False,
                res_id=line.res_id if line.res_model != "res.users" else False,
            )
            for partner in partners:
                self.env["bus.bus"]._sendone(
                    partner,
                    "simple_notification",
                    {"title": rule.name, "message": _html_text(body)[:300], "sticky": False},
                )
            line.write(
                {
                    "state": "delivered",
                    "sent_at": now,
                    "delivered_at": now,
                    "user_id": users[:1].id,
                    "address": ", ".join(users.mapped("name")),
                    "subject": rule.name,
                    "body": _html_text(body),
                }
            )

    def _deliver_phone(self, rule, now):
        call = self.env.ref("mail.mail_activity_data_call")
        for line in self:
            users = line._staff(rule)
            document = line.document_ref
            if not users or "activity_ids" not in document._fields:
                line.write({"state": "skipped", "skip_reason": "no_recipient"})
                continue
            note = line._staff_body(rule)
            document.activity_schedule(
                activity_type_id=call.id,
                summary=rule.name,
                note=note,
                user_id=users[0].id,
                date_deadline=fields.Date.context_today(self),
            )
            line.write(
                {
                    "state": "sent",
                    "sent_at": now,
                    "user_id": users[0].id,
                    "address": line.partner_id.mobile or line.partner_id.phone,
                    "subject": rule.name,
                    "body": _html_text(note),
                }
            )

    # --- e-mail unsubscribe ------------------------------------------------------------
    def _unsubscribe_token(self):
        self.ensure_one()
        return _sign(self.env, f"unsubscribe:{self.id}")

    def _check_unsubscribe_token(self, token):
        self.ensure_one()
        return hmac.compare_digest(self._unsubscribe_token(), token or "")

    def _unsubscribe_url(self):
        self.ensure_one()
        return (
            f"{self.get_base_url()}/dealer_notify/unsubscribe/{self.id}/{self._unsubscribe_token()}"
        )

    def _unsubscribe_footer(self):
        text = escape(self.env._("Unsubscribe from these messages"))
        return Markup('<p style="font-size: 12px; color: #888;"><a href="%s">%s</a></p>') % (
            self._unsubscribe_url(),
            text,
        )

    def _unsubscribe(self):
        """The client clicked the link of an e-mail: no more e-mails, logged."""
        self.ensure_one()
        # sudo: the client following the link is not a user.
        line = self.sudo()
        partner = line.partner_id
        if line.is_test or not partner:
            return False
        if partner.consent_email:
            partner.with_context(
                dealer_consent_source="unsubscribe", dealer_consent_address=line.address
            ).write({"consent_email": False})
        self.env["mail.blacklist"].sudo()._add(
            line.address, message=self.env._("Unsubscribed by the link of message %s", line.id)
        )
        return True

    # --- SMS through a gateway -------------------------------------------------------
    @api.model
    def _lines_for_sms(self, smss, provider):
        """The log line of each SMS, created for SMS Odoo sends itself (composer,
        templates, marketing) so that every SMS is kept."""
        lines = self.sudo().search([("sms_uuid", "in", smss.mapped("uuid"))])
        by_uuid = {line.sms_uuid: line for line in lines}
        missing = smss.filtered(lambda s: s.uuid not in by_uuid)
        if missing:
            created = self.sudo().create(
                [
                    {
                        "channel": "sms",
                        "state": "queued",
                        "partner_id": sms.partner_id.id,
                        "address": sms.number,
                        "body": sms.body,
                        "sms_uuid": sms.uuid,
                        "due_at": fields.Datetime.now(),
                        "company_id": provider.company_id.id or self.env.company.id,
                        "res_model": sms.mail_message_id.model or False,
                        "res_id": sms.mail_message_id.res_id or 0,
                        "occurrence": sms.uuid,
                    }
                    for sms in missing
                ]
            )
            by_uuid.update({line.sms_uuid: line for line in created})
        return by_uuid

    @api.model
    def _send_sms(self, provider, smss, unlink_sent=True):
        """Hand ``smss`` to ``provider``'s gateway. A line is marked «sending» (and
        committed by scheduled runs) before the request, so that after a crash or a
        lost answer it is never blindly sent again: gateways that take our id are
        asked first; the others leave the message «unknown» for a person."""
        now = fields.Datetime.now()
        by_uuid = self._lines_for_sms(smss, provider)
        gateway = provider._gateway()
        ready, stale = [], []
        for sms in smss:
            line = by_uuid[sms.uuid]
            if line.state in ("sent", "delivered"):
                sms.write({"state": "pending", "to_delete": unlink_sent})
            elif line.state == "sending":
                stale.append((sms, line))
            elif line.next_try_at and line.next_try_at > now:
                continue
            else:
                ready.append((sms, line))
        if stale:
            ready += self._recover(provider, gateway, stale, unlink_sent)
        invalid = [
            (sms, line) for sms, line in ready if not normalize_phone(sms.number or "", "RU")
        ]
        if invalid:
            reason = self.env._("The number is not a valid phone number.")
            self._apply_results(
                provider,
                {sms.uuid: sms for sms, _line in invalid},
                [_result(str(line.id), "failed", error=reason) for _sms, line in invalid],
                unlink_sent,
            )
            ready = [pair for pair in ready if pair not in invalid]
        if not ready:
            return
        lines = self.browse([line.id for _sms, line in ready]).sudo()
        lines.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE dealer_notification
                      SET state = 'sending', attempts = attempts + 1, provider_id = %s,
                          sent_at = %s, write_date = %s
                    WHERE id = ANY(%s)""",
                provider.id,
                now,
                now,
                lines.ids,
            )
        )
        lines.invalidate_recordset()
        if committing(self.env):
            self.env.cr.commit()  # pylint: disable=invalid-commit
        outgoing = [
            OutMessage(str(line.id), normalize_phone(sms.number, "RU"), sms.body)
            for sms, line in ready
        ]
        results = []
        for start in range(0, len(outgoing), gateway.batch_size):
            chunk = outgoing[start : start + gateway.batch_size]
            try:
                results += gateway.send(chunk)
            except Exception as error:  # a gateway bug must not lose the batch
                _logger.exception("SMS gateway %s failed", provider.name)
                results += [_result(m.ref, "unknown", error=str(error)) for m in chunk]
        self._apply_results(provider, {sms.uuid: sms for sms, _line in ready}, results, unlink_sent)

    def _recover(self, provider, gateway, stale, unlink_sent):
        """Lines left «sending» by a crash or a lost answer: ask the gateway when it
        knows our id, else leave them to a person. Returns what may be sent again."""
        now = fields.Datetime.now()
        fresh = [
            (sms, line)
            for sms, line in stale
            if line.write_date and now - line.write_date < SENDING_STALE
        ]
        stale = [pair for pair in stale if pair not in fresh]
        if not stale:
            return []
        if not gateway.takes_our_id:
            self._apply_results(
                provider,
                {sms.uuid: sms for sms, _line in stale},
                [
                    _result(
                        str(line.id),
                        "unknown",
                        error=self.env._("The gateway's answer was lost; it may have been sent."),
                    )
                    for _sms, line in stale
                ],
                unlink_sent,
            )
            return []
        # The phone too: SMSC finds a message by our id and its number.
        asked = [
            (str(line.id), line.provider_message_id, normalize_phone(line.address or "", "RU"))
            for _sms, line in stale
        ]
        statuses = {s.ref: s for s in gateway.status(asked)}
        resend, known = [], []
        for sms, line in stale:
            status = statuses.get(str(line.id))
            if status and status.state == "not_found":
                resend.append((sms, line))
            elif status and status.state in ("sent", "delivered", "failed"):
                known.append(
                    _result(
                        str(line.id),
                        "sent" if status.state != "failed" else "failed",
                        provider_id=status.provider_id,
                        error=status.error,
                    )
                )
            else:
                known.append(_result(str(line.id), "unknown", error=status and status.error))
        if known:
            self._apply_results(
                provider, {sms.uuid: sms for sms, _line in stale}, known, unlink_sent
            )
        return resend

    def _apply_results(self, provider, sms_by_uuid, results, unlink_sent):
        now = fields.Datetime.now()
        lines = self.sudo().browse([int(r.ref) for r in results])
        line_by_id = {line.id: line for line in lines}
        attempts, sent = [], []
        retry_at = None
        for result in results:
            line = line_by_id[int(result.ref)]
            sms = sms_by_uuid.get(line.sms_uuid)
            result.error = translate_reason(self.env, result.error)
            attempts.append(
                {
                    "notification_id": line.id,
                    "outcome": result.state,
                    "code": result.code,
                    "error": result.error,
                    "provider_message_id": result.provider_id,
                }
            )
            if result.state == "sent":
                sent.append((line.id, result.provider_id or ""))
                if sms:
                    sms.write({"state": "pending", "failure_type": False, "to_delete": unlink_sent})
            elif result.state == "retry" and line.attempts < MAX_ATTEMPTS:
                next_try = now + RETRY_BASE * (2 ** max(line.attempts - 1, 0))
                retry_at = min(retry_at or next_try, next_try)
                line.write({"state": "queued", "next_try_at": next_try, "error": result.error})
            else:
                state = "unknown" if result.state == "unknown" else "failed"
                line.write({"state": state, "error": result.error, "next_try_at": False})
                if sms:
                    sms.write(
                        {
                            "state": "error",
                            "failure_type": "sms_server" if state == "failed" else "unknown",
                        }
                    )
        if sent:
            self.env.cr.execute(
                SQL(
                    """UPDATE dealer_notification n
                          SET state = 'sent', provider_message_id = NULLIF(v.pid, ''),
                              sent_at = %s, error = NULL, next_try_at = NULL, write_date = %s
                         FROM unnest(%s::int[], %s::varchar[]) AS v(id, pid)
                        WHERE n.id = v.id""",
                    now,
                    now,
                    [line_id for line_id, _pid in sent],
                    [pid for _line_id, pid in sent],
                )
            )
            lines.invalidate_recordset()
        self.env["dealer.notification.attempt"].sudo().create(attempts)
        smss = self.env["sms.sms"].browse([s.id for s in sms_by_uuid.values()]).exists()
        trackers = smss.filtered(lambda s: s.state == "pending").sms_tracker_id
        trackers._action_update_from_sms_state("pending")
        if retry_at:
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger(retry_at)

    def _recover_sending(self):
        """SMS left «sending» whose sms.sms is gone or failed are resolved here, so
        that none stays «sending» for ever."""
        limit = fields.Datetime.now() - SENDING_STALE
        stale = self.sudo().search(
            [("state", "=", "sending"), ("write_date", "<", limit)], limit=1000
        )
        by_provider = stale.grouped("provider_id")
        for provider, lines in by_provider.items():
            queued = frozenset(
                self.env["sms.sms"]
                .sudo()
                .search([("uuid", "in", lines.mapped("sms_uuid"))])
                .mapped("uuid")
            )
            pending = lines.browse([n.id for n in lines if n.sms_uuid not in queued])
            if pending and provider:
                gateway = provider._gateway()
                resend = self._recover(
                    provider, gateway, [(self.env["sms.sms"], line) for line in pending], True
                )
                for _sms, line in resend:
                    # The SMS record is gone: send it again from the log.
                    self.env["sms.sms"].sudo().create(
                        {
                            "number": line.address,
                            "body": line.body,
                            "partner_id": line.partner_id.id,
                            "uuid": line.sms_uuid,
                        }
                    )
                    line.write({"state": "queued"})

    # --- delivery reports and incoming SMS --------------------------------------------
    @api.model
    def _apply_reports(self, provider, reports):
        """Delivery reports (callback or polling) set delivered / failed. Returns the
        number of lines updated."""
        updated = 0
        for report in reports:
            domain = [("provider_id", "=", provider.id)]
            if report.provider_id:
                domain.append(("provider_message_id", "=", report.provider_id))
            elif report.ref and str(report.ref).isdigit():
                domain.append(("id", "=", int(report.ref)))
            else:
                continue
            line = self.sudo().search(domain, limit=1)
            if not line or report.state not in ("delivered", "failed"):
                continue
            if line.state == "delivered":
                continue
            at = report.at or fields.Datetime.now()
            report.error = translate_reason(self.env, report.error)
            if report.state == "delivered":
                line.write({"state": "delivered", "delivered_at": at, "error": False})
            else:
                line.write(
                    {"state": "failed", "error": report.error or self.env._("Not delivered")}
                )
            self.env["dealer.notification.attempt"].sudo().create(
                {
                    "notification_id": line.id,
                    "outcome": report.state,
                    "error": report.error,
                    "provider_message_id": report.provider_id,
                }
            )
            tracker = (
                self.env["sms.tracker"].sudo().search([("sms_uuid", "=", line.sms_uuid)], limit=1)
                if line.sms_uuid
                else False
            )
            if tracker:
                if report.state == "delivered":
                    tracker._action_update_from_sms_state("sent")
                else:
                    tracker._action_update_from_provider_error(report.error or "failed")
            updated += 1
        return updated

    @api.model
    def _poll_statuses(self):
        """Ask the gateways, at most hourly, about SMS sent from a quarter of an hour
        to three days ago that no report has settled (a lost callback, or a gateway
        without one)."""
        now = fields.Datetime.now()
        lines = self.sudo().search(
            [
                ("state", "=", "sent"),
                ("channel", "=", "sms"),
                ("provider_id", "!=", False),
                ("sent_at", ">=", now - POLL_UNTIL),
                ("sent_at", "<", now - POLL_AFTER),
                "|",
                ("checked_at", "=", False),
                ("checked_at", "<", now - POLL_EVERY),
            ],
            limit=POLL_BATCH,
        )
        for provider, group in lines.grouped("provider_id").items():
            gateway = provider._gateway()
            items = [(str(line.id), line.provider_message_id, line.address) for line in group]
            for start in range(0, len(items), 100):
                try:
                    statuses = gateway.status(items[start : start + 100])
                except Exception:
                    _logger.exception("Status polling of %s failed", provider.name)
                    break
                self._apply_reports(provider, statuses)
        lines.write({"checked_at": now})


def _result(ref, state, provider_id=None, error=None):
    return SendResult(ref=ref, state=state, provider_id=provider_id, error=error)


def _float_time(value):
    hours = int(value)
    minutes = min(round((value - hours) * 60), 59)
    return time(hours % 24, minutes)


def _html_text(html):
    return html2plaintext(html or "").strip()


def _sign(env, message):
    # sudo: the database secret signs the link; it is never shown.
    secret = env["ir.config_parameter"].sudo().get_param("database.secret")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]
