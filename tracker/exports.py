"""The one cell writer for every spreadsheet file that leaves the tracker.

A title such as ``=HYPERLINK("http://…"&A1,"x")`` typed into a task must reach a staff
computer as text, never as a formula that Excel or LibreOffice would run when the file
is opened (OWASP: CSV injection). Every writer — the workbook, the CSV, the import
template, the audit export and any later one — passes its cells through here:

- .xlsx: text is written as a string cell (XlsxWriter's write_string: never a formula,
  an error value such as "#N/A", a number or a link); text that starts with a formula
  character also gets Excel's own "quote prefix" style, so that editing the cell in
  Excel keeps it text. What a person reads is the text itself, unchanged.
- .csv: a cell has no type, so text starting with a formula character (=, +, -, @,
  tab, carriage return, line feed) is written with a leading apostrophe, as OWASP
  recommends. Text that starts with an apostrophe followed by one of those (or by a
  second apostrophe) gets one too, so that csv_text_in() reads every cell back to
  exactly what was written out.

Numbers, dates and booleans the program writes stay what they are.
"""
import datetime as dt
from decimal import Decimal

import xlsxwriter
from flask_babel.speaklater import LazyString
from openpyxl.utils.datetime import to_excel

# Characters a spreadsheet reads as the start of a formula (OWASP's list, and a line
# feed, which some programs also trim before looking).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"
# The first characters that may call for the apostrophe (see _needs_quote).
RISKY_FIRST = frozenset(FORMULA_STARTS) | {QUOTE}


def is_risky(text):
    """Tell whether a spreadsheet would read this text as the start of a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def _needs_quote(text):
    if is_risky(text):
        return True
    # An apostrophe already leading text that csv_text_in would take for our prefix.
    return text.startswith(QUOTE) and len(text) > 1 and (
        text[1] == QUOTE or text[1] in FORMULA_STARTS
    )


def csv_cell(value):
    """Return one CSV cell: text defused with a leading apostrophe, numbers as they are.

    None becomes an empty cell; anything that is not a number is written as text.
    """
    if value.__class__ is str:  # most cells: plain text with a harmless start
        if not value or value[0] not in RISKY_FIRST:
            return value
        return QUOTE + value if _needs_quote(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return QUOTE + text if _needs_quote(text) else text


def csv_row(values):
    """Return a row of CSV cells (see csv_cell)."""
    return [csv_cell(value) for value in values]


def csv_text_in(text):
    """Return the text a CSV cell written by csv_cell stood for (its prefix removed).

    Cells that csv_cell left alone come back unchanged, a lone apostrophe or one
    before ordinary text included.
    """
    if (
        isinstance(text, str) and text.startswith(QUOTE) and len(text) > 1
        and (text[1] == QUOTE or text[1] in FORMULA_STARTS)
    ):
        return text[1:]
    return text


DATE_FORMAT = "DD/MM/YYYY"
# The looks a cell can have beside its number format and quote prefix.
STYLES = {
    "header": {"bold": True, "bg_color": "#D9E1F2", "pattern": 1, "text_wrap": True,
               "valign": "vcenter"},
    # A column the importer requires.
    "required": {"bold": True, "bg_color": "#F8CBAD", "pattern": 1, "text_wrap": True,
                 "valign": "vcenter"},
}


def xlsx_workbook(output):
    """Return an XlsxWriter workbook writing to output (a path or a binary file).

    Texts go to the shared-string table, as Excel and LibreOffice write them: a text
    repeated in many cells (a unit's name, a status) is escaped and written once,
    which made a province's report.xlsx about a quarter quicker than XlsxWriter's
    constant-memory mode (in-line strings, each row to a temporary file), for about
    4 MB more at its peak. The importer reads either form (reports.imports). The
    string options only guard XlsxWriter's generic write(): XlsxCells calls the
    typed writers.
    """
    return xlsxwriter.Workbook(output, {
        "constant_memory": False, "strings_to_formulas": False,
        "strings_to_numbers": False, "strings_to_urls": False,
    })


class XlsxCells:
    """Writes rows of values into the sheets of one XlsxWriter workbook.

    Text is always a string cell; text a spreadsheet could read as a formula also
    gets the quote prefix. Numbers and dates keep their type, dates shown as
    dd/mm/yyyy unless the column says otherwise; None and empty text leave the cell
    empty. The workbook's formats are made once per look and reused: XlsxWriter
    stores one per distinct look.
    """

    def __init__(self, workbook):
        self.workbook = workbook
        self._looks = {}
        self._days = {}  # a date (or date and time): its Excel serial number

    def look(self, style=None, number_format=None, quoted=False):
        """Return the format of a look (None: the plain default)."""
        key = (style, number_format, quoted)
        if key in self._looks:
            return self._looks[key]
        properties = dict(STYLES[style]) if style else {}
        if number_format:
            properties["num_format"] = number_format
        if quoted:
            properties["quote_prefix"] = True
        made = self._looks[key] = (
            self.workbook.add_format(properties) if properties else None)
        return made

    def write_row(self, sheet, row, values, formats=None, style=None, first=0):
        """Write values into a row (0 = the first), from column first (0 = A).

        formats is {column number (1 = A): number format} for numbers and dates;
        style names one of STYLES for the row's cells.
        """
        formats = formats or {}
        plain = self.look(style)
        for column, value in enumerate(values, start=first):
            if value is None:
                continue
            kind = value.__class__
            if kind is not str and isinstance(value, LazyString):
                value, kind = str(value), str
            if kind is str:
                if not value:
                    continue
                if value[0] in RISKY_FIRST and is_risky(value):
                    sheet.write_string(row, column, value, self.look(style, None, True))
                else:
                    sheet.write_string(row, column, value, plain)
            elif kind is bool:
                sheet.write_boolean(row, column, value, plain)
            elif isinstance(value, (int, float, Decimal)):
                number_format = formats.get(column + 1)
                sheet.write_number(row, column, value, self.look(style, number_format)
                                   if number_format else plain)
            elif isinstance(value, (dt.date, dt.datetime)):
                # A date cell is its serial number with a date format, as
                # write_datetime stores it; the number is found once per date (a
                # province's report writes 7,000 date cells, mostly the same dates).
                day = self._days.get(value)
                if day is None:
                    day = self._days[value] = to_excel(value)
                sheet.write_number(row, column, day, self.look(
                    style, formats.get(column + 1) or DATE_FORMAT))
            else:
                text = str(value)
                if text:
                    sheet.write_string(row, column, text, self.look(
                        style, None, is_risky(text)))
