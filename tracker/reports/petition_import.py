"""Petitions in the workbook: reading the quarter's petitions sheet back.

The quarter's workbook (tracker.reports.workbook) writes the petitions of its meetings
on a sheet of their own; the plan import reads that sheet too. A row names its meeting
by the task's ID (a task of the file's own tasks sheet, or of the quarter) or, failing
that, by the task's title, and creates the petition there, or updates the petition
its ID names. read_rows() never writes; apply_rows() writes through the petition
services, so each petition gets its history.
"""
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.forms import CONTROL_CHARACTERS
from tracker.models import Task
from tracker.models.petition import (
    PETITION_FIELDS,
    PETITION_KINDS,
    PETITION_STATES,
    Petition,
)
from tracker.petitions import services
from tracker.text import fold

# The sheet's columns, in the order the workbook writes them (PETITION_HEADERS).
KEYS = ("id", "task_id", "raised_at", "citizen", "commune", "field", "content",
        "body", "due_on", "state", "forwarded_on", "answered_on", "answer",
        "closed_on", "reason", "overdue", "count", "imported")
# Written for people, not read back: whether it was overdue when exported.
EXPORT_ONLY = ("overdue",)
LIMITS = {"citizen": 200, "commune": 200, "content": 10000, "body": 200,
          "answer": 10000, "reason": 2000, "raised_at": 500}
DATES = ("due_on", "forwarded_on", "answered_on", "closed_on")
# The sheet's title as the workbook writes it, and the shorter name people give it.
SHEET_NAMES = ("kien nghi", "y kien, kien nghi", "petitions")


def is_petition_sheet(title):
    """Tell whether a worksheet's title names the petitions sheet."""
    from tracker.reports.workbook import petition_sheet_titles

    folded = " ".join(fold(title or "").split())
    return folded in SHEET_NAMES or folded in petition_sheet_titles()


def header_lookup():
    """Return {folded header: key}, accepting Vietnamese, English and the key."""
    from tracker.reports.workbook import PETITION_HEADERS

    lookup = {}
    for key, (label, _width) in zip(KEYS, PETITION_HEADERS):
        for locale in ("vi", "en"):
            with force_locale(locale):
                lookup.setdefault(fold(str(label)).rstrip(" *:"), key)
        lookup.setdefault(key, key)
    return lookup


@dataclass
class PetitionRow:
    """One petition the sheet would create or update."""

    row: int
    data: dict
    task: object = None  # a task of the quarter
    plan_row: object = None  # or a task the file itself creates
    petition: object = None  # the petition updated, if the row names one
    unit: object = None  # the answering unit, if one of the units
    problems: list = field(default_factory=list)

    @property
    def task_title(self):
        """Return the title of the meeting the petition was raised at."""
        if self.task is not None:
            return self.task.title
        if self.plan_row is not None:
            return self.plan_row.data.get("title", "")
        return self.data.get("raised_at", "")

    @property
    def state_label(self):
        """Return the translated state of the row's petition."""
        return PETITION_STATES.get(self.data.get("state"), "")


def read_rows(quarter, cells, plan_rows, problem_class, parse):
    """Check the petitions sheet's rows against the quarter and the file's tasks.

    cells: the sheet's rows of cells; plan_rows: the file's task rows (each with its
    exported ID, if any, as exported_id); parse: the importer's cell readers. Return
    (rows, problems).
    """
    from tracker.reports.imports import UnitIndex, _choices

    problems = []
    sheet = _("Petitions")

    def sheet_problem(message, row=None, column=None):
        where = f"{sheet}: {column}" if column else sheet
        return problem_class(message, row, where)

    start = next((i for i, row in enumerate(cells)
                  if any(not parse.blank(cell) for cell in row)), None)
    if start is None:
        return [], problems
    lookup = header_lookup()
    mapping, labels = {}, {}
    for index, cell in enumerate(cells[start]):
        if parse.blank(cell):
            continue
        name = parse.text(cell)
        key = lookup.get(fold(name).rstrip(" *:"))
        if key is None:
            problems.append(sheet_problem(
                _("Unknown column “%(column)s”.", column=name)))
            continue
        if key in labels:
            problems.append(sheet_problem(
                _("The column “%(column)s” appears twice.", column=name)))
            continue
        labels[key] = name
        if key not in EXPORT_ONLY:
            mapping[index] = key
    if "task_id" not in labels and "raised_at" not in labels:
        problems.append(sheet_problem(_(
            "Missing columns: %(columns)s.",
            columns=f"“{_('Task ID')}”, “{_('Raised at')}”")))
    if problems:
        return [], problems

    tasks = db.session.scalars(
        select(Task).where(Task.quarter_id == quarter.id, Task.is_archived.is_(False))
    ).all()
    by_id = {task.id: task for task in tasks}
    by_title = {}
    for task in tasks:
        by_title.setdefault(fold(task.title), []).append(task)
    in_file = {row.exported_id: row for row in plan_rows
               if getattr(row, "exported_id", None)}
    file_titles = {}
    for row in plan_rows:
        file_titles.setdefault(fold(row.data.get("title") or ""), []).append(row)
    existing = {petition.id: petition for petition in db.session.scalars(
        select(Petition).join(Task, Task.id == Petition.task_id)
        .where(Task.quarter_id == quarter.id))}
    units = UnitIndex()
    fields, states = _choices(PETITION_FIELDS), _choices(PETITION_STATES)

    rows = []
    body = list(cells[start + 1:])
    while body and all(parse.blank(cell) for cell in body[-1]):
        body.pop()
    for offset, values in enumerate(body):
        number = start + offset + 2
        if all(parse.blank(cell) for cell in values):
            continue
        row = PetitionRow(row=number, data={})

        def problem(key, message):
            row.problems.append(sheet_problem(message, number, labels.get(key, key)))

        for index, key in mapping.items():
            value = values[index] if index < len(values) else None
            if parse.blank(value):
                continue
            try:
                if key in DATES:
                    row.data[key] = parse.date(value)
                elif key in ("id", "task_id", "count"):
                    row.data[key] = parse.number(value)
                elif key == "imported":
                    row.data[key] = parse.boolean(value)
                else:
                    text = str(value) if key in ("content", "answer", "reason") \
                        else parse.text(value)
                    text = text.strip()
                    if CONTROL_CHARACTERS.search(text):
                        raise ValueError(_("Remove the invisible control characters "
                                           "from this field."))
                    if len(text) > LIMITS.get(key, 200):
                        raise ValueError(_("At most %(max)d characters.",
                                           max=LIMITS.get(key, 200)))
                    row.data[key] = text
            except ValueError as exc:
                problem(key, str(exc))
        _resolve(row, problem, by_id, by_title, in_file, file_titles)
        _check(row, problem, existing, units, fields, states)
        problems.extend(row.problems)
        rows.append(row)
    return rows, problems


def _resolve(row, problem, by_id, by_title, in_file, file_titles):
    """Find the meeting the petition was raised at: by the task's ID, else its title."""
    task_id = row.data.get("task_id")
    if task_id in in_file:
        row.plan_row = in_file[task_id]
    elif task_id in by_id:
        row.task = by_id[task_id]
    else:
        title = fold(row.data.get("raised_at") or "")
        found = by_title.get(title, []) if title else []
        planned = file_titles.get(title, []) if title else []
        if len(found) + len(planned) == 1:
            row.task = found[0] if found else None
            row.plan_row = planned[0] if planned else None
        elif len(found) + len(planned) > 1:
            problem("raised_at",
                    _("Several tasks have this title; give the task's ID."))
            return
        else:
            problem("task_id", _("No task of the quarter or of the file matches this "
                                 "petition's task."))
            return
    kind = row.task.kind if row.task is not None else row.plan_row.data.get("kind")
    if kind not in PETITION_KINDS:
        problem("raised_at", _("Petitions are recorded on dialogues and meetings with "
                               "citizens, not on this kind of task."))


def _check(row, problem, existing, units, fields, states):
    """Check the row's values and what its state needs."""
    from tracker.reports.imports import choice_key

    data = row.data
    petition_id = data.get("id")
    if petition_id is not None and petition_id in existing:
        row.petition = existing[petition_id]
        if row.task is not None and row.petition.task_id != row.task.id:
            row.petition = None  # another meeting's: the row records a new one
    typed = data.get("field") or "other"
    data["field"] = fields.get(choice_key(typed))
    if data["field"] is None:
        problem("field", _("Unknown field “%(value)s”.", value=typed))
        data["field"] = "other"
    state = states.get(choice_key(data.get("state") or "received"))
    if state is None:
        problem("state", _("Unknown state “%(value)s”.", value=data.get("state")))
    data["state"] = state or "received"
    data["is_imported"] = bool(data.pop("imported", False))
    count = data.get("count") or 1
    if not 1 <= count <= 1_000_000 or (count > 1 and not data["is_imported"]):
        problem("count", _("A count above 1 is only for imported counts."))
    data["count"] = count
    if not data["is_imported"] and not data.get("content"):
        problem("content", _("Write what was raised."))
    body = data.get("body") or ""
    if body:
        try:
            row.unit = units.find(body)
        except ValueError:
            row.unit = None  # an outside body named in words
    elif not data["is_imported"]:
        problem("body", _("Choose the body that must answer, or name an outside body."))
    if data["state"] == "answered":
        if not data.get("answered_on"):
            problem("answered_on", _("Enter the date of the answer."))
        if not data.get("answer") and not data["is_imported"]:
            problem("answer", _("Write the answer given."))
    if data["state"] == "closed":
        if not data.get("closed_on"):
            problem("closed_on", _("Enter the date it was closed."))
        if not data.get("reason"):
            problem("reason", _("Write why it is closed without answer."))
    if data["state"] == "forwarded" and not data.get("forwarded_on"):
        problem("forwarded_on", _("Enter the date it was forwarded."))
    today = _today()
    for name in ("forwarded_on", "answered_on", "closed_on"):
        if data.get(name) and data[name] > today:
            problem(name, _("The date cannot be in the future."))


def _today():
    from tracker.i18n import today

    return today()


def _details(row):
    data = row.data
    return dict(
        citizen=data.get("citizen", ""), commune=data.get("commune", ""),
        content=data.get("content", ""), field=data["field"],
        answering_unit_id=row.unit.id if row.unit is not None else None,
        answering_body="" if row.unit is not None else data.get("body", ""),
        due_on=data.get("due_on"),
    )


def apply_rows(rows, created_by_row, user):
    """Create or update every petition of checked rows; return (created, updated).

    created_by_row maps a task row of the file to the task the import created.
    """
    made = updated = 0
    for row in rows:
        task = row.task if row.task is not None else created_by_row[id(row.plan_row)]
        if row.petition is not None:
            if _update(row, user):
                updated += 1
            continue
        _create(row, task, user)
        made += 1
    db.session.flush()
    return made, updated


def _create(row, task, user):
    data = row.data
    if data["is_imported"]:
        counts = services.record_imported_counts(
            task, data["count"], data["count"] if data["state"] == "answered" else 0,
            user, answered_on=data.get("answered_on"))
        return counts
    petition = services.create_petition(task, _details(row), user)
    _steps(petition, row, user)
    return petition


def _update(row, user):
    petition = row.petition
    changed = False
    if not petition.is_imported:
        changed = bool(services.update_petition(petition, _details(row), user))
    if petition.state != row.data["state"] and petition.is_open:
        before = petition.state
        _steps(petition, row, user)
        changed = changed or petition.state != before
    return changed


def _steps(petition, row, user):
    """Take the petition through the steps its row's state records."""
    data = row.data
    if data.get("forwarded_on") and petition.state == "received":
        services.forward_petition(petition, user, data["forwarded_on"])
    if data["state"] == "answered":
        services.answer_petition(petition, user, data.get("answer", ""),
                                 data["answered_on"])
    elif data["state"] == "closed":
        services.close_petition(petition, user, data.get("reason", ""),
                                data["closed_on"])


@dataclass
class Parse:
    """The importer's cell readers, handed to read_rows."""

    blank: object
    text: object
    date: object
    number: object
    boolean: object


def parse_with(blank, text, as_date, as_int, as_bool):
    """Return the cell readers for the petitions sheet from the importer's own."""
    from tracker.reports.columns import Column

    counting = Column("count", "", "int", minimum=0, maximum=10**9)
    return Parse(blank=blank, text=text, date=as_date,
                 number=lambda value: as_int(counting, value), boolean=as_bool)

