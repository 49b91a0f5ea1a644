from odoo import api, fields, models
from odoo.tools import SQL


class DealerTrafficFunnelReport(models.Model):
    """The funnel contacts → appointments → visits (seed 001 «Воронка продаж»), one row
    per contact, so that pivot averages of the rate columns are conversion rates: of
    the contacts, or, for «Visits / Appointments, %», of the contacts that made an
    appointment (the column is empty for the others, which averages leave out).

    A contact made an appointment when it produced a task, and a visit when one of
    its tasks reached the visit (or deal) step (its ``funnel_rank``)."""

    _name = "dealer.traffic.funnel.report"
    _inherit = "dealer.traffic.report.mixin"
    _description = "Sales Funnel"
    _auto = False
    _order = "date desc, id desc"

    is_repeat = fields.Boolean(string="Repeat Contact", readonly=True)
    task_id = fields.Many2one(
        "project.task",
        string="Document",
        readonly=True,
        help="The furthest task the contact produced.",
    )
    appointment_count = fields.Integer(string="Appointments", readonly=True)
    visit_count = fields.Integer(string="Visits", readonly=True)
    appointment_rate = fields.Float(
        string="Appointments, %",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the contacts that made an appointment («Запись, %»).",
    )
    visit_appointment_rate = fields.Float(
        string="Visits / Appointments, %",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the appointments that led to a visit («Заезды / Запись, %»).",
    )
    visit_rate = fields.Float(
        string="Visits, %",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the contacts that led to a visit («Заезды, %»).",
    )

    @api.model
    def _report_measures(self):
        # The document: the furthest task, read only for the rows listed (a pivot's
        # groups do not use it).
        return SQL(
            """
            t.is_repeat,
            (SELECT task.id FROM project_task task
              WHERE task.traffic_id = t.id AND task.active
              ORDER BY task.dealer_funnel_rank DESC NULLS LAST, task.id DESC
              LIMIT 1) AS task_id,
            (COALESCE(t.funnel_rank, 0) >= 1)::int AS appointment_count,
            (COALESCE(t.funnel_rank, 0) >= 2)::int AS visit_count,
            CASE WHEN t.funnel_rank >= 1 THEN 100.0::float8 ELSE 0 END AS appointment_rate,
            CASE WHEN t.funnel_rank >= 2 THEN 100.0::float8 WHEN t.funnel_rank >= 1 THEN 0 END
                AS visit_appointment_rate,
            CASE WHEN t.funnel_rank >= 2 THEN 100.0::float8 ELSE 0 END AS visit_rate
            """
        )
