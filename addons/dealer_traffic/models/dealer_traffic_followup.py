from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_date, check_text
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

from .dealer_traffic import DATE_TOLERANCE

# How soon the specialist is asked to call back by default ("Мастер свяжется с Вами
# в течение 15 минут").
CALLBACK_DELAY = timedelta(minutes=15)
FINISH_RESULTS = [
    ("informed", "Information Given"),
    ("directions", "Directions Given"),
    ("referred", "Referred Elsewhere"),
    ("advertising", "Advertising / Spam"),
    ("dropped", "Call Dropped"),
    ("other", "Other"),
]


class DealerTraffic(models.Model):
    """Follow-ups of a contact: its continuation, closing it on the spot, and the
    callback the specialist owes when they could not take the call."""

    _inherit = "dealer.traffic"

    continued_from_id = fields.Many2one(
        "dealer.traffic",
        string="Continuation of",
        index="btree_not_null",
        check_company=True,
        domain="[('id', '!=', id), ('company_id', '=', company_id), "
        "'|', ('partner_id', '=', partner_id), ('phone_normalized', '=', phone_normalized)]",
        help="The earlier contact this one continues (the client calls back about it).",
    )
    continuation_ids = fields.One2many("dealer.traffic", "continued_from_id", string="Continued By")
    continuation_count = fields.Integer(
        string="Continued Contacts",
        compute="_compute_continuation_ids_count",
    )
    is_continuation = fields.Boolean(
        string="Continuation",
        compute="_compute_is_continuation",
        store=True,
        help="The contact continues an earlier one.",
    )
    continuation_measure = fields.Integer(
        string="Continuations",
        compute="_compute_is_continuation",
        store=True,
        help="1 for a contact continuing an earlier one, summed in the traffic analysis.",
    )
    finish_result = fields.Selection(
        FINISH_RESULTS,
        string="Closing Outcome",
        help="What an information call closed on the spot came to.",
    )
    is_finished = fields.Boolean(
        string="Closed on the Spot",
        readonly=True,
        copy=False,
        help="Closed by the operator when registering it: nothing more to do.",
    )

    @api.depends("continued_from_id")
    def _compute_is_continuation(self):
        for traffic in self:
            traffic.is_continuation = bool(traffic.continued_from_id)
            traffic.continuation_measure = int(traffic.is_continuation)

    def _compute_continuation_ids_count(self):
        for traffic in self:
            traffic.continuation_count = len(traffic.continuation_ids)

    @api.constrains("continued_from_id", "date", "partner_id")
    def _check_continued_from(self):
        for traffic in self.filtered("continued_from_id"):
            earlier = traffic.continued_from_id
            # sudo: the earlier contact may be one the operator no longer sees.
            earlier_sudo = earlier.sudo()
            if earlier == traffic or earlier_sudo.date > traffic.date + DATE_TOLERANCE:
                raise ValidationError(
                    self.env._(
                        "%(number)s can only continue an earlier contact.", number=traffic.name
                    )
                )
            if (
                traffic.partner_id
                and earlier_sudo.partner_id
                and traffic.partner_id != earlier_sudo.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(number)s continues a contact of another client (%(earlier)s).",
                        number=traffic.name,
                        earlier=earlier_sudo.name,
                    )
                )

    @api.onchange("continued_from_id")
    def _onchange_continued_from_id(self):
        """The continuation goes to whoever handled the contact it continues."""
        earlier = self.continued_from_id
        if not earlier or self.state != "new":
            return
        if not self.partner_id and earlier.partner_id:
            self.partner_id = earlier.partner_id
        if not self.user_id and earlier.user_id:
            self.user_id = earlier.user_id

    def action_view_continuations(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Continuations"),
            "res_model": "dealer.traffic",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("dealer_traffic.dealer_traffic_view_list").id, "list"),
                (self.env.ref("dealer_traffic.dealer_traffic_view_form").id, "form"),
            ],
            "domain": [("continued_from_id", "=", self.id)],
        }

    # --- «Завершить»: an information call closed on the spot ------------------------
    def action_finish(self):
        """The operator closes an information call when registering it, with its
        outcome: nobody has anything more to do with it."""
        self._check_role(
            "dealer_base.group_dealer_operator", self.env._("close a contact on the spot")
        )
        self._check_state(("new",), self.env._("closed on the spot"))
        for traffic in self:
            if not traffic.finish_result:
                raise UserError(
                    self.env._("Choose the outcome to close %s on the spot.", traffic.name)
                )
        now = fields.Datetime.now()
        self._workflow().write(
            {
                "state": "processed",
                "user_id": False,
                "is_finished": True,
                "taken_date": now,
                "processed_date": now,
                "processed_user_id": self.env.uid,
            }
        )
        return True

    def action_finish_from_screen(self):
        self.action_finish()
        return self._next_registration(self.env._("%s closed.", self.name))

    def action_cancel_processing(self):
        result = super().action_cancel_processing()
        self.filtered("is_finished")._workflow().write({"is_finished": False})
        return result

    # --- the callback owed when the specialist could not take the call -------------
    def action_request_callback(self, when=False, note=False):
        """The specialist could not take the call: route the contact to them (when
        not done yet) and leave them a reminder to call the client back at ``when``
        (a datetime, by default in 15 minutes)."""
        note = check_text(self.env, note, self.env._("Reminder"), multiline=True)
        when = check_date(self.env, when, self.env._("Call Back At"))
        when = fields.Datetime.to_datetime(when) if when else fields.Datetime.now() + CALLBACK_DELAY
        if when < fields.Datetime.now() - DATE_TOLERANCE:
            raise UserError(self.env._("The callback cannot be set in the past."))
        self._check_role("dealer_base.group_dealer_operator", self.env._("ask for a callback"))
        self._check_state(("new", "queued", "assigned", "in_progress"), self.env._("called back"))
        # Whoever may work on the contact: the operator who registered it, its
        # responsible, a supervisor of the branch (as the record rules say).
        self.check_access("write")
        routing = self.filtered(lambda t: t.state in ("new", "queued"))
        for traffic in routing:
            if not traffic.user_id:
                raise UserError(
                    self.env._("Choose the employee who is to call back for %s.", traffic.name)
                )
        if routing:
            routing.action_transfer()
        activity_type = self.env.ref("mail.mail_activity_data_call")
        for traffic in self:
            if not traffic.user_id:
                raise UserError(
                    self.env._("%s has no responsible employee to call back.", traffic.name)
                )
            traffic._schedule_callback(activity_type, when, note)
        return True

    def _schedule_callback(self, activity_type, when, note):
        self.ensure_one()
        user = self.user_id
        local = fields.Datetime.context_timestamp(self.with_user(user), when)
        phone = self.contact_phone or self.partner_id.mobile or self.partner_id.phone or ""
        summary = self.env._("Call the client back at %s", local.strftime("%H:%M"))
        body = self.env._(
            "Call %(client)s back at %(time)s on %(phone)s.",
            client=self._client_label() or self.name,
            time=local.strftime("%d.%m.%Y %H:%M"),
            phone=phone or "—",
        )
        if note:
            body = f"{body}\n{note}"
        # sudo: the operator leaving the reminder may not be allowed to schedule
        # activities on a contact routed to someone else; the author stays theirs.
        self.sudo().activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=local.date(),
            summary=summary,
            note=plaintext2html(body),
            user_id=user.id,
        )
        self._notify_responsible(body)

    def action_callback_from_screen(self):
        self.action_request_callback()
        return self._next_registration(
            self.env._(
                "%(user)s will call %(number)s back.", user=self.user_id.name, number=self.name
            )
        )

    def action_open_callback(self):
        return self._wizard("dealer.traffic.callback.wizard", self.env._("Call Back"))
