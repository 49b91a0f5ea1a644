from odoo import api, fields, models
from odoo.tools import SQL

from .dealer_traffic_report_mixin import TIMEOUT_REASON_XMLID


class DealerTrafficResponseReport(models.Model):
    """Response time, one row per contact: how long until it was taken and until it
    was processed, averaged and as medians only over the contacts that were taken
    (processed) — a contact nobody took has no time to take: it is overdue, never
    0 minutes. Contacts the automatic ignoring closed are counted apart and left out
    of the processing times."""

    _name = "dealer.traffic.response.report"
    _inherit = "dealer.traffic.report.mixin"
    _description = "Response Time"
    _auto = False
    _order = "date desc, id desc"

    taken_count = fields.Integer(string="Taken", readonly=True)
    not_taken_count = fields.Integer(
        string="Never Taken", readonly=True, help="Nobody took the contact into work."
    )
    overdue_count = fields.Integer(
        string="Overdue",
        readonly=True,
        help="Taken after the goal's response time limit, or never taken: closed without "
        "being taken, or still waiting past the limit.",
    )
    overdue_rate = fields.Float(
        string="Overdue, %", readonly=True, aggregator="avg", digits=(16, 1)
    )
    take_minutes = fields.Float(
        string="Time to Take (min)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average from the contact to its taking, over the contacts taken.",
    )
    take_minutes_median = fields.Float(
        string="Time to Take, Median (min)", readonly=True, aggregator="median", digits=(16, 1)
    )
    process_minutes = fields.Float(
        string="Time to Process (min)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average from the contact to its processing or ignoring by an employee; "
        "contacts ignored automatically are left out.",
    )
    process_minutes_median = fields.Float(
        string="Time to Process, Median (min)",
        readonly=True,
        aggregator="median",
        digits=(16, 1),
    )
    auto_ignored_count = fields.Integer(
        string="Ignored Automatically",
        readonly=True,
        help="Closed by the automatic ignoring as not processed in time.",
    )

    @api.model
    def _report_measures(self):
        timeout = SQL(
            "(SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s)",
            *TIMEOUT_REASON_XMLID,
        )
        auto = SQL("(t.state = 'ignored' AND t.ignore_reason_id IS NOT DISTINCT FROM %s)", timeout)
        # Taken late: as the contact stores it (taken after the goal's limit); never
        # taken: closed, or still waiting past its deadline.
        overdue = SQL(
            """CASE WHEN t.taken_date IS NOT NULL THEN COALESCE(t.was_overdue, FALSE)
                    WHEN t.state IN ('processed', 'ignored') THEN TRUE
                    ELSE t.response_deadline < (NOW() AT TIME ZONE 'UTC') END"""
        )
        # date_part, not EXTRACT, is in double precision: averages and medians of it
        # are several times faster.
        take = SQL(
            "CASE WHEN t.taken_date IS NOT NULL "
            "THEN date_part('epoch', t.taken_date - t.date) / 60 END"
        )
        process = SQL(
            "CASE WHEN t.state IN ('processed', 'ignored') AND NOT %(auto)s "
            "THEN date_part('epoch', t.processed_date - t.date) / 60 END",
            auto=auto,
        )
        return SQL(
            """
            (t.taken_date IS NOT NULL)::int AS taken_count,
            (t.taken_date IS NULL)::int AS not_taken_count,
            (%(overdue)s)::int AS overdue_count,
            CASE WHEN %(overdue)s THEN 100.0::float8 ELSE 0 END AS overdue_rate,
            %(take)s AS take_minutes,
            %(take)s AS take_minutes_median,
            %(process)s AS process_minutes,
            %(process)s AS process_minutes_median,
            %(auto)s::int AS auto_ignored_count
            """,
            overdue=overdue,
            take=take,
            process=process,
            auto=auto,
        )
