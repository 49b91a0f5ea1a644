"""Click-to-dial: a phone button on the client card, the traffic record and the task
asks the PBX of the branch to ring the employee's extension, then to call the number
(Zadarma ``/v1/request/callback/``, Mango ``commands/callback``, Asterisk through the
bridge's ``Originate``, a generic PBX through its own signed callback URL)."""

import logging

from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone
from odoo.exceptions import UserError

from ..adapters import DialError

_logger = logging.getLogger(__name__)


class DealerPbx(models.Model):
    _inherit = "dealer.pbx"  # pylint: disable=consider-merging-classes-inherited

    dial_url = fields.Char(
        string="Click-to-Dial URL",
        groups="base.group_system",
        help="Generic PBX: the address the PBX (or its middleware) exposes for "
        'click-to-dial; it receives POST {"extension", "number"} signed with '
        "X-Dealer-Signature like the webhooks. Empty: click-to-dial is off.",
    )

    def _dealer_dial_url(self):
        """Where the provider's callback request goes (``None``: its default API)."""
        self.ensure_one()
        # sudo: the API addresses are settings of administrators; read to dial only.
        pbx = self.sudo()
        return {
            "zadarma": pbx.api_url,
            "mango": pbx.api_url,
            "asterisk": pbx.bridge_url,
            "generic": pbx.dial_url,
        }.get(pbx.provider) or None

    def _dealer_dial(self, extension, number):
        """Ask this PBX to ring ``extension``, then call ``number`` (E.164). A clear
        error, with the provider's own message, when the PBX refuses or cannot be
        reached."""
        self.ensure_one()
        try:
            result = self._adapter().originate(extension, number, url=self._dealer_dial_url())
        except DialError as error:
            _logger.info(
                "click-to-dial %s -> %s on %s refused: %s", extension, number, self.name, error
            )
            if error.unsupported:
                raise UserError(
                    self.env._(
                        "%(pbx)s cannot place calls from Odoo: %(reason)s.",
                        pbx=self.name,
                        reason=error.message,
                    )
                ) from error
            if error.unreachable:
                raise UserError(
                    self.env._(
                        "The PBX %(pbx)s could not be reached to call %(number)s: %(reason)s. "
                        "Check its address and network, or dial the number by hand.",
                        pbx=self.name,
                        number=number,
                        reason=error.message,
                    )
                ) from error
            raise UserError(
                self.env._(
                    "The PBX %(pbx)s refused to call %(number)s from extension %(extension)s: "
                    "%(reason)s",
                    pbx=self.name,
                    number=number,
                    extension=extension,
                    reason=error.message,
                )
            ) from error
        _logger.info("click-to-dial %s -> %s on %s requested", extension, number, self.name)
        return result


class DealerPbxExtension(models.Model):
    _inherit = "dealer.pbx.extension"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _dealer_mine(self, company=None):
        """The current employee's extension on an active PBX, preferring the PBX of
        ``company`` (the record's branch), then of the current branch (none for an
        employee who may not read the extensions: no dealership role)."""
        if not self.has_access("read"):
            return self.browse()
        extensions = self.search(
            [
                ("user_id", "=", self.env.uid),
                ("pbx_id.active", "=", True),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        for branch in (company, self.env.company):
            mine = extensions.filtered(lambda x, b=branch: b and x.company_id == b)
            if mine:
                return mine[0]
        return extensions[:1]


class DealerPbxDialMixin(models.AbstractModel):
    """A record with a phone button: ``action_dealer_pbx_dial`` calls the number given
    in the context (``dealer_dial_number``, set by the button), else the record's."""

    _name = "dealer.pbx.dial.mixin"
    _description = "Click-to-Dial"

    def _dealer_dial_numbers(self):
        """The record's phone numbers, the one to call first."""
        return []

    def _dealer_dial_company(self):
        return self.env.company

    def action_dealer_pbx_dial(self):
        """Call the record's number, or the one the phone button gives in the context
        (``dealer_dial_number``); a record not saved yet is called as an empty
        recordset with the number in the context."""
        raw = self.env.context.get("dealer_dial_number")
        if self or not raw:
            self.ensure_one()
            self.check_access("read")
        candidates = [raw] if raw else self._dealer_dial_numbers()
        company = self._dealer_dial_company() if self else self.env.company
        extension = self.env["dealer.pbx.extension"]._dealer_mine(company)
        if not extension:
            raise UserError(
                self.env._(
                    "You have no extension on a PBX of your branch: ask an administrator "
                    "to set yours in Configuration → PBX."
                )
            )
        pbx = extension.pbx_id
        country = pbx._country_code()
        number = next(
            (n for n in (normalize_phone(c, country) for c in candidates if c) if n), False
        )
        if not number:
            if any(candidates):
                raise UserError(
                    self.env._("%s is not a phone number that can be called.", candidates[0])
                )
            raise UserError(self.env._("There is no phone number to call."))
        pbx._dealer_dial(extension.number, number)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Calling %s", number),
                "message": self.env._(
                    "Your phone (extension %(extension)s) rings first: pick it up and the "
                    "PBX calls %(number)s.",
                    extension=extension.number,
                    number=number,
                ),
                "sticky": False,
            },
        }


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "dealer.pbx.dial.mixin"]

    def _dealer_dial_numbers(self):
        return [*self.phone_ids.mapped("number"), self.mobile, self.phone]

    def _dealer_dial_company(self):
        return self.company_id or self.env.company


class DealerTraffic(models.Model):
    _name = "dealer.traffic"
    _inherit = ["dealer.traffic", "dealer.pbx.dial.mixin"]

    def _dealer_dial_numbers(self):
        partner = self.partner_id
        return [
            self.contact_phone,
            *partner.phone_ids.mapped("number"),
            partner.mobile,
            partner.phone,
        ]

    def _dealer_dial_company(self):
        return self.company_id or self.env.company


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "dealer.pbx.dial.mixin"]

    def _dealer_dial_numbers(self):
        partner = self.partner_id
        return [*partner.phone_ids.mapped("number"), partner.mobile, partner.phone]

    def _dealer_dial_company(self):
        return self.company_id or self.env.company
