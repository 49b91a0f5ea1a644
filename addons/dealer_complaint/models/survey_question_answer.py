from odoo import fields, models


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    dealer_negative = fields.Boolean(
        string="Negative Answer",
        help="A client choosing it is dissatisfied: the survey registers an appeal.",
    )
    dealer_reason_id = fields.Many2one(
        "dealer.complaint.reason",
        string="Appeal Reason",
        ondelete="restrict",
        help="The category of the appeal registered when a client chooses this answer "
        "(choosing it registers an appeal even when no answer is negative).",
    )
