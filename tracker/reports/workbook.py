"""The quarter as a workbook (.xlsx), a task list (.csv), and the import template.

Headers and labels are Vietnamese whatever language the interface shows: these files
go to meetings and other offices. Dates are real dates in the workbook and dd/mm/yyyy
in the CSV, which carries a byte-order mark so that Excel reads it as UTF-8.
"""
import csv
from io import BytesIO, StringIO

from flask_babel import force_locale

from tracker.exports import DATE_FORMAT, XlsxCells, csv_row, xlsx_workbook
from tracker.figures.services import board_rollup, codes, compute
from tracker.i18n import lazy as _l
from tracker.i18n import quarter_label, translated
from tracker.models import KINDS, STATUSES
from tracker.petitions.services import quarter_petitions
from tracker.reports.columns import COLUMNS, IMPORT_COLUMNS, header
from tracker.reports.services import download_cutoff, load_tasks
from tracker.tasks.rows import unit_rows as read_units
from tracker.tasks.services import active_units
from tracker.tasks.timeliness import TIMELINESS

YES = _l("Yes")


def _quarter_labels(task, known, quarter=None):
    """Return (the task's quarter, the quarter carried work came from) as labels.

    Looked up once per quarter of an export (known): a label costs a catalog lookup,
    and a province's quarter has thousands of rows. quarter is the task's, when the
    task is a plain row that does not know it.
    """
    quarter = quarter if quarter is not None else task.quarter
    labels = known.get(quarter.id)
    if labels is None:
        labels = known[quarter.id] = (
            str(quarter.label), str(quarter_label(*quarter.previous_key()))
        )
    return labels


def _label_once(known, name, code, task, attribute):
    """Return the task's label for a code, looked up once per code of an export."""
    labels = known.setdefault(name, {})
    label = labels.get(code)
    if label is None:
        label = labels[code] = str(getattr(task, attribute))
    return label


def task_values(task, code, cutoff, known=None, quarter=None):
    """Return {column key: value} for one task, labels in the current language.

    code is the task's class at the cut-off, from the quarter's figures; known keeps
    the quarters' and classes' labels between the rows of one export.
    """
    known = {} if known is None else known
    label, previous = _quarter_labels(task, known, quarter)
    classes = known.get("timeliness")
    if classes is None:
        classes = known["timeliness"] = translated(TIMELINESS)
        known["yes"] = str(YES)
    values = {
        "id": task.id,
        "kind": _label_once(known, "kind", task.kind, task, "kind_label"),
        "title": task.title,
        "lead_unit": task.lead_unit.name,
        "co_lead": "; ".join(unit.name for unit in task.co_lead_units),
        "coordinating": "; ".join(unit.name for unit in task.coordinating_units),
        # A group's members take part through it: the group's column names it.
        "participating": "; ".join(
            link.unit.name for link in task.own_participants_links),
        "scope": ", ".join(unit.name for unit in task.scope_units),
        "status": _label_once(known, "status", task.status, task, "status_label"),
        "timeliness": classes.get(code, "") if code else "",
        "as_of": cutoff,
        "is_recurring": known["yes"] if task.is_recurring else "",
        "carried_from": previous if task.carried_from_id else "",
        "quarter": label,
    }
    # The other columns are the task's own attributes, found once per export.
    plain = known.get("plain")
    if plain is None:
        plain = known["plain"] = [column.key for column in COLUMNS
                                  if column.key not in values]
    for key in plain:
        value = getattr(task, key)
        values[key] = "" if value is None else value
    return values


class _Sheet:
    """A sheet written row by row, in order.

    Widths and the frozen header are set first, each date or percentage gets its
    column's number format, and the filter's range is set from the rows written.
    """

    def __init__(self, cells, title, widths=()):
        self.cells = cells
        self.sheet = cells.workbook.add_worksheet(title)
        self.rows = self.columns = 0
        for index, width in enumerate(widths):
            if width:
                self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(1, 0)

    def header(self, labels, required=()):
        """Write the bold, shaded, wrapped header (required columns in orange)."""
        for index, label in enumerate(labels, start=1):
            self.cells.write_row(
                self.sheet, self.rows, [str(label)], first=index - 1,
                style="required" if index in required else "header")
        self.rows += 1
        self.columns = max(self.columns, len(labels))

    def row(self, values, formats=None):
        """Write a row; formats is {column number (1 = A): number format}."""
        self.cells.write_row(self.sheet, self.rows, values, formats)
        self.rows += 1
        self.columns = max(self.columns, len(values))

    def finish(self):
        """Filter on the header over every row written."""
        if self.rows:
            self.sheet.autofilter(0, 0, self.rows - 1, max(self.columns, 1) - 1)


def _write_tasks(cells, title, tasks, classes, cutoff, columns, quarter=None):
    """Write a sheet with a header row and one row per task; dates as dates.

    classes is {task id: timeliness code} from the quarter's figures; quarter is the
    tasks' own, when they are plain rows. Returns the sheet.
    """
    out = _Sheet(cells, title, [column.width for column in columns])
    out.header([header(column) for column in columns],
               {i for i, c in enumerate(columns, start=1) if c.required})
    formats = {i: DATE_FORMAT for i, c in enumerate(columns, start=1)
               if c.type == "date"}
    known = {}
    keys = [column.key for column in columns]
    for task in tasks:
        values = task_values(task, classes.get(task.id), cutoff, known, quarter)
        out.row([values[key] for key in keys], formats)
    out.finish()
    return out


def summary_rows(quarter, figures):
    """Return the summary sheet's rows: (label, value, code), code naming the figure."""
    rows = [
        (_l("Quarter"), quarter.label, "quarter"),
        (_l("Figures as of"), figures["as_of"], "as_of"),
        (_l("Approved"), str(YES) if quarter.is_approved else "", "approved"),
        (_l("Tasks"), figures["total"], "total"),
    ]
    for code, label in TIMELINESS.items():
        rows.append((label, figures["counts"][code], f"counts.{code}"))
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
    (_l("Unit"), 40), (_l("Short name"), 14), (_l("Led"), 10), (_l("Shares"), 10),
    (_l("Coordinated"), 10), (_l("Completed on time"), 12), (_l("Completed late"), 12),
    (_l("Done"), 10), (_l("Overdue, not completed"), 12), (_l("Completion rate"), 12),
)
SHARE_HEADERS = (
    (_l("Task ID"), 9), (_l("Title"), 60), (_l("Lead unit"), 28), (_l("Unit"), 30),
    (_l("Share status"), 16), (_l("Completed on"), 13), (_l("Due date"), 13),
    (_l("Timeliness"), 24), (_l("Unit's note"), 50), (_l("Figures as of"), 13),
)


def _write_summary(cells, title, quarter, figures):
    out = _Sheet(cells, title, (48, 16, 30))
    # The codes name each figure for scripts that read the file; people read the
    # labels, so the column is hidden.
    out.sheet.set_column(2, 2, 30, None, {"hidden": True})
    out.header([_l("Figure"), _l("Value"), _l("Code")])
    _write_summary_rows(out, quarter, figures)
    out.finish()


def _write_summary_rows(out, quarter, figures):
    """Write (label, value, code) of each figure: the date as a date, the rate as %."""
    import datetime as dt

    for label, value, code in summary_rows(quarter, figures):
        formats = None
        if code == "as_of":
            value = dt.date.fromisoformat(value)
            formats = {2: DATE_FORMAT}
        elif code == "rate":
            formats = {2: "0.0%"}
        out.row([str(label), "" if value is None else value, code], formats)


def _write_units(cells, title, figures):
    out = _Sheet(cells, title, [width for _, width in UNIT_HEADERS])
    out.header([label for label, _ in UNIT_HEADERS])
    rate = {len(UNIT_HEADERS): "0.0%"}
    for unit in figures["units"]:
        out.row([
            unit["name"], unit["short_name"], unit["led"], unit["shares"],
            unit["coordinated"], unit["done_on_time"], unit["done_late"], unit["done"],
            unit["overdue"], "" if unit["rate"] is None else unit["rate"],
        ], rate)
    out.finish()


def _write_shares(cells, title, tasks, figures, cutoff):
    """Write one row per unit's share of a task: its status, date, class and note."""
    shares = {task["id"]: task["shares"] for task in figures["tasks"]}
    labels, statuses = translated(TIMELINESS), translated(STATUSES)
    out = _Sheet(cells, title, [width for _, width in SHARE_HEADERS])
    out.header([label for label, _ in SHARE_HEADERS])
    dates = {6: DATE_FORMAT, 7: DATE_FORMAT, 10: DATE_FORMAT}
    for task in tasks:
        by_unit = {share["unit"]: share for share in shares.get(task.id, ())}
        for link in task.participants_links:
            share = by_unit[link.unit_id]
            out.row([
                task.id, task.title, task.lead_unit.name, link.unit.name,
                statuses.get(link.share_status, link.share_status),
                link.share_done_on, task.due_on, labels.get(share["timeliness"], ""),
                link.share_note or "", cutoff,
            ], dates)
    out.finish()


PETITION_HEADERS = (
    (_l("Petition ID"), 9), (_l("Task ID"), 9), (_l("Raised at"), 40),
    (_l("Citizen or group"), 24), (_l("Commune / village"), 20), (_l("Field"), 18),
    (_l("Content"), 60), (_l("Body that must answer"), 28), (_l("Answer due by"), 13),
    (_l("State"), 16), (_l("Forwarded on"), 13), (_l("Answered on"), 13),
    (_l("Answer"), 50), (_l("Closed on"), 13), (_l("Reason"), 30),
    (_l("Overdue for an answer"), 12), (_l("Count"), 8), (_l("Imported count"), 10),
)


def petition_sheet_titles():
    """Return the petitions sheet's title, folded, in either language."""
    from tracker.text import fold

    titles = set()
    for locale in ("vi", "en"):
        with force_locale(locale):
            titles.add(" ".join(fold(str(_l("Petitions"))).split()))
    return titles


def task_sheet_titles():
    """Return the tasks sheet's title, folded, in either language."""
    from tracker.text import fold

    titles = set()
    for locale in ("vi", "en"):
        with force_locale(locale):
            titles.add(" ".join(fold(str(_l("Tasks"))).split()))
    return titles


def _write_petitions(cells, title, petitions, cutoff):
    """Write one row per petition raised at the quarter's meetings, as it stands."""
    out = _Sheet(cells, title, [width for _, width in PETITION_HEADERS])
    out.header([label for label, _ in PETITION_HEADERS])
    dates = {9: DATE_FORMAT, 11: DATE_FORMAT, 12: DATE_FORMAT, 14: DATE_FORMAT}
    for item in petitions:
        out.row([
            item.id, item.task_id, item.task.title, item.citizen, item.commune,
            item.field_label, item.content, item.body_name, item.due_on,
            item.state_label, item.forwarded_on, item.answered_on, item.answer,
            item.closed_on, item.close_reason,
            str(YES) if item.is_overdue(cutoff) else "", item.count,
            str(YES) if item.is_imported else "",
        ], dates)
    out.finish()


def quarter_workbook(quarter, as_of=None):
    """Return the quarter's workbook: summary, all tasks, per unit, units' shares.

    Judged at the downloads' cut-off (as_of, else the report's date, if open).
    """
    with force_locale("vi"):
        units = read_units()
        tasks = load_tasks(quarter, units)
        cutoff = download_cutoff(quarter, as_of)
        figures = compute(quarter, tasks, cutoff, units=units)
        buffer = BytesIO()
        with xlsx_workbook(buffer) as workbook:
            cells = XlsxCells(workbook)
            _write_summary(cells, str(_l("Summary")), quarter, figures)
            _write_tasks(cells, str(_l("Tasks")), tasks, codes(figures), cutoff,
                         COLUMNS, quarter)
            _write_units(cells, str(_l("By unit")), figures)
            _write_shares(cells, str(_l("Units' shares")), tasks, figures, cutoff)
            _write_petitions(cells, str(_l("Petitions")), quarter_petitions(quarter),
                             cutoff)
            rolled = board_rollup(quarter, figures, cutoff)
            if rolled is not None:
                _write_rollup(cells, quarter, rolled)
            workbook.set_properties({"title": str(quarter.label)})
        return buffer.getvalue()


ROLLUP_HEADERS = (
    (_l("Board"), 40), (_l("Code"), 14), (_l("Tasks"), 9),
    (_l("Done"), 9), (_l("Overdue, not completed"), 12), (_l("Completion rate"), 12),
    (_l("Dialogues planned"), 11), (_l("Dialogues held"), 11),
    (_l("Opinions raised"), 11), (_l("Opinions answered"), 11),
    (_l("Congresses planned"), 11), (_l("Congresses held"), 11),
    (_l("Models registered"), 11), (_l("Models recognised"), 11),
)
TASK_LIST_HEADERS = (
    (_l("Task ID"), 9), (_l("Title"), 60), (_l("Kind"), 18), (_l("Status"), 16),
    (_l("Due date"), 13), (_l("Completed on"), 13), (_l("Timeliness"), 24),
)


def _sheet_title(name, taken):
    """Return a sheet title from a board's name: Excel's 31 characters, no [ ] : * ? / \
    and unlike the titles already taken (compared without case, as Excel does)."""
    base = "".join(" " if char in "[]:*?/\\" else char for char in name).strip()[:31]
    title, number = base or "-", 1
    while title.lower() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _rollup_values(name, code, row):
    if row is None:
        return [name, code] + [""] * (len(ROLLUP_HEADERS) - 2)
    return [
        name, code, row["total"], row["done"], row["overdue"],
        "" if row["rate"] is None else row["rate"],
        row["dialogues"]["planned"], row["dialogues"]["held"],
        row["dialogues"]["opinions_raised"], row["dialogues"]["opinions_answered"],
        row["congresses"]["planned"], row["congresses"]["held"],
        row["movements"]["models_registered"], row["movements"]["models_recognised"],
    ]


def _write_rollup(cells, quarter, rolled):
    """Write the boards below this one: a sheet side by side with the totals, then one
    sheet per board with its own figures and tasks, as that board's workbook states."""
    import datetime as dt

    taken = {sheet.name.lower() for sheet in cells.workbook.worksheets()}
    out = _Sheet(cells, _sheet_title(str(_l("Boards below")), taken),
                 [width for _, width in ROLLUP_HEADERS])
    out.header([label for label, _ in ROLLUP_HEADERS])
    lines = [(entry["board"].name, entry["board"].code, entry["row"])
             for entry in rolled["boards"]]
    lines.append((str(_l("This board's own tasks")), quarter.board.code, rolled["own"]))
    lines.append((str(_l("Total")), "", rolled["totals"]))
    for name, code, values in lines:
        out.row(_rollup_values(name, code, values), {6: "0.0%"})
    out.finish()
    kinds, labels = translated(KINDS), translated(TIMELINESS)
    statuses = translated(STATUSES)
    widths = [max(width, 48 if index == 1 else 0)
              for index, (_, width) in enumerate(TASK_LIST_HEADERS, start=1)]
    for entry in rolled["boards"]:
        child = _Sheet(cells, _sheet_title(entry["board"].name, taken), widths)
        figures = entry["figures"]
        if figures is None:
            child.header([entry["board"].name])
            child.row([str(_l("No plan for this quarter."))])
            child.finish()
            continue
        child.header([_l("Figure"), _l("Value"), _l("Code")])
        _write_summary_rows(child, entry["quarter"], figures)
        child.row([])
        child.row([str(label) for label, _ in TASK_LIST_HEADERS])
        dates = {5: DATE_FORMAT, 6: DATE_FORMAT}
        for task in figures["tasks"]:
            child.row([
                task["id"], task["title"], kinds.get(task["kind"], task["kind"]),
                statuses.get(task["status"], task["status"]),
                dt.date.fromisoformat(task["due_on"]) if task["due_on"] else "",
                dt.date.fromisoformat(task["completed_on"])
                if task["completed_on"] else "",
                labels.get(task["timeliness"], ""),
            ], dates)
        child.finish()


def tasks_csv(quarter, as_of=None):
    """Yield the quarter's tasks as CSV: UTF-8 with BOM, one row per task, in chunks.

    Judged at the downloads' cut-off, which each row states in its own column; each
    task's class is its own timeliness at that date, as the figures count it. The rows
    are written as they are read: the units and the links in one statement each, the
    tasks in one more, never the whole file in memory.
    """
    cutoff = download_cutoff(quarter, as_of)
    return _csv_chunks(quarter, cutoff)


CSV_CHUNK = 200  # rows a chunk of the download holds


def _csv_chunks(quarter, cutoff):
    from tracker.tasks.rows import export_rows

    with force_locale("vi"):
        out = StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(csv_row([header(column) for column in COLUMNS]))
        yield "\ufeff".encode() + _drain(out)
        known = {}
        for count, task in enumerate(export_rows(quarter), start=1):
            values = task_values(task, task.timeliness(cutoff), cutoff, known, quarter)
            row = []
            for column in COLUMNS:
                value = values[column.key]
                if column.type == "date" and value:
                    value = value.strftime("%d/%m/%Y")
                row.append(value)
            writer.writerow(csv_row(row))
            if count % CSV_CHUNK == 0:
                yield _drain(out)
        rest = _drain(out)
        if rest:
            yield rest


def _drain(out):
    """Return what the buffer holds as UTF-8, and empty it."""
    data = out.getvalue().encode("utf-8")
    out.seek(0)
    out.truncate()
    return data


INSTRUCTIONS = {
    "kind": _l("A kind of work, by its name in Vietnamese or English or its code "
               "(see the Lists sheet)."),
    "title": _l("The task as it should read in the report."),
    "lead_unit": _l("One unit, group of units or outside body, by its name or short "
                    "name (accents and capitals do not matter). An unknown unit is "
                    "an error, never a new unit: the preview offers to create it as "
                    "an outside body."),
    "co_lead": _l("Units that lead the task beside the lead unit, separated by "
                  "“;”."),
    "coordinating": _l("Units separated by “;”."),
    "participating": _l("Units that each report their own share, separated by “;”."),
    "scope": _l("The communes the task is carried out in, by name or short name, "
                "separated by commas."),
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
        buffer = BytesIO()
        with xlsx_workbook(buffer) as workbook:
            _write_template(XlsxCells(workbook), quarter, today)
        return buffer.getvalue()


def _write_template(cells, quarter, today):
    tasks = load_tasks(quarter) if quarter is not None else []
    # The plan's columns hold no figure; the cut-off only fills unused values.
    cutoff = quarter.cutoff(today) if quarter is not None else None
    plan = _write_tasks(cells, str(_l("Plan")), tasks, {}, cutoff, IMPORT_COLUMNS,
                        quarter)

    guide = _Sheet(cells, str(_l("Instructions")), (34, 12, 90))
    guide.header([_l("Column"), _l("Required"), _l("How to fill it in")])
    for column in IMPORT_COLUMNS:
        note = INSTRUCTIONS.get(column.key)
        if note is None:
            note = {
                "int": _l("A whole number."),
                "date": _l("dd/mm/yyyy."),
            }.get(column.type, _l("Text."))
        guide.row([header(column), str(YES) if column.required else "",
                   str(note)])
    guide.finish()

    lists = _Sheet(cells, str(_l("Lists")), (30, 14, 20, 14, 44, 16))
    lists.header([_l("Kind of work"), _l("Code"), _l("Status"), _l("Code"),
                  _l("Unit"), _l("Short name")])
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
        lists.row(row)
    lists.finish()
    _add_choices(plan.sheet, lists.sheet.name, len(kinds), len(statuses), len(units))


def _add_choices(plan, title, kinds, statuses, units):
    """Offer drop-down lists for kind, status and lead unit in the plan sheet, down
    to row 1000; any other value is still accepted (the importer checks it)."""
    columns = {column.key: index for index, column in enumerate(IMPORT_COLUMNS)}
    for key, source, count in (("kind", "A", kinds), ("status", "C", statuses),
                               ("lead_unit", "E", units)):
        if not count:
            continue
        plan.data_validation(1, columns[key], 999, columns[key], {
            "validate": "list", "ignore_blank": True, "show_error": False,
            "source": f"='{title}'!${source}$2:${source}${count + 1}",
        })
