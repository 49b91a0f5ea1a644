"""A one-sheet Excel workbook (.xlsx) written as XML text, for large exports.

xlsxwriter spends some 20-30 µs per cell in Python; a month of a dealer group's traffic
is about a million cells, i.e. 20-30 s. Rendering the sheet's rows as XML strings here
takes 2-3 µs per cell. Only what the «Data for the Period» workbook uses is supported:
text, numbers, dates and times, a few fixed styles, merged cells, frozen panes, column
widths and an autofilter."""

import functools
import io
import re
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

# Excel's day 0 (with its 1900 leap-year bug, as every writer does).
EPOCH = datetime(1899, 12, 30)
MAX_TEXT = 32767
# Characters XML 1.0 does not allow.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell styles (indexes into cellXfs below).
DEFAULT, DATETIME, DURATION, TITLE, GROUP, HEADER = range(6)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd.mm.yyyy hh:mm"/>\
<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>
<fills count="4"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFB4C6E7"/><bgColor indexed="64"/>\
</patternFill></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/>\
</patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>\
<diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" \
applyBorder="1" applyAlignment="1"><alignment horizontal="center"/></xf>\
<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" \
applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
NAMESPACES = (
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def column_letter(index):
    """'A' for 0, 'Z' for 25, 'AA' for 26..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@functools.lru_cache(maxsize=1 << 16)
def text(value):
    """The inline string element of ``value`` (names repeat: computed once each)."""
    value = INVALID_XML.sub("", value)[:MAX_TEXT]
    return f'<is><t xml:space="preserve">{escape(value)}</t></is>'


class XlsxSheet:
    """A workbook of one sheet, rows appended in order (0-based row and column
    indexes); ``content()`` gives the .xlsx bytes."""

    def __init__(self, name, widths):
        self.name = INVALID_XML.sub("", name)[:31] or "Sheet1"
        self.letters = [column_letter(index) for index in range(len(widths))]
        self.widths = widths
        self.rows = []
        self.last_row = 0
        self.merges = []
        self.freeze = None
        self.filter = None

    def append(self, row, cells):
        """Row ``row``: ``cells`` are (value, style) per column, None to leave one empty;
        values are str, int, float (a duration in days with DURATION), date or datetime
        (naive, as shown)."""
        rendered = []
        letters = self.letters
        number = row + 1
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            if value is None or value is False or value == "":
                continue
            ref = f"{letters[column]}{number}"
            styled = f' s="{style}"' if style else ""
            if isinstance(value, str):
                rendered.append(f'<c r="{ref}"{styled} t="inlineStr">{text(value)}</c>')
                continue
            if isinstance(value, datetime):
                delta = value - EPOCH
                value = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
            elif isinstance(value, date):
                value = (value - EPOCH.date()).days
            rendered.append(f'<c r="{ref}"{styled}><v>{value!r}</v></c>')
        self.rows.append(f'<row r="{number}">{"".join(rendered)}</row>')
        self.last_row = row

    def merge(self, row, first_column, last_column):
        self.merges.append(
            f"{self.letters[first_column]}{row + 1}:{self.letters[last_column]}{row + 1}"
        )

    def freeze_panes(self, row, column):
        self.freeze = (row, column)

    def autofilter(self, first_row, last_row):
        self.filter = f"A{first_row + 1}:{self.letters[-1]}{last_row + 1}"

    def _sheet_xml(self):
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NAMESPACES}>',
            f'<dimension ref="A1:{self.letters[-1]}{self.last_row + 1}"/>',
        ]
        if self.freeze:
            row, column = self.freeze
            cell = f"{self.letters[column]}{row + 1}"
            parts.append(
                '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
                f'<pane xSplit="{column}" ySplit="{row}" topLeftCell="{cell}" '
                'activePane="bottomRight" state="frozen"/>'
                f'<selection pane="bottomRight" activeCell="{cell}" sqref="{cell}"/>'
                "</sheetView></sheetViews>"
            )
        parts.append("<cols>")
        for index, width in enumerate(self.widths, start=1):
            parts.append(f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>')
        parts.append("</cols><sheetData>")
        parts.extend(self.rows)
        parts.append("</sheetData>")
        if self.filter:
            parts.append(f'<autoFilter ref="{self.filter}"/>')
        if self.merges:
            parts.append(f'<mergeCells count="{len(self.merges)}">')
            parts.extend(f'<mergeCell ref="{ref}"/>' for ref in self.merges)
            parts.append("</mergeCells>")
        parts.append("</worksheet>")
        return "".join(parts)

    def _workbook_xml(self):
        defined = ""
        if self.filter:
            start, end = ("$" + re.sub(r"(\d+)", r"$\1", ref) for ref in self.filter.split(":"))
            sheet = escape(self.name.replace("'", "''"))
            defined = (
                '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                f"hidden=\"1\">'{sheet}'!{start}:{end}</definedName></definedNames>"
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NAMESPACES}>'
            f'<sheets><sheet name={quoteattr(self.name)} sheetId="1" r:id="rId1"/></sheets>'
            f"{defined}</workbook>"
        )

    def content(self):
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
            book.writestr("[Content_Types].xml", CONTENT_TYPES)
            book.writestr("_rels/.rels", ROOT_RELS)
            book.writestr("xl/workbook.xml", self._workbook_xml())
            book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            book.writestr("xl/styles.xml", STYLES)
            book.writestr("xl/worksheets/sheet1.xml", self._sheet_xml())
        return output.getvalue()
