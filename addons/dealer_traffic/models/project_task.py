from odoo import api, fields, models

from .dealer_traffic import TASK_KINDS

FUNNEL_RANK = {"appointment": 1, "visit": 2, "deal": 3}


class ProjectTask(models.Model):
    _inherit = "project.task"

    traffic_id = fields.Many2one(
        "dealer.traffic", string="Originating Contact", index="btree_not_null", copy=False
    )
    dealer_kind = fields.Selection(TASK_KINDS, string="Dealership Task Type")
    dealer_direction_id = fields.Many2one(
        "dealer.direction",
        string="Direction",
        compute="_compute_dealer_direction_id",
        store=True,
        readonly=False,
    )
    dealer_funnel_rank = fields.Integer(
        compute="_compute_dealer_funnel_rank",
        store=True,
        help="Furthest funnel step reached: 1 appointment, 2 visit, 3 deal.",
    )

    @api.depends("traffic_id.direction_id")
    def _compute_dealer_direction_id(self):
        for task in self.filtered("traffic_id"):
            task.dealer_direction_id = task.traffic_id.direction_id

    @api.depends("dealer_kind", "stage_id.dealer_funnel_step")
    def _compute_dealer_funnel_rank(self):
        for task in self:
            task.dealer_funnel_rank = max(
                FUNNEL_RANK.get(task.dealer_kind, 0),
                FUNNEL_RANK.get(task.stage_id.dealer_funnel_step, 0),
            )
