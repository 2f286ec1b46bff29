"""Rules about congresses by term: the next congress, its state, the calendar, edits.

A term (CongressTerm) holds an organisation's last congress; the next congress is the
following number for the following term, due when the term has run its years. A
congress task of the board (kind "congress") naming the organisation and that number
plans it; its holding (done, or its date held reached) moves the term forward, on
every path that saves a task (see _advance_terms). Writes record who and when, and
only flush: the view commits once.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Optional

from flask import abort, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.extensions import db
from tracker.models import Quarter, Task, TaskUpdate
from tracker.models.congress import LEVEL_ORDER, CongressTerm, CongressTermChange
from tracker.text import fold, to_roman

# What the term form may change, in the order the history lists them.
TERM_FIELDS = ("organisation", "level", "unit_id", "ordinal", "term_start", "term_end",
               "last_held_on")
# A congress due within this many quarters (this one and the next) and not planned
# is flagged to leaders.
FLAG_QUARTERS = 2

PLANNED, HELD, NOT_PLANNED = "planned", "held", "not_planned"


def _value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def same_organisation(one, other):
    """Tell whether two names mean one organisation (case and accents ignored)."""
    return " ".join(fold(one or "").split()) == " ".join(fold(other or "").split())


def add_years(day, years):
    """Return the same day the given years later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_congress(term):
    """Return (number, term start, term end, due date) of the term's next congress.

    The next term is as long as the current one; its congress is due when the
    current term has run its years: on the anniversary of the last congress, or by
    the end of the term's last year when that date is not known.
    """
    length = max(term.term_end - term.term_start, 1)
    if term.last_held_on is not None:
        due = add_years(term.last_held_on, length)
    else:
        due = dt.date(term.term_end, 12, 31)
    return term.ordinal + 1, term.term_end, term.term_end + length, due


def quarter_end(day, ahead=0):
    """Return the last day of the quarter holding the day, or `ahead` quarters on."""
    index = day.year * 4 + (day.month - 1) // 3 + ahead
    year, number = divmod(index, 4)
    if number == 3:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * (number + 1) + 1, 1) - dt.timedelta(days=1)


def flag_limit(today):
    """Return the last day of the next two quarters (this one and the one after)."""
    return quarter_end(today, FLAG_QUARTERS - 1)


def is_held(task, today):
    """Tell whether a congress task records its congress as held."""
    if task.status == "cancelled":
        return False
    return task.status == "done" or (task.held_on is not None and task.held_on <= today)


@dataclass
class Congress:
    """One congress of the calendar: an organisation's next one, or its last held."""

    term: CongressTerm
    ordinal: int
    term_start: int
    term_end: int
    due_on: dt.date
    state: str
    task: Optional[object] = None  # the congress task that plans or held it
    held_on: Optional[dt.date] = None
    flagged: bool = False

    @property
    def ordinal_roman(self):
        """Return the congress number in Roman numerals ("XII")."""
        return to_roman(self.ordinal)

    @property
    def term_label(self):
        """Return the congress's term, e.g. "2023–2028"."""
        return f"{self.term_start}–{self.term_end}"

    @property
    def title(self):
        """Return the congress's name as a plan writes it."""
        return (f"Đại hội {self.term.organisation} lần thứ {self.ordinal_roman}, "
                f"nhiệm kỳ {self.term_label}")

    def sort_key(self):
        """Order by year due, the communes' before the district's, then date, name."""
        day = self.held_on or self.due_on
        return (day.year, LEVEL_ORDER.get(self.term.level, 9), day,
                fold(self.term.organisation))


def terms():
    """Return the board's terms, communes' first, then by name."""
    rows = db.session.scalars(
        select(CongressTerm).options(joinedload(CongressTerm.unit))
    ).all()
    return sorted(rows, key=lambda term: (LEVEL_ORDER.get(term.level, 9),
                                          fold(term.organisation)))


def congress_tasks():
    """Return the board's congress tasks that name a number (not archived)."""
    return db.session.scalars(
        select(Task).where(Task.kind == "congress", Task.is_archived.is_(False),
                           Task.congress_ordinal.is_not(None),
                           Task.status != "cancelled")
        .options(joinedload(Task.quarter))
        .order_by(Task.id)
    ).all()


def _task_for(tasks, term, ordinal):
    found = [task for task in tasks if task.congress_ordinal == ordinal
             and same_organisation(task.organisation, term.organisation)]
    # The newest holds the latest word (a carried task continues the one before).
    return found[-1] if found else None


def calendar(today, only_due=False):
    """Return the congresses of every term: the last one held by a recorded task, and
    the next one (planned as a task, held, or not planned), in the calendar's order.

    Two statements, whatever the number of terms and tasks. only_due keeps the terms
    whose next congress is due within the next two quarters (the flag's), and reads
    no task when there is none.
    """
    limit = flag_limit(today)
    chosen = terms()
    if only_due:
        chosen = [term for term in chosen if next_congress(term)[3] <= limit]
        if not chosen:
            return []
    tasks = congress_tasks()
    rows = []
    for term in chosen:
        last = _task_for(tasks, term, term.ordinal)
        if last is not None and is_held(last, today):
            rows.append(Congress(
                term=term, ordinal=term.ordinal, term_start=term.term_start,
                term_end=term.term_end, due_on=term.last_held_on or _held_day(last),
                state=HELD, task=last, held_on=term.last_held_on or _held_day(last)))
        ordinal, start, end, due = next_congress(term)
        task = _task_for(tasks, term, ordinal)
        if task is None:
            state = NOT_PLANNED
        elif is_held(task, today):
            state = HELD
        else:
            state = PLANNED
        rows.append(Congress(
            term=term, ordinal=ordinal, term_start=start, term_end=end, due_on=due,
            state=state, task=task,
            held_on=_held_day(task) if state == HELD else None,
            flagged=state == NOT_PLANNED and due <= limit))
    return sorted(rows, key=Congress.sort_key)


def flagged(today):
    """Return the congresses due within the next two quarters and not planned."""
    return [row for row in calendar(today, only_due=True) if row.flagged]


def _held_day(task):
    return task.held_on or task.completed_on


def plan_quarter(quarters, due_on):
    """Return the quarter to plan a congress in: the one holding its due date if it
    is open, else the newest open quarter; None when no quarter is open."""
    open_ones = [quarter for quarter in quarters if not quarter.is_closed]
    for quarter in open_ones:
        if quarter.starts_on <= due_on <= quarter.ends_on:
            return quarter
    return open_ones[0] if open_ones else None


def open_quarters():
    """Return the board's quarters not closed, newest first."""
    return db.session.scalars(
        select(Quarter).where(Quarter.state != "closed")
        .order_by(Quarter.year.desc(), Quarter.number.desc())
    ).all()


def plan_args(row, quarter):
    """Return the task form's query arguments that plan the congress in the quarter."""
    args = dict(quarter=quarter.key, kind="congress", title=row.title,
                organisation=row.term.organisation, congress_ordinal=row.ordinal,
                term_start=row.term_start, term_end=row.term_end)
    if row.term.unit_id:
        args["lead_unit_id"] = row.term.unit_id
    if quarter.starts_on <= row.due_on <= quarter.ends_on:
        args["due_on"] = row.due_on.isoformat()
    return args


def get_term_or_404(term_id):
    """Return the term with its history loaded, or abort with 404."""
    term = db.session.scalar(
        select(CongressTerm).where(CongressTerm.id == term_id).options(
            joinedload(CongressTerm.unit),
            selectinload(CongressTerm.changes).joinedload(CongressTermChange.user),
            selectinload(CongressTerm.changes).joinedload(CongressTermChange.task),
        )
    )
    if term is None:
        abort(404)
    return term


def unit_names(unit_ids):
    """Return {unit id: name} of the units, in one statement (none without ids)."""
    from tracker.models import Unit

    if not unit_ids:
        return {}
    return dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(sorted(unit_ids)))).all())


def organisation_taken(name, term_id=None):
    """Tell whether another term of the board already has this organisation."""
    for other in db.session.scalars(select(CongressTerm)):
        if other.id != term_id and same_organisation(other.organisation, name):
            return True
    return False


def _record(term, user, action, changes=None, task=None):
    change = CongressTermChange(term=term, user_id=getattr(user, "id", user),
                                action=action, changes=changes or None,
                                task_id=getattr(task, "id", None))
    db.session.add(change)
    return change


def create_term(data, user):
    """Record an organisation's term."""
    term = CongressTerm(updated_by_id=getattr(user, "id", None))
    for name in TERM_FIELDS:
        setattr(term, name, data.get(name))
    db.session.add(term)
    _record(term, user, "created", {name: [None, _value(data.get(name))]
                                    for name in TERM_FIELDS
                                    if data.get(name) not in (None, "")})
    db.session.flush()
    return term


def update_term(term, data, user):
    """Change the term; return {field: [old, new]} of what changed."""
    changes = {}
    for name in TERM_FIELDS:
        if name not in data:
            continue
        old, new = getattr(term, name), data[name]
        if old != new:
            changes[name] = [_value(old), _value(new)]
            setattr(term, name, new)
    if changes:
        term.updated_by_id = getattr(user, "id", None)
        _record(term, user, "edited", changes)
        db.session.flush()
    return changes


def hold(term, task, user_id, today):
    """Move the term forward to the congress the task held; return the changes."""
    length = max(term.term_end - term.term_start, 1)
    start = task.term_start or term.term_end
    end = task.term_end if task.term_end and task.term_end > start else start + length
    new = dict(ordinal=task.congress_ordinal, term_start=start, term_end=end,
               last_held_on=_held_day(task) or today)
    changes = {}
    for name, value in new.items():
        old = getattr(term, name)
        if old != value:
            changes[name] = [_value(old), _value(value)]
            setattr(term, name, value)
    term.updated_by_id = user_id
    _record(term, user_id, "held", changes, task)
    return changes


# Engines known to have the terms' table (only a positive answer is kept: the
# migration tests create it later on the same engine).
_WITH_TERMS = set()


def _has_terms(session):
    """Tell whether the schema has the terms' table (the migration tests load the
    demo into databases migrated only as far as an older revision)."""
    from sqlalchemy import inspect

    connection = session.connection()
    key = str(connection.engine.url)
    if key in _WITH_TERMS:
        return True
    if inspect(connection).has_table("congress_term"):
        _WITH_TERMS.add(key)
        return True
    return False


def _today():
    from tracker.i18n import today

    return today() if has_app_context() else dt.date.today()


@event.listens_for(Session, "before_flush")
def _advance_terms(session, flush_context, instances):
    """Move a term forward when a congress task of its organisation is held.

    Listening to the flush catches every path that saves a task (the pages, the
    import, the API, the commands) without the task services knowing about terms.
    """
    tasks = [obj for obj in list(session.new) + list(session.dirty)
             if isinstance(obj, Task) and obj.kind == "congress"
             and obj.congress_ordinal and not obj.is_archived]
    if not tasks:
        return
    day = _today()
    tasks = [task for task in tasks if is_held(task, day)]
    if not tasks or not _has_terms(session):
        return
    authors = {}
    for obj in session.new:
        if isinstance(obj, TaskUpdate) and obj.task is not None:
            authors[id(obj.task)] = obj.user_id if obj.user_id is not None else (
                obj.user.id if obj.user is not None else None)
    with session.no_autoflush:
        for task in tasks:
            board_id = task.quarter.board_id if task.quarter is not None else None
            if board_id is None:
                continue
            candidates = session.scalars(
                select(CongressTerm).where(CongressTerm.board_id == board_id),
                execution_options={"all_boards": True},
            ).all()
            for term in candidates:
                if (same_organisation(term.organisation, task.organisation)
                        and term.ordinal < task.congress_ordinal):
                    hold(term, task, authors.get(id(task)), day)
