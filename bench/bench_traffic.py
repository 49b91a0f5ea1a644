"""Traffic benchmark: client lookup, automatic ignoring, the traffic journal and reports at scale.

Builds (or reuses) the database ``dealer_bench_traffic`` with ``dealer_traffic`` (no demo
data), three branches and their staff, a million clients with phones, 300,000 vehicles and a
million traffic records over two years, then measures, each against a baseline in the same run:

1. ``res.partner.dealer_lookup`` (registration screen) against Odoo's plain many2one
   autocomplete on ``complete_name``;
2. ``dealer.traffic._cron_auto_ignore`` against ignoring the same rows with ORM writes;
3. the Traffic Journal's first page (``web_search_read``) for a supervisor, a consultant and
   an operator against a plain SQL query, with the plans of the ORM's queries;
4. the reports' pivots (statistics by incoming contacts, sales funnel, response time) of a
   month, rows by goal and columns by consultant, against Odoo's read_group on the traffic;
5. the «Data for the Period» Excel workbook of that month against Odoo's own export
   (``export_data`` and the web client's xlsx writer).

    python bench/bench_traffic.py [--clients N] [--traffic N] [--fresh] [--db NAME]
                                  [--lookup-only | --reports-only]
"""

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial
from zoneinfo import ZoneInfo

import psycopg2
from _common import (
    BATCH,
    FORMATS,
    RESULTS_DIR,
    ROOT,
    PhoneFactory,
    absent_queries,
    bulk_load,
    client_name,
    copy_in_background,
    copy_rows,
    database_arguments,
    existing_queries,
    generate_clients,
    log,
    markdown_table,
    prepare_database,
    render,
    required_extras,
    reserve_ids,
    split_e164,
    superuser_env,
    timing,
    update_module_if_changed,
    with_yo,
)
from lxml import etree

RESULTS = RESULTS_DIR / "traffic.json"

DB = "dealer_bench_traffic"
MODULES = "dealer_traffic"
MARKER_KEY = "dealer_bench.traffic"
# Bump when the generated data changes, so that databases made by older versions are rebuilt.
GENERATOR_VERSION = 4
# What the database depends on: the dealer modules' schema (models, data, access rules) and
# the tools the generator calls. A change there rebuilds the database.
SCHEMA_SOURCES = tuple(
    f"addons/{module}/{folder}"
    for module in ("dealer_base", "dealer_vehicle", "dealer_traffic")
    for folder in ("models", "data", "security", "tools")
)
# The reports' SQL views, views and dialogs: a change there updates the module in the
# database (its views are rebuilt) instead of regenerating the data.
REPORT_SOURCES = tuple(
    f"addons/dealer_traffic/{folder}" for folder in ("report", "views", "wizard")
)

SEED = 20240601
TZ = "Europe/Moscow"
DAYS = 730  # traffic spans two years up to the moment of generation
VEHICLES_PER_CLIENT = 0.3
OPEN_STATES = ("new", "queued", "assigned", "in_progress")
LOADED_TABLES = (
    "res_partner",
    "dealer_partner_phone",
    "dealer_vehicle",
    "dealer_vehicle_ownership",
    "dealer_traffic",
)

# Branches: (name, share of the traffic and vehicles, operators, consultants). The first is
# the database's company, the others are created as its branches; each has a supervisor,
# the first one's supervising every branch.
BRANCHES = (
    ("Автоцентр Москва", 0.5, 2, 8),
    ("Автоцентр Химки", 0.3, 2, 7),
    ("Автоцентр Подольск", 0.2, 1, 5),
)

# --- generated data: vehicles -----------------------------------------------------------

PLATE_LETTERS = "АВЕКМНОРСТУХ"  # the Cyrillic letters Russian plates use
TO_LATIN = str.maketrans(PLATE_LETTERS, "ABEKMHOPCTYX")
PLATE_REGIONS = "77 97 99 177 197 199 777 799 977 50 90 150 190 750 790".split()
# How staff type a plate (series "А123ВС", region "77"), named by an example.
PLATE_FORMATS = {
    "А123ВС77": lambda series, region: series + region,
    "А123ВС 77": lambda series, region: f"{series} {region}",
    "а123вс77": lambda series, region: (series + region).lower(),
    "A123BC77 (Latin)": lambda series, region: (series + region).translate(TO_LATIN),
}
# World manufacturer identifiers outside North America (no check digit): Lada, Hyundai
# and Kia (Russian plants), VW, BMW, Mercedes, Renault, Peugeot, Skoda, Toyota, Mazda...
VIN_WMIS = "XTA X7L XW8 Z94 Z8T XWE WVW WBA WDD VF1 VF3 TMB JTD JMZ KMH KNA LVV LB3 SAL YV1".split()
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
COLORS = "белый чёрный серый серебристый синий красный коричневый бежевый зелёный".split()
VEHICLE_VIN_SHARE = 0.9
VEHICLE_PLATE_SHARE = 0.95
VEHICLE_ACTIVE_SHARE = 0.95
VEHICLE_COLUMNS = tuple(
    "id name vin license_plate plate_normalized model_id brand_id year color mileage "
    "owner_id company_id active create_uid write_uid create_date write_date".split()
)
OWNERSHIP_COLUMNS = tuple(
    "vehicle_id partner_id date_start create_uid write_uid create_date write_date".split()
)

# --- generated data: traffic ------------------------------------------------------------

# Relative frequency of each seeded goal (by XML id); goals added later weigh DEFAULT.
GOAL_WEIGHTS = {
    "goal_service_repair": 12,
    "goal_service_maintenance": 14,
    "goal_service_confirm": 8,
    "goal_service_survey": 6,
    "goal_service_visit_offer": 3,
    "goal_service_work": 4,
    "goal_parts_purchase": 10,
    "goal_parts_work": 2,
    "goal_sales_new": 12,
    "goal_sales_used": 7,
    "goal_sales_tradein": 4,
    "goal_sales_credit": 3,
    "goal_sales_testdrive_call": 2,
    "goal_sales_birthday": 2,
    "goal_sales_aftersale": 2,
    "goal_sales_visit_offer": 2,
    "goal_sales_cold": 3,
    "goal_feedback_complaint": 2,
    "goal_other": 4,
}
DEFAULT_GOAL_WEIGHT = 2
INCOMING_CHANNELS = {"call": 60, "visit": 20, "internet": 20}  # outgoing contacts are calls
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.5)
OPEN_HOUR_UTC, OPEN_SECONDS = 5, 13 * 3600  # 08:00-21:00 Moscow time
# Share of traffic still open by age in days: recent contacts are being worked, older ones
# were forgotten (the cron has not run over this data yet).
OPEN_SHARE_BY_AGE = ((1, 0.9), (7, 0.65), (30, 0.4), (90, 0.1), (math.inf, 0.003))
OPEN_STATE_WEIGHTS = {"new": 15, "queued": 10, "assigned": 40, "in_progress": 35}
IDENTIFIED_SHARE = 0.8  # incoming contacts whose client is known; outgoing ones all are
REGULAR_CLIENT_SHARE = 0.25  # clients who come back often...
REGULAR_CONTACT_SHARE = 0.6  # ...and make this share of the contacts
SERVICE_WITH_VEHICLE_SHARE = 0.8
CALLER_ID_SHARE = 0.6  # identified incoming calls that keep the caller's number
PROCESSED_SHARE = 0.75  # closed contacts of a known client that were processed, not ignored
QUEUE_SHARE = 0.4  # walk-ins who waited in the queue
TRANSFER_SHARE = 0.08
IGNORE_REASONS = {
    "ignore_reason_timeout": 35,
    "ignore_reason_failed": 25,
    "ignore_reason_wrong_number": 10,
    "ignore_reason_other": 10,
    "ignore_reason_walked_out": 10,  # walk-ins only
    "ignore_reason_left_queue": 10,  # queued walk-ins only
}
NOTES = (
    "Перезвонить вечером",
    "Просит подобрать время на субботу",
    "Интересуется ценой и наличием",
    "Нужна запись на диагностику",
    "Спрашивает про акцию",
    "Уточнить комплектацию",
)
OUTCOMES = ("Записан на сервис", "Назначен тест-драйв", "Выставлен счёт", "Отправлено КП")
IGNORE_COMMENTS = ("Не дозвонились", "Клиент передумал", "Дубль обращения")
TRAFFIC_COLUMNS = tuple(
    "id name channel_id direction_id goal_id goal_kind date company_id source_id "
    "region_id partner_id contact_name contact_phone phone_normalized vehicle_id "
    "license_plate interest_model_id interest_brand_id interest_condition is_repeat "
    "registrar_id user_id note outcome state is_transferred queued_date assigned_date "
    "taken_date processed_date ignore_reason_id ignore_comment take_minutes "
    "process_minutes response_deadline was_overdue create_uid write_uid create_date "
    "write_date".split()
)

# --- generated data: documents (project tasks) ------------------------------------------

# Done tasks are the clients' documents (repair orders, car sales, parts orders) as
# dealer_segmentation reads them. Per direction (by XML id): share of the documents, task
# kind, median amount and spread (log-normal), in roubles.
DOCUMENT_DIRECTIONS = {
    "direction_service": (0.62, "visit", 14_000, 0.9),
    "direction_sales": (0.13, "deal", 1_900_000, 0.45),
    "direction_parts": (0.25, "deal", 4_500, 1.0),
}
DOCUMENT_DAYS = 2190  # six years of history up to the generation
DOCUMENT_CLIENT_SHARE = 0.75  # clients with at least a chance of documents
DOCUMENT_PARETO_ALPHA = 1.2  # weight of each such client: many with 1-2, some with dozens
DOCUMENT_MAIN_DIRECTION_SHARE = 0.8  # a client's documents mostly in their main direction
DOCUMENT_GAP_DAYS = 240  # mean gap between a client's documents, back from the last one
OPEN_TASK_SHARE = 0.02  # open tasks with a kind, per document ("В работе"), recent
CANCELED_TASK_SHARE = 0.03  # canceled tasks with a kind, per document
OPEN_TASK_DAYS = 45
TASK_WITH_DIRECTION_SHARE = 0.7  # tasks made from a contact carry its direction
TASK_COLUMNS = tuple(
    "id name project_id stage_id partner_id company_id state active priority sequence "
    "display_in_project dealer_kind dealer_direction_id dealer_funnel_rank dealer_amount "
    "dealer_done_date date_end date_last_stage_update create_uid write_uid create_date "
    "write_date".split()
)
FUNNEL_RANKS = {"appointment": 1, "visit": 2, "deal": 3}

# --- measurements -----------------------------------------------------------------------

LOOKUP_INPUTS = {"phone": 60, "plate": 40, "name": 60, "absent": 40}
LOOKUP_WARMUP = 2  # per kind of input, not counted
PLATE_QUERY_FORMS = {
    "a123bc 77 (Latin, lower case)": lambda series, region: f"{series} {region}".translate(
        TO_LATIN
    ).lower(),
    "А123ВС (no region)": lambda series, _region: series,
    "123вс (fragment, lower case)": lambda series, _region: series[1:].lower(),
}
# Names as operators type them, with how many of the name inputs use each form.
NAME_QUERY_FORMS = {
    "full name": (10, lambda name: name),
    "surname first-name": (20, lambda name: " ".join(name.split()[:2])),
    "first-name surname, lower case": (10, lambda name: " ".join(name.split()[1::-1]).lower()),
    "full name, lower case, other ё/е spelling": (10, lambda name: other_yo(name).lower()),
    "surname first-name being typed, lower case": (
        10,
        lambda name: f"{name.split()[0]} {name.split()[1][:4]}".lower(),
    ),
}
AUTO_IGNORE_ROWS = 20_000
AUTO_IGNORE_ORM_ROWS = 2_000
AUTO_IGNORE_RUNS = 5
AUTO_IGNORE_ORM_RUNS = 3
JOURNAL_LIMIT = 80
JOURNAL_COUNT_LIMIT = 10001
JOURNAL_ORDER = "date desc, id desc"
JOURNAL_RUNS = 30
JOURNAL_WARMUP = 5
JOURNAL_SCENARIOS = (
    ("supervisor", "none"),
    ("supervisor", "this month"),
    ("consultant", "none"),
    ("consultant", "this month"),
    ("consultant", "Unprocessed + My Traffic"),
    ("operator", "none"),
    ("operator", "this month"),
)
SLOW_MS = 100
PLAN_TOP_LINES = 8
# The reports' pivots as the web client loads them: rows by goal, columns by consultant,
# the pivot view's measures; one read_group per combination of the row and column groups.
REPORT_MODELS = (
    "dealer.traffic.statistics.report",
    "dealer.traffic.funnel.report",
    "dealer.traffic.response.report",
)
PIVOT_GROUPBYS = ((), ("goal_id",), ("user_id",), ("goal_id", "user_id"))
# The baseline: Odoo's read_group on the contacts themselves, averaging their stored
# minutes as a plain pivot would (the journal no longer offers those averages: a contact
# never taken counts 0 in them).
BASELINE_MEASURES = ("__count", "take_minutes:avg", "process_minutes:avg")
REPORT_RUNS = 10
REPORT_WARMUP = 2
PIVOT_TARGET_MS = 1000
# The «Data for the Period» workbook of the month against Odoo's export of the same
# columns (export_data, then the web client's xlsx writer).
EXPORT_RUNS = 3
EXPORT_BASELINE_RUNS = 2
EXPORT_TARGET_S = 20
EXPORT_BASELINE_FIELDS = (
    "name date company_id channel_id direction_id goal_id source_id partner_id contact_name "
    "contact_phone is_repeat interest_brand_id interest_model_id interest_condition "
    "registrar_id user_id assigned_date taken_date processed_date state task_ids/.id "
    "task_ids/name task_ids/stage_id processed_date ignore_reason_id ignore_comment outcome "
    "note"
).split()


def minutes(value):
    return timedelta(seconds=round(value * 60))


def sources_sha1(folders):
    """SHA-1 of the files under ``folders`` (relative to the repository), names included."""
    digest = hashlib.sha1()
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".xml", ".csv"):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def wanted_marker(clients, traffic):
    return {
        "clients": clients,
        "traffic": traffic,
        "generator": GENERATOR_VERSION,
        "funnel_generator": FUNNEL_GENERATOR_VERSION,
        "schema_sha1": sources_sha1(SCHEMA_SOURCES),
    }


# --- staff ------------------------------------------------------------------------------


def create_staff(env, rng):
    """Branches and their staff, created with the ORM: [{id, name, share, operators,
    consultants, supervisor}] (user ids), main company first."""
    from odoo.fields import Command

    main = env.company
    main.name = BRANCHES[0][0]
    companies = [main] + [
        env["res.company"].create({"name": name, "parent_id": main.id})
        for name, *_rest in BRANCHES[1:]
    ]
    group_ids = {
        role: env.ref(f"dealer_base.group_dealer_{role}").id
        for role in ("operator", "consultant", "supervisor")
    }
    Users = env["res.users"].with_context(no_reset_password=True)
    counters = dict.fromkeys(group_ids, 0)

    def users(role, count, company, allowed):
        vals_list = []
        for _i in range(count):
            counters[role] += 1
            vals_list.append(
                {
                    "name": client_name(rng, False),
                    "login": f"{role}{counters[role]}",
                    "company_id": company.id,
                    "company_ids": [Command.set([c.id for c in allowed])],
                    "groups_id": [Command.set([group_ids[role]])],
                    "tz": TZ,
                }
            )
        return Users.create(vals_list).ids

    branches = []
    for index, (company, (name, share, operators, consultants)) in enumerate(
        zip(companies, BRANCHES, strict=True)
    ):
        branches.append(
            {
                "id": company.id,
                "name": name,
                "share": share,
                "operators": users("operator", operators, company, [company]),
                "consultants": users("consultant", consultants, company, [company]),
                "supervisor": users(
                    "supervisor", 1, company, companies if index == 0 else [company]
                )[0],
                "supervised": [c.id for c in companies] if index == 0 else [company.id],
            }
        )
    env.flush_all()
    return branches


def pick_branch(rng, branches):
    return rng.choices(branches, weights=[b["share"] for b in branches])[0]


# --- vehicles ---------------------------------------------------------------------------


def draw_vin(rng, used):
    from odoo.addons.dealer_vehicle.tools import vin_error

    while True:
        vin = rng.choice(VIN_WMIS) + "".join(rng.choices(VIN_CHARS, k=8))
        vin += str(rng.randrange(10**6)).zfill(6)
        if vin not in used:
            assert vin_error(vin) is None, vin
            used.add(vin)
            return vin


def draw_plate(rng, used=None):
    """(series, region) of a plate not drawn before (when ``used`` is given)."""
    while True:
        letters = rng.choices(PLATE_LETTERS, k=3)
        series = f"{letters[0]}{rng.randrange(1, 1000):03d}{letters[1]}{letters[2]}"
        region = rng.choice(PLATE_REGIONS)
        if used is None or (series, region) not in used:
            if used is not None:
                used.add((series, region))
            return series, region


def generate_vehicles(env, rng, branches, *, client_ids, count, now):
    """Insert ``count`` vehicles of random clients and their owner history with COPY;
    return {branch id: [(vehicle id, owner id)]} of the active ones."""
    from odoo.addons.dealer_vehicle.tools import normalize_plate

    cr = env.cr
    required_extras(cr, "dealer_vehicle", set(VEHICLE_COLUMNS))
    required_extras(cr, "dealer_vehicle_ownership", set(OWNERSHIP_COLUMNS))
    models = [
        (model.id, model.display_name, model.brand_id.id)
        for model in env["fleet.vehicle.model"].search([("vehicle_type", "=", "car")])
    ]
    vehicle_ids = reserve_ids(cr, "dealer_vehicle", count)
    vins, plates = set(), set()
    fleet = {branch["id"]: [] for branch in branches}
    today = now.date()

    def batches():
        for offset in range(0, count, BATCH):
            vehicles, ownership = [], []
            for vehicle_id in vehicle_ids[offset : offset + BATCH]:
                company_id = pick_branch(rng, branches)["id"]
                owner_id = rng.choice(client_ids)
                model_id, model_name, brand_id = rng.choice(models)
                vin = draw_vin(rng, vins) if rng.random() < VEHICLE_VIN_SHARE else None
                plate = normalized = None
                if rng.random() < VEHICLE_PLATE_SHARE:
                    typed = rng.choice(list(PLATE_FORMATS.values()))(*draw_plate(rng, plates))
                    plate = " ".join(typed.split()).upper()  # as dealer.vehicle stores it
                    normalized = normalize_plate(plate)
                active = rng.random() < VEHICLE_ACTIVE_SHARE
                name = " · ".join(filter(None, (model_name, plate or vin)))
                vehicles.append(
                    (
                        *(vehicle_id, name, vin, plate, normalized, model_id, brand_id),
                        *(rng.randrange(2005, now.year + 1), rng.choice(COLORS), 0),
                        *(owner_id, company_id, active, 1, 1, now, now),
                    )
                )
                ownership.append((vehicle_id, owner_id, today, 1, 1, now, now))
                if active:
                    fleet[company_id].append((vehicle_id, owner_id))
            yield vehicles, ownership

    def copy(batch):
        copy_rows(cr, "dealer_vehicle", VEHICLE_COLUMNS, batch[0])
        copy_rows(cr, "dealer_vehicle_ownership", OWNERSHIP_COLUMNS, batch[1])

    started = time.perf_counter()
    copied = []

    def progress(batch):
        copied.append(len(batch[0]))
        log(f"  vehicles {sum(copied):>9,}/{count:,}  {time.perf_counter() - started:6.1f} s")

    copy_in_background(batches(), copy, progress)
    return fleet


# --- traffic ----------------------------------------------------------------------------


@dataclass
class Goal:
    id: int
    kind: str
    direction_id: int
    service: bool
    response_minutes: int
    auto_ignore_days: int
    interest: str | None  # condition of the vehicle of interest, when the goal asks for one
    require_region: bool
    weight: float


def traffic_dates(rng, now, count):
    """``count`` distinct datetimes (UTC, whole seconds, ascending) over the last DAYS days,
    in opening hours, busier on weekdays and growing over time."""
    first_day = (now - timedelta(days=DAYS)).date()
    days = []
    for index in range(DAYS + 1):
        day = first_day + timedelta(days=index)
        opening = datetime(day.year, day.month, day.day, OPEN_HOUR_UTC)
        seconds = min(OPEN_SECONDS, int((now - opening).total_seconds()))
        if seconds > 0:
            weight = WEEKDAY_WEIGHTS[day.weekday()] * (0.8 + 0.4 * index / DAYS)
            days.append((opening, seconds, weight * seconds / OPEN_SECONDS))
    per_day = [0] * len(days)
    for index in rng.choices(range(len(days)), weights=[d[2] for d in days], k=count):
        per_day[index] += 1
    dates = []
    for (opening, seconds, _weight), day_count in zip(days, per_day, strict=True):
        dates += [
            opening + timedelta(seconds=s) for s in sorted(rng.sample(range(seconds), day_count))
        ]
    return dates


def open_share(age_days):
    return next(share for limit, share in OPEN_SHARE_BY_AGE if age_days < limit)


class TrafficRows:
    """Rows of dealer_traffic as the ORM would store them after the contacts' lifecycle:
    registered, queued, assigned, taken, processed or ignored (by hand or by the cron)."""

    def __init__(self, env, rng, now, branches, fleet):
        from odoo.addons.dealer_base.tools import normalize_phone
        from odoo.tools import float_round

        self.normalize_phone = normalize_phone
        # take_minutes and process_minutes are stored rounded to their digits.
        scale = env["dealer.traffic"]._fields["take_minutes"].get_digits(env)[1]
        self.minutes_field = partial(float_round, precision_digits=scale)
        self.rng, self.now, self.branches, self.fleet = rng, now, branches, fleet
        cr = env.cr
        # Columns of newer versions of dealer_traffic: who processed or ignored the
        # contact, the furthest funnel step of its tasks (none yet: generate_funnel_data
        # sets it).
        fields = env["dealer.traffic"]._fields
        self.processed_by = "processed_user_id" in fields
        self.columns = (
            *TRAFFIC_COLUMNS,
            *(name for name in ("processed_user_id", "funnel_rank") if name in fields),
        )
        self.country = env.company.country_id.code or "RU"
        self.goals = self._goals(env)
        self.channels = {
            code: env.ref(f"dealer_traffic.channel_{code}").id for code in INCOMING_CHANNELS
        }
        self.reasons = {xmlid: env.ref(f"dealer_traffic.{xmlid}").id for xmlid in IGNORE_REASONS}
        cr.execute(
            "SELECT res_id FROM ir_model_data WHERE module = 'dealer_traffic' "
            "AND model = 'utm.source' ORDER BY res_id"
        )
        self.sources = [source_id for (source_id,) in cr.fetchall()]
        self.regions = env["res.country.state"].search([("country_id.code", "=", "RU")]).ids
        self.models = [
            (model.id, model.brand_id.id)
            for model in env["fleet.vehicle.model"].search([("vehicle_type", "=", "car")])
        ]
        sequence = env["ir.sequence"].search([("code", "=", "dealer.traffic")])
        prefix, suffix = sequence._get_prefix_suffix()
        self.name_format = f"{prefix}{{:0{sequence.padding}d}}{suffix}"
        cr.execute(
            "SELECT partner_id, number_normalized FROM dealer_partner_phone WHERE sequence = 1"
        )
        self.main_numbers = dict(cr.fetchall())
        self.clients = sorted(self.main_numbers)
        self.regulars = rng.sample(self.clients, int(len(self.clients) * REGULAR_CLIENT_SHARE))
        self.factory = PhoneFactory(rng)
        self.seen = set()  # (client, direction) contacted before, for is_repeat
        self.states = {}
        self.repeats = 0

    @staticmethod
    def _goals(env):
        service = env.ref("dealer_base.direction_service").id
        goals = []
        for goal in env["dealer.contact.goal"].search([]):
            xmlid = goal.get_external_id()[goal.id].split(".")[-1]
            interest = None
            if goal.require_vehicle_interest:
                interest = "new" if xmlid == "goal_sales_new" else "used"
            goals.append(
                Goal(
                    *(goal.id, goal.kind, goal.direction_id.id, goal.direction_id.id == service),
                    *(goal.response_minutes, goal.auto_ignore_days, interest),
                    *(goal.require_region, GOAL_WEIGHTS.get(xmlid, DEFAULT_GOAL_WEIGHT)),
                )
            )
        return goals

    def batch(self, items):
        """Rows for ``items``: (id, date, sequence number), in date order."""
        return [self.row(*item) for item in items]

    def row(self, traffic_id, date, number):
        rng = self.rng
        branch = pick_branch(rng, self.branches)
        goal = rng.choices(self.goals, weights=[g.weight for g in self.goals])[0]
        incoming = goal.kind == "incoming"
        channel = "call"
        if incoming:
            channel = rng.choices(list(INCOMING_CHANNELS), weights=INCOMING_CHANNELS.values())[0]
        consultant = rng.choice(branch["consultants"])
        registrar = rng.choice(branch["operators"]) if incoming else consultant
        row = dict.fromkeys(self.columns)
        if "funnel_rank" in row:
            row["funnel_rank"] = 0
        row.update(
            id=traffic_id,
            name=self.name_format.format(number),
            channel_id=self.channels[channel],
            direction_id=goal.direction_id,
            goal_id=goal.id,
            goal_kind=goal.kind,
            date=date,
            company_id=branch["id"],
            registrar_id=registrar,
            create_uid=registrar,
            create_date=date,
            is_transferred=False,
        )
        if incoming and rng.random() < 0.7:
            row["source_id"] = rng.choice(self.sources)
        if goal.require_region:
            row["region_id"] = rng.choice(self.regions)
        if goal.interest:
            row["interest_model_id"], row["interest_brand_id"] = rng.choice(self.models)
            row["interest_condition"] = goal.interest
        if rng.random() < 0.25:
            row["note"] = rng.choice(NOTES)
        self._client(row, branch, goal, incoming and channel == "call")
        key = (row["partner_id"], goal.direction_id)
        row["is_repeat"] = bool(row["partner_id"]) and key in self.seen
        self.seen.add(key)
        self.repeats += row["is_repeat"]
        self._lifecycle(row, goal, channel, consultant)
        self.states[row["state"]] = self.states.get(row["state"], 0) + 1
        assert len(row) == len(self.columns), set(row) - set(self.columns)
        return tuple(row.values())

    def _client(self, row, branch, goal, incoming_call):
        """The client (and car) of the contact, or the name and phone of an unknown one."""
        rng = self.rng
        if goal.kind == "incoming" and rng.random() >= IDENTIFIED_SHARE:
            phone = None
            if rng.random() < 0.9:
                phone = self.factory.write_stored(self.factory.draw("ru_mobile"), False)
            if rng.random() < 0.6 or not phone:
                row["contact_name"] = client_name(rng, False)
            if goal.service and rng.random() < 0.3:
                row["license_plate"] = rng.choice(list(PLATE_FORMATS.values()))(*draw_plate(rng))
        else:
            vehicles = self.fleet[branch["id"]]
            if goal.service and vehicles and rng.random() < SERVICE_WITH_VEHICLE_SHARE:
                row["vehicle_id"], row["partner_id"] = rng.choice(vehicles)
            elif rng.random() < REGULAR_CONTACT_SHARE:
                row["partner_id"] = rng.choice(self.regulars)
            else:
                row["partner_id"] = rng.choice(self.clients)
            phone, main_number = None, self.main_numbers.get(row["partner_id"])
            if incoming_call and main_number and rng.random() < CALLER_ID_SHARE:
                number = split_e164(main_number)
                phone = render(number, rng.choice(list(FORMATS[number[0]])))
        row["contact_phone"] = phone
        row["phone_normalized"] = self.normalize_phone(phone, self.country) or None

    def _plan(self, row, goal, channel):
        """(queued, assigned, taken, closed, outcome, ignore reason): when the contact is,
        was or will be queued, assigned, taken and processed or ignored (None: never)."""
        rng, date = self.rng, row["date"]
        visit = channel == "visit"
        queued = None
        if visit and rng.random() < QUEUE_SHARE:
            queued = date + minutes(rng.uniform(0.2, 2))
        if goal.kind == "incoming":
            wait = rng.lognormvariate(math.log(8), 0.8) if queued else rng.uniform(0.3, 3)
            assigned = (queued or date) + minutes(wait)
            limit = goal.response_minutes or 30
            taken = assigned + minutes(rng.lognormvariate(math.log(limit * 0.6), 0.9))
        else:  # the consultant registers their own call and makes it
            assigned, taken = date, date + minutes(rng.uniform(0, 1))
        closed = taken + minutes(rng.lognormvariate(math.log(60 if visit else 20), 1.0))
        if rng.random() < open_share((self.now - date).total_seconds() / 86400):
            weights = dict(OPEN_STATE_WEIGHTS, queued=OPEN_STATE_WEIGHTS["queued"] * bool(queued))
            reached = rng.choices(list(weights), weights=weights.values())[0]
            return (
                queued if reached != "new" else None,
                assigned if reached in ("assigned", "in_progress") else None,
                taken if reached == "in_progress" else None,
                None,
                None,
                None,
            )
        if row["partner_id"] and rng.random() < PROCESSED_SHARE:
            return queued, assigned, taken, closed, "processed", None
        reason = self._ignore_reason(goal, visit, queued)
        if reason == "ignore_reason_timeout":
            taken = None
            closed = date + timedelta(days=goal.auto_ignore_days) + minutes(rng.uniform(0, 60))
        elif reason in ("ignore_reason_left_queue", "ignore_reason_walked_out"):
            assigned = taken = None
            closed = (queued or date) + minutes(rng.uniform(5, 40))
        return queued, assigned, taken, closed, "ignored", reason

    def _lifecycle(self, row, goal, channel, consultant):
        """State, dates, responsible and computed timings of the contact as of now: the
        events planned for it that are still in the future have not happened yet."""
        rng, date = self.rng, row["date"]
        *events, outcome, reason = self._plan(row, goal, channel)
        queued, assigned, taken, closed = (
            event if event and event <= self.now else None for event in events
        )
        if closed:
            state = outcome
        elif taken:
            state = "in_progress"
        elif assigned:
            state = "assigned"
        else:
            state = "queued" if queued else "new"
        limit = goal.response_minutes
        take_minutes = self.minutes_field((taken - date).total_seconds() / 60 if taken else 0.0)
        actor = consultant if taken else row["registrar_id"]
        if state == "ignored" and reason == "ignore_reason_timeout":
            actor = 1  # the cron runs as the superuser
        transferred = channel == "call" and goal.kind == "incoming" and bool(assigned)
        row.update(
            state=state,
            user_id=consultant if assigned else None,
            is_transferred=transferred and rng.random() < TRANSFER_SHARE,
            queued_date=queued,
            assigned_date=assigned,
            taken_date=taken,
            processed_date=closed,
            take_minutes=take_minutes,
            process_minutes=self.minutes_field(
                (closed - date).total_seconds() / 60 if closed else 0.0
            ),
            response_deadline=date + timedelta(minutes=limit) if limit else None,
            was_overdue=bool(limit and take_minutes > limit),
            write_uid=actor,
            write_date=closed or taken or assigned or queued or date,
        )
        if self.processed_by and state in ("processed", "ignored"):
            # The automatic ignoring leaves it empty.
            row["processed_user_id"] = None if actor == 1 else actor
        if state == "processed" and rng.random() < 0.5:
            row["outcome"] = rng.choice(OUTCOMES)
        if state == "ignored":
            row["ignore_reason_id"] = self.reasons[reason]
            if reason != "ignore_reason_timeout" and rng.random() < 0.3:
                row["ignore_comment"] = rng.choice(IGNORE_COMMENTS)

    def _ignore_reason(self, goal, visit, queued):
        weights = dict(IGNORE_REASONS)
        if not goal.auto_ignore_days:
            weights["ignore_reason_timeout"] = 0
        if not visit:
            weights["ignore_reason_walked_out"] = 0
        if not queued:
            weights["ignore_reason_left_queue"] = 0
        return self.rng.choices(list(weights), weights=weights.values())[0]


def generate_traffic(env, rng, branches, *, fleet, count, now):
    """Insert ``count`` traffic records with COPY, advance the traffic sequence past them
    and stamp the clients' last contacts; return data statistics."""
    cr = env.cr
    required_extras(cr, "dealer_traffic", set(TRAFFIC_COLUMNS))
    rows = TrafficRows(env, rng, now, branches, fleet)
    dates = traffic_dates(rng, now, count)
    traffic_ids = reserve_ids(cr, "dealer_traffic", count)
    items = list(zip(traffic_ids, dates, range(1, count + 1), strict=True))
    started = time.perf_counter()
    copied = []

    def progress(batch):
        copied.append(len(batch))
        log(f"  traffic {sum(copied):>10,}/{count:,}  {time.perf_counter() - started:6.1f} s")

    copy_in_background(
        (rows.batch(items[offset : offset + BATCH]) for offset in range(0, count, BATCH)),
        lambda batch: copy_rows(cr, "dealer_traffic", rows.columns, batch),
        progress,
    )
    env["ir.sequence"].search([("code", "=", "dealer.traffic")]).number_next = count + 1
    log("  stamping the clients' last incoming and outgoing contacts")
    cr.execute(
        """UPDATE res_partner partner
              SET last_incoming_contact = stamp.incoming, last_outgoing_contact = stamp.outgoing
             FROM (SELECT partner_id,
                          max(date) FILTER (WHERE goal_kind = 'incoming') AS incoming,
                          max(date) FILTER (WHERE goal_kind = 'outgoing') AS outgoing
                     FROM dealer_traffic WHERE partner_id IS NOT NULL GROUP BY partner_id) stamp
            WHERE partner.id = stamp.partner_id"""
    )
    return {"states": rows.states, "repeats": rows.repeats}


def document_plan(rng, client_ids, count, now):
    """[(day, client, direction index, done)] of ``count`` documents (done tasks) and of
    the open and canceled tasks, in date order: clients weighted by a Pareto draw (most
    have one or two documents, a few dozens), each with a main direction and a last
    visit, their earlier documents spaced back from it."""
    shares = [spec[0] for spec in DOCUMENT_DIRECTIONS.values()]
    buyers = rng.sample(client_ids, int(len(client_ids) * DOCUMENT_CLIENT_SHARE))
    weights = [rng.paretovariate(DOCUMENT_PARETO_ALPHA) for _ in buyers]
    cum, total = [], 0.0
    for weight in weights:
        total += weight
        cum.append(total)
    per_client = {}
    for client in rng.choices(buyers, cum_weights=cum, k=count):
        per_client[client] = per_client.get(client, 0) + 1
    today = now.date()
    plan = []
    directions = range(len(shares))
    for client, documents in per_client.items():
        main = rng.choices(directions, weights=shares)[0]
        # The last visit: recent for most, years ago for the clients who left.
        ago = int(DOCUMENT_DAYS * rng.random() ** 1.6)
        for _ in range(documents):
            direction = main
            if rng.random() >= DOCUMENT_MAIN_DIRECTION_SHARE:
                direction = rng.choices(directions, weights=shares)[0]
            plan.append((today - timedelta(days=min(ago, DOCUMENT_DAYS)), client, direction, True))
            ago += int(rng.expovariate(1 / DOCUMENT_GAP_DAYS))
            if ago > DOCUMENT_DAYS:  # history starts six years back: wrap into it
                ago = rng.randrange(DOCUMENT_DAYS)
    for share, days, done in (
        (OPEN_TASK_SHARE, OPEN_TASK_DAYS, False),
        (CANCELED_TASK_SHARE, DOCUMENT_DAYS, None),
    ):
        for client in rng.choices(buyers, cum_weights=cum, k=int(count * share)):
            direction = rng.choices(directions, weights=shares)[0]
            plan.append((today - timedelta(days=rng.randrange(days)), client, direction, done))
    plan.sort(key=lambda item: item[0])
    return plan, len(per_client)


def generate_documents(env, rng, *, client_ids, count, now):
    """Insert ``count`` done tasks with an amount and a done date (dealer_segmentation's
    documents) in the projects of the directions of DOCUMENT_DIRECTIONS, plus open tasks
    with a kind (the clients "in work") and canceled ones, with COPY, in date order;
    return data statistics. Needs dealer_segmentation (its task columns)."""
    cr = env.cr
    required_extras(cr, "project_task", set(TASK_COLUMNS))
    started = time.perf_counter()
    plan, buyers = document_plan(rng, client_ids, count, now)
    log(
        f"  planned {len(plan):,} tasks of {buyers:,} clients"
        f"  {time.perf_counter() - started:6.1f} s"
    )
    directions = []
    for xmlid, (_share, kind, median, sigma) in DOCUMENT_DIRECTIONS.items():
        direction = env.ref(f"dealer_base.{xmlid}")
        project = direction.project_id
        directions.append(
            (
                direction.id,
                project.id,
                project.company_id.id or None,
                kind,
                median,
                sigma,
                direction.short_name,
            )
        )
    stages = {
        code: env.ref(f"dealer_traffic.stage_{code}").id
        for code in ("appointment", "visit", "deal", "done")
    }
    task_ids = reserve_ids(cr, "project_task", len(plan))
    counts = {"done": 0, "open": 0, "canceled": 0}

    def row(task_id, item):
        day, client, direction, done = item
        direction_id, project_id, company_id, kind, median, sigma, short = directions[direction]
        moment = datetime(day.year, day.month, day.day, OPEN_HOUR_UTC) + timedelta(
            seconds=rng.randrange(OPEN_SECONDS)
        )
        amount = done_date = end = None
        if done:
            state, stage = "1_done", stages["done"]
            amount = round(rng.lognormvariate(math.log(median), sigma), 2)
            done_date, end = day, moment
            counts["done"] += 1
        elif done is None:
            state, stage, end = "1_canceled", stages["appointment"], moment
            counts["canceled"] += 1
        else:
            kind = rng.choice(("appointment", "visit", kind))
            state, stage = "01_in_progress", stages[kind]
            counts["open"] += 1
        with_direction = rng.random() < TASK_WITH_DIRECTION_SHARE
        return (
            *(task_id, f"{short}-{task_id}", project_id, stage, client, company_id, state),
            *(True, "0", 10, True, kind, direction_id if with_direction else None),
            *(FUNNEL_RANKS[kind], amount, done_date, end, end or moment, 1, 1, moment),
            end or moment,
        )

    def batches():
        for offset in range(0, len(plan), BATCH):
            yield [
                row(task_id, item)
                for task_id, item in zip(
                    task_ids[offset : offset + BATCH], plan[offset : offset + BATCH], strict=True
                )
            ]

    copied = []

    def progress(batch):
        copied.append(len(batch))
        log(f"  tasks {sum(copied):>10,}/{len(plan):,}  {time.perf_counter() - started:6.1f} s")

    copy_in_background(
        batches(), lambda batch: copy_rows(cr, "project_task", TASK_COLUMNS, batch), progress
    )
    return {"document_clients": buyers, "tasks": counts}


# --- generated data: continuations and the funnel's tasks (the traffic reports) ------

# Bump when what generate_funnel_data writes changes (it runs after the traffic, on its
# own random generator: the data of the other generators is the same with or without it).
FUNNEL_GENERATOR_VERSION = 1
CONTINUATION_DAYS = 3  # a client's contact this soon after one in the same direction...
CONTINUATION_SHARE = 0.3  # ...continues it this often
# Of the tasks made by processing: how often an appointment led to a visit, and a visit
# to a deal (in the directions whose projects have those steps).
VISIT_SHARE = 0.55
DEAL_SHARE = 0.3
RECENT_TASK_DAYS = 14  # tasks of contacts processed since then are still open
CANCELED_APPOINTMENT_SHARE = 0.3  # older appointments without a visit: canceled, else done
FUNNEL_TASK_COLUMNS = tuple(
    "id name project_id stage_id partner_id company_id state active priority sequence "
    "display_in_project dealer_kind dealer_direction_id dealer_funnel_rank traffic_id "
    "date_end date_last_stage_update create_uid write_uid create_date write_date".split()
)


def generate_continuations(cr, rng):
    """Mark CONTINUATION_SHARE of the identified incoming contacts that follow one of the
    same client, direction and branch within CONTINUATION_DAYS as its continuation
    (``continued_from_id``, and the stored ``is_continuation`` and
    ``continuation_measure``); return how many."""
    cr.execute(
        """SELECT id, partner_id, direction_id, company_id, date FROM dealer_traffic
            WHERE goal_kind = 'incoming' AND partner_id IS NOT NULL
            ORDER BY partner_id, direction_id, company_id, date, id"""
    )
    pairs, previous = [], None
    gap = timedelta(days=CONTINUATION_DAYS)
    for row in cr.fetchall():
        if (
            previous
            and previous[1:4] == row[1:4]
            and row[4] - previous[4] <= gap
            and rng.random() < CONTINUATION_SHARE
        ):
            pairs.append((row[0], previous[0]))
        previous = row
    cr.execute("CREATE TEMPORARY TABLE bench_continuation (id int, earlier int) ON COMMIT DROP")
    copy_rows(cr, "bench_continuation", ("id", "earlier"), pairs)
    cr.execute(
        """UPDATE dealer_traffic t
              SET continued_from_id = c.earlier, is_continuation = TRUE, continuation_measure = 1
             FROM bench_continuation c WHERE t.id = c.id"""
    )
    cr.execute("DROP TABLE bench_continuation")
    return len(pairs)


def generate_funnel_tasks(env, rng, now):
    """A task per processed contact, as processing makes it (``traffic_id``, the goal's
    kind, in its direction's project), moved along the funnel: appointments that led to
    a visit, visits to a deal, as far as the project's stages go; open when recent,
    else done (or canceled, for appointments that led nowhere). Inserted with COPY in
    the contacts' order; return {rank: tasks}."""
    cr = env.cr
    required_extras(cr, "project_task", set(FUNNEL_TASK_COLUMNS))
    stages = {
        step: env.ref(f"dealer_traffic.stage_{step}").id
        for step in ("appointment", "visit", "deal")
    }
    projects = {}
    for direction in env["dealer.direction"].search([("project_id", "!=", False)]):
        project = direction.project_id
        steps = set(project.type_ids.mapped("dealer_funnel_step"))
        ranks = [rank for step, rank in FUNNEL_RANKS.items() if step in steps]
        projects[direction.id] = (project.id, project.company_id.id or None, ranks)
    cr.execute(
        """SELECT t.id, t.partner_id, t.direction_id, t.processed_date, t.user_id,
                  COALESCE(g.task_kind, 'appointment'), COALESCE(g.short_name->>'en_US', 'T')
             FROM dealer_traffic t JOIN dealer_contact_goal g ON g.id = t.goal_id
            WHERE t.state = 'processed' AND t.partner_id IS NOT NULL
            ORDER BY t.processed_date, t.id"""
    )
    contacts = cr.fetchall()
    task_ids = reserve_ids(cr, "project_task", len(contacts))
    recent = now - timedelta(days=RECENT_TASK_DAYS)
    step_of_rank = {rank: step for step, rank in FUNNEL_RANKS.items()}
    counts = {}

    def row(task_id, contact):
        traffic_id, partner_id, direction_id, processed, user_id, kind, short = contact
        project_id, company_id, ranks = projects[direction_id]
        rank = FUNNEL_RANKS[kind]
        if rank == 1 and rng.random() < VISIT_SHARE:
            rank = 2
        if rank == 2 and rng.random() < DEAL_SHARE:
            rank = 3
        reached = max((r for r in ranks if r <= rank), default=1)
        rank = max(reached, FUNNEL_RANKS[kind])  # as the task computes it
        counts[rank] = counts.get(rank, 0) + 1
        end = None
        if processed >= recent:
            state = "01_in_progress"
        elif reached == 1 and rng.random() < CANCELED_APPOINTMENT_SHARE:
            state, end = "1_canceled", processed + timedelta(days=rng.randrange(1, 10))
        else:
            state, end = "1_done", processed + timedelta(days=rng.randrange(1, 10))
        changed = min(end or processed, now)
        return (
            *(task_id, f"{short}-{task_id}", project_id, stages[step_of_rank[reached]]),
            *(partner_id, company_id, state, True, "0", 10, True, kind, direction_id, rank),
            *(traffic_id, end and min(end, now), changed, user_id or 1, user_id or 1),
            *(processed, changed),
        )

    started = time.perf_counter()
    copied = []

    def progress(batch):
        copied.append(len(batch))
        log(
            f"  funnel tasks {sum(copied):>9,}/{len(contacts):,}"
            f"  {time.perf_counter() - started:6.1f} s"
        )

    copy_in_background(
        (
            [
                row(task_id, contact)
                for task_id, contact in zip(
                    task_ids[offset : offset + BATCH],
                    contacts[offset : offset + BATCH],
                    strict=True,
                )
            ]
            for offset in range(0, len(contacts), BATCH)
        ),
        lambda batch: copy_rows(cr, "project_task", FUNNEL_TASK_COLUMNS, batch),
        progress,
    )
    if "funnel_rank" in env["dealer.traffic"]._fields:
        log("  the contacts' furthest funnel step")
        cr.execute(
            """UPDATE dealer_traffic t SET funnel_rank = f.rank
                 FROM (SELECT traffic_id, MAX(dealer_funnel_rank) AS rank FROM project_task
                        WHERE traffic_id IS NOT NULL AND active GROUP BY traffic_id) f
                WHERE t.id = f.traffic_id"""
        )
    return dict(sorted(counts.items()))


def generate_funnel_data(env, now):
    """The traffic reports' data, after the traffic and on a random generator of its own:
    continuations (generate_continuations) and a task per processed contact
    (generate_funnel_tasks)."""
    rng = random.Random(SEED + 13)
    log("  continuations and the tasks made by processing")
    continuations = generate_continuations(env.cr, rng)
    tasks = generate_funnel_tasks(env, rng, now)
    return {"continuations": continuations, "funnel_tasks_by_rank": tasks}


# --- generated data: consents, birthdays and service appointments (dealer_notify) -----

# Bump when what generate_notify_data writes changes (the data of the other generators
# does not depend on it: it runs after them, on its own random generator).
APPOINTMENT_GENERATOR_VERSION = 1
SMS_CONSENT_SHARE = 0.7  # clients who agreed to SMS
BIRTHDAY_SHARE = 0.6  # individuals whose birthday is known
BIRTHDAY_YEARS = (1945, 2006)
# Appointments on the day measured, and on APPOINTMENT_SPREAD_DAYS days either side with
# a share of that day's count drawn in APPOINTMENT_OTHER_DAY_SHARE.
APPOINTMENT_SPREAD_DAYS = 7
APPOINTMENT_OTHER_DAY_SHARE = (0.6, 1.0)
APPOINTMENT_WITH_VEHICLE_SHARE = 0.9  # booked for one of the client's vehicles
APPOINTMENT_HOURS = (8, 20)  # local slots of 15 minutes, from 08:00 to 19:45
# On the day measured, besides ``count`` open service appointments, rows a day-before
# reminder must not pick: canceled service appointments, showroom appointments
# (test drives, deliveries) and archived ones, as shares of ``count``.
APPOINTMENT_NOISE = {"canceled": 0.03, "sales": 0.05, "archived": 0.01}
# What became of appointments on the days before the one measured.
PAST_APPOINTMENT_OUTCOMES = {"visited": 60, "canceled": 10, "open": 30}
APPOINTMENT_COLUMNS = tuple(
    "id name project_id stage_id partner_id company_id state active priority sequence "
    "display_in_project dealer_kind dealer_direction_id dealer_funnel_rank dealer_visit_at "
    "dealer_visit_end dealer_appointment_kind_id dealer_advisor_id vehicle_id date_end "
    "date_last_stage_update create_uid write_uid create_date write_date".split()
)


def generate_consents(env, rng, client_ids, now):
    """Give SMS_CONSENT_SHARE of the clients the SMS consent (dealer_base's
    ``consent_sms``, with its date) and BIRTHDAY_SHARE of the individuals a birthday
    (``birthday`` and the stored ``birthday_month``); return data statistics."""
    cr = env.cr
    cr.execute("SELECT id FROM res_partner WHERE is_company AND id = ANY(%s)", [client_ids])
    companies = {partner_id for (partner_id,) in cr.fetchall()}
    first = date(BIRTHDAY_YEARS[0], 1, 1)
    span = (date(BIRTHDAY_YEARS[1], 12, 31) - first).days + 1
    rows, consents, birthdays = [], 0, 0
    for partner_id in client_ids:
        consent = rng.random() < SMS_CONSENT_SHARE
        birthday = None
        if partner_id not in companies and rng.random() < BIRTHDAY_SHARE:
            birthday = first + timedelta(days=rng.randrange(span))
        if consent or birthday:
            rows.append((partner_id, consent, birthday))
            consents += consent
            birthdays += birthday is not None
    cr.execute(
        "CREATE TEMPORARY TABLE bench_partner_extra (id int, consent bool, birthday date) "
        "ON COMMIT DROP"
    )
    copy_rows(cr, "bench_partner_extra", ("id", "consent", "birthday"), rows)
    cr.execute(
        """UPDATE res_partner p
              SET consent_sms = e.consent,
                  consent_sms_date = CASE WHEN e.consent THEN %s END,
                  birthday = e.birthday,
                  birthday_month = COALESCE(EXTRACT(MONTH FROM e.birthday)::int, 0)
             FROM bench_partner_extra e WHERE p.id = e.id""",
        [now],
    )
    cr.execute("DROP TABLE bench_partner_extra")
    return {"sms_consents": consents, "birthdays": birthdays}


def appointment_plan(rng, count, day):
    """[(day, outcome)] of the appointments: ``count`` open service ones on ``day`` plus
    its noise (APPOINTMENT_NOISE), and the other days' ones, in date order."""
    plan = [(day, "open")] * count
    for outcome, share in APPOINTMENT_NOISE.items():
        plan += [(day, outcome)] * round(count * share)
    outcomes = list(PAST_APPOINTMENT_OUTCOMES)
    for offset in range(-APPOINTMENT_SPREAD_DAYS, APPOINTMENT_SPREAD_DAYS + 1):
        if not offset:
            continue
        other = day + timedelta(days=offset)
        for _ in range(round(count * rng.uniform(*APPOINTMENT_OTHER_DAY_SHARE))):
            outcome = "open"
            if offset < 0:
                outcome = rng.choices(outcomes, weights=PAST_APPOINTMENT_OUTCOMES.values())[0]
            plan.append((other, outcome))
    plan.sort(key=lambda item: item[0])
    return plan


def generate_appointments(env, rng, count, day, *, branches, fleet, client_ids, now):
    """Insert service appointments (project tasks of ``dealer_kind`` 'appointment' in the
    Service direction's project, stage Appointment, ``dealer_visit_at`` in a 15-minute
    slot of the branch's day, an appointment kind, a consultant of the branch as service
    advisor and, mostly, one of the client's vehicles) with COPY: ``count`` open ones on
    ``day`` (a date in the branches' time zone, TZ), the rows of APPOINTMENT_NOISE that
    day, and appointments on the days around it (visited, canceled or still open before
    it, open after it); return data statistics."""
    cr = env.cr
    required_extras(cr, "project_task", set(APPOINTMENT_COLUMNS))
    started = time.perf_counter()
    tz = ZoneInfo(TZ)
    directions = {}
    for code in ("service", "sales"):
        direction = env.ref(f"dealer_base.direction_{code}")
        directions[code] = (direction.id, direction.project_id.id, direction.short_name)
    stages = {code: env.ref(f"dealer_traffic.stage_{code}").id for code in ("appointment", "done")}
    kinds = {
        code: [(kind.id, kind.duration_minutes or 60) for kind in kinds]
        for code, kinds in env["dealer.appointment.kind"]
        .search([])
        .grouped(lambda kind: kind.direction_id.code or "service")
        .items()
    }
    plan = appointment_plan(rng, count, day)
    task_ids = reserve_ids(cr, "project_task", len(plan))
    slots = range(APPOINTMENT_HOURS[0] * 4, APPOINTMENT_HOURS[1] * 4)
    counts = {}

    def row(task_id, item):
        visit_day, outcome = item
        branch = pick_branch(rng, branches)
        vehicles = fleet[branch["id"]]
        vehicle_id = None
        if vehicles and rng.random() < APPOINTMENT_WITH_VEHICLE_SHARE:
            vehicle_id, partner_id = rng.choice(vehicles)
        else:
            partner_id = rng.choice(client_ids)
        code = "sales" if outcome == "sales" else "service"
        direction_id, project_id, short = directions[code]
        kind_id, minutes = rng.choice(kinds.get(code) or kinds["service"])
        slot = rng.choice(slots)
        local = datetime(visit_day.year, visit_day.month, visit_day.day, slot // 4, slot % 4 * 15)
        visit = local.replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
        booked = min(visit - timedelta(days=rng.randrange(1, 30)), now)
        state, stage, rank, end, active = "01_in_progress", stages["appointment"], 1, None, True
        if outcome == "visited":
            state, stage, rank, end = "1_done", stages["done"], 2, visit + timedelta(hours=3)
        elif outcome == "canceled":
            state, end = "1_canceled", booked
        elif outcome == "archived":
            active = False
        counts[outcome] = counts.get(outcome, 0) + 1
        changed = end or booked
        return (
            *(task_id, f"{short}-{task_id}", project_id, stage, partner_id, branch["id"]),
            *(state, active, "0", 10, True, "appointment", direction_id, rank, visit),
            *(visit + timedelta(minutes=minutes), kind_id, rng.choice(branch["consultants"])),
            *(vehicle_id, end, changed, 1, 1, booked, changed),
        )

    def batches():
        for offset in range(0, len(plan), BATCH):
            yield [
                row(task_id, item)
                for task_id, item in zip(
                    task_ids[offset : offset + BATCH], plan[offset : offset + BATCH], strict=True
                )
            ]

    copied = []

    def progress(batch):
        copied.append(len(batch))
        log(
            f"  appointments {sum(copied):>9,}/{len(plan):,}"
            f"  {time.perf_counter() - started:6.1f} s"
        )

    copy_in_background(
        batches(), lambda batch: copy_rows(cr, "project_task", APPOINTMENT_COLUMNS, batch), progress
    )
    return {
        "appointment_day": day.isoformat(),
        "appointments_on_day": count,
        "appointment_rows": len(plan),
        "appointment_outcomes": dict(sorted(counts.items())),
    }


def generate_notify_data(env, branches, *, fleet, client_ids, appointments, day, now):
    """dealer_notify's data, after the other generators' and on a random generator of
    its own (their data is the same with or without it): the branches' time zone, SMS
    consents and birthdays (generate_consents), service appointments
    (generate_appointments) on ``day`` (default: the day after ``now`` in TZ)."""
    rng = random.Random(SEED + 7)
    env["res.company"].browse([branch["id"] for branch in branches]).partner_id.write({"tz": TZ})
    env.flush_all()
    day = day or (now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(TZ)).date() + timedelta(1))
    stats = generate_consents(env, rng, client_ids, now)
    stats.update(
        generate_appointments(
            env,
            rng,
            appointments,
            day,
            branches=branches,
            fleet=fleet,
            client_ids=client_ids,
            now=now,
        )
    )
    return stats


# --- generated data: do-not-call flags and client tags (dealer_campaign) -------------

# Bump when what generate_campaign_data writes changes (it runs after the other generators,
# on its own random generator: their data is the same with or without it).
CAMPAIGN_GENERATOR_VERSION = 1
DO_NOT_CALL_SHARE = 0.015  # clients who asked not to be called (dealer_base's do_not_call)
# Client tags (res.partner.category) and the share of clients carrying each.
CLIENT_TAGS = {"VIP": 0.02, "Корпоративный клиент": 0.01, "Акции и новости": 0.15}
STAFF_EMAIL_DOMAIN = "bench.example.com"


def generate_campaign_data(env, client_ids, now):
    """dealer_campaign's data: DO_NOT_CALL_SHARE of the clients marked do-not-call (with
    its date, as dealer_base stamps it), the CLIENT_TAGS created with the ORM and given
    to their share of the clients with COPY, and an e-mail address for the staff who have
    none (a user posts in the chatter as sender: Odoo refuses a sender without one); on a
    random generator of its own, so that it can also run on a database the other
    generators made earlier. Return data statistics."""
    cr = env.cr
    rng = random.Random(SEED + 11)
    staff = env["res.users"].search([("share", "=", False), ("email", "=", False)])
    for user in staff:
        user.email = f"{user.login}@{STAFF_EMAIL_DOMAIN}"
    do_not_call = [partner_id for partner_id in client_ids if rng.random() < DO_NOT_CALL_SHARE]
    cr.execute(
        "UPDATE res_partner SET do_not_call = TRUE, do_not_call_date = %s WHERE id = ANY(%s)",
        [now, do_not_call],
    )
    tags = env["res.partner.category"].create([{"name": name} for name in CLIENT_TAGS])
    env.flush_all()
    rows, tagged = [], {}
    for tag, share in zip(tags, CLIENT_TAGS.values(), strict=True):
        chosen = [partner_id for partner_id in client_ids if rng.random() < share]
        rows += [(tag.id, partner_id) for partner_id in chosen]
        tagged[tag.name] = len(chosen)
    copy_rows(cr, "res_partner_res_partner_category_rel", ("category_id", "partner_id"), rows)
    cr.execute("ANALYZE res_partner_res_partner_category_rel")
    return {
        "staff_emails": len(staff),
        "do_not_call": len(do_not_call),
        "client_tags": {
            name: [tag_id, tagged[name]]
            for name, tag_id in zip(tags.mapped("name"), tags.ids, strict=True)
        },
    }


# --- generated data: the branches' PBX (dealer_pbx) -----------------------------------

# Every branch's PBX is a generic one (the addon's own JSON webhook) signed with this
# secret; its webhook token is PBX_TOKEN with the branch's index.
PBX_SECRET = "bench-pbx-hmac-secret"
PBX_TOKEN = "bench-pbx-webhook-token-{}"
# Company numbers dialled (8-800 numbers, which no generated client has): (last digits,
# direction, information source) per branch, the branch's index in the number.
PBX_LINES = (
    ("01", "dealer_base.direction_sales", "dealer_traffic.utm_source_avito"),
    ("02", "dealer_base.direction_sales", "dealer_traffic.utm_source_autoru"),
    ("03", "dealer_base.direction_service", "dealer_traffic.utm_source_website"),
    ("04", "dealer_base.direction_parts", "dealer_traffic.utm_source_website"),
)
PBX_LINE_NUMBER = "+7 (800) 555-3{}-{}"


def generate_pbx(env, branches):
    """One generic PBX per branch, created with the ORM (``dealer_pbx`` must be
    installed): its lines (direction, information source, the branch's operators taking
    turns as callback responsibles) and an extension per operator and consultant of the
    branch (``<branch index + 1><nn>``: 101, 102... 201...). Return [{id, company_id,
    token, secret, lines: {number: {direction_id, source_id, user_id}}, extensions:
    {number: user_id}}], in the order of ``branches``."""
    from odoo.fields import Command

    generated = []
    for index, branch in enumerate(branches):
        staff = branch["operators"] + branch["consultants"]
        extensions = {f"{index + 1}{rank:02d}": user_id for rank, user_id in enumerate(staff, 1)}
        lines = []
        for rank, (suffix, direction, source) in enumerate(PBX_LINES):
            lines.append(
                {
                    "number": PBX_LINE_NUMBER.format(index, suffix),
                    "name": f"{env.ref(direction).name} — {env.ref(source).name}",
                    "direction_id": env.ref(direction).id,
                    "source_id": env.ref(source).id,
                    "user_id": branch["operators"][rank % len(branch["operators"])],
                }
            )
        pbx = env["dealer.pbx"].create(
            {
                "name": f"АТС {branch['name']}",
                "provider": "generic",
                "company_id": branch["id"],
                "webhook_token": PBX_TOKEN.format(index),
                "api_secret": PBX_SECRET,
                "timezone": TZ,
                "line_ids": [Command.create(line) for line in lines],
                "extension_ids": [
                    Command.create({"number": number, "user_id": user_id})
                    for number, user_id in extensions.items()
                ],
            }
        )
        generated.append(
            {
                "id": pbx.id,
                "company_id": branch["id"],
                "token": PBX_TOKEN.format(index),
                "secret": PBX_SECRET,
                "lines": {
                    line.number_normalized: {
                        "direction_id": line.direction_id.id,
                        "source_id": line.source_id.id,
                        "user_id": line.user_id.id,
                    }
                    for line in pbx.line_ids
                },
                "extensions": extensions,
            }
        )
    env.flush_all()
    return generated


def overdue_condition():
    """The rows ``_cron_auto_ignore`` ignores (alias t, goals joined as g)."""
    return (
        "t.state IN %(open)s AND g.auto_ignore_days > 0 AND t.date < "
        "(now() AT TIME ZONE 'UTC') - make_interval(days => g.auto_ignore_days)"
    )


def count_overdue(cr):
    cr.execute(
        "SELECT count(*) FROM dealer_traffic t JOIN dealer_contact_goal g ON g.id = t.goal_id "
        f"WHERE {overdue_condition()}",
        {"open": OPEN_STATES},
    )
    return cr.fetchone()[0]


def generate(
    env,
    clients,
    traffic,
    documents=0,
    pbx=False,
    *,
    appointments=0,
    appointment_day=None,
    campaign=False,
    funnel=False,
):
    """Staff, clients, vehicles, traffic and, when ``documents``, project tasks (done ones
    with an amount: dealer_segmentation's documents), when ``pbx`` each branch's PBX
    (``dealer_pbx``: see ``generate_pbx``), when ``appointments`` dealer_notify's data
    (SMS consents, birthdays and service appointments: see ``generate_notify_data``), and
    when ``campaign`` dealer_campaign's (do-not-call flags and client tags: see
    ``generate_campaign_data``), and when ``funnel`` the traffic reports' (continuations
    and the tasks made by processing: see ``generate_funnel_data``); return data
    statistics."""
    cr = env.cr
    rng = random.Random(SEED)
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    phases = {}

    @contextmanager
    def phase(name):
        started = time.perf_counter()
        yield
        phases[name] = round(time.perf_counter() - started, 1)

    with phase("staff"):
        log("  creating branches and staff with the ORM")
        branches = create_staff(env, rng)
    with_tasks = documents or appointments or funnel
    tables = (*LOADED_TABLES, "project_task") if with_tasks else LOADED_TABLES
    with bulk_load(cr, tables):
        with phase("clients"):
            client_stats = generate_clients(env, clients, rng)
        with phase("vehicles"):
            cr.execute("SELECT DISTINCT partner_id FROM dealer_partner_phone ORDER BY partner_id")
            client_ids = [partner_id for (partner_id,) in cr.fetchall()]
            vehicles = round(clients * VEHICLES_PER_CLIENT)
            fleet = generate_vehicles(
                env, rng, branches, client_ids=client_ids, count=vehicles, now=now
            )
        with phase("traffic"):
            traffic_stats = generate_traffic(
                env, rng, branches, fleet=fleet, count=traffic, now=now
            )
        extra = {}  # the optional generators' statistics
        if funnel:
            with phase("funnel"):
                extra.update(generate_funnel_data(env, now))
        if documents:
            with phase("documents"):
                extra |= generate_documents(
                    env, rng, client_ids=client_ids, count=documents, now=now
                )
        if appointments:
            with phase("appointments"):
                log("  SMS consents, birthdays and service appointments")
                extra |= generate_notify_data(
                    env,
                    branches,
                    fleet=fleet,
                    client_ids=client_ids,
                    appointments=appointments,
                    day=appointment_day,
                    now=now,
                )
        if campaign:
            with phase("campaign"):
                log("  do-not-call flags and client tags")
                extra |= generate_campaign_data(env, client_ids, now)
        loaded = time.perf_counter()
    phases["indexes"] = round(time.perf_counter() - loaded, 1)
    with phase("analyze"):
        log("  ANALYZE")
        cr.execute(f"ANALYZE {', '.join(tables)}")
    if pbx:
        with phase("pbx"):
            log("  creating the branches' PBX, lines and extensions with the ORM")
            extra["pbx"] = generate_pbx(env, branches)
    states = traffic_stats["states"]
    return {
        **client_stats,
        "client_ids": [client_ids[0], client_ids[-1]],
        "vehicles": vehicles,
        "active_vehicles": sum(map(len, fleet.values())),
        "branches": branches,
        "data_end": now.isoformat(sep=" "),
        "traffic_states": dict(sorted(states.items())),
        "open": sum(states.get(state, 0) for state in OPEN_STATES),
        "overdue_at_generation": count_overdue(cr),
        "repeat_contacts": traffic_stats["repeats"],
        **extra,
        "phases_s": phases,
    }


def vacuum(db, tables):
    """VACUUM (ANALYZE) ``tables`` of ``db``, outside any transaction."""
    cnx = psycopg2.connect(dbname=db)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    cnx.close()


# --- measuring helpers ------------------------------------------------------------------


@contextmanager
def recorded_statements(cr):
    """The SQL statements run on ``cr`` inside the block, with their parameters inlined."""
    statements = []
    execute = cr.execute

    def recording(query, params=None, log_exceptions=True):
        statements.append(cr.mogrify(query, params).decode())
        return execute(query, params, log_exceptions)

    cr.execute = recording
    try:
        yield statements
    finally:
        del cr.execute


def profile(env, call):
    """Every SELECT ``call()`` runs, with its plan and time from EXPLAIN ANALYZE, and what
    ``call()`` returned."""
    env.invalidate_all()
    with recorded_statements(env.cr) as statements:
        result = call()
    profiled = []
    for statement in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        env.cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        plan = [line for (line,) in env.cr.fetchall()]
        ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan[-1]).group(1))
        profiled.append({"sql": statement, "ms": ms, "plan": plan})
    return {"statements": len(statements), "selects": profiled, "result": result}


def timed(env, call):
    """(result, milliseconds) of ``call()`` on a cold ORM cache."""
    env.invalidate_all()
    start = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - start) * 1000


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if denominator else None


def staff_env(env, user_id, company_ids):
    """``env`` as the web client gives it to ``user_id`` working in ``company_ids``."""
    context = {"lang": "en_US", "tz": TZ, "allowed_company_ids": company_ids, "bin_size": True}
    return env(user=user_id, context=context)


# --- 1. client lookup -------------------------------------------------------------------


def baseline_autocomplete(partners, text):
    """Odoo's plain many2one autocomplete on clients: name_search without dealer_base."""
    records = partners.search_fetch([("complete_name", "ilike", text)], ["display_name"], limit=8)
    return [(record.id, record.display_name) for record in records]


LOOKUP_METHODS = {
    "ours": (
        "ours: dealer_lookup(text)",
        lambda partners, text: [card["id"] for card in partners.dealer_lookup(text)],
    ),
    "baseline": (
        "baseline: search_fetch([('complete_name', 'ilike', text)], ['display_name'], limit=8)",
        lambda partners, text: [pid for pid, _name in baseline_autocomplete(partners, text)],
    ),
}
# Profiled once per kind of input but not timed (too slow to run 200 times at scale): the
# many2one autocomplete on clients as dealer_base extends it.
LOOKUP_PROFILED = {
    **LOOKUP_METHODS,
    "name_search": (
        "ours: name_search(text, limit=8), as extended by dealer_base",
        lambda partners, text: [pid for pid, _name in partners.name_search(text, limit=8)],
    ),
}
# The name inputs again, for the name search alone: the best 8 clients by name.
NAME_METHODS = {
    "ours": (
        "ours: dealer_find_by_name(text, limit=8)",
        lambda partners, text: partners.dealer_find_by_name(text, 8).ids,
    ),
    "baseline": LOOKUP_METHODS["baseline"],
}
# Kinds of input whose forms get a line of their own in the hits table.
FORM_KINDS = ("plate", "name")


def other_yo(name):
    """``name`` in its other spelling: ё written е, or е written ё where it may be."""
    return name.replace("ё", "е") if "ё" in name else with_yo(name)


def name_inputs(cr, rng, branch_id, count):
    """``count`` name inputs: the clients of random contacts of the branch (who get
    registered: regular clients more often), each name written in a form of
    NAME_QUERY_FORMS; names that have no ё/е variant are not used for that form."""
    cr.execute(
        """SELECT t.partner_id, p.name FROM dealer_traffic t
             JOIN res_partner p ON p.id = t.partner_id
            WHERE t.company_id = %s AND NOT p.is_company
            ORDER BY t.id""",
        [branch_id],
    )
    contacts = cr.fetchall()
    plan = [form for form, (share, _write) in NAME_QUERY_FORMS.items() for _ in range(share)]
    # The warm-up inputs (the first ones) in the first form.
    plan = [plan[0]] * (count - len(plan)) + plan
    inputs, used = [], set()
    while plan:
        partner_id, name = rng.choice(contacts)
        if partner_id in used:
            continue
        form = next((f for f in plan if "ё/е" not in f or other_yo(name) != name), None)
        if form is None:
            continue
        plan.remove(form)
        used.add(partner_id)
        write = NAME_QUERY_FORMS[form][1]
        inputs.append({"form": form, "text": write(name), "expected": partner_id})
    return inputs


def lookup_inputs(env, rng, branch_id, data):
    """(warm-up inputs, measured inputs): {kind, form, text, expected client or None}."""
    cr = env.cr
    inputs = {kind: [] for kind in LOOKUP_INPUTS}
    wanted = {kind: count + LOOKUP_WARMUP for kind, count in LOOKUP_INPUTS.items()}
    for query in existing_queries(cr, rng, wanted["phone"]):
        inputs["phone"].append(
            {"form": query["format"], "text": query["query"], "expected": query["expected"]}
        )
    cr.execute(
        """SELECT plate_normalized, owner_id FROM dealer_vehicle
            WHERE active AND company_id = %s AND plate_normalized IS NOT NULL
              AND owner_id IS NOT NULL ORDER BY id""",
        [branch_id],
    )
    plate_forms = list(PLATE_QUERY_FORMS.items())
    for index, (plate, owner_id) in enumerate(rng.sample(cr.fetchall(), wanted["plate"])):
        form, write = plate_forms[index % len(plate_forms)]
        inputs["plate"].append(
            {"form": form, "text": write(plate[:6], plate[6:]), "expected": owner_id}
        )
    inputs["name"] = name_inputs(cr, rng, branch_id, wanted["name"])
    for query in absent_queries(cr, PhoneFactory(rng), wanted["absent"]):
        inputs["absent"].append({"form": query["format"], "text": query["query"], "expected": None})
    warmup, measured = [], []
    for kind, items in inputs.items():
        for item in items:
            item["kind"] = kind
        warmup += items[:LOOKUP_WARMUP]
        measured += items[LOOKUP_WARMUP:]
    rng.shuffle(measured)
    return warmup, measured


def run_lookups(env, inputs, methods=LOOKUP_METHODS, prefix=""):
    """Run every method on every input, rotating which goes first; store the outcomes
    (under ``prefix`` + the method's name)."""
    partners = env["res.partner"]
    names = list(methods)
    for index, item in enumerate(inputs):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            method, text = methods[name][1], item["text"]
            ids, ms = timed(env, lambda m=method, t=text: m(partners, t))
            if item["expected"] is None:
                hit = not ids
            else:
                hit = item["expected"] in ids
            item[prefix + name] = {"ids": ids, "ms": round(ms, 3), "hit": hit}


def measure_lookups(env, rng, data):
    main = data["branches"][0]
    operator = main["operators"][0]
    operator_env = staff_env(env, operator, [main["id"]])
    warmup, measured = lookup_inputs(env, rng, main["id"], data)
    log(f"1. client lookup: {len(measured)} inputs (+{len(warmup)} warm-up), ours and baseline")
    run_lookups(operator_env, warmup)
    start = time.perf_counter()
    run_lookups(operator_env, measured)
    elapsed = time.perf_counter() - start
    summary = {}
    for name, (label, _method) in LOOKUP_METHODS.items():
        by_kind = {}
        for kind in (*LOOKUP_INPUTS, "all"):
            items = [i for i in measured if kind in ("all", i["kind"])]
            by_kind[kind] = {
                "inputs": len(items),
                "hits": sum(i[name]["hit"] for i in items),
                "ms": timing([i[name]["ms"] for i in items]),
            }
        summary[name] = {"label": label, "by_kind": by_kind}
    forms = {}
    for item in (i for i in measured if i["kind"] in FORM_KINDS):
        row = forms.setdefault(f"{item['kind']}: {item['form']}", {"inputs": 0})
        row["inputs"] += 1
        for name in LOOKUP_METHODS:
            row[name] = row.get(name, 0) + item[name]["hit"]
    name_search = measure_name_search(operator_env, warmup, measured)
    profiles = {}
    for kind in LOOKUP_INPUTS:
        item = next(i for i in measured if i["kind"] == kind)
        profiles[kind] = {"text": item["text"]}
        for name, (_label, method) in LOOKUP_PROFILED.items():
            partners = operator_env["res.partner"]
            profiles[kind][name] = profile(
                operator_env, lambda m=method, p=partners, t=item["text"]: m(p, t)
            )
    return {
        "operator": operator,
        "seconds": round(elapsed, 1),
        "summary": summary,
        "hits_by_form": dict(sorted(forms.items())),
        "name_search": name_search,
        "profiles": profiles,
        "inputs": measured,
    }


def measure_name_search(env, warmup, measured):
    """The name inputs once more, the name search alone: hits in the first 8 and times
    of ``dealer_find_by_name`` and of the baseline, per form of name and in all."""
    names = [item for item in measured if item["kind"] == "name"]
    run_lookups(env, [i for i in warmup if i["kind"] == "name"], NAME_METHODS, "name_search_")
    run_lookups(env, names, NAME_METHODS, "name_search_")
    rows = {}
    for form in (*NAME_QUERY_FORMS, "all"):
        items = [item for item in names if form in ("all", item["form"])]
        rows[form] = {"inputs": len(items)}
        for name in NAME_METHODS:
            results = [item[f"name_search_{name}"] for item in items]
            rows[form][name] = {
                "hits": sum(result["hit"] for result in results),
                "ms": timing([result["ms"] for result in results]),
            }
    return {"labels": {name: label for name, (label, _m) in NAME_METHODS.items()}, "rows": rows}


def report_name_search(name_search):
    rows = []
    for form, row in name_search["rows"].items():
        rows.append(
            [
                form,
                str(row["inputs"]),
                *(str(row[name]["hits"]) for name in NAME_METHODS),
                *(
                    f"{row[name]['ms'][stat]:.1f}"
                    for name in NAME_METHODS
                    for stat in ("median", "p95")
                ),
            ]
        )
    header = [
        "name typed as",
        "inputs",
        "hits ours",
        "hits baseline",
        "ours median ms",
        "ours p95 ms",
        "baseline median ms",
        "baseline p95 ms",
    ]
    log(markdown_table(header, rows, "lr" + "r" * 6))


# --- 2. automatic ignoring --------------------------------------------------------------


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


def set_overdue_rows(env, rng, target):
    """Make exactly ``target`` open rows overdue (the rows the cron ignores): close the
    extra ones, or reopen old processed and ignored ones. Returns (their ids, how many
    open rows were overdue before)."""
    cr = env.cr
    cr.execute(
        "SELECT t.id FROM dealer_traffic t JOIN dealer_contact_goal g ON g.id = t.goal_id "
        f"WHERE {overdue_condition()} ORDER BY t.id",
        {"open": OPEN_STATES},
    )
    overdue = [row_id for (row_id,) in cr.fetchall()]
    found = len(overdue)
    if found > target:
        kept = set(rng.sample(overdue, target))
        cr.execute(
            "UPDATE dealer_traffic SET state = 'processed' WHERE id = ANY(%s)",
            [[row_id for row_id in overdue if row_id not in kept]],
        )
        overdue = sorted(kept)
    elif found < target:
        cr.execute(
            """SELECT t.id FROM dealer_traffic t JOIN dealer_contact_goal g ON g.id = t.goal_id
                WHERE t.state IN ('processed', 'ignored') AND t.user_id IS NOT NULL
                  AND g.auto_ignore_days > 0
                  AND t.date < (now() AT TIME ZONE 'UTC')
                               - make_interval(days => g.auto_ignore_days + 1)
                ORDER BY t.id"""
        )
        extra = rng.sample([row_id for (row_id,) in cr.fetchall()], target - found)
        cr.execute(
            """UPDATE dealer_traffic
                  SET state = CASE WHEN taken_date IS NULL THEN 'assigned' ELSE 'in_progress' END,
                      processed_date = NULL, process_minutes = 0, ignore_reason_id = NULL,
                      ignore_comment = NULL
                WHERE id = ANY(%s)""",
            [extra],
        )
        overdue = sorted(overdue + extra)
    env.invalidate_all()
    assert count_overdue(cr) == target
    return overdue, found


def expected_trace(env, rows):
    """(messages, tracking values) ignoring ``rows`` must log, as mail's tracking does:
    one message per row, a value for the state and one for the reason where it changes."""
    env.cr.execute(
        "SELECT count(*), count(*) + count(*) FILTER (WHERE ignore_reason_id IS DISTINCT FROM "
        "%s) FROM dealer_traffic WHERE id = ANY(%s)",
        [env.ref("dealer_traffic.ignore_reason_timeout").id, rows],
    )
    return env.cr.fetchone()


def last_message_id(env):
    env.cr.execute("SELECT COALESCE(max(id), 0) FROM mail_message")
    return env.cr.fetchone()[0]


def count_trace(env, rows, after_message_id):
    """(messages, tracking values of state and reason) logged on ``rows`` since
    ``after_message_id``: the proof that a run did the whole work, chatter included."""
    # The run's messages are not in the statistics yet (they were made in this
    # transaction): without them the planner loops over the tracking values per message.
    env.cr.execute("ANALYZE mail_message, mail_tracking_value")
    env.cr.execute(
        """SELECT count(DISTINCT m.id), count(v.id)
             FROM mail_message m
             LEFT JOIN mail_tracking_value v ON v.mail_message_id = m.id
                  AND v.field_id IN (SELECT id FROM ir_model_fields
                                      WHERE model = 'dealer.traffic'
                                        AND name IN ('state', 'ignore_reason_id'))
            WHERE m.model = 'dealer.traffic' AND m.res_id = ANY(%s) AND m.id > %s""",
        [rows, after_message_id],
    )
    return env.cr.fetchone()


def run_ignore(env, rows, runs, name, ignore):
    """Milliseconds of each run of ``ignore()`` (warm-up first), each on the same rows in a
    savepoint rolled back after it, and the chatter trace of the last run; every run must
    ignore all ``rows`` and log the trace a manual ignore logs."""
    timings = []
    for index in range(1 + runs):
        with savepoint(env, name):
            expected = expected_trace(env, rows)
            before = last_message_id(env)
            _result, ms = timed(env, ignore)
            env.cr.execute(
                "SELECT count(*) FROM dealer_traffic WHERE id = ANY(%s) AND state = 'ignored'",
                [rows],
            )
            assert env.cr.fetchone()[0] == len(rows)
            trace = count_trace(env, rows, before)
            assert trace == expected, (name, trace, expected)
            if index:
                timings.append(ms)
    return timings, {"messages": trace[0], "tracking_values": trace[1]}


def run_auto_ignore(env, rows, runs):
    """``run_ignore`` of the cron, its batches not committed."""
    import odoo

    def ignore():
        previous, odoo.modules.module.current_test = odoo.modules.module.current_test, True
        try:
            count = env["dealer.traffic"]._cron_auto_ignore()
        finally:
            odoo.modules.module.current_test = previous
        env.cr.precommit.run()  # nothing to post: the cron logged its trace itself
        assert count == len(rows), (count, len(rows))

    return run_ignore(env, rows, runs, "auto_ignore_run", ignore)


def run_orm_ignore(env, rows, runs):
    """``run_ignore`` of one ORM ``write`` per row, tracking on (as for a manual ignore:
    the precommit posts the tracking messages a commit would post)."""
    from odoo import fields

    reason = env.ref("dealer_traffic.ignore_reason_timeout")
    assert not env.context.get("tracking_disable") and not env.context.get("mail_notrack")

    def ignore():
        records = env["dealer.traffic"].browse(rows)
        now = fields.Datetime.now()
        for record in records:
            record.write({"state": "ignored", "ignore_reason_id": reason.id, "processed_date": now})
        env.flush_all()
        env.cr.precommit.run()

    return run_ignore(env, rows, runs, "orm_ignore_run", ignore)


def measure_auto_ignore(env, rng, data):
    target = min(AUTO_IGNORE_ROWS, data["traffic"] // 50)
    sample = min(AUTO_IGNORE_ORM_ROWS, target // 10)
    with savepoint(env, "auto_ignore"):
        rows, found = set_overdue_rows(env, rng, target)
        log(
            f"2. automatic ignoring: cron on {target:,} overdue rows ({AUTO_IGNORE_RUNS} runs), "
            f"ORM writes on {sample:,} ({AUTO_IGNORE_ORM_RUNS} runs)"
        )
        cron, cron_trace = run_auto_ignore(env, rows, AUTO_IGNORE_RUNS)
        orm, orm_trace = run_orm_ignore(env, rng.sample(rows, sample), AUTO_IGNORE_ORM_RUNS)
    methods = {}
    for name, label, count, timings, trace in (
        (
            "ours",
            "ours: _cron_auto_ignore() (set-based SQL and chatter, batches of 5,000)",
            target,
            cron,
            cron_trace,
        ),
        (
            "baseline",
            "baseline: for t in records: t.write({...ignored...}), tracking on",
            sample,
            orm,
            orm_trace,
        ),
    ):
        stats = timing(timings)
        methods[name] = {
            "label": label,
            "rows": count,
            **trace,
            "runs": len(timings),
            "ms": stats,
            "ms_per_row": round(stats["median"] / count, 4),
            "rows_per_s": round(count / stats["median"] * 1000),
            "timings_ms": [round(ms, 1) for ms in timings],
        }
    return {
        "overdue_found": found,
        "methods": methods,
        "ratio_ours_over_baseline_rows_per_s": ratio(
            methods["ours"]["rows_per_s"], methods["baseline"]["rows_per_s"]
        ),
    }


# --- 3. traffic journal -----------------------------------------------------------------


def journal_specification(traffic):
    """What the web client reads for the journal's list view, as ``traffic``'s user gets
    the view (fields of groups they lack are gone)."""
    view = traffic.env.ref("dealer_traffic.dealer_traffic_view_list")
    arch = traffic.get_views([(view.id, "list")])["views"]["list"]["arch"]
    specification = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        name = node.get("name")
        many2one = traffic._fields[name].type == "many2one"
        specification[name] = {"fields": {"display_name": {}}} if many2one else {}
    return specification


def month_bounds(data_end):
    """The Date filter's default, 'this month' in the users' time zone, in UTC as the web
    client sends it, for the month the data ends in."""
    zone = ZoneInfo(TZ)
    end = datetime.fromisoformat(data_end).replace(tzinfo=timezone.utc).astimezone(zone)
    start = end.replace(day=1, hour=0, minute=0, second=0)
    following = (start + timedelta(days=32)).replace(day=1)
    utc = [moment.astimezone(timezone.utc).replace(tzinfo=None) for moment in (start, following)]
    return [
        moment.strftime("%Y-%m-%d %H:%M:%S") for moment in (utc[0], utc[1] - timedelta(seconds=1))
    ]


def journal_filter(name, uid, month):
    """(domain, SQL condition) of a filter of the journal's search view."""
    from odoo.tools import SQL

    if name == "this month":
        return (
            ["&", ("date", ">=", month[0]), ("date", "<=", month[1])],
            SQL("date >= %s AND date <= %s", *month),
        )
    if name == "Unprocessed + My Traffic":
        return (
            ["&", ("user_id", "=", uid), ("state", "in", OPEN_STATES)],
            SQL("user_id = %s AND state IN %s", uid, OPEN_STATES),
        )
    return [], SQL("TRUE")


def main_statement(profiled):
    """The page's search: the first SELECT on dealer_traffic with the page's order."""
    return next(
        s
        for s in profiled["selects"]
        if 'FROM "dealer_traffic"' in s["sql"] and "ORDER BY" in s["sql"]
    )


def measure_journal(env, data):
    from odoo.tools import SQL

    main = data["branches"][0]
    users = {
        "supervisor": (main["supervisor"], main["supervised"]),
        "consultant": (main["consultants"][0], [main["id"]]),
        "operator": (main["operators"][0], [main["id"]]),
    }
    month = month_bounds(data["data_end"])
    log(
        f"3. journal: {len(JOURNAL_SCENARIOS)} pages x {JOURNAL_RUNS} runs "
        f"(+{JOURNAL_WARMUP} warm-up)"
    )
    scenarios = []
    for role, filter_name in JOURNAL_SCENARIOS:
        uid, company_ids = users[role]
        traffic = staff_env(env, uid, company_ids)["dealer.traffic"]
        specification = journal_specification(traffic)
        domain, condition = journal_filter(filter_name, uid, month)
        columns = [name for name in specification if traffic._fields[name].store]
        plain = SQL(
            "SELECT id, %s FROM dealer_traffic WHERE %s ORDER BY date DESC, id DESC LIMIT %s",
            SQL(", ").join(SQL.identifier(column) for column in columns),
            condition,
            JOURNAL_LIMIT,
        )

        def orm_page(traffic=traffic, domain=domain, specification=specification):
            return traffic.web_search_read(
                domain=domain,
                specification=specification,
                limit=JOURNAL_LIMIT,
                order=JOURNAL_ORDER,
                count_limit=JOURNAL_COUNT_LIMIT,
            )

        def sql_page(plain=plain):
            env.cr.execute(plain)
            return env.cr.fetchall()

        orm_ms, sql_ms = [], []
        for index in range(JOURNAL_WARMUP + JOURNAL_RUNS):
            pair = ((orm_page, orm_ms), (sql_page, sql_ms))
            for call, timings in pair if index % 2 == 0 else reversed(pair):
                _result, ms = timed(env, call)
                if index >= JOURNAL_WARMUP:
                    timings.append(ms)
        profiled = profile(env, orm_page)
        page = profiled["result"]
        slowest = max(profiled["selects"], key=lambda s: s["ms"])
        orm, baseline = timing(orm_ms), timing(sql_ms)
        scenarios.append(
            {
                "user": role,
                "uid": uid,
                "companies": company_ids,
                "filter": filter_name,
                "domain": domain,
                "fields": list(specification),
                "length": page["length"],
                "rows": len(page["records"]),
                "orm_ms": orm,
                "sql_ms": baseline,
                "ratio_orm_over_sql": {
                    stat: ratio(orm[stat], baseline[stat]) for stat in ("median", "p95")
                },
                "statements": profiled["statements"],
                "main_query": main_statement(profiled),
                "count_query": next(
                    (q for q in profiled["selects"] if q["sql"].startswith("SELECT COUNT(*)")),
                    None,
                ),
                "slowest_query": slowest,
                "plain_sql": env.cr.mogrify(plain.code, plain.params).decode(),
            }
        )
    return {"month": month, "scenarios": scenarios}


# --- 4. report pivots -------------------------------------------------------------------


def previous_month(data_end):
    """(first day, last day) of the month before the one the data ends in, in TZ."""
    zone = ZoneInfo(TZ)
    end = datetime.fromisoformat(data_end).replace(tzinfo=timezone.utc).astimezone(zone)
    last = end.date().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def month_domain(env, month):
    """The contacts of ``month`` (first and last day) as the reports' Date filter and the
    «Data for the Period» dialog select them, in the user's time zone."""
    from odoo.addons.dealer_traffic.report.dealer_traffic_report_mixin import period_domain

    return period_domain(env, *month)


def pivot_measures(model):
    """The measures of ``model``'s pivot view as the web client asks them: each with its
    field's aggregator."""
    arch = model.get_views([(False, "pivot")])["views"]["pivot"]["arch"]
    names = [
        node.get("name")
        for node in etree.fromstring(arch).iter("field")
        if node.get("type") == "measure"
    ]
    aggregators = model.fields_get(names, ["aggregator"])
    return [f"{name}:{aggregators[name]['aggregator']}" for name in names]


def load_pivot(model, domain, measures):
    """The read_groups of a pivot with rows by goal and columns by consultant."""
    return [
        model.read_group(domain, list(measures), list(groupby), lazy=False)
        for groupby in PIVOT_GROUPBYS
    ]


def measure_reports(env, data):
    """Each report's pivot for the previous month, rows by goal and columns by consultant,
    as the main branch's supervisor (three branches) and a consultant, record rules
    applied, against Odoo's read_group on dealer.traffic with the same groups."""
    main = data["branches"][0]
    users = {
        "supervisor": (main["supervisor"], main["supervised"]),
        "consultant": (main["consultants"][0], [main["id"]]),
    }
    month = previous_month(data["data_end"])
    log(
        f"4. report pivots of {month[0]:%Y-%m}: {len(REPORT_MODELS)} reports x "
        f"{len(users)} users x {REPORT_RUNS} runs (+{REPORT_WARMUP} warm-up)"
    )
    scenarios = []
    for role, (uid, company_ids) in users.items():
        staff = staff_env(env, uid, company_ids)
        domain = month_domain(staff, month)
        traffic = staff["dealer.traffic"]
        for model_name in REPORT_MODELS:
            report_model = staff[model_name]
            measures = pivot_measures(report_model)

            def ours(model=report_model, domain=domain, measures=measures):
                return load_pivot(model, domain, measures)

            def baseline(domain=domain, traffic=traffic):
                return load_pivot(traffic, domain, BASELINE_MEASURES)

            ours_ms, baseline_ms = [], []
            for index in range(REPORT_WARMUP + REPORT_RUNS):
                pair = ((ours, ours_ms), (baseline, baseline_ms))
                for call, timings in pair if index % 2 == 0 else reversed(pair):
                    _result, ms = timed(env, call)
                    if index >= REPORT_WARMUP:
                        timings.append(ms)
            profiled = profile(env, ours)
            groups = profiled["result"]
            total = groups[0][0]
            main_query = max(
                (q for q in profiled["selects"] if "GROUP BY" in q["sql"]),
                key=lambda q: q["ms"],
            )
            stats, base = timing(ours_ms), timing(baseline_ms)
            scenarios.append(
                {
                    "user": role,
                    "uid": uid,
                    "report": model_name,
                    "measures": measures,
                    "contacts": total.get("__count"),
                    "traffic_count": total.get("traffic_count"),
                    "baseline_count": traffic.search_count(domain),
                    "goals": len(groups[1]),
                    "consultants": len(groups[2]),
                    "cells": len(groups[3]),
                    "ms": stats,
                    "baseline_ms": base,
                    "ratio_ours_over_baseline": {
                        stat: ratio(stats[stat], base[stat]) for stat in ("median", "p95")
                    },
                    "within_target": stats["p95"] <= PIVOT_TARGET_MS,
                    "statements": profiled["statements"],
                    "main_query": main_query,
                }
            )
    return {"month": [day.isoformat() for day in month], "domain": domain, "scenarios": scenarios}


# --- 5. the «Data for the Period» workbook ------------------------------------------------


def xlsx_rows(content):
    """The rows of the first sheet of the workbook ``content`` (its XML's row elements)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/worksheets/sheet1.xml").count(b"<row ")


def measure_export(env, data):
    """The month's workbook as the main branch's supervisor downloads it (the dialog's
    action: the rows read in one statement, written with xlsxwriter, stored for the
    download) against Odoo's own export of the same columns: search, export_data and the
    web client's xlsx writer."""
    import base64
    from types import SimpleNamespace

    from odoo.addons.web.controllers.export import ExportXlsxWriter
    from odoo.http import _request_stack

    main = data["branches"][0]
    # Odoo's export needs its export right (rolled back with the rest).
    env.ref("base.group_allow_export").users = [(4, main["supervisor"])]
    env.flush_all()
    staff = staff_env(env, main["supervisor"], main["supervised"])
    month = previous_month(data["data_end"])
    domain = month_domain(staff, month)
    traffic = staff["dealer.traffic"]
    contacts = traffic.search_count(domain)
    log(
        f"5. «Data for the Period» of {month[0]:%Y-%m}: {contacts:,} contacts, ours "
        f"{EXPORT_RUNS} runs (+1 warm-up), baseline {EXPORT_BASELINE_RUNS} runs"
    )
    Export = staff["dealer.traffic.period.export"]
    produced = {}

    def ours():
        wizard = Export.create({"date_from": month[0], "date_to": month[1]})
        wizard.action_export_xlsx()
        produced["ours"] = base64.b64decode(wizard.with_context(bin_size=False).xlsx_file)

    columns = [{"name": name, "label": name, "type": "char"} for name in EXPORT_BASELINE_FIELDS]

    def baseline():
        """As /web/export/xlsx does it (its writer reads the request's environment)."""
        records = traffic.search(domain, order="date, id")
        rows = records.export_data(EXPORT_BASELINE_FIELDS)["datas"]
        _request_stack.push(SimpleNamespace(env=staff))
        try:
            with ExportXlsxWriter(columns, EXPORT_BASELINE_FIELDS, len(rows)) as writer:
                for row_index, row in enumerate(rows):
                    for cell_index, value in enumerate(row):
                        writer.write_cell(row_index + 1, cell_index, value)
        finally:
            _request_stack.pop()
        produced["baseline"] = (len(rows), writer.value)

    ours_ms, baseline_ms = [], []
    timed(env, ours)  # warm-up
    for index in range(EXPORT_RUNS):
        _result, ms = timed(env, ours)
        ours_ms.append(ms)
        if index < EXPORT_BASELINE_RUNS:
            _result, ms = timed(env, baseline)
            baseline_ms.append(ms)
    rows = xlsx_rows(produced["ours"]) - 3  # the title, group and column headers
    assert rows == contacts, (rows, contacts)
    stats, base = timing(ours_ms), timing(baseline_ms)
    return {
        "month": [day.isoformat() for day in month],
        "contacts": contacts,
        "rows": rows,
        "columns": len(Export.new({})._columns()),
        "bytes": len(produced["ours"]),
        "baseline_rows": produced["baseline"][0],
        "baseline_columns": len(EXPORT_BASELINE_FIELDS),
        "baseline_bytes": len(produced["baseline"][1]),
        "s": {key: round(value / 1000, 2) for key, value in stats.items()},
        "baseline_s": {key: round(value / 1000, 2) for key, value in base.items()},
        "ratio_baseline_over_ours": {
            stat: ratio(base[stat], stats[stat]) for stat in ("median", "max")
        },
        "within_target": stats["max"] / 1000 <= EXPORT_TARGET_S,
    }


# --- report -----------------------------------------------------------------------------


def scans(plan):
    """The scan nodes of ``plan``, e.g. ``Seq Scan on res_partner``, in plan order."""
    nodes = [line.split("(cost=")[0].strip().removeprefix("->").strip() for line in plan]
    return list(dict.fromkeys(node for node in nodes if " Scan " in f" {node} "))


def plan_lines(statement, lines=PLAN_TOP_LINES):
    plan = statement["plan"] if statement["ms"] > SLOW_MS else statement["plan"][:lines]
    return "\n".join(plan)


def report_lookups(lookups):
    summary = lookups["summary"]
    ours, baseline = summary["ours"]["by_kind"], summary["baseline"]["by_kind"]
    rows = []
    for kind in (*LOOKUP_INPUTS, "all"):
        rows.append(
            [
                kind,
                str(ours[kind]["inputs"]),
                str(ours[kind]["hits"]),
                str(baseline[kind]["hits"]),
                *(
                    f"{by_kind[kind]['ms'][stat]:.1f}"
                    for by_kind in (ours, baseline)
                    for stat in ("median", "p95")
                ),
                *(
                    f"{ratio(baseline[kind]['ms'][stat], ours[kind]['ms'][stat]):.2f}×"
                    for stat in ("median", "p95")
                ),
            ]
        )
    header = [
        "input",
        "inputs",
        "hits ours",
        "hits baseline",
        "ours median ms",
        "ours p95 ms",
        "baseline median ms",
        "baseline p95 ms",
        "baseline/ours median",
        "baseline/ours p95",
    ]
    log(markdown_table(header, rows, "l" + "r" * 9))
    log("\nHits by form of the plates and names typed:\n")
    form_rows = [
        [form, str(row["inputs"]), *(str(row[name]) for name in LOOKUP_METHODS)]
        for form, row in lookups["hits_by_form"].items()
    ]
    log(
        markdown_table(
            ["input form", "inputs", *LOOKUP_METHODS], form_rows, "lr" + "r" * len(LOOKUP_METHODS)
        )
    )
    log(
        "\nName search alone, the same name inputs: "
        f"{lookups['name_search']['labels']['ours']} against the baseline; a hit is the "
        "expected client among the 8 results:\n"
    )
    report_name_search(lookups["name_search"])
    log("\nSlowest SQL statement of one call per kind of input (EXPLAIN ANALYZE):\n")
    profile_rows = []
    slowest_by_method = {}
    for kind, profiles in lookups["profiles"].items():
        for name in LOOKUP_PROFILED:
            selects = profiles[name]["selects"]
            slowest = max(selects, key=lambda s: s["ms"])
            profile_rows.append(
                [
                    f"{kind}: `{profiles['text']}`",
                    name,
                    str(profiles[name]["statements"]),
                    f"{sum(s['ms'] for s in selects):.1f}",
                    f"{slowest['ms']:.1f}",
                    scans(slowest["plan"])[0],
                ]
            )
            title = f"lookup, {name}, {kind} `{profiles['text']}`"
            if slowest["ms"] > max(SLOW_MS, slowest_by_method.get(name, ("", {"ms": 0}))[1]["ms"]):
                slowest_by_method[name] = (title, slowest)
    header = ["input", "method", "statements", "SELECTs ms", "slowest ms", "its first scan"]
    log(markdown_table(header, profile_rows, "llrrrl"))
    return list(slowest_by_method.values())


def report_auto_ignore(auto_ignore):
    rows = []
    for method in auto_ignore["methods"].values():
        rows.append(
            [
                method["label"],
                f"{method['rows']:,}",
                f"{method['messages']:,}",
                f"{method['tracking_values']:,}",
                str(method["runs"]),
                f"{method['ms']['median']:.0f}",
                f"{method['ms']['p95']:.0f}",
                f"{method['ms_per_row']:.3f}",
                f"{method['rows_per_s']:,}",
            ]
        )
    rows.append(
        [
            "ratio ours/baseline (rows/s)",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            f"{auto_ignore['ratio_ours_over_baseline_rows_per_s']:.1f}×",
        ]
    )
    header = [
        "method",
        "rows",
        "messages",
        "tracking values",
        "runs",
        "median ms",
        "p95 ms",
        "ms/row",
        "rows/s",
    ]
    log(markdown_table(header, rows, "lrrrrrrrr"))


def report_journal(journal):
    rows = []
    for s in journal["scenarios"]:
        rows.append(
            [
                s["user"],
                s["filter"],
                f"{s['length']:,}",
                str(s["statements"]),
                f"{s['orm_ms']['median']:.1f}",
                f"{s['orm_ms']['p95']:.1f}",
                f"{s['sql_ms']['median']:.2f}",
                f"{s['sql_ms']['p95']:.2f}",
                f"{s['ratio_orm_over_sql']['median']:.1f}×",
                f"{s['ratio_orm_over_sql']['p95']:.1f}×",
                f"{s['main_query']['ms']:.1f}",
                scans(s["main_query"]["plan"])[0],
                f"{s['count_query']['ms']:.1f}" if s["count_query"] else "not run",
            ]
        )
    header = [
        "user",
        "filter",
        "count",
        "SQL statements",
        "ORM median ms",
        "ORM p95 ms",
        "SQL median ms",
        "SQL p95 ms",
        "ORM/SQL median",
        "ORM/SQL p95",
        "main query ms",
        "main query's first scan",
        "count query ms",
    ]
    log(markdown_table(header, rows, "llrrrrrrrrrlr"))
    slow = []
    for s in journal["scenarios"]:
        log(
            f"\n{s['user']}, filter {s['filter']}: main query plan "
            "(EXPLAIN ANALYZE, record rules included)\n"
        )
        log("```\n" + plan_lines(s["main_query"]) + "\n```")
        if s["slowest_query"]["ms"] > SLOW_MS:
            slow.append((f"journal, {s['user']}, {s['filter']}", s["slowest_query"]))
    return slow


def report_reports(reports, export):
    """Sections 4 and 5."""
    month = reports["month"]
    log(
        f"\n#### 4. Report pivots of one month ({month[0]} to {month[1]}, Moscow time), "
        "rows by goal, columns by consultant\n\n"
        "Ours: the pivot view of each report as the web client loads it, the view's measures "
        "asked with their fields' aggregators (medians for the response time), one "
        "`read_group(domain, measures, groupby, lazy=False)` per groupby (none, goal, "
        "consultant, goal × consultant), record rules applied. Baseline: the same four "
        "read_groups on `dealer.traffic` itself with `__count`, `take_minutes:avg` and "
        "`process_minutes:avg` (Odoo's pivot of the journal). Server time: the four calls "
        f"in the Odoo process; target ≤ {PIVOT_TARGET_MS} ms.\n"
    )
    rows = []
    for s in reports["scenarios"]:
        rows.append(
            [
                s["user"],
                s["report"].removeprefix("dealer.traffic.").removesuffix(".report"),
                f"{s['traffic_count'] or 0:,}",
                f"{s['baseline_count']:,}",
                f"{s['goals']}×{s['consultants']} ({s['cells']})",
                str(len(s["measures"])),
                f"{s['ms']['median']:.0f}",
                f"{s['ms']['p95']:.0f}",
                f"{s['baseline_ms']['median']:.0f}",
                f"{s['baseline_ms']['p95']:.0f}",
                f"{s['ratio_ours_over_baseline']['median']:.2f}×",
                f"{s['main_query']['ms']:.0f}",
                "yes" if s["within_target"] else "NO",
            ]
        )
    header = [
        "user",
        "report",
        "contacts",
        "journal's contacts",
        "goals×consultants (cells)",
        "measures",
        "ours median ms",
        "ours p95 ms",
        "baseline median ms",
        "baseline p95 ms",
        "ours/baseline median",
        "slowest query ms",
        "p95 ≤ 1 s",
    ]
    log(markdown_table(header, rows, "llrrrrrrrrrrl"))
    slow = []
    for s in reports["scenarios"]:
        if s["user"] == "supervisor":
            log(
                f"\n{s['report']}, supervisor: its slowest query's plan (EXPLAIN ANALYZE, "
                "record rules included)\n"
            )
            log("```\n" + plan_lines(s["main_query"]) + "\n```")
        if s["main_query"]["ms"] > SLOW_MS:
            slow.append((f"pivot, {s['report']}, {s['user']}", s["main_query"]))
    log(
        f"\n#### 5. «Data for the Period» as Excel, the same month, main branch's supervisor\n\n"
        "Ours: the dialog's Export to Excel (`action_export_xlsx`: the rows read in one SQL "
        "statement with the record rules, the sheet's XML written as text, stored for the "
        "download). "
        "Baseline: Odoo's export of the same columns, `search(domain).export_data(fields)` "
        "and the web client's xlsx writer (`ExportXlsxWriter`), the supervisor given Odoo's "
        "export right for it. The workbook's rows are "
        f"counted and must be the month's contacts. Target ≤ {EXPORT_TARGET_S} s.\n"
    )
    header = ["method", "contacts", "rows", "columns", "bytes", "runs", "median s", "max s"]
    rows = [
        [
            "ours: action_export_xlsx()",
            f"{export['contacts']:,}",
            f"{export['rows']:,}",
            str(export["columns"]),
            f"{export['bytes']:,}",
            str(EXPORT_RUNS),
            f"{export['s']['median']:.1f}",
            f"{export['s']['max']:.1f}",
        ],
        [
            "baseline: export_data + ExportXlsxWriter",
            f"{export['contacts']:,}",
            f"{export['baseline_rows']:,}",
            str(export["baseline_columns"]),
            f"{export['baseline_bytes']:,}",
            str(EXPORT_BASELINE_RUNS),
            f"{export['baseline_s']['median']:.1f}",
            f"{export['baseline_s']['max']:.1f}",
        ],
    ]
    log(markdown_table(header, rows, "lrrrrrrr"))
    log(
        f"\nbaseline/ours (median): {export['ratio_baseline_over_ours']['median']:.1f}×; "
        f"ours within {EXPORT_TARGET_S} s: {'yes' if export['within_target'] else 'NO'}."
    )
    return slow


def report(result):
    data, timings = result["data"], result["timings_s"]
    database = (
        f"reused (generated {data['generated_at']} in {data['generation_s']:.0f} s)"
        if result["database_reused"]
        else f"created now (install {timings['install']:.0f} s, generation "
        f"{timings['generation']:.0f} s, VACUUM {timings['vacuum']:.0f} s)"
    )
    if "module_update" in timings:
        database += f", {MODULES} updated in it ({timings['module_update']:.0f} s)"
    phases = ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in data["phases_s"].items())
    load = result["load_average"]
    states = ", ".join(f"{state} {count:,}" for state, count in data["traffic_states"].items())
    staff = sum(len(b["operators"]) + len(b["consultants"]) + 1 for b in data["branches"])
    log(
        f"\n### Traffic: {data['clients']:,} clients, {data['traffic']:,} traffic records\n\n"
        f"Database `{result['database']}` ({MODULES}, no demo data), {database}: "
        f"{data['clients']:,} clients "
        f"with {data['numbers']:,} numbers, {data['vehicles']:,} vehicles, {data['traffic']:,} "
        f"traffic records over {DAYS} days up to {data['data_end']} UTC in "
        f"{len(data['branches'])} branches, {staff} staff users; states: {states}; "
        f"{data['open']:,} open, {data['overdue_at_generation']:,} of them past their goal's "
        f"auto-ignore days when generated; {sum(data['funnel_tasks_by_rank'].values()):,} "
        f"tasks made by processing, {data['continuations']:,} continuations. "
        f"Generation phases: {phases}.\n"
        "Every measure: warm-up runs not counted, ORM cache invalidated before each run. "
        f"Load average (1 min) before/after measuring: {load[0]:.2f}/{load[1]:.2f} "
        f"on {os.cpu_count()} CPUs.\n"
    )
    lookups = result["lookups"]
    log(
        f"#### 1. Client lookup while registering (operator uid {lookups['operator']}, "
        f"{sum(LOOKUP_INPUTS.values())} inputs)\n\n"
        "Ours: `dealer_lookup(text)`. Baseline: Odoo's many2one autocomplete without "
        "dealer_base's name_search extension, i.e. `search_fetch([('complete_name', 'ilike', "
        "text)], ['display_name'], limit=8)`. Hits: the expected client is among the results "
        "(absent phones: no result). `name_search` as extended by dealer_base is only "
        "profiled.\n"
    )
    slow = report_lookups(lookups)
    auto_ignore = result["auto_ignore"]
    log(
        "\n#### 2. Automatic ignoring of overdue traffic\n\n"
        f"{auto_ignore['overdue_found']:,} open contacts were past their goal's auto-ignore "
        "days; extra ones are closed, or old processed ones reopened, to make it exactly the "
        "rows below. All in a transaction rolled back at the end, each run in a savepoint "
        "rolled back after it; `odoo.modules.module.current_test` set to True around the cron "
        "so it does not commit its batches (commit time excluded for both). Equal work: both "
        "leave a manual ignore's chatter trace, one tracking message per row with the old "
        "and new state and reason (the cron inserts them in its statements, the baseline's "
        "are posted by the precommit a commit runs); 'messages' and 'tracking values' are "
        "counted after each run and must be one per row and one per changed field. The "
        "baseline is given the records (no search).\n"
    )
    report_auto_ignore(auto_ignore)
    journal = result["journal"]
    log(
        "\n#### 3. Traffic Journal, first page (list view, 80 rows, `date desc, id desc`)\n\n"
        "ORM: `web_search_read(domain, specification of the list view as get_views gives it to "
        f"the user, limit=80, order='date desc, id desc', count_limit=10001)`, record rules "
        "included. SQL: `SELECT id, <the stored columns> FROM dealer_traffic WHERE <the "
        "filter, no record rules> ORDER BY date DESC, id DESC LIMIT 80`. Filter 'this month' "
        f"is the action's default Date filter for the data's last month: {journal['month']}. "
        "'count' is what the pager shows (capped at 10,001).\n"
    )
    slow += report_journal(journal)
    slow += report_reports(result["reports"], result["export"])
    if slow:
        log(f"\n#### Queries over {SLOW_MS} ms\n")
        for title, statement in slow:
            log(f"{title}: {statement['ms']:.1f} ms\n\n```sql\n{statement['sql']}\n```\n```")
            log("\n".join(statement["plan"]) + "\n```\n")
    log(
        f"\nTimes: lookups {lookups['seconds']:.0f} s, total wall {timings['total']:.0f} s. "
        f"JSON: {RESULTS.relative_to(ROOT)}"
    )


def report_lookup_only(db, data, lookups, load):
    """Section 1 alone (``--lookup-only``), also written to traffic_lookup.json."""
    path = RESULTS_DIR / "traffic_lookup.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"database": db, "data": data, "load_average": load, "lookups": lookups},
            ensure_ascii=False,
            indent=1,
            default=str,
        )
        + "\n"
    )
    log(
        f"\n### Traffic: {data['clients']:,} clients, {data['traffic']:,} traffic records\n\n"
        f"Database `{db}`, generated {data['generated_at']}. Load average (1 min) before/after "
        f"measuring: {load[0]:.2f}/{load[1]:.2f} on {os.cpu_count()} CPUs.\n\n"
        f"#### 1. Client lookup while registering (operator uid {lookups['operator']})\n"
    )
    for title, statement in report_lookups(lookups):
        log(f"\n{title}: {statement['ms']:.1f} ms\n\n```sql\n{statement['sql']}\n```\n```")
        log("\n".join(statement["plan"]) + "\n```")
    log(f"\nJSON: {path.relative_to(ROOT)}")


def report_reports_only(db, data, reports, export, load):
    """Sections 4 and 5 alone (``--reports-only``), also written to traffic_reports.json."""
    path = RESULTS_DIR / "traffic_reports.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "database": db,
                "data": data,
                "load_average": load,
                "reports": reports,
                "export": export,
            },
            ensure_ascii=False,
            indent=1,
            default=str,
        )
        + "\n"
    )
    log(
        f"\n### Traffic: {data['clients']:,} clients, {data['traffic']:,} traffic records\n\n"
        f"Database `{db}`, generated {data['generated_at']}: "
        f"{sum(data['funnel_tasks_by_rank'].values()):,} tasks made by processing, "
        f"{data['continuations']:,} continuations. Load average (1 min) before/after "
        f"measuring: {load[0]:.2f}/{load[1]:.2f} on {os.cpu_count()} CPUs."
    )
    for title, statement in report_reports(reports, export):
        log(f"\n{title}: {statement['ms']:.1f} ms\n\n```sql\n{statement['sql']}\n```\n```")
        log("\n".join(statement["plan"]) + "\n```")
    log(f"\nJSON: {path.relative_to(ROOT)}")


# --- main -------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="default: 1,000,000")
    parser.add_argument("--traffic", type=int, default=1_000_000, help="default: 1,000,000")
    database_arguments(parser, DB)
    parser.add_argument(
        "--lookup-only", action="store_true", help="measure the client lookup (1.) only"
    )
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="measure the report pivots and the Excel export (4. and 5.) only",
    )
    args = parser.parse_args()
    if args.clients < 1000 or args.traffic < 1000:
        parser.error("--clients and --traffic must be at least 1000")
    started = time.perf_counter()
    wanted = wanted_marker(args.clients, args.traffic)
    reports_sha1, updated_s = update_module_if_changed(
        args.db,
        wanted,
        args.fresh,
        key=MARKER_KEY,
        modules=MODULES,
        sha_key="reports_sha1",
        current=sources_sha1(REPORT_SOURCES),
    )

    def build(env):
        data = generate(env, args.clients, args.traffic, funnel=True)
        return {**data, "reports_sha1": reports_sha1}

    registry, data, reused, timings = prepare_database(
        args.db,
        MODULES,
        MARKER_KEY,
        wanted=wanted,
        fresh=args.fresh,
        generate=build,
        describe=lambda m: f"{m['clients']:,} clients and {m['traffic']:,} traffic records",
    )
    if updated_s is not None:
        timings["module_update"] = updated_s
    if not reused:
        start = time.perf_counter()
        vacuum(args.db, LOADED_TABLES)
        timings["vacuum"] = time.perf_counter() - start

    rng = random.Random(SEED + 1)
    load_before = os.getloadavg()[0]
    with registry.cursor() as cr:
        env = superuser_env(cr)
        if args.reports_only:
            reports, export = measure_reports(env, data), measure_export(env, data)
            cr.rollback()
            report_reports_only(args.db, data, reports, export, [load_before, os.getloadavg()[0]])
            return
        lookups = measure_lookups(env, rng, data)
        if args.lookup_only:
            cr.rollback()
            report_lookup_only(args.db, data, lookups, [load_before, os.getloadavg()[0]])
            return
        journal = measure_journal(env, data)
        reports = measure_reports(env, data)
        export = measure_export(env, data)
        auto_ignore = measure_auto_ignore(env, rng, data)
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
        cr.rollback()
    load_after = os.getloadavg()[0]
    vacuum(args.db, ["dealer_traffic"])  # the dead rows the rolled back runs left
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "traffic",
        "database": args.db,
        "database_reused": reused,
        "data": data,
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "load_average": [load_before, load_after],
        "versions": {
            "odoo": release.version,
            "postgresql": postgres,
            "python": sys.version.split()[0],
        },
        "lookups": lookups,
        "auto_ignore": auto_ignore,
        "journal": journal,
        "reports": reports,
        "export": export,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)


if __name__ == "__main__":
    main()
