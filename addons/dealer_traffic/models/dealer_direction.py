from odoo import fields, models


class DealerDirection(models.Model):
    _inherit = "dealer.direction"

    project_id = fields.Many2one(
        "project.project",
        help="Project whose tasks are this direction's appointments, visits and deals; "
        "its stages are the funnel.",
    )
