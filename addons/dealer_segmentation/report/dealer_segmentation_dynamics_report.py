from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.dealer_partner_status import HISTORY_REASONS

# The statuses of the active base: clients who buy now or are being worked with.
ACTIVE_CODES = ("real", "in_work")
# The statuses of clients who have gone.
GONE_CODES = ("lost", "inactive")


def history_events_sql():
    """Every CRM status change, with the client's branch and what the change means
    for the inflow and outflow of clients, as 0/1 columns:

    - ``new_count``: the first change of the client in the direction;
    - ``entered_count`` / ``left_count``: into / out of the active base (real, in work);
    - ``returned_count``: into the active base of a client who had gone (lost or
      inactive), also through «Потенциальный» (a lost client calls, then buys);
    - ``lost_*_count``: to «Упущенный» of a client who had not gone already, by the
      documents the client had: none (a prospect), one, several. A client first seen
      already lost (old documents found at once) is new, not a loss of the period.

    The "previous status" of a change skips «Потенциальный»: a contact does not make
    a client return nor a lapse make them lost twice."""
    return SQL(
        """
        SELECT h.id, h.date, h.partner_id, h.direction_id, rp.company_id,
               h.old_status_id, h.new_status_id, h.reason, h.user_id,
               COALESCE(h.doc_count_total, 0) AS doc_count_total,
               (ROW_NUMBER() OVER (PARTITION BY h.partner_id, h.direction_id
                                   ORDER BY h.date, h.id) = 1)::int AS new_count,
               (ns.code IN %(active)s AND os.code IS DISTINCT FROM 'real'
                AND os.code IS DISTINCT FROM 'in_work')::int AS entered_count,
               (os.code IN %(active)s AND ns.code IS DISTINCT FROM 'real'
                AND ns.code IS DISTINCT FROM 'in_work')::int AS left_count,
               COALESCE(ns.code IN %(active)s AND os.code IS DISTINCT FROM 'real'
                        AND os.code IS DISTINCT FROM 'in_work'
                        AND prev.code IN %(gone)s, FALSE)::int AS returned_count,
               COALESCE(ns.code = 'lost' AND h.old_status_id IS NOT NULL
                        AND prev.code IS DISTINCT FROM 'lost'
                        AND prev.code IS DISTINCT FROM 'inactive', FALSE) AS is_lost
          FROM dealer_partner_status_history h
          JOIN res_partner rp ON rp.id = h.partner_id
          LEFT JOIN dealer_crm_status os ON os.id = h.old_status_id
          LEFT JOIN dealer_crm_status ns ON ns.id = h.new_status_id
          LEFT JOIN LATERAL (
                SELECT ps.code
                  FROM dealer_partner_status_history p
                  JOIN dealer_crm_status ps ON ps.id = p.new_status_id
                 WHERE ns.code IN ('real', 'in_work', 'lost')
                   AND p.partner_id = h.partner_id
                   AND p.direction_id = h.direction_id
                   AND (p.date < h.date OR (p.date = h.date AND p.id < h.id))
                   AND ps.code != 'potential'
                 ORDER BY p.date DESC, p.id DESC
                 LIMIT 1
          ) prev ON TRUE
        """,
        active=ACTIVE_CODES,
        gone=GONE_CODES,
    )


def lost_columns_sql(alias):
    """The three kinds of loss of ``history_events_sql`` rows aliased ``alias``."""
    return SQL(
        """(%(a)s.is_lost AND %(a)s.doc_count_total = 0)::int AS lost_prospect_count,
           (%(a)s.is_lost AND %(a)s.doc_count_total = 1)::int AS lost_single_count,
           (%(a)s.is_lost AND %(a)s.doc_count_total > 1)::int AS lost_several_count""",
        a=SQL.identifier(alias),
    )


class DealerSegmentationDynamicsReport(models.Model):
    """CRM status changes, one row per change: the clients entering each status per
    period (the seed's «Динамика изменения статусов контрагентов»), and what each
    change means for the inflow and outflow of clients, to list who they are."""

    _name = "dealer.segmentation.dynamics.report"
    _description = "CRM Status Dynamics"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    old_status_id = fields.Many2one("dealer.crm.status", string="From", readonly=True)
    new_status_id = fields.Many2one("dealer.crm.status", string="To", readonly=True)
    reason = fields.Selection(HISTORY_REASONS, readonly=True)
    user_id = fields.Many2one("res.users", string="Set By", readonly=True)
    doc_count_total = fields.Integer(
        string="Documents Ever",
        readonly=True,
        aggregator=None,
        help="The client's documents in the direction when the status changed.",
    )
    change_count = fields.Integer(string="Clients Entering", readonly=True)
    new_count = fields.Integer(string="New Clients", readonly=True)
    returned_count = fields.Integer(string="Returned Clients", readonly=True)
    lost_single_count = fields.Integer(string="Lost after One Document", readonly=True)
    lost_several_count = fields.Integer(string="Lost after Several Documents", readonly=True)
    lost_prospect_count = fields.Integer(string="Lost Prospects", readonly=True)
    entered_count = fields.Integer(string="Entered Active Base", readonly=True)
    left_count = fields.Integer(string="Left Active Base", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT e.id, e.date, e.partner_id, e.direction_id, e.company_id,
                           e.old_status_id, e.new_status_id, e.reason, e.user_id,
                           e.doc_count_total, 1 AS change_count, e.new_count,
                           e.returned_count, e.entered_count, e.left_count,
                           %(lost)s
                      FROM (%(events)s) e
                )
                """,
                table=SQL.identifier(self._table),
                events=history_events_sql(),
                lost=lost_columns_sql("e"),
            )
        )
