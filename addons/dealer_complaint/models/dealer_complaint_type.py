from odoo import api, fields, models

KINDS = [
    ("complaint", "Complaint"),
    ("question", "Question"),
    ("waiting", "Waiting (for an Answer, a Decision)"),
    ("gratitude", "Gratitude"),
    ("proposal", "Proposal"),
]


class DealerComplaintType(models.Model):
    """A type of appeal («Тип обращения»): what the client came with, how many days
    the dealership has to process it and whether the answer is approved first."""

    _name = "dealer.complaint.type"
    _description = "Appeal Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(KINDS, required=True, default="complaint")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    process_days = fields.Integer(
        string="Days to Process",
        default=3,
        required=True,
        help="The process-by date of a new appeal: the day it is received plus this many days.",
    )
    approval_required = fields.Boolean(
        string="Answer Approved",
        help="The answer to an appeal of this type is approved by a supervisor of the "
        "branch (or a lawyer) before the appeal is closed.",
    )
    lawyer_approval = fields.Boolean(
        string="Lawyers Approve",
        help="The lawyers are asked to approve the answer too, not only the supervisors.",
    )
    counts_as_complaint = fields.Boolean(
        string="Counts as a Complaint",
        help="Appeals of this type are counted in the share of complaints of the reports.",
    )
    description = fields.Text(translate=True)
    complaint_count = fields.Integer(string="Appeals", compute="_compute_complaint_count")

    _sql_constraints = [
        (
            "process_days_positive",
            "CHECK(process_days >= 0)",
            "The days to process an appeal cannot be negative.",
        ),
    ]

    @api.depends_context("uid")
    def _compute_complaint_count(self):
        counts = dict(
            self.env["dealer.complaint"]._read_group(
                [("type_id", "in", self.ids)], ["type_id"], ["__count"]
            )
        )
        for complaint_type in self:
            complaint_type.complaint_count = counts.get(complaint_type, 0)
