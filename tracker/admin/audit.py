"""The whole log for administrators: audit events and task history, in one list.

Both tables are read through one UNION ALL with their names and labels joined in, so
a page of the log costs the same few statements whatever its size.
"""
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from sqlalchemy import Integer, String, Text, and_, cast, func, literal, null, select
from sqlalchemy import union_all
from sqlalchemy.orm import aliased

from tracker.exports import csv_cell, csv_row
from tracker.extensions import db
from tracker.i18n import fmt_datetime, quarter_key_label, quarter_label, translated
from tracker.i18n import lazy as _l
from tracker.models import (
    QUARTER_STATES,
    UNIT_KINDS,
    USER_ROLES,
    AuditEvent,
    Quarter,
    Task,
    TaskUpdate,
    Unit,
    User,
)
from tracker.models.audit import AUDIT_ACTIONS
from tracker.models.task import UPDATE_ACTIONS
from tracker.tasks.timeliness import TIMELINESS
from tracker.tasks.history import (
    TASK_CODES,
    Change,
    describe_changes,
    names,
    task_labels,
    value_text,
)

ENTITY_TYPES = {
    "task": _l("Task"),
    "quarter": _l("Quarter"),
    "unit": _l("Unit"),
    "user": _l("User account"),
    "organisation": _l("Issuing body"),
    "board": _l("Board"),
}

PER_PAGE = 50
MAX_PER_PAGE = 200


_LABELS = {}


def _field_labels():
    """Return {entity type: {field: label}} for every field the log may name."""
    if not _LABELS:
        _LABELS.update(_build_field_labels())
    return _LABELS


def _build_field_labels():
    return {
        "task": task_labels(),
        "quarter": {
            "state": _l("State"), "carried": _l("Tasks carried over"),
            "closed": _l("Tasks closed here"), "next": _l("Next quarter"),
            "was_approved": _l("Was approved"), "approved_by": _l("Approved by"),
            "restored": _l("Ended tasks put back"), "as_of": _l("Figures as of"),
            "total": _l("Tasks"), "done": _l("Done"), "rate": _l("Completion rate"),
            "ended": _l("Tasks recorded as stopped"), **TIMELINESS,
            "fields": _l("Fields changed"), "tasks": _l("Tasks imported"),
            "file": _l("File"),
            "from": _l("Planned from the quarter"),
            "shifted_from": _l("Dates shifted from the quarter"),
        },
        "unit": {
            "name": _l("Name"), "short_name": _l("Short name"), "kind": _l("Kind"),
            "parent_id": _l("Under"), "sort_order": _l("Display order"),
            "is_active": _l("Active"),
        },
        "user": {
            "username": _l("Username"), "full_name": _l("Full name"),
            "role": _l("Role"), "units": _l("Units"), "is_active": _l("Active"),
            "password": _l("Password"),
        },
        "organisation": {"fields": _l("Fields changed")},
    }


def _form_labels(*forms):
    """Return {field name: label} of the fields of form classes."""
    labels = {}
    for form in forms:
        for name, field in vars(form).items():
            if getattr(field, "args", None):
                labels.setdefault(name, field.args[0])
    return labels


_CODES = {}


def _value_codes():
    """Return {entity type: {field: {code: label}}}: coded values shown by name."""
    if not _CODES:
        from tracker.reports.forms import OrganisationForm, ReportForm

        _CODES.update({
            "task": TASK_CODES,
            "quarter": {"state": QUARTER_STATES, "fields": _form_labels(ReportForm)},
            "unit": {"kind": UNIT_KINDS},
            "user": {"role": USER_ROLES},
            "organisation": {"fields": _form_labels(OrganisationForm)},
        })
    return _CODES


@dataclass
class Filters:
    """What the administrator asked the log for."""

    entity_type: str = None
    entity_id: int = None
    user_id: int = None
    date_from: dt.date = None
    date_to: dt.date = None
    text: str = None

    def is_empty(self):
        """Tell whether no filter is set."""
        return not any(vars(self).values())


@dataclass
class Entry:
    """One line of the log, ready to show or export."""

    source: str
    id: int
    created_at: dt.datetime
    actor: str
    entity_type: str
    entity_id: int
    entity_label: str
    url: str
    code: str
    action: str
    note: str
    changes: list = field(default_factory=list)
    via: str = None  # "api" for a change made through the JSON API

    @property
    def entity_type_label(self):
        """Return the translated kind of thing the entry is about."""
        return ENTITY_TYPES.get(self.entity_type, self.entity_type)

    @property
    def shows_type(self):
        """Tell whether the page names the kind of thing before its label.

        A quarter's label already says so ("Quý I/2023"), as does the issuing body's.
        """
        return self.entity_type not in ("quarter", "organisation")


def _entries_subquery():
    """Return audit events and task history as one subquery with the same columns."""
    actor, target = aliased(User), aliased(User)
    events = (
        select(
            cast(literal("audit"), String(10)).label("source"),
            AuditEvent.id.label("id"),
            AuditEvent.created_at.label("created_at"),
            AuditEvent.user_id.label("user_id"),
            actor.username.label("actor_username"),
            actor.full_name.label("actor_name"),
            AuditEvent.entity_type.label("entity_type"),
            AuditEvent.entity_id.label("entity_id"),
            func.coalesce(Unit.name, target.username, "").label("label"),
            Quarter.year.label("quarter_year"),
            Quarter.number.label("quarter_number"),
            AuditEvent.action.label("action"),
            AuditEvent.changes.label("changes"),
            AuditEvent.note.label("note"),
            cast(null(), String(20)).label("old_status"),
            cast(null(), String(20)).label("new_status"),
            cast(null(), Integer).label("old_progress"),
            cast(null(), Integer).label("new_progress"),
            cast(null(), String(60)).label("unit_short_name"),
            AuditEvent.via.label("via"),
        )
        .outerjoin(actor, actor.id == AuditEvent.user_id)
        .outerjoin(Unit, and_(AuditEvent.entity_type == "unit",
                              Unit.id == AuditEvent.entity_id))
        .outerjoin(target, and_(AuditEvent.entity_type == "user",
                                target.id == AuditEvent.entity_id))
        .outerjoin(Quarter, and_(AuditEvent.entity_type == "quarter",
                                 Quarter.id == AuditEvent.entity_id))
    )
    author, share_unit, task_quarter = aliased(User), aliased(Unit), aliased(Quarter)
    history = (
        select(
            cast(literal("history"), String(10)),
            TaskUpdate.id,
            TaskUpdate.created_at,
            TaskUpdate.user_id,
            author.username,
            author.full_name,
            cast(literal("task"), String(20)),
            TaskUpdate.task_id,
            Task.title,
            task_quarter.year,
            task_quarter.number,
            TaskUpdate.action,
            TaskUpdate.changes,
            TaskUpdate.note,
            TaskUpdate.old_status,
            TaskUpdate.new_status,
            TaskUpdate.old_progress,
            TaskUpdate.new_progress,
            share_unit.short_name,
            TaskUpdate.via,
        )
        .join(Task, Task.id == TaskUpdate.task_id)
        .join(task_quarter, task_quarter.id == Task.quarter_id)
        .outerjoin(author, author.id == TaskUpdate.user_id)
        .outerjoin(share_unit, share_unit.id == TaskUpdate.unit_id)
    )
    return union_all(events, history).subquery("entries")


def _conditions(entries, filters):
    conditions = []
    if filters.entity_type:
        conditions.append(entries.c.entity_type == filters.entity_type)
    if filters.entity_id:
        conditions.append(entries.c.entity_id == filters.entity_id)
    if filters.user_id:
        conditions.append(entries.c.user_id == filters.user_id)
    if filters.date_from:
        start = to_utc(dt.datetime.combine(filters.date_from, dt.time.min))
        conditions.append(entries.c.created_at >= start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
        conditions.append(entries.c.created_at < to_utc(end))
    if filters.text:
        text = filters.text
        conditions.append(
            entries.c.note.icontains(text, autoescape=True)
            | entries.c.label.icontains(text, autoescape=True)
            | cast(entries.c.changes, Text).icontains(text, autoescape=True)
        )
    return conditions


def _ordered(entries):
    return (entries.c.created_at.desc(), entries.c.source, entries.c.id.desc())


def count_entries(filters):
    """Return how many entries match the filters."""
    entries = _entries_subquery()
    return db.session.scalar(
        select(func.count()).select_from(entries).where(*_conditions(entries, filters))
    )


def page_of_entries(filters, page=1, per_page=PER_PAGE):
    """Return the entries of one page (newest first) and the number matching."""
    total = count_entries(filters)
    entries = _entries_subquery()
    rows = db.session.execute(
        select(entries).where(*_conditions(entries, filters))
        .order_by(*_ordered(entries))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [describe(row) for row in rows], total


def all_entries(filters):
    """Yield every matching entry, newest first (for the export)."""
    entries = _entries_subquery()
    result = db.session.execute(
        select(entries).where(*_conditions(entries, filters))
        .order_by(*_ordered(entries))
        .execution_options(yield_per=500)
    )
    for row in result:
        yield describe(row)


def _value(entity_type, name, value):
    return value_text(name, value, _value_codes().get(entity_type))


def describe(row):
    """Return the Entry for one row of the log query, in words rather than codes."""
    labels = _field_labels().get(row.entity_type, {})
    changes = []
    skip = ()
    if row.source == "history" and row.action in ("progress", "share"):
        if row.old_status != row.new_status:
            changes.append(Change(str(labels.get("status", "status")),
                                  _value("task", "status", row.old_status),
                                  _value("task", "status", row.new_status)))
            skip = ("status",)  # already listed from the status columns
        if row.old_progress != row.new_progress:
            changes.append(Change(str(labels.get("progress", "progress")),
                                  _value("task", "progress", row.old_progress),
                                  _value("task", "progress", row.new_progress)))
    changes += describe_changes(
        row.changes, labels, _value_codes().get(row.entity_type), skip=skip
    )
    if row.source == "history":
        action = translated(UPDATE_ACTIONS).get(row.action, row.action)
    else:
        action = translated(AUDIT_ACTIONS).get(row.action, row.action)
    unit = names().unit(row.unit_short_name) if row.unit_short_name else ""
    if unit and row.source == "history" and row.action == "progress":
        unit = _("on behalf of %(unit)s", unit=unit)
    # A quarter opened by closing the one before notes that quarter's key.
    note = str(quarter_key_label(row.note or ""))
    return Entry(
        source=row.source, id=row.id, created_at=row.created_at,
        actor=(row.actor_name or row.actor_username or "") if row.user_id else "",
        entity_type=row.entity_type, entity_id=row.entity_id,
        entity_label=_entity_label(row), url=_entity_url(row), code=row.action,
        action=str(action),
        note=note + (f" [{unit}]" if unit else ""),
        changes=changes, via=row.via,
    )


def _entity_label(row):
    if row.entity_type == "quarter":
        if row.quarter_year:
            return str(quarter_label(row.quarter_year, row.quarter_number))
        return f"#{row.entity_id}"
    if row.entity_type == "task" and row.quarter_year:
        quarter = quarter_label(row.quarter_year, row.quarter_number)
        return f"#{row.entity_id} {row.label} ({quarter})"
    if row.entity_type == "user" and row.label:
        return names().person(row.label)
    if row.entity_type == "organisation":
        return str(ENTITY_TYPES["organisation"])
    return row.label or f"#{row.entity_id}"


def _entity_url(row):
    if row.entity_type == "task":
        return url_for("tasks.show", task_id=row.entity_id)
    if row.entity_type == "quarter" and row.quarter_year:
        key = f"{row.quarter_year}-Q{row.quarter_number}"
        return url_for("quarters.board", key=key)
    if row.entity_type == "unit" and row.label:
        return url_for("admin.edit_unit", unit_id=row.entity_id)
    if row.entity_type == "user" and row.label:
        return url_for("admin.edit_user", user_id=row.entity_id)
    return ""


def _cell(value):
    """Return a CSV cell through the one cell writer (text is never a formula)."""
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return csv_cell(value)


def csv_header():
    """Return the export's column titles."""
    return [
        str(_l("Time")), str(_l("By")), str(_l("Type")), str(_l("Id")),
        str(_l("Object")), str(_l("Action")), str(_l("Field")),
        str(_l("Old value")), str(_l("New value")), str(_l("Note")),
    ]


def csv_lines(entries):
    """Yield the export, UTF-8 with a byte-order mark, one line per changed field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(csv_row(csv_header()))
    yield "\ufeff" + flush()
    for entry in entries:
        start = [
            fmt_datetime(entry.created_at), entry.actor, str(entry.entity_type_label),
            entry.entity_id, entry.entity_label, entry.action,
        ]
        lines = entry.changes or [None]
        for change in lines:
            if change is None:
                tail = ["", "", ""]
            elif change.is_pair:
                tail = [str(change.label), change.old, change.new]
            else:
                tail = [str(change.label), "", change.new]
            writer.writerow([_cell(value) for value in start + tail + [entry.note]])
        yield flush()
