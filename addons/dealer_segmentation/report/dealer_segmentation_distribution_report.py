from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.dealer_crm_status import STATUS_CODES


class DealerSegmentationDistributionReport(models.Model):
    """The current CRM statuses, one row per client and direction with a status (the
    seed's «Распределение текущих статусов контрагентов»).

    Next to the count of each status its share, a column of 100 or 0 averaged by the
    pivot: the share of the status among the clients of whatever the pivot groups
    (direction, branch, personal manager), right under any filter."""

    _name = "dealer.segmentation.distribution.report"
    _description = "CRM Status Distribution"
    _auto = False
    _order = "direction_id, status_id"

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    status_id = fields.Many2one("dealer.crm.status", string="CRM Status", readonly=True)
    status_code = fields.Selection(STATUS_CODES, string="Status Kind", readonly=True)
    code = fields.Char(string="Categories", readonly=True)
    date_status = fields.Date(string="Status Since", readonly=True)
    client_since = fields.Date(
        string="Client Registered", readonly=True, help="When the client's card was created."
    )
    user_id = fields.Many2one("res.users", string="Personal Manager", readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True)
    potential_count = fields.Integer(string="Potential", readonly=True)
    potential_share = fields.Float(string="Potential, %", readonly=True, aggregator="avg")
    in_work_count = fields.Integer(string="In Work", readonly=True)
    in_work_share = fields.Float(string="In Work, %", readonly=True, aggregator="avg")
    real_count = fields.Integer(string="Real", readonly=True)
    real_share = fields.Float(string="Real, %", readonly=True, aggregator="avg")
    lost_count = fields.Integer(string="Lost", readonly=True)
    lost_share = fields.Float(string="Lost, %", readonly=True, aggregator="avg")
    inactive_count = fields.Integer(string="Inactive", readonly=True)
    inactive_share = fields.Float(string="Inactive, %", readonly=True, aggregator="avg")

    def init(self):
        per_status = SQL(", ").join(
            SQL(
                "(st.code = %(code)s)::int AS %(count)s, "
                "CASE WHEN st.code = %(code)s THEN 100.0 ELSE 0.0 END AS %(share)s",
                code=code,
                count=SQL.identifier(f"{code}_count"),
                share=SQL.identifier(f"{code}_share"),
            )
            for code, _label in STATUS_CODES
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT s.id, s.partner_id, s.direction_id, s.company_id, s.status_id,
                           st.code AS status_code, s.code, s.date_status, s.user_id,
                           rp.create_date::date AS client_since,
                           1 AS client_count,
                           %(per_status)s
                      FROM dealer_partner_status s
                      JOIN dealer_crm_status st ON st.id = s.status_id
                      JOIN res_partner rp ON rp.id = s.partner_id
                )
                """,
                table=SQL.identifier(self._table),
                per_status=per_status,
            )
        )
