"""Importing a quarter's plan from an .xlsx or .csv file: read, check, then write.

read_plan() never writes: it returns the rows it would create and every problem, by row
and column, in the user's language. apply_plan() writes all the rows through the task
service (so each gets its history row) or raises before writing any.
"""
import csv
import datetime as dt
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from io import BytesIO, StringIO

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from tracker.auth import policy
from tracker.exports import csv_text_in
from tracker.extensions import db
from tracker.forms import CONTROL_CHARACTERS
from tracker.models import KIND_FIELDS, KINDS, STATUSES, ImportUpload, Task, Unit
from tracker.models.audit import record
from tracker.models.base import utcnow
from tracker.models.task import ALL_KIND_FIELDS
from tracker.models.unit import BELOW_COMMUNE, COMMUNE, PATH_SEPARATOR, path_labels
from tracker.reports.columns import BY_KEY, IMPORT_COLUMNS, header, header_lookup
from tracker.tasks.kinds import KIND_TABLE, kinds_with_field
from tracker.tasks.services import (
    create_task, status_progress_problems,
)
from tracker.text import fold

MAX_ROWS = 1000
MAX_COLUMNS = 80
MAX_ERRORS = 200
MAX_UNPACKED = 60 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TRUE_WORDS = {"co", "x", "yes", "y", "1", "true", "dung"}
FALSE_WORDS = {"", "khong", "no", "n", "0", "false", "sai"}
DATE_PATTERNS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
UPLOAD_MAX_AGE = dt.timedelta(hours=24)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UnknownUnit(ValueError):
    """A unit name the board does not know; the preview offers to create it."""

    def __init__(self, name):
        super().__init__(_("Unknown unit “%(value)s”.", value=name))
        self.name = name


class PlanError(Exception):
    """A plan that cannot be imported; the message says why."""


@dataclass
class Problem:
    """One problem found in the file: where (row, column header) and what."""

    message: str
    row: int = None
    column: str = None

    def __str__(self):
        if self.row and self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s", row=self.row,
                     column=self.column, message=self.message)
        if self.row:
            return _("Row %(row)d: %(message)s", row=self.row, message=self.message)
        return self.message


# The columns the preview gives a cell of their own (the date held is shown in the
# due date's); it lists every other column a row stores under the title, so that
# nothing is stored that the preview did not show (PlanRow.details).
PREVIEW_CELLS = ("kind", "title", "lead_unit", "coordinating", "due_on", "held_on",
                 "status", "progress")


@dataclass
class PlanRow:
    """One task the file would create."""

    row: int
    data: dict
    lead: object = None
    co_lead_units: list = field(default_factory=list)
    coordinating_units: list = field(default_factory=list)
    participating_units: list = field(default_factory=list)
    scope_units: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def kind_label(self):
        """Return the translated kind of the row's task."""
        return KINDS.get(self.data.get("kind"), self.data.get("kind", ""))

    @property
    def status_label(self):
        """Return the translated status of the row's task."""
        return STATUSES.get(self.data.get("status"), self.data.get("status", ""))

    @property
    def details(self):
        """Return [(column code, header, text)] of what the row stores beyond the
        preview's own cells (PREVIEW_CELLS), in the columns' order."""
        from tracker.i18n import fmt_date, fmt_number

        shown = []
        for column in IMPORT_COLUMNS:
            if column.key in PREVIEW_CELLS:
                continue
            if column.type == "communes":
                text = ", ".join(unit.name for unit in self.scope_units)
            elif column.type == "units":
                text = "; ".join(unit.name for unit in getattr(
                    self, f"{column.key}_units", ()))
            else:
                value = self.data.get(column.key)
                if value is None or value == "" or value is False:
                    continue
                if column.type == "date":
                    text = fmt_date(value)
                elif column.type == "int" and column.minimum < 1000:
                    text = fmt_number(value)
                elif column.type == "bool":
                    text = _("Yes")
                else:  # text, and years (never "2.023")
                    text = str(value)
            if text:
                shown.append((column.key, column_label(column.key), text))
        return shown


@dataclass
class Plan:
    """What a file holds: the rows to create and the problems that stop it."""

    quarter: object
    filename: str = ""
    # The importer: a status is refused on work they may not report on (None: a
    # command run by the installation's operator, who may set any).
    user: object = None
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    # The petitions sheet of a workbook (tracker.reports.petition_import), and the
    # task rows of the quarter's own export that are already in the quarter.
    petitions: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    # The next quarter's plan made from a quarter's tasks (tracker.reports.next_plan):
    # that quarter, and the note each created task's history row carries.
    source: object = None
    note: str = ""
    # A file of another quarter read with its dates shifted here and its results
    # cleared: the quarter it came from (None: not shifted, or nothing told it), the
    # rows left out because the quarter already holds their carried continuation,
    # and whether a petitions sheet was left out.
    shift: bool = False
    shifted_from: object = None
    carried: list = field(default_factory=list)
    petitions_skipped: bool = False
    # Unit names the board does not know, in the order first met: the preview
    # offers to create each as an outside body (never done silently).
    unknown_units: list = field(default_factory=list)

    @property
    def ok(self):
        """Tell whether the plan can be imported: rows and no problem."""
        return bool(self.rows or self.petitions) and not self.problems

    @property
    def shifted_from_label(self):
        """Return the label of the quarter a shifted file came from, or ""."""
        from tracker.i18n import quarter_label

        return quarter_label(*self.shifted_from) if self.shifted_from else ""

    @property
    def shown_problems(self):
        """Return the problems to show (the first MAX_ERRORS)."""
        return self.problems[:MAX_ERRORS]

    @property
    def hidden_problems(self):
        """Return how many problems are not shown."""
        return max(0, len(self.problems) - MAX_ERRORS)


# ---- reading the file into rows of cells ---------------------------------------


def _read_xlsx(content):
    """Return the first worksheet's rows as tuples of cell values."""
    return _read_xlsx_sheets(content)[0]


def _load_workbook(content):
    """Return openpyxl's read-only workbook of the content, its values only, with the
    shared strings as the file holds them.

    Excel, LibreOffice and our own exports keep a workbook's texts in one shared
    table, writing a control character such as a carriage return as "_x000D_" and a
    literal "_x000D_" as "_x005F_x000D_". openpyxl's reader drops every "x005F_"
    from that table, which makes the two the same text; read as stored, each comes
    back as what was typed (_sheet_rows undoes the escapes, in shared and in-line
    strings alike).
    """
    from openpyxl.cell.text import Text
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    item = "{%s}si" % SHEET_MAIN_NS

    class Reader(ExcelReader):
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is None:
                return
            strings = []
            with self.archive.open(part.PartName[1:]) as source:
                for _event, node in iterparse(source):
                    if node.tag == item:
                        strings.append(Text.from_tree(node).content)
                        node.clear()
            self.shared_strings = strings

    reader = Reader(BytesIO(content), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _sheet_rows(sheet):
    from openpyxl.utils.escape import unescape

    rows = []
    for row in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS,
                               values_only=True):
        # Texts hold Excel's "_xHHHH_" escapes (see _load_workbook).
        rows.append(tuple(unescape(value) if isinstance(value, str) and "_x" in value
                          else value for value in row))
    return rows


def _read_xlsx_sheets(content):
    """Return (the plan's rows, the petitions sheet's rows or None) of a workbook.

    The plan is the tasks sheet of the quarter's own workbook when the file has one,
    else the first worksheet.
    """
    from tracker.reports.petition_import import is_petition_sheet
    from tracker.reports.workbook import task_sheet_titles

    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PlanError(_("The workbook could not be read: it may be damaged, or not "
                          "an Excel workbook (.xlsx)."))
    # A few megabytes can unpack to gigabytes; a plan never needs that much.
    if unpacked > MAX_UNPACKED:
        raise PlanError(_("The workbook is too large once unpacked; keep only the "
                          "plan's sheet and upload it again."))
    try:
        workbook = _load_workbook(content)
    except Exception:  # a broken package raises anything from KeyError to XML errors
        raise PlanError(_("The workbook could not be read: it may be damaged, or not "
                          "an Excel workbook (.xlsx)."))
    try:
        if not workbook.worksheets:
            return [], None
        titles = task_sheet_titles()
        sheets = workbook.worksheets
        plan = next((sheet for sheet in sheets
                     if " ".join(fold(sheet.title).split()) in titles), sheets[0])
        petitions = next((sheet for sheet in sheets if sheet is not plan
                          and is_petition_sheet(sheet.title)), None)
        return _sheet_rows(plan), (
            None if petitions is None else _sheet_rows(petitions))
    except Exception:
        raise PlanError(_("The workbook could not be read: it may be damaged, or not "
                          "an Excel workbook (.xlsx)."))
    finally:
        workbook.close()


def _decode(content):
    """Return the CSV text; UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise PlanError(_("The CSV file is not in UTF-8, so its Vietnamese letters would "
                      "be garbled. In Excel choose “Save as” → “CSV UTF-8 (Comma "
                      "delimited)” and upload that file."))


def _read_csv(content):
    """Return the CSV's rows as tuples of strings."""
    text = _decode(content)
    if "\x00" in text:
        raise PlanError(_("This is neither an Excel workbook (.xlsx) nor a CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = []
    try:
        for index, row in enumerate(csv.reader(StringIO(text), delimiter=delimiter)):
            if index > MAX_ROWS + 1:
                rows.append(("…",))
                break
            # Cells the tracker's exports defused come back as the text they were.
            rows.append(tuple(csv_text_in(cell) for cell in row[:MAX_COLUMNS]))
    except csv.Error:
        raise PlanError(_("The CSV file could not be read: check its quotes."))
    return rows


def read_cells(content, filename):
    """Return the file's rows of cells, telling xlsx from CSV by the content."""
    return read_sheets(content, filename)[0]


def read_sheets(content, filename):
    """Return (the plan's rows of cells, the petitions sheet's or None)."""
    name = (filename or "").lower()
    if not content:
        raise PlanError(_("The file is empty."))
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx_sheets(content)
    if content.startswith(OLE_MAGIC):
        raise PlanError(_(
            "Old Excel files (.xls) cannot be read: open the file in Excel, save it as "
            "“Excel Workbook (.xlsx)” and upload that."))
    if name.endswith((".xlsx", ".xlsm")):
        raise PlanError(_("The file is named .xlsx but is not an Excel workbook."))
    if name and not name.endswith((".csv", ".txt")):
        raise PlanError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    return _read_csv(content), None


# ---- checking cells ---------------------------------------------------------------


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _as_int(column, value):
    if isinstance(value, bool):
        raise ValueError(_("Not a whole number: “%(value)s”.", value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("Not a whole number: “%(value)s”.", value=_text(value)))
        number = int(value)
    else:
        text = _text(value)
        if column.key == "progress":
            text = text.rstrip("%").strip()
        if not re.fullmatch(r"[+]?\d{1,9}", text):
            raise ValueError(_("Not a whole number: “%(value)s”.", value=_text(value)))
        number = int(text)
    if not column.minimum <= number <= column.maximum:
        raise ValueError(_("Enter a whole number from %(min)s to %(max)s.",
                           min=column.minimum, max=column.maximum))
    return number


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Not a valid date: “%(value)s” (write dd/mm/yyyy).", value=text))


def _as_bool(value):
    if isinstance(value, bool):
        return value
    word = fold(_text(value))
    if word in TRUE_WORDS or word == fold(_("yes")):
        return True
    if word in FALSE_WORDS or word == fold(_("no")):
        return False
    raise ValueError(_("Write “có” (yes) or leave it empty, not “%(value)s”.",
                       value=_text(value)))


def choice_key(text):
    """Return how a code or label is looked up: folded (no accents, lower case) and
    without punctuation, so "HỘI NGHỊ GIAO BAN, TRỰC BÁO" finds "Hội nghị, giao
    ban, trực báo"."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(_text(text))).split())


def _choices(mapping, former=()):
    """Return {key of a code or label in either language: code} (choice_key).

    former are (code, label) pairs of labels no longer shown but still read.
    """
    lookup = {}
    for code, label in mapping.items():
        lookup[choice_key(code)] = code
        lookup[choice_key(code.replace("_", " "))] = code
        for locale in ("vi", "en"):
            with force_locale(locale):
                lookup.setdefault(choice_key(str(label)), code)
    for code, label in former:
        lookup.setdefault(choice_key(label), code)
    return lookup


def kind_choices():
    """Return {key of a kind's code or label: code}: what the kind column accepts."""
    return _choices(KINDS, [(kind.code, label) for kind in KIND_TABLE
                            for label in kind.former_labels])


class UnitIndex:
    """Units by folded name and short name, loaded in one statement.

    A village or a residential group is also found by the label the task form
    shows it with ("ĐU Tịnh Trà › Chi bộ thôn Trà Bình", or with ">" typed for
    "›"), whose name a sheet may have copied.
    """

    def __init__(self):
        self.by_name = {}
        units = db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id)).all()
        labels = path_labels(units)
        for unit in units:
            names = {fold(unit.name), fold(unit.short_name)}
            if unit.kind in BELOW_COMMUNE:
                label = labels[unit.id]
                names |= {fold(label), fold(label.replace(PATH_SEPARATOR, " > "))}
            for name in names:
                self.by_name.setdefault(name, []).append(unit)

    def find(self, value):
        """Return the unit a name stands for, or raise ValueError saying why not."""
        found = self.by_name.get(fold(value), [])
        unique = list(dict.fromkeys(found))
        if not unique:
            raise UnknownUnit(value)
        if len(unique) > 1:
            raise ValueError(_("“%(value)s” matches several units: %(units)s.",
                               value=value,
                               units="; ".join(unit.name for unit in unique)))
        unit = unique[0]
        if not unit.is_active:
            raise ValueError(
                _("The unit “%(value)s” is no longer active.", value=value))
        return unit


# ---- the plan ----------------------------------------------------------------------


def _map_header(cells, plan):
    """Return {cell index: column} for the header row, noting header problems."""
    lookup = header_lookup()
    mapping, seen = {}, {}
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        name = _text(cell)
        column = lookup.get(fold(name).rstrip(" *:"))
        if column is None:
            plan.problems.append(
                Problem(_("Unknown column “%(column)s”.", column=name)))
            continue
        if column.key in seen:
            plan.problems.append(Problem(_("The column “%(column)s” appears twice.",
                                           column=name)))
            continue
        seen[column.key] = index
        if not column.export_only:
            mapping[index] = column
    missing = [header(column, None) for column in IMPORT_COLUMNS
               if column.required and column.key not in seen]
    if missing:
        plan.problems.append(Problem(_(
            "Missing columns: %(columns)s. Start from the template, whose first row "
            "names the columns.", columns=", ".join(f"“{name}”" for name in missing),
        )))
    return mapping


def column_label(key):
    """Return a column's header in the current language, as problems name it."""
    return header(BY_KEY[key], None)


_label = column_label


def _check_row(number, cells, mapping, plan, units, kinds, statuses, shift=0):
    """Turn one row of cells into a PlanRow, with its problems.

    shift: with the plan's shift option, the quarters its dates move by (its results
    are cleared whatever it is).
    """
    row = PlanRow(row=number, data={})
    values = {column.key: cells[index] if index < len(cells) else None
              for index, column in mapping.items()}

    def problem(key, message):
        row.problems.append(Problem(message, number, _label(key)))

    for key, value in values.items():
        column = BY_KEY[key]
        if _blank(value):
            if column.required:
                problem(key, _("Required."))
            continue
        try:
            if column.type == "int":
                row.data[key] = _as_int(column, value)
            elif column.type == "date":
                row.data[key] = _as_date(value)
            elif column.type == "bool":
                row.data[key] = _as_bool(value)
            elif column.type == "kind":
                code = kinds.get(choice_key(value))
                if code is None:
                    raise ValueError(_("Unknown kind of work “%(value)s”.",
                                       value=_text(value)))
                row.data[key] = code
            elif column.type == "status":
                code = statuses.get(choice_key(value))
                if code is None:
                    raise ValueError(
                        _("Unknown status “%(value)s”.", value=_text(value)))
                row.data[key] = code
            elif column.type == "unit":
                row.lead = units.find(_text(value))
            elif column.type == "units":
                names = value if isinstance(value, str) else _text(value)
                found = []
                for name in re.split(r"[;\n]", names):
                    if not name.strip():
                        continue
                    try:
                        found.append(units.find(" ".join(name.split())))
                    except ValueError as exc:
                        _note_unknown(exc, plan)
                        problem(key, str(exc))
                setattr(row, f"{key}_units", list(dict.fromkeys(found)))
            elif column.type == "communes":
                names = value if isinstance(value, str) else _text(value)
                found = []
                for name in re.split(r"[,;\n]", names):
                    name = " ".join(name.split())
                    if not name:
                        continue
                    try:
                        unit = units.find(name)
                    except ValueError as exc:
                        problem(key, str(exc))
                        continue
                    if unit.kind != COMMUNE:
                        problem(key, _("“%(value)s” is not a commune.", value=name))
                        continue
                    found.append(unit)
                row.scope_units = list(dict.fromkeys(found))
            else:
                multiline = key in ("description", "result") and isinstance(value, str)
                text = value.strip() if multiline else _text(value)
                if column.max_length and len(text) > column.max_length:
                    raise ValueError(_("At most %(max)d characters.",
                                       max=column.max_length))
                if CONTROL_CHARACTERS.search(text):
                    raise ValueError(
                        _("Remove the invisible control characters from this field."))
                row.data[key] = text
        except ValueError as exc:
            _note_unknown(exc, plan)
            problem(key, str(exc))
    if plan.shift:
        from tracker.reports.next_plan import shift_row

        shift_row(row.data, shift)
    check_rules(row, plan.quarter, problem)
    _check_reporter(row, plan, problem)
    return row


def _note_unknown(error, plan):
    """Remember an unknown unit's name once, for the preview's offer to create it."""
    if isinstance(error, UnknownUnit):
        key = fold(error.name)
        if all(fold(name) != key for name in plan.unknown_units):
            plan.unknown_units.append(error.name)


def check_rules(row, quarter, problem):
    """Apply the rules the task form applies, and the importer's own."""
    from tracker.i18n import today

    data = row.data
    kind = data.get("kind")
    if kind:
        own = KIND_FIELDS.get(kind, ())
        for name in ALL_KIND_FIELDS:
            if name not in own and data.get(name) not in (None, ""):
                problem(name, _(
                    "The column “%(column)s” applies only to the kinds: %(kinds)s; "
                    "this row's kind is “%(kind)s”, so leave it empty.",
                    column=column_label(name),
                    kinds=", ".join(f"“{other.label}”"
                                    for other in kinds_with_field(name)),
                    kind=KINDS[kind]))
    due = data.get("due_on")
    if due is not None:
        latest = quarter.ends_on + dt.timedelta(days=366)
        if not quarter.starts_on <= due <= latest:
            problem("due_on", _("The due date must fall between %(start)s and %(end)s.",
                                start=quarter.starts_on.strftime("%d/%m/%Y"),
                                end=latest.strftime("%d/%m/%Y")))
    held = data.get("held_on")
    if held is not None and not (
        quarter.starts_on - dt.timedelta(days=366) <= held
        <= quarter.ends_on + dt.timedelta(days=366)
    ):
        problem("held_on", _("This date is too far from the quarter."))
    start, end = data.get("term_start"), data.get("term_end")
    if start and end and end <= start:
        problem("term_end", _("The term must end after it starts."))
    status = data.setdefault("status", "not_started")
    completed = data.get("completed_on")
    if status == "done" and data.get("progress") not in (None, 100):
        # Refused, not rewritten to 100%, as the progress form does. (A file exported
        # by the tracker never holds this: done work is always at 100% there.)
        for name, message in status_progress_problems(status, data["progress"]):
            problem(name, message)
    if status == "done":
        # Done without a completion date is allowed: "done, date not recorded", as a
        # briefing reports it (counted as done, neither on time nor late).
        data["progress"] = 100
        if completed is not None and completed > today():
            problem("completed_on", _("The completion date cannot be in the future."))
    elif completed is not None:
        problem("completed_on", _("Only a done task has a completion date."))
    lead = row.lead
    co_lead = row.co_lead_units
    coordinating = row.coordinating_units
    participating = row.participating_units
    if lead is not None and lead in co_lead:
        problem("co_lead", _("The lead unit cannot also be a co-lead."))
    if lead is not None and lead in coordinating + participating:
        column = "coordinating" if lead in coordinating else "participating"
        problem(column, _("The lead unit cannot also coordinate or take part."))
    if set(co_lead) & set(coordinating + participating):
        problem("co_lead",
                _("A co-lead cannot also coordinate or take part with a share."))
    if set(coordinating) & set(participating):
        problem("participating",
                _("A unit cannot be both coordinating and participating."))
    if any(unit.is_group for unit in participating):
        problem("participating", _(
            "A group takes part through its members' shares: name it as the lead, "
            "a co-lead or a coordinating unit."))


def _check_reporter(row, plan, problem):
    """Refuse a status or progress the importer may not report (the forms' rule)."""
    data = row.data
    if plan.user is None or row.lead is None:
        return
    if data.get("status", "not_started") == "not_started" and not data.get("progress"):
        return
    units = {row.lead.id} | {unit.id for unit in
                              row.co_lead_units + row.coordinating_units}
    if not policy.may_report_for(plan.user, plan.quarter.board_id, units):
        problem("status", _(
            "You may plan this task but not report on it: only the staff of %(unit)s "
            "(or of a coordinating unit), the board's own staff and leaders set the "
            "status of its work. Leave the status “%(status)s”.",
            unit=row.lead.name, status=STATUSES["not_started"]))


def read_plan(quarter, content, filename="", user=None, shift=False):
    """Read a plan file for the quarter; return a Plan with its rows and problems.

    user is the importer: a row setting a status they may not report is an error.
    shift: the file is another quarter's (a downloaded workbook): its dates move to
    this quarter, its statuses start afresh and its results are cleared, rows whose
    task was already carried here are left out, and so is a petitions sheet.
    """
    plan = Plan(quarter=quarter, filename=filename, user=user, shift=shift)
    if quarter.is_closed:
        plan.problems.append(Problem(_(
            "%(quarter)s is closed; nothing can be imported into it.",
            quarter=quarter.label,
        )))
        return plan
    try:
        cells, petition_cells = read_sheets(content, filename)
    except PlanError as exc:
        plan.problems.append(Problem(str(exc)))
        return plan
    if shift and petition_cells is not None:
        # A new plan has no petitions yet: those of the file's quarter stay there.
        petition_cells, plan.petitions_skipped = None, True
    # Skip leading empty rows; the first row with anything in it is the header.
    start = next((i for i, row in enumerate(cells)
                  if any(not _blank(cell) for cell in row)), None)
    if start is None:
        plan.problems.append(Problem(_("The file is empty.")))
        return plan
    mapping = _map_header(cells[start], plan)
    lookup = header_lookup()

    def index_of(key):
        return next((index for index, cell in enumerate(cells[start])
                     if not _blank(cell)
                     and lookup.get(fold(_text(cell)).rstrip(" *:")) is BY_KEY[key]),
                    None)

    id_index = index_of("id")
    body = list(cells[start + 1:])
    while body and all(_blank(cell) for cell in body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        plan.problems.append(Problem(_(
            "The file has more than %(max)d tasks; split it into smaller files.",
            max=MAX_ROWS,
        )))
        return plan
    if plan.problems:
        return plan
    if not body:
        plan.problems.append(Problem(_(
            "The file has no tasks: fill in one row per task under the header row.")))
        return plan

    units = UnitIndex()
    kinds, statuses = kind_choices(), _choices(STATUSES)
    existing, carried_from = {}, {}
    for task_id, title, lead_id, source_id in db.session.execute(
        select(Task.id, Task.title, Task.lead_unit_id, Task.carried_from_id)
        .where(Task.quarter_id == quarter.id)
    ):
        existing[(fold(title), lead_id)] = task_id
        if source_id is not None:
            carried_from[(fold(title), lead_id)] = source_id
    carried_sources = set(carried_from.values())
    quarters = 0
    if shift:
        quarters = _shift_from(plan, body, mapping, index_of("quarter"))
    seen = {}
    for offset, cells_of_row in enumerate(body):
        number = start + offset + 2  # spreadsheet row numbers start at 1, after header
        if all(_blank(cell) for cell in cells_of_row):
            plan.problems.append(Problem(
                _("The row is empty: delete empty rows between tasks."), number))
            continue
        row = _check_row(number, cells_of_row, mapping, plan, units, kinds, statuses,
                         quarters)
        row.exported_id = _exported_id(cells_of_row, id_index)
        title = row.data.get("title")
        if shift and (row.exported_id in carried_sources or (
                title and row.lead is not None
                and (fold(title), row.lead.id) in carried_from)):
            # The close carried this task here already: a second copy would double
            # it (its continuation goes on with its own history).
            plan.carried.append(row)
            continue
        if title and row.lead is not None:
            key = (fold(title), row.lead.id)
            if (petition_cells is not None and key in existing
                    and existing[key] == row.exported_id and not row.problems):
                # The quarter's own workbook read back for its petitions: its tasks
                # are already here, and stay as they are.
                plan.kept.append(row)
                continue
            if key in seen:
                row.problems.append(Problem(
                    _("Same title and lead unit as row %(row)d.", row=seen[key]),
                    number, _label("title")))
            elif key in existing:
                row.problems.append(Problem(
                    _("%(quarter)s already has a task with this title and lead unit.",
                      quarter=quarter.label), number, _label("title")))
            seen.setdefault(key, number)
        plan.problems.extend(row.problems)
        plan.rows.append(row)
    if shift and plan.carried and not plan.rows:
        plan.problems.append(Problem(_(
            "Every task of the file was already carried into %(quarter)s; nothing is "
            "left to import.", quarter=quarter.label)))
    if petition_cells is not None:
        from tracker.reports.petition_import import parse_with, read_rows

        parse = parse_with(_blank, _text, _as_date, _as_int, _as_bool)
        plan.petitions, problems = read_rows(quarter, petition_cells, plan.rows,
                                             Problem, parse)
        plan.problems.extend(problems)
    return plan


def _shift_from(plan, body, mapping, quarter_index):
    """Return the quarters a file's dates move by, noting the quarter it came from.

    The file's quarter is the one its "Quarter" column names (the exports write it),
    else the one most of its due and held dates fall in; with neither there is no
    date to move, and only the results are cleared.
    """
    from tracker.reports.next_plan import parse_quarter, quarter_index as position
    from tracker.reports.next_plan import source_quarter

    named = []
    if quarter_index is not None:
        named = [parse_quarter(_text(cells[quarter_index]))
                 for cells in body if quarter_index < len(cells)]
    dates = []
    for index, column in mapping.items():
        if column.key not in ("due_on", "held_on"):
            continue
        for cells in body:
            if index < len(cells) and not _blank(cells[index]):
                try:
                    dates.append(_as_date(cells[index]))
                except ValueError:
                    pass  # reported on its row
    found = source_quarter(named, dates)
    if found is None:
        return 0
    plan.shifted_from = found
    return position(plan.quarter.year, plan.quarter.number) - position(*found)


def _exported_id(cells, index):
    """Return the task ID an export wrote in the row, or None."""
    if index is None or index >= len(cells) or _blank(cells[index]):
        return None
    try:
        return _as_int(BY_KEY["id"], cells[index])
    except ValueError:
        return None


def apply_plan(plan, user):
    """Create every task of a checked plan, with history; return the new tasks.

    Raises PlanError before writing anything if the plan has problems; the caller
    commits once, so the import is all the rows or none.
    """
    if not plan.ok:
        raise PlanError(_("The file has problems; nothing was imported."))
    created, by_row = [], {}
    note = plan.note or (
        _("Imported from %(file)s", file=plan.filename) if plan.filename else "")
    for row in plan.rows:
        data = dict(row.data)
        data["lead_unit_id"] = row.lead.id
        task = create_task(
            plan.quarter, data, user,
            coordinating=[unit.id for unit in row.coordinating_units],
            participating=[unit.id for unit in row.participating_units],
            co_lead=[unit.id for unit in row.co_lead_units],
            scope=[unit.id for unit in row.scope_units],
            note=note,
        )
        created.append(task)
        by_row[id(row)] = task
    if plan.source is not None:
        changes = {"tasks": len(created), "from": plan.source.key}
    else:
        changes = {"tasks": len(created), "file": plan.filename[:200]}
    if plan.shifted_from is not None:
        changes["shifted_from"] = "{}-Q{}".format(*plan.shifted_from)
    if plan.petitions:
        from tracker.reports.petition_import import apply_rows

        made, updated = apply_rows(plan.petitions, by_row, user)
        changes.update(petitions_created=made, petitions_updated=updated)
    plan.petitions_done = changes.get("petitions_created", 0) + changes.get(
        "petitions_updated", 0)
    record(plan.quarter, "imported", user, changes=changes)
    db.session.flush()
    return created


def create_outside_unit(name, actor):
    """Create an outside body (kind "external") named as a plan's row names it.

    Asked for by a click in the import's preview, never done by reading a file.
    Returns the unit, or None when a unit of that name or short name exists already.
    """
    from tracker.admin.services import create_unit
    from tracker.models.unit import EXTERNAL

    name = " ".join((name or "").split())
    if not name or len(name) > 200 or CONTROL_CHARACTERS.search(name):
        return None
    key = fold(name)
    for known in db.session.execute(select(Unit.name, Unit.short_name)):
        if key in (fold(known.name), fold(known.short_name)):
            return None
    return create_unit(dict(name=name, short_name=name[:60], kind=EXTERNAL,
                            parent_id=None, sort_order=1000), actor)


# ---- the uploaded file between preview and confirm ------------------------------


def keep_upload(quarter, user, filename, content):
    """Store an uploaded file until the user confirms it; return its random token.

    Uploads older than UPLOAD_MAX_AGE are dropped at the same time.
    """
    db.session.execute(
        delete(ImportUpload).where(ImportUpload.created_at < utcnow() - UPLOAD_MAX_AGE)
    )
    token = secrets.token_urlsafe(24)
    db.session.add(ImportUpload(
        token=token, user_id=user.id, quarter_id=quarter.id, filename=filename,
        content=content,
    ))
    db.session.flush()
    return token


def _upload(quarter, user, token):
    """Return the user's stored upload for the quarter, or None."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return db.session.scalar(
        select(ImportUpload).where(
            ImportUpload.token == token,
            ImportUpload.user_id == user.id,
            ImportUpload.quarter_id == quarter.id,
            ImportUpload.created_at >= utcnow() - UPLOAD_MAX_AGE,
        )
    )


def peek_upload(quarter, user, token):
    """Return the user's stored upload for the quarter, left in storage, or None."""
    upload = _upload(quarter, user, token)
    if upload is None:
        return None
    return ClaimedUpload(filename=upload.filename, content=upload.content)


def claim_upload(quarter, user, token):
    """Take the user's stored upload for the quarter out of storage, or return None.

    The row is deleted in the caller's transaction: two confirmations of one preview
    cannot both import it, and a rollback puts it back.
    """
    upload = _upload(quarter, user, token)
    if upload is None:
        return None
    content, filename = upload.content, upload.filename
    db.session.expunge(upload)
    claimed = db.session.execute(
        delete(ImportUpload).where(ImportUpload.id == upload.id)
    ).rowcount
    if claimed != 1:
        return None
    return ClaimedUpload(filename=filename, content=content)


@dataclass
class ClaimedUpload:
    """The file of a confirmed preview."""

    filename: str
    content: bytes
