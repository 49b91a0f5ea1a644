from odoo import api, fields, models
from odoo.tools import SQL

from .dealer_traffic_report_mixin import OPEN_STATES


class DealerTrafficStatisticsReport(models.Model):
    """Statistics by incoming contacts (seed 001 «Статистика по входящим контактам»),
    one row per contact: how many, first or repeat, by status, continuations, how
    many nobody took and the share lost, by direction and goal, client type, channel
    and over time.

    A contact nobody took into work counts as first (its client was never talked
    to), so that first + repeat = all."""

    _name = "dealer.traffic.statistics.report"
    _inherit = "dealer.traffic.report.mixin"
    _description = "Statistics by Incoming Contacts"
    _auto = False
    _order = "date desc, id desc"

    first_count = fields.Integer(string="First", readonly=True)
    repeat_count = fields.Integer(string="Repeat", readonly=True)
    processed_count = fields.Integer(string="Processed", readonly=True)
    ignored_count = fields.Integer(string="Ignored", readonly=True)
    open_count = fields.Integer(string="In Work", readonly=True, help="Not processed yet.")
    continuation_count = fields.Integer(
        string="Continuations", readonly=True, help="Contacts continuing an earlier one."
    )
    not_taken_count = fields.Integer(
        string="Not Taken",
        readonly=True,
        help="Contacts nobody took into work (counted as first): ignored before anyone "
        "took them, or still waiting.",
    )
    lost_rate = fields.Float(
        string="Lost, %",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the contacts nobody took into work.",
    )

    @api.model
    def _report_measures(self):
        return SQL(
            """
            (NOT (COALESCE(t.is_repeat, FALSE) AND t.taken_date IS NOT NULL))::int AS first_count,
            (COALESCE(t.is_repeat, FALSE) AND t.taken_date IS NOT NULL)::int AS repeat_count,
            (t.state = 'processed')::int AS processed_count,
            (t.state = 'ignored')::int AS ignored_count,
            (t.state IN %(open)s)::int AS open_count,
            (t.continued_from_id IS NOT NULL)::int AS continuation_count,
            (t.taken_date IS NULL)::int AS not_taken_count,
            CASE WHEN t.taken_date IS NULL THEN 100.0::float8 ELSE 0 END AS lost_rate
            """,
            open=OPEN_STATES,
        )
