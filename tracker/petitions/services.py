"""Rules about petitions: recording, forwarding, answering, closing, and the lists.

Every write appends a PetitionUpdate row (who, when, what) and only flushes: the view
commits once.
"""
import datetime as dt
from dataclasses import dataclass

from flask import abort
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Quarter, Task, Unit
from tracker.models.base import utcnow
from tracker.models.petition import (
    OPEN_STATES,
    PETITION_FIELDS,
    PETITION_STATES,
    Petition,
    PetitionUpdate,
)
from tracker.text import fold, row_id

# What the edit form may change, in the order the history lists them.
DETAIL_FIELDS = ("citizen", "commune", "content", "field", "answering_unit_id",
                 "answering_body", "due_on")
PAGE_SIZE = 100


def _value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _record(petition, user, action, old_state=None, note="", changes=None):
    update = PetitionUpdate(
        petition=petition, user_id=getattr(user, "id", None), action=action,
        old_state=old_state, new_state=petition.state, note=note or "",
        changes=changes or None,
    )
    db.session.add(update)
    return update


def get_petition_or_404(petition_id):
    """Return the petition with its task, body and history loaded, or abort with 404."""
    petition = db.session.scalar(
        select(Petition).where(Petition.id == petition_id).options(
            joinedload(Petition.task).joinedload(Task.quarter),
            joinedload(Petition.task).selectinload(Task.unit_links),
            joinedload(Petition.answering_unit),
            selectinload(Petition.updates).joinedload(PetitionUpdate.user),
            selectinload(Petition.updates).undefer(PetitionUpdate.via),
        )
    )
    if petition is None:
        abort(404)
    return petition


def task_petitions(task):
    """Return the petitions raised at the task's meeting, oldest first."""
    return db.session.scalars(
        select(Petition).where(Petition.task_id == task.id)
        .options(joinedload(Petition.answering_unit))
        .order_by(Petition.id)
    ).all()


def answering_units():
    """Return the units a petition may be sent to answer (active ones)."""
    return db.session.scalars(
        select(Unit).where(Unit.is_active.is_(True))
        .order_by(Unit.sort_order, Unit.name)
    ).all()


def create_petition(task, data, user):
    """Record a petition raised at the task's meeting."""
    petition = Petition(task=task, created_by_id=getattr(user, "id", None),
                        state="received")
    for name in DETAIL_FIELDS:
        if name in data:
            setattr(petition, name, data[name])
    db.session.add(petition)
    _record(petition, user, "created")
    db.session.flush()
    return petition


def update_petition(petition, data, user):
    """Change the petition's details; return {field: [old, new]} of what changed."""
    changes = {}
    for name in DETAIL_FIELDS:
        if name not in data:
            continue
        old, new = getattr(petition, name), data[name]
        if old != new:
            changes[name] = [_value(old), _value(new)]
            setattr(petition, name, new)
    if changes:
        _record(petition, user, "edited", old_state=petition.state, changes=changes)
        db.session.flush()
    return changes


def forward_petition(petition, user, forwarded_on, note="", answering_unit_id=None):
    """Send the petition to the body that must answer it."""
    old = petition.state
    changes = {}
    if answering_unit_id and answering_unit_id != petition.answering_unit_id:
        changes["answering_unit_id"] = [petition.answering_unit_id, answering_unit_id]
        petition.answering_unit_id = answering_unit_id
    petition.state = "forwarded"
    petition.forwarded_on = forwarded_on
    changes["forwarded_on"] = [None, _value(forwarded_on)]
    _record(petition, user, "forwarded", old, note, changes)
    db.session.flush()


def answer_petition(petition, user, answer, answered_on):
    """Record the answer given to the petition, and its date."""
    petition.answer = answer
    petition.answered_on = answered_on
    _settle(petition, user, "answered", answer, "answered_on", answered_on)


def close_petition(petition, user, reason, closed_on):
    """Close the petition without an answer, for the reason given."""
    petition.close_reason = reason
    petition.closed_on = closed_on
    _settle(petition, user, "closed", reason, "closed_on", closed_on)


def _settle(petition, user, state, note, date_field, day):
    """Move the petition to its last state (answered or closed) and record it."""
    old = petition.state
    petition.state = state
    petition.settled_at = utcnow()
    _record(petition, user, state, old, note, {date_field: [None, _value(day)]})
    db.session.flush()


@dataclass
class Filters:
    """What the list of petitions is narrowed to."""

    state: str = ""
    field: str = ""
    commune: str = ""
    body: str = ""  # a unit id, or "mine" for the signed-in user's units
    overdue: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args):
        """Read the filters from the query string, ignoring values that mean nothing."""
        state = args.get("state", "")
        field = args.get("field", "")
        body = args.get("body", "")
        if body != "mine" and row_id(body) is None:
            body = ""
        try:
            page = max(1, min(int(args.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(
            state=state if state in PETITION_STATES else "",
            field=field if field in PETITION_FIELDS else "",
            commune=args.get("commune", "").strip()[:200],
            body=body, overdue=args.get("overdue") == "1", page=page,
        )

    def query_args(self, **override):
        """Return the filters as query-string arguments (for links and pages)."""
        values = dict(state=self.state, field=self.field, commune=self.commune,
                      body=self.body, overdue="1" if self.overdue else "",
                      page=self.page)
        values.update(override)
        return {key: value for key, value in values.items()
                if value not in ("", None, 1) or key == "page" and value != 1}


def _conditions(filters, today, my_unit_ids):
    conditions = []
    if filters.state:
        conditions.append(Petition.state == filters.state)
    if filters.field:
        conditions.append(Petition.field == filters.field)
    if filters.commune:
        # Accents and case ignored: "tinh ha" finds "Tịnh Hà".
        conditions += [Petition.commune_folded.contains(word, autoescape=True)
                       for word in fold(filters.commune).split()]
    if filters.body == "mine":
        conditions.append(Petition.answering_unit_id.in_(sorted(my_unit_ids) or [0]))
    elif filters.body:
        conditions.append(Petition.answering_unit_id == int(filters.body))
    if filters.overdue:
        conditions.append(overdue_condition(today))
    return conditions


def overdue_condition(day):
    """Return the condition: still waiting for an answer due before the day."""
    return (Petition.state.in_(OPEN_STATES) & Petition.due_on.is_not(None)
            & (Petition.due_on < day))


def petition_list(filters, today, my_unit_ids=()):
    """Return (petitions on the page, how many match, how many of those are overdue)."""
    conditions = _conditions(filters, today, my_unit_ids)
    total, overdue = db.session.execute(
        select(func.count(Petition.id),
               func.coalesce(func.sum(case((overdue_condition(today), 1), else_=0)), 0))
        .where(*conditions)
    ).one()
    rows = db.session.scalars(
        select(Petition).where(*conditions)
        .options(joinedload(Petition.answering_unit),
                 joinedload(Petition.task).joinedload(Task.quarter))
        .join(Task, Task.id == Petition.task_id)
        .join(Quarter, Quarter.id == Task.quarter_id)
        .order_by(Quarter.year.desc(), Quarter.number.desc(), Petition.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return rows, total, overdue


def communes():
    """Return the communes petitions name, for the filter's suggestions."""
    return db.session.scalars(
        select(Petition.commune).where(Petition.commune != "").distinct()
        .order_by(Petition.commune)
    ).all()


def bodies():
    """Return the units that must answer some petition, for the filter."""
    return db.session.scalars(
        select(Unit).where(Unit.id.in_(
            select(Petition.answering_unit_id).where(
                Petition.answering_unit_id.is_not(None)).scalar_subquery()))
        .order_by(Unit.sort_order, Unit.name)
    ).all()


# What the figures read of a petition: a few columns, no objects.
FIGURE_COLUMNS = (
    Petition.task_id, Petition.field, Petition.state, Petition.count,
    Petition.due_on, Petition.answered_on, Petition.closed_on, Petition.settled_at,
    Petition.is_imported,
)


def petition_rows(quarter_ids):
    """Return {quarter id: [petition rows]} of the quarters' tasks, in one statement."""
    if not quarter_ids:
        return {}
    rows = db.session.execute(
        select(Task.quarter_id, *FIGURE_COLUMNS)
        .join(Task, Task.id == Petition.task_id)
        .where(Task.quarter_id.in_(list(quarter_ids)))
    ).all()
    found = {}
    for row in rows:
        found.setdefault(row.quarter_id, []).append(row)
    return found


def count_petitions(rows, quarter, cutoff):
    """Return the petitions' figures at the cut-off, in total, by field and by task.

    An answer or a close counts once it is dated by the cut-off; a closed quarter
    also counts it only if it was recorded before the quarter closed, so the
    quarter's numbers never move when answers arrive later. Answered on time: by
    the due date (an answer without a due date is on time).
    """
    names = ("raised", "answered", "answered_on_time", "closed", "open", "overdue",
             "imported")
    closed_at = quarter.closed_at if quarter.is_closed else None
    totals = dict.fromkeys(names, 0)
    by_field, by_task = {}, {}
    for row in rows:
        settled = row.settled_at is not None and (
            closed_at is None or row.settled_at <= closed_at)
        answered = (settled and row.state == "answered"
                    and row.answered_on is not None and row.answered_on <= cutoff)
        closed = (settled and row.state == "closed"
                  and row.closed_on is not None and row.closed_on <= cutoff)
        still_open = not (answered or closed)
        values = dict(
            raised=row.count,
            answered=row.count if answered else 0,
            answered_on_time=row.count if answered and (
                row.due_on is None or row.answered_on <= row.due_on) else 0,
            closed=row.count if closed else 0,
            open=row.count if still_open else 0,
            overdue=row.count if still_open and row.due_on is not None
            and row.due_on < cutoff else 0,
            imported=row.count if row.is_imported else 0,
        )
        field = by_field.setdefault(row.field, dict.fromkeys(names, 0))
        task = by_task.setdefault(row.task_id, dict(raised=0, answered=0))
        for name in names:
            totals[name] += values[name]
            field[name] += values[name]
        task["raised"] += values["raised"]
        task["answered"] += values["answered"]
    totals["by_field"] = {name: by_field[name] for name in PETITION_FIELDS
                          if name in by_field}
    return totals, by_task


def record_imported_counts(task, raised, answered, user=None, answered_on=None):
    """Record counts typed by hand as petitions marked imported; return the rows.

    One row holds the answered count (dated answered_on: the meeting's day, else
    its quarter's last day), another what is still unanswered, so the figures read
    the same numbers the counts said.
    """
    raised = max(raised or 0, 0)
    answered = min(max(answered or 0, 0), raised)
    day = answered_on or task.held_on or task.quarter.ends_on
    rows = []
    for count, state in ((answered, "answered"), (raised - answered, "received")):
        if not count:
            continue
        petition = Petition(
            task=task, state=state, count=count, is_imported=True, field="other",
            content="", answering_body="",
            created_by_id=getattr(user, "id", None),
        )
        if state == "answered":
            petition.answered_on = day
            petition.settled_at = utcnow()
        db.session.add(petition)
        _record(petition, user, "imported", changes={"count": [None, count]})
        rows.append(petition)
    db.session.flush()
    return rows


def quarter_petitions(quarter):
    """Return the petitions raised at the quarter's tasks (not archived), in order."""
    return db.session.scalars(
        select(Petition)
        .join(Task, Task.id == Petition.task_id)
        .where(Task.quarter_id == quarter.id, Task.is_archived.is_(False))
        .options(joinedload(Petition.task), joinedload(Petition.answering_unit))
        .order_by(Petition.task_id, Petition.id)
    ).all()
