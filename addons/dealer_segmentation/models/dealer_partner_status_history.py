from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import create_index, format_date

from .dealer_partner_status import _ENGINE, HISTORY_REASONS


class DealerPartnerStatusHistory(models.Model):
    """A change of a client's CRM status in a direction: written by the rules (set-
    based, with the status) or by a person marking the client inactive."""

    _name = "dealer.partner.status.history"
    _description = "Client CRM Status History"
    _order = "date desc, id desc"

    partner_status_id = fields.Many2one(
        "dealer.partner.status",
        string="Client Status",
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    direction_id = fields.Many2one(
        "dealer.direction", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="partner_id.company_id", string="Branch")
    old_status_id = fields.Many2one("dealer.crm.status", string="From", readonly=True)
    new_status_id = fields.Many2one("dealer.crm.status", string="To", readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    reason = fields.Selection(HISTORY_REASONS, required=True, default="rule", readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    note = fields.Text(readonly=True)
    doc_count_total = fields.Integer(
        string="Documents Ever",
        readonly=True,
        help="The client's documents in the direction when the status changed: tells a "
        "client lost after a single purchase from one lost after several.",
    )

    def init(self):
        # The reports look up each change's previous status.
        create_index(
            self.env.cr,
            "dealer_partner_status_history_partner_direction_date_idx",
            self._table,
            ["partner_id", "direction_id", "date", "id"],
        )

    def _engine(self):
        return self.with_context(dealer_segmentation=_ENGINE)

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.context.get("dealer_segmentation") is _ENGINE or self.env.su):
            raise UserError(self.env._("The CRM status history is written by the system."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The CRM status history is written by the system."))
        return super().write(vals)

    def _schedule_winback(self):
        """One activity per decay from «Реальный» to «Упущенный»: the personal manager
        of the direction (else the direction's CRM responsible, else the client's
        salesperson) is asked to win the client back. Called once, by the statement
        that wrote these history rows."""
        activity_type = self.env.ref(
            "dealer_segmentation.mail_activity_type_winback", raise_if_not_found=False
        )
        if not activity_type:
            return self.env["mail.activity"]
        statuses = self.env["dealer.partner.status"]._rows_for(
            {(change.partner_id.id, change.direction_id.id) for change in self}
        )
        vals_list = []
        for change in self:
            row = statuses.get((change.partner_id.id, change.direction_id.id))
            user = (
                (row and row.user_id)
                or change.direction_id.crm_user_id
                or change.partner_id.user_id
            )
            if not user or not user.active or user.share:
                continue
            vals_list.append(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": change.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": change.date + timedelta(days=activity_type.delay_count),
                    "summary": self.env._(
                        "Win back: %(direction)s, no purchase since %(date)s",
                        direction=change.direction_id.name,
                        date=format_date(self.env, change.partner_status_id.last_doc_date),
                    ),
                }
            )
        # sudo: the nightly run and the event that decays a client may be anyone's;
        # the activity is the manager's, on a client of the manager's branch.
        return self.env["mail.activity"].sudo().create(vals_list)
