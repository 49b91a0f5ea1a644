"""What the benchmarks of bench/ share: Odoo and PostgreSQL plumbing, clients with phone
numbers generated the way dealership staff write them, and Markdown reports."""

import bisect
import cProfile
import functools
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
RESULTS_DIR = ROOT / "bench" / "results"

BATCH = 50_000
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

# Most common first.
FIRST_NAMES = {
    "m": "Александр Сергей Дмитрий Андрей Алексей Максим Иван Михаил Евгений Владимир Артем "
    "Никита Игорь Роман Кирилл Павел Олег Виктор Денис Николай Юрий Антон Илья Вадим Борис "
    "Егор Константин Петр Федор Григорий Леонид Станислав Тимур Семен Георгий".split(),
    "f": "Елена Ольга Наталья Анна Татьяна Ирина Екатерина Мария Светлана Юлия Марина "
    "Анастасия Дарья Людмила Галина Ксения Виктория Валентина Полина Софья Яна Алена Вера "
    "Надежда Любовь Алина Кристина Евгения Оксана Лариса Жанна Маргарита Вероника Диана".split(),
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
PATRONYMICS = (  # most common first
    "Александров Сергеев Владимиров Николаев Андреев Викторов Алексеев Юрьев Иванов Михайлов "
    "Дмитриев Евгеньев Анатольев Васильев Петров Игорев Олегов Геннадьев Павлов Валерьев "
    "Борисов Константинов Максимов Романов Григорьев Леонидов Федоров Степанов Артемов "
    "Денисов Станиславов Георгиев Вадимов Антонов"
).split()
# Client names as frequent as in Russia: the common surnames above first, then rarer
# ones from stems and endings, drawn with Zipf-like weights (the most common surname
# about 1% of clients, as Иванов is), so that namesakes are as frequent as in life.
SURNAME_STEMS = (
    "Абрамц Авде Агап Аксён Акул Алфёр Анань Анисим Аничк Арсень Архип Астах Афон Бабак "
    "Бажен Балак Барсук Бахм Бебех Белоус Бердник Бирюк Блин Бобр Богомол Бондар Борзих "
    "Бочар Брагин Бубн Бурлак Быстр Валуй Варлам Веденя Верещаг Вишн Вороб Галк Гвозд Глух "
    "Голован Горб Горшк Гребн Грибан Гуляй Дёгт Демид Дерябк Дорофе Дрозд Дубин Дьяч Евдок "
    "Ерш Жарк Жданк Жигал Забол Загорь Зверь Зимин Злоб Зубар Игнать Изюм Калач Капуст "
    "Карась Кармаш Кашир Кирсан Клю Кныш Колпак Комар Копыл Корнил Коростел Косач Кочет "
    "Кравц Крупен Кудин Кулеш Лапш Ласточк Левш Лемеш Лихач Лопат Лукьян Лыс Мазур Малах "
    "Марчук Махн Мезен Мирош Мордв Мохн Мыш Нагорн Нечай Новосёл Овсян Окун Олень Осок Панкр "
    "Пасечн Пестр Плотн Подк Полуэкт Пороз Прян Пух Пшён Рак Репн Рогач Рудак Рыбак "
    "Сазон Самсон Сверчк Седых Селезн Серебрян Сивок Скворц Сморчк Собол Сом Стрелк Сусл "
    "Сыч Тарак Тимош Толокн Трегуб Тупиц Увар Ульян Устин Фадей Фирс Хмел Хомяк Цвет "
    "Чайк Чекмар Черемш Чиж Шапош Шевел Шил Шмел Шуст Щегл Юдин Юрл Ягод Язык Ярош"
).split()
SURNAME_ENDINGS = (("ов", "ова"), ("ин", "ина"), ("ский", "ская"), ("енко", "енко"), ("ых", "ых"))
SURNAME_PREFIXES = ("", "Бело", "Черно", "Ново", "Старо", "Красно", "Добро", "Верхо", "Криво")
ZIPF_SURNAMES = (40, 0.95)  # offset and exponent of the surname weights
ZIPF_FIRST_NAMES = (4, 1.1)
# Spelled with ё in some documents, not in others: the word's start as usually written.
YO_STARTS = {
    start.replace("ё", "е"): start
    for start in "Семёнов Фёдоров Королёв Соловьёв Воробьёв Ковалёв Киселёв Журавлёв Пономарёв "
    "Грачёв Чернышёв Артёмов Артёмович Артёмовна Селезнёв Пётр Артём Фёдор Алёна Семён".split()
}
YO_SHARE = 0.4  # clients whose name is stored with ё where it has one
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


def read_marker(db, key):
    """The marker ``key`` left by a complete generation in the database ``db``, or None."""
    try:
        cnx = psycopg2.connect(dbname=db)
    except psycopg2.OperationalError:
        return None
    try:
        with cnx.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [key])
            row = cr.fetchone()
    except psycopg2.Error:
        return None
    finally:
        cnx.close()
    return json.loads(row[0]) if row else None


def update_module_if_changed(db, wanted, fresh, *, key, modules, sha_key, current):
    """(``current``, seconds spent updating or None): ``-u modules`` in ``db`` when its
    data is what ``wanted`` says (marker ``key``) but the module's files, whose sha1 is
    ``current`` (kept in the marker as ``sha_key``), changed since: the module is being
    written while measured."""
    marker = None if fresh else read_marker(db, key)
    if not marker or any(marker.get(name) != value for name, value in wanted.items()):
        return current, None
    if marker.get(sha_key) == current:
        return current, None
    started = time.perf_counter()
    install_modules(db, modules, update=True)
    marker[sha_key] = current
    cnx = psycopg2.connect(dbname=db)
    with cnx, cnx.cursor() as cr:
        cr.execute(
            "UPDATE ir_config_parameter SET value = %s WHERE key = %s", [json.dumps(marker), key]
        )
    cnx.close()
    return current, time.perf_counter() - started


def drop_database(db):
    cnx = psycopg2.connect(dbname="postgres")
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
    cnx.close()


def install_modules(db, modules, update=False):
    """Install ``modules`` in ``db`` (a new database), or update them when ``update``."""
    command = [
        sys.executable,
        f"{ODOO_SRC}/odoo-bin",
        "-c",
        str(ODOO_CONF),
        f"--addons-path={ADDONS_PATH}",
        "-d",
        db,
        "-u" if update else "-i",
        modules,
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
    ]
    if update:
        log(f"updating {modules} in {db}")
    else:
        log(f"installing {modules} in a new database {db} (no demo data)")
    subprocess.run(command, cwd=ROOT, check=True)


def load_registry(db):
    sys.path.insert(0, ODOO_SRC)
    import odoo

    odoo.tools.config.parse_config(
        ["-c", str(ODOO_CONF), f"--addons-path={ADDONS_PATH}", "-d", db, "--log-level=warn"]
    )
    return odoo.modules.registry.Registry(db)


def superuser_env(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


def prepare_database(db, modules, marker_key, *, wanted, fresh, generate, describe):
    """(registry, data statistics, reused, timings) of ``db`` holding the data ``wanted``
    describes: reused when its marker matches ``wanted``, else rebuilt with ``modules``
    installed and ``generate(env)`` (returning statistics) run. ``describe(marker)`` says
    what the data is in the log, e.g. "1,000 clients"."""
    marker = None if fresh else read_marker(db, marker_key)
    timings = {}
    if marker and all(marker.get(key) == value for key, value in wanted.items()):
        log(f"reusing database {db}: {describe(marker)} generated {marker['generated_at']}")
        return load_registry(db), marker, True, timings
    if fresh:
        log(f"--fresh: rebuilding database {db}")
    elif marker:
        log(f"database {db} holds other data ({describe(marker)}): rebuilding it")
    else:
        log(f"no complete database {db}: building it")
    drop_database(db)
    start = time.perf_counter()
    install_modules(db, modules)
    timings["install"] = time.perf_counter() - start
    registry = load_registry(db)
    log(f"generating {describe(wanted)}")
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = superuser_env(cr)
        data = {**wanted, **generate(env)}
        timings["generation"] = time.perf_counter() - start
        data["generated_at"] = datetime.now().isoformat(timespec="seconds")
        data["generation_s"] = round(timings["generation"], 1)
        env["ir.config_parameter"].set_param(marker_key, json.dumps(data))
    return registry, data, False, timings


def reserve_ids(cr, table, count):
    """``count`` new ids of ``table`` from its sequence."""
    cr.execute(
        sql.SQL("SELECT nextval({}) FROM generate_series(1, %s)").format(
            sql.Literal(f"{table}_id_seq")
        ),
        [count],
    )
    return [row_id for (row_id,) in cr.fetchall()]


@contextmanager
def bulk_load(cr, tables):
    """Drop the foreign keys and the indexes other than constraints' of ``tables`` for the
    block, so that COPY maintains and checks none of them row by row, and recreate them
    after it (which checks every row at once)."""
    cr.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])""",
        [list(tables)],
    )
    foreign_keys = cr.fetchall()
    cr.execute(
        """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint
                               WHERE conrelid = indrelid AND conindid = indexrelid)""",
        [list(tables)],
    )
    indexes = cr.fetchall()
    for table, name, _definition in foreign_keys:
        cr.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
    for name, _definition in indexes:
        cr.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    yield
    started = time.perf_counter()
    cr.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cr.execute(definition)
    for table, name, definition in foreign_keys:
        cr.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    log(
        f"  recreated {len(indexes)} indexes and {len(foreign_keys)} foreign keys"
        f"  {time.perf_counter() - started:6.1f} s"
    )


def copy_in_background(batches, copy, copied):
    """``copy(batch)`` each batch of the iterable ``batches`` in a second thread while the
    next one is built (psycopg2 lets go of the GIL during COPY), then ``copied(batch)``.
    Building a batch must not use the cursor ``copy`` uses."""
    with ThreadPoolExecutor(max_workers=1) as copier:
        copying = previous = None
        for batch in batches:
            if copying:
                copying.result()
                copied(previous)
            copying, previous = copier.submit(copy, batch), batch
        if copying:
            copying.result()
            copied(previous)


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


def zipf_cum_weights(count, offset, exponent):
    total, cum = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 1 + offset) ** exponent
        cum.append(total)
    return cum


def _surnames():
    """[(male, female)] surnames, most common first."""
    common = [(last, f"{last}а") for last in LAST_NAMES]
    composed = {
        (
            f"{prefix}{stem.lower() if prefix else stem}{male}",
            f"{prefix}{stem.lower() if prefix else stem}{female}",
        )
        for prefix in SURNAME_PREFIXES
        for stem in SURNAME_STEMS
        for male, female in SURNAME_ENDINGS
    } - set(common)
    rare = sorted(composed)
    random.Random(7).shuffle(rare)
    return common + rare


SURNAMES = _surnames()
SURNAME_CUM = zipf_cum_weights(len(SURNAMES), *ZIPF_SURNAMES)
FIRST_NAME_CUM = {
    sex: zipf_cum_weights(len(names), *ZIPF_FIRST_NAMES) for sex, names in FIRST_NAMES.items()
}
PATRONYMIC_CUM = zipf_cum_weights(len(PATRONYMICS), *ZIPF_FIRST_NAMES)


@functools.cache
def _spelled_with_yo(word):
    for start, yo in YO_STARTS.items():
        if word.startswith(start) and (len(word) == len(start) or len(start) > 4):
            return yo + word[len(start) :]
    return word


def with_yo(name):
    """``name`` spelled with ё wherever its words have one."""
    return " ".join(map(_spelled_with_yo, name.split(" ")))


def draw(rng, population, cum_weights):
    """``rng.choices(population, cum_weights=cum_weights)[0]``, faster."""
    return population[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


def client_name(rng, is_company):
    if is_company:
        return f'ООО "{rng.choice(COMPANY_WORDS)}-{rng.randrange(1, 1000)}"'
    male, female = draw(rng, SURNAMES, SURNAME_CUM)
    patronymic = draw(rng, PATRONYMICS, PATRONYMIC_CUM)
    if rng.random() < 0.5:
        first = draw(rng, FIRST_NAMES["m"], FIRST_NAME_CUM["m"])
        name = f"{male} {first} {patronymic}ич"
    else:
        first = draw(rng, FIRST_NAMES["f"], FIRST_NAME_CUM["f"])
        name = f"{female} {first} {patronymic}на"
    return with_yo(name) if rng.random() < YO_SHARE else name


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
        # phone_sanitized exists when a module makes partners mail.thread.phone (sms).
        self.sanitized = "phone_sanitized" in env["res.partner"]._fields
        columns = (*PARTNER_COLUMNS, "phone_sanitized") if self.sanitized else PARTNER_COLUMNS
        # dealer_name_key: the words name search compares (dealer_base), when it exists.
        self.name_key = None
        if "dealer_name_key" in env["res.partner"]._fields:
            from odoo.addons.dealer_base.tools import name_key

            self.name_key, columns = name_key, (*columns, "dealer_name_key")
        extras = {
            **PARTNER_CONSTANTS,
            **required_extras(env.cr, "res_partner", {*columns, *PARTNER_CONSTANTS}),
        }
        required_extras(env.cr, "dealer_partner_phone", set(PHONE_COLUMNS))
        self.partner_columns = (*columns, *extras)
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
            sanitized = (sanitized_mobile or sanitized_phone,) if self.sanitized else ()
            key = (self.name_key(name),) if self.name_key else ()
            partners.append(
                (
                    *(partner_id, name, name, partner_id, name if is_company else None),
                    *(is_company, self.lang, phone, mobile, now, now, *sanitized, *key),
                    *self.partner_tail,
                )
            )
        return partners, phones


def generate_clients(env, clients, rng):
    """Insert ``clients`` clients and their numbers with COPY; return data statistics."""
    cr = env.cr
    rows = ClientRows(env, rng)
    partner_ids = reserve_ids(cr, "res_partner", clients)
    counts = {"clients": 0, "numbers": 0}
    started = time.perf_counter()

    def batches():
        for offset in range(0, clients, BATCH):
            yield rows.batch(partner_ids[offset : offset + BATCH])

    def copy(batch):
        copy_rows(cr, "res_partner", rows.partner_columns, batch[0])
        copy_rows(cr, "dealer_partner_phone", PHONE_COLUMNS, batch[1])

    def copied(batch):
        counts["clients"] += len(batch[0])
        counts["numbers"] += len(batch[1])
        log(
            f"  clients {counts['clients']:>9,}/{clients:,}  numbers {counts['numbers']:>9,}"
            f"  {time.perf_counter() - started:6.1f} s"
        )

    copy_in_background(batches(), copy, copied)
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
        "numbers": counts["numbers"],
        "shared_numbers": cr.fetchone()[0],
        "normalize_mismatches": len(rows.mismatches),
        "normalize_mismatch_examples": rows.mismatches[:20],
    }


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


def timing(values):
    stats = {
        "median": statistics.median(values),
        "p95": statistics.quantiles(values, n=20, method="inclusive")[-1],
        "mean": statistics.fmean(values),
        "max": max(values),
    }
    return {name: round(value, 3) for name, value in stats.items()}


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


def database_arguments(parser, db, results=None):
    """The options every benchmark has: --fresh, --db and, with ``results``,
    --report-only."""
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--db", default=db, help=f"database to build or reuse (default: {db})")
    if results is not None:
        parser.add_argument(
            "--report-only", action="store_true", help=f"print the report of {results.name} again"
        )


@contextmanager
def profiled(enabled, sink, key, addon):
    """cProfile the block when ``enabled``: ``profile_report`` to sink[key]."""
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        sink[key] = profile_report(profile, addon)


def profile_report(profile, addon):
    """The 25 costliest functions of a cProfile by own time, and ``addon``'s functions
    by cumulated time."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(rf"addons/{addon}/", 20)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()
