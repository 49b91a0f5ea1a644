from odoo import fields, models, tools
from odoo.tools import SQL

from .dealer_segmentation_dynamics_report import history_events_sql, lost_columns_sql


class DealerSegmentationFlowReport(models.Model):
    """The inflow and outflow of clients (the seed's «Динамика притока-оттока
    клиентов»): one row per month, direction and branch, from the first month with a
    status change of that direction and branch to the current month, months without
    changes included.

    The active base (real and in work at the end of the month) is the running total
    of the clients entering it less those leaving it, so it needs no snapshot; it is
    a month-end figure: add it up over directions and branches, read it month by
    month. Its change adds up over any period."""

    _name = "dealer.segmentation.flow.report"
    _description = "Client Inflow and Outflow"
    _auto = False
    _order = "month desc, direction_id, company_id"

    month = fields.Date(readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    new_count = fields.Integer(
        string="New Clients",
        readonly=True,
        help="Clients who got their first CRM status in the direction.",
    )
    returned_count = fields.Integer(
        string="Returned Clients",
        readonly=True,
        help="Lost or inactive clients back in the active base (real or in work), also "
        "after a contact made them potential first.",
    )
    lost_single_count = fields.Integer(
        string="Lost after One Document",
        readonly=True,
        help="Clients who became lost after a single document in the direction.",
    )
    lost_several_count = fields.Integer(
        string="Lost after Several Documents",
        readonly=True,
        help="Clients who became lost after two or more documents in the direction.",
    )
    lost_prospect_count = fields.Integer(
        string="Lost Prospects",
        readonly=True,
        help="Contacts and deals that became lost without any document.",
    )
    entered_count = fields.Integer(
        string="Entered Active Base",
        readonly=True,
        help="Clients who became real or in work from another status or none.",
    )
    left_count = fields.Integer(
        string="Left Active Base",
        readonly=True,
        help="Real or in-work clients who became potential, lost or inactive.",
    )
    active_count = fields.Integer(
        string="Active Base at Month End",
        readonly=True,
        help="Clients real or in work at the end of the month. A month-end figure: over "
        "several months read it month by month, not as a total.",
    )
    active_change = fields.Integer(
        string="Active Base Change",
        readonly=True,
        help="The active base at the end of the month less that at the end of the "
        "month before: entered less left.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    WITH events AS (
                        SELECT e.*, %(lost)s
                          FROM (%(events)s) e
                    ),
                    monthly AS (
                        SELECT date_trunc('month', e.date)::date AS month, e.direction_id,
                               COALESCE(e.company_id, 0) AS company_key,
                               SUM(e.new_count) AS new_count,
                               SUM(e.returned_count) AS returned_count,
                               SUM(e.lost_single_count) AS lost_single_count,
                               SUM(e.lost_several_count) AS lost_several_count,
                               SUM(e.lost_prospect_count) AS lost_prospect_count,
                               SUM(e.entered_count) AS entered_count,
                               SUM(e.left_count) AS left_count
                          FROM events e
                         GROUP BY 1, 2, 3
                    ),
                    last_month AS (
                        SELECT GREATEST(date_trunc('month', CURRENT_DATE)::date,
                                        MAX(m.month)) AS month
                          FROM monthly m
                    ),
                    grid AS (
                        SELECT k.direction_id, k.company_key, g.month::date AS month
                          FROM (SELECT direction_id, company_key, MIN(month) AS first_month
                                  FROM monthly
                                 GROUP BY direction_id, company_key) k
                         CROSS JOIN last_month l
                         CROSS JOIN LATERAL generate_series(
                               k.first_month, l.month, interval '1 month') g(month)
                    )
                    SELECT ROW_NUMBER() OVER (ORDER BY grid.month, grid.direction_id,
                                                       grid.company_key) AS id,
                           grid.month, grid.direction_id,
                           NULLIF(grid.company_key, 0) AS company_id,
                           COALESCE(m.new_count, 0)::int AS new_count,
                           COALESCE(m.returned_count, 0)::int AS returned_count,
                           COALESCE(m.lost_single_count, 0)::int AS lost_single_count,
                           COALESCE(m.lost_several_count, 0)::int AS lost_several_count,
                           COALESCE(m.lost_prospect_count, 0)::int AS lost_prospect_count,
                           COALESCE(m.entered_count, 0)::int AS entered_count,
                           COALESCE(m.left_count, 0)::int AS left_count,
                           SUM(COALESCE(m.entered_count, 0) - COALESCE(m.left_count, 0))
                               OVER (PARTITION BY grid.direction_id, grid.company_key
                                     ORDER BY grid.month)::int AS active_count,
                           (COALESCE(m.entered_count, 0) - COALESCE(m.left_count, 0))::int
                               AS active_change
                      FROM grid
                      LEFT JOIN monthly m
                             ON m.month = grid.month
                            AND m.direction_id = grid.direction_id
                            AND m.company_key = grid.company_key
                )
                """,
                table=SQL.identifier(self._table),
                events=history_events_sql(),
                lost=lost_columns_sql("e"),
            )
        )
