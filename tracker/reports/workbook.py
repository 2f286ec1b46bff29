"""The quarter as a workbook (.xlsx), a task list (.csv), and the import template.

Headers and labels are Vietnamese whatever language the interface shows: these files
go to meetings and other offices. Dates are real dates in the workbook and dd/mm/yyyy
in the CSV, which carries a byte-order mark so that Excel reads it as UTF-8.
"""
import csv
from io import BytesIO, StringIO

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.i18n import lazy as _l
from tracker.i18n import quarter_label
from tracker.models import KINDS, STATUSES
from tracker.quarters.summary import figures_for
from tracker.reports.columns import COLUMNS, IMPORT_COLUMNS, header
from tracker.reports.services import load_tasks
from tracker.tasks.services import active_units
from tracker.tasks.timeliness import TIMELINESS

DATE_FORMAT = "DD/MM/YYYY"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
YES = _l("Yes")


def _quarter_labels(task, known):
    """Return (the task's quarter, the quarter carried work came from) as labels.

    Looked up once per quarter of an export (known): a label costs a catalog lookup,
    and a province's quarter has thousands of rows.
    """
    quarter = task.quarter
    labels = known.get(quarter.id)
    if labels is None:
        labels = known[quarter.id] = (
            str(quarter.label), str(quarter_label(*quarter.previous_key()))
        )
    return labels


def task_values(task, cutoff, known=None):
    """Return {column key: value} for one task, labels in the current language.

    known keeps the quarters' labels between the rows of one export.
    """
    label, previous = _quarter_labels(task, {} if known is None else known)
    values = {
        "id": task.id,
        "kind": str(task.kind_label),
        "title": task.title,
        "lead_unit": task.lead_unit.name,
        "coordinating": "; ".join(unit.name for unit in task.coordinating_units),
        "participating": "; ".join(link.unit.name for link in task.participants_links),
        "status": str(task.status_label),
        "timeliness": str(task.timeliness_label(cutoff)),
        "is_recurring": str(YES) if task.is_recurring else "",
        "carried_from": previous if task.carried_from_id else "",
        "quarter": label,
    }
    for column in COLUMNS:
        if column.key not in values:
            value = getattr(task, column.key)
            values[column.key] = "" if value is None else value
    return values


def _style_header(sheet, columns=None):
    """Bold, shaded, wrapped headers; frozen under the header; filters on."""
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    if columns:
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
            if column.required:
                sheet.cell(row=1, column=index).fill = REQUIRED_FILL
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _write_tasks(sheet, tasks, cutoff, columns):
    """Write a header row and one row per task; dates as dates."""
    sheet.append([header(column) for column in columns])
    date_columns = [i for i, c in enumerate(columns, start=1) if c.type == "date"]
    # Row numbers are counted here: sheet.max_row scans every cell on each call.
    known = {}
    for row, task in enumerate(tasks, start=2):
        values = task_values(task, cutoff, known)
        sheet.append([values[column.key] for column in columns])
        for index in date_columns:
            cell = sheet.cell(row=row, column=index)
            if cell.value:
                cell.number_format = DATE_FORMAT
    _style_header(sheet, columns)


def summary_rows(quarter, figures):
    """Return the summary sheet's rows: (label, value, code), code naming the figure."""
    rows = [
        (_l("Quarter"), quarter.label, "quarter"),
        (_l("Figures as of"), figures["cutoff"], "cutoff"),
        (_l("Approved"), str(YES) if quarter.is_approved else "", "approved"),
        (_l("Tasks"), figures["total"], "total"),
        (_l("Cancelled"), figures["cancelled"], "cancelled"),
    ]
    for code, label in TIMELINESS.items():
        rows.append((label, figures["timeliness"][code], f"timeliness.{code}"))
    rows += [
        (_l("Done"), figures["done"], "done"),
        (_l("Overdue, not completed"), figures["overdue"], "overdue"),
        (_l("Completion rate"), figures["rate"], "rate"),
        (_l("Carried over from the previous quarter"), figures["carried_in"],
         "carried_in"),
    ]
    groups = (
        ("dialogues", (
            ("planned", _l("Dialogues planned")), ("held", _l("Dialogues held")),
            ("participants", _l("Participants")),
            ("opinions_raised", _l("Opinions raised")),
            ("opinions_answered", _l("Opinions answered")),
        )),
        ("training", (
            ("courses", _l("Training courses")), ("held", _l("Training courses held")),
            ("sessions", _l("Sessions")), ("trainees_planned", _l("Trainees planned")),
            ("trainees_attended", _l("Trainees attended")),
        )),
        ("congresses", (
            ("planned", _l("Congresses planned")), ("held", _l("Congresses held")),
            ("delegates", _l("Delegates")),
        )),
        ("movements", (
            ("count", _l("Movements and campaigns")),
            ("models_registered", _l("Models registered")),
            ("models_recognised", _l("Models recognised")),
        )),
    )
    for group, names in groups:
        for name, label in names:
            rows.append((label, figures[group][name], f"{group}.{name}"))
    for kind, label in KINDS.items():
        counts = figures["kinds"].get(kind)
        if counts:
            rows.append((_l("%(kind)s: tasks", kind=label), counts["total"],
                         f"kinds.{kind}.total"))
            rows.append((_l("%(kind)s: done", kind=label), counts["done"],
                         f"kinds.{kind}.done"))
    return rows


UNIT_HEADERS = (
    (_l("Unit"), 40), (_l("Short name"), 14), (_l("Led"), 10), (_l("Coordinated"), 10),
    (_l("Completed on time"), 12), (_l("Completed late"), 12),
    (_l("Overdue, not completed"), 12), (_l("Completion rate"), 12),
)


def _write_summary(sheet, quarter, figures):
    import datetime as dt

    sheet.append([str(_l("Figure")), str(_l("Value")), str(_l("Code"))])
    for label, value, code in summary_rows(quarter, figures):
        if code == "cutoff":
            value = dt.date.fromisoformat(value)
        sheet.append([str(label), "" if value is None else value, code])
        cell = sheet.cell(row=sheet.max_row, column=2)
        if code == "cutoff":
            cell.number_format = DATE_FORMAT
        elif code == "rate":
            cell.number_format = "0.0%"
    for letter, width in (("A", 48), ("B", 16), ("C", 30)):
        sheet.column_dimensions[letter].width = width
    # The codes name each figure for scripts that read the file; people read the
    # labels, so the column is hidden.
    sheet.column_dimensions["C"].hidden = True
    _style_header(sheet)


def _write_units(sheet, figures):
    sheet.append([str(label) for label, _ in UNIT_HEADERS])
    for unit in figures["units"]:
        sheet.append([
            unit["name"], unit["short_name"], unit["led"], unit["coordinated"],
            unit["done_on_time"], unit["done_late"], unit["overdue"],
            "" if unit["rate"] is None else unit["rate"],
        ])
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.0%"
    for index, (_, width) in enumerate(UNIT_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _style_header(sheet)


def _save(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def quarter_workbook(quarter, today):
    """Return the quarter's workbook: summary, all tasks, per unit."""
    with force_locale("vi"):
        tasks = load_tasks(quarter)
        cutoff = quarter.cutoff(today)
        figures = figures_for(quarter, today, tasks)
        workbook = Workbook()
        summary = workbook.active
        summary.title = str(_l("Summary"))
        _write_summary(summary, quarter, figures)
        _write_tasks(workbook.create_sheet(str(_l("Tasks"))), tasks, cutoff, COLUMNS)
        _write_units(workbook.create_sheet(str(_l("By unit"))), figures)
        workbook.properties.title = f"{quarter.label}"
        return _save(workbook)


def tasks_csv(quarter, today):
    """Return the quarter's tasks as CSV bytes: UTF-8 with BOM, one row per task."""
    with force_locale("vi"):
        tasks = load_tasks(quarter)
        cutoff = quarter.cutoff(today)
        out = StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([header(column) for column in COLUMNS])
        known = {}
        for task in tasks:
            values = task_values(task, cutoff, known)
            row = []
            for column in COLUMNS:
                value = values[column.key]
                if column.type == "date" and value:
                    value = value.strftime("%d/%m/%Y")
                row.append(value)
            writer.writerow(row)
        return out.getvalue().encode("utf-8-sig")


INSTRUCTIONS = {
    "kind": _l("A kind of work, by its name in Vietnamese or English or its code "
               "(see the Lists sheet)."),
    "title": _l("The task as it should read in the report."),
    "lead_unit": _l("One unit, by its name or short name (accents and capitals do "
                    "not matter). An unknown unit is an error, never a new unit."),
    "coordinating": _l("Units separated by “;”."),
    "participating": _l("Units that each report their own share, separated by “;”."),
    "due_on": _l(
        "dd/mm/yyyy. Empty: the quarter's last day (none for recurring work)."
    ),
    "status": _l("Empty means not started; otherwise a status by name or code."),
    "progress": _l("A whole number from 0 to 100; 100 or empty when the status is "
                   "done."),
    "completed_on": _l("dd/mm/yyyy; needed when the status is done."),
    "is_recurring": _l("“Có” (yes) or empty."),
}


def template_workbook(quarter=None, today=None):
    """Return the import template, filled with a quarter's tasks when one is given."""
    with force_locale("vi"):
        workbook = Workbook()
        plan = workbook.active
        plan.title = str(_l("Plan"))
        tasks = load_tasks(quarter) if quarter is not None else []
        cutoff = quarter.cutoff(today) if quarter is not None else None
        _write_tasks(plan, tasks, cutoff, IMPORT_COLUMNS)

        guide = workbook.create_sheet(str(_l("Instructions")))
        guide.append(
            [str(_l("Column")), str(_l("Required")), str(_l("How to fill it in"))]
        )
        for column in IMPORT_COLUMNS:
            note = INSTRUCTIONS.get(column.key)
            if note is None:
                note = {
                    "int": _l("A whole number."),
                    "date": _l("dd/mm/yyyy."),
                }.get(column.type, _l("Text."))
            guide.append([header(column), str(YES) if column.required else "",
                          str(note)])
        for letter, width in (("A", 34), ("B", 12), ("C", 90)):
            guide.column_dimensions[letter].width = width
        _style_header(guide)

        lists = workbook.create_sheet(str(_l("Lists")))
        lists.append([str(_l("Kind of work")), str(_l("Code")), str(_l("Status")),
                      str(_l("Code")), str(_l("Unit")), str(_l("Short name"))])
        units = active_units()
        kinds, statuses = list(KINDS.items()), list(STATUSES.items())
        for index in range(max(len(kinds), len(statuses), len(units))):
            row = ["", "", "", "", "", ""]
            if index < len(kinds):
                row[0:2] = [str(kinds[index][1]), kinds[index][0]]
            if index < len(statuses):
                row[2:4] = [str(statuses[index][1]), statuses[index][0]]
            if index < len(units):
                row[4:6] = [units[index].name, units[index].short_name]
            lists.append(row)
        for letter, width in zip("ABCDEF", (30, 14, 20, 14, 44, 16)):
            lists.column_dimensions[letter].width = width
        _style_header(lists)
        _add_choices(plan, lists, len(kinds), len(statuses), len(units))
        return _save(workbook)


def _add_choices(plan, lists, kinds, statuses, units):
    """Offer drop-down lists for kind, status and lead unit in the plan sheet."""
    title = lists.title
    letters = {column.key: get_column_letter(index)
               for index, column in enumerate(IMPORT_COLUMNS, start=1)}
    for key, source, count in (("kind", "A", kinds), ("status", "C", statuses),
                               ("lead_unit", "E", units)):
        if not count:
            continue
        validation = DataValidation(
            type="list", formula1=f"'{title}'!${source}$2:${source}${count + 1}",
            allow_blank=True, showErrorMessage=False,
        )
        plan.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}1000")
