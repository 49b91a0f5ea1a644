from odoo import fields, models, tools
from odoo.tools import SQL


class DealerTrafficFunnelReport(models.Model):
    """The funnel traffic → appointment → visit/deal, one row per contact, so that
    pivot averages of the step columns are conversion rates."""

    _name = "dealer.traffic.funnel.report"
    _description = "Sales Funnel"
    _auto = False
    _order = "date desc"

    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    goal_id = fields.Many2one("dealer.contact.goal", string="Contact Goal", readonly=True)
    channel_id = fields.Many2one("dealer.traffic.channel", readonly=True)
    user_id = fields.Many2one("res.users", string="Consultant", readonly=True)
    source_id = fields.Many2one("utm.source", string="Information Source", readonly=True)
    is_repeat = fields.Boolean(string="Repeat Contact", readonly=True)
    traffic_count = fields.Integer(string="Traffic", readonly=True)
    appointment_count = fields.Integer(string="Appointments", readonly=True)
    visit_count = fields.Integer(string="Visits / Deals", readonly=True)
    appointment_rate = fields.Float(
        string="Traffic → Appointment, %", readonly=True, aggregator="avg"
    )
    visit_rate = fields.Float(string="Traffic → Visit / Deal, %", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT t.id, t.date, t.company_id, t.direction_id, t.goal_id, t.channel_id,
                           t.user_id, t.source_id, t.is_repeat,
                           1 AS traffic_count,
                           (COALESCE(f.rank, 0) >= 1)::int AS appointment_count,
                           (COALESCE(f.rank, 0) >= 2)::int AS visit_count,
                           CASE WHEN COALESCE(f.rank, 0) >= 1 THEN 100.0 ELSE 0 END
                               AS appointment_rate,
                           CASE WHEN COALESCE(f.rank, 0) >= 2 THEN 100.0 ELSE 0 END
                               AS visit_rate
                      FROM dealer_traffic t
                      LEFT JOIN (
                            SELECT traffic_id, MAX(dealer_funnel_rank) AS rank
                              FROM project_task
                             WHERE traffic_id IS NOT NULL
                             GROUP BY traffic_id
                      ) f ON f.traffic_id = t.id
                )
                """,
                table=SQL.identifier(self._table),
            )
        )
