from odoo import api, fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    complaint_ids = fields.One2many("dealer.complaint", "task_id", string="Appeals")
    complaint_count = fields.Integer(string="Appeal Count", compute="_compute_complaint_count")

    @api.depends_context("uid")
    def _compute_complaint_count(self):
        if not self.env["dealer.complaint"].has_access("read"):
            self.complaint_count = 0
            return
        counts = dict(
            self.env["dealer.complaint"]._read_group(
                [("task_id", "in", self.ids)], ["task_id"], ["__count"]
            )
        )
        for task in self:
            task.complaint_count = counts.get(task, 0)

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_complaint.action_dealer_complaint"
        )
        action["domain"] = [("task_id", "=", self.id)]
        action["context"] = {
            "default_task_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_vehicle_id": self.vehicle_id.id,
            "default_company_id": self.company_id.id or self.env.company.id,
        }
        return action
