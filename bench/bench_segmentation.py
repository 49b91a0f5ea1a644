"""Segmentation benchmark: the nightly CRM status and category run at dealer-group scale.

Builds (or reuses) the database ``dealer_segbench`` with ``dealer_segmentation`` (no demo
data) and the traffic benchmark's data (a million clients with phones, 300,000 vehicles, a
million traffic records) plus five million documents (done project tasks with an amount and
a date over six years, in three directions) and some open and canceled tasks, then measures,
in one transaction rolled back at the end:

1. ``dealer.partner.status._recompute_all`` over the whole base (first run: every row
   inserted; second run: nothing changed), split into its two phases (the facts
   aggregation into a temporary table, then the batches judging and writing the clients),
   and ``_apply_decay`` a day later, against a straightforward per-client ORM
   implementation of the same rules timed on a sample and extrapolated; the engine's rows
   must equal the ORM's on the sample; the plans of the facts aggregation and of the first
   batch; the event path, ``_recompute_partners`` for 1 and for 100 random clients;
2. the client card (the partner form, its CRM tab included) and the registration lookup
   ``res.partner.dealer_lookup`` with and without dealer_segmentation's additions.

    python bench/bench_segmentation.py [--clients N] [--documents N] [--traffic N]
                                       [--directions 3|5] [--sample N] [--events N]
                                       [--fresh] [--db NAME]
"""

import argparse
import json
import os
import random
import re
import sys
import time
from contextlib import contextmanager
from datetime import timedelta

from _common import (
    RESULTS_DIR,
    ROOT,
    database_arguments,
    log,
    markdown_table,
    prepare_database,
    superuser_env,
    timing,
    update_module_if_changed,
)
from bench_traffic import (
    DOCUMENT_DIRECTIONS,
    GENERATOR_VERSION,
    LOADED_TABLES,
    SCHEMA_SOURCES,
    generate,
    lookup_inputs,
    sources_sha1,
    staff_env,
    timed,
    vacuum,
)
from lxml import etree

RESULTS = RESULTS_DIR / "segmentation.json"

DB = "dealer_segbench"
MODULES = "dealer_segmentation"
MARKER_KEY = "dealer_bench.segmentation"
DOCUMENTS_GENERATOR_VERSION = 1
# The module's own files: a change there updates the module in the database (odoo -u)
# rather than rebuilding it.
SEGMENTATION_SOURCES = tuple(
    f"addons/dealer_segmentation/{folder}"
    for folder in ("models", "data", "security", "views", "wizard", "report")
)
SEED = 20240777

# Targets of the issue, in seconds, for a million clients.
TARGET_FULL_S = 60
TARGET_DECAY_S = 10
TARGET_CARD_RATIO = 1.10

CARD_WARMUP = 5
CARD_SLOWEST = 5  # fields of the card profiled alone, slowest first
EVENT_WARMUP = 3  # event path calls not counted
PLAN_WIDTH = 200
# The index suggested to the engine (see the report): measured in a savepoint, never kept.
# Indexes to try beside the engine's own, in a savepoint. The one this benchmark first
# suggested, on tasks' clients, is now dealer_segmentation's.
SUGGESTED_INDEXES = ()
RANGE_FIELDS = {
    "amount_range_id": "amount",
    "count_range_id": "count",
    "recency_range_id": "recency",
    "avg_check_range_id": "avg_check",
}
COMPARED = (
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
    "company_id",
    "direction_sequence",
)


def wanted_marker(clients, traffic, documents):
    return {
        "clients": clients,
        "traffic": traffic,
        "documents": documents,
        "generator": GENERATOR_VERSION,
        "documents_generator": DOCUMENTS_GENERATOR_VERSION,
        "schema_sha1": sources_sha1(SCHEMA_SOURCES),
    }


def describe(marker):
    return (
        f"{marker['clients']:,} clients, {marker['traffic']:,} traffic records and "
        f"{marker['documents']:,} documents"
    )


def update_if_changed(db, wanted, fresh):
    return update_module_if_changed(
        db,
        wanted,
        fresh,
        key=MARKER_KEY,
        modules=MODULES,
        sha_key="segmentation_sha1",
        current=sources_sha1(SEGMENTATION_SOURCES),
    )


@contextmanager
def savepoint(env, name):
    """A savepoint rolled back at the end of the block, with the ORM cache cleared."""
    env.flush_all()
    env.cr.execute(f"SAVEPOINT {name}")
    try:
        yield
    finally:
        env.cr.precommit.clear()
        env.cr.execute(f"ROLLBACK TO SAVEPOINT {name}")
        env.invalidate_all()


def seconds(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


# --- the directions measured ------------------------------------------------------------


def set_directions(env, count):
    """Keep ``count`` directions active: the ones with documents first (3 is the issue's
    case), then the other seeded ones; the rest are archived in this transaction."""
    xmlids = [*DOCUMENT_DIRECTIONS, "direction_feedback", "direction_other"]
    keep = [env.ref(f"dealer_base.{xmlid}").id for xmlid in xmlids[:count]]
    env.cr.execute("UPDATE dealer_direction SET active = id = ANY(%s)", [keep])
    env.invalidate_all()
    return env["dealer.direction"].search([])


# --- the engine ---------------------------------------------------------------------------


def status_counts(env):
    env.cr.execute(
        """SELECT d.code, COALESCE(st.code, 'none'), count(*)
             FROM dealer_partner_status s
             JOIN dealer_direction d ON d.id = s.direction_id
             LEFT JOIN dealer_crm_status st ON st.id = s.status_id
            GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    counts = {}
    for direction, status, count in env.cr.fetchall():
        counts.setdefault(direction, {})[status] = count
    env.cr.execute("SELECT count(*) FROM dealer_partner_status_history")
    return counts, env.cr.fetchone()[0]


def clear_statuses(env):
    env.cr.execute("DELETE FROM dealer_partner_status_history")
    env.cr.execute("DELETE FROM dealer_partner_status")
    env.invalidate_all()


def engine_constants():
    """The engine's facts table name and batch size (importable once Odoo is loaded)."""
    from odoo.addons.dealer_segmentation.models import dealer_partner_status as engine

    return engine.FACTS_TABLE, engine.RECOMPUTE_BATCH


def statement_kind(code, facts_table):
    """Which of ``_recompute_all``'s two phases the SQL ``code`` is: "facts" (the
    ``CREATE TEMPORARY TABLE … AS`` of ``_facts_sql``), "batch" (``_recompute_sql`` of
    one batch, reading the facts table), else None."""
    if facts_table not in code:
        return None
    if code.lstrip().upper().startswith("CREATE TEMPORARY TABLE"):
        return "facts"
    if "INSERT INTO dealer_partner_status " in code:
        return "batch"
    return None


def sql_code(query):
    """The code of ``query``, an ``odoo.tools.SQL`` or a string."""
    code = getattr(query, "code", None)
    return code if isinstance(code, str) else str(query)


@contextmanager
def timed_statements(cr):
    """Every statement run on ``cr`` inside the block, as (SQL code, start, end) in
    ``time.perf_counter`` seconds."""
    statements = []
    execute = cr.execute

    def timing_execute(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return execute(query, params, log_exceptions)
        finally:
            statements.append((sql_code(query), start, time.perf_counter()))

    cr.execute = timing_execute
    try:
        yield statements
    finally:
        del cr.execute


@contextmanager
def kept_settings(cr, names=("work_mem", "jit")):
    """Restore ``names`` after the block: ``_recompute_all`` sets them LOCAL, for the rest
    of the transaction, and this benchmark never commits."""
    before = {}
    for name in names:
        cr.execute(f"SHOW {name}")
        before[name] = cr.fetchone()[0]
    try:
        yield before
    finally:
        for name, value in before.items():
            cr.execute("SELECT set_config(%s, %s, true)", [name, value])


def full_run(env, now):
    """``_recompute_all(now=now)``, timed whole and by phase from its own statements: the
    facts aggregation (the ``CREATE TEMPORARY TABLE … AS`` statement), the preparation
    that follows (index, ANALYZE, direction averages), the batches (from there to the last
    batch's statement: judging and writing, with their Python)."""
    facts_table, _batch = engine_constants()
    Status = env["dealer.partner.status"]
    with kept_settings(env.cr) as settings, timed_statements(env.cr) as statements:
        rows, elapsed = seconds(lambda: Status._recompute_all(now=now))
    kinds = [statement_kind(code, facts_table) for code, _start, _end in statements]
    if kinds.count("facts") != 1 or "batch" not in kinds:
        raise RuntimeError(
            f"_recompute_all ran {kinds.count('facts')} facts statements and "
            f"{kinds.count('batch')} batches: the engine changed, see statement_kind()"
        )
    facts = kinds.index("facts")
    first_batch = kinds.index("batch")
    last_batch = len(kinds) - 1 - kinds[::-1].index("batch")
    # The preparation ends with the last statement on the facts table before the batches
    # (the direction averages); the batches' phase starts there.
    prepared = max(
        index for index in range(facts, first_batch) if facts_table in statements[index][0]
    )
    facts_s = statements[facts][2] - statements[facts][1]
    prepare_s = statements[prepared][2] - statements[facts][2]
    batches_s = statements[last_batch][2] - statements[prepared][2]
    batch_sql_s = sum(
        end - start
        for (_c, start, end), kind in zip(statements, kinds, strict=True)
        if kind == "batch"
    )
    return {
        "rows": rows,
        "s": round(elapsed, 2),
        "facts_s": round(facts_s, 2),
        "prepare_s": round(prepare_s, 2),
        "batches_s": round(batches_s, 2),
        "batches": kinds.count("batch"),
        "batch_statements_s": round(batch_sql_s, 2),
        "other_s": round(elapsed - facts_s - prepare_s - batches_s, 2),
        "statements": len(statements),
        "settings_before": settings,
    }


class PlanTaken(Exception):
    """Stops ``_recompute_all`` once its first batch's plan is taken."""


def explained(cr):
    plan = [
        re.sub(r"'\{[0-9,]{100,}\}'", "'{...}'", line)[:PLAN_WIDTH]
        for (line,) in cr.fetchall()
        if not line.lstrip().startswith("Buffers")
    ]
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan[-1]).group(1))
    return {"ms": ms, "plan": plan}


def batch_plan(env, now):
    """EXPLAIN (ANALYZE, BUFFERS) of ``_recompute_all``'s facts aggregation and of its
    first batch's statement, as it runs them: ``_recompute_all`` itself is called with
    those two statements run under EXPLAIN ANALYZE (which executes them: the table is
    filled as usual) and stopped after the first batch; in a savepoint, nothing is kept."""
    from odoo.tools import SQL

    facts_table, batch_size = engine_constants()
    Status = env["dealer.partner.status"]
    cr = env.cr
    execute = cr.execute
    plans = {}

    def explaining(query, params=None, log_exceptions=True):
        kind = statement_kind(sql_code(query), facts_table)
        if kind is None or kind in plans:
            return execute(query, params, log_exceptions)
        statement = cr.mogrify(query, params).decode()
        execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        plans[kind] = explained(cr)
        if kind == "facts":
            execute(SQL("SELECT count(*) FROM %s", SQL.identifier(facts_table)))
            plans[kind]["rows"] = cr.fetchone()[0]
            return None
        match = re.search(r"BETWEEN (\d+) AND (\d+)", statement)
        if match:
            execute(
                "SELECT count(*) FROM res_partner WHERE id BETWEEN %s AND %s",
                [int(match.group(1)), int(match.group(2))],
            )
            plans[kind]["partners"] = cr.fetchone()[0]
            plans[kind]["ids"] = [int(match.group(1)), int(match.group(2))]
        raise PlanTaken

    with savepoint(env, "plan"):
        cr.execute = explaining
        try:
            Status._recompute_all(now=now)
        except PlanTaken:
            pass
        finally:
            del cr.execute
    missing = {"facts", "batch"} - set(plans)
    if missing:
        raise RuntimeError(f"_recompute_all ran no {missing} statement: see statement_kind()")
    plans["batch"].setdefault("partners", batch_size)
    return plans


def measure_engine(env, now, label):
    """The full run twice (inserts, then nothing to change) and the decay a day later."""
    Status = env["dealer.partner.status"]
    clear_statuses(env)
    env.cr.execute("SELECT count(*) FROM res_partner")
    partners = env.cr.fetchone()[0]
    log(f"  {label}: full run 1 (every row new) over all {partners:,} partners")
    first = full_run(env, now)
    counts, history = status_counts(env)
    first["history"] = history
    log(
        f"    {first['s']:.1f} s (facts {first['facts_s']:.1f} s, {first['batches']} batches "
        f"{first['batches_s']:.1f} s), {first['rows']:,} rows; run 2 (nothing changed)"
    )
    second = full_run(env, now)
    later = now + timedelta(days=1)
    log(
        f"    {second['s']:.1f} s (facts {second['facts_s']:.1f} s, {second['batches']} "
        f"batches {second['batches_s']:.1f} s), {second['rows']:,} rows; decay a day later"
    )
    with savepoint(env, "decay"):
        decay_rows, decay_s = seconds(lambda: Status._apply_decay(now=later))
        env.cr.execute(
            "SELECT count(*) FROM dealer_partner_status_history WHERE date > %s", [now.date()]
        )
        decay_history = env.cr.fetchone()[0]
    decay = {"rows": decay_rows, "s": round(decay_s, 2), "history": decay_history}
    log(f"    {decay_s:.1f} s, {decay_rows:,} rows")
    return {
        "partners": partners,
        "full_first": first,
        "full_second": second,
        "decay": decay,
        "statuses": counts,
    }


def client_ids(env):
    """The generated clients (partners with a phone: not the branches nor the staff)."""
    env.cr.execute("SELECT DISTINCT partner_id FROM dealer_partner_phone ORDER BY partner_id")
    return [row[0] for row in env.cr.fetchall()]


def measure_events(env, rng, now, calls):
    """The event path, what a registration (or a task opened or done) triggers:
    ``_recompute_partners(partners, now=now)`` for 1 random client, ``calls`` times, and
    for 100 random clients, ``calls // 5`` times (at least 2), each call its own clients,
    cold ORM cache, first with the rows as the full run left them (nothing to write), then
    with the clients' rows deleted first (every row written, with its history line); in a
    savepoint."""
    Status = env["dealer.partner.status"]
    Partner = env["res.partner"]
    clients = client_ids(env)
    shapes = {"1 client": (1, calls), "100 clients": (100, max(2, calls // 5))}
    results = {}
    for shape, (size, count) in shapes.items():
        # Distinct clients in every call: none finds its rows rewritten by an earlier one.
        picked = rng.sample(clients, min(size * (count + EVENT_WARMUP), len(clients)))
        groups = [sorted(picked[start : start + size]) for start in range(0, len(picked), size)]
        for state in ("unchanged", "rows deleted"):
            timings, written = [], []
            with savepoint(env, "events"):
                if state == "rows deleted":
                    every = sorted({pid for group in groups for pid in group})
                    env.cr.execute(
                        "DELETE FROM dealer_partner_status_history WHERE partner_id = ANY(%s)",
                        [every],
                    )
                    env.cr.execute(
                        "DELETE FROM dealer_partner_status WHERE partner_id = ANY(%s)", [every]
                    )
                for index, group in enumerate(groups):
                    rows, ms = timed(
                        env, lambda g=group: Status._recompute_partners(Partner.browse(g), now=now)
                    )
                    if index >= EVENT_WARMUP:
                        timings.append(ms)
                        written.append(rows)
            results[f"{shape}, {state}"] = {
                "clients": size,
                "calls": len(timings),
                "rows_written": sum(written),
                "ms": timing(timings),
            }
    return results


def read_rows(env, partner_ids):
    env.flush_all()
    env.cr.execute(
        f"""SELECT partner_id, direction_id, {", ".join(COMPARED)}
              FROM dealer_partner_status WHERE partner_id = ANY(%s)""",
        [partner_ids],
    )
    rows = {}
    for partner_id, direction_id, *columns in env.cr.fetchall():
        values = dict(zip(COMPARED, columns, strict=True))
        values["doc_amount"] = round(float(values["doc_amount"] or 0), 2)
        values["avg_check_ratio"] = round(float(values["avg_check_ratio"] or 0), 4)
        rows[partner_id, direction_id] = values
    env.cr.execute(
        "SELECT count(*) FROM dealer_partner_status_history WHERE partner_id = ANY(%s)",
        [partner_ids],
    )
    return rows, env.cr.fetchone()[0]


# --- the baseline: the same rules, one client at a time with the ORM --------------------


class OrmBaseline:
    """What a straightforward implementation of the rules does: for each client and
    direction, search its documents, tasks, contacts and status row with the ORM, decide
    in Python, write the row and its history with the ORM."""

    def __init__(self, env, directions, now):
        import pytz
        from dateutil.relativedelta import relativedelta

        from odoo.addons.dealer_segmentation.models.dealer_segmentation_range import CYRILLIC

        self.env, self.now, self.directions = env, now, directions
        self.relativedelta, self.pytz, self.cyrillic = relativedelta, pytz, CYRILLIC
        Status = env["dealer.partner.status"]
        self.statuses = {s.code: s for s in env["dealer.crm.status"].search([])}
        self.days = {
            d.id: {
                code: self.statuses[code]._days_for(d) if code in self.statuses else None
                for code in ("real", "potential")
            }
            for d in directions
        }
        self.ranges = {}
        for line in env["dealer.segmentation.range"].search([]):
            self.ranges.setdefault((line.direction_id.id, line.metric), []).append(line)
        for lines in self.ranges.values():
            lines.sort(key=lambda line: line.lower_bound, reverse=True)
        self.default_tz = Status._default_tz()
        self.averages = self._averages()

    def _today(self, tz):
        pytz = self.pytz
        return pytz.utc.localize(self.now).astimezone(pytz.timezone(tz)).date()

    def _averages(self):
        Task = self.env["project.task"]
        today = self._today(self.default_tz)
        averages = {}
        for direction in self.directions:
            start = today - self.relativedelta(months=direction.crm_window_months)
            [(total, count)] = Task._read_group(
                [
                    ("state", "=", "1_done"),
                    ("partner_id", "!=", False),
                    ("project_id", "=", direction.project_id.id),
                    ("dealer_done_date", ">=", start),
                    ("dealer_done_date", "<=", today),
                ],
                [],
                ["dealer_amount:sum", "__count"],
            )
            averages[direction.id] = (total or 0.0) / count if count else 0.0
        return averages

    def _range(self, direction, metric, value):
        for line in self.ranges.get((direction.id, metric), ()):
            if value is None or line.lower_bound <= value:
                return line
        return self.env["dealer.segmentation.range"]

    def _facts(self, partner, direction, today, zone):
        """What the ORM finds about ``partner`` in ``direction``: its documents up to
        today as (day, amount), its tasks with a kind, its last contact, its status row."""
        env = self.env
        Task, Traffic = env["project.task"], env["dealer.traffic"]
        project = direction.project_id
        docs = Task.search_read(
            [
                ("state", "=", "1_done"),
                ("partner_id", "=", partner.id),
                ("project_id", "=", project.id),
            ],
            ["dealer_amount", "dealer_done_date"],
        )
        tasks = Task.search_read(
            [
                ("partner_id", "=", partner.id),
                ("dealer_kind", "!=", False),
                "|",
                ("dealer_direction_id", "=", direction.id),
                "&",
                ("dealer_direction_id", "=", False),
                ("project_id", "=", project.id),
            ],
            ["state"],
        )
        contacts = Traffic.search_read(
            [
                ("partner_id", "=", partner.id),
                ("direction_id", "=", direction.id),
                ("state", "!=", "new"),
                ("date", "<=", self.now),
            ],
            ["date"],
            order="date desc",
            limit=1,
        )
        row = env["dealer.partner.status"].search(
            [("partner_id", "=", partner.id), ("direction_id", "=", direction.id)]
        )
        days = [
            (doc["dealer_done_date"], doc["dealer_amount"] or 0.0)
            for doc in docs
            if doc["dealer_done_date"] and doc["dealer_done_date"] <= today
        ]
        last_traffic = None
        if contacts:
            last_traffic = self.pytz.utc.localize(contacts[0]["date"]).astimezone(zone).date()
        return days, tasks, last_traffic, row

    def _status(self, direction, today, facts):
        """The status the rules give, in the engine's order of precedence."""
        days, tasks, last_traffic, row = facts
        statuses, days_for = self.statuses, self.days[direction.id]
        last_doc = max((day for day, _amount in days), default=None)
        rules = (
            ("inactive", row.is_inactive),
            ("in_work", any(task["state"] not in ("1_done", "1_canceled") for task in tasks)),
            ("real", last_doc and (today - last_doc).days <= days_for["real"]),
            ("potential", last_traffic and (today - last_traffic).days <= days_for["potential"]),
            ("lost", days or tasks or last_traffic),
        )
        for code, applies in rules:
            if applies and code in statuses:
                return statuses[code]
        return self.env["dealer.crm.status"]

    def _values(self, direction, today, facts, status):
        days, _tasks, last_traffic, _row = facts
        last_doc = max((day for day, _amount in days), default=None)
        start = today - self.relativedelta(months=direction.crm_window_months)
        window = [amount for day, amount in days if day >= start]
        amount, count = sum(window), len(window)
        average = self.averages[direction.id]
        ratio = amount / count / average if count and average > 0 else 0.0
        recency = (today - last_doc).days if last_doc else None
        ranges = dict.fromkeys(RANGE_FIELDS, self.env["dealer.segmentation.range"])
        if status:
            values = (amount, count, recency, ratio)
            for (name, metric), value in zip(RANGE_FIELDS.items(), values, strict=True):
                ranges[name] = self._range(direction, metric, value)
        code = False
        if status:
            code = "".join(self.cyrillic[line.letter] if line else "-" for line in ranges.values())
        return {
            "status_id": status.id,
            "code": code,
            "doc_amount": amount,
            "doc_count": count,
            "last_doc_date": last_doc,
            "doc_count_total": len(days),
            "last_traffic_date": last_traffic,
            "avg_check_ratio": round(ratio, 4),
            **{name: line.id for name, line in ranges.items()},
        }

    def recompute(self, partner):
        env = self.env
        Status, History = env["dealer.partner.status"], env["dealer.partner.status.history"]
        tz = partner.company_id.partner_id.tz or self.default_tz
        today = self._today(tz)
        zone = self.pytz.timezone(tz)
        for direction in self.directions:
            facts = self._facts(partner, direction, today, zone)
            row = facts[3]
            status = self._status(direction, today, facts)
            if not row and not status:
                continue
            vals = self._values(direction, today, facts, status)
            old = row.status_id
            if row:
                if old != status:
                    vals["date_status"] = today
                row.write(vals)
            else:
                row = Status.create(
                    {
                        **vals,
                        "partner_id": partner.id,
                        "direction_id": direction.id,
                        "date_status": today,
                    }
                )
            if old != status:
                History.create(
                    {
                        "partner_status_id": row.id,
                        "partner_id": partner.id,
                        "direction_id": direction.id,
                        "old_status_id": old.id,
                        "new_status_id": status.id,
                        "date": today,
                        "reason": "rule",
                        "doc_count_total": vals["doc_count_total"],
                    }
                )

    def run(self, partner_ids):
        for partner in self.env["res.partner"].browse(partner_ids):
            self.recompute(partner)
        self.env.flush_all()


def compare(engine, baseline):
    """The (client, direction) keys whose rows differ, with both versions."""
    diffs = []
    for key in sorted(set(engine) | set(baseline)):
        ours, theirs = engine.get(key), baseline.get(key)
        if ours != theirs:
            changed = {
                name: [(ours or {}).get(name), (theirs or {}).get(name)]
                for name in COMPARED
                if (ours or {}).get(name) != (theirs or {}).get(name)
            }
            diffs.append({"key": list(key), "differences": changed})
    return diffs


def measure_baseline(env, rng, now, directions, *, sample, engine_full):
    """Time the ORM baseline on ``sample`` random clients (first as new rows, then over
    its own rows) and check that it writes exactly the engine's rows."""
    clients = client_ids(env)
    partner_ids = sorted(rng.sample(clients, min(sample, len(clients))))
    engine_rows, engine_history = read_rows(env, partner_ids)
    with savepoint(env, "baseline"):
        env.cr.execute(
            "DELETE FROM dealer_partner_status_history WHERE partner_id = ANY(%s)", [partner_ids]
        )
        env.cr.execute(
            "DELETE FROM dealer_partner_status WHERE partner_id = ANY(%s)", [partner_ids]
        )
        env.invalidate_all()
        baseline, setup_s = seconds(lambda: OrmBaseline(env, directions, now))
        env.invalidate_all()
        _none, first_s = seconds(lambda: baseline.run(partner_ids))
        rows, history = read_rows(env, partner_ids)
        first_diffs = compare(engine_rows, rows)
        env.invalidate_all()
        _none, second_s = seconds(lambda: baseline.run(partner_ids))
        rows_again, _history = read_rows(env, partner_ids)
        second_diffs = compare(engine_rows, rows_again)
        averages = baseline.averages
    env.cr.execute(
        "SELECT id, crm_average_check FROM dealer_direction WHERE id = ANY(%s)", [directions.ids]
    )
    engine_averages = {row[0]: round(row[1] or 0, 2) for row in env.cr.fetchall()}
    partners = engine_full["partners"]
    per_client = {"first": first_s / len(partner_ids), "second": second_s / len(partner_ids)}
    return {
        "sample": len(partner_ids),
        "rows": len(rows),
        "history": history,
        "engine_history": engine_history,
        "setup_s": round(setup_s, 3),
        "first_s": round(first_s, 2),
        "second_s": round(second_s, 2),
        "ms_per_client": {key: round(value * 1000, 3) for key, value in per_client.items()},
        "extrapolated_s": {
            key: round(setup_s + value * partners, 1) for key, value in per_client.items()
        },
        "averages": {str(k): round(v, 2) for k, v in averages.items()},
        "engine_averages": {str(k): v for k, v in engine_averages.items()},
        "averages_agree": all(
            abs(round(averages[k], 2) - engine_averages[k]) <= 0.01 for k in averages
        ),
        "differences_first": first_diffs[:20],
        "differences_second": second_diffs[:20],
        "agree": not first_diffs and not second_diffs and history == engine_history,
        "status_mix": status_mix(engine_rows),
    }


def status_mix(rows):
    mix = {}
    for values in rows.values():
        mix[values["status_id"] or 0] = mix.get(values["status_id"] or 0, 0) + 1
    return mix


# --- 2. the client card and the registration lookup ---------------------------------------


def subview_spec(model, node):
    """The specification the web client reads for the fields of ``node`` (a view or a
    part of one) of ``model``: many2ones with their display name, x2manys with the fields
    of their inline list (or kanban) view."""
    spec = {}
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag != "field":
            spec.update(subview_spec(model, child))
            continue
        name = child.get("name")
        field = model._fields[name]
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            sub = next((v for v in child if v.tag in ("list", "kanban")), None)
            if sub is None:
                spec[name] = {"fields": {"display_name": {}}}
            else:
                comodel = model.env[field.comodel_name]
                spec[name] = {
                    "fields": subview_spec(comodel, sub),
                    "limit": int(sub.get("limit", 40)),
                }
        else:
            spec[name] = {}
    return spec


def card_specification(partners):
    arch = partners.get_views([(False, "form")])["views"]["form"]["arch"]
    return subview_spec(partners, etree.fromstring(arch))


CRM_FIELDS = ("crm_status_ids", "crm_history_ids")


@contextmanager
def without_segmentation(partners):
    """``res.partner._dealer_client_cards`` as it is without dealer_segmentation (the
    override skipped), for the block."""
    from odoo.addons.dealer_segmentation.models.res_partner import ResPartner

    cls = type(partners)
    assert "_dealer_client_cards" not in cls.__dict__

    def cards(self):
        return super(ResPartner, self)._dealer_client_cards()

    cls._dealer_client_cards = cards
    try:
        yield
    finally:
        del cls._dealer_client_cards


def alternate(env, calls, items, warmup):
    """Run each of ``calls`` (name → call(item)) on each item, rotating which goes first,
    on a cold ORM cache; the milliseconds per call after the ``warmup`` first items."""
    names = list(calls)
    timings = {name: [] for name in names}
    results = {name: [] for name in names}
    for index, item in enumerate(items):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            result, ms = timed(env, lambda c=calls[name], i=item: c(i))
            if index >= warmup:
                timings[name].append(ms)
                results[name].append(result)
    return timings, results


def measure_card(env, rng, data, count):
    main = data["branches"][0]
    operator_env = staff_env(env, main["operators"][0], [main["id"]])
    partners = operator_env["res.partner"]
    spec = card_specification(partners)
    missing = [name for name in CRM_FIELDS if name not in spec]
    assert not missing, f"the client form has no {missing}"
    plain = {name: value for name, value in spec.items() if name not in CRM_FIELDS}
    crm_only = {name: spec[name] for name in CRM_FIELDS}
    env.cr.execute(
        "SELECT DISTINCT partner_id FROM dealer_partner_status WHERE status_id IS NOT NULL"
    )
    with_status = [row[0] for row in env.cr.fetchall()]
    clients = rng.sample(with_status, min(count + CARD_WARMUP, len(with_status)))
    calls = {
        "with": lambda pid: partners.browse(pid).web_read(spec),
        "without": lambda pid: partners.browse(pid).web_read(plain),
        "crm_tab": lambda pid: partners.browse(pid).web_read(crm_only),
    }
    timings, results = alternate(operator_env, calls, clients, CARD_WARMUP)
    rows = sum(len(r[0]["crm_status_ids"]) for r in results["with"])
    # Where the card's time goes: each field read alone, cold, for the last client.
    fields_ms = {}
    for name, sub in spec.items():
        _result, ms = timed(
            operator_env, lambda n=name, f=sub: partners.browse(clients[-1]).web_read({n: f})
        )
        fields_ms[name] = round(ms, 1)
    slowest = dict(sorted(fields_ms.items(), key=lambda item: -item[1])[:CARD_SLOWEST])
    return {
        "clients": len(clients) - CARD_WARMUP,
        "fields": len(spec),
        "crm_rows_read": rows,
        "ms": {name: timing(values) for name, values in timings.items()},
        "slowest_fields_ms": slowest,
    }


def measure_lookup(env, rng, data, count):
    main = data["branches"][0]
    operator_env = staff_env(env, main["operators"][0], [main["id"]])
    partners = operator_env["res.partner"]
    warmup, measured = lookup_inputs(env, rng, main["id"], data)
    measured = measured[:count]  # shuffled: every kind of input keeps its share
    items = warmup + measured
    timings = {"with": [], "without": []}
    hits = {"with": 0, "without": 0}
    crm_cards = 0
    for index, item in enumerate(items):
        order = ("with", "without") if index % 2 == 0 else ("without", "with")
        for name in order:
            if name == "with":
                cards, ms = timed(operator_env, lambda t=item["text"]: partners.dealer_lookup(t))
                crm_cards += sum(bool(card.get("crm")) for card in cards)
            else:
                with without_segmentation(partners):
                    cards, ms = timed(
                        operator_env, lambda t=item["text"]: partners.dealer_lookup(t)
                    )
                assert all("crm" not in card for card in cards)
            if index >= len(warmup):
                timings[name].append(ms)
                ids = [card["id"] for card in cards]
                expected = item["expected"]
                hits[name] += (not ids) if expected is None else expected in ids
    return {
        "inputs": len(measured),
        "hits": hits,
        "cards_with_crm": crm_cards,
        "ms": {name: timing(values) for name, values in timings.items()},
    }


# --- report -------------------------------------------------------------------------------


def fmt_ratio(value):
    return f"{value:.2f}×" if value is not None else "—"


def report(result):
    data, engine, base = result["data"], result["engine"], result["baseline"]
    tasks = data.get("tasks", {})
    scale = data["clients"] / 1_000_000
    log(
        f"\n### Segmentation: {data['clients']:,} clients × {result['directions']} directions, "
        f"{data['documents']:,} documents\n\n"
        f"Database `{result['database']}` ({MODULES}, no demo data), "
        + (
            f"reused (generated {data['generated_at']} in {data['generation_s']:.0f} s)"
            if result["database_reused"]
            else f"created now ({result['timings_s'].get('generation', 0):.0f} s)"
        )
        + f": {engine['partners']:,} partners, {data['clients']:,} clients, {data['traffic']:,} "
        f"traffic records, tasks: {tasks.get('done', 0):,} done (the documents, of "
        f"{data.get('document_clients', 0):,} clients, over 6 years), {tasks.get('open', 0):,} "
        f"open with a kind, {tasks.get('canceled', 0):,} canceled. Active directions: "
        f"{', '.join(result['direction_names'])}. Everything in one transaction rolled back; "
        f"the engine is called with commit=False. Load average (1 min) before/after: "
        f"{result['load_average'][0]:.2f}/{result['load_average'][1]:.2f} on "
        f"{os.cpu_count()} CPUs.\n"
    )
    log("#### 1. Nightly recompute\n")
    rows = []
    for name, variant in result["variants"].items():
        for key, label in (
            ("full_first", "full run, first (all rows new)"),
            ("full_second", "full run, again (nothing changed)"),
            ("decay", "decay alone, a day later"),
        ):
            figures = variant[key]
            target = TARGET_DECAY_S if key == "decay" else TARGET_FULL_S
            baseline_s = base["extrapolated_s"]["second" if key == "full_second" else "first"]
            if key == "decay":
                baseline_s = base["ms_per_client"]["first"] / 1000 * max(figures["rows"], 1)
            phased = key != "decay"
            rows.append(
                [
                    name,
                    label,
                    f"{figures['rows']:,}",
                    f"{figures['s']:.1f}",
                    f"{figures['facts_s']:.1f}" if phased else "",
                    f"{figures['batches_s']:.1f} ({figures['batches']})" if phased else "",
                    f"{figures['s'] / scale:.0f}" if phased else "",
                    f"≤ {target}",
                    f"{baseline_s:,.0f}",
                    fmt_ratio(baseline_s / figures["s"] if figures["s"] else None),
                ]
            )
    header = [
        "engine",
        "run",
        "rows written",
        "seconds",
        "facts aggregation s",
        "batches s (count)",
        "s per 1M clients (linear)",
        "target s",
        "ORM baseline s (extrapolated)",
        "baseline/engine",
    ]
    log(markdown_table(header, rows, "llrrrrrrrr"))
    first = engine["full_first"]
    log(
        f"\nThe full run is `_recompute_all` measured whole, its phases from the times of its "
        f"own statements: facts aggregation = its `CREATE TEMPORARY TABLE … AS` statement "
        f"(`_facts_sql` over the whole base); batches = from the direction averages to the "
        f"last batch's statement (`_recompute_sql` per range of partner ids reading the "
        f"facts table: judging and writing, with their Python; their statements alone "
        f"{first['batch_statements_s']:.1f} s in the first run); the rest (index and ANALYZE "
        f"of the facts table, averages: {first['prepare_s']:.1f} s; flushes, drops: "
        f"{first['other_s']:.1f} s) is in the total only. The batches run with the facts "
        f"phase's `SET LOCAL work_mem` still in force (nothing commits here; the nightly cron "
        f"commits it away before them).\n"
    )
    log(
        f"ORM baseline: per client and direction, `search_read` of its done tasks, its "
        f"tasks with a kind and its last contact, `search` of its status row, rules in "
        f"Python, `write`/`create` of the row and its history; {base['sample']} random "
        f"clients: {base['first_s']:.1f} s with new rows ({base['ms_per_client']['first']:.1f} "
        f"ms per client), {base['second_s']:.1f} s over its own rows "
        f"({base['ms_per_client']['second']:.1f} ms), plus {base['setup_s']:.2f} s once "
        f"(direction averages); extrapolated to the {engine['partners']:,} partners the engine "
        f"walks. Decay's baseline: the ORM's per-client time × the clients the decay wrote. "
        f"Agreement on the sample ({base['rows']} rows, {base['history']} history lines): "
        f"**{'engine = baseline' if base['agree'] else 'DIFFERENT, see JSON'}**; direction "
        f"averages {'agree' if base['averages_agree'] else 'DIFFER'} "
        f"({base['engine_averages']} vs {base['averages']}).\n"
    )
    counts = engine["statuses"]
    mix = "; ".join(
        f"{d}: " + ", ".join(f"{s} {n:,}" for s, n in sorted(c.items())) for d, c in counts.items()
    )
    log(f"Rows after the first run by direction and status: {mix}.\n")
    for name, variant in result["variants"].items():
        facts, batch = variant["plan"]["facts"], variant["plan"]["batch"]
        log(
            f"{name}: the facts aggregation (EXPLAIN ANALYZE of `_recompute_all`'s "
            f"`CREATE TEMPORARY TABLE … AS`, {facts['rows']:,} rows): {facts['ms']:.0f} ms\n"
        )
        log("```\n" + "\n".join(facts["plan"]) + "\n```\n")
        ids = batch.get("ids")
        span = f", ids {ids[0]:,}–{ids[1]:,}" if ids else ""
        log(
            f"{name}: its first batch, {batch['partners']:,} partners{span} (EXPLAIN ANALYZE "
            f"of `_recompute_sql` reading the facts table; the rows as the runs left them, "
            f"nothing to write): {batch['ms']:.0f} ms\n"
        )
        log("```\n" + "\n".join(batch["plan"]) + "\n```\n")
    events = result["events"]
    rows = [
        [
            shape,
            str(figures["calls"]),
            f"{figures['rows_written']:,}",
            f"{figures['ms']['median']:.1f}",
            f"{figures['ms']['p95']:.1f}",
            f"{figures['ms']['max']:.1f}",
        ]
        for shape, figures in events.items()
    ]
    log(
        "Event path: `_recompute_partners(partners)` (what registering a contact, opening or "
        "closing a task triggers), random clients, cold ORM cache, in a savepoint; "
        "'unchanged': the rows as the full run left them, 'rows deleted': the clients' rows "
        "and history deleted first (every row written again).\n"
    )
    log(
        markdown_table(
            ["call", "calls", "rows written", "median ms", "p95 ms", "max ms"], rows, "lrrrrr"
        )
    )
    log("")
    log("#### 2. Client card and registration lookup, with and without segmentation\n")
    card, lookup = result["card"], result["lookup"]
    rows = []
    for label, figures, base_ms in (
        (
            f"client card: `web_read` of the partner form ({card['fields']} fields) with the "
            "CRM tab vs without its 2 fields",
            card["ms"]["with"],
            card["ms"]["without"],
        ),
        (
            f"registration lookup: `dealer_lookup(text)`, {lookup['inputs']} inputs, with the "
            "CRM line of each card vs dealer_traffic's cards",
            lookup["ms"]["with"],
            lookup["ms"]["without"],
        ),
    ):
        rows.append(
            [
                label,
                f"{base_ms['median']:.1f}",
                f"{base_ms['p95']:.1f}",
                f"{figures['median']:.1f}",
                f"{figures['p95']:.1f}",
                fmt_ratio(figures["median"] / base_ms["median"]),
                fmt_ratio(figures["p95"] / base_ms["p95"]),
                f"≤ {TARGET_CARD_RATIO:.2f}×",
            ]
        )
    header = [
        "what",
        "without median ms",
        "without p95 ms",
        "with median ms",
        "with p95 ms",
        "with/without median",
        "with/without p95",
        "target",
    ]
    log(markdown_table(header, rows, "lrrrrrrr"))
    log(
        f"\nCard: {card['clients']} clients with a status, operator of the main branch, cold "
        f"ORM cache, the two reads alternating; the CRM tab's fields alone: "
        f"{card['ms']['crm_tab']['median']:.1f} ms median, {card['ms']['crm_tab']['p95']:.1f} "
        f"ms p95 ({card['crm_rows_read']} status rows read). Slowest fields of the card read "
        "alone (one client, cold): "
        + ", ".join(f"`{n}` {ms:.0f} ms" for n, ms in card.get("slowest_fields_ms", {}).items())
        + f". Lookup hits with/without: "
        f"{lookup['hits']['with']}/{lookup['hits']['without']}; {lookup['cards_with_crm']} "
        "cards carried a CRM line. Without = the same code with dealer_segmentation's "
        "`_dealer_client_cards` override skipped (the only difference the module makes to "
        "the lookup) and the form without the CRM tab's fields.\n"
    )
    log(f"Total wall {result['timings_s']['total']:.0f} s. JSON: {RESULTS.relative_to(ROOT)}")


# --- main ---------------------------------------------------------------------------------


def measure(registry, args, data):
    """Every measure, in one transaction rolled back at the end."""
    from odoo import fields

    rng = random.Random(SEED)
    with registry.cursor() as cr:
        env = superuser_env(cr)
        directions = set_directions(env, args.directions)
        direction_names = directions.mapped("name")
        now = fields.Datetime.now().replace(microsecond=0)
        log(f"1. engine over {len(directions)} directions: {', '.join(direction_names)}")
        variants = {}
        engine = measure_engine(env, now, "engine as is")
        log("  plans of the facts aggregation and of the first batch")
        engine["plan"] = batch_plan(env, now)
        variants["as is"] = engine
        log(f"  event path: _recompute_partners, {args.events} calls of 1 client and of 100")
        events = measure_events(env, random.Random(SEED + 1), now, args.events)
        log(f"  ORM baseline on {args.sample} clients")
        baseline = measure_baseline(
            env, rng, now, directions, sample=args.sample, engine_full=engine
        )
        log(f"    agree: {baseline['agree']}, {baseline['ms_per_client']} ms per client")
        log("2. client card and lookup, with and without segmentation")
        card = measure_card(env, rng, data, args.card_clients)
        lookup = measure_lookup(env, rng, data, args.lookups)
        if SUGGESTED_INDEXES and not args.no_suggested_index:
            with savepoint(env, "suggested_index"):
                log("  engine with the suggested index")
                index_s = []
                for statement in SUGGESTED_INDEXES:
                    _none, s = seconds(lambda st=statement: cr.execute(st))
                    index_s.append(round(s, 1))
                cr.execute("ANALYZE project_task")
                variant = measure_engine(env, now, "engine + suggested index")
                variant["plan"] = batch_plan(env, now)
                variant["index_build_s"] = index_s
                variants["+ suggested index"] = variant
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
        cr.rollback()
    return {
        "directions": len(direction_names),
        "direction_names": direction_names,
        "now": now.isoformat(sep=" "),
        "postgresql": postgres,
        "engine": engine,
        "variants": variants,
        "baseline": baseline,
        "events": events,
        "card": card,
        "lookup": lookup,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="default: 1,000,000")
    parser.add_argument("--documents", type=int, default=5_000_000, help="default: 5,000,000")
    parser.add_argument(
        "--traffic", type=int, default=None, help="traffic records (default: as many as clients)"
    )
    parser.add_argument(
        "--directions", type=int, default=3, choices=(3, 4, 5), help="active directions (3)"
    )
    parser.add_argument("--sample", type=int, default=500, help="clients of the ORM baseline")
    parser.add_argument(
        "--events",
        type=int,
        default=100,
        help="event path calls of 1 client (100; a fifth as many of 100 clients)",
    )
    parser.add_argument(
        "--card-clients", type=int, default=100, help="clients of the card measure (100)"
    )
    parser.add_argument(
        "--lookups", type=int, default=200, help="lookup inputs measured (at most 200)"
    )
    parser.add_argument(
        "--no-suggested-index",
        action="store_true",
        help="do not measure the engine again with the suggested index",
    )
    database_arguments(parser, DB, RESULTS)
    args = parser.parse_args()
    if args.report_only:
        report(json.loads(RESULTS.read_text()))
        return
    traffic = args.traffic or args.clients
    if args.clients < 1000 or traffic < 1000 or args.documents < 1000:
        parser.error("--clients, --traffic and --documents must be at least 1000")
    started = time.perf_counter()
    wanted = wanted_marker(args.clients, traffic, args.documents)
    segmentation_sha1, updated_s = update_if_changed(args.db, wanted, args.fresh)

    def build(env):
        return {
            **generate(env, args.clients, traffic, args.documents),
            "segmentation_sha1": segmentation_sha1,
        }

    registry, data, reused, timings = prepare_database(
        args.db,
        MODULES,
        MARKER_KEY,
        wanted=wanted,
        fresh=args.fresh,
        generate=build,
        describe=describe,
    )
    if updated_s:
        timings["update"] = updated_s
    if not reused:
        start = time.perf_counter()
        vacuum(args.db, (*LOADED_TABLES, "project_task"))
        timings["vacuum"] = time.perf_counter() - start

    load_before = os.getloadavg()[0]
    measures = measure(registry, args, data)
    load_after = os.getloadavg()[0]
    vacuum(args.db, ["dealer_partner_status", "dealer_partner_status_history", "project_task"])
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "segmentation",
        "database": args.db,
        "database_reused": reused,
        "data": data,
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "load_average": [load_before, load_after],
        "versions": {
            "odoo": release.version,
            "postgresql": measures.pop("postgresql"),
            "python": sys.version.split()[0],
        },
        "suggested_indexes": SUGGESTED_INDEXES,
        **measures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)
    if not result["baseline"]["agree"]:
        sys.exit("the engine's rows differ from the ORM baseline's: see the JSON")


if __name__ == "__main__":
    main()
