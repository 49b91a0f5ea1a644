import functools
import json
import logging
import posixpath
import time
import traceback
from datetime import timedelta

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED, TRANSACTION_STATUS_IDLE

import odoo
from odoo import api, fields, models
from odoo.addons.dealer_base.tools import normalize_phone
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, plaintext2html

from .dealer_pbx_event import DIRECTIONS, EVENT_COLUMNS

_logger = logging.getLogger(__name__)

CALL_STATES = [
    ("ringing", "Ringing"),
    ("talking", "Talking"),
    ("done", "Done"),
    ("missed", "Missed"),
]
CALL_DISPOSITIONS = [
    ("answered", "Answered"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("failed", "Failed"),
]
CALLBACK_STATES = [("pending", "To Call Back"), ("done", "Called Back")]
RECORDING_PATH = "/dealer_pbx/recording/"
# How long a worker that has answered a PBX assembles the pending calls at most
# (seconds): until none is left, normally; the cron takes what a longer backlog leaves.
ASSEMBLE_TIME_LIMIT = 30
# Calls assembled in one transaction at most: a request storing an event of one of them
# waits for that transaction; more calls per statement cost less each.
ASSEMBLE_BATCH = 10
# The advisory lock of the worker assembling calls (one at a time per database).
ASSEMBLER_LOCK = 0x5042_5843  # "PBXC"
# The columns of a call the assembly reads and writes (``_dealer_store``).
ASSEMBLY_COLUMNS = (
    "id",
    "pbx_id",
    "company_id",
    "external_id",
    "direction",
    "caller_number",
    "called_number",
    "line",
    "line_id",
    "direction_id",
    "source_id",
    "partner_id",
    "extension",
    "user_id",
    "state",
    "disposition",
    "is_answered",
    "date_start",
    "date_answer",
    "date_end",
    "wait_seconds",
    "talk_seconds",
    "recording_url",
    "recording_ref",
    "callback_state",
    "traffic_id",
    "assembly_due",
    "popup_sent",
)


# The columns of an event the assembly reads, in this order.
EVENT_FIELDS = (
    "id",
    "kind",
    "leg",
    "direction",
    "caller",
    "called",
    "line",
    "extension",
    "time",
    "start_time",
    "answer_time",
    "disposition",
    "talk_seconds",
    "recording_url",
    "recording_ref",
)


# The statements' constant column lists, built once (SQL objects are immutable).
_COLUMNS_SQL = SQL(", ").join(SQL.identifier(name) for name in ASSEMBLY_COLUMNS)
_CALL_COLUMNS_SQL = SQL(", ").join(
    SQL("call.%s", SQL.identifier(name)) for name in ASSEMBLY_COLUMNS
)
_EVENT_COLUMNS_SQL = SQL(", ").join(SQL("event.%s", SQL.identifier(name)) for name in EVENT_FIELDS)


class _Event:
    """A stored event of a call as the assembly reads it (columns of
    ``dealer_pbx_event``): plain values, no ORM record."""

    __slots__ = EVENT_FIELDS

    def __init__(self, *values):
        for name, value in zip(EVENT_FIELDS, values, strict=True):
            setattr(self, name, value)

    def __bool__(self):
        return self.id is not None


# What the assembly reads of an event that is not there (no end yet).
_NO_EVENT = _Event(*[None] * len(EVENT_FIELDS))


@functools.lru_cache(maxsize=4096)
def _normalized(raw, country):
    """normalize_phone, remembered: every event of a call reads its numbers again (a
    pure function of its arguments, phonenumbers' parsing costs a fraction of a
    millisecond)."""
    return normalize_phone(raw, country)


def begin_read_committed(cr):
    """Run ``cr``'s next transaction in READ COMMITTED: a call's events posted at once
    to several workers then wait for each other on the call's row lock and see each
    other's committed events, instead of failing on Odoo's REPEATABLE READ snapshot.
    Set on the connection before the transaction begins (psycopg2 sends it with the
    BEGIN; Odoo sets its own level again on the connection's next cursor): when
    something was already read (nothing is, normally), that transaction is ended
    first. Tests keep their own transaction."""
    if odoo.modules.module.current_test:
        return
    if cr.connection.get_transaction_status() != TRANSACTION_STATUS_IDLE:
        cr.commit()  # pylint: disable=invalid-commit
    cr.connection.set_session(isolation_level=ISOLATION_LEVEL_READ_COMMITTED)


def _seconds(later, earlier):
    if not later or not earlier:
        return 0
    return max(int((later - earlier).total_seconds()), 0)


class DealerPbxCall(models.Model):
    """One call, whatever the number of its events and legs: recomputed from all of
    its stored events (``dealer.pbx.event``) each time one arrives, under a lock of
    its row, so that concurrent and out-of-order events give the same call."""

    _name = "dealer.pbx.call"
    _description = "PBX Call"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    pbx_id = fields.Many2one("dealer.pbx", string="PBX", required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, index=True, readonly=True
    )
    external_id = fields.Char(
        string="Call Id", required=True, readonly=True, help="The PBX's id of the call."
    )
    direction = fields.Selection(DIRECTIONS, string="Call Direction", readonly=True, index=True)
    caller_number = fields.Char(string="From", readonly=True, index="btree_not_null")
    called_number = fields.Char(
        string="To",
        readonly=True,
        index="btree_not_null",
        help="On an incoming call, the company line dialled.",
    )
    line = fields.Char(
        string="Line Number", readonly=True, help="The company number of the call (E.164)."
    )
    line_id = fields.Many2one("dealer.pbx.line", readonly=True, index="btree_not_null")
    direction_id = fields.Many2one("dealer.direction", readonly=True, index="btree_not_null")
    source_id = fields.Many2one("utm.source", string="Information Source", readonly=True)
    extension = fields.Char(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", index="btree_not_null")
    user_id = fields.Many2one("res.users", string="Employee", readonly=True, index=True)
    state = fields.Selection(
        CALL_STATES, default="ringing", required=True, readonly=True, index=True
    )
    disposition = fields.Selection(CALL_DISPOSITIONS, readonly=True)
    is_answered = fields.Boolean(string="Answered", readonly=True)
    date_start = fields.Datetime(string="Started", readonly=True, index=True)
    date_answer = fields.Datetime(string="Answered At", readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    wait_seconds = fields.Integer(
        string="Waiting (s)",
        readonly=True,
        aggregator="avg",
        help="Until the answer; for a missed call, until its end.",
    )
    talk_seconds = fields.Integer(string="Talk (s)", readonly=True, aggregator="sum")
    recording_url = fields.Char(readonly=True)
    recording_ref = fields.Char(string="Recording Id", readonly=True)
    traffic_id = fields.Many2one("dealer.traffic", index="btree_not_null")
    callback_state = fields.Selection(CALLBACK_STATES, readonly=True, index=True)
    callback_user_id = fields.Many2one("res.users", string="Callback Responsible", readonly=True)
    callback_call_id = fields.Many2one("dealer.pbx.call", readonly=True)
    callback_date = fields.Datetime(string="Called Back At", readonly=True)
    assembly_due = fields.Datetime(
        string="Events Waiting Since",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="Set while the call has stored events not assembled into it yet: the "
        "webhook answers the PBX once its events are stored and assembles the call "
        "right after.",
    )
    assembly_error = fields.Text(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Why the call's last events could not be assembled; they stay stored and "
        "the call is assembled again by the scheduled action.",
    )
    popup_sent = fields.Json(
        string="Popups Sent",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="The users told of the call by a popup, per phase: each is told once.",
    )
    event_ids = fields.One2many("dealer.pbx.event", "call_id", string="Events")
    call_count = fields.Integer(string="Calls", compute="_compute_call_count", aggregator="sum")

    _sql_constraints = [
        ("external_id_unique", "UNIQUE(pbx_id, external_id)", "This call is already stored."),
    ]

    def _compute_call_count(self):
        for call in self:
            call.call_count = 1

    @api.depends("caller_number", "called_number", "date_start")
    def _compute_display_name(self):
        for call in self:
            call.display_name = f"{call.caller_number or '?'} → {call.called_number or '?'}"

    # --- assembly -----------------------------------------------------------------------
    @api.model
    def _dealer_store(self, pbx, events, received, request_id=None, log=None):
        """Store ``events`` (PbxEvent of ``pbx``, sorted by call key, kind and leg) and
        create or lock the calls that got a new event, in one statement.

        The events are inserted first (a duplicate, or one a concurrent request is
        storing, conflicts and is skipped once that request is over); then each call
        with a new event is inserted or, when it exists, "updated" by ``ON CONFLICT DO
        UPDATE``, which locks its row until the end of the transaction: concurrent
        events of one call are assembled one after the other, never twice. The calls
        are marked pending (``assembly_due``) until assembled. ``log``: the webhook
        request that brought the events, logged by the same statement
        (``dealer.pbx.request``, accepted, with the events stored and the duplicates).
        Returns the calls' rows (columns ``ASSEMBLY_COLUMNS`` and ``stored``, the number
        of new events), by call key."""
        pbx.flush_recordset(["company_id"])
        rows = SQL(", ").join(
            self.env["dealer.pbx.event"]._row_sql(pbx, event, received, request_id)
            for event in events
        )
        logged = SQL()
        if log is not None:
            columns, row = self.env["dealer.pbx.request"]._log_row({**log, "status": 200})
            logged = SQL(
                """, logged AS (
                    INSERT INTO dealer_pbx_request (%s, event_count, duplicate_count)
                    VALUES (%s, (SELECT count(*) FROM stored),
                            %s - (SELECT count(*) FROM stored))
                )""",
                columns,
                row,
                len(events),
            )
        self.env.cr.execute(
            SQL(
                """
                WITH stored AS (
                    INSERT INTO dealer_pbx_event (%(event_columns)s)
                    VALUES %(rows)s
                    ON CONFLICT (pbx_id, call_key, kind, leg) DO NOTHING
                    RETURNING call_key
                )%(logged)s
                INSERT INTO dealer_pbx_call AS call (
                    pbx_id, company_id, external_id, state, is_answered,
                    wait_seconds, talk_seconds, assembly_due,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(pbx)s, (SELECT company_id FROM dealer_pbx WHERE id = %(pbx)s),
                       keys.call_key, 'ringing', FALSE, 0, 0, %(now)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (SELECT DISTINCT call_key FROM stored) keys
                 ORDER BY keys.call_key
                ON CONFLICT (pbx_id, external_id)
                    DO UPDATE SET write_date = EXCLUDED.write_date,
                                  assembly_due = COALESCE(call.assembly_due,
                                                           EXCLUDED.assembly_due)
                RETURNING %(columns)s, (SELECT count(*) FROM stored) AS stored
                """,
                event_columns=EVENT_COLUMNS,
                rows=rows,
                logged=logged,
                pbx=pbx.id,
                uid=self.env.uid,
                now=received,
                columns=_CALL_COLUMNS_SQL,
            )
        )
        return sorted(self.env.cr.dictfetchall(), key=lambda row: row["external_id"])

    def _dealer_assemble(self, rows, follow_up=True):
        """Assemble the locked calls of ``rows`` (their columns ``ASSEMBLY_COLUMNS`` as
        stored) from all their stored events, then act on what changed: the client,
        the callback of a missed call, the callbacks an answered call closes, the
        popups. Set-based: one statement reads the events of all the calls; one
        round trip writes the calls and claims and writes their popups, whatever
        their number. Without ``follow_up``, what is left to do once they are
        written (the callback tasks: ``_dealer_follow_up``) is returned."""
        if not rows:
            return []
        events = self._dealer_events_of(rows)
        assembled, notices = [], []
        for row in rows:
            call = self.browse(row["id"])
            call_events = events[row["id"]]
            values = call._dealer_values(call_events, row)
            current = {**row, **values}
            if current["state"] == "missed" and not current["callback_state"]:
                values.update(call._dealer_callback_values(current))
                current.update(values)
            assembled.append((call, row, current, values))
            notice = call._dealer_notice(current, call_events)
            if notice:
                values["popup_sent"] = current["popup_sent"] = notice.pop("sent")
                notices.append(notice)
        names = sorted(
            {name for _c, _r, _cur, values in assembled for name in values if name in self._fields}
        )
        queries = [self._dealer_write_sql(assembled, names)]
        if notices:
            queries.append(self._dealer_notices_sql(notices))
        self.env.cr.execute(SQL(";\n").join(queries))
        if notices:
            self._dealer_notices_sent(self.env.cr.fetchall())
        self._dealer_written(assembled, names)
        changes = [
            (call, row, current)
            for call, row, current, _values in assembled
            if call._dealer_needs_follow_up(row, current)
        ]
        if follow_up:
            self._dealer_follow_up(changes)
        return changes

    def _dealer_follow_up(self, changes):
        for call, before, current in changes:
            call._dealer_after_change(before, current)

    @api.model
    def _dealer_assemble_pending(
        self, time_limit=ASSEMBLE_TIME_LIMIT, retry_failed=False, batch=ASSEMBLE_BATCH
    ):
        """Assemble the calls whose stored events wait (``assembly_due``), oldest
        first, up to ``batch`` calls per transaction, until none is left (or for about
        ``time_limit`` seconds). One worker of the database assembles at a time (an
        advisory lock): when another does, this one returns at once, the other takes
        its calls too; so the calls that arrive while a batch is assembled are
        assembled together in the next one, and the busier the PBX, the fewer
        statements per call. A call a request is storing events of is skipped: that
        request assembles it once answered. A call whose assembly fails keeps its
        events, is marked with the error and left to the scheduled action
        (``retry_failed``). Commits: runs after the webhook's answer and from the cron,
        never inside a request's transaction. Returns the number of calls assembled."""
        cr = self.env.cr
        deadline = time.monotonic() + time_limit
        failed = []
        assembled = 0
        while time.monotonic() < deadline:
            locked, rows = self._dealer_lock_pending(batch, failed, retry_failed, exclusive=True)
            changes = []
            if rows:
                try:
                    changes = self._dealer_assemble(rows, follow_up=False)
                except Exception:  # kept on the call, not lost
                    cr.clear()
                    cr.execute(SQL("ROLLBACK TO SAVEPOINT dealer_pbx_assembly"))
                    if batch > 1:
                        batch = 1  # the failing call is found call by call
                    else:
                        self._dealer_assembly_failed(rows[0]["id"], failed)
                    continue
                failed_before = [row["id"] for row in rows if row["failed_before"]]
                if failed_before:
                    cr.execute(
                        SQL(
                            "UPDATE dealer_pbx_call SET assembly_error = NULL WHERE id = ANY(%s)",
                            failed_before,
                        )
                    )
                assembled += len(rows)
            self.env.invalidate_all()
            # The popups leave with this commit, not after the callback tasks.
            cr.commit()  # pylint: disable=invalid-commit
            if changes:
                self._dealer_follow_up_apart(changes)
            if len(rows) == batch:
                continue
            if not locked:
                break  # another worker assembles; it looks again once it is done
            # A call committed while this worker held the lock, by a request whose own
            # attempt found it held, is this worker's to assemble.
            _locked, found = self._dealer_lock_pending(1, failed, retry_failed)
            cr.commit()  # pylint: disable=invalid-commit
            if not found:
                break
        return assembled

    def _dealer_follow_up_apart(self, changes):
        """The callback tasks of calls assembled and committed, in a transaction of
        their own: a failure is logged, the calls stay assembled (a missed call shows
        in the missed calls, to be called back, without its activity)."""
        try:
            with self.env.cr.savepoint():
                self._dealer_follow_up(changes)
        except Exception:
            _logger.exception(
                "PBX calls %s: the callback tasks could not be updated",
                [call.id for call, *_rest in changes],
            )
        self.env.invalidate_all()
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def _dealer_lock_pending(self, limit, failed, retry_failed, exclusive=False):
        """(locked, rows): the rows (``ASSEMBLY_COLUMNS`` and ``failed_before``) of up
        to ``limit`` pending calls, oldest first, locked; none another transaction
        holds. With ``exclusive``, only if this transaction gets the assembler's lock
        (``locked``), under a savepoint (``dealer_pbx_assembly``). The transaction
        commits asynchronously: what it writes can be assembled again from the stored
        events, which the request that stored them has committed durably (a call
        whose assembly a crash lost is pending again). One round trip."""
        self.env.cr.execute(
            SQL(
                """
                SET LOCAL synchronous_commit TO OFF;
                %(savepoint)s
                WITH lock AS MATERIALIZED (
                    SELECT %(lock)s AS locked
                ), picked AS (
                    SELECT %(columns)s, assembly_error IS NOT NULL AS failed_before
                      FROM dealer_pbx_call
                     WHERE (SELECT locked FROM lock)
                       AND assembly_due IS NOT NULL %(errors)s AND id != ALL(%(failed)s)
                     ORDER BY assembly_due, id
                     LIMIT %(limit)s
                       FOR UPDATE SKIP LOCKED
                )
                SELECT lock.locked, picked.* FROM lock LEFT JOIN picked ON TRUE
                """,
                lock=SQL("pg_try_advisory_xact_lock(%s)", ASSEMBLER_LOCK) if exclusive else True,
                columns=_COLUMNS_SQL,
                errors=SQL() if retry_failed else SQL("AND assembly_error IS NULL"),
                failed=failed,
                limit=limit,
                # Set first: rolling back to it (a call failing) releases the calls
                # and the lock, taken again call by call.
                savepoint=SQL("SAVEPOINT dealer_pbx_assembly;") if exclusive else SQL(),
            )
        )
        rows = self.env.cr.dictfetchall()
        locked = rows[0].pop("locked")
        return locked, [row for row in rows if row["id"] is not None]

    def _dealer_assembly_failed(self, call_id, failed):
        """Keep why the call could not be assembled on it (its events stay stored)."""
        _logger.exception("PBX call %s could not be assembled", call_id)
        failed.append(call_id)
        self.env.cr.execute(
            SQL(
                "UPDATE dealer_pbx_call SET assembly_error = %s WHERE id = %s",
                traceback.format_exc(limit=5)[-2000:],
                call_id,
            )
        )
        self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_assemble_pending(self):
        """What a stopped worker left pending, and the calls whose assembly failed."""
        self._dealer_assemble_pending(time_limit=60, retry_failed=True)

    def _dealer_events_of(self, rows):
        """{call id: the call's stored events (``_Event``), by time}: the events of
        the calls' keys not attached yet are attached to them in the same statement.
        A statement of its own, after the one locking the calls: its snapshot, taken
        once they are locked, sees every event of theirs (a request storing one holds
        the call's lock until it commits); the locking statement's own snapshot may
        predate the commit of a request that released a call it then locks."""
        self.env["dealer.pbx.event"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH calls AS (
                    SELECT * FROM unnest(%(ids)s::int[], %(pbxs)s::int[], %(keys)s::varchar[])
                        AS calls(id, pbx_id, call_key)
                ), attach AS (
                    UPDATE dealer_pbx_event event SET call_id = calls.id
                      FROM calls
                     WHERE event.pbx_id = calls.pbx_id AND event.call_key = calls.call_key
                       AND event.call_id IS NULL
                )
                SELECT calls.id, %(columns)s
                  FROM calls
                  JOIN dealer_pbx_event event
                    ON event.pbx_id = calls.pbx_id AND event.call_key = calls.call_key
                 ORDER BY event.time, event.id
                """,
                ids=[row["id"] for row in rows],
                pbxs=[row["pbx_id"] for row in rows],
                keys=[row["external_id"] for row in rows],
                columns=_EVENT_COLUMNS_SQL,
            )
        )
        self.env["dealer.pbx.event"].invalidate_model(["call_id"])
        events = {row["id"]: [] for row in rows}
        for call_id, *values in self.env.cr.fetchall():
            events[call_id].append(_Event(*values))
        return events

    def _dealer_write_sql(self, assembled, names):
        """The statement writing the assembled values (columns ``names``) of the calls
        ``assembled`` ((call, row, current, values)) and clearing their ``assembly_due``. They are
        the calls' own columns, which no stored computed field and no tracking depend
        on (a call is written under its lock by the assembly only), so the ORM's write
        (checks, mail.thread, field triggers) is skipped (``_dealer_written``)."""
        data = []
        for call, _row, _current, values in assembled:
            # A column absent from a call's values is kept as stored (the client, once
            # found).
            item = {}
            for name in names:
                if name not in values:
                    continue
                value, field = values[name], self._fields[name]
                if field.type == "boolean":
                    item[name] = bool(value)
                elif value is False or value is None:
                    item[name] = None
                elif field.type == "datetime":
                    item[name] = fields.Datetime.to_string(value)
                else:
                    item[name] = value
            data.append({"id": call.id, "values": item})
        assignments = [
            SQL(
                "%(name)s = CASE WHEN v.values ? %(key)s THEN (v.values ->> %(key)s)::%(type)s"
                " ELSE call.%(name)s END",
                name=SQL.identifier(name),
                key=name,
                type=SQL(self._fields[name].column_type[0]),
            )
            for name in names
        ]
        return SQL(
            """
                UPDATE dealer_pbx_call AS call
                   SET %(assignments)s
                  FROM jsonb_to_recordset(%(data)s::jsonb) AS v(id int, values jsonb)
                 WHERE call.id = v.id
                   -- the calls' ids for the planner, which knows nothing of the
                   -- function's rows: their index, not a scan of all the calls
                   AND call.id = ANY(%(ids)s)
                """,
            assignments=SQL(", ").join(
                [
                    *assignments,
                    SQL("assembly_due = NULL"),
                    SQL("write_uid = %s", self.env.uid),
                    # cr.now(), without a query of its own
                    SQL("write_date = now() AT TIME ZONE 'UTC'"),
                ]
            ),
            data=json.dumps(data),
            ids=[item["id"] for item in data],
        )

    def _dealer_written(self, assembled, names):
        """The ORM's cache after ``_dealer_write_sql``."""
        calls = self.browse([call.id for call, *_rest in assembled])
        fnames = [*names, "assembly_due", "write_uid", "write_date"]
        calls.invalidate_recordset(fnames)
        calls.modified(fnames)
        if "partner_id" in names:
            self.env["res.partner"].invalidate_model(["pbx_call_ids", "pbx_call_count"])

    def _dealer_number(self, raw, company_id=None):
        """``raw`` in E.164 when it is a phone number (read in the branch's country),
        else as sent (an extension, ``anonymous``, a SIP address)."""
        if not raw:
            return False
        company_id = company_id or self.company_id.id
        country = self.env["res.partner"]._company_country_code(company_id)
        return _normalized(raw, country) or raw

    def _dealer_values(self, events, row):
        if not events:
            return {}
        ringing = [e for e in events if e.kind == "ringing"]
        answered = [e for e in events if e.kind == "answered"]
        ended = next((e for e in events if e.kind == "ended" and not e.leg), _NO_EVENT)
        values = self._dealer_party_values(events, ended, row)
        values.update(self._dealer_time_values(events, answered, ended, values["direction"]))
        values.update(
            self._dealer_user_values(ringing, answered, ended, values, events=events, row=row)
        )
        values.update(self._dealer_recording_values(events, ended, row))
        return values

    def _dealer_party_values(self, events, ended, row):
        # Call-level ringing first (who called whom), then the legs, then the end.
        def rank(event):
            if event.kind == "ringing":
                return 0 if not event.leg else 1
            return 3 if event is ended else 2

        ordered = sorted(events, key=lambda e: (rank(e), e.time, e.id))

        def first(name):
            return next((getattr(e, name) for e in ordered if getattr(e, name)), False)

        company_id = row["company_id"]
        direction = ended.direction or first("direction") or "incoming"
        caller, called, line = first("caller"), first("called"), first("line")
        if direction == "incoming":
            line = self._dealer_number(line or called, company_id)
            values = {
                "caller_number": self._dealer_number(caller, company_id),
                "called_number": line,
            }
        elif direction == "outgoing":
            line = self._dealer_number(line, company_id)
            values = {
                "caller_number": caller,
                "called_number": self._dealer_number(called, company_id),
            }
        else:
            values = {"caller_number": caller, "called_number": called}
        values.update(direction=direction, line=line or False)
        if line and line == row["line"] and row["line_id"]:
            # The line found by an earlier event of the call.
            values.update(
                line_id=row["line_id"],
                direction_id=row["direction_id"] or False,
                source_id=row["source_id"] or False,
            )
        else:
            values.update(self._dealer_line_values(row["pbx_id"], line))
        if not row["partner_id"] and direction in ("incoming", "outgoing"):
            number = values["caller_number" if direction == "incoming" else "called_number"]
            if number and number.startswith("+"):
                values["partner_id"] = self._dealer_find_clients(number, company_id)[:1].id
        return values

    def _dealer_line_values(self, pbx_id, line):
        """The active line ``line`` (E.164) of the PBX with its direction and source."""
        found = self.env["dealer.pbx"]._dealer_lines(pbx_id).get(line) if line else None
        line_id, direction_id, source_id, _user_id = found or (False, False, False, False)
        return {"line_id": line_id, "direction_id": direction_id, "source_id": source_id}

    def _dealer_find_clients(self, number, company_id=None):
        """The clients having ``number`` (E.164), best match first."""
        partners = self.env["res.partner"]
        if not number or not number.startswith("+"):
            return partners
        if company_id and self.env.su:
            # A number in E.164 reads alike in every country: the company of the
            # environment, which a superuser's reads from the database, is the call's.
            partners = partners.with_context(allowed_company_ids=[company_id])
        return partners.find_by_phone(number)._dealer_only_clients().with_env(self.env)

    def _dealer_time_values(self, events, answered, ended, direction):
        date_start = min(event.start_time or event.time for event in events)
        date_answer = ended.answer_time or (min(e.time for e in answered) if answered else False)
        date_end = max(ended.time, date_start) if ended else False
        if ended:
            disposition = ended.disposition or ("answered" if answered else "no_answer")
            is_answered = disposition == "answered"
            state = "done" if is_answered or direction != "incoming" else "missed"
        else:
            disposition, is_answered = False, bool(answered)
            state = "talking" if answered else "ringing"
        talk = 0
        if is_answered:
            if ended and ended.talk_seconds and not date_answer:
                date_answer = date_end - timedelta(seconds=ended.talk_seconds)
            date_answer = max(date_answer or date_start, date_start)
            if ended:
                talk = ended.talk_seconds or _seconds(date_end, date_answer)
        else:
            date_answer = False
        wait = _seconds(date_answer, date_start) if is_answered else _seconds(date_end, date_start)
        return {
            "state": state,
            "disposition": disposition,
            "is_answered": is_answered,
            "date_start": date_start,
            "date_answer": date_answer,
            "date_end": date_end,
            "wait_seconds": wait,
            "talk_seconds": talk,
        }

    def _dealer_extension_users(self, pbx_id):
        """{extension number: user id (or False)} of the PBX (cached)."""
        return self.env["dealer.pbx"]._dealer_extension_users(pbx_id)

    def _dealer_user_values(self, ringing, answered, ended, values, *, events, row):
        """Incoming: the extension that answered, else the last one rung; outgoing
        (and internal): the extension that dialled. ``events`` are sorted by time."""
        if values["direction"] == "incoming":
            extension = next((e.extension for e in answered if e.extension), None)
            if not extension and values["is_answered"]:
                extension = ended.extension
            if not extension:
                rung = [e for e in ringing if e.extension]
                extension = (rung[-1].extension if rung else None) or ended.extension
        else:
            extension = next((e.extension for e in events if e.extension), None)
        user_id = False
        if extension:
            user_id = self._dealer_extension_users(row["pbx_id"]).get(extension, False)
        return {"extension": extension or False, "user_id": user_id}

    def _dealer_recording_values(self, events, ended, row):
        recordings = [e for e in events if e.kind == "recording"]
        url = next((e.recording_url for e in reversed(recordings) if e.recording_url), False)
        ref = next((e.recording_ref for e in reversed(recordings) if e.recording_ref), False)
        ref = ref or ended.recording_ref or False
        if not url and ref:
            # sudo: the assembly reads its PBX's settings (not its secrets).
            pbx = self.env["dealer.pbx"].sudo().browse(row["pbx_id"])
            if pbx.provider in ("zadarma", "mango"):
                url = f"{RECORDING_PATH}{self.id}"
            elif pbx.recording_base_url:
                url = f"{pbx.recording_base_url.rstrip('/')}/{posixpath.basename(ref)}"
        return {"recording_url": url, "recording_ref": ref}

    @staticmethod
    def _dealer_new_callback(before, current):
        return current["callback_state"] == "pending" and not before["callback_state"]

    @staticmethod
    def _dealer_calls_back(before, current):
        return (
            current["direction"] == "outgoing"
            and current["is_answered"]
            and current["state"] == "done"
            and before["state"] != "done"
        )

    def _dealer_needs_follow_up(self, before, current):
        return self._dealer_new_callback(before, current) or self._dealer_calls_back(
            before, current
        )

    def _dealer_after_change(self, before, current):
        """Act on the call's change from ``before`` to ``current`` (columns
        ``ASSEMBLY_COLUMNS``, written): the callback task of a missed call, the
        callbacks an answered outgoing call closes."""
        if self._dealer_new_callback(before, current):
            self._dealer_schedule_callback(current)
        if self._dealer_calls_back(before, current):
            self._dealer_close_callbacks()

    # --- missed calls and callbacks -------------------------------------------------------
    def _dealer_callback_values(self, current):
        """A missed call is to be called back by the line's responsible, else the last
        employee rung."""
        line = self.env["dealer.pbx"]._dealer_lines(current["pbx_id"]).get(current["line"])
        return {
            "callback_state": "pending",
            "callback_user_id": (line and line[3]) or current["user_id"] or False,
        }

    def _dealer_schedule_callback(self, current):
        """The callback task (a «call» activity) of a missed call for its responsible,
        with the waiting time."""
        self.ensure_one()
        responsible = self.env["res.users"].browse(current["callback_user_id"] or ())
        if not responsible:
            return
        call = self.with_context(lang=responsible.lang or self.env.lang)
        local = fields.Datetime.context_timestamp(
            call.with_user(responsible), current["date_start"]
        )
        wait = divmod(current["wait_seconds"] or 0, 60)
        line = self.env["dealer.pbx.line"].browse(current["line_id"] or ())
        summary = call.env._("Call back %s", current["caller_number"] or "?")
        note = call.env._(
            "Missed call from %(number)s to %(line)s at %(time)s: "
            "waited %(minutes)d:%(seconds)02d.",
            number=current["caller_number"] or "?",
            line=line.display_name or current["called_number"] or "?",
            time=local.strftime("%d.%m.%Y %H:%M"),
            minutes=wait[0],
            seconds=wait[1],
        )
        # No assignment message (and e-mail) per missed call, sent while the PBX
        # waits: the callback shows in the responsible's activities, which the bus
        # updates, and in the missed calls.
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=local.date(),
            summary=summary,
            note=plaintext2html(note),
            user_id=responsible.id,
        )

    def _dealer_close_callbacks(self):
        """An answered outgoing call closes the callbacks owed to that number."""
        self.ensure_one()
        number = self.called_number
        if not number:
            return
        missed = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "missed"),
                ("callback_state", "=", "pending"),
                ("caller_number", "=", number),
                ("date_start", "<=", self.date_start),
                ("id", "!=", self.id),
            ]
        )
        missed._dealer_callback_done(self)

    def _dealer_callback_done(self, callback=None):
        if not self:
            return
        self.write(
            {
                "callback_state": "done",
                "callback_call_id": callback.id if callback else False,
                "callback_date": (callback and (callback.date_answer or callback.date_end))
                or fields.Datetime.now(),
            }
        )
        call_type = self.env.ref("mail.mail_activity_data_call")
        activities = self.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        if activities:
            feedback = (
                self.env._("Called back: %s", callback.display_name)
                if callback
                else self.env._("Marked as called back by %s", self.env.user.name)
            )
            activities.action_feedback(feedback=feedback)

    def action_callback_done(self):
        """The responsible (or a supervisor of the branch) marks the callback done."""
        user = self.env.user
        supervisor = user.has_group("dealer_base.group_dealer_supervisor")
        for call in self:
            if call.callback_state != "pending":
                raise UserError(self.env._("%s has no callback pending.", call.display_name))
            if call.callback_user_id != user and not (
                supervisor and call.company_id in user.company_ids
            ):
                raise AccessError(
                    self.env._(
                        "Only %(user)s or a supervisor of the branch can close this callback.",
                        user=call.callback_user_id.name or self.env._("its responsible"),
                    )
                )
        # sudo: the callback fields belong to the call's workflow, checked above.
        self.sudo()._dealer_callback_done()
        return True

    # --- buttons --------------------------------------------------------------------------
    def action_play_recording(self):
        self.ensure_one()
        if not self.recording_url:
            raise UserError(self.env._("This call has no recording."))
        return {"type": "ir.actions.act_url", "url": self.recording_url, "target": "new"}

    def action_open_partner(self):
        self.ensure_one()
        if not self.partner_id:
            raise UserError(self.env._("No client is known for this call."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_create_partner(self):
        """A new client with the caller's number."""
        self.ensure_one()
        number = self.caller_number if self.direction == "incoming" else self.called_number
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_mobile": number or False, "default_company_id": False},
        }

    def action_register_traffic(self, partner_id=False):
        """The registration screen prefilled from the call: channel «call», client,
        phone, direction and source from the line, the call to link."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "dealer_traffic.dealer_traffic_action_register"
        )
        number = self.caller_number if self.direction != "outgoing" else self.called_number
        partner = self.env["res.partner"].browse(partner_id).exists() if partner_id else None
        action["context"] = {
            "default_channel_id": self.env.ref("dealer_traffic.channel_call").id,
            "default_partner_id": (partner or self.partner_id).id or False,
            "default_contact_phone": number or False,
            "default_direction_id": self.direction_id.id or False,
            "default_source_id": self.source_id.id or False,
            "default_company_id": self.company_id.id,
            "default_date": fields.Datetime.to_string(self.date_start or fields.Datetime.now()),
            "default_pbx_call_id": self.id,
        }
        return action
