"""The one cell writer for every spreadsheet file that leaves the tracker.

A title such as ``=HYPERLINK("http://…"&A1,"x")`` typed into a task must reach a staff
computer as text, never as a formula that Excel or LibreOffice would run when the file
is opened (OWASP: CSV injection). Every writer — the workbook, the CSV, the import
template, the audit export and any later one — passes its cells through here:

- .xlsx: text is written as a string cell (openpyxl would make a formula of any text
  starting with "=", and an error cell of "#N/A"); text that starts with a formula
  character also gets Excel's own "quote prefix" style, so that editing the cell in
  Excel keeps it text. What a person reads is the text itself, unchanged.
- .csv: a cell has no type, so text starting with a formula character (=, +, -, @,
  tab, carriage return, line feed) is written with a leading apostrophe, as OWASP
  recommends. Text that starts with an apostrophe followed by one of those (or by a
  second apostrophe) gets one too, so that csv_text_in() reads every cell back to
  exactly what was written out.

Numbers, dates and booleans the program writes stay what they are.
"""
from flask_babel.speaklater import LazyString
from openpyxl.cell.cell import ERROR_CODES, WriteOnlyCell

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


def xlsx_cell(sheet, value):
    """Return what to append to an openpyxl sheet for one value.

    Text is always written as text (never a formula or an error value): openpyxl
    types a plain string as text unless it starts with "=" or is an error code such as
    "#N/A", so those, and any text a spreadsheet could read as a formula, become an
    explicit string cell; empty text is an empty cell. Other values (numbers, dates,
    None) go in as they are, typed by openpyxl.
    """
    if isinstance(value, LazyString):
        value = str(value)
    if not isinstance(value, str):
        return value
    if not value:
        return None
    if is_risky(value) or value in ERROR_CODES:
        return text_cell(sheet, value)
    return value


def text_cell(sheet, value):
    """Return a cell that holds the text as text, whatever it starts with."""
    # Placed at A1 until appended (a write-only sheet needs a place to name it).
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl: "f" would be a formula, "e" an error
    if is_risky(value):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values):
    """Return a row to append to an openpyxl sheet, every text a string cell."""
    return [xlsx_cell(sheet, value) for value in values]
