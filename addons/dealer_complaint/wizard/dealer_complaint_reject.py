from odoo import fields, models


class DealerComplaintReject(models.TransientModel):
    _name = "dealer.complaint.reject"
    _inherit = ["dealer.checked.mixin"]
    _description = "Reject the Answer to an Appeal"

    complaint_ids = fields.Many2many("dealer.complaint", string="Appeals", required=True)
    comment = fields.Text(
        required=True, help="What is wrong with the answer; the responsible reads it."
    )

    def action_confirm(self):
        self.complaint_ids.action_reject(self.comment)
        return {"type": "ir.actions.act_window_close"}
