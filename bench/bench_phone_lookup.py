"""Phone lookup benchmark: `res.partner.find_by_phone` against Odoo's standard phone search.

Builds (or reuses) the database ``dealer_bench`` with ``dealer_base`` and ``sms`` and a
million clients whose phones are written the many ways Russian dealership staff write
them, then looks up 200 existing numbers (each written in another format than stored)
and 200 absent ones with both methods and prints a Markdown table.

    python bench/bench_phone_lookup.py [--clients N] [--fresh]
"""

import argparse
import hashlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import phonenumbers
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo")
ADDONS_PATH = os.environ.get(
    "ADDONS_PATH", f"{ROOT}/addons,{ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons"
)
ODOO_CONF = ROOT / "odoo.conf"
RESULTS = ROOT / "bench" / "results" / "phone_lookup.json"

DB = "dealer_bench"
MODULES = "dealer_base,sms"
MARKER_KEY = "dealer_bench.phone_lookup"
# Bump when the generated data changes, so that databases made by older versions are rebuilt.
GENERATOR_VERSION = 1
NORMALIZER_SOURCE = ROOT / "addons" / "dealer_base" / "tools" / "phone.py"

SEED = 20240518
BATCH = 50_000
QUERIES = 200
WARMUP = 20
COMPANY_SHARE = 0.02
MULTI_NUMBER_SHARE = 0.20  # clients with 2-3 numbers
THREE_NUMBERS_SHARE = 0.30  # of those, the ones with 3
SHARED_SHARE = 0.10  # of those, the ones whose extra number belongs to another client too
EXTENSION_SHARE = 0.25  # landlines written with an extension

# Where numbers are drawn from: country code, leading digits, digits that follow.
PREFIXES = {
    "ru_mobile": ("7", tuple(str(code) for code in range(900, 1000)), 7),
    "ru_landline": (
        "7",
        tuple("495 499 812 343 383 846 843 863 861 831 473 342 351 391 423".split()),
        7,
    ),
    "kz_mobile": ("7", ("700", "701", "702", "705", "707", "708", "747", "771", "775"), 7),
    "by_mobile": ("375", ("25", "29", "33", "44"), 7),
}
FIRST_NUMBER_KINDS = {"ru_mobile": 91, "ru_landline": 5, "kz_mobile": 2, "by_mobile": 2}
EXTRA_NUMBER_KINDS = {"ru_mobile": 50, "ru_landline": 45, "kz_mobile": 2, "by_mobile": 3}
ABSENT_KINDS = {"ru_mobile": 80, "ru_landline": 12, "kz_mobile": 4, "by_mobile": 4}

# Ways to write a number, named by an example, with how often each is stored (0: only
# used for queries). National numbers: 10 digits after +7, 9 digits after +375.
FORMATS = {
    "7": {
        "+7 (916) 123-45-67": (24, lambda n: f"+7 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}"),
        "8 (916) 123-45-67": (16, lambda n: f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}"),
        "89161234567": (15, lambda n: f"8{n}"),
        "79161234567": (7, lambda n: f"7{n}"),
        "9161234567": (9, lambda n: n),
        "8-916-123-45-67": (8, lambda n: f"8-{n[:3]}-{n[3:6]}-{n[6:8]}-{n[8:]}"),
        "+7 916 123 45 67": (11, lambda n: f"+7 {n[:3]} {n[3:6]} {n[6:8]} {n[8:]}"),
        "+79161234567": (8, lambda n: f"+7{n}"),
        "tel:+79161234567": (2, lambda n: f"tel:+7{n}"),
        "+7(916)1234567": (0, lambda n: f"+7({n[:3]}){n[3:]}"),
        "8 916 1234567": (0, lambda n: f"8 {n[:3]} {n[3:]}"),
        "sip:89161234567@pbx.local": (0, lambda n: f"sip:8{n}@pbx.local"),
        "sip:+79161234567@pbx.local;user=phone": (0, lambda n: f"sip:+7{n}@pbx.local;user=phone"),
    },
    "375": {
        "+375 29 123-45-67": (60, lambda n: f"+375 {n[:2]} {n[2:5]}-{n[5:7]}-{n[7:]}"),
        "+375291234567": (30, lambda n: f"+375{n}"),
        "00375291234567": (10, lambda n: f"00375{n}"),
        "8 10 375 29 1234567": (0, lambda n: f"8 10 375 {n[:2]} {n[2:]}"),
        "tel:+375291234567": (0, lambda n: f"tel:+375{n}"),
        "sip:+375291234567@pbx.local": (0, lambda n: f"sip:+375{n}@pbx.local"),
    },
}

FIRST_NAMES = {
    "m": "Александр Алексей Андрей Артём Борис Вадим Виктор Владимир Дмитрий Евгений Иван Игорь "
    "Кирилл Максим Михаил Никита Олег Павел Роман Сергей".split(),
    "f": "Анна Валентина Виктория Галина Дарья Екатерина Елена Ирина Ксения Людмила Марина "
    "Мария Наталья Ольга Полина Светлана Софья Татьяна Юлия Яна".split(),
}
LAST_NAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Федоров Морозов "
    "Волков Алексеев Лебедев Семенов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьев Борисов Яковлев Григорьев Романов Воробьев "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королев Гусев Киселев Ильин Максимов "
    "Поляков Сорокин Виноградов Ковалев Белов Медведев Антонов Тарасов Жуков Баранов Филиппов "
    "Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов "
    "Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев "
    "Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров "
    "Калинин Исаев Чернышев Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов "
    "Пономарев Голубев Кудрявцев Прохоров Наумов Потапов Журавлев Овчинников Трофимов "
    "Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачев Котов Гришин"
).split()
PATRONYMICS = (
    "Александров Алексеев Андреев Борисов Викторов Владимиров Дмитриев Евгеньев Иванов "
    "Игорев Максимов Михайлов Николаев Олегов Павлов Петров Сергеев Юрьев"
).split()
COMPANY_WORDS = (
    "Автотранс Стройснаб Логистик Агропром Техносервис Севертранс Медтехника Энергомонтаж "
    "Промресурс Торговый\u00a0дом Спецавто Инвестстрой Восток Балтика Урал Сибирь Волга"
).split()


def log(message):
    print(message, flush=True)


class PhoneFactory:
    """Draws valid numbers that have not been drawn before and writes them in a format."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()
        self.stored_formats = {
            cc: {name: weight for name, (weight, _render) in formats.items() if weight}
            for cc, formats in FORMATS.items()
        }

    def draw(self, kind):
        """(country code, national number) of a valid number not drawn before."""
        cc, prefixes, tail = PREFIXES[kind]
        while True:
            national = self.rng.choice(prefixes) + str(self.rng.randrange(10**tail)).zfill(tail)
            e164 = f"+{cc}{national}"
            if e164 not in self.used and phonenumbers.is_valid_number(
                phonenumbers.PhoneNumber(country_code=int(cc), national_number=int(national))
            ):
                self.used.add(e164)
                return cc, national

    def draw_kind(self, kinds):
        """A key of ``kinds`` (kind: weight)."""
        return self.rng.choices(list(kinds), weights=kinds.values())[0]

    def write_stored(self, number, landline):
        """The number as a client record would hold it."""
        formats = self.stored_formats[number[0]]
        text = render(number, self.rng.choices(list(formats), weights=formats.values())[0])
        if landline and self.rng.random() < EXTENSION_SHARE:
            text += f" доб. {self.rng.randrange(1, 1000)}"
        return text


def render(number, fmt):
    cc, national = number
    return FORMATS[cc][fmt][1](national)


def e164(number):
    return f"+{number[0]}{number[1]}"


# --- database -------------------------------------------------------------------------


def read_marker():
    """The marker left by a complete generation in ``dealer_bench``, or None."""
    try:
        cnx = psycopg2.connect(dbname=DB)
    except psycopg2.OperationalError:
        return None
    try:
        with cnx.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [MARKER_KEY])
            row = cr.fetchone()
    except psycopg2.Error:
        return None
    finally:
        cnx.close()
    return json.loads(row[0]) if row else None


def wanted_marker(clients):
    return {
        "clients": clients,
        "generator": GENERATOR_VERSION,
        "normalizer_sha1": hashlib.sha1(NORMALIZER_SOURCE.read_bytes()).hexdigest(),
    }


def drop_database():
    cnx = psycopg2.connect(dbname="postgres")
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))
    cnx.close()


def install_modules():
    command = [
        sys.executable,
        f"{ODOO_SRC}/odoo-bin",
        "-c",
        str(ODOO_CONF),
        f"--addons-path={ADDONS_PATH}",
        "-d",
        DB,
        "-i",
        MODULES,
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
    ]
    log(f"installing {MODULES} in a new database {DB} (no demo data)")
    subprocess.run(command, cwd=ROOT, check=True)


def load_registry():
    sys.path.insert(0, ODOO_SRC)
    import odoo

    odoo.tools.config.parse_config(
        ["-c", str(ODOO_CONF), f"--addons-path={ADDONS_PATH}", "-d", DB, "--log-level=warn"]
    )
    return odoo.modules.registry.Registry(DB)


def superuser_env(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


def copy_rows(cr, table, columns, rows):
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``."""

    def cell(value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(cell, row)))
        buffer.write("\n")
    buffer.seek(0)
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    cr.copy_expert(query, buffer)


# Columns that Odoo would fill on create, with fixed values; the others are per row.
PARTNER_CONSTANTS = {
    "active": True,
    "type": "contact",
    "partner_share": True,
    "color": 0,
    "message_bounce": 0,
    "birthday_month": 0,
    "create_uid": 1,
    "write_uid": 1,
}
PARTNER_COLUMNS = (
    "id",
    "name",
    "complete_name",
    "commercial_partner_id",
    "commercial_company_name",
    "is_company",
    "lang",
    "phone",
    "mobile",
    "phone_sanitized",
    "create_date",
    "write_date",
)
PHONE_COLUMNS = (
    "partner_id",
    "sequence",
    "number",
    "phone_type",
    "number_normalized",
    "number_digits",
    "is_valid",
    "create_uid",
    "write_uid",
    "create_date",
    "write_date",
)
# NOT NULL columns other modules may add to res_partner, with the value their default gives.
REQUIRED_FILLERS = {"autopost_bills": "ask"}


def required_extras(cr, table, filled):
    """Values for the NOT NULL columns without default of ``table`` not in ``filled``."""
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = %s
              AND is_nullable = 'NO' AND column_default IS NULL""",
        [table],
    )
    missing = [name for (name,) in cr.fetchall() if name not in filled]
    unknown = sorted(set(missing) - set(REQUIRED_FILLERS))
    if unknown:
        sys.exit(f"{table} has NOT NULL columns the generator does not fill: {', '.join(unknown)}")
    return {name: REQUIRED_FILLERS[name] for name in missing}


def client_name(rng, is_company):
    if is_company:
        return f'ООО "{rng.choice(COMPANY_WORDS)}-{rng.randrange(1, 1000)}"'
    last, patronymic = rng.choice(LAST_NAMES), rng.choice(PATRONYMICS)
    if rng.random() < 0.5:
        return f"{last} {rng.choice(FIRST_NAMES['m'])} {patronymic}ич"
    return f"{last}а {rng.choice(FIRST_NAMES['f'])} {patronymic}на"


def client_numbers(factory, is_company, shared_pool):
    """[(number, landline, phone_type)] of one client, main number first. Numbers of
    ``shared_pool`` (clients met before) are given to a second client and removed."""
    rng = factory.rng
    if is_company:
        kind = "ru_landline" if rng.random() < 0.8 else "ru_mobile"
    else:
        kind = factory.draw_kind(FIRST_NUMBER_KINDS)
    landline = kind == "ru_landline"
    main_type = ("work" if is_company else "home") if landline else "mobile"
    numbers = [(factory.draw(kind), landline, main_type)]
    if rng.random() >= MULTI_NUMBER_SHARE:
        return numbers
    extra = 2 if rng.random() < THREE_NUMBERS_SHARE else 1
    if shared_pool and rng.random() < SHARED_SHARE:
        # A number another client has too: a spouse's mobile, a family landline.
        index = rng.randrange(len(shared_pool))
        shared_pool[index], shared_pool[-1] = shared_pool[-1], shared_pool[index]
        number, landline = shared_pool.pop()
        numbers.append((number, landline, "home" if landline else "other"))
        extra -= 1
    for _ in range(extra):
        kind = factory.draw_kind(EXTRA_NUMBER_KINDS)
        landline = kind == "ru_landline"
        if landline:
            phone_type = "work" if is_company or rng.random() < 0.3 else "home"
        else:
            phone_type = "work" if rng.random() < 0.15 else "mobile"
        numbers.append((factory.draw(kind), landline, phone_type))
    return numbers


class ClientRows:
    """Rows of res_partner and dealer_partner_phone for clients, as Odoo would store them."""

    def __init__(self, env, rng):
        from odoo.addons.dealer_base.tools import normalize_phone, phone_digits

        self.normalize_phone, self.phone_digits = normalize_phone, phone_digits
        self.rng = rng
        self.factory = PhoneFactory(rng)
        self.country = env.company.country_id.code or "RU"
        env.cr.execute(
            "SELECT code FROM res_lang WHERE active ORDER BY code = 'ru_RU' DESC, id LIMIT 1"
        )
        self.lang = env.cr.fetchone()[0]
        extras = {
            **PARTNER_CONSTANTS,
            **required_extras(env.cr, "res_partner", {*PARTNER_COLUMNS, *PARTNER_CONSTANTS}),
        }
        required_extras(env.cr, "dealer_partner_phone", set(PHONE_COLUMNS))
        self.partner_columns = (*PARTNER_COLUMNS, *extras)
        self.partner_tail = tuple(extras.values())
        self.now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        self.companies = 0
        self.mismatches = []  # numbers the addon does not normalize to the number drawn

    def batch(self, partner_ids):
        """(partner rows, phone rows) of new clients with ids ``partner_ids``."""
        rng, now = self.rng, self.now
        partners, phones, shared_pool = [], [], []
        for partner_id in partner_ids:
            is_company = rng.random() < COMPANY_SHARE
            self.companies += is_company
            name = client_name(rng, is_company)
            numbers = client_numbers(self.factory, is_company, shared_pool)
            shared_pool.append(numbers[0][:2])
            mobile = phone = sanitized_mobile = sanitized_phone = None
            for sequence, (number, landline, phone_type) in enumerate(numbers, start=1):
                typed = self.factory.write_stored(number, landline)
                normalized = self.normalize_phone(typed, self.country) or None
                if normalized != e164(number):
                    self.mismatches.append([typed, normalized])
                # What dealer_base keeps in phone / mobile, and sms in phone_sanitized.
                if phone_type == "mobile" and mobile is None:
                    mobile, sanitized_mobile = typed, normalized
                elif phone_type != "mobile" and phone is None:
                    phone, sanitized_phone = typed, normalized
                digits = self.phone_digits(normalized or typed)
                phones.append(
                    (
                        *(partner_id, sequence, typed, phone_type, normalized, digits),
                        *(bool(normalized), 1, 1, now, now),
                    )
                )
            partners.append(
                (
                    *(partner_id, name, name, partner_id, name if is_company else None),
                    *(is_company, self.lang, phone, mobile, sanitized_mobile or sanitized_phone),
                    *(now, now, *self.partner_tail),
                )
            )
        return partners, phones


def reserve_partner_ids(cr, count):
    cr.execute("SELECT nextval('res_partner_id_seq') FROM generate_series(1, %s)", [count])
    return [partner_id for (partner_id,) in cr.fetchall()]


def generate(env, clients):
    """Insert ``clients`` clients and their numbers with COPY; return data statistics.

    A batch is built while the previous one is copied by a second thread (psycopg2 lets
    go of the GIL during COPY); the cursor is only used by one thread at a time."""
    cr = env.cr
    rows = ClientRows(env, random.Random(SEED))

    def copy_batch(partners, phones):
        copy_rows(cr, "res_partner", rows.partner_columns, partners)
        copy_rows(cr, "dealer_partner_phone", PHONE_COLUMNS, phones)

    sizes = [min(BATCH, clients - offset) for offset in range(0, clients, BATCH)]
    written = numbers = 0
    started = time.perf_counter()

    def progress():
        log(
            f"  clients {written:>9,}/{clients:,}  numbers {numbers:>9,}"
            f"  {time.perf_counter() - started:6.1f} s"
        )

    with ThreadPoolExecutor(max_workers=1) as copier:
        copying = None
        partner_ids = reserve_partner_ids(cr, sizes[0])
        for index in range(len(sizes)):
            partners, phones = rows.batch(partner_ids)
            if copying:
                copying.result()
                progress()
            if index + 1 < len(sizes):
                partner_ids = reserve_partner_ids(cr, sizes[index + 1])
            copying = copier.submit(copy_batch, partners, phones)
            written, numbers = written + len(partners), numbers + len(phones)
        copying.result()
    progress()
    log("  ANALYZE res_partner, dealer_partner_phone")
    cr.execute("ANALYZE res_partner, dealer_partner_phone")
    cr.execute(
        """SELECT count(*) FROM (
               SELECT number_normalized FROM dealer_partner_phone
                WHERE number_normalized IS NOT NULL
                GROUP BY number_normalized HAVING count(DISTINCT partner_id) > 1) shared"""
    )
    return {
        "companies": rows.companies,
        "numbers": numbers,
        "shared_numbers": cr.fetchone()[0],
        "normalize_mismatches": len(rows.mismatches),
        "normalize_mismatch_examples": rows.mismatches[:20],
    }


# --- queries and lookups --------------------------------------------------------------


def split_e164(normalized):
    cc = "375" if normalized.startswith("+375") else "7"
    return cc, normalized[len(cc) + 1 :]


def existing_queries(cr, rng, count):
    """``count`` random stored numbers, each written in a format other than the stored one."""
    cr.execute(
        "SELECT id FROM dealer_partner_phone WHERE number_normalized IS NOT NULL ORDER BY id"
    )
    line_ids = rng.sample([line_id for (line_id,) in cr.fetchall()], count)
    cr.execute(
        """SELECT line.id, line.partner_id, line.number, line.number_normalized,
                  COALESCE(line.number IN (partner.phone, partner.mobile), FALSE)
             FROM dealer_partner_phone line
             JOIN res_partner partner ON partner.id = line.partner_id
            WHERE line.id = ANY(%s)""",
        [line_ids],
    )
    lines = {row[0]: row[1:] for row in cr.fetchall()}
    queries = []
    for line_id in line_ids:
        partner_id, stored, normalized, in_partner_fields = lines[line_id]
        number = split_e164(normalized)
        written = {fmt: render(number, fmt) for fmt in FORMATS[number[0]]}
        fmt = rng.choice(
            [
                fmt
                for fmt, text in written.items()
                if stored != text and not stored.startswith(f"{text} доб.")
            ]
        )
        queries.append(
            {
                "query": written[fmt],
                "format": fmt,
                "stored": stored,
                "expected": partner_id,
                "in_partner_phone_mobile": in_partner_fields,
            }
        )
    return queries


def absent_queries(cr, factory, count):
    """``count`` valid numbers that no client has, in random formats."""
    numbers = []
    while len(numbers) < count:
        drawn = [factory.draw(factory.draw_kind(ABSENT_KINDS)) for _ in range(count - len(numbers))]
        cr.execute(
            "SELECT number_normalized FROM dealer_partner_phone WHERE number_normalized = ANY(%s)",
            [[e164(number) for number in drawn]],
        )
        present = {normalized for (normalized,) in cr.fetchall()}
        numbers += [number for number in drawn if e164(number) not in present]
    queries = []
    for number in numbers:
        fmt = factory.rng.choice(list(FORMATS[number[0]]))
        queries.append({"query": render(number, fmt), "format": fmt, "expected": None})
    return queries


METHODS = {
    "ours": (
        "ours: find_by_phone(query)",
        lambda partners, query: partners.find_by_phone(query),
    ),
    "baseline": (
        "baseline: search([('phone_mobile_search', '=', query)])",
        lambda partners, query: partners.search([("phone_mobile_search", "=", query)]),
    ),
}


def lookup(env, method, query):
    """(partner ids, milliseconds, error) of one lookup on a cold ORM cache."""
    env.invalidate_all()
    start = time.perf_counter()
    try:
        ids, error = method(env["res.partner"], query).ids, None
    except Exception as exc:  # a failing lookup is a result too
        ids, error = [], f"{type(exc).__name__}: {exc}"
    elapsed = (time.perf_counter() - start) * 1000
    if error:
        env.cr.rollback()
    return ids, elapsed, error


def run_lookups(env, queries):
    """Run every method on every query, alternating which goes first; store the outcomes."""
    for index, query in enumerate(queries):
        order = list(METHODS) if index % 2 == 0 else list(reversed(METHODS))
        for name in order:
            ids, elapsed, error = lookup(env, METHODS[name][1], query["query"])
            if query["expected"] is None:
                correct = not ids
            else:
                correct = query["expected"] in ids
            query[name] = {"ids": ids, "ms": round(elapsed, 4), "correct": correct, "error": error}


# --- report ---------------------------------------------------------------------------


def timing(values):
    stats = {
        "median": statistics.median(values),
        "p95": statistics.quantiles(values, n=20, method="inclusive")[-1],
        "mean": statistics.fmean(values),
        "max": max(values),
    }
    return {name: round(value, 3) for name, value in stats.items()}


def summarize(existing, absent):
    methods = {}
    for name, (label, _method) in METHODS.items():
        ms = {
            "existing": timing([q[name]["ms"] for q in existing]),
            "absent": timing([q[name]["ms"] for q in absent]),
            "all": timing([q[name]["ms"] for q in existing + absent]),
        }
        methods[name] = {
            "label": label,
            "found": sum(q[name]["correct"] for q in existing),
            "correct_empty": sum(q[name]["correct"] for q in absent),
            "errors": sum(bool(q[name]["error"]) for q in existing + absent),
            "ms": ms,
        }
    ratio = {
        stat: {
            group: methods["baseline"]["ms"][group][stat] / methods["ours"]["ms"][group][stat]
            for group in ("existing", "absent", "all")
        }
        for stat in ("median", "p95")
    }
    formats = {}
    for query in existing:
        row = formats.setdefault(query["format"], {"queries": 0, "ours": 0, "baseline": 0})
        row["queries"] += 1
        row["ours"] += query["ours"]["correct"]
        row["baseline"] += query["baseline"]["correct"]
    baseline_missed = [q for q in existing if not q["baseline"]["correct"]]
    return {
        "methods": methods,
        "ratio_baseline_over_ours": ratio,
        "existing_by_query_format": formats,
        "baseline_misses": {
            "number_not_in_partner_phone_mobile": sum(
                not q["in_partner_phone_mobile"] for q in baseline_missed
            ),
            "in_partner_phone_mobile_written_differently": sum(
                q["in_partner_phone_mobile"] for q in baseline_missed
            ),
        },
    }


def markdown_table(header, rows, align):
    """A Markdown table padded to read well in a terminal too (align: 'l'/'r' per column)."""
    cells = [header, *rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        padded = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        "-" * width if side == "l" else "-" * (width - 1) + ":"
        for width, side in zip(widths, align, strict=True)
    ]
    return "\n".join([line(header), line(rule), *(line(row) for row in rows)])


def report(result):
    data, summary = result["data"], result["summary"]
    methods, ratio = summary["methods"], summary["ratio_baseline_over_ours"]
    groups = ("existing", "absent", "all")
    n_existing, n_absent = result["queries"]["existing"], result["queries"]["absent"]
    rows = []
    for method in methods.values():
        rows.append(
            [
                method["label"],
                f"{method['found']}/{n_existing}",
                f"{method['correct_empty']}/{n_absent}",
                str(method["errors"]),
                *(f"{method['ms'][g]['median']:.2f}" for g in groups),
                *(f"{method['ms'][g]['p95']:.2f}" for g in groups),
            ]
        )
    rows.append(
        ["ratio baseline/ours", "", "", ""]
        + [f"{ratio['median'][g]:.2f}×" for g in groups]
        + [f"{ratio['p95'][g]:.2f}×" for g in groups]
    )
    header = ["method", "found", "correct-empty", "errors"]
    header += [f"median ms {g}" for g in groups] + [f"p95 ms {g}" for g in groups]
    timings = result["timings_s"]
    database = (
        f"reused (generated {data['generated_at']} in {data['generation_s']:.0f} s)"
        if result["database_reused"]
        else f"created now (install {timings['install']:.0f} s, "
        f"generation {timings['generation']:.0f} s)"
    )
    log(
        f"\n### Phone lookup: {data['clients']:,} clients, {data['numbers']:,} numbers\n\n"
        f"Database `{DB}` ({MODULES}, no demo data), {database}: {data['clients']:,} clients "
        f"({data['companies']:,} companies), {data['numbers']:,} numbers, "
        f"{data['shared_numbers']:,} numbers shared by 2+ clients.\n"
        f"Queries: {n_existing} stored numbers, each written in another format than stored, "
        f"and {n_absent} valid absent numbers; {WARMUP} warm-up lookups not counted; ORM cache "
        "invalidated before each lookup; the two methods alternate which runs first.\n"
    )
    log(markdown_table(header, rows, "lrrr" + "r" * 6))
    format_rows = [
        [f"`{fmt}`", str(row["queries"]), str(row["ours"]), str(row["baseline"])]
        for fmt, row in sorted(summary["existing_by_query_format"].items())
    ]
    log("\nExisting numbers found, by the format of the query:\n")
    log(markdown_table(["query format", "queries", "ours", "baseline"], format_rows, "lrrr"))
    misses = summary["baseline_misses"]
    log(
        f"\nBaseline misses: {misses['number_not_in_partner_phone_mobile']} numbers are not "
        "the client's phone/mobile (2nd number of the same kind, 3rd number), "
        f"{misses['in_partner_phone_mobile_written_differently']} are but written differently."
    )
    ours_missed = [q for q in result["existing"] if not q["ours"]["correct"]]
    ours_wrong = [q for q in result["absent"] if not q["ours"]["correct"]]
    for query in ours_missed:
        log(f"ours missed: stored {query['stored']!r}, queried {query['query']!r}")
    for query in ours_wrong:
        log(f"ours found clients {query['ours']['ids']} for absent {query['query']!r}")
    if data["normalize_mismatches"]:
        log(
            f"Generation: {data['normalize_mismatches']} stored numbers were not normalized "
            f"to the number drawn, e.g. {data['normalize_mismatch_examples'][:5]}"
        )
    log(
        f"\nTimes: lookups {timings['lookups']:.1f} s, total wall {timings['total']:.0f} s. "
        f"JSON: {RESULTS.relative_to(ROOT)}"
    )


# --- main -----------------------------------------------------------------------------


def prepare_database(clients, fresh):
    """(registry, data statistics, reused, timings) with the data in place."""
    wanted = wanted_marker(clients)
    marker = None if fresh else read_marker()
    timings = {}
    if marker and all(marker.get(key) == value for key, value in wanted.items()):
        log(f"reusing database {DB}: {clients:,} clients generated {marker['generated_at']}")
        return load_registry(), marker, True, timings
    if fresh:
        log(f"--fresh: rebuilding database {DB}")
    elif marker:
        log(f"database {DB} holds other data ({marker['clients']:,} clients): rebuilding it")
    else:
        log(f"no complete database {DB}: building it")
    drop_database()
    start = time.perf_counter()
    install_modules()
    timings["install"] = time.perf_counter() - start
    registry = load_registry()
    log(f"generating {clients:,} clients")
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = superuser_env(cr)
        data = {**wanted, **generate(env, clients)}
        timings["generation"] = time.perf_counter() - start
        data["generated_at"] = datetime.now().isoformat(timespec="seconds")
        data["generation_s"] = round(timings["generation"], 1)
        env["ir.config_parameter"].set_param(MARKER_KEY, json.dumps(data))
    return registry, data, False, timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="default: 1,000,000")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args = parser.parse_args()
    if args.clients < 1000:
        parser.error("--clients must be at least 1000")
    started = time.perf_counter()
    registry, data, reused, timings = prepare_database(args.clients, args.fresh)

    rng = random.Random(SEED + 1)
    warmup_each = WARMUP // 2
    with registry.cursor() as cr:
        env = superuser_env(cr)
        existing = existing_queries(cr, rng, QUERIES + warmup_each)
        absent = absent_queries(cr, PhoneFactory(rng), QUERIES + warmup_each)
        start = time.perf_counter()
        run_lookups(env, existing[:warmup_each] + absent[:warmup_each])
        existing, absent = existing[warmup_each:], absent[warmup_each:]
        run_lookups(env, [q for pair in zip(existing, absent, strict=True) for q in pair])
        timings["lookups"] = time.perf_counter() - start
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
        cr.rollback()
    timings["total"] = time.perf_counter() - started

    from odoo import release

    result = {
        "benchmark": "phone_lookup",
        "database": DB,
        "database_reused": reused,
        "data": data,
        "queries": {"existing": len(existing), "absent": len(absent), "warmup": WARMUP},
        "timings_s": {key: round(value, 2) for key, value in timings.items()},
        "versions": {
            "odoo": release.version,
            "postgresql": postgres,
            "phonenumbers": phonenumbers.__version__,
            "python": sys.version.split()[0],
        },
        "summary": summarize(existing, absent),
        "existing": existing,
        "absent": absent,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    report(result)


if __name__ == "__main__":
    main()
