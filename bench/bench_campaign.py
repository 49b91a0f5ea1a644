"""Campaign benchmark: dealer_campaign's planned contacts and call tasks at scale.

Builds (or reuses) the database ``dealer_campaignbench``: a copy of the segmentation
benchmark's ``dealer_segbench`` (a million clients, five million documents), or when it
is missing or holds other data, a database built with the shared generator
(``bench_traffic.generate``); plus dealer_campaign's data (``generate_campaign_data``:
do-not-call flags, client tags), the clients' CRM statuses computed by
dealer_segmentation's engine, and ``dealer_campaign`` installed on top (updated when its
files change). Then measures, as the main branch's supervisor, each step committed as
its web request would be (the campaigns made are deleted afterwards), each against a
baseline in the same run:

1. 100,000 planned contacts selected from a segment (one direction's CRM statuses and
   categories) over a million clients, added with the wizard
   (``dealer.campaign.add.contacts``: ``match_count`` then ``action_add``) and distributed
   over 20 employees as call tasks (``dealer.campaign.action_distribute``), against
   Odoo's standard ``project.task.create`` of the same tasks, on a sample, scaled;
2. an Excel file of 50,000 rows (openpyxl; a title above the header, ФИО / Телефон /
   Доп. телефон / VIN, numbers in the ways people write them, two in a cell, unknown
   ones, duplicates, VIN-only and unusable rows) previewed and added with the wizard,
   against matching each row with ``res.partner.find_by_phone``, on a sample, scaled.

    python bench/bench_campaign.py [--clients N] [--documents N] [--traffic N]
                                   [--contacts N] [--per-day N] [--employees N]
                                   [--rows N] [--task-baseline N] [--baseline-batch N]
                                   [--excel-baseline N] [--parts segment,excel]
                                   [--profile] [--no-template] [--template NAME]
                                   [--fresh] [--db NAME] [--report-only]
"""

import argparse
import base64
import io
import itertools
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timezone
from unittest import mock

import psycopg2
from _common import (
    FORMATS,
    RESULTS_DIR,
    ROOT,
    PhoneFactory,
    client_name,
    database_arguments,
    drop_database,
    e164,
    load_registry,
    log,
    markdown_table,
    prepare_database,
    profiled,
    read_marker,
    render,
    split_e164,
    superuser_env,
)
from bench_notify import fmt, odoo_command, quiet_crons, sql_summary, target_cell
from bench_segmentation import DOCUMENTS_GENERATOR_VERSION
from bench_segmentation import MARKER_KEY as TEMPLATE_MARKER_KEY
from bench_traffic import (
    CAMPAIGN_GENERATOR_VERSION,
    GENERATOR_VERSION,
    LOADED_TABLES,
    SCHEMA_SOURCES,
    TZ,
    generate,
    generate_campaign_data,
    sources_sha1,
    staff_env,
    vacuum,
)

RESULTS = RESULTS_DIR / "campaign.json"
WORKBOOK = RESULTS_DIR / "campaign_contacts.xlsx"

DB = "dealer_campaignbench"
TEMPLATE = "dealer_segbench"
# The data needs dealer_segmentation (statuses); dealer_campaign is installed on top and
# only updated when its files change: it is being written while measured.
DATA_MODULES = "dealer_segmentation"
MODULE = "dealer_campaign"
MARKER_KEY = "dealer_bench.campaign"
CAMPAIGN_SOURCES = tuple(
    f"addons/dealer_campaign/{folder}"
    for folder in ("models", "data", "security", "views", "wizard", "report", "tools")
)
SEED = 20241207
TEMPLATE_WAIT_S = 300  # how long to wait for the template's sessions to end

# Targets of the issue, at full scale.
TARGET_CONTACTS, TARGET_CONTACTS_S, TARGET_TASKS_PER_S = 100_000, 30, 300
TARGET_ROWS, TARGET_ROWS_S = 50_000, 20
FULL_CLIENTS = 1_000_000
EMPLOYEES, PER_DAY = 20, 300
# The campaign's goal by direction: an outgoing call offering a visit.
GOALS = {
    "sales": "dealer_traffic.goal_sales_visit_offer",
    "service": "dealer_traffic.goal_service_visit_offer",
    "parts": "dealer_traffic.goal_parts_work",
}
RANGE_METRICS = ("amount", "count", "recency", "avg_check")
TOP_STATEMENTS = 5
MODIFYING = {"INSERT", "UPDATE", "DELETE", "WITH"}
PLAN_WIDTH = 200
CAMPAIGN_SUFFIX = "(бенчмарк)"  # the campaigns this benchmark makes, deleted after it
CLEARED_TABLES = (
    "project_task",
    "project_task_user_rel",
    "dealer_campaign_contact",
    "dealer_campaign",
    "mail_message",
)
BUILD_PHASES = ("copy", "schema_update", "install", "generation", "vacuum")

# The Excel file: shares of its data rows.
UNKNOWN_ROW_SHARE = 0.05  # only numbers no client has
DUPLICATE_ROW_SHARE = 0.02  # a client already in the file, written otherwise
VIN_ROW_SHARE = 0.02  # no phone, the VIN of one of the client's vehicles
JUNK_ROW_SHARE = 0.005  # a name and "нет" / "-" for the phone: nothing to match by
BLANK_ROW_EVERY = 997  # a blank row now and then (skipped silently)
# Of the clients' rows:
TWO_IN_CELL_SHARE = 0.15  # "a; b" in Телефон: another of their numbers, or an unknown one
EXTRA_COLUMN_SHARE = 0.20  # Доп. телефон filled: another of their numbers, or an unknown one
UNKNOWN_FIRST_SHARE = 0.03  # Телефон an unknown number, Доп. телефон theirs
NUMERIC_SHARE = 0.3  # digits-only numbers as number cells, as Excel keeps them
VIN_COLUMN_SHARE = 0.10  # the VIN column filled too
JUNK_PHONES = ("нет", "-", "не указан", "отказ")
# Ways to write a number in a sheet: the formats of _common but the URIs.
EXCEL_FORMATS = {
    cc: [name for name in formats if not name.startswith(("tel:", "sip:"))]
    for cc, formats in FORMATS.items()
}
ABSENT_KINDS = {"ru_mobile": 85, "ru_landline": 10, "by_mobile": 5}


# --- the database -------------------------------------------------------------------------


def wanted_marker(clients, traffic, documents):
    return {
        "clients": clients,
        "traffic": traffic,
        "documents": documents,
        "generator": GENERATOR_VERSION,
        "documents_generator": DOCUMENTS_GENERATOR_VERSION,
        "campaign_generator": CAMPAIGN_GENERATOR_VERSION,
        "schema_sha1": sources_sha1(SCHEMA_SOURCES),
    }


def describe(marker):
    return (
        f"{marker['clients']:,} clients, {marker['traffic']:,} traffic records, "
        f"{marker['documents']:,} documents"
    )


def usable_template(template, wanted):
    """(the template's marker, None) when ``template`` holds the data ``wanted`` (sizes and
    generators; its schema may be older: the copy's modules are then updated), else
    (None, why not)."""
    marker = read_marker(template, TEMPLATE_MARKER_KEY)
    if not marker:
        return None, f"{template} is missing or has no marker {TEMPLATE_MARKER_KEY}"
    keys = ("clients", "traffic", "documents", "generator", "documents_generator")
    other = [f"{key} {marker.get(key)!r}" for key in keys if marker.get(key) != wanted[key]]
    if other:
        return None, f"{template} holds other data ({', '.join(other)})"
    return marker, None


def template_sessions(cr, template):
    cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [template])
    return cr.fetchone()[0]


def copy_template(template, db):
    """``db`` as a copy of ``template`` (CREATE DATABASE … TEMPLATE, as ``createdb -T``),
    once nobody is connected to the template (waiting up to TEMPLATE_WAIT_S)."""
    from psycopg2 import sql

    drop_database(db)
    cnx = psycopg2.connect(dbname="postgres")
    cnx.autocommit = True
    try:
        with cnx.cursor() as cr:
            waited = 0
            while sessions := template_sessions(cr, template):
                if waited >= TEMPLATE_WAIT_S:
                    sys.exit(
                        f"{sessions} sessions still use {template} after {waited} s: it "
                        "cannot be copied (see pg_stat_activity); retry, or --no-template"
                    )
                if not waited:
                    log(f"  waiting for the {sessions} sessions using {template} to end")
                time.sleep(5)
                waited += 5
            log(f"copying {template} into {db}")
            cr.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(db), sql.Identifier(template)
                )
            )
    finally:
        cnx.close()


def client_ids(cr):
    """The generated clients (partners with a phone), as the generator lists them."""
    cr.execute("SELECT DISTINCT partner_id FROM dealer_partner_phone ORDER BY partner_id")
    return [partner_id for (partner_id,) in cr.fetchall()]


def compute_statuses(env):
    """Every client's CRM status and categories (dealer_segmentation's nightly run, in
    this transaction): the segment filters read them."""
    started = time.perf_counter()
    log("  CRM statuses: dealer.partner.status._recompute_all()")
    rows = env["dealer.partner.status"]._recompute_all(commit=False)
    env.cr.execute("SELECT count(*) FROM dealer_partner_status")
    return {
        "status_rows": env.cr.fetchone()[0],
        "status_rows_written": rows,
        "statuses_s": round(time.perf_counter() - started, 1),
    }


def build_from_template(db, template, template_marker, wanted):
    """``db`` as a copy of ``template`` with dealer_campaign's data and the statuses;
    (registry, data, timings)."""
    timings = {}
    started = time.perf_counter()
    copy_template(template, db)
    timings["copy"] = time.perf_counter() - started
    if template_marker.get("schema_sha1") != wanted["schema_sha1"]:
        # The dealer modules changed since the template was made: bring the copy's schema
        # up to date (every module depending on dealer_base is updated with it).
        started = time.perf_counter()
        log(f"the dealer modules changed since {template} was made: updating them in {db}")
        run_odoo(db, "-u", "dealer_base")
        timings["schema_update"] = time.perf_counter() - started
    registry = load_registry(db)
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = superuser_env(cr)
        log("  do-not-call flags and client tags")
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        data = {
            **template_marker,
            **wanted,
            "copied_from": template,
            "template_generated_at": template_marker.get("generated_at"),
            **generate_campaign_data(env, client_ids(cr), now),
            **compute_statuses(env),
        }
        timings["generation"] = time.perf_counter() - started
        data["generated_at"] = datetime.now().isoformat(timespec="seconds")
        data["generation_s"] = round(timings["generation"], 1)
        env["ir.config_parameter"].set_param(MARKER_KEY, json.dumps(data))
    return registry, data, timings


def run_odoo(db, option, modules):
    if subprocess.run(odoo_command(db, option, modules), cwd=ROOT, check=False).returncode:
        sys.exit(f"odoo {option} {modules} failed in {db}: see the log above")


def install_campaign(db):
    """Install dealer_campaign in ``db`` when it is not, update it when its files changed
    since (their sha1 is kept in the marker); seconds spent, or None."""
    current = sources_sha1(CAMPAIGN_SOURCES)
    cnx = psycopg2.connect(dbname=db)
    with cnx, cnx.cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [MODULE])
        row = cr.fetchone()
    cnx.close()
    marker = read_marker(db, MARKER_KEY)
    installed = row and row[0] == "installed"
    if installed and marker.get("campaign_sha1") == current:
        return None
    started = time.perf_counter()
    if installed:
        log(f"{MODULE} changed since the last run: updating it in {db}")
        run_odoo(db, "-u", MODULE)
    else:
        log(f"installing {MODULE} in {db}")
        run_odoo(db, "-i", MODULE)
    marker["campaign_sha1"] = current
    cnx = psycopg2.connect(dbname=db)
    with cnx, cnx.cursor() as cr:
        cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key = %s",
            [json.dumps(marker), MARKER_KEY],
        )
    cnx.close()
    return time.perf_counter() - started


def prepare(args, wanted):
    """(registry, data, reused, timings) of the benchmark's database: reused when its
    marker says it holds ``wanted``, else a copy of the template when it holds that data,
    else built with the shared generator; dealer_campaign installed or updated."""
    marker = None if args.fresh else read_marker(args.db, MARKER_KEY)
    reused = bool(marker and all(marker.get(key) == value for key, value in wanted.items()))
    timings, registry = {}, None
    if reused:
        log(f"reusing database {args.db}: {describe(marker)} generated {marker['generated_at']}")
        data = marker
    else:
        if args.fresh:
            log(f"--fresh: rebuilding database {args.db}")
        elif marker:
            log(f"database {args.db} holds other data ({describe(marker)}): rebuilding it")
        template_marker, why = (None, "--no-template")
        if not args.no_template:
            template_marker, why = usable_template(args.template, wanted)
        if template_marker:
            registry, data, timings = build_from_template(
                args.db, args.template, template_marker, wanted
            )
        else:
            log(f"not copying {args.template}: {why}; building {args.db} with the generator")

            def build(env):
                return {
                    **generate(env, args.clients, args.traffic, args.documents, campaign=True),
                    **compute_statuses(env),
                }

            registry, data, _reused, timings = prepare_database(
                args.db,
                DATA_MODULES,
                MARKER_KEY,
                wanted=wanted,
                fresh=True,
                generate=build,
                describe=describe,
            )
        started = time.perf_counter()
        vacuum(
            args.db,
            (
                *LOADED_TABLES,
                "project_task",
                "dealer_partner_status",
                "res_partner_res_partner_category_rel",
            ),
        )
        timings["vacuum"] = time.perf_counter() - started
    installed_s = install_campaign(args.db)
    if installed_s is not None:
        timings["campaign_install"] = installed_s
    if registry is None:
        registry = load_registry(args.db)
    elif installed_s is not None:
        from odoo.modules.registry import Registry

        registry = Registry.new(args.db)
    return registry, data, reused, timings


# --- helpers ------------------------------------------------------------------------------


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


@contextmanager
def savepoint(env, name):
    """A savepoint rolled back at the end of the block, with the ORM cache cleared."""
    env.flush_all()
    env.cr.execute(f"SAVEPOINT {name}")
    try:
        yield
    finally:
        env.cr.precommit.clear()
        env.cr.postcommit.clear()
        env.cr.execute(f"ROLLBACK TO SAVEPOINT {name}")
        env.invalidate_all()


@contextmanager
def method_timer(models, names):
    """{model.method: [calls, seconds]} of the methods ``names`` ({model: [method]}) called
    in the block: each is wrapped, not copied, on the model's registry class."""
    times = {}
    patches = []
    for model in models:
        cls = type(model)
        for name in names[model._name]:
            original = getattr(cls, name)
            key = f"{model._name}.{name}"
            times[key] = [0, 0.0]

            def wrapper(self, *args, _original=original, _key=key, **kwargs):
                start = time.perf_counter()
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    times[_key][0] += 1
                    times[_key][1] += time.perf_counter() - start

            patches.append(mock.patch.object(cls, name, wrapper))
    for patch in patches:
        patch.start()
    try:
        yield times
    finally:
        for patch in reversed(patches):
            patch.stop()


@contextmanager
def explained_inside(cr, methods, sink):
    """While one of ``methods`` ([(model, method name)]) runs in the block, each of its
    data-modifying statements (INSERT, UPDATE, DELETE, WITH) on ``cr`` is first run under
    EXPLAIN (ANALYZE, BUFFERS) in a savepoint rolled back, its plan appended to ``sink``,
    then run as usual."""
    inside = []
    patches = []
    for model, method in methods:
        original = getattr(type(model), method)

        def wrapper(self, *args, _original=original, **kwargs):
            inside.append(True)
            try:
                return _original(self, *args, **kwargs)
            finally:
                inside.pop()

        patches.append(mock.patch.object(type(model), method, wrapper))
    execute = cr.execute

    def explaining(query, params=None, log_exceptions=True):
        code = statement_text(query)
        if inside and code.split(None, 1)[0].upper() in MODIFYING:
            execute("SAVEPOINT bench_explain")
            plan = explain(cr, cr.mogrify(query, params).decode())
            execute("ROLLBACK TO SAVEPOINT bench_explain")
            execute("RELEASE SAVEPOINT bench_explain")
            plan["sql"] = code[:300]
            sink.append(plan)
        return execute(query, params, log_exceptions)

    for patch in patches:
        patch.start()
    try:
        with mock.patch.object(cr, "execute", explaining):
            yield sink
    finally:
        for patch in reversed(patches):
            patch.stop()


def statement_text(query):
    code = getattr(query, "code", query)
    return " ".join((code.decode() if isinstance(code, bytes) else str(code)).split())


def run_step(env, call, *, commit=True, methods=None, profile=None, explained=None):
    """(result, seconds, SQL summary, method times) of ``call()`` from a cold ORM cache,
    committed as the web client's request would be (``cr.commit()``: flush, pre-commit
    hooks such as tracking and followers, COMMIT, post-commit hooks); without ``commit``
    (in a savepoint) all that but the COMMIT. ``profile``: (sink, key) to cProfile it;
    ``explained``: (sink, [(model, method)]) to take the plans of those methods'
    statements (see explained_inside)."""
    env.invalidate_all()
    sink, key = profile or ({}, None)
    plans, explained_methods = explained or ([], [])
    with (
        method_timer(*methods) if methods else _no_methods() as times,
        sql_timer_all() as (stats, connections),
        explained_inside(env.cr, explained_methods, plans),
        # The plans are those of one connection's statements: no parts.
        mock.patch.object(bulk(), "MIN_PART_ROWS", 10**12) if explained else nullcontext(),
        profiled(bool(profile), sink, key, "dealer_campaign"),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        result = call()
        if commit:
            env.cr.commit()
        else:
            env.flush_all()
            env.cr.precommit.run()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    methods_s = {name: round(s, 3) for name, (n, s) in (times or {}).items() if n}
    summary = sql_summary(stats, seconds)
    summary.update(python_s=round(cpu, 3), connections=len(connections))
    return result, seconds, summary, methods_s


def bulk():
    from odoo.addons.dealer_campaign.tools import bulk as module

    return module


@contextmanager
def sql_timer_all():
    """sql_timer of every cursor's statements, those of the bulk parts' connections too
    (their seconds add up: several run at once); and the connections that ran any."""
    from odoo.sql_db import Cursor

    stats, connections, lock = defaultdict(lambda: [0, 0.0]), set(), threading.Lock()
    execute = Cursor.execute

    def timed_execute(cr, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return execute(cr, query, params, log_exceptions)
        finally:
            seconds = time.perf_counter() - start
            with lock:
                entry = stats[statement_text(query)[:400]]
                entry[0] += 1
                entry[1] += seconds
                connections.add(id(cr._cnx))

    with mock.patch.object(Cursor, "execute", timed_execute):
        yield stats, connections


@contextmanager
def _no_methods():
    yield {}


def explain(cr, query):
    cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
    lines = [re.sub(r"'\{[^}]{100,}\}'", "'{...}'", line)[:PLAN_WIDTH] for (line,) in cr.fetchall()]
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", lines[-1]).group(1))
    return {"ms": ms, "plan": lines}


# --- 1. segment → planned contacts → call tasks ------------------------------------------


def button_env(env, user_id, company_ids):
    """``env`` as a button of the web client gives it to ``user_id`` working in
    ``company_ids`` (the user's context, without the ``bin_size`` of reads: a button's
    method reads binary fields' contents)."""
    staff = staff_env(env, user_id, company_ids)
    return staff(context={k: v for k, v in staff.context.items() if k != "bin_size"})


def campaign_staff(data):
    """(supervisor id, its companies, the employees who call): the main branch's
    supervisor (who supervises every branch) and the network's consultants."""
    branches = data["branches"]
    main = branches[0]
    consultants = [user_id for branch in branches for user_id in branch["consultants"]]
    return main["supervisor"], main["supervised"], consultants


def segment_cells(env, branch_ids):
    """{direction id: Counter{(status id, {metric: range id}): (matching, addable)}} of the
    individuals with a status row, per direction: what a segment filter can select."""
    cr = env.cr
    cr.execute(
        """SELECT s.direction_id, s.status_id, s.amount_range_id, s.count_range_id,
                  s.recency_range_id, s.avg_check_range_id, count(*),
                  count(*) FILTER (WHERE NOT COALESCE(p.do_not_call, FALSE)
                                     AND COALESCE(p.mobile, p.phone, '') <> '')
             FROM dealer_partner_status s
             JOIN res_partner p ON p.id = s.partner_id
            WHERE s.status_id IS NOT NULL AND p.active AND p.type = 'contact'
              AND NOT p.is_company AND (p.company_id IS NULL OR p.company_id = ANY(%s))
              AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
            GROUP BY 1, 2, 3, 4, 5, 6""",
        [branch_ids],
    )
    cells = {}
    for direction, status, *ranges, matching, addable in cr.fetchall():
        cells.setdefault(direction, []).append(
            (status, dict(zip(RANGE_METRICS, ranges, strict=True)), matching, addable)
        )
    return cells


def choose_segment(env, target, branch_ids):
    """The segment filter whose addable clients (individuals, not do-not-call, with a
    phone) are closest to ``target``: one direction (with an outgoing goal), a set of its
    CRM statuses and, when that gets closer, a set of one metric's categories."""
    cells = segment_cells(env, branch_ids)
    directions = {}
    for code in GOALS:
        direction = env.ref(f"dealer_base.direction_{code}", raise_if_not_found=False)
        if direction and direction.active and direction.project_id:
            directions[direction.id] = code
    best = None
    for direction, rows in cells.items():
        if direction not in directions:
            continue
        statuses = sorted({status for status, *_rest in rows})
        options = [(None, ())]
        for metric in RANGE_METRICS:
            letters = sorted({r[metric] for _s, r, *_n in rows if r[metric]})
            options += [
                (metric, chosen)
                for size in range(1, len(letters))
                for chosen in itertools.combinations(letters, size)
            ]
        for size in range(1, len(statuses) + 1):
            for chosen in itertools.combinations(statuses, size):
                for metric, ranges in options:
                    matching = addable = 0
                    for status, cell_ranges, cell_matching, cell_addable in rows:
                        if status in chosen and (not metric or cell_ranges[metric] in ranges):
                            matching += cell_matching
                            addable += cell_addable
                    key = (abs(addable - target), bool(metric), len(chosen) + len(ranges))
                    if best is None or key < best[0]:
                        best = (key, direction, chosen, metric, ranges, matching, addable)
    if best is None:
        sys.exit("no client has a CRM status: the statuses were not computed")
    _key, direction, chosen, metric, ranges, matching, addable = best
    return {
        "direction_id": direction,
        "direction": directions[direction],
        "status_ids": list(chosen),
        "metric": metric,
        "range_ids": list(ranges),
        "expected_matching": matching,
        "expected_addable": addable,
    }


def segment_label(env, segment):
    statuses = env["dealer.crm.status"].browse(segment["status_ids"]).mapped("name")
    label = (
        f"direction {env['dealer.direction'].browse(segment['direction_id']).name}, "
        f"CRM status {' or '.join(statuses)}"
    )
    if segment["metric"]:
        ranges = env["dealer.segmentation.range"].browse(segment["range_ids"])
        letters = ", ".join(ranges.mapped("letter"))
        label += f", {segment['metric']} category {letters}"
    return label


def clear_campaigns(env):
    """Delete, committed, the campaigns this benchmark made (its steps commit, as the web
    client's requests do), their planned contacts, call tasks, wizards and chatter."""
    cr = env.cr
    cr.execute("SELECT id FROM dealer_campaign WHERE name LIKE %s", [f"%{CAMPAIGN_SUFFIX}"])
    ids = [campaign_id for (campaign_id,) in cr.fetchall()]
    if ids:
        cr.execute(
            "DELETE FROM project_task WHERE dealer_campaign_id = ANY(%s)"
            " OR id IN (SELECT task_id FROM dealer_campaign_contact"
            " WHERE campaign_id = ANY(%s))",
            [ids, ids],
        )
        for model in ("dealer.campaign",):
            cr.execute(
                "DELETE FROM mail_message WHERE model = %s AND res_id = ANY(%s)", [model, ids]
            )
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)",
                [model, ids],
            )
        cr.execute("DELETE FROM dealer_campaign_add_contacts WHERE campaign_id = ANY(%s)", [ids])
        cr.execute("DELETE FROM dealer_campaign_contact WHERE campaign_id = ANY(%s)", [ids])
        cr.execute("DELETE FROM dealer_campaign WHERE id = ANY(%s)", [ids])
    cr.commit()
    env.invalidate_all()
    return len(ids)


def create_campaign(sup, name, goal, users, per_day):
    from odoo import Command

    campaign = sup["dealer.campaign"].create(
        {
            "name": name,
            "goal_id": goal.id,
            "channel": "phone",
            "tasks_per_day": per_day,
            "use_calendar": False,
            "user_ids": [Command.set(users)],
            "company_id": sup.company.id,
        }
    )
    campaign.action_start()
    return campaign


def expected_segment(env, segment, branch_ids):
    """Who the segment filter should select (the matching clients) and add (not
    do-not-call, with a phone), by the benchmark's own query: (matching, {partner id})."""
    extra = ""
    params = [segment["direction_id"], segment["status_ids"], branch_ids]
    if segment["metric"]:
        extra = f"AND s.{segment['metric']}_range_id = ANY(%s)"
        params.append(segment["range_ids"])
    env.cr.execute(
        f"""SELECT p.id, NOT COALESCE(p.do_not_call, FALSE)
                         AND COALESCE(p.mobile, p.phone, '') <> ''
              FROM dealer_partner_status s
              JOIN res_partner p ON p.id = s.partner_id
             WHERE s.direction_id = %s AND s.status_id = ANY(%s)
               AND p.active AND p.type = 'contact' AND NOT p.is_company
               AND (p.company_id IS NULL OR p.company_id = ANY(%s))
               AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
               {extra}""",
        params,
    )
    rows = env.cr.fetchall()
    return len(rows), {partner_id for partner_id, addable in rows if addable}


def check_distribution(env, campaign, per_day, expected):
    """Every contact has exactly one task, in the direction's project, for its client,
    its campaign and its employee on its planned day; nobody over the daily limit;
    no weekend (Monday to Friday: use_calendar is off); the contacts are the expected
    clients."""
    cr = env.cr
    project = campaign.direction_id.project_id
    cr.execute(
        """SELECT count(*), count(task_id), count(DISTINCT task_id), count(user_id),
                  count(planned_date), count(DISTINCT user_id)
             FROM dealer_campaign_contact WHERE campaign_id = %s""",
        [campaign.id],
    )
    contacts, with_task, distinct_tasks, with_user, with_date, users = cr.fetchone()
    cr.execute(
        """SELECT count(*), count(*) FILTER (WHERE c.id IS NULL) FROM project_task t
             LEFT JOIN dealer_campaign_contact c ON c.task_id = t.id
            WHERE t.dealer_campaign_id = %s""",
        [campaign.id],
    )
    tasks, orphans = cr.fetchone()
    cr.execute(
        """SELECT count(*) FROM dealer_campaign_contact c
             JOIN project_task t ON t.id = c.task_id
            WHERE c.campaign_id = %(campaign)s
              AND t.partner_id = c.partner_id AND t.dealer_campaign_id = c.campaign_id
              AND t.project_id = %(project)s AND t.company_id = %(company)s AND t.active
              AND t.date_deadline = c.planned_date
              AND (SELECT array_agg(r.user_id) FROM project_task_user_rel r
                    WHERE r.task_id = t.id) = ARRAY[c.user_id]""",
        {"campaign": campaign.id, "project": project.id, "company": campaign.company_id.id},
    )
    good = cr.fetchone()[0]
    cr.execute(
        """SELECT COALESCE(max(n), 0), count(*), count(DISTINCT day),
                  count(*) FILTER (WHERE EXTRACT(ISODOW FROM day) > 5),
                  min(day), max(day)
             FROM (SELECT c.user_id, (c.planned_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date
                          AS day, count(*) AS n
                     FROM dealer_campaign_contact c WHERE c.campaign_id = %s
                    GROUP BY 1, 2) d""",
        [TZ, campaign.id],
    )
    max_per_day, user_days, days, weekend_user_days, first_day, last_day = cr.fetchone()
    cr.execute(
        "SELECT partner_id FROM dealer_campaign_contact WHERE campaign_id = %s", [campaign.id]
    )
    got = {partner_id for (partner_id,) in cr.fetchall()}
    missing, extra = len(expected - got), len(got - expected)
    ok = (
        contacts == with_task == distinct_tasks == with_user == with_date == tasks == good
        and not orphans
        and max_per_day <= per_day
        and not weekend_user_days
        and not missing
        and not extra
    )
    return {
        "contacts": contacts,
        "with_task": with_task,
        "distinct_tasks": distinct_tasks,
        "tasks": tasks,
        "tasks_without_contact": orphans,
        "tasks_complete": good,
        "employees_used": users,
        "max_per_employee_day": max_per_day,
        "employee_days": user_days,
        "days": days,
        "weekend_employee_days": weekend_user_days,
        "first_day": first_day and first_day.isoformat(),
        "last_day": last_day and last_day.isoformat(),
        "expected_missing": missing,
        "unexpected": extra,
        "ok": ok,
    }


def measure_task_baseline(env, sup, campaign, *, sample, batch, lean):
    """Odoo's standard way to make the same call tasks: ``project.task.create`` of
    ``sample`` of them (the first contacts' values: name, project, stage, branch, client,
    assignee, deadline, direction, planned contact) in batches of ``batch``, as the
    supervisor; ``lean``: with mail's tracking, creation log and assignment notices off."""
    from odoo import Command

    cr = env.cr
    project = campaign.direction_id.project_id
    cr.execute(
        """SELECT id, partner_id, user_id, planned_date FROM dealer_campaign_contact
            WHERE campaign_id = %s ORDER BY id LIMIT %s""",
        [campaign.id, sample + batch],
    )
    rows = cr.fetchall()
    name = sup._("Call: %(campaign)s", campaign=campaign.name)

    def values(row):
        _contact_id, partner_id, user_id, planned = row
        return {
            "name": name,
            "project_id": project.id,
            "stage_id": project.type_ids[:1].id,
            "company_id": campaign.company_id.id,
            "partner_id": partner_id,
            "user_ids": [Command.set([user_id])],
            "date_deadline": planned,
            "dealer_direction_id": campaign.direction_id.id,
            "dealer_campaign_id": campaign.id,
        }

    Task = sup["project.task"]
    if lean:
        Task = Task.with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
        )
    cr.execute("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'")
    mails_before = cr.fetchone()[0]
    with savepoint(env, "task_baseline"):
        # One batch to warm up (not counted), then the sample.
        Task.create([values(row) for row in rows[sample:]])
        env.flush_all()
        cr.precommit.run()
        rows = rows[:sample]

        task_ids = []

        def create_all():
            for offset in range(0, len(rows), batch):
                task_ids.extend(
                    Task.create([values(row) for row in rows[offset : offset + batch]]).ids
                )
            return len(task_ids)

        created, seconds, sql, _methods = run_step(env, create_all, commit=False)
        cr.execute(
            "SELECT count(*) FROM mail_message WHERE model = 'project.task' AND res_id = ANY(%s)",
            [task_ids],
        )
        messages = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'")
        outgoing_mails = cr.fetchone()[0] - mails_before
    return {
        "tasks": created,
        "batch": batch,
        "s": round(seconds, 3),
        "ms_per_task": round(seconds / created * 1000, 3) if created else None,
        "tasks_per_s": round(created / seconds, 1) if seconds else None,
        "messages": messages,
        "outgoing_mails": outgoing_mails,
        "sql": sql,
    }


def task_baselines(env, args, sup, campaign, tasks):
    """The standard and the chatter-off baselines, scaled to ``tasks``."""
    baselines = {}
    if not args.task_baseline:
        return baselines
    for lean in (False, True):
        baseline = measure_task_baseline(
            env, sup, campaign, sample=args.task_baseline, batch=args.baseline_batch, lean=lean
        )
        baseline["scaled_s"] = (
            round(baseline["s"] * tasks / baseline["tasks"], 2) if baseline["tasks"] else None
        )
        baselines["lean" if lean else "standard"] = baseline
        log(
            f"    {'lean' if lean else 'standard'}: {baseline['tasks']:,} tasks in "
            f"{baseline['s']:.2f} s ({baseline['tasks_per_s']} tasks/s)"
        )
    return baselines


def measure_segment(env, args, data, *, profile=None):
    """Select the segment, add its clients, distribute them; the checks; the baselines.
    ``profile``: "cprofile" to run the steps under cProfile, "plans" to take the plans of
    the adding's and the distribution's statements (and of the selection); the checks
    then, not the baselines."""
    from odoo import Command

    supervisor, companies, users = campaign_staff(data)
    users = users[: args.employees]
    sup = button_env(env, supervisor, companies)
    cr = env.cr
    segment = choose_segment(env, args.contacts, companies)
    segment["label"] = segment_label(env, segment)
    log(
        f"  segment: {segment['label']} — {segment['expected_addable']:,} clients to add "
        f"({segment['expected_matching']:,} matching)"
    )
    goal = env.ref(GOALS[segment["direction"]])
    result = {"segment": segment, "employees": len(users), "per_day": args.per_day}
    Wizard = sup["dealer.campaign.add.contacts"]
    Campaign = sup["dealer.campaign"]
    Contact = sup["dealer.campaign.contact"]
    methods = (
        [Wizard, Campaign, Contact],
        {
            Wizard._name: ["_system_sql", "_insert", "_write_report"],
            Campaign._name: ["message_post", "_slots", "_notify"],
            Contact._name: ["_assign"],
        },
    )
    cprofile = profile == "cprofile"
    plans = result.setdefault("plans", []) if profile == "plans" else None
    campaign, campaign_s, _sql, _m = run_step(
        env,
        lambda: create_campaign(
            sup, f"Приглашение на сервис {CAMPAIGN_SUFFIX}", goal, users, args.per_day
        ),
    )
    line = {
        "direction_id": segment["direction_id"],
        "status_ids": [Command.set(segment["status_ids"])],
    }
    if segment["metric"]:
        line[f"{segment['metric']}_range_ids"] = [Command.set(segment["range_ids"])]
    wizard, wizard_s, _sql, _m = run_step(
        env,
        lambda: Wizard.create(
            {
                "campaign_id": campaign.id,
                "source": "system",
                "partner_type": "person",
                "line_ids": [Command.create(line)],
            }
        ),
    )
    log("  wizard: match_count")
    matching, match_s, match_sql, _m = run_step(
        env, lambda: wizard.match_count, profile=(result, "profile_match") if cprofile else None
    )
    log(f"    {matching:,} matching clients in {match_s:.2f} s; action_add")
    _r, add_s, add_sql, add_methods = run_step(
        env,
        wizard.action_add,
        methods=methods,
        profile=(result, "profile_add") if cprofile else None,
        explained=(plans, [(Wizard, "_insert")]) if plans is not None else None,
    )
    added = wizard.added_count
    log(f"    {added:,} added in {add_s:.2f} s; action_distribute")
    _r, distribute_s, distribute_sql, distribute_methods = run_step(
        env,
        campaign.action_distribute,
        methods=methods,
        profile=(result, "profile_distribute") if cprofile else None,
        explained=(plans, [(Contact, "_assign")]) if plans is not None else None,
    )
    log(f"    distributed in {distribute_s:.2f} s; checks")
    expected_matching, expected = expected_segment(env, segment, companies)
    check = check_distribution(env, campaign, args.per_day, expected)
    check["match_count_expected"] = expected_matching
    check["ok"] = check["ok"] and matching == expected_matching
    wizard.invalidate_recordset()
    report = {
        "added": wizard.added_count,
        "present": wizard.present_count,
        "excluded": wizard.excluded_count,
        "excluded_text": wizard.excluded_text,
    }
    if profile:
        if plans is not None:
            # The selection's plan, as match_count runs it.
            from odoo.tools import SQL

            query = cr.mogrify(SQL("SELECT count(*) FROM (%s) q", wizard._system_sql()))
            plan = explain(cr, query.decode())
            plans.insert(0, {**plan, "sql": "match_count: SELECT count(*) FROM (<the filter>)"})
        result.update(add_s=round(add_s, 3), distribute_s=round(distribute_s, 3), check=check)
        return result
    log(f"    {'ok' if check['ok'] else 'FAILED'}; baselines: project.task.create")
    baselines = task_baselines(env, args, sup, campaign, check["tasks"])
    result.update(
        {
            "campaign_create_s": round(campaign_s, 3),
            "wizard_create_s": round(wizard_s, 3),
            "matching": matching,
            "match_s": round(match_s, 3),
            "match_sql": match_sql,
            "add_s": round(add_s, 3),
            "add_sql": add_sql,
            "add_methods_s": add_methods,
            "distribute_s": round(distribute_s, 3),
            "distribute_sql": distribute_sql,
            "distribute_methods_s": distribute_methods,
            "total_s": round(match_s + add_s + distribute_s, 3),
            "wizard": report,
            "check": check,
            "baselines": baselines,
        }
    )
    return result


# --- 2. Excel -----------------------------------------------------------------------------


def absent_numbers(cr, factory, count):
    """``count`` valid numbers no client has, as (country code, national number)."""
    numbers = []
    while len(numbers) < count:
        drawn = [factory.draw(factory.draw_kind(ABSENT_KINDS)) for _ in range(count - len(numbers))]
        cr.execute(
            "SELECT number_normalized FROM dealer_partner_phone WHERE number_normalized = ANY(%s)",
            [[e164(number) for number in drawn]],
        )
        present = {normalized for (normalized,) in cr.fetchall()}
        numbers += [number for number in drawn if e164(number) not in present]
    return numbers


def sheet_clients(cr, rng, data, count):
    """``count`` random generated clients (not the staff) who have a number nobody else
    has: [(id, name, do_not_call, [their own numbers, main first], VIN or None)]."""
    first, last = data["client_ids"]
    picked = rng.sample(range(first, last + 1), min(round(count * 1.15), last - first + 1))
    cr.execute(
        """SELECT p.id, p.name, COALESCE(p.do_not_call, FALSE),
                  array_agg(ph.number_normalized ORDER BY ph.sequence, ph.id)
                      FILTER (WHERE NOT EXISTS (
                          SELECT 1 FROM dealer_partner_phone o
                           WHERE o.number_normalized = ph.number_normalized
                             AND o.partner_id <> ph.partner_id)),
                  (SELECT min(v.vin) FROM dealer_vehicle v
                    WHERE v.owner_id = p.id AND v.customer_id IS NULL AND v.active
                      AND v.vin IS NOT NULL)
             FROM res_partner p
             JOIN dealer_partner_phone ph ON ph.partner_id = p.id
            WHERE p.id = ANY(%s) AND p.active AND ph.number_normalized IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
            GROUP BY p.id""",
        [picked],
    )
    found = {row[0]: row for row in cr.fetchall() if row[3]}
    clients = [found[partner_id] for partner_id in picked if partner_id in found]
    if len(clients) < count:
        sys.exit(f"only {len(clients):,} clients for {count:,} rows: lower --rows")
    return clients[:count]


def written(rng, normalized):
    """A stored number as someone typing a sheet writes it; digits-only ones sometimes as
    a number cell."""
    number = split_e164(normalized)
    text = render(number, rng.choice(EXCEL_FORMATS[number[0]]))
    # Excel drops a number cell's leading zeros: "00375…" stays text.
    numeric = text.isdigit() and not text.startswith("0")
    return int(text) if numeric and rng.random() < NUMERIC_SHARE else text


class UnknownNumbers:
    """Valid numbers no client has, written in a random format, drawn as needed."""

    def __init__(self, cr, rng):
        self.cr, self.rng = cr, rng
        self.factory = PhoneFactory(random.Random(SEED + 1))
        self.numbers = []

    def __call__(self):
        if not self.numbers:
            self.numbers = absent_numbers(self.cr, self.factory, 1000)
        number = self.numbers.pop()
        return render(number, self.rng.choice(EXCEL_FORMATS[number[0]]))


def client_row(rng, client, unknown):
    """(ФИО, Телефон, Доп. телефон, VIN) of a client's row."""
    _partner_id, name, _dnc, numbers, vin = client
    phone = written(rng, numbers[0])
    extra = None
    if rng.random() < TWO_IN_CELL_SHARE:
        second = written(rng, numbers[1]) if len(numbers) > 1 else unknown()
        phone = f"{phone}; {second}"
    elif rng.random() < UNKNOWN_FIRST_SHARE:
        phone, extra = unknown(), phone
    if extra is None and rng.random() < EXTRA_COLUMN_SHARE:
        extra = written(rng, numbers[-1]) if len(numbers) > 1 else unknown()
    return name, phone, extra, vin if rng.random() < VIN_COLUMN_SHARE else None


def row_kinds(rng, rows):
    """The kind of each data row, shuffled; a duplicate only after a client's row."""
    kinds = (
        ["unknown"] * round(rows * UNKNOWN_ROW_SHARE)
        + ["duplicate"] * round(rows * DUPLICATE_ROW_SHARE)
        + ["vin"] * round(rows * VIN_ROW_SHARE)
        + ["junk"] * round(rows * JUNK_ROW_SHARE)
    )
    kinds += ["client"] * (rows - len(kinds))
    rng.shuffle(kinds)
    for index in range(kinds.index("client")):
        if kinds[index] == "duplicate":
            kinds[index] = "unknown"
    return kinds


def sheet_plan(env, rng, data, rows):
    """The data rows of the sheet, [(ФИО, Телефон, Доп. телефон, VIN)], what the wizard
    should make of each ((expected client or None, row kind)) and the do-not-call clients
    among them."""
    cr = env.cr
    kinds = row_kinds(rng, rows)
    vin_rows = kinds.count("vin")
    clients = sheet_clients(cr, rng, data, kinds.count("client") + vin_rows)
    vin_ids = {client[0] for client in clients if client[4]}
    vin_ids = set(sorted(vin_ids)[:vin_rows])
    if len(vin_ids) < vin_rows:
        sys.exit("not enough clients with a VIN for the VIN rows")
    vin_queue = [client for client in clients if client[0] in vin_ids]
    phone_queue = [client for client in clients if client[0] not in vin_ids]
    unknown = UnknownNumbers(cr, rng)
    sheet, expected, seen = [], [], []
    for kind in kinds:
        if kind == "client":
            client = phone_queue.pop()
            sheet.append(client_row(rng, client, unknown))
            seen.append(client)
        elif kind == "vin":
            client = vin_queue.pop()
            vin = client[4]
            sheet.append((client[1], None, None, vin.lower() if rng.random() < 0.3 else vin))
        elif kind == "duplicate":
            client = rng.choice(seen)
            sheet.append((client[1].upper(), written(rng, rng.choice(client[3])), None, None))
        elif kind == "unknown":
            client = None
            sheet.append((client_name(rng, False), unknown(), None, None))
        else:
            client = None
            sheet.append((client_name(rng, False), rng.choice(JUNK_PHONES), None, None))
        expected.append((client[0] if client else None, kind))
    do_not_call = {client[0] for client in clients if client[2]}
    return sheet, expected, do_not_call


def build_workbook(sheet):
    """The .xlsx file: a merged title and a date line above the header, the data rows
    with a blank row now and then. Returns (bytes, {sheet row number: data row index})."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = "Обзвон"
    ws.append(["Акция «Зимний сервис»: клиенты для обзвона"])
    ws.merge_cells("A1:D1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"Выгрузка от {date.today():%d.%m.%Y}"])
    ws.append([])
    ws.append(["ФИО", "Телефон", "Доп. телефон", "VIN"])
    positions = {}
    number = 4
    for index, row in enumerate(sheet):
        if index and index % BLANK_ROW_EVERY == 0:
            ws.append([])
            number += 1
        ws.append(list(row))
        number += 1
        positions[number] = index
    book.create_sheet("Справочник").append(["Менеджер", "Филиал"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), positions


def expected_excel(expected, do_not_call):
    """What the wizard's report should say for the rows' expectations."""
    found, duplicates = [], 0
    seen = set()
    for partner_id, _kind in expected:
        if partner_id is None:
            continue
        if partner_id in seen:
            duplicates += 1
        else:
            seen.add(partner_id)
            found.append(partner_id)
    excluded = {partner_id for partner_id in found if partner_id in do_not_call}
    kinds = Counter(kind for _partner, kind in expected)
    return {
        "matched": len(found),
        "added": set(found) - excluded,
        "excluded": len(excluded),
        "duplicates": duplicates,
        "not_found": kinds["unknown"],
        "skipped": kinds["junk"],
        "kinds": dict(kinds),
    }


def find_by_phone_baseline(env, sup, rows, *, positions, expected, sample, rng):
    """Matching rows one by one as the ORM offers it: ``res.partner.find_by_phone`` on
    each number of the row, main column first, until a client is found, else the VIN
    (``dealer.vehicle.search``); on ``sample`` random rows of the read sheet."""
    chosen = rng.sample(rows, min(sample, len(rows)))
    Partner = sup["res.partner"]
    Vehicle = sup["dealer.vehicle"]

    def match_all():
        found = {}
        for row in chosen:
            partner = Partner.browse()
            for phone in row.phones:
                partner = Partner.find_by_phone(phone)[:1]
                if partner:
                    break
            if not partner and row.vin:
                vehicle = Vehicle.search([("vin", "=", row.vin.upper())], limit=1)
                partner = vehicle.customer_id or vehicle.owner_id
            found[row.line] = partner.id or None
        return found

    found, seconds, sql, _methods = run_step(env, match_all, commit=False)
    agree = sum(
        1 for line, partner_id in found.items() if expected[positions[line]][0] == partner_id
    )
    return {
        "rows": len(chosen),
        "s": round(seconds, 3),
        "ms_per_row": round(seconds / len(chosen) * 1000, 3) if chosen else None,
        "agree": agree,
        "sql": sql,
    }


def measure_excel(env, args, data, *, profile=None):
    """Generate the sheet, preview and add it with the wizard; the checks; the baseline.
    ``profile``: "cprofile" or "plans" (of the insert), as for measure_segment."""
    from odoo.addons.dealer_campaign.tools import read_excel

    supervisor, companies, users = campaign_staff(data)
    sup = button_env(env, supervisor, companies)
    rng = random.Random(SEED)
    started = time.perf_counter()
    sheet, expected, do_not_call = sheet_plan(env, rng, data, args.rows)
    content, positions = build_workbook(sheet)
    generate_s = time.perf_counter() - started
    WORKBOOK.parent.mkdir(parents=True, exist_ok=True)
    WORKBOOK.write_bytes(content)
    wanted = expected_excel(expected, do_not_call)
    log(
        f"  workbook: {len(sheet):,} rows, {len(content) / 1e6:.1f} MB in {generate_s:.1f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(wanted['kinds'].items()))})"
    )
    result = {
        "rows": len(sheet),
        "file_mb": round(len(content) / 1e6, 2),
        "generate_s": round(generate_s, 2),
        "kinds": wanted["kinds"],
    }
    goal = env.ref(GOALS["service"])
    Wizard = sup["dealer.campaign.add.contacts"]
    Campaign = sup["dealer.campaign"]
    methods = (
        [Wizard, Campaign],
        {
            Wizard._name: ["_read_rows", "_match", "_insert", "_write_report"],
            Campaign._name: ["message_post"],
        },
    )
    cprofile = profile == "cprofile"
    plans = result.setdefault("plans", []) if profile == "plans" else None
    campaign, _s, _sql, _m = run_step(
        env, lambda: create_campaign(sup, f"Зимний сервис {CAMPAIGN_SUFFIX}", goal, users[:1], 15)
    )
    log("  the wizard with the file (the upload)")
    wizard, upload_s, upload_sql, _m = run_step(
        env,
        lambda: Wizard.create(
            {
                "campaign_id": campaign.id,
                "source": "excel",
                "file": base64.b64encode(content),
                "filename": "obzvon.xlsx",
            }
        ),
    )
    log("  action_preview")
    _r, preview_s, preview_sql, _m = run_step(
        env, wizard.action_preview, profile=(result, "profile_preview") if cprofile else None
    )
    mapping = {column.header: column.role for column in wizard.column_ids}
    log(f"    {preview_s:.2f} s, columns {mapping}; action_add")
    _r, add_s, add_sql, add_methods = run_step(
        env,
        wizard.action_add,
        methods=methods,
        profile=(result, "profile_excel_add") if cprofile else None,
        explained=(plans, [(Wizard, "_insert")]) if plans is not None else None,
    )
    wizard.invalidate_recordset()
    report = {
        "added": wizard.added_count,
        "present": wizard.present_count,
        "duplicates": wizard.duplicate_count,
        "excluded": wizard.excluded_count,
        "excluded_text": wizard.excluded_text,
        "not_found": wizard.not_found_count,
        "skipped": wizard.skipped_count,
        "report_file_kb": round(len(base64.b64decode(wizard.report_file or b"")) / 1000, 1),
    }
    log(f"    {add_s:.2f} s: {report}")
    env.cr.execute(
        "SELECT partner_id FROM dealer_campaign_contact WHERE campaign_id = %s", [campaign.id]
    )
    got = {partner_id for (partner_id,) in env.cr.fetchall()}
    check = {
        "mapping": mapping,
        "added_expected": len(wanted["added"]),
        "missing": len(wanted["added"] - got),
        "unexpected": len(got - wanted["added"]),
        "duplicates_expected": wanted["duplicates"],
        "excluded_expected": wanted["excluded"],
        "not_found_expected": wanted["not_found"],
        "skipped_expected": wanted["skipped"],
    }
    check["ok"] = (
        report["added"] == len(got) == check["added_expected"]
        and not check["missing"]
        and not check["unexpected"]
        and report["duplicates"] == wanted["duplicates"]
        and report["excluded"] == wanted["excluded"]
        and report["not_found"] == wanted["not_found"]
        and report["skipped"] == wanted["skipped"]
    )
    result.update(
        {
            "upload_s": round(upload_s, 3),
            "upload_sql": upload_sql,
            "preview_s": round(preview_s, 3),
            "preview_sql": preview_sql,
            "add_s": round(add_s, 3),
            "add_sql": add_sql,
            "add_methods_s": add_methods,
            "total_s": round(upload_s + preview_s + add_s, 3),
            "wizard": report,
            "check": check,
        }
    )
    if profile:
        return result
    log(f"    check {'ok' if check['ok'] else 'FAILED'}; baseline: find_by_phone per row")
    table = read_excel(content, None, None)
    baseline = {}
    if args.excel_baseline:
        baseline = find_by_phone_baseline(
            env,
            sup,
            table.rows,
            positions=positions,
            expected=expected,
            sample=args.excel_baseline,
            rng=rng,
        )
        baseline["scaled_s"] = round(baseline["s"] * len(table.rows) / baseline["rows"], 2)
        baseline["rows_read"] = len(table.rows)
        log(
            f"    {baseline['rows']:,} rows in {baseline['s']:.2f} s ({baseline['ms_per_row']} "
            f"ms each), {baseline['agree']:,} agree with the expected client"
        )
    result["baseline"] = baseline
    return result


# --- report -------------------------------------------------------------------------------


def ratio(numerator, denominator):
    return round(numerator / denominator, 2) if numerator and denominator else None


def top_statement(sql):
    if not sql or not sql.get("top"):
        return "—"
    top = sql["top"][0]
    return f"`{top['sql'][:110]}…` {top['s']:.2f} s ({top['count']}×)"


def sql_cell(sql):
    return f"{sql['sql_s']:.2f} ({sql['statements']:,})"


def per_second(count, seconds):
    return fmt(count / seconds if seconds else None, 0)


def report(result):
    data, timings, load = result["data"], result["timings_s"], result["load_average"]
    seg, excel = result.get("segment"), result.get("excel")
    origin = (
        f"a copy of `{data['copied_from']}` (generated {data.get('template_generated_at')})"
        if data.get("copied_from")
        else "built with the shared generator"
    )
    built_s = sum(timings.get(key, 0) for key in BUILD_PHASES)
    database = (
        f"reused ({origin}; ready {data['generated_at']})"
        if result["database_reused"]
        else f"made now ({origin}, {built_s:.0f} s)"
    )
    if "campaign_install" in timings:
        database += f"; {MODULE} installed/updated in {timings['campaign_install']:.0f} s"
    log(
        f"\n### Campaigns: {data['clients']:,} clients, {data['documents']:,} documents\n\n"
        f"Database `{result['database']}` ({DATA_MODULES} + {MODULE}, no demo data), "
        f"{database}: {data['clients']:,} clients ({data.get('do_not_call', 0):,} do-not-call), "
        f"{data['vehicles']:,} vehicles, {data['traffic']:,} traffic records, "
        f"{data['documents']:,} documents, {data.get('status_rows', 0):,} CRM status rows. "
        f"Odoo {result['versions']['odoo']}, PostgreSQL {result['versions']['postgresql']}, "
        f"Python {result['versions']['python']}; {os.cpu_count()} CPUs shared with other work: "
        f"load average (1/5/15 min) before {load['before']}, after {load['after']} "
        f"(`{result['uptime']}`). As the main branch's supervisor (the web client's context); "
        "each step from a cold ORM cache and committed as its web request would be (the time "
        "includes `cr.commit()`: flush, pre-commit hooks, COMMIT); the baselines run in "
        "savepoints rolled back (all that but the COMMIT). The campaigns, contacts and tasks "
        "made are deleted after each measure, the tables vacuumed at the end.\n"
    )
    if seg:
        report_segment(seg)
    if excel:
        report_excel(excel)
    for part in (seg, excel):
        report_profile((part or {}).get("profile"))
    log(f"\nTotal wall {timings['total']:.0f} s. JSON: {RESULTS.relative_to(ROOT)}")


def report_profile(profile):
    """The cProfile and plans runs of a part, when --profile."""
    if not profile:
        return
    run = profile.get("cprofile") or {}
    for key in (
        "profile_match",
        "profile_add",
        "profile_distribute",
        "profile_preview",
        "profile_excel_add",
    ):
        if key in run:
            log(
                f"\ncProfile of {key.removeprefix('profile_')} (a run of its own, not in the "
                "tables): dealer_campaign's functions by cumulated time, then all by own "
                "time\n```"
            )
            log(run[key].strip() + "\n```")
    for plan in (profile.get("plans") or {}).get("plans", []):
        log(
            f"\n{plan['ms']:,.0f} ms (EXPLAIN ANALYZE in a run of its own, rolled back before "
            f"the statement ran as usual): `{plan['sql'][:200]}…`\n```"
        )
        log("\n".join(plan["plan"]) + "\n```")


def report_segment(seg):
    check, wizard = seg["check"], seg["wizard"]
    reasons = (wizard["excluded_text"] or "").replace("\n", "; ")
    tasks = check["tasks"]
    log(
        "#### 1. Segment → planned contacts → call tasks\n\n"
        f"A phone campaign (goal of the {seg['segment']['direction']} direction, "
        f"{seg['employees']} employees, {seg['per_day']} tasks per person per day, "
        "`use_calendar` off: Monday to Friday), the wizard with source 'system', "
        f"client type 'person' and one direction line: {seg['segment']['label']} "
        "(chosen so that about the number of contacts asked are added). "
        "Steps: the wizard's `match_count` (what it shows before adding), `action_add()`, "
        "then `campaign.action_distribute()`. Baseline: Odoo's standard "
        "`env['project.task'].create([...])` of the same tasks (name, project, stage, branch, "
        "client, assignee, deadline, direction, planned contact) as the supervisor, on a "
        "sample of the campaign's contacts in batches, scaled to the tasks distributed; "
        "'standard' is the plain call, 'chatter off' the same with `tracking_disable`, "
        "`mail_create_nolog`, `mail_notrack`, `mail_auto_subscribe_no_notify`.\n"
    )
    header = [
        "step",
        "rows",
        "seconds",
        "rows/s",
        "SQL s (statements)",
        "Python CPU s",
        "target",
        "baseline/ours",
    ]
    standard = seg["baselines"].get("standard")
    base_s = standard["scaled_s"] if standard else None
    rows = [
        [
            "`match_count` (matching clients)",
            f"{seg['matching']:,}",
            fmt(seg["match_s"]),
            "",
            sql_cell(seg["match_sql"]),
            fmt(seg["match_sql"]["python_s"]),
            "",
            "",
        ],
        [
            "`action_add()` (planned contacts added)",
            f"{wizard['added']:,}",
            fmt(seg["add_s"]),
            per_second(wizard["added"], seg["add_s"]),
            sql_cell(seg["add_sql"]),
            fmt(seg["add_sql"]["python_s"]),
            "",
            "",
        ],
        [
            "`action_distribute()` (call tasks)",
            f"{tasks:,}",
            fmt(seg["distribute_s"]),
            per_second(tasks, seg["distribute_s"]),
            sql_cell(seg["distribute_sql"]),
            fmt(seg["distribute_sql"]["python_s"]),
            f"≥ {TARGET_TASKS_PER_S} tasks/s: "
            + (
                "met" if tasks / max(seg["distribute_s"], 1e-9) >= TARGET_TASKS_PER_S else "NOT met"
            ),
            fmt(ratio(base_s, seg["distribute_s"])),
        ],
        [
            "**all three** (segment → call tasks)",
            f"{tasks:,}",
            fmt(seg["total_s"]),
            per_second(tasks, seg["total_s"]),
            "",
            "",
            target_cell(seg["total_s"], tasks, TARGET_CONTACTS_S, TARGET_CONTACTS),
            fmt(ratio(base_s, seg["total_s"])),
        ],
    ]
    for key, label in (("standard", "standard"), ("lean", "chatter off")):
        base = seg["baselines"].get(key)
        if not base:
            continue
        rows.append(
            [
                f"baseline: `project.task.create`, {label} ({base['tasks']:,} in batches of "
                f"{base['batch']}, scaled)",
                f"{tasks:,}",
                fmt(base["scaled_s"]),
                fmt(base["tasks_per_s"], 0),
                sql_cell(base["sql"]),
                fmt(base["sql"]["python_s"]),
                "",
                "1.00" if key == "standard" else fmt(ratio(base_s, base["scaled_s"])),
            ]
        )
    log(markdown_table(header, rows, "lrrrrrlr"))
    log(
        f"\nWizard's report: added {wizard['added']:,}, already present {wizard['present']:,}, "
        f"excluded {wizard['excluded']:,} ({reasons})."
        f" Checks: match_count {seg['matching']:,} vs {check['match_count_expected']:,} by the "
        f"benchmark's own query; contacts {check['contacts']:,}, with a task "
        f"{check['with_task']:,} (distinct {check['distinct_tasks']:,}), campaign tasks "
        f"{check['tasks']:,}, complete (client, campaign, planned contact, project, branch, "
        f"deadline = planned date, the contact's employee as the only assignee) "
        f"{check['tasks_complete']:,}; clients expected but missing {check['expected_missing']}, "
        f"unexpected {check['unexpected']}; {check['employees_used']} employees over "
        f"{check['days']} days ({check['first_day']} – {check['last_day']}), at most "
        f"{check['max_per_employee_day']} a day each (limit {seg['per_day']}), weekend days "
        f"{check['weekend_employee_days']}: **{'ok' if check['ok'] else 'FAILED'}**."
    )
    for key in ("standard", "lean"):
        base = seg["baselines"].get(key)
        if base:
            log(
                f"Baseline {key}: {base['ms_per_task']} ms per task, {base['messages']:,} "
                f"chatter messages and {base['outgoing_mails']:,} outgoing e-mails for its "
                f"{base['tasks']:,} tasks; slowest statement {top_statement(base['sql'])}."
            )
    phases = {**seg["add_methods_s"], **seg["distribute_methods_s"]}
    log(
        "\nWhere the time goes: action_add — "
        + ", ".join(
            f"`{name.split('.')[-1]}` {s:.2f} s" for name, s in seg["add_methods_s"].items()
        )
        + f" ({connections(seg['add_sql'])}); slowest statement {top_statement(seg['add_sql'])}. "
        "action_distribute — "
        + ", ".join(
            f"`{name.split('.')[-1]}` {s:.2f} s" for name, s in seg["distribute_methods_s"].items()
        )
        + f" ({connections(seg['distribute_sql'])}), the rest (the ORM reading the contacts, "
        "filtering, sorting) "
        f"{seg['distribute_s'] - sum(seg['distribute_methods_s'].values()):.2f} s; slowest "
        f"statement {top_statement(seg['distribute_sql'])}."
        if phases
        else ""
    )


def connections(sql):
    # The request's own connection, and one per part when there are parts.
    parts = sql.get("connections", 1) - 1
    return (
        "in one transaction" if parts <= 1 else f"in {parts} parts on as many connections at once"
    )


def report_excel(excel):
    check, wizard = excel["check"], excel["wizard"]
    base = excel.get("baseline") or {}
    methods = excel["add_methods_s"]
    read_s = methods.get("dealer.campaign.add.contacts._read_rows", 0)
    match_s = methods.get("dealer.campaign.add.contacts._match", 0)
    insert_s = methods.get("dealer.campaign.add.contacts._insert", 0)
    rest_s = excel["add_s"] - read_s - match_s - insert_s
    rows_n = excel["rows"]
    log(
        "\n#### 2. Excel file → planned contacts\n\n"
        f"A workbook made with openpyxl ({excel['file_mb']} MB, {rows_n:,} data rows, made in "
        f"{excel['generate_s']:.1f} s, not counted): a merged title and a date line above the "
        "header ФИО / Телефон / Доп. телефон / VIN, a second sheet, a blank row every "
        f"{BLANK_ROW_EVERY}; rows: "
        + ", ".join(f"{kind} {count:,}" for kind, count in sorted(excel["kinds"].items()))
        + " (client: one of their numbers in one of the formats of `_common` but the URIs, "
        f"{TWO_IN_CELL_SHARE:.0%} with a second number in the cell `a; b`, "
        f"{EXTRA_COLUMN_SHARE:.0%} with Доп. телефон, {UNKNOWN_FIRST_SHARE:.0%} with an unknown "
        "number first, digits-only numbers sometimes as number cells; duplicate: a client of "
        "an earlier row; vin: the VIN alone; unknown: numbers no client has; junk: a name "
        "and «нет»). The wizard with source 'excel' (file and filename), `action_preview()` "
        "(sheets, header, column mapping), then `action_add()`, split by its own methods "
        "(wrapped, not copied): reading the file (`_read_rows`), matching (`_match`: every "
        "number normalized, one query for all, then VIN/plate), inserting (`_insert`), the "
        "rest (report file, chatter). Baseline: the matching done row by row with "
        f"`res.partner.find_by_phone` (each number of the row until a client is found, else "
        f"the VIN with `dealer.vehicle.search`), on {base.get('rows', 0):,} random rows of "
        "the sheet as read, scaled to every row.\n"
    )
    header = ["step", "rows", "seconds", "rows/s", "SQL s (statements)", "target", "baseline/ours"]
    rows = [
        [
            "upload (the wizard created with the file)",
            "",
            fmt(excel["upload_s"]),
            "",
            sql_cell(excel["upload_sql"]),
            "",
            "",
        ],
        [
            "`action_preview()` (sheets, header, mapping)",
            f"{rows_n:,}",
            fmt(excel["preview_s"]),
            per_second(rows_n, excel["preview_s"]),
            sql_cell(excel["preview_sql"]),
            "",
            "",
        ],
        [
            "`action_add()`: read the file",
            f"{rows_n:,}",
            fmt(read_s),
            per_second(rows_n, read_s),
            "",
            "",
            "",
        ],
        [
            "`action_add()`: match",
            f"{rows_n:,}",
            fmt(match_s),
            per_second(rows_n, match_s),
            "",
            "",
            fmt(ratio(base.get("scaled_s"), match_s)),
        ],
        [
            "`action_add()`: insert",
            f"{wizard['added']:,}",
            fmt(insert_s),
            per_second(wizard["added"], insert_s),
            "",
            "",
            "",
        ],
        ["`action_add()`: the rest (report, chatter)", "", fmt(rest_s), "", "", "", ""],
        [
            "`action_add()`",
            f"{rows_n:,}",
            fmt(excel["add_s"]),
            per_second(rows_n, excel["add_s"]),
            sql_cell(excel["add_sql"]),
            target_cell(excel["add_s"], rows_n, TARGET_ROWS_S, TARGET_ROWS),
            fmt(ratio(base.get("scaled_s", 0) + excel["add_s"] - match_s, excel["add_s"]))
            if base
            else "",
        ],
        [
            "**upload + preview + add**",
            f"{rows_n:,}",
            fmt(excel["total_s"]),
            per_second(rows_n, excel["total_s"]),
            "",
            target_cell(excel["total_s"], rows_n, TARGET_ROWS_S, TARGET_ROWS),
            "",
        ],
    ]
    if base:
        rows.append(
            [
                f"baseline: `find_by_phone` per row ({base['rows']:,} rows, scaled)",
                f"{base['rows_read']:,}",
                fmt(base["scaled_s"]),
                per_second(base["rows_read"], base["scaled_s"]),
                sql_cell(base["sql"]),
                "",
                "1.00",
            ]
        )
    log(markdown_table(header, rows, "lrrrrlr"))
    log(
        f"\nThe ratio of `action_add()` compares it with the same call matching row by row "
        f"(ours − match + the baseline's scaled match). Wizard's report: added "
        f"{wizard['added']:,} (expected {check['added_expected']:,}; missing "
        f"{check['missing']}, unexpected {check['unexpected']}), repeated in the file "
        f"{wizard['duplicates']:,} (expected {check['duplicates_expected']:,}), excluded "
        f"{wizard['excluded']:,} (expected {check['excluded_expected']:,}: do-not-call), not "
        f"found {wizard['not_found']:,} (expected {check['not_found_expected']:,}), skipped "
        f"lines {wizard['skipped']:,} (expected {check['skipped_expected']:,}), report file "
        f"{wizard['report_file_kb']} kB; columns found: "
        + ", ".join(f"{header} → {role}" for header, role in check["mapping"].items())
        + f": **{'ok' if check['ok'] else 'FAILED'}**."
        + (
            f" Baseline: {base['ms_per_row']} ms per row, {base['agree']:,}/{base['rows']:,} "
            "rows matched to the expected client."
            if base
            else ""
        )
    )
    log(
        f"Slowest statements: preview {top_statement(excel['preview_sql'])}; add "
        f"{top_statement(excel['add_sql'])}."
    )


# --- main ---------------------------------------------------------------------------------


def profile_runs(env, args, data, measure_part):
    """The part again under cProfile, then again with its statements' plans (not in the
    tables); what they found."""
    found = {}
    for mode in ("cprofile", "plans"):
        log(f"  again: {mode} (not in the table)")
        found[mode] = measure_part(env, args, data, profile=mode)
        clear_campaigns(env)
    return found


def measure(registry, args, data):
    """Every measure; the campaigns made (their steps commit) are deleted after each."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        crons = quiet_crons(env)
        if clear_campaigns(env):
            log("deleted the campaigns of an interrupted run")
            vacuum(args.db, CLEARED_TABLES)
        segment = excel = None
        try:
            if "segment" in args.parts:
                log(f"1. segment: about {args.contacts:,} contacts, {args.employees} employees")
                segment = measure_segment(env, args, data)
                clear_campaigns(env)
                if args.profile:
                    segment["profile"] = profile_runs(env, args, data, measure_segment)
            if "excel" in args.parts:
                log(f"2. Excel: {args.rows:,} rows")
                excel = measure_excel(env, args, data)
                clear_campaigns(env)
                if args.profile:
                    excel["profile"] = profile_runs(env, args, data, measure_excel)
        finally:
            cr.rollback()
            clear_campaigns(env)
        # The settings bulk writes depend on (see `./dev setup`).
        cr.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'), "
            "current_setting('max_wal_size')"
        )
        postgres = "{} (shared_buffers {}, max_wal_size {})".format(*cr.fetchone())
    vacuum(args.db, CLEARED_TABLES)
    return {"crons_disabled": crons, "segment": segment, "excel": excel, "postgresql": postgres}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=FULL_CLIENTS, help="default: 1,000,000")
    parser.add_argument(
        "--traffic", type=int, default=None, help="traffic records (default: as many as clients)"
    )
    parser.add_argument(
        "--documents", type=int, default=None, help="documents (default: 5 per client)"
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=None,
        help="planned contacts to select (default: 10%% of the clients, 100,000)",
    )
    parser.add_argument("--employees", type=int, default=EMPLOYEES, help="employees who call (20)")
    parser.add_argument(
        "--per-day", type=int, default=PER_DAY, help="tasks per person per day (300)"
    )
    parser.add_argument(
        "--rows", type=int, default=None, help="rows of the Excel file (50,000, or clients/2)"
    )
    parser.add_argument(
        "--task-baseline",
        type=int,
        default=1000,
        help="tasks the project.task.create baseline makes (1,000; 0: none)",
    )
    parser.add_argument("--baseline-batch", type=int, default=100, help="its batch size (100)")
    parser.add_argument(
        "--excel-baseline",
        type=int,
        default=2000,
        help="rows the find_by_phone baseline matches (2,000; 0: none)",
    )
    parser.add_argument(
        "--parts",
        default="segment,excel",
        help="what to measure, comma-separated (default: segment,excel)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each measure again under cProfile (reported apart) with the selection's plan",
    )
    parser.add_argument(
        "--template",
        default=TEMPLATE,
        help=f"database to copy when it holds the data asked ({TEMPLATE}; never modified)",
    )
    parser.add_argument(
        "--no-template", action="store_true", help="build with the generator, do not copy"
    )
    database_arguments(parser, None, RESULTS)
    next(
        action for action in parser._actions if action.dest == "db"
    ).help = f"database to build or reuse (default: {DB} at 1,000,000 clients, else {DB}_<clients>)"
    args = parser.parse_args()
    if args.report_only:
        report(json.loads(RESULTS.read_text()))
        return
    args.traffic = args.traffic or args.clients
    args.documents = args.documents or args.clients * 5
    args.contacts = args.contacts or args.clients // 10
    args.rows = args.rows or min(TARGET_ROWS, args.clients // 2)
    args.db = args.db or (DB if args.clients == FULL_CLIENTS else f"{DB}_{args.clients}")
    args.parts = [part for part in args.parts.split(",") if part]
    if set(args.parts) - {"segment", "excel"}:
        parser.error("--parts: segment and/or excel")
    if args.clients < 1000 or args.traffic < 1000 or args.documents < 1000:
        parser.error("--clients, --traffic and --documents must be at least 1000")
    if args.contacts < 1 or args.rows < 100 or args.employees < 1 or args.per_day < 1:
        parser.error("--contacts, --employees, --per-day must be positive, --rows at least 100")
    if args.db == args.template:
        parser.error("--db must not be the template: it is never modified")
    started = time.perf_counter()
    wanted = wanted_marker(args.clients, args.traffic, args.documents)
    registry, data, reused, timings = prepare(args, wanted)
    load_before = load_average()
    measures = measure(registry, args, data)
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "campaign",
        "database": args.db,
        "database_reused": reused,
        "data": {k: v for k, v in data.items() if k != "normalize_mismatch_examples"},
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "load_average": {"before": load_before, "after": load_average()},
        "uptime": subprocess.run(
            ["uptime"], check=False, capture_output=True, text=True
        ).stdout.strip(),
        "versions": {
            "odoo": release.version,
            "postgresql": measures.pop("postgresql"),
            "python": sys.version.split()[0],
        },
        "options": {
            key: getattr(args, key)
            for key in (
                "contacts",
                "employees",
                "per_day",
                "rows",
                "task_baseline",
                "baseline_batch",
                "excel_baseline",
                "parts",
                "profile",
            )
        },
        **measures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)
    failed = [
        name
        for name in ("segment", "excel")
        if result.get(name) and not result[name]["check"]["ok"]
    ]
    if failed:
        sys.exit(f"checks failed: {', '.join(failed)}: see {RESULTS}")


if __name__ == "__main__":
    main()
