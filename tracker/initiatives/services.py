"""Rules about the "Dân vận khéo" registry: registering, the steps, lists and counts.

Every write appends an InitiativeUpdate row (who, when, what) and only flushes: the
view commits once. The quarter's figures (tracker.figures.services) count the models
through count_initiatives, so the summary, the report and the API read one source.
"""
import datetime as dt
from dataclasses import dataclass

from flask import abort
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Unit
from tracker.models.base import utcnow
from tracker.models.initiative import (
    INITIATIVE_FIELDS,
    INITIATIVE_STATES,
    NEXT_STATES,
    RECOGNITION_LEVELS,
    Initiative,
    InitiativeUpdate,
)
from tracker.text import fold, row_id

# What the edit form may change, in the order the history lists them.
DETAIL_FIELDS = ("name", "field", "unit_id", "commune", "year", "beneficiaries",
                 "registered_on")
PAGE_SIZE = 100


class StepError(ValueError):
    """Raised when a model cannot move to the state asked for."""


def _value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _record(initiative, user, action, old_state=None, note="", changes=None):
    update = InitiativeUpdate(
        initiative=initiative, user_id=getattr(user, "id", None), action=action,
        old_state=old_state, new_state=initiative.state, note=note or "",
        changes=changes or None,
    )
    db.session.add(update)
    return update


def get_initiative_or_404(initiative_id):
    """Return the model with its unit and history loaded, or abort with 404."""
    initiative = db.session.scalar(
        select(Initiative).where(Initiative.id == initiative_id).options(
            joinedload(Initiative.unit),
            joinedload(Initiative.quarter),
            selectinload(Initiative.updates).joinedload(InitiativeUpdate.user),
            selectinload(Initiative.updates).undefer(InitiativeUpdate.via),
        )
    )
    if initiative is None:
        abort(404)
    return initiative


def registering_units():
    """Return the units that may register a model (the board's active units)."""
    return db.session.scalars(
        select(Unit).where(Unit.is_active.is_(True), Unit.kind != "external")
        .order_by(Unit.sort_order, Unit.name)
    ).all()


def create_initiative(data, user):
    """Register a model with the details given."""
    initiative = Initiative(created_by_id=getattr(user, "id", None),
                            state="registered")
    for name in DETAIL_FIELDS:
        if name in data:
            setattr(initiative, name, data[name])
    db.session.add(initiative)
    _record(initiative, user, "created")
    db.session.flush()
    return initiative


def update_initiative(initiative, data, user):
    """Change the model's details; return {field: [old, new]} of what changed."""
    changes = {}
    for name in DETAIL_FIELDS:
        if name not in data:
            continue
        old, new = getattr(initiative, name), data[name]
        if old != new:
            changes[name] = [_value(old), _value(new)]
            setattr(initiative, name, new)
    if changes:
        _record(initiative, user, "edited", old_state=initiative.state,
                changes=changes)
        db.session.flush()
    return changes


def advance(initiative, user, state, day, note="", level=None, decision_number=""):
    """Move the model to its next state on the day, and record it.

    Recognition needs its level and the decision's number (the day is the
    decision's date); dropping needs a reason (the note).
    """
    if state not in NEXT_STATES.get(initiative.state, ()):
        raise StepError(state)
    old = initiative.state
    changes = {}
    if state == "recognised":
        if level not in RECOGNITION_LEVELS or not decision_number:
            raise StepError(state)
        initiative.level = level
        initiative.decision_number = decision_number
        initiative.recognised_on = day
        initiative.settled_at = utcnow()
        changes = {"level": [None, level], "decision_number": [None, decision_number],
                   "recognised_on": [None, _value(day)]}
    elif state == "dropped":
        if not note:
            raise StepError(state)
        initiative.dropped_on = day
        initiative.drop_reason = note
        initiative.settled_at = utcnow()
        changes = {"dropped_on": [None, _value(day)]}
    else:
        changes = {"on": [None, _value(day)]}
    initiative.state = state
    _record(initiative, user, state, old, note, changes)
    db.session.flush()


def record_imported_counts(task, registered, recognised, user=None,
                           whole_year_on=None):
    """Record counts typed by hand as models marked imported; return the rows.

    One row holds the recognised count, another the rest of the registered, both
    tied to the task. They count in the task's quarter only, as the typed numbers
    did; with whole_year_on (the day they were registered by), they are the year's
    registrations and count, like records, in every quarter of the year from then.
    """
    registered = max(registered or 0, recognised or 0, 0)
    recognised = min(max(recognised or 0, 0), registered)
    quarter = task.quarter
    day = whole_year_on or quarter.ends_on
    rows = []
    for count, state in ((recognised, "recognised"),
                         (registered - recognised, "registered")):
        if not count:
            continue
        initiative = Initiative(
            board_id=quarter.board_id, name="", field="economy",
            unit_id=task.lead_unit_id, year=quarter.year, state=state,
            registered_on=day, is_imported=True, count=count, task=task,
            quarter=None if whole_year_on else quarter,
            created_by_id=getattr(user, "id", None),
        )
        if state == "recognised":
            initiative.recognised_on = day
            initiative.settled_at = utcnow()
        db.session.add(initiative)
        _record(initiative, user, "imported", changes={"count": [None, count]})
        rows.append(initiative)
    db.session.flush()
    return rows


@dataclass
class Filters:
    """What the registry's list is narrowed to."""

    state: str = ""
    field: str = ""
    unit: str = ""  # a unit id, or "mine" for the signed-in user's units
    commune: str = ""
    year: int = 0
    page: int = 1

    @classmethod
    def from_args(cls, args):
        """Read the filters from the query string, ignoring values that mean nothing."""
        state = args.get("state", "")
        field = args.get("field", "")
        unit = args.get("unit", "")
        if unit != "mine" and row_id(unit) is None:
            unit = ""
        year = args.get("year", "")
        year = row_id(year) or 0
        year = year if 1900 < year < 2200 else 0
        try:
            page = max(1, min(int(args.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(
            state=state if state in INITIATIVE_STATES else "",
            field=field if field in INITIATIVE_FIELDS else "",
            unit=unit, commune=args.get("commune", "").strip()[:200], year=year,
            page=page,
        )

    def query_args(self, **override):
        """Return the filters as query-string arguments (for links and pages)."""
        values = dict(state=self.state, field=self.field, unit=self.unit,
                      commune=self.commune, year=self.year or "", page=self.page)
        values.update(override)
        return {key: value for key, value in values.items()
                if value not in ("", None, 1) or key == "page" and value != 1}

    @property
    def is_set(self):
        """Tell whether any filter narrows the list."""
        return bool(self.state or self.field or self.unit or self.commune
                    or self.year)


def _conditions(filters, my_unit_ids):
    conditions = []
    if filters.state:
        conditions.append(Initiative.state == filters.state)
    if filters.field:
        conditions.append(Initiative.field == filters.field)
    if filters.commune:
        # Accents and case ignored: "tinh ha" finds "Tịnh Hà".
        conditions += [Initiative.commune_folded.contains(word, autoescape=True)
                       for word in fold(filters.commune).split()]
    if filters.unit == "mine":
        conditions.append(Initiative.unit_id.in_(sorted(my_unit_ids) or [0]))
    elif filters.unit:
        conditions.append(Initiative.unit_id == int(filters.unit))
    if filters.year:
        conditions.append(Initiative.year == filters.year)
    return conditions


def initiative_list(filters, my_unit_ids=()):
    """Return (models on the page, how many rows match, {state: models counted})."""
    conditions = _conditions(filters, my_unit_ids)
    by_state = dict(db.session.execute(
        select(Initiative.state, func.sum(Initiative.count))
        .where(*conditions).group_by(Initiative.state)
    ).all())
    total = db.session.scalar(select(func.count(Initiative.id)).where(*conditions))
    rows = db.session.scalars(
        select(Initiative).where(*conditions)
        .options(joinedload(Initiative.unit), joinedload(Initiative.quarter))
        .order_by(Initiative.year.desc(), Initiative.registered_on.desc(),
                  Initiative.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return rows, total, {state: by_state.get(state, 0) for state in INITIATIVE_STATES}


def task_models(task):
    """Return {registered, recognised} of the counts imported for the task, or None."""
    rows = db.session.execute(
        select(Initiative.state, func.sum(Initiative.count))
        .where(Initiative.task_id == task.id, Initiative.is_imported.is_(True))
        .group_by(Initiative.state)
    ).all()
    if not rows:
        return None
    counts = dict(rows)
    return dict(registered=sum(counts.values()),
                recognised=counts.get("recognised", 0))


def unit_initiatives(unit):
    """Return the models the unit registered (records only), newest first."""
    return db.session.scalars(
        select(Initiative).where(Initiative.unit_id == unit.id,
                                 Initiative.is_imported.is_(False))
        .order_by(Initiative.year.desc(), Initiative.id.desc())
    ).all()


def communes():
    """Return the communes the models name, for the filter's suggestions."""
    return db.session.scalars(
        select(Initiative.commune).where(Initiative.commune != "").distinct()
        .order_by(Initiative.commune)
    ).all()


def years():
    """Return the years models were registered in, newest first."""
    return db.session.scalars(
        select(Initiative.year).distinct().order_by(Initiative.year.desc())
    ).all()


def units_with_models():
    """Return the units that registered some model, for the filter."""
    return db.session.scalars(
        select(Unit).where(Unit.id.in_(
            select(Initiative.unit_id).where(
                Initiative.unit_id.is_not(None)).scalar_subquery()))
        .order_by(Unit.sort_order, Unit.name)
    ).all()


# What the figures read of a model: a few columns, no objects.
FIGURE_COLUMNS = (
    Initiative.id, Initiative.board_id, Initiative.name, Initiative.field,
    Initiative.unit_id, Initiative.year, Initiative.state, Initiative.registered_on,
    Initiative.level, Initiative.decision_number, Initiative.recognised_on,
    Initiative.dropped_on, Initiative.settled_at, Initiative.is_imported,
    Initiative.count, Initiative.quarter_id, Initiative.task_id,
    Initiative.created_at,
)


def initiative_rows(quarters):
    """Return {quarter id: [model rows]} of the quarters, in one statement.

    A quarter's rows are its board's models of its year, and the imported counts
    of that quarter.
    """
    quarters = list(quarters)
    if not quarters:
        return {}
    wanted = or_(*[
        and_(Initiative.board_id == q.board_id, or_(
            and_(Initiative.quarter_id.is_(None), Initiative.year == q.year),
            Initiative.quarter_id == q.id))
        for q in quarters])
    rows = db.session.execute(
        select(*FIGURE_COLUMNS, Unit.name.label("unit_name"))
        .outerjoin(Unit, Unit.id == Initiative.unit_id)
        .where(wanted).order_by(Initiative.id)
    ).all()
    found = {q.id: [] for q in quarters}
    for row in rows:
        for q in quarters:
            if row.board_id != q.board_id:
                continue
            if (row.year == q.year if row.quarter_id is None
                    else row.quarter_id == q.id):
                found[q.id].append(row)
    return found


def _state_at(row, cutoff, closed_at):
    """Return the row's state at the cut-off (what was recorded by then)."""
    if row.quarter_id is not None:  # a count of its quarter, whatever its dates
        return row.state
    recorded = closed_at is None or row.settled_at is None or (
        row.settled_at <= closed_at)
    if row.state == "recognised" and recorded and row.recognised_on <= cutoff:
        return "recognised"
    if row.state == "dropped" and recorded and row.dropped_on <= cutoff:
        return "dropped"
    return "registered"


def count_initiatives(rows, quarter, cutoff):
    """Return the registry's figures for the quarter at the cut-off.

    Registered: the year's models registered by the cut-off (in a closed quarter,
    recorded before it closed), plus the quarter's imported counts; recognised:
    those whose recognition is dated by the cut-off and recorded in time; in the
    quarter: recognised on or after the quarter's first day. Also by field, by unit,
    by task (imported counts) and the list of the models recognised in the quarter.
    """
    closed_at = quarter.closed_at if quarter.is_closed else None
    names = ("registered", "recognised", "recognised_in_quarter", "dropped",
             "imported")
    totals = dict.fromkeys(names, 0)
    by_field, by_unit, by_task, recognised = {}, {}, {}, []
    for row in rows:
        if row.quarter_id is None and (
            row.registered_on > cutoff
            or closed_at is not None and row.created_at > closed_at
        ):
            continue
        state = _state_at(row, cutoff, closed_at)
        in_quarter = state == "recognised" and (
            row.quarter_id is not None or row.recognised_on >= quarter.starts_on)
        values = dict(
            registered=row.count,
            recognised=row.count if state == "recognised" else 0,
            recognised_in_quarter=row.count if in_quarter else 0,
            dropped=row.count if state == "dropped" else 0,
            imported=row.count if row.is_imported else 0,
        )
        field = by_field.setdefault(row.field, dict.fromkeys(names, 0))
        unit = by_unit.setdefault(row.unit_id, dict(
            unit=row.unit_id, name=row.unit_name or "", registered=0, recognised=0))
        for name in names:
            totals[name] += values[name]
            field[name] += values[name]
        unit["registered"] += values["registered"]
        unit["recognised"] += values["recognised"]
        if row.task_id is not None:
            task = by_task.setdefault(row.task_id, dict(registered=0, recognised=0))
            task["registered"] += values["registered"]
            task["recognised"] += values["recognised"]
        if in_quarter and not row.is_imported:
            recognised.append(dict(
                id=row.id, name=row.name, unit=row.unit_id,
                unit_name=row.unit_name or "", field=row.field, level=row.level,
                decision_number=row.decision_number,
                recognised_on=row.recognised_on.isoformat(),
            ))
    totals["by_field"] = {name: by_field[name] for name in INITIATIVE_FIELDS
                          if name in by_field}
    totals["by_unit"] = sorted(by_unit.values(),
                               key=lambda u: (-u["registered"], u["name"]))
    recognised.sort(key=lambda r: (r["recognised_on"], r["id"]))
    totals["recognised_list"] = recognised
    return totals, by_task
