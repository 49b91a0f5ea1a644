"""Notification benchmark: dealer_notify's day-before reminders and SMS sending at scale.

Builds (or reuses) the database ``dealer_notifybench`` with the traffic benchmark's data
(``bench_traffic.generate``: branches and staff, a million clients with phones, vehicles,
traffic) plus dealer_notify's (``generate_notify_data``: SMS consents, birthdays, service
appointments on a day and the days around it), installs ``dealer_notify`` on it, then
measures, each against a baseline in the same run:

1. planning the day-before reminders of the day's appointments (20,000):
   ``rule_appointment_day_before._plan(now=<its run time the evening before>)`` against
   searching the tasks and creating one ``dealer.notification`` per task with the ORM;
2. sending 10,000 of them through each gateway (SMS.ru, SMSC, SMS Aero) to a fake vendor
   (``tests/fake_gateway.py``, in a process of its own): ``dealer.notification._dispatch``
   then ``sms.sms._process_queue`` against Odoo's standard per-record ``sms.send()``;
   the fake vendor's record must hold every message exactly once.

    python bench/bench_notify.py [--clients N] [--appointments N] [--sms N] [--traffic N]
                                 [--providers smsru,smsc,smsaero] [--plan-runs N]
                                 [--plan-baseline N] [--sms-baseline N] [--profile]
                                 [--fresh] [--db NAME]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict, namedtuple
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as day_time
from unittest import mock

import psycopg2
from _common import (
    ADDONS_PATH,
    ODOO_CONF,
    ODOO_SRC,
    RESULTS_DIR,
    ROOT,
    database_arguments,
    load_registry,
    log,
    markdown_table,
    prepare_database,
    profiled,
    read_marker,
    superuser_env,
)
from bench_traffic import (
    APPOINTMENT_GENERATOR_VERSION,
    GENERATOR_VERSION,
    LOADED_TABLES,
    SCHEMA_SOURCES,
    generate,
    sources_sha1,
    vacuum,
)

RESULTS = RESULTS_DIR / "notify.json"

DB = "dealer_notifybench"
# The data is generated with what dealer_notify needs but not dealer_notify itself (sms
# fills phone_sanitized as the generator writes it); dealer_notify is installed on top,
# and only updated when its files change: it is being written while measured.
DATA_MODULES = "dealer_traffic,sms"
MODULE = "dealer_notify"
MARKER_KEY = "dealer_bench.notify"
NOTIFY_SOURCES = tuple(
    f"addons/dealer_notify/{folder}"
    for folder in ("models", "data", "security", "views", "wizard", "gateways", "controllers")
)
FAKE_GATEWAY = ROOT / "addons" / "dealer_notify" / "tests" / "fake_gateway.py"
RULE = "dealer_notify.rule_appointment_day_before"

# Targets of the issue, at full scale.
TARGET_APPOINTMENTS, TARGET_PLAN_S = 20_000, 10
TARGET_SMS, TARGET_SMS_S = 10_000, 60
PROVIDERS = ("smsru", "smsc", "smsaero")
SENDER = "DEALER"
TOP_STATEMENTS = 5
PLAN_LINES = 12
VENDOR_START_S = 60
# What planning is about: the rule, the appointments' day, the rule's run time the evening
# before (naive UTC) and the branches' time zone.
When = namedtuple("When", "rule day moment tz")


# --- the database -------------------------------------------------------------------------


def wanted_marker(clients, traffic, appointments):
    return {
        "clients": clients,
        "traffic": traffic,
        "appointments": appointments,
        "generator": GENERATOR_VERSION,
        "appointment_generator": APPOINTMENT_GENERATOR_VERSION,
        "schema_sha1": sources_sha1(SCHEMA_SOURCES),
    }


def describe(marker):
    return (
        f"{marker['clients']:,} clients, {marker['traffic']:,} traffic records and "
        f"{marker['appointments']:,} appointments a day"
    )


def odoo_command(db, option, modules):
    return [
        sys.executable,
        f"{ODOO_SRC}/odoo-bin",
        "-c",
        str(ODOO_CONF),
        f"--addons-path={ADDONS_PATH}",
        "-d",
        db,
        option,
        modules,
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
        "--http-port=0",
    ]


def install_notify(db):
    """Install dealer_notify in ``db`` when it is not, update it when its files changed
    since (their sha1 is kept in the marker); seconds spent, or None."""
    current = sources_sha1(NOTIFY_SOURCES)
    cnx = psycopg2.connect(dbname=db)
    with cnx, cnx.cursor() as cr:
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [MODULE])
        row = cr.fetchone()
    cnx.close()
    marker = read_marker(db, MARKER_KEY)
    installed = row and row[0] == "installed"
    if installed and marker.get("notify_sha1") == current:
        return None
    started = time.perf_counter()
    if installed:
        log(f"{MODULE} changed since the last run: updating it in {db}")
        command = odoo_command(db, "-u", MODULE)
    else:
        log(f"installing {MODULE} in {db}")
        command = odoo_command(db, "-i", MODULE)
    if subprocess.run(command, cwd=ROOT, check=False).returncode:
        sys.exit(f"{MODULE} does not install in {db}: see the log above")
    marker["notify_sha1"] = current
    cnx = psycopg2.connect(dbname=db)
    with cnx, cnx.cursor() as cr:
        cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key = %s",
            [json.dumps(marker), MARKER_KEY],
        )
    cnx.close()
    return time.perf_counter() - started


# --- helpers ------------------------------------------------------------------------------


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


def statement_code(query):
    code = getattr(query, "code", query)
    if isinstance(code, bytes):
        code = code.decode()
    return " ".join(str(code).split())


@contextmanager
def sql_timer(cr):
    """{statement text: [count, seconds]} of the statements run on ``cr`` in the block."""
    stats = defaultdict(lambda: [0, 0.0])
    execute = cr.execute

    def timed_execute(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return execute(query, params, log_exceptions)
        finally:
            entry = stats[statement_code(query)[:400]]
            entry[0] += 1
            entry[1] += time.perf_counter() - start

    cr.execute = timed_execute
    try:
        yield stats
    finally:
        del cr.execute


def sql_summary(stats, seconds):
    """Statements, their seconds and the slowest kinds, for a block of ``seconds``."""
    count = sum(entry[0] for entry in stats.values())
    sql_s = sum(entry[1] for entry in stats.values())
    top = sorted(stats.items(), key=lambda item: -item[1][1])[:TOP_STATEMENTS]
    return {
        "statements": count,
        "sql_s": round(sql_s, 3),
        "python_s": round(seconds - sql_s, 3),
        "top": [
            {"sql": code[:200], "count": n, "s": round(s, 3), "ms_each": round(s / n * 1000, 3)}
            for code, (n, s) in top
        ],
    }


@contextmanager
def frozen_now(moment):
    """``fields.Datetime.now()`` is ``moment`` in the block: the dispatcher and the SMS
    queue run at the rule's run time, whatever the time of the benchmark (quiet hours,
    relevance). Database timestamps (create_date...) keep the real time."""
    from odoo import fields

    with mock.patch.object(fields.Datetime, "now", staticmethod(lambda *_args: moment)):
        yield


def digits(phone):
    return re.sub(r"\D", "", phone or "")


# --- the fake vendor ----------------------------------------------------------------------

VENDOR_RUNNER = r"""
import json, sys, types
from pathlib import Path

sys.path.insert(0, sys.argv[1])
import odoo  # noqa: F401 -- the gateways translate their reasons with odoo.tools

addon = Path(sys.argv[2])
# fake_gateway.py imports ..gateways: give it a parent package of its own, without the
# addon's models.
for name, path in (("bench_notify_addon", addon), ("bench_notify_addon.tests", addon / "tests")):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    sys.modules[name] = package
from bench_notify_addon.tests import fake_gateway
from bench_notify_addon.tests.fake_gateway import FakeGateway, SEND_PATHS

# Answer without Nagle's delay, as a vendor's web server does: the fake writes the headers
# and the body of an answer separately, and on a kept-alive connection the body waited
# for the client's delayed ACK, 40 ms a request.
fake_gateway._Handler.disable_nagle_algorithm = True

with FakeGateway(sys.argv[3], sender=sys.argv[4]) as vendor:
    print(json.dumps({"url": vendor.url, "login": vendor.login, "api_key": vendor.api_key}),
          flush=True)
    for line in sys.stdin:
        if line.strip() != "dump":
            break
        sends = sum(1 for path, _fields in vendor.requests if path in SEND_PATHS)
        print(json.dumps({"accepted": vendor.accepted, "requests": len(vendor.requests),
                          "send_requests": sends, "injected": vendor.injected},
                         ensure_ascii=False), flush=True)
"""


class Vendor:
    """The fake vendor of ``kind`` served by a process of its own (its CPU is not the
    measured worker's): ``url``, ``login``, ``api_key``; ``record()`` is what it got."""

    def __init__(self, kind):
        self.kind = kind
        addon = str(FAKE_GATEWAY.parent.parent)
        self.process = subprocess.Popen(
            [sys.executable, "-c", VENDOR_RUNNER, ODOO_SRC, addon, kind, SENDER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(VENDOR_START_S)
            sys.exit(f"the fake {kind} vendor did not start: see the error above")
        info = json.loads(line)
        self.url, self.login, self.api_key = info["url"], info["login"], info["api_key"]

    def record(self):
        self.process.stdin.write("dump\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


@contextmanager
def vendor(kind):
    served = Vendor(kind)
    try:
        yield served
    finally:
        served.close()


# --- common state -------------------------------------------------------------------------


def quiet_crons(env):
    """No scheduled action of the database runs beside the benchmark (an Odoo server
    without a database filter would run them on it)."""
    env.cr.execute("UPDATE ir_cron SET active = FALSE WHERE active")
    disabled = env.cr.rowcount
    env.cr.commit()
    return disabled


def clear_log(env):
    """Every message, attempt, SMS and scheduler trigger of earlier runs, committed."""
    cr = env.cr
    for table in (
        "dealer_notification_attempt",
        "dealer_notification",
        "sms_tracker",
        "sms_sms",
        "ir_cron_trigger",
    ):
        cr.execute(f"DELETE FROM {table}")  # the tables of this list
    cr.execute("UPDATE dealer_notification_rule SET last_run_at = NULL")
    cr.commit()
    env.invalidate_all()


def vacuum_log(db):
    vacuum(db, ["dealer_notification", "dealer_notification_attempt", "sms_sms"])


def day_bounds(tz, day):
    """[start, end) of ``day`` in ``tz``, naive UTC."""
    import pytz

    start = tz.localize(datetime.combine(day, day_time())).astimezone(pytz.utc)
    end = tz.localize(datetime.combine(day + timedelta(days=1), day_time())).astimezone(pytz.utc)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def run_moment(rule, day):
    """The rule's run time on the eve of ``day`` (naive UTC), the branch time zone."""
    import pytz

    tz = pytz.timezone(rule._branch_tz(rule.company_id))
    eve = day - timedelta(days=1)
    noon = tz.localize(datetime.combine(eve, day_time(12))).astimezone(pytz.utc)
    moment, today, _tz = rule._run_moment(noon.replace(tzinfo=None))
    assert today == eve, (today, eve)
    return moment, tz


# --- 1. planning --------------------------------------------------------------------------


def planned_rows(env, rule):
    """{res_id: (partner, company, occurrence, due, expires, state)} of the rule's rows."""
    env.cr.execute(
        """SELECT res_id, partner_id, company_id, occurrence, due_at, expires_at, state
             FROM dealer_notification WHERE rule_id = %s AND res_model = 'project.task'""",
        [rule.id],
    )
    return {row[0]: row[1:] for row in env.cr.fetchall()}


def expected_rows(env, rule, day, tz, moment):
    """What the day-before reminders should be, read from the tasks by the benchmark's
    own query: the day's open service appointments of active tasks with a client."""
    start, end = day_bounds(tz, day)
    expires = moment + timedelta(hours=rule.relevance_hours) if rule.relevance_hours else None
    env.cr.execute(
        """SELECT t.id, t.partner_id, t.company_id,
                  to_char(t.dealer_visit_at, 'YYYY-MM-DD"T"HH24:MI')
             FROM project_task t
             JOIN dealer_direction d ON d.id = t.dealer_direction_id
            WHERE d.code = 'service' AND t.dealer_kind = 'appointment' AND t.active
              AND t.state NOT IN ('1_done', '1_canceled') AND t.partner_id IS NOT NULL
              AND t.dealer_visit_at >= %s AND t.dealer_visit_at < %s""",
        [start, end],
    )
    return {
        task_id: (partner_id, company_id, occurrence, moment, expires, "planned")
        for task_id, partner_id, company_id, occurrence in env.cr.fetchall()
    }


def differences(expected, got, limit=10):
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    wrong = sorted(key for key in set(expected) & set(got) if expected[key] != got[key])
    return {
        "missing": len(missing),
        "extra": len(extra),
        "wrong": len(wrong),
        "examples": [
            {"res_id": key, "expected": expected.get(key), "got": got.get(key)}
            for key in (missing + extra + wrong)[:limit]
        ],
    }


def source_plan(env, rule, moment):
    """EXPLAIN ANALYZE of the rule's SELECT of due documents (without the INSERT)."""
    try:
        source = rule._source_sql(moment, force=True)
    except Exception as error:  # a private method: only a hint for the report
        env.cr.rollback()
        return {"error": repr(error)}
    from odoo.tools import SQL

    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", source))
    lines = [line for (line,) in env.cr.fetchall()]
    env.cr.rollback()
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", lines[-1]).group(1))
    return {"ms": ms, "plan": lines}


def measure_planning(env, args, db, when):
    """Ours: ``_plan`` as the cron runs it (committing per batch), on an empty log,
    ``--plan-runs`` times, then once more with every row present; the baseline: the
    ORM's search and one ``create`` per task, on ``--plan-baseline`` tasks."""
    cr = env.cr
    rule, day, moment, tz = when
    expected = expected_rows(env, rule, day, tz, moment)
    runs = []
    got = {}
    for run in range(args.plan_runs):
        clear_log(env)
        vacuum_log(db)
        env.invalidate_all()
        with sql_timer(cr) as stats:
            started = time.perf_counter()
            planned = rule.with_context(dealer_notify_commit=True)._plan(now=moment)
            cr.commit()
            seconds = time.perf_counter() - started
        got = planned_rows(env, rule)
        runs.append(
            {"planned": planned, "rows": len(got), "s": round(seconds, 3)}
            | {"sql": sql_summary(stats, seconds)}
        )
        log(f"  ours, run {run + 1}: {planned:,} planned in {seconds:.2f} s")
    check = differences(expected, got)
    # A run over what is planned already (the cron again within the relevance hour).
    cr.execute("UPDATE dealer_notification_rule SET last_run_at = NULL WHERE id = %s", [rule.id])
    cr.commit()
    env.invalidate_all()
    with sql_timer(cr) as stats:
        started = time.perf_counter()
        again = rule.with_context(dealer_notify_commit=True)._plan(now=moment)
        cr.commit()
        again_s = time.perf_counter() - started
    rerun = {"planned": again, "s": round(again_s, 3), "sql": sql_summary(stats, again_s)}
    log(f"  ours, again over the planned rows: {again:,} planned in {again_s:.2f} s")
    plan = source_plan(env, rule, moment)
    ours = got
    clear_log(env)
    vacuum_log(db)
    baseline = measure_plan_baseline(env, when, args.plan_baseline)
    sample = planned_rows(env, rule)
    baseline["check"] = differences({key: ours.get(key) for key in sample}, sample)
    clear_log(env)
    return {
        "moment": moment.isoformat(sep=" "),
        "timezone": str(tz),
        "expected": len(expected),
        "runs": runs,
        "check": check,
        "rerun": rerun,
        "source_plan": plan,
        "baseline": baseline,
    }


def measure_plan_baseline(env, when, sample):
    """The naive ORM way: search the day's appointments, then one ``create`` each."""
    cr = env.cr
    rule, day, moment, tz = when
    start, end = day_bounds(tz, day)
    relevance = timedelta(hours=rule.relevance_hours) if rule.relevance_hours else None
    Notification = env["dealer.notification"]
    env.invalidate_all()
    with sql_timer(cr) as stats:
        started = time.perf_counter()
        tasks = env["project.task"].search(
            [
                ("dealer_kind", "=", "appointment"),
                ("dealer_direction_id", "in", rule.direction_ids.ids),
                ("dealer_funnel_rank", "<=", 1),
                ("dealer_visit_at", ">=", start),
                ("dealer_visit_at", "<", end),
                ("state", "not in", ["1_done", "1_canceled"]),
                ("partner_id", "!=", False),
            ],
            order="id",
        )
        search_s = time.perf_counter() - started
        chosen = tasks if not sample or sample >= len(tasks) else tasks[:sample]
        started = time.perf_counter()
        for task in chosen:
            Notification.create(
                {
                    "rule_id": rule.id,
                    "channel": rule.channel,
                    "res_model": "project.task",
                    "res_id": task.id,
                    "occurrence": task.dealer_visit_at.strftime("%Y-%m-%dT%H:%M"),
                    "partner_id": task.partner_id.id,
                    "company_id": task.company_id.id or env.company.id,
                    "state": "planned",
                    "due_at": moment,
                    "expires_at": relevance and moment + relevance,
                }
            )
        env.flush_all()
        cr.commit()
        create_s = time.perf_counter() - started
    full = len(chosen) == len(tasks)
    total = search_s + create_s * (len(tasks) / len(chosen) if chosen else 0)
    log(
        f"  baseline: {len(tasks):,} tasks found in {search_s:.2f} s, {len(chosen):,} created "
        f"in {create_s:.2f} s, {'measured' if full else 'extrapolated'} {total:.1f} s"
    )
    return {
        "tasks": len(tasks),
        "sample": len(chosen),
        "full": full,
        "search_s": round(search_s, 3),
        "create_s": round(create_s, 3),
        "ms_per_create": round(create_s / len(chosen) * 1000, 3) if chosen else None,
        "s": round(total, 3),
        "sql": sql_summary(stats, search_s + create_s),
    }


# --- 2. SMS -------------------------------------------------------------------------------


def sendable_lines(env, rule, moment, count):
    """Plan the rule's messages (not measured), then keep ``count`` of those the
    dispatcher will hand to the gateway: clients who are individuals with the SMS
    consent and a Russian number (as sms computes phone_sanitized) not blacklisted.
    Returns their ids."""
    cr = env.cr
    clear_log(env)
    rule._plan(now=moment)
    cr.execute(
        """SELECT n.id FROM dealer_notification n
             JOIN res_partner p ON p.id = n.partner_id
            WHERE n.rule_id = %s AND p.active AND NOT p.is_company AND p.consent_sms
              AND p.phone_sanitized LIKE '+7%%'
              AND NOT EXISTS (SELECT 1 FROM phone_blacklist b
                               WHERE b.number = p.phone_sanitized AND b.active)
            ORDER BY n.res_id LIMIT %s""",
        [rule.id, count],
    )
    ids = [line_id for (line_id,) in cr.fetchall()]
    cr.execute("DELETE FROM dealer_notification WHERE id <> ALL(%s)", [ids])
    cr.commit()
    env.invalidate_all()
    return ids


def use_provider(env, kind, served):
    """The only active gateway, for every branch, pointed at ``served``."""
    Provider = env["dealer.sms.provider"].with_context(active_test=False)
    values = {
        "name": "Benchmark",
        "provider": kind,
        "api_url": served.url,
        "login": served.login,
        "api_key": served.api_key,
        "sender": SENDER,
        "company_id": False,
        "active": True,
        "timeout": 10,
        "retries": 2,
    }
    Provider.search([("name", "!=", "Benchmark"), ("active", "=", True)]).active = False
    provider = Provider.search([("name", "=", "Benchmark")], limit=1)
    if provider:
        provider.write(values)
    else:
        provider = Provider.create(values)
    env.cr.commit()
    return provider


def check_sending(env, line_ids, record):
    """Every line handed over once: the vendor accepted each (phone, text) of the log
    exactly once, nothing else, and the log says 'sent'."""
    cr = env.cr
    cr.execute(
        "SELECT id, state, address, body, attempts FROM dealer_notification WHERE id = ANY(%s)",
        [line_ids],
    )
    lines = cr.fetchall()
    states = Counter(state for _id, state, *_rest in lines)
    wanted = Counter((digits(address), body) for _id, _state, address, body, _n in lines)
    got = Counter((digits(m["phone"]), m["text"]) for m in record["accepted"])
    once = sum(count for key, count in wanted.items() if got.get(key) == count)
    cr.execute(
        "SELECT count(*) FROM dealer_notification_attempt WHERE notification_id = ANY(%s)",
        [line_ids],
    )
    attempts = cr.fetchone()[0]
    cr.execute("SELECT state, count(*) FROM sms_sms GROUP BY state")
    sms_states = dict(cr.fetchall())
    missing = sum(max(count - got.get(key, 0), 0) for key, count in wanted.items())
    duplicates = sum(max(count - wanted.get(key, 0), 0) for key, count in got.items())
    ok = (
        len(record["accepted"]) == len(line_ids)
        and missing == 0
        and duplicates == 0
        and states.get("sent", 0) == len(line_ids)
    )
    return {
        "lines": len(lines),
        "accepted": len(record["accepted"]),
        "accepted_once": once,
        "missing": missing,
        "duplicates": duplicates,
        "states": dict(states),
        "attempts": attempts,
        "sms_left": sms_states,
        "requests": record["requests"],
        "send_requests": record["send_requests"],
        "injected": len(record["injected"]),
        "ok": ok,
    }


def drain_queue(env):
    """``sms.sms._process_queue()`` as the SMS cron runs it, again while SMS are left
    outgoing (it takes 10,000 at most) and it makes progress."""
    cr = env.cr
    calls, left = 0, None
    while True:
        cr.execute("SELECT count(*) FROM sms_sms WHERE state = 'outgoing' AND NOT to_delete")
        outgoing = cr.fetchone()[0]
        if not outgoing or outgoing == left:
            return calls, outgoing
        left = outgoing
        env["sms.sms"]._process_queue()
        calls += 1


def measure_ours(env, kind, rule, moment, count, *, profile=False):
    line_ids = sendable_lines(env, rule, moment, count)
    cr = env.cr
    result = {"sms": len(line_ids)}
    with vendor(kind) as served:
        use_provider(env, kind, served)
        env.invalidate_all()
        with frozen_now(moment):
            with (
                sql_timer(cr) as stats,
                profiled(profile, result, "profile_dispatch", "dealer_notify"),
            ):
                started = time.perf_counter()
                env["dealer.notification"].with_context(dealer_notify_commit=True)._dispatch()
                cr.commit()
                dispatch_s = time.perf_counter() - started
            result["dispatch_sql"] = sql_summary(stats, dispatch_s)
            with sql_timer(cr) as stats, profiled(profile, result, "profile_send", "dealer_notify"):
                started = time.perf_counter()
                calls, left = drain_queue(env)
                cr.commit()
                send_s = time.perf_counter() - started
            result["send_sql"] = sql_summary(stats, send_s)
        record = served.record()
    result.update(
        dispatch_s=round(dispatch_s, 3),
        send_s=round(send_s, 3),
        total_s=round(dispatch_s + send_s, 3),
        queue_runs=calls,
        outgoing_left=left,
        check=check_sending(env, line_ids, record),
    )
    log(
        f"  {kind}, ours: {len(line_ids):,} SMS, dispatch {dispatch_s:.1f} s, send "
        f"{send_s:.1f} s ({record['send_requests']:,} requests), check "
        f"{'ok' if result['check']['ok'] else 'FAILED'}"
    )
    return result


def measure_baseline(env, kind, rule, moment, count):
    """Odoo's standard per-record sending: ``sms.send()`` for each SMS the dispatcher
    created (each one ``_send`` of one record: one request per SMS)."""
    line_ids = sendable_lines(env, rule, moment, count)
    cr = env.cr
    with vendor(kind) as served:
        use_provider(env, kind, served)
        env.invalidate_all()
        with frozen_now(moment):
            started = time.perf_counter()
            env["dealer.notification"].with_context(dealer_notify_commit=True)._dispatch()
            cr.commit()
            dispatch_s = time.perf_counter() - started
            smss = env["sms.sms"].search([("state", "=", "outgoing")], order="id")
            with sql_timer(cr) as stats:
                started = time.perf_counter()
                for sms in smss:
                    sms.send()
                cr.commit()
                send_s = time.perf_counter() - started
        record = served.record()
    check = check_sending(env, line_ids, record)
    log(
        f"  {kind}, baseline: {len(smss):,} SMS sent one by one in {send_s:.1f} s, check "
        f"{'ok' if check['ok'] else 'FAILED'}"
    )
    return {
        "sms": len(line_ids),
        "dispatch_s": round(dispatch_s, 3),
        "send_s": round(send_s, 3),
        "ms_per_sms": round(send_s / len(smss) * 1000, 3) if smss else None,
        "send_sql": sql_summary(stats, send_s),
        "check": check,
    }


def measure_sms(env, args, rule, moment):
    results = {}
    for kind in args.providers:
        ours = measure_ours(env, kind, rule, moment, args.sms)
        baseline = None
        if args.sms_baseline:
            baseline = measure_baseline(env, kind, rule, moment, min(args.sms_baseline, args.sms))
            scale = ours["sms"] / baseline["sms"] if baseline["sms"] else 0
            baseline["full"] = baseline["sms"] >= ours["sms"]
            baseline["send_s_scaled"] = round(baseline["send_s"] * scale, 3)
            baseline["total_s_scaled"] = round(ours["dispatch_s"] + baseline["send_s_scaled"], 3)
        results[kind] = {"ours": ours, "baseline": baseline}
        clear_log(env)
    if args.profile and args.providers:
        kind = args.providers[0]
        log(f"  {kind} again under cProfile (not in the table)")
        profile = measure_ours(env, kind, rule, moment, args.sms, profile=True)
        results[kind]["profile"] = {
            key: profile[key]
            for key in ("dispatch_s", "send_s", "profile_dispatch", "profile_send")
        }
        clear_log(env)
    return results


# --- report -------------------------------------------------------------------------------


def ratio(numerator, denominator):
    return round(numerator / denominator, 2) if denominator else None


def fmt(value, digits=2):
    return "—" if value is None else f"{value:,.{digits}f}"


def target_cell(seconds, count, target_s, target_count):
    """Met or not, scaled to the issue's count when ``count`` is another."""
    if not count:
        return "—"
    scaled = seconds * target_count / count
    cell = f"{'met' if scaled <= target_s else 'NOT met'} (≤ {target_s} s"
    if count != target_count:
        cell += f"; {scaled:.1f} s per {target_count:,}"
    return cell + ")"


def top_statement(summary):
    if not summary["top"]:
        return "—"
    top = summary["top"][0]
    return f"{top['count']:,} × {top['ms_each']:.2f} ms = {top['s']:.2f} s: `{top['sql'][:90]}`"


def report(result):
    data, timings, planning = result["data"], result["timings_s"], result["planning"]
    load = result["load_average"]
    database = (
        f"reused (generated {data['generated_at']} in {data['generation_s']:.0f} s)"
        if result["database_reused"]
        else f"created now (install {timings.get('install', 0):.0f} s, generation "
        f"{timings.get('generation', 0):.0f} s, VACUUM {timings.get('vacuum', 0):.0f} s)"
    )
    if "notify_install" in timings:
        database += f"; {MODULE} installed/updated in {timings['notify_install']:.0f} s"
    outcomes = ", ".join(f"{k} {v:,}" for k, v in data["appointment_outcomes"].items())
    log(
        f"\n### Notifications: {data['clients']:,} clients, {data['appointments_on_day']:,} "
        "appointments on the day\n\n"
        f"Database `{result['database']}` ({DATA_MODULES} for the data, then {MODULE}; no demo "
        f"data), {database}: {data['clients']:,} clients with {data['numbers']:,} numbers, "
        f"{data['sms_consents']:,} with the SMS consent, {data['birthdays']:,} birthdays, "
        f"{data['vehicles']:,} vehicles, {data['traffic']:,} traffic records, "
        f"{data['appointment_rows']:,} appointments over {data['appointment_day']} ± 7 days "
        f"({outcomes}; 'open' on {data['appointment_day']}: {data['appointments_on_day']:,}, "
        "the others that day canceled, showroom or archived). "
        f"Odoo {result['versions']['odoo']}, PostgreSQL {result['versions']['postgresql']}, "
        f"Python {result['versions']['python']}; {os.cpu_count()} CPUs shared with other work: "
        f"load average (1/5/15 min) before {load['before']}, after {load['after']}; the "
        f"database's scheduled actions off ({result['crons_disabled']} turned off by this run).\n"
    )
    runs = planning["runs"]
    ours_s = statistics.median([run["s"] for run in runs])
    base = planning["baseline"]
    planned = runs[-1]["planned"] if runs else 0
    log(
        "#### 1. Day-before reminders: planning\n\n"
        f"`env.ref('{RULE}')._plan(now={planning['moment']})` — the rule's run time (20:00 "
        f"{planning['timezone']}) the evening before {data['appointment_day']}, as the cron "
        "runs it (`dealer_notify_commit`: committed per batch of 5,000), on an empty log "
        f"(rows deleted and VACUUM before each run), then once more over "
        "the planned rows (nothing to add). Baseline: the naive ORM way, "
        "`project.task.search(<the rule's conditions>)` then one `dealer.notification.create` "
        f"per task, on {base['sample']:,} of the {base['tasks']:,} tasks "
        f"({'all of them' if base['full'] else 'the search timed in full, the creates '}"
        f"{'' if base['full'] else 'extrapolated linearly'}), committed. Both include their "
        "commit.\n"
    )
    header = ["method", "rows", "seconds", "ms / 1,000", "target", "baseline / ours"]
    rows = [
        [
            f"ours, `_plan` (median of {len(runs)}: "
            + ", ".join(f"{run['s']:.2f}" for run in runs)
            + ")",
            f"{planned:,}",
            fmt(ours_s),
            fmt(ours_s / planned * 1e6 / 1000 if planned else None, 1),
            target_cell(ours_s, planned, TARGET_PLAN_S, TARGET_APPOINTMENTS),
            fmt(ratio(base["s"], ours_s)),
        ],
        [
            "ours, again over the planned rows",
            f"{planning['rerun']['planned']:,}",
            fmt(planning["rerun"]["s"]),
            "—",
            "",
            "",
        ],
        [
            f"baseline, ORM search + create each ({'measured' if base['full'] else 'extrap.'})",
            f"{base['tasks']:,}",
            fmt(base["s"]),
            fmt(base["s"] / base["tasks"] * 1e6 / 1000 if base["tasks"] else None, 1),
            "",
            "1.00",
        ],
    ]
    log(markdown_table(header, rows, "lrrrlr"))
    check = planning["check"]
    plan = planning["source_plan"]
    last = runs[-1]["sql"] if runs else None
    log(
        f"\nExpected rows (the benchmark's own query of the day's open service appointments): "
        f"{planning['expected']:,}; the planned rows against them: missing {check['missing']}, "
        f"extra {check['extra']}, wrong {check['wrong']} (client, branch, occurrence, due, "
        f"expiry, state). Baseline rows against ours: missing {base['check']['missing']}, "
        f"wrong {base['check']['wrong']}. Baseline: search {base['search_s']:.2f} s, "
        f"{base['ms_per_create']} ms per create."
    )
    if last:
        log(
            f"Last run: {last['statements']} statements, {last['sql_s']:.2f} s in SQL, "
            f"{last['python_s']:.2f} s in Python; slowest: {top_statement(last)}."
        )
    if "ms" in plan:
        log(f"The rule's SELECT of due tasks alone (EXPLAIN ANALYZE): {plan['ms']:.1f} ms.")
        log("```\n" + "\n".join(plan["plan"][:PLAN_LINES]) + "\n```")
    sms = result["sms"]
    if not sms:
        return
    any_kind = next(iter(sms.values()))
    base_sample = any_kind["baseline"]["sms"] if any_kind["baseline"] else 0
    log(
        "\n#### 2. SMS to the gateways (fake vendors)\n\n"
        "Per gateway, the day-before reminders planned as above and trimmed to the "
        "clients the dispatcher sends to (individuals with the SMS consent and a Russian "
        "number), then, with `fields.Datetime.now()` set to the run time (the rule's quiet "
        "hours and relevance hour as at 20:00), on one worker (this process): dispatch = "
        "`dealer.notification._dispatch()` with the cron's context (skip checks, template "
        "rendering, the `sms.sms` rows; committed per batch of 500), send = "
        "`sms.sms._process_queue()` (Odoo's SMS cron: `send(auto_commit=True)` in batches of "
        "500, each `_send` handing the batch to the gateway: SMS.ru takes 100 messages a "
        "request, SMSC and SMS Aero one). The vendor (tests/fake_gateway.py, the vendor's "
        "protocol and credentials checks, no injected failures) runs in a process of its own "
        "on the loopback. Baseline: Odoo's standard per-record way, `for sms in smss: "
        "sms.send()` (one `_send` of one record each: a gateway client and a request per "
        f"SMS, no commit), on {base_sample:,} SMS dispatched the same way, its time scaled "
        "to the same number of SMS; its total adds our dispatch time. 'once': (phone, text) "
        "pairs of the log the vendor accepted exactly once; 'sent': log lines in state "
        "'sent'.\n"
    )
    header = [
        "gateway",
        "SMS",
        "requests",
        "dispatch s",
        "send s",
        "total s",
        "SMS/s",
        "once",
        "sent",
        "check",
        "baseline send s",
        "baseline total s",
        "send: base/ours",
        "total: base/ours",
        "target",
    ]
    rows = []
    for kind, measures in sms.items():
        ours, baseline = measures["ours"], measures["baseline"]
        check = ours["check"]
        count = ours["sms"]
        scaled = f" ({'full' if baseline and baseline['full'] else 'scaled'})" if baseline else ""
        rows.append(
            [
                kind,
                f"{count:,}",
                f"{check['send_requests']:,}",
                fmt(ours["dispatch_s"]),
                fmt(ours["send_s"]),
                fmt(ours["total_s"]),
                fmt(count / ours["total_s"] if ours["total_s"] else None, 0),
                f"{check['accepted_once']:,}",
                f"{check['states'].get('sent', 0):,}",
                "ok" if check["ok"] else "FAILED",
                (fmt(baseline["send_s_scaled"]) + scaled) if baseline else "—",
                fmt(baseline["total_s_scaled"]) if baseline else "—",
                fmt(ratio(baseline["send_s_scaled"], ours["send_s"])) if baseline else "—",
                fmt(ratio(baseline["total_s_scaled"], ours["total_s"])) if baseline else "—",
                target_cell(ours["total_s"], count, TARGET_SMS_S, TARGET_SMS),
            ]
        )
    log(markdown_table(header, rows, "lrrrrrrrrlrrrrl"))
    log("")
    for kind, measures in sms.items():
        ours, baseline = measures["ours"], measures["baseline"]
        dispatch, send = ours["dispatch_sql"], ours["send_sql"]
        log(
            f"- {kind}: dispatch {dispatch['statements']:,} statements, "
            f"{dispatch['sql_s']:.1f} s SQL + {dispatch['python_s']:.1f} s Python, slowest "
            f"{top_statement(dispatch)}; send {send['statements']:,} statements, "
            f"{send['sql_s']:.1f} s SQL + {send['python_s']:.1f} s Python and HTTP, slowest "
            f"{top_statement(send)}."
            + (
                f" Baseline: {baseline['sms']:,} SMS in {baseline['send_s']:.1f} s "
                f"({baseline['ms_per_sms']} ms each, {baseline['check']['send_requests']:,} "
                f"requests, check {'ok' if baseline['check']['ok'] else 'FAILED'})."
                if baseline
                else ""
            )
        )
        bad = [m for m in (ours, baseline) if m and not m["check"]["ok"]]
        for measure in bad:
            log(f"  check: {json.dumps(measure['check'], ensure_ascii=False)}")
    for kind, measures in sms.items():
        profile = measures.get("profile")
        if not profile:
            continue
        for key in ("dispatch", "send"):
            log(
                f"\ncProfile of {kind}, {key} ({profile[f'{key}_s']:.1f} s under the profiler): "
                "dealer_notify's functions by cumulated time, then all by own time\n```"
            )
            log(
                "\n".join(line for line in profile[f"profile_{key}"].strip().splitlines()) + "\n```"
            )
    log(
        f"\nTotal wall {timings['total']:.0f} s. JSON: {RESULTS.relative_to(ROOT)}"
        + (" (a smaller scale than the issue's)" if planned < TARGET_APPOINTMENTS else "")
    )


# --- main ---------------------------------------------------------------------------------


def measure(registry, args, data, db):
    day = date.fromisoformat(data["appointment_day"])
    with registry.cursor() as cr:
        env = superuser_env(cr)
        crons = quiet_crons(env)
        rule = env.ref(RULE)
        moment, tz = run_moment(rule, day)
        log(f"1. planning: the rule's run time before {day}: {moment} UTC ({tz})")
        planning = measure_planning(env, args, db, When(rule, day, moment, tz))
        log(f"2. SMS: {args.sms:,} per gateway ({', '.join(args.providers)})")
        sms = measure_sms(env, args, rule, moment) if args.providers else {}
        clear_log(env)
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
    vacuum_log(db)
    return {"crons_disabled": crons, "planning": planning, "sms": sms, "postgresql": postgres}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="default: 1,000,000")
    parser.add_argument(
        "--traffic", type=int, default=None, help="traffic records (default: as many as clients)"
    )
    parser.add_argument(
        "--appointments",
        type=int,
        default=TARGET_APPOINTMENTS,
        help="open service appointments on the day measured (default: 20,000)",
    )
    parser.add_argument("--sms", type=int, default=TARGET_SMS, help="SMS per gateway (10,000)")
    parser.add_argument(
        "--providers",
        default=",".join(PROVIDERS),
        help="gateways to send through, comma-separated (default: smsru,smsc,smsaero; '' for none)",
    )
    parser.add_argument("--plan-runs", type=int, default=3, help="runs of _plan (3)")
    parser.add_argument(
        "--plan-baseline",
        type=int,
        default=2000,
        help="tasks the ORM planning baseline creates (2,000; 0: all)",
    )
    parser.add_argument(
        "--sms-baseline",
        type=int,
        default=1000,
        help="SMS the per-record baseline sends per gateway (1,000; 0: none)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="send through the first gateway again under cProfile (reported apart)",
    )
    database_arguments(parser, DB, RESULTS)
    args = parser.parse_args()
    if args.report_only:
        report(json.loads(RESULTS.read_text()))
        return
    traffic = args.traffic or args.clients
    args.providers = [kind for kind in args.providers.split(",") if kind]
    if set(args.providers) - set(PROVIDERS):
        parser.error(f"--providers: choose among {', '.join(PROVIDERS)}")
    if args.clients < 1000 or traffic < 1000 or args.appointments < 100:
        parser.error("--clients and --traffic must be at least 1000, --appointments 100")
    if args.sms < 1 or args.plan_runs < 1:
        parser.error("--sms and --plan-runs must be positive")
    started = time.perf_counter()
    wanted = wanted_marker(args.clients, traffic, args.appointments)
    registry, data, reused, timings = prepare_database(
        args.db,
        DATA_MODULES,
        MARKER_KEY,
        wanted=wanted,
        fresh=args.fresh,
        generate=lambda env: generate(env, args.clients, traffic, appointments=args.appointments),
        describe=describe,
    )
    if not reused:
        start = time.perf_counter()
        vacuum(args.db, (*LOADED_TABLES, "project_task"))
        timings["vacuum"] = time.perf_counter() - start
    installed_s = install_notify(args.db)
    if installed_s is not None:
        timings["notify_install"] = installed_s
        from odoo.modules.registry import Registry

        registry = Registry.new(args.db)
    elif not reused:
        registry = load_registry(args.db)
    load_before = {"before": list(load_average())}
    measures = measure(registry, args, data, args.db)
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "notify",
        "database": args.db,
        "database_reused": reused,
        "data": data,
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "load_average": {**load_before, "after": load_average()},
        "uptime": subprocess.run(
            ["uptime"], check=False, capture_output=True, text=True
        ).stdout.strip(),
        "versions": {
            "odoo": release.version,
            "postgresql": measures.pop("postgresql"),
            "python": sys.version.split()[0],
        },
        "options": {
            "sms": args.sms,
            "providers": args.providers,
            "plan_runs": args.plan_runs,
            "plan_baseline": args.plan_baseline,
            "sms_baseline": args.sms_baseline,
        },
        **measures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)
    failed = [kind for kind, m in result["sms"].items() if not m["ours"]["check"]["ok"]]
    planning = result["planning"]
    if planning["check"]["missing"] or planning["check"]["extra"] or planning["check"]["wrong"]:
        failed.append("planning")
    if failed:
        sys.exit(f"checks failed: {', '.join(failed)}: see {RESULTS}")


if __name__ == "__main__":
    main()
