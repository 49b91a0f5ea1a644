"""The contact import engine on its own: text lines and Excel sheets in, rows and
skipped lines out, bad files refused with a code. No models: the workbooks are built
in memory (openpyxl, or by hand where openpyxl cannot write what Excel writes)."""

import logging
import time
import zipfile
from datetime import datetime
from io import BytesIO
from unittest.mock import patch

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import LazyGettext

from ..tools import contact_import
from ..tools.contact_import import (
    MESSAGES,
    SKIP_REASONS,
    ContactImportError,
    ExcelTable,
    guess_role,
    parse_text,
    read_excel,
    split_phones,
    workbook_sheets,
)

_logger = logging.getLogger(__name__)

HEADER = ["ФИО", "Моб. телефон", "Доп. телефон", "E-mail", "VIN", "Госномер", "Примечание"]
HEADER += ["Дата визита"]


def xlsx(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def clients_workbook():
    """Two sheets, the second active: a title and a merged line above the header,
    blank, hidden and filtered rows, numbers stored as floats, several numbers in a
    cell, a date."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Справка"
    notes.append(["Этот лист не про клиентов"])
    sheet = workbook.create_sheet("Клиенты")
    sheet["A1"] = "Список клиентов для обзвона"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Выгрузка от 01.06.2024, менеджер Смирнов"
    sheet.merge_cells("A2:D2")
    for column, name in enumerate(HEADER, 1):
        sheet.cell(row=4, column=column, value=name)
    data = {
        5: [
            *("Иванов Иван", 79161234567.0, "8 916 111-22-33; +7 (903) 555-66-77"),
            *("ivan@example.com", None, None, "VIP", datetime(2024, 5, 1)),
        ],
        # 6: blank
        7: ["Петров Пётр", "+7 (916) 765-43-21", None, None, "XTA210990Y2765432"],
        8: ["Сидорова Анна", None, "нет", "anna@example.com", None, None, "без телефона"],
        9: [None, None, None, None, None, "А123ВС77"],
        10: [None, None, None, None, None, None, None, datetime(2024, 6, 2)],
        11: ["Кузнецов", 89031112233, "8 903 111-22-33\n8 495 123-45-67 доб. 12"],
    }
    for row, values in data.items():
        for column, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    sheet.row_dimensions[7].hidden = True
    sheet.row_dimensions[8].hidden = True
    sheet.auto_filter.ref = "A4:H11"
    sheet.auto_filter.add_filter_column(0, ["Иванов Иван", "Кузнецов"])
    workbook.active = 1
    return xlsx(workbook)


def handmade_xlsx(sheet_xml, sheet_name="Лист1", shared_strings=None):
    """A minimal .xlsx written part by part: openpyxl cannot write a formula's saved
    value (Excel always does), nor shared strings with formatted runs."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{office}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}">{sheet_xml}</worksheet>',
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{main}">{shared_strings}</sst>'
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{office}.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>",
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return buffer.getvalue()


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def big_workbook(count, note=True):
    """``count`` data rows, written in openpyxl's streaming mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Данные")
    sheet.append(["Клиент", "Телефон", "Примечание"][: 3 if note else 2])
    for i in range(count):
        sheet.append([f"Клиент {i}", 79160000000 + i, "заметка"][: 3 if note else 2])
    return xlsx(workbook)


@tagged("post_install", "-at_install")
class TestContactImport(TransactionCase):
    def assertImportError(self, code, function, *args, **kwargs):
        with self.assertRaises(ContactImportError) as caught:
            function(*args, **kwargs)
        self.assertEqual(caught.exception.code, code)
        self.assertTrue(str(caught.exception))
        return caught.exception

    # --- cells -----------------------------------------------------------------------
    def test_split_phones(self):
        cases = {
            "8 916 111-22-33; +7 (903) 555-66-77": ["8 916 111-22-33", "+7 (903) 555-66-77"],
            "+7 (916) 123-45-67": ["+7 (916) 123-45-67"],
            79161234567.0: ["79161234567"],
            79161234568: ["79161234568"],
            "тел. +7 (916) 123-45-67 доб. 12": ["+7 (916) 123-45-67"],
            "8 916 111 22 33\n8 903 555 66 77": ["8 916 111 22 33", "8 903 555 66 77"],
            "89161112233, 89035556677": ["89161112233", "89035556677"],
            "89161112233 89035556677": ["89161112233", "89035556677"],
            "моб.: 8(916)1234567, раб. (495) 123-45-67": ["8(916)1234567", "(495) 123-45-67"],
            "8 916 111-22-33; 8 916 111-22-33": ["8 916 111-22-33"],
            "12.05.2023": [],
            "нет": [],
            "123-45": [],
            "": [],
            None: [],
        }
        for cell, expected in cases.items():
            with self.subTest(cell=cell):
                self.assertEqual(split_phones(cell), expected)

    def test_guess_role(self):
        cases = {
            "name": ["ФИО", "Клиент", "Имя", "Контрагент", "фамилия", "ФИО клиента", "Name"],
            "phone": ["Телефон", "Моб. телефон", "Мобильный", "Доп. телефон", "Тел.", "ТЕЛ",
                      " телефон  2 ", "Phone", "Сот.", "Номер телефона"],
            "email": ["E-mail", "Email", "Почта", "Эл. почта"],
            "vin": ["VIN", "VIN-код", "vin код"],
            "plate": ["Госномер", "Гос. номер", "Рег. номер", "Гос.рег.знак"],
            "note": ["Примечание", "Комментарий", "Комментарии менеджера"],
            "ignore": ["", None, "Адрес", "Дата визита", "Согласие на телефонный опрос", "№"],
        }  # fmt: skip
        for role, headers in cases.items():
            for header in headers:
                with self.subTest(header=header):
                    self.assertEqual(guess_role(header), role)

    # --- text ------------------------------------------------------------------------
    def test_parse_text(self):
        text = "\n".join(
            [
                "ФИО\tТелефон",  # 1: the header of a copied table: left out silently
                "Иванов Иван\t8 916 111-22-33",  # 2: tab
                "",  # 3
                "\t\t",  # 4: a blank row copied from Excel
                "Петров; +7 (903) 555-66-77, 8 905 000 11 22",  # 5: semicolon, two numbers
                "Сидоров, 89261234567, sid@example.com",  # 6: comma, e-mail
                "просто какой-то текст",  # 7: junk
                "Итого 150",  # 8: digits but no number
                "XTA210990Y2765432; А123ВС77",  # 9: vehicle only
                "тел. 8 916 222 33 44 Кузнецов И. М.",  # 10: one field, words around
                "1" * 1001,  # 11: too long
                '"Орлов, Олег";+7 916 333-44-55;перезвонить после 18',  # 12: quoted comma
            ]
        )
        rows, skipped = parse_text(text)
        by_line = {row.line: row for row in rows}
        self.assertEqual(sorted(by_line), [2, 5, 6, 9, 10, 12])
        self.assertEqual(by_line[2].name, "Иванов Иван")
        self.assertEqual(by_line[2].phones, ["8 916 111-22-33"])
        self.assertEqual(by_line[2].raw, "Иванов Иван\t8 916 111-22-33")
        self.assertEqual(by_line[5].phones, ["+7 (903) 555-66-77", "8 905 000 11 22"])
        self.assertEqual((by_line[6].name, by_line[6].email), ("Сидоров", "sid@example.com"))
        self.assertEqual((by_line[9].vin, by_line[9].plate), ("XTA210990Y2765432", "А123ВС77"))
        self.assertEqual(by_line[9].phones, [])
        self.assertEqual(by_line[10].name, "Кузнецов И. М.")
        self.assertEqual(by_line[10].phones, ["8 916 222 33 44"])
        self.assertEqual(by_line[12].name, "Орлов, Олег")
        self.assertEqual(by_line[12].note, "перезвонить после 18")
        self.assertEqual(
            [(line, reason) for line, _raw, reason in skipped],
            [(7, "junk"), (8, "no_phone"), (11, "too_long")],
        )
        self.assertEqual(skipped[0][1], "просто какой-то текст")
        self.assertLess(len(skipped[2][1]), 200, "a long line is not copied whole")

    def test_parse_text_bytes_and_windows_newlines(self):
        rows, skipped = parse_text("Иванов;89161112233\r\nПетров;89031112233\r\n".encode("cp1251"))
        self.assertEqual([r.name for r in rows], ["Иванов", "Петров"])
        self.assertEqual(skipped, [])
        rows, _skipped = parse_text("\ufeffИванов\t89161112233".encode())
        self.assertEqual(rows[0].name, "Иванов")

    def test_parse_text_only_junk(self):
        rows, skipped = parse_text("привет\nкак дела\n\n")
        self.assertEqual(rows, [])
        self.assertEqual([reason for _l, _r, reason in skipped], ["junk", "junk"])
        self.assertEqual(parse_text(""), ([], []))

    def test_paste_over_1mb(self):
        line = "Иванов Иван\t+7 (916) 123-45-67\n"
        text = line * (1_000_000 // len(line.encode()) + 1)
        self.assertGreater(len(text.encode()), 1_000_000)
        error = self.assertImportError("too_large", parse_text, text)
        self.assertIn("MB", str(error))
        # Just under the limit is read.
        rows, _skipped = parse_text(line * (999_000 // len(line.encode())))
        self.assertTrue(rows)

    # --- Excel -------------------------------------------------------------------------
    def test_excel_sheets_header_and_cells(self):
        data = clients_workbook()
        self.assertEqual(workbook_sheets(data), (["Справка", "Клиенты"], "Клиенты"))
        table = read_excel(data, None)
        self.assertIsInstance(table, ExcelTable)
        self.assertEqual(table.sheet, "Клиенты")
        self.assertEqual(table.header_row, 4, "found below the title and the merged line")
        self.assertEqual(table.headers, HEADER)
        self.assertEqual(
            table.mapping,
            {0: "name", 1: "phone", 2: "phone", 3: "email", 4: "vin", 5: "plate", 6: "note"}
            | {7: "ignore"},
        )
        by_line = {row.line: row for row in table.rows}
        self.assertEqual(sorted(by_line), [5, 7, 9, 11], "hidden and filtered rows are data")
        ivanov = by_line[5]
        self.assertEqual(ivanov.name, "Иванов Иван")
        self.assertEqual(
            ivanov.phones,
            ["79161234567", "8 916 111-22-33", "+7 (903) 555-66-77"],
            "the main phone column first, a float without .0, two numbers in a cell",
        )
        self.assertEqual((ivanov.email, ivanov.note), ("ivan@example.com", "VIP"))
        self.assertIn("01.05.2024", ivanov.raw)
        self.assertEqual(by_line[7].vin, "XTA210990Y2765432")
        self.assertEqual(by_line[9].plate, "А123ВС77")
        self.assertEqual(
            by_line[11].phones,
            ["89031112233", "8 495 123-45-67"],
            "a number repeated in the second column is given once; no extension",
        )
        self.assertEqual(
            [(line, reason) for line, _raw, reason in table.skipped],
            [(8, "no_phone"), (10, "empty")],
        )

    def test_excel_user_mapping_and_other_sheet(self):
        data = clients_workbook()
        table = read_excel(data, "Клиенты", {0: "name", 2: "phone", 1: "phone", 7: "ignore"})
        by_line = {row.line: row for row in table.rows}
        self.assertEqual(by_line[5].phones[0], "79161234567", "the leftmost phone column first")
        self.assertEqual(by_line[5].email, "", "an unmapped column is not read")
        table = read_excel(data, "Клиенты", {0: "name", 2: "phone"})
        self.assertEqual(table.mapping, {0: "name", 2: "phone"})
        by_line = {row.line: row for row in table.rows}
        self.assertEqual(by_line[5].phones, ["8 916 111-22-33", "+7 (903) 555-66-77"])
        self.assertNotIn(7, by_line, "Petrov's VIN column is not mapped")
        self.assertIn((7, "no_phone"), [(line, reason) for line, _r, reason in table.skipped])
        # The same mapping read twice gives the same table (preview, then add).
        self.assertEqual(read_excel(data, "Клиенты", {0: "name", 2: "phone"}), table)
        self.assertImportError("no_phone_column", read_excel, data, "Справка")
        self.assertImportError("no_sheet", read_excel, data, "Нет такого листа")
        with self.assertRaises(ValueError):
            read_excel(data, None, {0: "телефон"})

    def test_excel_formula_saved_value_and_wrong_dimension(self):
        # The declared size (A1) is wrong, as some exporters write it: all cells count.
        data = handmade_xlsx(
            '<dimension ref="A1"/><sheetData>'
            f'<row r="1">{inline("A1", "ФИО")}{inline("B1", "Телефон")}'
            f"{inline('C1', 'Доп. телефон')}</row>"
            f'<row r="2">{inline("A2", "Иванов")}'
            '<c r="B2"><f>7916*10000000+1234567</f><v>79161234567</v></c>'
            '<c r="C2" t="str"><f>"8 903 "&amp;"555-66-77"</f><v>8 903 555-66-77</v></c></row>'
            f'<row r="4" hidden="1">{inline("A4", "Петров")}<c r="B4"><f>B2+1</f></c></row>'
            "</sheetData>"
        )
        table = read_excel(data, None)
        self.assertEqual((table.sheet, table.header_row), ("Лист1", 1))
        self.assertEqual(len(table.rows), 1)
        self.assertEqual(table.rows[0].phones, ["79161234567", "8 903 555-66-77"])
        # A formula Excel never calculated has no saved value: nothing to match.
        self.assertEqual(table.skipped, [(4, "Петров", "no_phone")])

    def test_excel_without_header(self):
        workbook = Workbook()
        sheet = workbook.active
        for i in range(5):
            sheet.append([f"Клиент {chr(0x410 + i)}", f"+7 916 000-00-0{i}", None])
        table = read_excel(xlsx(workbook), None)
        self.assertEqual(table.header_row, 0)
        self.assertEqual(table.headers, ["", ""])
        self.assertEqual(table.mapping, {0: "name", 1: "phone"})
        self.assertEqual([row.line for row in table.rows], [1, 2, 3, 4, 5])
        self.assertEqual(table.rows[0].name, "Клиент А")

    def test_excel_single_phone_column_below_title(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Телефоны клиентов"])
        sheet.append(["Телефон"])
        sheet.append([79161234567])
        sheet.append(["8 903 555-66-77"])
        table = read_excel(xlsx(workbook), None)
        self.assertEqual(table.header_row, 2)
        self.assertEqual([row.phones for row in table.rows], [["79161234567"], ["8 903 555-66-77"]])
        self.assertEqual(table.skipped, [])

    # --- the two readers --------------------------------------------------------------
    def test_fast_reader_reads_as_openpyxl(self):
        """The fast reader gives what openpyxl's read-only mode gives: shared and inline
        strings (formatted runs, no phonetic reading), formulas' saved values, dates in
        both calendars, booleans, errors, rows without their number."""
        odd = Workbook()
        odd.epoch = CALENDAR_MAC_1904
        sheet = odd.active
        sheet.append(["Клиент", "Телефон", "Дата", "Флаг", "Ошибка", "Примечание"])
        sheet.append(["Иванов", "8 916 111-22-33", datetime(2024, 5, 1, 9, 30), True, "#N/A"])
        sheet.append(["Петров", 9161112233.0, datetime(1999, 12, 31), False, None, "x" * 300])
        sheet.append([None, None, None, None, None, "только примечание"])
        workbooks = {
            "clients": clients_workbook(),
            "formula": handmade_xlsx(
                "<sheetData>"
                f'<row r="1">{inline("A1", "Телефон")}{inline("B1", "ФИО")}</row>'
                '<row r="3"><c r="A3"><f>1+1</f><v>89161112233</v></c>'
                f"{inline('B3', 'Иванов')}</row><row><c><v>89031112233</v></c></row>"
                "</sheetData>"
            ),
            "odd": xlsx(odd),
            "shared strings": handmade_xlsx(
                "<sheetData>"
                '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'
                '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v>3</v></c>'
                '<c r="C3" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">VIP </t>'
                "</r><r><t>клиент</t></r></is></c></row></sheetData>",
                shared_strings=(
                    "<si><t>ФИО</t></si>"
                    "<si><r><rPr><b/></rPr><t>Теле</t></r><r><t>фон</t></r></si>"
                    '<si><t>Иванов</t><rPh sb="0" eb="1"><t>イワノフ</t></rPh></si>'
                    "<si><t>8 916 111-22-33</t></si>"
                ),
            ),
            "streamed": big_workbook(300),
        }
        for label, data in workbooks.items():
            sheets, _active = workbook_sheets(data)
            for sheet_name in sheets:
                with self.subTest(workbook=label, sheet=sheet_name):
                    results = []
                    for fast in (True, False):
                        with patch.object(contact_import, "_FAST_READER", fast):
                            self.assertEqual(workbook_sheets(data), (sheets, _active))
                            try:
                                results.append(read_excel(data, sheet_name))
                            except ContactImportError as error:
                                results.append(error.code)
                    self.assertEqual(results[0], results[1])
        table = read_excel(workbooks["odd"], None)
        self.assertIn("01.05.2024 09:30", table.rows[0].raw)
        self.assertIn("31.12.1999", table.rows[1].raw)
        self.assertEqual(table.rows[1].phones, ["9161112233"])
        self.assertEqual(table.skipped, [(4, "\t\t\t\t\tтолько примечание", "no_phone")])
        table = read_excel(workbooks["shared strings"], None)
        self.assertEqual((table.header_row, table.headers), (2, ["ФИО", "Телефон", ""]))
        self.assertEqual(table.rows[0].name, "Иванов", "not its phonetic reading")
        self.assertEqual(table.rows[0].phones, ["8 916 111-22-33"])
        self.assertEqual(table.rows[0].raw, "Иванов\t8 916 111-22-33\tVIP клиент")
        table = read_excel(workbooks["formula"], None)
        self.assertEqual([r.line for r in table.rows], [3, 4], "a row without its number")

    def test_fast_reader_falls_back_to_openpyxl(self):
        data = clients_workbook()
        expected = read_excel(data, None)
        with patch.object(
            contact_import._FastBook, "rows", side_effect=ValueError("unexpected XML")
        ):
            self.assertEqual(read_excel(data, None), expected)
        with patch.object(contact_import._FastBook, "_read_workbook", side_effect=KeyError("rId9")):
            self.assertEqual(workbook_sheets(data), (["Справка", "Клиенты"], "Клиенты"))
            self.assertEqual(read_excel(data, None), expected)

    # --- bad files -----------------------------------------------------------------------
    def test_not_a_workbook(self):
        archive = BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("readme.txt", "not a workbook")
        good = big_workbook(3)
        for data in (
            b"",
            b"Name;Phone\nIvanov;89161234567\n",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            archive.getvalue(),
            good[: len(good) // 2],
        ):
            with self.subTest(data=data[:10]):
                self.assertImportError("not_workbook", workbook_sheets, data)
                self.assertImportError("not_workbook", read_excel, data, None)

    def test_encrypted_or_old_xls(self):
        data = contact_import.OLE2_MAGIC + bytes(4096)
        error = self.assertImportError("encrypted", workbook_sheets, data)
        self.assertIn("password", str(error))
        self.assertIn(".xls", str(error))
        self.assertImportError("encrypted", read_excel, data, None)

    def test_file_over_20mb(self):
        data = b"PK\x03\x04" + bytes(20_000_001)
        self.assertImportError("too_large", read_excel, data, None)
        self.assertImportError("too_large", workbook_sheets, data)

    def test_no_phone_column(self):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Адреса"
        sheet.append(["ФИО", "Адрес", "Город"])
        sheet.append(["Иванов Иван", "ул. Ленина, 5", "Москва"])
        sheet.append(["Петров Пётр", "пр. Мира, 12", "Тула"])
        error = self.assertImportError("no_phone_column", read_excel, xlsx(workbook), None)
        self.assertIn("Адреса", str(error))
        self.assertEqual(error.params["sheet"], "Адреса")

    def test_empty_sheet(self):
        self.assertImportError("empty_sheet", read_excel, xlsx(Workbook()), None)

    def test_too_many_rows(self):
        data = big_workbook(6)
        self.assertEqual(len(read_excel(data, None, max_rows=6).rows), 6)
        self.assertImportError("too_many_rows", read_excel, data, None, max_rows=5)
        started = time.perf_counter()
        data = big_workbook(200_001, note=False)
        built = time.perf_counter()
        error = self.assertImportError("too_many_rows", read_excel, data, None)
        self.assertIn("200 000", str(error))
        _logger.info(
            "200,001 rows: workbook written in %.1f s, refused in %.1f s",
            built - started,
            time.perf_counter() - built,
        )

    def test_excel_50000_rows_timing(self):
        data = big_workbook(50_000)
        started, cpu = time.perf_counter(), time.process_time()
        table = read_excel(data, None)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        self.assertEqual(len(table.rows), 50_000)
        self.assertEqual(table.rows[-1].phones, [str(79160000000 + 49_999)])
        _logger.info(
            "read_excel: 50,000 rows (%d bytes) in %.2f s (%.2f s CPU)", len(data), elapsed, cpu
        )
        started, cpu = time.perf_counter(), time.process_time()
        with patch.object(contact_import, "_FAST_READER", False):
            self.assertEqual(read_excel(data, None), table)
        _logger.info(
            "read_excel through openpyxl only: %.2f s (%.2f s CPU)",
            time.perf_counter() - started,
            time.process_time() - cpu,
        )

    # --- messages ------------------------------------------------------------------------
    def test_messages(self):
        for code, message in MESSAGES.items():
            with self.subTest(code=code):
                self.assertIsInstance(message, LazyGettext)
                error = ContactImportError(code, sheet="Лист1", size="2.5", limit="1", max_rows="5")
                self.assertEqual(error.code, code)
                self.assertNotIn("%(", error.translated("en_US"))
                self.assertTrue(error.translated("ru_RU"))
        for message in SKIP_REASONS.values():
            self.assertIsInstance(message, LazyGettext)
        self.assertEqual(set(SKIP_REASONS), {"empty", "no_phone", "junk", "too_long"})
        with self.assertRaises(ValueError):
            ContactImportError("no_such_code")
