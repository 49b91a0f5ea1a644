from odoo import fields, models


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "dealer.complaint.link.mixin"]
    _complaint_field = "task_id"

    complaint_ids = fields.One2many("dealer.complaint", "task_id", string="Appeals")

    def action_view_complaints(self):
        return self._complaint_action(
            {
                "default_task_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_vehicle_id": self.vehicle_id.id,
                "default_company_id": self.company_id.id or self.env.company.id,
            }
        )
