from odoo import fields, models, tools
from odoo.models import parse_read_group_spec
from odoo.tools import SQL

from ..models.dealer_pbx_call import CALL_STATES, CALLBACK_STATES
from ..models.dealer_pbx_event import DIRECTIONS

# Hours of the day in the branch's time zone, as pivot and graph headers.
HOURS = [(f"{hour:02d}", f"{hour:02d}:00") for hour in range(24)]
# Measures aggregated as a median whatever aggregate the client asks for.
MEDIAN_FIELDS = ("missed_wait_median",)


class DealerPbxCallReport(models.Model):
    """Call statistics as seed 001's «Статистика по звонкам»: one row per call of the
    PBX, with 0/1 columns so that sums are counts and averages of the ``*_rate``
    columns are shares in percent, whatever the grouping.

    - PBX against registered traffic: ``registered_count`` / ``unregistered_count``
      by line and extension, the unregistered calls listed from the pivot;
    - missed calls: waiting time (average, median, maximum) of the missed calls
      and the share of lost ones (missed and never called back) by direction, line
      and day;
    - calls by employee and hour of the day, in the branch's time zone (its
      partner's, else the PBX account's), never UTC."""

    _name = "dealer.pbx.call.report"
    _description = "Call Statistics"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "call_id"

    call_id = fields.Many2one("dealer.pbx.call", readonly=True)
    date = fields.Datetime(string="Call Date", readonly=True)
    local_date = fields.Date(
        string="Day (Branch Time)", readonly=True, help="The call's day in the branch's time zone."
    )
    hour = fields.Selection(
        HOURS,
        string="Hour (Branch Time)",
        readonly=True,
        help="The hour the call started, in the branch's time zone.",
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    pbx_id = fields.Many2one("dealer.pbx", string="PBX", readonly=True)
    line_id = fields.Many2one("dealer.pbx.line", readonly=True)
    line = fields.Char(string="Line Number", readonly=True)
    direction_id = fields.Many2one("dealer.direction", readonly=True)
    source_id = fields.Many2one("utm.source", string="Information Source", readonly=True)
    direction = fields.Selection(DIRECTIONS, string="Call Direction", readonly=True)
    user_id = fields.Many2one("res.users", string="Employee", readonly=True)
    extension = fields.Char(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    caller_number = fields.Char(string="From", readonly=True)
    called_number = fields.Char(string="To", readonly=True)
    state = fields.Selection(CALL_STATES, readonly=True)
    callback_state = fields.Selection(CALLBACK_STATES, readonly=True)
    traffic_id = fields.Many2one("dealer.traffic", string="Traffic Record", readonly=True)
    is_answered = fields.Boolean(string="Answered", readonly=True)
    is_registered = fields.Boolean(string="Registered", readonly=True)
    is_lost = fields.Boolean(string="Lost", readonly=True, help="Missed and never called back.")

    call_count = fields.Integer(string="Calls", readonly=True)
    registered_count = fields.Integer(string="With Traffic Record", readonly=True)
    unregistered_count = fields.Integer(string="Without Traffic Record", readonly=True)
    registered_rate = fields.Float(
        string="Registered, %",
        readonly=True,
        aggregator="avg",
        help="Share of the calls with a traffic record.",
    )
    answered_count = fields.Integer(string="Answered Calls", readonly=True)
    missed_count = fields.Integer(string="Missed Calls", readonly=True)
    lost_count = fields.Integer(
        string="Lost Calls", readonly=True, help="Missed and never called back."
    )
    missed_rate = fields.Float(
        string="Missed, %",
        readonly=True,
        aggregator="avg",
        help="Share of the incoming calls nobody answered.",
    )
    lost_rate = fields.Float(
        string="Lost, %",
        readonly=True,
        aggregator="avg",
        help="Share of the incoming calls missed and never called back.",
    )
    wait_seconds = fields.Float(
        string="Waiting (s)",
        readonly=True,
        aggregator="avg",
        help="Average time the callers waited: until the answer, or until they hung up.",
    )
    missed_wait_seconds = fields.Float(
        string="Missed: Average Wait (s)", readonly=True, aggregator="avg"
    )
    missed_wait_median = fields.Float(
        string="Missed: Median Wait (s)", readonly=True, aggregator="avg"
    )
    missed_wait_max = fields.Float(
        string="Missed: Longest Wait (s)", readonly=True, aggregator="max"
    )
    talk_seconds = fields.Integer(string="Talk (s)", readonly=True, aggregator="sum")
    callback_minutes = fields.Float(
        string="Time to Callback (min)",
        readonly=True,
        aggregator="avg",
        help="From the end of a missed call to the call back.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %(table)s AS (%(query)s)",
                table=SQL.identifier(self._table),
                query=self._dealer_query(),
            )
        )

    def _dealer_query(self):
        # The branch's local time: its partner's time zone, else the PBX account's.
        return SQL(
            """
            SELECT c.id, c.id AS call_id, c.date_start AS date,
                   (c.date_start AT TIME ZONE 'UTC' AT TIME ZONE z.tz)::date AS local_date,
                   to_char(c.date_start AT TIME ZONE 'UTC' AT TIME ZONE z.tz, 'HH24') AS hour,
                   c.company_id, c.pbx_id, c.line_id, c.line, c.direction_id, c.source_id,
                   c.direction, c.user_id, c.extension, c.partner_id,
                   c.caller_number, c.called_number, c.state, c.callback_state, c.traffic_id,
                   c.is_answered,
                   c.traffic_id IS NOT NULL AS is_registered,
                   z.lost AS is_lost,
                   1 AS call_count,
                   (c.traffic_id IS NOT NULL)::int AS registered_count,
                   (c.traffic_id IS NULL)::int AS unregistered_count,
                   CASE WHEN c.traffic_id IS NOT NULL THEN 100.0 ELSE 0 END AS registered_rate,
                   c.is_answered::int AS answered_count,
                   (c.state = 'missed')::int AS missed_count,
                   z.lost::int AS lost_count,
                   CASE WHEN c.direction = 'incoming' AND c.state IN ('done', 'missed')
                        THEN CASE WHEN c.state = 'missed' THEN 100.0 ELSE 0 END
                   END AS missed_rate,
                   CASE WHEN c.direction = 'incoming' AND c.state IN ('done', 'missed')
                        THEN CASE WHEN z.lost THEN 100.0 ELSE 0 END
                   END AS lost_rate,
                   CASE WHEN c.direction = 'incoming' AND c.state IN ('done', 'missed')
                        THEN c.wait_seconds END AS wait_seconds,
                   CASE WHEN c.state = 'missed' THEN c.wait_seconds END AS missed_wait_seconds,
                   CASE WHEN c.state = 'missed' THEN c.wait_seconds END AS missed_wait_median,
                   CASE WHEN c.state = 'missed' THEN c.wait_seconds END AS missed_wait_max,
                   c.talk_seconds,
                   CASE WHEN c.state = 'missed' AND c.callback_date IS NOT NULL
                        THEN GREATEST(EXTRACT(EPOCH FROM c.callback_date
                                              - COALESCE(c.date_end, c.date_start)), 0) / 60.0
                   END AS callback_minutes
              FROM dealer_pbx_call c
              JOIN dealer_pbx p ON p.id = c.pbx_id
              JOIN res_company rc ON rc.id = c.company_id
              LEFT JOIN res_partner rp ON rp.id = rc.partner_id
             CROSS JOIN LATERAL (
                   SELECT COALESCE(NULLIF(rp.tz, ''), NULLIF(p.timezone, ''), 'UTC') AS tz,
                          (c.state = 'missed'
                           AND c.callback_state IS DISTINCT FROM 'done') AS lost
             ) z
             WHERE c.date_start IS NOT NULL
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        """The median waiting time of missed calls, whatever aggregate is asked for
        (pivot, graph and list totals ask for the field's own)."""
        if aggregate_spec != "__count":
            fname, _property, func = parse_read_group_spec(aggregate_spec)
            if fname in MEDIAN_FIELDS and func:
                return SQL(
                    "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %s)",
                    self._field_to_sql(self._table, fname, query),
                )
        return super()._read_group_select(aggregate_spec, query)

    # --- drill-down ---------------------------------------------------------------------
    def action_open_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "dealer.pbx.call",
            "res_id": self.call_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_register_traffic(self):
        self.ensure_one()
        return self.call_id.action_register_traffic()
