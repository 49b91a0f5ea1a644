import re
import secrets

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone
from odoo.exceptions import UserError, ValidationError

from ..gateways import GATEWAYS

# Replies that withdraw a client's consent to SMS (any case, surrounding punctuation ignored).
STOP_WORDS = frozenset({"STOP", "СТОП", "ОТПИСАТЬСЯ", "ОТПИСКА", "UNSUBSCRIBE"})

PROVIDERS = [("smsru", "SMS.ru"), ("smsc", "SMSC.ru"), ("smsaero", "SMS Aero")]


class DealerSmsProvider(models.Model):
    """An SMS gateway account of a branch (or of every branch when it has none).
    Every SMS Odoo sends for the branch goes through it."""

    _name = "dealer.sms.provider"
    _description = "SMS Gateway"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    provider = fields.Selection(PROVIDERS, required=True, default="smsru")
    api_url = fields.Char(
        string="API URL",
        required=True,
        default=lambda self: GATEWAYS["smsru"].default_url,
        help="The vendor's address; change it only for a proxy or a test gateway.",
    )
    login = fields.Char(help="SMSC: the account login. SMS Aero: the account e-mail.")
    api_key = fields.Char(
        string="API Key",
        groups="dealer_base.group_dealer_admin",
        help="SMS.ru: api_id. SMSC: the password or API key. SMS Aero: the API key.",
    )
    sender = fields.Char(help="The registered sender name the messages come from.")
    company_id = fields.Many2one(
        "res.company", string="Branch", help="Empty: used by every branch without its own."
    )
    active = fields.Boolean(default=True)
    timeout = fields.Integer(string="Timeout (s)", default=10, required=True, aggregator=None)
    retries = fields.Integer(
        default=2,
        required=True,
        help="How many times a request the gateway surely did not process is repeated "
        "at once before the message goes back to the queue.",
        aggregator=None,
    )
    callback_token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        groups="dealer_base.group_dealer_admin",
    )
    report_url = fields.Char(
        string="Delivery Report URL",
        compute="_compute_urls",
        groups="dealer_base.group_dealer_admin",
        help="Give this address to the gateway for delivery reports.",
    )
    incoming_url = fields.Char(
        string="Incoming SMS URL",
        compute="_compute_urls",
        groups="dealer_base.group_dealer_admin",
        help="Give this address to the gateway for incoming messages (STOP replies). "
        "Either address takes both kinds (SMSC has one handler address).",
    )
    notification_count = fields.Integer(compute="_compute_notification_count")

    _sql_constraints = [
        ("callback_token_unique", "UNIQUE(callback_token)", "The callback token must be unique."),
        ("timeout_positive", "CHECK(timeout > 0)", "The timeout must be positive."),
        ("retries_range", "CHECK(retries >= 0 AND retries <= 10)", "Retries: from 0 to 10."),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # One active gateway per branch (and one for all): which one sends must
        # never depend on the order of a search.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS dealer_sms_provider_company_active_uniq "
            "ON dealer_sms_provider (COALESCE(company_id, 0)) WHERE active"
        )
        return result

    @api.onchange("provider")
    def _onchange_provider(self):
        defaults = {cls.default_url for cls in GATEWAYS.values()}
        if self.provider and (not self.api_url or self.api_url in defaults):
            self.api_url = GATEWAYS[self.provider].default_url

    @api.depends("callback_token")
    def _compute_urls(self):
        base = self.get_base_url()
        for provider in self:
            path = f"{base}/dealer_notify/sms/{provider.callback_token}"
            provider.report_url = f"{path}/report"
            provider.incoming_url = f"{path}/incoming"

    def _compute_notification_count(self):
        counts = dict(
            self.env["dealer.notification"]._read_group(
                [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]
            )
        )
        for provider in self:
            provider.notification_count = counts.get(provider, 0)

    @api.constrains("api_url")
    def _check_api_url(self):
        for provider in self:
            if not (provider.api_url or "").startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._(
                        "The API URL of %(gateway)s must start with https:// or http://.",
                        gateway=provider.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("provider") and not vals.get("api_url"):
                vals["api_url"] = GATEWAYS[vals["provider"]].default_url
        try:
            with self.env.cr.savepoint():
                return super().create(vals_list)
        except Exception as error:
            self._raise_if_second_active(error)
            raise

    def write(self, vals):
        try:
            with self.env.cr.savepoint():
                return super().write(vals)
        except Exception as error:
            self._raise_if_second_active(error)
            raise

    def _raise_if_second_active(self, error):
        if "dealer_sms_provider_company_active_uniq" in str(error):
            raise ValidationError(
                self.env._("A branch has one active SMS gateway: archive the other one first.")
            ) from error

    # --- the gateway ---------------------------------------------------------
    def _gateway(self):
        self.ensure_one()
        # sudo: the key is read to speak to the gateway, never shown; every user's
        # SMS go through the branch's gateway.
        me = self.sudo()
        return GATEWAYS[me.provider](
            me.api_url.rstrip("/"),
            me.login or "",
            me.api_key or "",
            me.sender or "",
            timeout=me.timeout,
            retries=me.retries,
            report_url=me.report_url,
        )

    @api.model
    def _for_company(self, company):
        """The gateway a branch sends through: its own, else its parent's, else
        the one for every branch; an empty recordset sends Odoo's own way."""
        # sudo: senders of any role need the branch's gateway; nothing is shown.
        providers = self.sudo().search([("active", "=", True)])
        by_company = {p.company_id.id: p for p in providers}
        for candidate in (company, company.parent_id, company.root_id):
            if candidate and candidate.id in by_company:
                return by_company[candidate.id]
        return by_company.get(False, self.browse())

    def action_test_connection(self):
        self.ensure_one()
        try:
            balance = self._gateway().balance()
        except Exception as error:  # the vendor's reason, whatever the failure
            raise UserError(
                self.env._(
                    "The gateway %(name)s does not answer: %(error)s", name=self.name, error=error
                )
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Connected to %(name)s; balance %(balance)s.", name=self.name, balance=balance
                ),
            },
        }

    def action_view_notifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_notify.dealer_notification_action"
        )
        action["domain"] = [("provider_id", "=", self.id)]
        return action

    def _handle_incoming(self, incoming):
        """Incoming SMS: a STOP reply turns the client's SMS consent off, blacklists
        the number and is kept in the consent register. Returns the numbers opted out."""
        self.ensure_one()
        opted_out = []
        # sudo: the gateway calling back is not a user; only the clients owning the
        # replying number are changed, and only their SMS consent.
        Partner = self.env["res.partner"].sudo()
        for message in incoming:
            word = re.sub(r"[^\w]", "", (message.text or "").strip().upper())
            if word not in STOP_WORDS:
                continue
            number = normalize_phone(message.phone, "RU")
            if not number:
                continue
            note = self.env._(
                "Reply «%(text)s» through %(gateway)s", text=message.text.strip(), gateway=self.name
            )
            partners = Partner.find_by_phone(number).filtered("consent_sms")
            partners.with_context(
                dealer_consent_source="opt_out_sms",
                dealer_consent_address=number,
                dealer_consent_note=note,
            ).write({"consent_sms": False})
            self.env["phone.blacklist"].sudo()._add([number], message=note)
            opted_out.append(number)
        return opted_out

    @api.model
    def _by_token(self, token):
        if not token or len(token) < 16:
            return self.browse()
        # sudo: the vendor calling back is not a user; the token identifies the gateway.
        return self.sudo().search([("callback_token", "=", token)], limit=1)
