import re
import secrets

import requests

from odoo import api, fields, models, tools
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, frozendict

from ..adapters import get_adapter
from ..adapters.mango import mango_api_form
from ..adapters.zadarma import zadarma_api_request

PROVIDERS = [
    ("generic", "Generic (JSON webhook)"),
    ("asterisk", "Asterisk (AMI bridge)"),
    ("zadarma", "Zadarma"),
    ("mango", "Mango Office"),
]
TOKEN_MIN = 16
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
WEBHOOK_PATH = "/dealer_pbx/webhook/"
ZADARMA_API = "https://api.zadarma.com"
MANGO_API = "https://app.mango-office.ru/vpbx"
API_TIMEOUT = 10


def token_like(token):
    return bool(token) and isinstance(token, str) and len(token) <= 128


def _adapter_of(provider, api_key, api_secret, timezone, extensions):
    return get_adapter(
        provider,
        api_key=api_key or False,
        api_secret=api_secret or False,
        timezone=timezone,
        extensions=extensions,
    )


def new_token():
    """A fresh webhook token: 32 URL-safe characters (24 random bytes)."""
    return secrets.token_urlsafe(24)


class DealerPbx(models.Model):
    """A PBX account of a branch that posts its call events to this database."""

    _name = "dealer.pbx"
    _description = "PBX"
    _inherit = ["mail.thread", "dealer.checked.mixin", "dealer.pbx.settings.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    provider = fields.Selection(PROVIDERS, required=True, default="generic", tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    webhook_token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: new_token(),
        groups="dealer_base.group_dealer_admin",
        help="Secret part of the webhook URL: whoever knows it may post events, "
        "which are still checked against the provider's signature.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        groups="dealer_base.group_dealer_admin",
        help="Give this address to the PBX (Mango appends its own /events/... paths).",
    )
    timezone = fields.Selection(
        _tz_get,
        string="PBX Time Zone",
        default="Europe/Moscow",
        required=True,
        help="Time zone of the PBX account, for providers sending local times (Zadarma).",
    )
    api_key = fields.Char(
        string="API Key",
        groups="base.group_system",
        copy=False,
        help="Zadarma: API key; Mango Office: vpbx_api_key.",
    )
    api_secret = fields.Char(
        string="API Secret",
        groups="base.group_system",
        copy=False,
        help="Zadarma: API secret; Mango Office: the salt (vpbx_api_salt); generic and "
        "Asterisk: the HMAC-SHA256 secret of X-Dealer-Signature.",
    )
    api_url = fields.Char(
        string="API URL",
        groups="base.group_system",
        help="The provider's API address when not the default one "
        "(https://api.zadarma.com, https://app.mango-office.ru/vpbx).",
    )
    bridge_url = fields.Char(
        string="Bridge URL",
        help="Asterisk: address of the AMI bridge's HTTP listener (Originate for "
        "click-to-dial), e.g. http://127.0.0.1:8766.",
    )
    recording_base_url = fields.Char(
        string="Recordings URL",
        help="Asterisk: address under which the PBX's web server serves the MixMonitor "
        "files; a recording's file name is appended to it.",
    )
    line_ids = fields.One2many("dealer.pbx.line", "pbx_id", string="Lines")
    extension_ids = fields.One2many("dealer.pbx.extension", "pbx_id", string="Extensions")
    call_count = fields.Integer(string="Calls", compute="_compute_call_counts")
    missed_count = fields.Integer(string="Missed Calls", compute="_compute_call_counts")

    _sql_constraints = [
        ("webhook_token_unique", "UNIQUE(webhook_token)", "This webhook token is already used."),
    ]

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        # sudo: the server's public address, a system parameter, to show the URL.
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for pbx in self:
            pbx.webhook_url = f"{base.rstrip('/')}{WEBHOOK_PATH}{pbx.webhook_token}"

    def _compute_call_counts(self):
        calls = self.env["dealer.pbx.call"]
        groups = calls._read_group([("pbx_id", "in", self.ids)], ["pbx_id", "state"], ["__count"])
        totals, missed = {}, {}
        for pbx, state, count in groups:
            totals[pbx.id] = totals.get(pbx.id, 0) + count
            if state == "missed":
                missed[pbx.id] = count
        for pbx in self:
            pbx.call_count = totals.get(pbx.id, 0)
            pbx.missed_count = missed.get(pbx.id, 0)

    @api.constrains("webhook_token")
    def _check_webhook_token(self):
        # sudo: the token is readable by dealer administrators only.
        for pbx in self.sudo():
            token = pbx.webhook_token or ""
            if len(token) < TOKEN_MIN or not _TOKEN.match(token):
                raise ValidationError(
                    self.env._(
                        "The webhook token must have at least %(min)s characters among "
                        "letters, digits, '-' and '_'.",
                        min=TOKEN_MIN,
                    )
                )

    def action_regenerate_token(self):
        """A new webhook token: the old URL stops working at once."""
        for pbx in self:
            pbx.webhook_token = new_token()
            pbx.message_post(body=self.env._("Webhook token regenerated: the old URL is refused."))
        return True

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("dealer_pbx.dealer_pbx_call_action")
        action["domain"] = [("pbx_id", "=", self.id)]
        action["context"] = {}
        return action

    # --- the webhook --------------------------------------------------------------------
    @api.model
    def _find_by_token(self, token):
        """The active PBX whose webhook token is ``token`` (empty when none)."""
        config = self._dealer_webhook_config(token) if token_like(token) else None
        # sudo: the caller is the PBX, authenticated by this token and its signature.
        return self.sudo().browse(config[0] if config else ())

    @api.model
    @tools.ormcache("token")
    def _dealer_webhook_config(self, token):
        """What a webhook request needs of the active PBX whose token is ``token``:
        (id, provider, api key, api secret, time zone, extension numbers), or None.

        Read on every webhook request, changed when an administrator edits the PBX:
        cached, and cleared by any create, write or unlink of a PBX or an extension,
        in every worker and server (Odoo's cache signaling, checked at the start of
        each request). The secrets verify the PBX's signature and never leave the
        adapter."""
        self.flush_model(
            ["webhook_token", "active", "provider", "api_key", "api_secret", "timezone"]
        )
        self.env["dealer.pbx.extension"].flush_model(["pbx_id", "number"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id, provider, api_key, api_secret, timezone,
                       ARRAY(SELECT number FROM dealer_pbx_extension
                              WHERE pbx_id = pbx.id ORDER BY number, id)
                  FROM dealer_pbx pbx WHERE webhook_token = %s AND active LIMIT 1
                """,
                token,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        pbx_id, provider, api_key, api_secret, timezone, extensions = row
        return (
            pbx_id,
            provider,
            api_key or False,
            api_secret or False,
            timezone,
            tuple(extensions),
        )

    @api.model
    @tools.ormcache("pbx_id")
    def _dealer_lines(self, pbx_id):
        """{number (E.164): (line id, direction id, source id, callback responsible
        id)} of the active lines of the PBX ``pbx_id``, which the assembly of every call
        looks up: cached, cleared whenever a line changes."""
        self.env["dealer.pbx.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT number_normalized, id, direction_id, source_id, user_id
                  FROM dealer_pbx_line
                 WHERE pbx_id = %s AND active AND number_normalized IS NOT NULL
                """,
                pbx_id,
            )
        )
        return frozendict(
            (number, tuple(value or False for value in values))
            for number, *values in self.env.cr.fetchall()
        )

    @api.model
    @tools.ormcache("pbx_id")
    def _dealer_extension_users(self, pbx_id):
        """{extension number: user id (or False)} of the PBX ``pbx_id``, which the
        assembly of every call looks up: cached and cleared as
        ``_dealer_webhook_config`` (and when a user is deleted)."""
        self.env["dealer.pbx.extension"].flush_model(["pbx_id", "number", "user_id"])
        self.env.cr.execute(
            SQL("SELECT number, user_id FROM dealer_pbx_extension WHERE pbx_id = %s", pbx_id)
        )
        return frozendict((number, user_id or False) for number, user_id in self.env.cr.fetchall())

    def _adapter(self):
        self.ensure_one()
        # The PBX's settings and extension numbers in one query; the secrets verify
        # the PBX's signature and never leave the adapter.
        self.flush_recordset(["provider", "api_key", "api_secret", "timezone"])
        self.env["dealer.pbx.extension"].flush_model(["pbx_id", "number"])
        self.env.cr.execute(
            SQL(
                """
                SELECT provider, api_key, api_secret, timezone,
                       ARRAY(SELECT number FROM dealer_pbx_extension
                              WHERE pbx_id = pbx.id ORDER BY number, id)
                  FROM dealer_pbx pbx WHERE id = %s
                """,
                self.id,
            )
        )
        return _adapter_of(*self.env.cr.fetchone())

    @api.model
    def _dealer_webhook_adapter(self, config):
        """The adapter of a PBX's ``_dealer_webhook_config``."""
        return _adapter_of(*config[1:])

    def _country_code(self):
        self.ensure_one()
        return self.company_id.partner_id.country_id.code or "RU"

    @api.model
    def _dealer_received(self, received=None):
        return received or fields.Datetime.now()

    def _dealer_ingest(self, events, received=None, request_id=None, assemble=True, log=None):
        """Store ``events`` (PbxEvent) of this PBX, each once, then assemble their calls
        (with ``assemble=False`` they are left pending: ``_dealer_assemble_pending``).
        ``log``: the webhook request's values for ``dealer.pbx.request``, logged with
        the events (``logged`` in the result).

        One statement stores the events (``INSERT … ON CONFLICT DO NOTHING``: a
        duplicate changes nothing) and creates or locks the row of each call that got
        a new event (``ON CONFLICT DO UPDATE`` takes the row lock), in a fixed order
        (call key, kind, leg), so that concurrent requests carrying the same events
        never deadlock; each call is then recomputed from all its events."""
        self.ensure_one()
        # sudo: assembling calls is the PBX's work, not a user's (the webhook has no
        # user; a replay is checked to be an administrator's): no record rule applies.
        pbx = self.sudo()
        received = self._dealer_received(received)
        ordered = sorted(events, key=lambda e: (e.call_key, e.kind, e.leg or ""))
        calls = pbx.env["dealer.pbx.call"]
        if not ordered:
            return {"stored": 0, "duplicates": 0, "calls": calls, "logged": False}
        rows = calls._dealer_store(pbx, ordered, received, request_id, log)
        stored = rows[0]["stored"] if rows else 0
        if assemble:
            calls._dealer_assemble(rows)
        calls = calls.browse([row["id"] for row in rows])
        return {
            "stored": stored,
            "duplicates": len(ordered) - stored,
            "calls": calls.with_env(self.env),
            "logged": log is not None,
        }

    # --- recordings through the provider's API -------------------------------------
    def _dealer_recording_link(self, call):
        """A temporary address of ``call``'s recording given by the provider's API
        (Zadarma ``/v1/pbx/record/request/``, Mango ``queries/recording/post``)."""
        self.ensure_one()
        # sudo: the API credentials sign the request; they never leave this method.
        pbx = self.sudo()
        if not call.recording_ref:
            raise UserError(self.env._("This call has no recording."))
        try:
            if pbx.provider == "zadarma":
                return pbx._zadarma_recording_link(call)
            if pbx.provider == "mango":
                return pbx._mango_recording_link(call)
        except requests.RequestException as error:
            raise UserError(
                self.env._("The PBX could not be reached for the recording: %s", error)
            ) from error
        raise UserError(self.env._("%s does not serve recordings through its API.", pbx.name))

    def _zadarma_recording_link(self, call):
        method = "/v1/pbx/record/request/"
        query, authorization = zadarma_api_request(
            self.api_key,
            self.api_secret,
            method,
            {"call_id": call.recording_ref, "pbx_call_id": call.external_id},
        )
        base = (self.api_url or ZADARMA_API).rstrip("/")
        response = requests.get(
            f"{base}{method}?{query}",
            headers={"Authorization": authorization},
            timeout=API_TIMEOUT,
        )
        try:
            data = response.json()
        except ValueError:
            data = {}
        link = data.get("link") or (data.get("links") or [None])[0]
        if response.status_code >= 400 or data.get("status") != "success" or not link:
            raise UserError(
                self.env._(
                    "Zadarma refused the recording: %s",
                    data.get("message") or response.status_code,
                )
            )
        return link

    def _mango_recording_link(self, call):
        base = (self.api_url or MANGO_API).rstrip("/")
        response = requests.post(
            f"{base}/queries/recording/post/",
            data=mango_api_form(
                self.api_key,
                self.api_secret,
                {"recording_id": call.recording_ref, "action": "play"},
            ),
            timeout=API_TIMEOUT,
            allow_redirects=False,
        )
        link = response.headers.get("Location")
        if response.status_code not in (301, 302, 303, 307) or not link:
            raise UserError(
                self.env._("Mango Office refused the recording: %s", response.status_code)
            )
        return link
