from odoo import fields, models

from ..models.dealer_traffic_followup import CALLBACK_DELAY


class DealerTrafficCallbackWizard(models.TransientModel):
    """The specialist could not take the call: when they are to call the client back."""

    _name = "dealer.traffic.callback.wizard"
    _inherit = ["dealer.checked.mixin"]
    _description = "Call Back"

    traffic_ids = fields.Many2many("dealer.traffic", required=True)
    callback_date = fields.Datetime(
        string="Call Back At",
        required=True,
        default=lambda self: fields.Datetime.now() + CALLBACK_DELAY,
    )
    comment = fields.Text(string="Reminder")

    def action_confirm(self):
        self.ensure_one()
        self.traffic_ids.action_request_callback(self.callback_date, self.comment)
        return {"type": "ir.actions.act_window_close"}
