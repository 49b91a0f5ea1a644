from odoo import api, fields, models


class DealerComplaintLinkMixin(models.AbstractModel):
    """The appeals of a record an appeal points to (client, contact, task): their
    count for the smart button and their list."""

    _name = "dealer.complaint.link.mixin"
    _description = "Appeals of a Record"
    # The appeal's many2one to the inheriting model.
    _complaint_field = None

    complaint_count = fields.Integer(string="Appeal Count", compute="_compute_complaint_count")

    @api.depends_context("uid")
    def _compute_complaint_count(self):
        Complaint = self.env["dealer.complaint"]
        if not Complaint.has_access("read"):
            self.complaint_count = 0
            return
        field = self._complaint_field
        counts = dict(Complaint._read_group([(field, "in", self.ids)], [field], ["__count"]))
        for record in self:
            record.complaint_count = counts.get(record, 0)

    def _complaint_action(self, context):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_complaint.action_dealer_complaint"
        )
        action["domain"] = [(self._complaint_field, "=", self.id)]
        action["context"] = context
        return action
