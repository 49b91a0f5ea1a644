from datetime import datetime, timedelta

import pytz

import odoo
from odoo import api, fields, models
from odoo.addons.dealer_base.tools import check_text, to_record
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .dealer_segmentation_range import CYRILLIC

RECOMPUTE_BATCH = 5000
# The nightly run's per-client aggregates (a temporary table, of its session only).
FACTS_TABLE = "dealer_segmentation_facts"
FACTS_WORK_MEM = "256MB"
# Rows written by the nightly run before the status table's statistics are refreshed.
ANALYZE_ROWS_MIN = 20000
CLOSED_TASK_STATES = ("1_done", "1_canceled")
# What the segmentation engine owns: only it (and the inactive actions) write these.
ENGINE_FIELDS = frozenset(
    {
        "status_id",
        "date_status",
        "amount_range_id",
        "count_range_id",
        "recency_range_id",
        "avg_check_range_id",
        "code",
        "doc_amount",
        "doc_count",
        "last_doc_date",
        "doc_count_total",
        "last_traffic_date",
        "avg_check_ratio",
        "is_inactive",
        "inactive_reason",
        "inactive_user_id",
        "inactive_date",
    }
)
# Marks writes made by the engine and the actions; an object no RPC caller can send.
_ENGINE = object()
HISTORY_REASONS = [("rule", "Rule"), ("user", "User")]


class DealerPartnerStatus(models.Model):
    """The CRM status and ABC categories of a client in one direction.

    Rows are written set-based by ``_recompute_sql``, both by the nightly run and
    when an event (traffic registered, task opened or done) moves a client."""

    _name = "dealer.partner.status"
    _description = "Client CRM Status"
    _inherit = ["dealer.checked.mixin"]
    _order = "partner_id, direction_sequence, direction_id"
    _rec_name = "status_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    direction_id = fields.Many2one(
        "dealer.direction", required=True, ondelete="cascade", index=True
    )
    direction_sequence = fields.Integer(related="direction_id.sequence", store=True)
    company_id = fields.Many2one(related="partner_id.company_id", string="Branch", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Personal Manager",
        domain="[('share', '=', False)]",
        help="Who owns the client in this direction.",
    )
    status_id = fields.Many2one("dealer.crm.status", string="CRM Status", readonly=True, index=True)
    status_name = fields.Char(compute="_compute_status_name", string="Status")
    status_color = fields.Integer(related="status_id.color", string="Colour")
    date_status = fields.Date(string="Status Date", readonly=True)
    amount_range_id = fields.Many2one(
        "dealer.segmentation.range", string="Amount Category", readonly=True
    )
    count_range_id = fields.Many2one(
        "dealer.segmentation.range", string="Count Category", readonly=True
    )
    recency_range_id = fields.Many2one(
        "dealer.segmentation.range", string="Recency Category", readonly=True
    )
    avg_check_range_id = fields.Many2one(
        "dealer.segmentation.range", string="Average Check Category", readonly=True
    )
    code = fields.Char(
        readonly=True,
        help="The four categories in the order amount, count, recency, average check.",
    )
    doc_amount = fields.Float(string="Amount in Window", digits=(16, 2), readonly=True)
    doc_count = fields.Integer(string="Documents in Window", readonly=True)
    last_doc_date = fields.Date(string="Last Document", readonly=True)
    doc_count_total = fields.Integer(
        string="Documents Ever",
        readonly=True,
        help="Every document of the client, in or out of the window.",
    )
    last_traffic_date = fields.Date(string="Last Registered Contact", readonly=True)
    avg_check_ratio = fields.Float(string="Average Check Ratio", digits=(16, 4), readonly=True)
    is_inactive = fields.Boolean(string="Marked Inactive", readonly=True)
    inactive_reason = fields.Text(readonly=True)
    inactive_user_id = fields.Many2one("res.users", string="Set Inactive By", readonly=True)
    inactive_date = fields.Datetime(string="Set Inactive On", readonly=True)
    history_ids = fields.One2many("dealer.partner.status.history", "partner_status_id")

    _sql_constraints = [
        (
            "partner_direction_unique",
            "UNIQUE(partner_id, direction_id)",
            "The client already has a status in this direction.",
        ),
    ]

    @api.depends("status_id", "code")
    def _compute_status_name(self):
        for row in self:
            row.status_name = row.status_id.name or self.env._("Not set")

    @api.depends("status_id", "code", "direction_id")
    def _compute_display_name(self):
        for row in self:
            parts = [row.status_id.name or self.env._("Not set"), row.code or ""]
            row.display_name = " ".join(part for part in parts if part)

    @api.model
    def _rows_for(self, keys):
        """The status rows of ``keys`` (client id, direction id) the user may read."""
        keys = {key for key in keys if all(key)}
        if not keys:
            return {}
        rows = self.search(
            [
                ("partner_id", "in", list({key[0] for key in keys})),
                ("direction_id", "in", list({key[1] for key in keys})),
            ]
        )
        return {(row.partner_id.id, row.direction_id.id): row for row in rows}

    # --- create and write: the engine's fields are the engine's ------------------------
    def _engine(self):
        return self.with_context(dealer_segmentation=_ENGINE)

    def _in_engine(self):
        return self.env.context.get("dealer_segmentation") is _ENGINE or self.env.su

    def _refuse_engine_fields(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise UserError(
            self.env._(
                "%(fields)s of a client's CRM status are calculated, not edited directly.",
                fields=", ".join(labels),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._in_engine():
            forged = set().union(*(set(vals) & ENGINE_FIELDS for vals in vals_list))
            if forged:
                self._refuse_engine_fields(forged)
        rows = super().create(vals_list)
        if not self._in_engine():
            rows._recompute_partners(rows.partner_id, rows.direction_id)
        return rows

    def write(self, vals):
        if not self._in_engine():
            forged = set(vals) & (ENGINE_FIELDS | {"partner_id", "direction_id"})
            if forged:
                self._refuse_engine_fields(forged)
        return super().write(vals)

    # --- «Не активен», by hand ------------------------------------------------------------
    def _check_consultant(self):
        if not (self.env.su or self.env.user.has_group("dealer_base.group_dealer_consultant")):
            raise AccessError(
                self.env._("Only consultants and supervisors can change a client's CRM status.")
            )

    @api.model
    def _set_inactive(self, partner, direction, reason):
        """Mark ``partner`` «Не активен» in ``direction`` for ``reason``: the rules keep
        it so until a person clears it."""
        self._check_consultant()
        partner = to_record(self.env, "res.partner", partner, self.env._("Client"))
        direction = to_record(self.env, "dealer.direction", direction, self.env._("Direction"))
        reason = check_text(self.env, reason, self.env._("Reason"), multiline=True)
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason why the client is inactive."))
        inactive = self.env.ref("dealer_segmentation.status_inactive")
        row = self.search([("partner_id", "=", partner.id), ("direction_id", "=", direction.id)])
        if not row:
            row = self._engine().create({"partner_id": partner.id, "direction_id": direction.id})
        previous = row.status_id
        today = row._today(company=partner.company_id or None)
        row._engine().write(
            {
                "is_inactive": True,
                "inactive_reason": reason,
                "inactive_user_id": self.env.uid,
                "inactive_date": fields.Datetime.now(),
                "status_id": inactive.id,
                "date_status": today if previous != inactive else row.date_status,
            }
        )
        if previous != inactive:
            self.env["dealer.partner.status.history"]._engine().create(
                {
                    "partner_status_id": row.id,
                    "partner_id": partner.id,
                    "direction_id": direction.id,
                    "old_status_id": previous.id,
                    "new_status_id": inactive.id,
                    "date": today,
                    "reason": "user",
                    "user_id": self.env.uid,
                    "note": reason,
                }
            )
        # The categories are still computed for an inactive client.
        self._recompute_partners(partner, direction)
        return row

    def action_clear_inactive(self):
        """A person clears «Не активен»: the rules set the status again at once."""
        self._check_consultant()
        rows = self.filtered("is_inactive")
        if not rows:
            return True
        rows._engine().write(
            {
                "is_inactive": False,
                "inactive_reason": False,
                "inactive_user_id": False,
                "inactive_date": False,
            }
        )
        self._recompute_partners(rows.partner_id, rows.direction_id, reason="user")
        return True

    def action_open_inactive_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Client Inactive"),
            "res_model": "dealer.partner.inactive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_direction_id": self.direction_id.id,
            },
        }

    def action_view_history(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("CRM Status History"),
            "res_model": "dealer.partner.status.history",
            "view_mode": "list,form",
            "domain": [("partner_status_id", "=", self.id)],
        }

    # --- the engine ---------------------------------------------------------------------
    @api.model
    def _today(self, now=None, company=None):
        """Today in the time zone of ``company`` (a branch; the client's, when judging
        a client), see ``_branch_tz``."""
        now = now or fields.Datetime.now()
        tz = pytz.timezone(self._branch_tz(company))
        return pytz.utc.localize(now).astimezone(tz).date()

    @api.model
    def _branch_tz(self, company=None):
        """A branch's time zone: its own (its partner's), else its group's main
        company's, else the database's main company's, else UTC. Never the user's
        nor the user's current company's: a client's status must not depend on who
        looks at it or runs the calculation."""
        main = self.env.ref("base.main_company", raise_if_not_found=False)
        company = company or main or self.env.company
        # sudo: only the time zone is read, of any branch a client may belong to.
        for candidate in (company.sudo(), company.sudo().root_id, main and main.sudo()):
            tz = candidate and candidate.partner_id.tz
            if tz in pytz.all_timezones_set:
                return tz
        return "UTC"

    @api.model
    def _default_tz(self):
        """The time zone of clients without a branch: the main company's."""
        return self._branch_tz()

    @api.model
    def _recompute_partners(self, partners, directions=None, now=None, reason="rule"):
        """Recompute the statuses and categories of ``partners`` in ``directions``
        (every active direction when None), at once: the event path. The same SQL as
        the nightly run, restricted to these clients, in the caller's transaction."""
        partner_ids = [pid for pid in set(partners.ids) if pid]
        if not partner_ids:
            return 0
        directions = self._segment_directions(directions)
        if not directions:
            return 0
        now = now or fields.Datetime.now()
        averages = self._direction_averages(directions, now, stored=True)
        return self._recompute_sql(partner_ids, directions, averages, now, reason)

    @api.model
    def _recompute_for_documents(self, model_name, partners):
        """Move ``partners`` at once in the directions whose document sources read
        ``model_name``: for modules whose documents are not tasks (sale orders,
        invoices), when one is confirmed, posted or cancelled."""
        if not partners:
            return 0
        # sudo: the status follows the document whoever confirms or cancels it, also
        # a salesman or an accountant without a dealership role; nothing is read back
        # or shown to them.
        sources = self.env["dealer.segmentation.source"].sudo()
        directions = sources.search([("model_name", "=", model_name)]).direction_id
        if not directions:
            return 0
        # sudo: as above, the engine writes the statuses whoever moved the document.
        return self.sudo()._recompute_partners(partners, directions)

    @api.model
    def _cron_recompute(self, batch_size=RECOMPUTE_BATCH, now=None):
        """The nightly run: decay first (quick, so that the morning's statuses are
        right even if the long pass is cut short), then the direction averages and
        every client in batches of ``batch_size``, each batch committed (except
        under tests) so that a crash keeps what was done; a re-run writes only what
        still differs."""
        self._apply_decay(batch_size=batch_size, now=now, commit=True)
        return self._recompute_all(batch_size=batch_size, now=now, commit=True)

    @api.model
    def _apply_decay(self, batch_size=RECOMPUTE_BATCH, now=None, commit=False):
        """Move on the clients whose status has run out with the days alone: a
        «Реальный» whose last document, or a «Потенциальный» whose last contact, is
        now older than the status's days. Only those clients are recomputed (with
        last night's direction averages), so this costs what the decayed rows cost,
        not the whole base. Returns the rows written."""
        now = now or fields.Datetime.now()
        directions = self._segment_directions(None)
        statuses = self._status_ids()
        if not directions or not (statuses["real"] or statuses["potential"]):
            return 0
        by_id = (
            self.env["dealer.crm.status"]
            .browse([statuses["real"] or 0, statuses["potential"] or 0])
            .exists()
        )
        real = by_id.filtered(lambda status: status.code == "real")
        potential = by_id.filtered(lambda status: status.code == "potential")
        dirs = SQL(", ").join(
            SQL(
                "(%s::int4, %s::int4, %s::int4)",
                direction.id,
                real._days_for(direction) if real else None,
                potential._days_for(direction) if potential else None,
            )
            for direction in directions
        )
        # A day of margin for the branches' time zones: the recompute decides exactly.
        today = self._today(now) + timedelta(days=1)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH dirs(direction_id, real_days, potential_days) AS (VALUES %(dirs)s)
                SELECT DISTINCT s.partner_id
                  FROM dealer_partner_status s
                  JOIN dirs ON dirs.direction_id = s.direction_id
                 WHERE NOT s.is_inactive
                   AND ((s.status_id = %(real)s
                         AND s.last_doc_date < %(today)s::date - dirs.real_days)
                     OR (s.status_id = %(potential)s
                         AND s.last_traffic_date < %(today)s::date - dirs.potential_days))
                 ORDER BY s.partner_id
                """,
                dirs=dirs,
                real=statuses["real"],
                potential=statuses["potential"],
                today=today,
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        if not partner_ids:
            return 0
        averages = self._direction_averages(directions, now, stored=True)
        total = 0
        for start in range(0, len(partner_ids), batch_size):
            batch = partner_ids[start : start + batch_size]
            total += self._recompute_sql(batch, directions, averages, now, "rule")
            self._commit(commit)
        return total

    @api.model
    def _recompute_all(self, batch_size=RECOMPUTE_BATCH, now=None, commit=False):
        """Every client in every active direction, committing per batch when
        ``commit`` (the nightly run; not when loading data, e.g. the demo).

        The documents, tasks and contacts of the whole base are aggregated once per
        client and direction into a temporary table (one scan of each table), then
        the clients are judged and written in batches of ids reading it."""
        now = now or fields.Datetime.now()
        directions = self._segment_directions(None)
        if not directions:
            return 0
        cr = self.env.cr
        self._flush_sources(directions)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(FACTS_TABLE)))
        # The aggregation sorts or hashes every document once: room for it in memory
        # rather than on disk; LOCAL ends with this transaction.
        cr.execute(SQL("SET LOCAL work_mem = %s", FACTS_WORK_MEM))
        cr.execute(SQL("SET LOCAL jit = off"))
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s AS %s",
                SQL.identifier(FACTS_TABLE),
                self._facts_sql(directions, now),
            )
        )
        cr.execute(
            SQL("CREATE INDEX ON %s (partner_id, direction_id)", SQL.identifier(FACTS_TABLE))
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier(FACTS_TABLE)))
        try:
            averages = self._facts_averages(directions, SQL.identifier(FACTS_TABLE))
            # sudo: the figures are the direction's, stored for the event path and
            # shown to staff; the nightly user need not administer directions.
            for direction in directions.sudo():
                direction.write(
                    {
                        "crm_average_check": averages.get(direction.id) or 0.0,
                        "crm_computed_at": now,
                    }
                )
            # Judged with the figures as stored (rounded), as the event path will.
            averages = {direction.id: direction.crm_average_check for direction in directions}
            self._commit(commit)
            last_id, total = 0, 0
            known = self._analyze()
            while True:
                cr.execute(
                    SQL(
                        "SELECT MAX(id) FROM (SELECT id FROM res_partner WHERE id > %s "
                        "ORDER BY id LIMIT %s) batch",
                        last_id,
                        batch_size,
                    )
                )
                upto = cr.fetchone()[0]
                if upto is None:
                    break
                total += self._recompute_sql(
                    range(last_id + 1, upto + 1),
                    directions,
                    averages,
                    now,
                    "rule",
                    facts=FACTS_TABLE,
                )
                last_id = upto
                # The first run fills the table: the planner must learn it is no
                # longer empty, or each batch scans it whole (ten times slower at a
                # million clients). Analyzed again each time it has doubled.
                if total > known + ANALYZE_ROWS_MIN:
                    known = total + self._analyze()
                self._commit(commit)
        finally:
            cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(FACTS_TABLE)))
        return total

    def _analyze(self):
        """Refresh the planner's statistics of the status table; its rows then."""
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        self.env.cr.execute(
            SQL("SELECT reltuples::int8 FROM pg_class WHERE oid = %s::regclass", self._table)
        )
        return max(self.env.cr.fetchone()[0], 0)

    def _facts_averages(self, directions, facts):
        """The average document of each direction over its window, from ``facts``
        (the table or a subquery of ``_facts_sql``): amount over count of every
        client's window."""
        self.env.cr.execute(
            SQL(
                "SELECT direction_id, SUM(win_amount) / NULLIF(SUM(win_count), 0) "
                "FROM %s f GROUP BY direction_id",
                facts,
            )
        )
        computed = {row[0]: float(row[1] or 0.0) for row in self.env.cr.fetchall()}
        return {direction.id: computed.get(direction.id, 0.0) for direction in directions}

    def _commit(self, commit=True):
        # Commit each batch so a crash keeps the work done; tests own their cursor.
        if commit and not odoo.modules.module.current_test:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _segment_directions(self, directions):
        model = self.env["dealer.direction"]
        if directions is None:
            # A handful of records: every active direction is judged.
            return model.search([])  # pylint: disable=no-search-all
        return directions.filtered("active")

    def _status_ids(self):
        """The ids of the five statuses by code (None for an archived one, whose rule
        is then skipped)."""
        statuses = self.env["dealer.crm.status"].search([])  # pylint: disable=no-search-all
        ids = dict.fromkeys(("potential", "in_work", "real", "lost", "inactive"))
        ids.update({status.code: status.id for status in statuses})
        return ids

    def _documents_sql(self, directions, partner_ids=None):
        """All active sources of ``directions`` as one UNION ALL of
        ``(direction_id, partner_id, amount, doc_date, is_utc)``."""
        selects = []
        for source in directions.crm_source_ids:
            select = source._documents_sql(partner_ids)
            if select is not None:
                selects.append(SQL("(%s)", select))
        if not selects:
            return SQL(
                "SELECT NULL::int4 AS direction_id, NULL::int4 AS partner_id, "
                "NULL::numeric AS amount, NULL::timestamp AS doc_date, FALSE AS is_utc "
                "WHERE FALSE"
            )
        return SQL(" UNION ALL ").join(selects)

    def _flush_sources(self, directions):
        for source in directions.crm_source_ids:
            if source.model_name in self.env:
                self.env[source.model_name].flush_model()
        self.env["project.task"].flush_model()
        self.env["dealer.traffic"].flush_model(["partner_id", "direction_id", "state", "date"])
        self.flush_model()

    @api.model
    def _direction_averages(self, directions, now, stored):
        """The average document (total / count) of each direction over its window
        ending today. The event path (``stored``) reuses last night's figure and
        computes only the missing ones."""
        result = {}
        if stored:
            result = {d.id: d.crm_average_check for d in directions if d.crm_computed_at}
        missing = directions.filtered(lambda d: d.id not in result)
        if missing:
            self._flush_sources(missing)
            result.update(self._facts_averages(missing, SQL("(%s)", self._facts_sql(missing, now))))
        return result

    def _facts_sql(self, directions, now, partners=None):
        """Per client and direction, what their status is judged on: the last
        document's day, the documents ever and in the window (count, amount),
        whether a dealership task is open, the last registered contact's day. Days
        are the client's branch's; the window ends today there. One scan of each
        table for the whole base (``partners`` None), or only ``partners``."""
        default_tz = self._default_tz()
        # sudo: only the branches' time zones are read.
        branches = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        zones = {default_tz} | {tz for tz in branches.partner_id.mapped("tz") if tz}
        dirs = SQL(", ").join(
            SQL(
                "(%s::int4, %s::int4, %s::int4)", d.id, d.crm_window_months, d.project_id.id or None
            )
            for d in directions
        )

        def scope(column):
            if partners is None:
                return SQL("%s IS NOT NULL", column)
            return _partner_scope(column, partners)

        def zone_join(alias):
            """``days`` joined to the rows of ``alias`` by their client's time zone."""
            alias = SQL.identifier(alias)
            if len(zones) == 1:
                # One time zone for every branch (the usual dealer): no client's
                # branch needs looking up.
                return SQL("JOIN days d ON d.direction_id = %s.direction_id", alias)
            return SQL(
                """JOIN res_partner zp ON zp.id = %(alias)s.partner_id
                   LEFT JOIN res_company zc ON zc.id = zp.company_id
                   LEFT JOIN res_partner zcp ON zcp.id = zc.partner_id
                   JOIN days d ON d.direction_id = %(alias)s.direction_id
                              AND d.tz = COALESCE(NULLIF(zcp.tz, ''), %(tz)s)""",
                alias=alias,
                tz=default_tz,
            )

        return SQL(
            """
            WITH dirs(direction_id, months, project_id) AS (VALUES %(dirs)s),
            -- Today and the window per time zone and direction; for documents dated
            -- in UTC, the local midnights that bound them, in UTC, so that no
            -- document's own date needs converting.
            days AS MATERIALIZED (
                SELECT z.tz, dirs.direction_id, t.today, w.win_start,
                       (w.win_start::timestamp AT TIME ZONE z.tz) AT TIME ZONE 'UTC'
                           AS win_start_utc,
                       ((t.today + 1)::timestamp AT TIME ZONE z.tz) AT TIME ZONE 'UTC'
                           AS day_end_utc
                  FROM unnest(%(zones)s::varchar[]) z(tz)
                 CROSS JOIN dirs
                 CROSS JOIN LATERAL (
                       SELECT ((%(now)s::timestamp AT TIME ZONE 'UTC')
                                AT TIME ZONE z.tz)::date AS today) t
                 CROSS JOIN LATERAL (
                       SELECT (t.today - make_interval(months => dirs.months))::date
                           AS win_start) w
            ),
            docs AS (%(docs)s),
            doc_facts AS (
                SELECT docs.partner_id, docs.direction_id,
                       GREATEST(
                           (MAX(docs.doc_date) FILTER (WHERE docs.is_utc)
                               AT TIME ZONE 'UTC' AT TIME ZONE d.tz)::date,
                           MAX(docs.doc_date) FILTER (WHERE NOT docs.is_utc)::date
                       ) AS last_doc,
                       COUNT(*) AS total_count,
                       SUM(docs.amount) FILTER (WHERE x.in_window) AS win_amount,
                       COUNT(*) FILTER (WHERE x.in_window) AS win_count
                  FROM docs
                  %(doc_zone)s
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN docs.is_utc THEN docs.doc_date >= d.win_start_utc
                                   ELSE docs.doc_date::date >= d.win_start END AS in_window) x
                 WHERE CASE WHEN docs.is_utc THEN docs.doc_date < d.day_end_utc
                            ELSE docs.doc_date::date <= d.today END
                 GROUP BY docs.partner_id, docs.direction_id, d.tz
            ),
            -- The dealership tasks once, grouped before they meet the directions:
            -- a task counts in its direction, one without a direction in every
            -- direction of its project.
            tasks AS (
                SELECT t.partner_id, t.dealer_direction_id, t.project_id,
                       bool_or(t.state NOT IN %(closed)s) AS has_open
                  FROM project_task t
                 WHERE %(task_scope)s AND t.dealer_kind IS NOT NULL AND t.active
                 GROUP BY t.partner_id, t.dealer_direction_id, t.project_id
            ),
            traffic_facts AS (
                SELECT tr.partner_id, tr.direction_id,
                       (MAX(tr.date) AT TIME ZONE 'UTC' AT TIME ZONE d.tz)::date
                           AS last_traffic
                  FROM dealer_traffic tr
                  %(traffic_zone)s
                 WHERE %(traffic_scope)s
                   AND tr.state != 'new'
                   AND tr.date <= %(now)s
                 GROUP BY tr.partner_id, tr.direction_id, d.tz
            )
            SELECT partner_id, direction_id, MAX(last_doc) AS last_doc,
                   SUM(total_count)::int4 AS total_count,
                   SUM(win_amount) AS win_amount, SUM(win_count)::int4 AS win_count,
                   bool_or(has_open) AS has_open, MAX(last_traffic) AS last_traffic
              FROM (
                    SELECT partner_id, direction_id, last_doc, total_count, win_amount,
                           win_count, NULL::bool AS has_open, NULL::date AS last_traffic
                      FROM doc_facts
                    UNION ALL
                    SELECT tasks.partner_id, dirs.direction_id, NULL, NULL, NULL, NULL,
                           tasks.has_open, NULL
                      FROM tasks JOIN dirs ON dirs.direction_id = tasks.dealer_direction_id
                    UNION ALL
                    SELECT tasks.partner_id, dirs.direction_id, NULL, NULL, NULL, NULL,
                           tasks.has_open, NULL
                      FROM tasks JOIN dirs ON dirs.project_id = tasks.project_id
                     WHERE tasks.dealer_direction_id IS NULL
                    UNION ALL
                    SELECT partner_id, direction_id, NULL, NULL, NULL, NULL, NULL, last_traffic
                      FROM traffic_facts
                   ) f
             GROUP BY partner_id, direction_id
            """,
            dirs=dirs,
            zones=sorted(zones),
            now=_timestamp(now),
            docs=self._documents_sql(directions, None if partners is None else list(partners)),
            doc_zone=zone_join("docs"),
            closed=CLOSED_TASK_STATES,
            task_scope=scope(SQL("t.partner_id")),
            traffic_zone=zone_join("tr"),
            traffic_scope=scope(SQL("tr.partner_id")),
        )

    def _recompute_sql(self, partners, directions, averages, now, reason, *, facts=None):
        """Compute status, categories and code of ``partners`` (ids, or a range of
        ids) × ``directions`` in one statement, upsert them, and log the status
        changes in the history: set-based, for the nightly batches and the events
        alike. The facts are aggregated here, or read from the table ``facts`` the
        nightly run filled. Returns the rows written."""
        self._flush_sources(directions)
        self.env["dealer.segmentation.range"].flush_model()
        self.env["dealer.crm.status"].flush_model()
        statuses = self._status_ids()
        status_model = self.env["dealer.crm.status"]
        by_code = {status.code: status for status in status_model.search([])}
        dirs = SQL(", ").join(
            SQL(
                "(%s::int4, %s::int4, %s::int4, %s::numeric)",
                direction.id,
                by_code["potential"]._days_for(direction) if "potential" in by_code else None,
                by_code["real"]._days_for(direction) if "real" in by_code else None,
                averages.get(direction.id) or 0.0,
            )
            for direction in directions
        )
        if facts:
            facts_sql = SQL(
                "SELECT * FROM %s f WHERE %s",
                SQL.identifier(facts),
                _partner_scope(SQL("f.partner_id"), partners),
            )
        else:
            facts_sql = self._facts_sql(directions, now, partners)
        query = SQL(
            """
            WITH dirs(direction_id, potential_days, real_days, avg_check)
                 AS (VALUES %(dirs)s),
            pd AS (
                SELECT rp.id AS partner_id, rp.company_id, dirs.*,
                       ((%(now)s::timestamp AT TIME ZONE 'UTC')
                        AT TIME ZONE COALESCE(NULLIF(cp.tz, ''), %(tz)s))::date AS today
                  FROM res_partner rp
                  LEFT JOIN res_company rc ON rc.id = rp.company_id
                  LEFT JOIN res_partner cp ON cp.id = rc.partner_id
                 CROSS JOIN dirs
                 WHERE %(scope)s
            ),
            facts AS MATERIALIZED (%(facts)s),
            calc AS MATERIALIZED (
                SELECT pd.partner_id, pd.direction_id, pd.company_id, pd.today,
                       o.id AS old_id, o.status_id AS old_status_id,
                       f.last_doc, f.last_traffic,
                       COALESCE(f.total_count, 0) AS total_count,
                       COALESCE(f.win_amount, 0) AS win_amount,
                       COALESCE(f.win_count, 0) AS win_count,
                       CASE WHEN COALESCE(f.win_count, 0) > 0 AND pd.avg_check > 0
                            THEN f.win_amount / f.win_count / pd.avg_check
                            ELSE 0 END AS avg_ratio,
                       pd.today - f.last_doc AS recency,
                       CASE
                           WHEN o.is_inactive AND %(inactive)s::int4 IS NOT NULL
                               THEN %(inactive)s::int4
                           WHEN f.has_open AND %(in_work)s::int4 IS NOT NULL
                               THEN %(in_work)s::int4
                           WHEN pd.today - f.last_doc <= pd.real_days
                                AND %(real)s::int4 IS NOT NULL
                               THEN %(real)s::int4
                           WHEN pd.today - f.last_traffic <= pd.potential_days
                                AND %(potential)s::int4 IS NOT NULL
                               THEN %(potential)s::int4
                           WHEN f.partner_id IS NOT NULL
                               THEN %(lost)s::int4
                       END AS status_id
                  FROM pd
                  -- The old rows read by the same scope as the clients: by index range,
                  -- never the whole table.
                  LEFT JOIN dealer_partner_status o
                         ON o.partner_id = pd.partner_id AND o.direction_id = pd.direction_id
                        AND %(old_scope)s
                  LEFT JOIN facts f
                         ON f.partner_id = pd.partner_id AND f.direction_id = pd.direction_id
                 WHERE o.id IS NOT NULL OR f.partner_id IS NOT NULL
            ),
            -- Each range with the next one's lower bound: a value falls in the range
            -- whose bounds enclose it, a missing value (recency without any
            -- document) in the highest; joined once per metric.
            rng AS MATERIALIZED (
                SELECT id, direction_id, metric, letter, lower_bound,
                       lead(lower_bound) OVER (PARTITION BY direction_id, metric
                                               ORDER BY lower_bound) AS next_bound
                  FROM dealer_segmentation_range
            ),
            coded AS (
                SELECT c.*,
                       ra.id AS amount_range_id, rn.id AS count_range_id,
                       rr.id AS recency_range_id, rv.id AS avg_check_range_id,
                       CASE WHEN c.status_id IS NOT NULL
                            THEN translate(COALESCE(ra.letter, '-') || COALESCE(rn.letter, '-')
                                           || COALESCE(rr.letter, '-') || COALESCE(rv.letter, '-'),
                                           'ABC', %(cyrillic)s)
                       END AS code
                  FROM calc c
                  %(amount_join)s
                  %(count_join)s
                  %(recency_join)s
                  %(avg_join)s
            ),
            upserted AS (
                INSERT INTO dealer_partner_status AS s (
                    partner_id, direction_id, direction_sequence, company_id, status_id,
                    date_status, amount_range_id, count_range_id, recency_range_id,
                    avg_check_range_id, code, doc_amount, doc_count, last_doc_date,
                    doc_count_total, last_traffic_date, avg_check_ratio, is_inactive,
                    create_uid, create_date, write_uid, write_date)
                SELECT c.partner_id, c.direction_id, d.sequence, c.company_id, c.status_id,
                       c.today, c.amount_range_id, c.count_range_id, c.recency_range_id,
                       c.avg_check_range_id, c.code, c.win_amount, c.win_count, c.last_doc,
                       c.total_count, c.last_traffic, ROUND(c.avg_ratio, 4), FALSE,
                       %(uid)s, %(stamp)s, %(uid)s, %(stamp)s
                  FROM coded c
                  JOIN dealer_direction d ON d.id = c.direction_id
                  LEFT JOIN dealer_partner_status o ON o.id = c.old_id AND %(old_scope)s
                 -- Unchanged rows are left alone here already: the conflict clause
                 -- would lock each of them to find out.
                 WHERE (c.old_id IS NULL AND c.status_id IS NOT NULL)
                    OR (o.status_id, o.amount_range_id, o.count_range_id,
                        o.recency_range_id, o.avg_check_range_id, o.code, o.doc_amount,
                        o.doc_count, o.last_doc_date, o.doc_count_total,
                        o.last_traffic_date, o.avg_check_ratio)
                       IS DISTINCT FROM
                       (c.status_id, c.amount_range_id, c.count_range_id,
                        c.recency_range_id, c.avg_check_range_id, c.code,
                        c.win_amount, c.win_count, c.last_doc, c.total_count,
                        c.last_traffic, ROUND(c.avg_ratio, 4))
                ON CONFLICT (partner_id, direction_id) DO UPDATE SET
                    status_id = EXCLUDED.status_id,
                    date_status = CASE WHEN s.status_id IS DISTINCT FROM EXCLUDED.status_id
                                       THEN EXCLUDED.date_status ELSE s.date_status END,
                    amount_range_id = EXCLUDED.amount_range_id,
                    count_range_id = EXCLUDED.count_range_id,
                    recency_range_id = EXCLUDED.recency_range_id,
                    avg_check_range_id = EXCLUDED.avg_check_range_id,
                    code = EXCLUDED.code,
                    doc_amount = EXCLUDED.doc_amount,
                    doc_count = EXCLUDED.doc_count,
                    last_doc_date = EXCLUDED.last_doc_date,
                    doc_count_total = EXCLUDED.doc_count_total,
                    last_traffic_date = EXCLUDED.last_traffic_date,
                    avg_check_ratio = EXCLUDED.avg_check_ratio,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                 WHERE (s.status_id, s.amount_range_id, s.count_range_id, s.recency_range_id,
                        s.avg_check_range_id, s.code, s.doc_amount, s.doc_count,
                        s.last_doc_date, s.doc_count_total, s.last_traffic_date,
                        s.avg_check_ratio)
                       IS DISTINCT FROM
                       (EXCLUDED.status_id, EXCLUDED.amount_range_id, EXCLUDED.count_range_id,
                        EXCLUDED.recency_range_id, EXCLUDED.avg_check_range_id, EXCLUDED.code,
                        EXCLUDED.doc_amount, EXCLUDED.doc_count, EXCLUDED.last_doc_date,
                        EXCLUDED.doc_count_total, EXCLUDED.last_traffic_date,
                        EXCLUDED.avg_check_ratio)
             RETURNING s.id, s.partner_id, s.direction_id, s.status_id
            ),
            logged AS (
                INSERT INTO dealer_partner_status_history (
                    partner_status_id, partner_id, direction_id, old_status_id,
                    new_status_id, date, reason, user_id, doc_count_total,
                    create_uid, create_date, write_uid, write_date)
                SELECT u.id, u.partner_id, u.direction_id, c.old_status_id, u.status_id,
                       c.today, %(reason)s, %(user)s, c.total_count,
                       %(uid)s, %(stamp)s, %(uid)s, %(stamp)s
                  FROM upserted u
                  JOIN coded c ON c.partner_id = u.partner_id AND c.direction_id = u.direction_id
                 WHERE u.status_id IS DISTINCT FROM c.old_status_id
             RETURNING id, old_status_id, new_status_id
            )
            SELECT (SELECT COUNT(*) FROM upserted),
                   (SELECT COALESCE(array_agg(id), '{}') FROM logged
                     WHERE old_status_id = %(real)s AND new_status_id = %(lost)s)
            """,
            dirs=dirs,
            tz=self._default_tz(),
            now=_timestamp(now),
            scope=_partner_scope(SQL("rp.id"), partners),
            old_scope=_partner_scope(SQL("o.partner_id"), partners),
            facts=facts_sql,
            amount_join=_range_join("ra", "amount", SQL("c.win_amount")),
            count_join=_range_join("rn", "count", SQL("c.win_count")),
            recency_join=_range_join("rr", "recency", SQL("c.recency")),
            avg_join=_range_join("rv", "avg_check", SQL("c.avg_ratio")),
            cyrillic="".join(CYRILLIC[letter] for letter in "ABC"),
            uid=self.env.uid,
            user=self.env.uid if reason == "user" else None,
            reason=reason,
            stamp=fields.Datetime.now(),
            **statuses,
        )
        # PostgreSQL's JIT would compile this statement for each batch, at a cost of
        # a third of the run (measured at 200,000 clients); LOCAL ends with the batch.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        self.env.cr.execute(query)
        written, decayed = self.env.cr.fetchone()
        # The rows were written behind the ORM's back.
        self.invalidate_model()
        self.env["dealer.partner.status.history"].invalidate_model()
        if decayed:
            self.env["dealer.partner.status.history"].browse(decayed)._schedule_winback()
        return written


def _timestamp(now):
    return now if isinstance(now, datetime) else fields.Datetime.to_datetime(now)


def _partner_scope(column, partners):
    """``column`` among ``partners``: a list of ids (events), or a ``range`` of ids
    (the nightly batches, read by index range rather than by a long array)."""
    if isinstance(partners, range):
        return SQL("%s BETWEEN %s AND %s", column, partners.start, partners.stop - 1)
    return SQL("%s = ANY(%s)", column, list(partners))


def _range_join(alias, metric, value):
    """The join to the range of ``metric`` that ``value`` falls in (see ``rng``):
    the one with the highest lower bound it reaches, the highest for a missing
    value. Only for clients with a status."""
    return SQL(
        """LEFT JOIN rng %(alias)s
               ON c.status_id IS NOT NULL
              AND %(alias)s.direction_id = c.direction_id
              AND %(alias)s.metric = %(metric)s
              AND ((%(value)s IS NULL AND %(alias)s.next_bound IS NULL)
                   OR (%(alias)s.lower_bound <= %(value)s
                       AND (%(alias)s.next_bound IS NULL OR %(value)s < %(alias)s.next_bound)))""",
        alias=SQL.identifier(alias),
        metric=metric,
        value=value,
    )
