from odoo import fields, models


class ProjectTaskType(models.Model):
    _inherit = "project.task.type"

    dealer_funnel_step = fields.Selection(
        [("appointment", "Appointment"), ("visit", "Visit"), ("deal", "Deal")],
        string="Funnel Step",
        help="The sales funnel step a task has reached when it is in this stage.",
    )
