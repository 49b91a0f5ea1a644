from odoo import api, fields, models
from odoo.exceptions import UserError


class DealerTraffic(models.Model):
    """The call a contact was registered from: the registration screen, opened from
    the caller popup, carries ``pbx_call_id`` and the call gets its traffic record."""

    _inherit = "dealer.traffic"

    pbx_call_id = fields.Many2one(
        "dealer.pbx.call",
        string="PBX Call",
        index="btree_not_null",
        copy=False,
        check_company=True,
        help="The call this contact was registered from.",
    )
    pbx_recording_url = fields.Char(related="pbx_call_id.recording_url", string="Recording")

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("pbx_call_id")._dealer_link_calls()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("pbx_call_id"):
            self._dealer_link_calls()
        return result

    def _dealer_link_calls(self):
        for traffic in self:
            call = traffic.pbx_call_id
            # sudo: the user must see the call to register it (checked); the link
            # itself is the call's, and operators do not write calls.
            call.check_access("read")
            call_sudo = call.sudo()
            if call_sudo.traffic_id and call_sudo.traffic_id != traffic:
                raise UserError(
                    self.env._(
                        "The call %(call)s is already registered as %(traffic)s.",
                        call=call_sudo.display_name,
                        traffic=call_sudo.traffic_id.name,
                    )
                )
            # sudo: checked above; the call's link is not the operator's to edit.
            call_sudo.traffic_id = traffic
            if not call_sudo.partner_id and traffic.partner_id:
                call_sudo.partner_id = traffic.partner_id

    def action_play_pbx_recording(self):
        self.ensure_one()
        return self.pbx_call_id.action_play_recording()
