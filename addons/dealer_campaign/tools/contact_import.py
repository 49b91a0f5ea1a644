"""Clients to call, read from pasted text, a text file or an Excel workbook.

Pure Python plus openpyxl: nothing here touches the ORM. The wizard matches what this
returns (``Row.phones`` through ``find_by_phone``'s index, else ``Row.vin`` /
``Row.plate``); here a cell is only cut into *candidate* numbers, kept as typed
("+7 (916) 123-45-67"), so the report can show the user what the file said.

Bad input never gives a traceback: the whole source is refused with a
:class:`ContactImportError` (a ``code`` and an English message, translated through
``MESSAGES``), or a line is left out and listed in ``skipped`` as
``(line number, text, reason code)`` with the reasons of ``SKIP_REASONS``.
"""

import csv
import itertools
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from xml.parsers import expat

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from odoo.tools.translate import LazyTranslate

# Texts of code that runs without an environment: lazy, translated by the caller.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__, default_lang="en_US")  # English until the caller translates
_logger = logging.getLogger(__name__)

MAX_TEXT_BYTES = 1_000_000  # a paste or a text file
MAX_FILE_BYTES = 20_000_000  # an Excel file as uploaded
MAX_UNZIPPED_BYTES = 500_000_000  # an Excel file unpacked: a zip bomb stops here
MAX_ROWS = 200_000  # data rows of one sheet
MAX_LINE_CHARS = 1000  # one text line
HEADER_SCAN_ROWS = 30  # the header row is looked for in the first rows only
HEADER_MAX_CHARS = 60  # longer cells are titles or data, never a column name
MIN_DIGITS, MAX_DIGITS = 7, 15  # a phone number (E.164 has at most 15 digits)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files

ROLES = ("name", "phone", "email", "vin", "plate", "note", "ignore")
# A row needs one of these to be matched with a client.
KEY_ROLES = ("phone", "vin", "plate")

MESSAGES = {
    "too_large": _lt(
        "The data is too large: %(size)s MB, at most %(limit)s MB at a time. "
        "Split it into parts and load them one by one."
    ),
    "not_workbook": _lt(
        "The file is not an Excel workbook. Open it in Excel, save it as "
        "“Excel Workbook (*.xlsx)” and load it again."
    ),
    "encrypted": _lt(
        "The file is password-protected or in the old Excel 97–2003 (.xls) format. "
        "Open it in Excel, save it as “Excel Workbook (*.xlsx)” without a password "
        "and load it again."
    ),
    "no_sheet": _lt("The workbook has no sheet “%(sheet)s”: choose one of its sheets."),
    "empty_sheet": _lt("Sheet “%(sheet)s” is empty."),
    "no_phone_column": _lt(
        "Sheet “%(sheet)s” has no column of phone numbers, VIN or license plates. "
        "Name the column (for example “Телефон”, “VIN” or “Госномер”) or choose "
        "what each column holds by hand."
    ),
    "too_many_rows": _lt(
        "Sheet “%(sheet)s” has more than %(max_rows)s rows of data. Split the file into "
        "parts of at most %(max_rows)s rows and load them one by one."
    ),
}

# Why a line or row was left out (the third item of each ``skipped`` entry).
SKIP_REASONS = {
    "empty": _lt("Nothing in the columns being read"),
    "no_phone": _lt("No phone number, VIN or license plate"),
    "junk": _lt("Not a client line: no digits at all"),
    "too_long": _lt("Line longer than 1000 characters"),
}


class ContactImportError(Exception):
    """The whole source is refused. ``code`` is a key of ``MESSAGES``, ``params`` fill
    its placeholders; ``str(error)`` is the English message, ``translated(lang)`` the
    message in ``lang`` (or ``env._(MESSAGES[error.code]) % error.params``)."""

    def __init__(self, code, **params):
        if code not in MESSAGES:
            raise ValueError(f"Unknown contact import error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(self.translated())

    def translated(self, lang="en_US"):
        return MESSAGES[self.code]._translate(lang or "en_US") % self.params


@dataclass
class Row:
    """One client as the source gives it. ``line`` is the text line or the Excel row
    number (1-based, as the user sees it); ``raw`` the whole line or row as text."""

    line: int
    name: str = ""
    phones: list[str] = field(default_factory=list)  # main phone column first
    email: str = ""
    vin: str = ""
    plate: str = ""
    note: str = ""
    raw: str = ""


@dataclass
class ExcelTable:
    """A sheet as read: ``header_row`` is the 1-based row of the column names (0: the
    sheet has none, data starts in row 1); ``headers`` the names by column (0-based,
    "" where a column has none); ``mapping`` the role of every column, as given or
    as guessed from the names (or from the contents when there are no names)."""

    sheet: str
    header_row: int
    headers: list[str]
    mapping: dict[int, str]
    rows: list[Row]
    skipped: list[tuple[int, str, str]]


# --- cells and phone numbers ---------------------------------------------------------------
_EXCEL_ERRORS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
)
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"[^0-9]")
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Several numbers in one cell: separated by commas, semicolons, tabs or line breaks.
_PHONE_SEPARATORS = re.compile(r"[,;\t\n\r\v\f\u2028\u2029]+")
# Not part of the number: "доб. 123", "ext 45", "x12".
_EXTENSION = re.compile(
    r"(?<![^\W\d_])(?:доб(?:авочный)?|вн(?:утр(?:енний)?)?|ext(?:ension)?|x)\.?\s*:?\s*"
    r"\d{1,6}(?!\d)",
    re.IGNORECASE,
)
# A number as people write it: digits with spaces, dashes, dots and brackets.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-–]*\d")
# What the general rules would keep whole: a number between digits, single spaces.
_ONE_PHONE = re.compile(r"\+?\d(?:[\d()\-.]| (?! ))*\d")
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
# Words around a number that say what kind of number it is, not whose.
_PHONE_WORDS = re.compile(
    r"(?<![^\W\d_])(?:тел(?:ефон)?|моб(?:ильный)?|сот(?:овый)?|раб(?:очий)?|"
    r"дом(?:ашний)?|доп|осн(?:овной)?|конт(?:актный)?|tel|phone|mob(?:ile)?|cell|work|"
    r"home|whats\s?app|вотсап|ватсап|viber|вайбер|telegram|телеграм)(?![^\W\d_])\.?",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"\(\s*\)")
_EMAIL = re.compile(r"[^@\s;,<>()\"']+@[^@\s;,<>()\"']+\.[^@\s;,<>()\"']+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_VIN = re.compile(r"(?=.*\d)(?=.*[A-Z])[A-HJ-NPR-Z0-9]{17}")
_PLATE_LETTERS = "АВЕКМНОРСТУХABEKMHOPCTYX"
_PLATE = re.compile(rf"[{_PLATE_LETTERS}]\d{{3}}[{_PLATE_LETTERS}]{{2}}\d{{2,3}}(?:RUS)?")


def _cell_text(value):
    """A cell as Excel shows it: whole numbers without ".0", dates as dd.mm.yyyy,
    errors (#N/A…) as nothing."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
        text = "" if text in _EXCEL_ERRORS else text
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    elif isinstance(value, datetime):
        text = value.strftime("%d.%m.%Y" if value.time() == time(0, 0) else "%d.%m.%Y %H:%M")
    elif isinstance(value, date):
        text = value.strftime("%d.%m.%Y")
    elif isinstance(value, time):
        text = value.strftime("%H:%M")
    else:  # int, Decimal, timedelta
        text = str(value).strip()
    return text


def _digits(text):
    return _NOT_DIGIT.sub("", text)


def _split_run(run):
    """A run of more than 15 digits is several numbers written with spaces only
    ("8 916 111 22 33 8 903 555 66 77"): cut it before a "+" or once a group has the
    ten digits of a full number."""
    groups, current, count = [], [], 0
    for token in re.split(r"\s+|(?=\+)", run):
        if not token:
            continue
        if current and (token.startswith("+") or count >= 10):
            groups.append(" ".join(current))
            current, count = [], 0
        current.append(token)
        count += len(_digits(token))
    if current:
        groups.append(" ".join(current))
    return groups


def split_phones(cell) -> list[str]:
    """The candidate phone numbers of a cell or a piece of text, as typed.

    Several numbers may be separated by ``,`` ``;`` or line breaks; words around them
    ("моб.", "доб. 12") are dropped; a number stored as a float (79161234567.0) gives
    "79161234567". A candidate has 7 to 15 digits; whether it is a valid number is
    for ``normalize_phone`` to say."""
    return [number for number, _digits in _phones(cell)]


def _phones(cell):
    """(number as typed, its digits) of each candidate number of ``cell``."""
    text = cell if isinstance(cell, str) else _cell_text(cell)
    if text.isdigit() and text.isascii():  # a number stored as a number
        return [(text, text)] if MIN_DIGITS <= len(text) <= MAX_DIGITS else []
    if _ONE_PHONE.fullmatch(text):  # one number and nothing else: "+7 (916) 123-45-67"
        digits = _digits(text)
        if len(digits) < MIN_DIGITS or _DATE_LIKE.fullmatch(text):
            return []
        if len(digits) <= MAX_DIGITS:
            return [(text, digits)]
    if not _HAS_DIGIT.search(text):
        return []
    found, seen = [], set()
    for part in _PHONE_SEPARATORS.split(text):
        for match in _PHONE_RUN.finditer(_EXTENSION.sub(" ", part)):
            run = match.group().strip(" .-–")
            pieces = [run] if len(_digits(run)) <= MAX_DIGITS else _split_run(run)
            for piece in pieces:
                number = piece.strip(" .-–")
                if number.startswith("(") and number.count("(") > number.count(")"):
                    number = number[1:].lstrip()
                digits = _digits(number)
                if not MIN_DIGITS <= len(digits) <= MAX_DIGITS or _DATE_LIKE.fullmatch(number):
                    continue
                if digits not in seen:
                    seen.add(digits)
                    found.append((_SPACES.sub(" ", number), digits))
    return found


def _looks_vin(text):
    return bool(_VIN.fullmatch(_NOT_ALNUM.sub("", text.upper())))


def _looks_plate(text):
    return bool(_PLATE.fullmatch(_NOT_ALNUM.sub("", text.upper())))


def _key_value(text):
    """A VIN or plate cell worth matching: some digits among a few letters or digits
    ("-", "нет" and the like are not)."""
    compact = _NOT_ALNUM.sub("", text)
    return text if len(compact) >= 4 and _HAS_DIGIT.search(compact) else ""


# --- column names ----------------------------------------------------------------------------
def _normalize_header(header):
    return _NOT_ALNUM.sub("", str(header or "").lower().replace("ё", "е"))


_PHONE_HEADER = re.compile(
    r"телефон(?!н)|phone|mobile|мобильн|сотов|"
    r"^(?:доп|моб|раб|дом|сот|осн|конт|контакт|кон)?(?:тел|тлф|моб|mob|tel)\d*$|^сот$"
)
_NOT_PHONE_HEADER = re.compile(r"соглас|опрос|consent|дата|date|колич|count|статус|status")
_EMAIL_HEADER = re.compile(r"mail|почт|емейл|емайл|имейл|мейл")
_VIN_HEADER = re.compile(r"^vin|vin$|^вин$|^винкод|идентификационн")
_PLATE_HEADER = re.compile(
    r"госномер|госзнак|госрег|регномер|регзнак|номерзнак|plate|^(?:гнз|грз|грн)$|"
    r"^номер(?:авто|автомобил|машин|ам|тс)"
)
_NOTE_HEADER = re.compile(r"^(?:примеч|коммент|заметк|описан|note|comment|remark)")
_NAME_HEADER = re.compile(
    r"^(?:фио|клиент|имя|контрагент|фамили|отчеств|покупател|заказчик|владел|собственник|"
    r"контактн(?:ое|ые)?лиц|наименован|name|fullname|client|customer|owner|contact$)"
)


# In this order: "Номер телефона" is a phone, "VIN автомобиля" a VIN.
_HEADER_ROLES = (
    ("vin", _VIN_HEADER, None),
    ("plate", _PLATE_HEADER, None),
    ("email", _EMAIL_HEADER, None),
    ("phone", _PHONE_HEADER, _NOT_PHONE_HEADER),
    ("note", _NOTE_HEADER, None),
    ("name", _NAME_HEADER, None),
)


def guess_role(header) -> str:
    """The role of a column from its name, whatever its case, spaces and punctuation:
    'name', 'phone', 'email', 'vin', 'plate', 'note' or 'ignore'."""
    key = _normalize_header(header)
    return next(
        (
            role
            for role, pattern, unless in _HEADER_ROLES
            if key and pattern.search(key) and not (unless and unless.search(key))
        ),
        "ignore",
    )


def _header_role(text):
    """``guess_role`` for a cell that may be a column name (short text)."""
    if not text or len(text) > HEADER_MAX_CHARS or "@" in text or split_phones(text):
        return "ignore"
    return guess_role(text)


# --- text ----------------------------------------------------------------------------------
def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")  # pragma: no cover - cp1251 takes all


def _size_error(size, limit):
    return ContactImportError(
        "too_large", size=f"{size / 1_000_000:.1f}", limit=f"{limit / 1_000_000:g}"
    )


def _split_fields(line):
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            try:
                return next(csv.reader([line], delimiter=delimiter, strict=False))
            except (csv.Error, StopIteration):
                return line.split(delimiter)
    return [line]


def _leftover(value):
    """What is left of a piece of text once its numbers are taken out: "Иванов И. М."
    of "тел. 8 916 111-22-33 Иванов И. М.", without the stray separators."""
    value = _EMPTY_BRACKETS.sub(" ", _SPACES.sub(" ", value)).lstrip(" :.,;()-–—/+#№*")
    value = value.rstrip(" :,;(-–—/+#№*")
    if value.count(")") > value.count("("):
        value = value.rstrip(") ")
    return value


def _text_row(number, line, fields):
    row = Row(line=number, raw=line)
    texts = []
    for cell in fields:
        value = cell.strip().strip('"').strip()
        if not value:
            continue
        if _EMAIL.fullmatch(value):
            row.email = row.email or value
        elif _looks_vin(value):
            row.vin = row.vin or value
        elif _looks_plate(value):
            row.plate = row.plate or value
        else:
            phones = split_phones(value)
            rest = value
            if phones:
                row.phones.extend(p for p in phones if p not in row.phones)
                rest = _PHONE_WORDS.sub(" ", _PHONE_RUN.sub(" ", _EXTENSION.sub(" ", rest)))
            if not row.email and (email := _EMAIL.search(rest)):
                row.email = email.group()
                rest = rest.replace(row.email, " ")
            rest = _SPACES.sub(" ", _leftover(rest) if phones else rest).strip()
            if rest and (_HAS_LETTER.search(rest) or not phones):
                texts.append(rest)
    # The name is the first text with letters; any other text is a note.
    named = next((i for i, t in enumerate(texts) if _HAS_LETTER.search(t)), None)
    if named is not None:
        row.name = texts.pop(named)
    row.note = "; ".join(texts)
    return row


def parse_text(text, *, max_bytes=MAX_TEXT_BYTES) -> tuple[list[Row], list[tuple[int, str, str]]]:
    """Clients from pasted text or a text file (``str``, or ``bytes`` in UTF-8, UTF-16
    with its mark or Windows-1251): one client per line, a phone number in any format
    and optionally a name, e-mail, VIN or plate, separated by tab, semicolon or comma.

    Returns (rows, skipped); blank lines and a first line of column names are left out
    silently, others as (line number, text, 'no_phone' | 'junk' | 'too_long').
    More than ``max_bytes`` (1 MB) raises ContactImportError('too_large')."""
    if isinstance(text, bytes | bytearray):
        if len(text) > max_bytes:
            raise _size_error(len(text), max_bytes)
        text = _decode(bytes(text))
    text = text or ""
    if len(text) > max_bytes or len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise _size_error(len(text.encode("utf-8", errors="replace")), max_bytes)
    rows, skipped = [], []
    first = True
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        fields = _split_fields(stripped) if len(stripped) <= MAX_LINE_CHARS else []
        if not stripped or (fields and not any(f.strip() for f in fields)):
            continue  # blank, or nothing but separators (a blank row copied from Excel)
        header, first = first, False
        if len(stripped) > MAX_LINE_CHARS:
            skipped.append((number, stripped[:100] + "…", "too_long"))
            continue
        if not _HAS_DIGIT.search(stripped):
            if header and any(_header_role(f.strip()) in KEY_ROLES for f in fields):
                continue  # the column names of a table copied with its header
            skipped.append((number, stripped, "junk"))
            continue
        row = _text_row(number, stripped, fields)
        if row.phones or row.vin or row.plate:
            rows.append(row)
        else:
            skipped.append((number, stripped, "no_phone"))
    return rows, skipped


# --- Excel -----------------------------------------------------------------------------------
def _check_file(data, max_bytes):
    """What the upload really is, before any XML is read: too large, an OLE2 file
    (encrypted .xlsx or .xls), or no zip at all."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise ContactImportError("not_workbook")
    if len(data) > max_bytes:
        raise _size_error(len(data), max_bytes)
    if bytes(data[:8]) == OLE2_MAGIC:
        raise ContactImportError("encrypted")
    if bytes(data[:2]) != b"PK":
        raise ContactImportError("not_workbook")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ContactImportError("not_workbook") from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _size_error(unzipped, MAX_UNZIPPED_BYTES)


class _OpenpyxlBook:
    """The workbook through openpyxl's read-only mode: the reference reader, and the
    one used when the fast reader does not understand a file."""

    def __init__(self, data):
        from openpyxl import load_workbook

        try:
            self.book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises anything on a zip that is no workbook
            raise ContactImportError("not_workbook") from error
        self.sheets = [ws.title for ws in self.book.worksheets]
        try:
            active = self.book.active
        except Exception:  # a broken activeTab index
            active = None
        self.active = active.title if active is not None and active.title in self.sheets else ""
        self.active = self.active or (self.sheets[0] if self.sheets else "")

    def rows(self, name):
        """(row number, cell values) of every row of sheet ``name``."""
        worksheet = self.book[name]
        # The size written in the file may be wrong (some exporters): read what is there.
        worksheet.reset_dimensions()
        return enumerate(worksheet.iter_rows(values_only=True), 1)

    def close(self):
        try:
            self.book.close()
        except Exception:  # nothing to do about a file that won't close
            _logger.debug("closing a workbook failed", exc_info=True)


class _FastBook:
    """The workbook read straight from its XML, as openpyxl's read-only, data-only mode
    reads it (a formula's saved value, dates by their number format, shared and inline
    strings, hidden rows like any other) but three to four times faster: 50,000 rows
    in about a second. Anything it does not expect raises, and the caller falls back
    to openpyxl."""

    RELS_NS = (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    )

    def __init__(self, data):
        self.archive = zipfile.ZipFile(BytesIO(data))
        try:
            self._read_workbook()
        except Exception:
            self.archive.close()
            raise

    def _xml(self, path):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        with self.archive.open(path) as source:
            return etree.parse(source, parser).getroot()

    def _relations(self, part):
        """{relation id: (type, part path)} of a part, from its .rels file."""
        folder, _sep, name = part.rpartition("/")
        path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        relations = {}
        for element in self._xml(path):
            target = element.get("Target", "")
            if element.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            relations[element.get("Id")] = (element.get("Type", "").rsplit("/", 1)[-1], target)
        return relations

    def _read_workbook(self):
        office = next(
            (path for kind, path in self._relations("").values() if kind == "officeDocument"),
            "xl/workbook.xml",
        )
        root = self._xml(office)
        self.ns = root.tag[1:].partition("}")[0]
        relations = self._relations(office)
        entries = []
        for element in root.iter(f"{{{self.ns}}}sheet"):
            relation = next(
                (element.get(f"{{{ns}}}id") for ns in self.RELS_NS if element.get(f"{{{ns}}}id")),
                None,
            )
            kind, path = relations[relation]
            entries.append((element.get("name"), kind, path))
        self.paths = {name: path for name, kind, path in entries if kind == "worksheet"}
        self.sheets = list(self.paths)
        view = next(root.iter(f"{{{self.ns}}}workbookView"), None)
        tab = int(view.get("activeTab", 0)) if view is not None else 0
        active = entries[tab][0] if 0 <= tab < len(entries) else ""
        self.active = active if active in self.paths else (self.sheets[0] if self.sheets else "")
        properties = next(root.iter(f"{{{self.ns}}}workbookPr"), None)
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.parts = dict(relations.values())

    def _shared_strings(self):
        path = self.parts.get("sharedStrings")
        if not path:
            return []
        t, r, si = (f"{{{self.ns}}}{tag}" for tag in ("t", "r", "si"))
        strings = []
        with self.archive.open(path) as source:
            for _event, element in etree.iterparse(
                source, tag=si, resolve_entities=False, no_network=True
            ):
                strings.append(self._text(element, t, r))
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        return strings

    @staticmethod
    def _text(element, t, r):
        """A string item: its plain text and the text of its formatted runs, not its
        phonetic reading."""
        plain = element.findtext(t)
        if plain is not None:  # the common case: no formatted runs
            return plain
        parts = []
        for child in element:
            if child.tag == t:
                parts.append(child.text or "")
            elif child.tag == r:
                parts.extend(grand.text or "" for grand in child if grand.tag == t)
        return "".join(parts)

    def _date_styles(self):
        """The cell style indexes whose number format shows a date or a time."""
        path = self.parts.get("styles")
        if not path:
            return frozenset()
        root = self._xml(path)
        custom = {
            int(fmt.get("numFmtId")): fmt.get("formatCode", "")
            for fmt in root.iter(f"{{{self.ns}}}numFmt")
        }
        styles = set()
        xfs = next(root.iter(f"{{{self.ns}}}cellXfs"), None)
        for index, xf in enumerate(xfs if xfs is not None else ()):
            number = int(xf.get("numFmtId", 0))
            code = custom.get(number) or BUILTIN_FORMATS.get(number)
            if code and is_date_format(code):
                styles.add(index)
        return frozenset(styles)

    def rows(self, name, chunk=1 << 16):  # noqa: PLR0915 (the parse state in closures: fast)
        """(row number, cell values) of the rows of sheet ``name`` that are in the file,
        each cell as openpyxl's read-only, data-only mode gives it. Streamed: a row is
        given as soon as it is parsed (expat: about twice as fast as lxml here)."""
        decode = self._decoder()
        ns = self.ns + "}"
        row_tag, c_tag, v_tag, t_tag, is_tag, rph_tag = (
            ns + tag for tag in ("row", "c", "v", "t", "is", "rPh")
        )
        columns = {}
        done = []
        # The state of the parse: the row and cell being read.
        number, values, column, kind, style, parts = 0, [], 0, "n", None, None
        collect, inline, phonetic = False, False, False

        def start(tag, attrs):
            nonlocal number, values, column, kind, style, parts, collect, inline, phonetic
            if tag == c_tag:
                reference = attrs.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = columns[letters] = column_index_from_string(letters)
                else:
                    column += 1
                kind, style, parts = attrs.get("t", "n"), attrs.get("s"), None
            elif tag == v_tag or (tag == t_tag and inline and not phonetic):
                collect = True
                if parts is None:
                    parts = []
            elif tag == row_tag:
                reference = attrs.get("r")
                number = int(reference) if reference else number + 1
                values, column = [], 0
            elif tag == is_tag:
                inline, parts = True, []
            elif tag == rph_tag:
                phonetic = True

        def end(tag):
            nonlocal collect, inline, phonetic
            if tag == c_tag:
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = decode(kind, style, parts)
            elif tag in (v_tag, t_tag):
                collect = False
            elif tag == row_tag:
                done.append((number, values))
            elif tag == is_tag:
                inline = False
            elif tag == rph_tag:
                phonetic = False

        def data(text):
            if collect:
                parts.append(text)

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        with self.archive.open(self.paths[name]) as source:
            while block := source.read(chunk):
                parser.Parse(block, False)
                yield from done
                done.clear()
            parser.Parse(b"", True)
            yield from done

    def _decoder(self):
        """The value of a cell from its type, style and text, as openpyxl gives it."""
        strings = self._shared_strings()
        dates = self._date_styles()
        epoch = self.epoch
        convert = {
            "s": lambda value: strings[int(value)],
            "b": lambda value: value in ("1", "true"),
            "d": from_ISO8601,
            "str": str,  # a formula's text
            "e": str,  # an error: "#N/A"
        }

        def decode(kind, style, parts):
            if kind == "inlineStr":
                return None if parts is None else "".join(parts)
            # A formula's saved value; none if it was never calculated.
            value = "".join(parts) if parts else None
            if not value:
                return None
            if kind in convert:
                return convert[kind](value)
            number = float(value) if "." in value or "E" in value or "e" in value else int(value)
            if dates and style and int(style) in dates:
                return from_excel(number, epoch)
            return number

        return decode

    def close(self):
        self.archive.close()


# Read with _FastBook first, openpyxl when that fails (tests switch it off to compare).
_FAST_READER = True


class _Workbook:
    """An uploaded workbook, checked first for what it really is."""

    def __init__(self, data, max_bytes, fast=None):
        _check_file(data, max_bytes)
        self.data = data
        self.reader = None
        if _FAST_READER if fast is None else fast:
            try:
                self.reader = _FastBook(data)
            except Exception as error:
                _logger.debug("fast reader failed on a workbook (%r), using openpyxl", error)
        self.reader = self.reader or _OpenpyxlBook(data)
        self.sheets, self.active = self.reader.sheets, self.reader.active
        if not self.sheets:
            self.close()
            raise ContactImportError("not_workbook")

    def fallback(self):
        """The same workbook through openpyxl."""
        self.close()
        self.reader = _OpenpyxlBook(self.data)
        return self

    def close(self):
        self.reader.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def workbook_sheets(data, *, max_bytes=MAX_FILE_BYTES) -> tuple[list[str], str]:
    """The worksheet names of an .xlsx file and the active one (the first worksheet
    when the active sheet is a chart)."""
    with _Workbook(data, max_bytes) as book:
        return list(book.sheets), book.active


def _texts(values):
    """The cells of a row as Excel shows them (``_cell_text``, inline for speed)."""
    return [
        ""
        if value is None
        else value.strip()
        if type(value) is str and value[:1] != "#"
        else _cell_text(value)
        for value in values
    ]


def _find_header(sample):
    """The row number of the column names among the first rows (``sample``: (row
    number, texts) of non-blank rows): the first with two known names; else, above the
    first row holding a number, VIN or plate, the nearest with a phone, VIN or plate
    column name; else 0."""
    for number, texts in sample:
        if sum(_header_role(t) != "ignore" for t in texts) >= 2:
            return number
    first_data = next(
        (
            index
            for index, (_number, texts) in enumerate(sample)
            if any(split_phones(t) or _looks_vin(t) or _looks_plate(t) for t in texts if t)
        ),
        None,
    )
    if first_data is None:
        return 0
    for number, texts in reversed(sample[:first_data]):
        if any(_header_role(t) in KEY_ROLES and not _HAS_DIGIT.search(t) for t in texts):
            return number
    return 0


def _content_role(values):
    """What a column holds, judged from its first non-blank cells."""
    values = [v for v in values if v]
    if not values:
        return "ignore"
    half = (len(values) + 1) // 2
    for role, test in (
        ("vin", _looks_vin),
        ("plate", _looks_plate),
        ("email", _EMAIL.fullmatch),
        ("phone", split_phones),
    ):
        if sum(bool(test(v)) for v in values) >= half:
            return role
    if sum(bool(_HAS_LETTER.search(v)) and not _HAS_DIGIT.search(v) for v in values) >= half:
        return "name"
    return "ignore"


def _guess_mapping(headers, data_sample, width):
    """Roles from the column names; when these name no phone, VIN or plate column,
    unnamed or unknown columns are judged by their contents."""
    mapping = {index: guess_role(headers[index]) for index in range(width)}
    if not any(role in KEY_ROLES for role in mapping.values()):
        have_name = "name" in mapping.values()
        for index in range(width):
            if mapping[index] != "ignore":
                continue
            role = _content_role(texts[index] for texts in data_sample if index < len(texts))
            if role == "name" and (have_name or headers[index]):
                continue
            have_name = have_name or role == "name"
            mapping[index] = role
    return mapping


def _check_mapping(mapping):
    result = {}
    for key, role in mapping.items():
        if role not in ROLES:
            raise ValueError(f"Unknown column role {role!r}")
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise ValueError(f"Column index {key!r} is not a 0-based column number")
        result[index] = role
    return result


def _excel_row(number, texts, columns):
    """A Row of the mapped cells; phones column by column, the first column first."""
    width = len(texts)
    row = Row(line=number, raw="\t".join(texts).rstrip("\t")[:MAX_LINE_CHARS])
    seen = set()
    for index in columns["phone"]:
        if index < width and texts[index]:
            for phone, digits in _phones(texts[index]):
                if digits not in seen:
                    seen.add(digits)
                    row.phones.append(phone)
    names = [texts[i] for i in columns["name"] if i < width and texts[i]]
    row.name = _SPACES.sub(" ", " ".join(names))
    notes = [texts[i] for i in columns["note"] if i < width and texts[i]]
    row.note = "; ".join(notes)
    row.email = next((texts[i] for i in columns["email"] if i < width and texts[i]), "")
    for role in ("vin", "plate"):
        value = next((v for i in columns[role] if i < width and (v := _key_value(texts[i]))), "")
        setattr(row, role, _SPACES.sub(" ", value))
    return row


def read_excel(
    data, sheet=None, mapping=None, *, max_rows=MAX_ROWS, max_bytes=MAX_FILE_BYTES
) -> ExcelTable:
    """Clients from a sheet of an .xlsx file (``sheet``: its name, the active sheet by
    default). Cells are read as Excel shows them (a formula's saved value; hidden and
    filtered rows are data); the header row is looked for in the first 30 rows;
    ``mapping`` ({0-based column: role}) replaces the roles guessed from the names.
    Blank rows are left out silently, rows with nothing to match by are listed in
    ``skipped`` ('empty': the mapped cells are blank, 'no_phone': no number, VIN or
    plate in them). Raises ContactImportError: 'too_large', 'not_workbook',
    'encrypted', 'no_sheet', 'empty_sheet', 'no_phone_column', 'too_many_rows'
    (more than ``max_rows`` data rows: stops reading there)."""
    if mapping is not None:
        mapping = _check_mapping(mapping)
    with _Workbook(data, max_bytes) as book:
        name = sheet or book.active
        if name not in book.sheets:
            raise ContactImportError("no_sheet", sheet=name)
        try:
            return _read_sheet(book.reader, name, mapping, max_rows)
        except ContactImportError:
            raise
        except Exception as error:
            if not isinstance(book.reader, _FastBook):
                raise ContactImportError("not_workbook") from error
            _logger.info("fast reader failed on sheet %r (%r), using openpyxl", name, error)
        try:
            return _read_sheet(book.fallback().reader, name, mapping, max_rows)
        except ContactImportError:
            raise
        except Exception as error:  # openpyxl raises anything on a broken sheet
            raise ContactImportError("not_workbook") from error


def _read_sheet(reader, name, mapping, max_rows):
    rows_iter = iter(reader.rows(name))
    sample, pending = [], None
    for number, values in rows_iter:
        if number > HEADER_SCAN_ROWS:
            pending = (number, values)
            break
        texts = _texts(values)
        if any(texts):
            sample.append((number, texts))
    if not sample and pending is None:
        raise ContactImportError("empty_sheet", sheet=name)
    header_row = _find_header(sample)
    header = next((texts for number, texts in sample if number == header_row), [])
    data_sample = [texts for number, texts in sample if number > header_row]
    width = max([len(header)] + [_trimmed_width(t) for t in data_sample])
    headers = [_SPACES.sub(" ", t) for t in header[:width]]
    headers += [""] * (width - len(headers))
    if mapping is None:
        mapping = _guess_mapping(headers, data_sample, width)
    columns = {role: sorted(i for i, r in mapping.items() if r == role) for role in ROLES}
    if not any(columns[role] for role in KEY_ROLES):
        raise ContactImportError("no_phone_column", sheet=name)
    read = [i for role in ROLES if role != "ignore" for i in columns[role]]
    rows, skipped, count = [], [], 0

    def take(number, texts):
        nonlocal count
        count += 1
        if count > max_rows:
            raise ContactImportError("too_many_rows", sheet=name, max_rows=_thousands(max_rows))
        row = _excel_row(number, texts, columns)
        if row.phones or row.vin or row.plate:
            rows.append(row)
        elif any(i < len(texts) and texts[i] for i in read):
            skipped.append((number, row.raw, "no_phone"))
        else:
            skipped.append((number, row.raw, "empty"))

    for number, texts in sample:
        if number > header_row:
            take(number, texts)
    for number, values in itertools.chain([pending] if pending else [], rows_iter):
        texts = _texts(values)
        if any(texts):
            take(number, texts)
    return ExcelTable(
        sheet=name,
        header_row=header_row,
        headers=headers,
        mapping=mapping,
        rows=rows,
        skipped=skipped,
    )


def _trimmed_width(texts):
    width = len(texts)
    while width and not texts[width - 1]:
        width -= 1
    return width


def _thousands(number):
    return f"{number:,}".replace(",", " ")
