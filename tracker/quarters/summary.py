"""The quarter at a glance: the figures leaders read, approve and export.

Figures are plain dicts (JSON-ready), so an approved quarter's figures can be stored
with it and every later page and export shows exactly what was approved.
"""
import datetime as dt

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Quarter, Task, TaskUnit, TaskUpdate
from tracker.tasks.timeliness import TIMELINESS, completion_rate, timeliness_sql

AT_RISK_DAYS = 14
AT_RISK_PROGRESS = 80
TREND_QUARTERS = 8


def quarter_tasks(quarter):
    """Return the quarter's tasks (not the archived) with their units, in plan order."""
    return db.session.scalars(
        select(Task)
        .where(Task.quarter_id == quarter.id, Task.is_archived.is_(False))
        .options(
            joinedload(Task.lead_unit),
            selectinload(Task.unit_links).joinedload(TaskUnit.unit),
        )
        .order_by(Task.id)
    ).unique().all()


def _add(total, value):
    return total + (value or 0)


def compute_figures(quarter, tasks, cutoff):
    """Return the summary figures of a quarter's tasks at the cut-off date."""
    counts = dict.fromkeys(TIMELINESS, 0)
    kinds = {}
    dialogues = dict(planned=0, held=0, participants=0, opinions_raised=0,
                     opinions_answered=0)
    training = dict(courses=0, held=0, sessions=0, trainees_planned=0,
                    trainees_attended=0)
    congresses = dict(planned=0, held=0, delegates=0)
    movements = dict(count=0, models_registered=0, models_recognised=0)
    targets = []
    units = {}
    cancelled = carried_in = 0

    def unit_row(unit):
        row = units.get(unit.id)
        if row is not None:
            return row
        return units.setdefault(unit.id, dict(
            id=unit.id, name=unit.name, short_name=unit.short_name,
            sort_order=unit.sort_order, led=0, coordinated=0, done_on_time=0,
            done_late=0, overdue=0, rate=None,
        ))

    for task in tasks:
        code = task.timeliness(cutoff)
        if code is None:
            cancelled += 1
        else:
            counts[code] += 1
        if task.carried_from_id:
            carried_in += 1
        kind = kinds.setdefault(task.kind, dict(total=0, done=0))
        kind["total"] += 1
        done = task.status == "done"
        kind["done"] += done
        if task.kind == "dialogue":
            if task.target_count is not None:
                dialogues["planned"] += task.target_count
                dialogues["held"] += task.achieved_count or 0
            else:
                dialogues["planned"] += 1
                dialogues["held"] += done
            for name in ("participants", "opinions_raised", "opinions_answered"):
                dialogues[name] = _add(dialogues[name], getattr(task, name))
        elif task.kind == "training":
            training["courses"] += 1
            training["held"] += done
            for name in ("sessions", "trainees_planned", "trainees_attended"):
                training[name] = _add(training[name], getattr(task, name))
        elif task.kind == "congress":
            congresses["planned"] += 1
            congresses["held"] += done or task.held_on is not None
            congresses["delegates"] = _add(congresses["delegates"], task.delegates)
        elif task.kind == "movement":
            movements["count"] += 1
            for name in ("models_registered", "models_recognised"):
                movements[name] = _add(movements[name], getattr(task, name))
        if task.target_count is not None:
            targets.append(dict(
                id=task.id, title=task.title, target=task.target_count,
                achieved=task.achieved_count or 0, label=task.target_label,
            ))
        lead = unit_row(task.lead_unit)
        lead["led"] += 1
        if code in ("done_on_time", "done_late", "overdue"):
            lead[code] += 1
        for link in task.unit_links:
            unit_row(link.unit)["coordinated"] += 1

    for row in units.values():
        row["rate"] = completion_rate(row)
    ordered_units = sorted(
        units.values(), key=lambda r: (-r["led"], -r["coordinated"], r["sort_order"])
    )
    done = counts["done_on_time"] + counts["done_late"]
    return dict(
        quarter=quarter.key,
        cutoff=cutoff.isoformat(),
        total=len(tasks),
        cancelled=cancelled,
        timeliness=counts,
        done=done,
        overdue=counts["overdue"],
        rate=completion_rate(counts),
        carried_in=carried_in,
        kinds=kinds,
        dialogues=dialogues,
        training=training,
        congresses=congresses,
        movements=movements,
        targets=targets,
        units=ordered_units,
    )


def figure_rows(quarter, units=None):
    """Return the quarter's tasks as TaskRows with what the figures count."""
    from tracker.tasks.rows import FIGURE_COLUMNS, task_rows

    return task_rows(
        Task.quarter_id == quarter.id, Task.is_archived.is_(False),
        columns=FIGURE_COLUMNS, units=units,
    )


def figures_for(quarter, today, tasks=None):
    """Return the quarter's figures: the approved ones if approved, else computed."""
    if quarter.is_approved and quarter.approved_summary:
        return quarter.approved_summary
    if tasks is None:
        tasks = figure_rows(quarter)
    return compute_figures(quarter, tasks, quarter.cutoff(today))


HEADLINE = ("quarter", "total", "done", "overdue", "rate")


def headline(figures):
    """Return the headline of full figures: quarter, total, done, overdue, rate."""
    return {name: figures[name] for name in HEADLINE}


def headlines(quarters, today):
    """Return {quarter id: headline} for the quarters, in at most two statements.

    A closed quarter gives the counts stored when it closed (its record cannot have
    changed since, so they agree with its approved figures); a quarter closed before
    counts were stored gives its approved figures (read inside the database, so the
    whole stored summary is not loaded); the rest are counted by timeliness class.
    Each page that compares quarters reads a few numbers, never the quarters' tasks.
    """
    found = {}
    for quarter in quarters:
        counts = quarter.closed_counts
        if quarter.is_closed and counts:
            classes = counts["timeliness"]
            found[quarter.id] = dict(
                total=sum(counts["statuses"].values()),
                done=classes["done_on_time"] + classes["done_late"],
                overdue=classes["overdue"], rate=counts["rate"],
            )
    ids = [q.id for q in quarters if q.id not in found and q.is_approved]
    stored = Quarter.approved_summary
    for quarter_id, total, done, overdue, rate in db.session.execute(
        select(Quarter.id, stored["total"].as_integer(), stored["done"].as_integer(),
               stored["overdue"].as_integer(), stored["rate"].as_float())
        .where(Quarter.id.in_(ids))
    ) if ids else ():
        found[quarter_id] = dict(total=total, done=done, overdue=overdue, rate=rate)
    counted = [q.id for q in quarters if q.id not in found]
    code = timeliness_sql(Task, today).label("code")
    counts = {qid: dict.fromkeys(TIMELINESS, 0) for qid in counted}
    totals = dict.fromkeys(counted, 0)
    for quarter_id, name, count in db.session.execute(
        select(Task.quarter_id, code, func.count())
        .where(Task.quarter_id.in_(counted), Task.is_archived.is_(False))
        .group_by(Task.quarter_id, code)
    ) if counted else ():
        totals[quarter_id] += count
        if name:
            counts[quarter_id][name] = count
    for quarter_id in counted:
        c = counts[quarter_id]
        found[quarter_id] = dict(
            total=totals[quarter_id], done=c["done_on_time"] + c["done_late"],
            overdue=c["overdue"], rate=completion_rate(c),
        )
    for quarter in quarters:
        found[quarter.id]["quarter"] = quarter.key
    return found


def comparison(current, other):
    """Return the change of the headline figures from another quarter's figures."""
    if other is None:
        return None
    delta = {
        name: current[name] - other[name] for name in ("total", "done", "overdue")
    }
    if current["rate"] is not None and other["rate"] is not None:
        delta["rate"] = current["rate"] - other["rate"]
    else:
        delta["rate"] = None
    return dict(quarter=other["quarter"], figures=other, delta=delta)


def attention_tasks(tasks, cutoff, include_at_risk=True):
    """Return [(task, code, last update)] overdue or at risk, most urgent first."""
    soon = cutoff + dt.timedelta(days=AT_RISK_DAYS)
    picked = []
    for task in tasks:
        code = task.timeliness(cutoff)
        at_risk = include_at_risk and (
            code in ("in_progress_on_time", "not_started")
            and task.due_on is not None
            and task.due_on <= soon
            and task.progress < AT_RISK_PROGRESS
        )
        if code == "overdue" or at_risk:
            picked.append((task, "overdue" if code == "overdue" else "at_risk"))
    last = last_updates([task.id for task, _ in picked])
    picked.sort(key=lambda pair: (pair[1] != "overdue", pair[0].due_on, pair[0].id))
    return [(task, code, last.get(task.id)) for task, code in picked]


def last_updates(task_ids):
    """Return {task id: its newest history row} in one statement (even for none)."""
    from tracker.tasks.rows import among

    newest = (
        select(func.max(TaskUpdate.id))
        .where(among(TaskUpdate.task_id, task_ids))
        .group_by(TaskUpdate.task_id)
    )
    rows = db.session.scalars(
        select(TaskUpdate).where(TaskUpdate.id.in_(newest))
        .options(joinedload(TaskUpdate.user))
    )
    return {row.task_id: row for row in rows}


def rates_by_quarter(quarter_ids, today):
    """Return {quarter id: (timeliness counts, rate)} with one aggregate statement."""
    code = timeliness_sql(Task, today).label("code")
    rows = db.session.execute(
        select(Task.quarter_id, code, func.count())
        .where(Task.quarter_id.in_(quarter_ids), Task.is_archived.is_(False))
        .group_by(Task.quarter_id, code)
    )
    counts = {qid: dict.fromkeys(TIMELINESS, 0) for qid in quarter_ids}
    for quarter_id, name, count in rows:
        if name:
            counts[quarter_id][name] = count
    return {qid: (c, completion_rate(c)) for qid, c in counts.items()}


def recent_quarters(quarter):
    """Return up to eight quarters ending with this one, newest first."""
    return db.session.scalars(
        select(Quarter)
        .where((Quarter.year * 4 + Quarter.number) <= quarter.year * 4 + quarter.number)
        .order_by(Quarter.year.desc(), Quarter.number.desc())
        .limit(TREND_QUARTERS)
    ).all()


def trend(quarter, today, recent=None, heads=None):
    """Return [(quarter, rate, done, overdue)] for up to eight quarters ending here."""
    if recent is None:
        recent = recent_quarters(quarter)
    if heads is None:
        heads = headlines(recent, today)
    return [(item, heads[item.id]["rate"], heads[item.id]["done"],
             heads[item.id]["overdue"]) for item in reversed(recent)]


def carried_counts(quarters):
    """Return ({quarter id: carried in}, {quarter id: carried out}) in two statements.

    quarters need id, year and number. A task carried out of a quarter lives in the
    next one, so the carried-out count reads the next quarters' tasks only: joined
    without that bound, PostgreSQL walks every quarter's carried tasks.
    """
    ids = [q.id for q in quarters]
    carried_in = dict(db.session.execute(
        select(Task.quarter_id, func.count())
        .where(Task.quarter_id.in_(ids), Task.carried_from_id.is_not(None),
               Task.is_archived.is_(False))
        .group_by(Task.quarter_id)
    ).all())
    following = [
        (q.year + 1, 1) if q.number == 4 else (q.year, q.number + 1) for q in quarters
    ]
    origin = db.aliased(Task)
    carried_out = dict(db.session.execute(
        select(origin.quarter_id, func.count())
        .select_from(Task)
        .join(origin, Task.carried_from_id == origin.id)
        .where(
            Task.quarter_id.in_(select(Quarter.id).where(
                tuple_(Quarter.year, Quarter.number).in_(following))),
            origin.quarter_id.in_(ids), Task.is_archived.is_(False),
        )
        .group_by(origin.quarter_id)
    ).all())
    return carried_in, carried_out


def list_counts(quarters, today):
    """Return {quarter id: what the quarter list shows of it} in four statements.

    A closed quarter gives the counts stored when it closed; only the others (the
    open ones, and any closed before counts were stored) are counted, so ten years
    of closed quarters cost no more than one.
    """
    found = {q.id: q.closed_counts for q in quarters if q.is_closed and q.closed_counts}
    # Counted even when every quarter is stored: the page's statement count does not
    # depend on the quarters it shows.
    found.update(count_for_list([q for q in quarters if q.id not in found], today))
    return found


def count_for_list(quarters, today):
    """Count {quarter id: list counts} for the quarters, in four statements.

    quarters need id, year and number. Each entry holds the (not archived) tasks per
    status and per timeliness class, the completion rate, and the tasks carried in
    and out.
    """
    from tracker.quarters.services import status_counts_by_quarter

    quarter_ids = [q.id for q in quarters]
    statuses = status_counts_by_quarter(quarter_ids)
    rates = rates_by_quarter(quarter_ids, today)
    carried_in, carried_out = carried_counts(quarters)
    found = {}
    for quarter_id in quarter_ids:
        timeliness, rate = rates[quarter_id]
        found[quarter_id] = dict(
            statuses=statuses.get(quarter_id, {}), timeliness=timeliness, rate=rate,
            carried_in=carried_in.get(quarter_id, 0),
            carried_out=carried_out.get(quarter_id, 0),
        )
    return found


def quarter_summary(quarter, today):
    """Return everything the summary page shows for a quarter.

    The quarter's own tasks are read once, as rows; earlier quarters are compared by
    their headline numbers only, so the page costs the same after ten years.
    """
    tasks = figure_rows(quarter)
    cutoff = quarter.cutoff(today)
    figures = figures_for(quarter, today, tasks)
    recent = recent_quarters(quarter)
    heads = headlines([q for q in recent if q.id != quarter.id], today)
    heads[quarter.id] = headline(figures)
    by_key = {(q.year, q.number): q for q in recent}
    previous = by_key.get(quarter.previous_key())
    year_ago = by_key.get((quarter.year - 1, quarter.number))
    return dict(
        quarter=quarter,
        cutoff=cutoff,
        figures=figures,
        previous=comparison(figures, heads[previous.id] if previous else None),
        year_ago=comparison(figures, heads[year_ago.id] if year_ago else None),
        attention=attention_tasks(tasks, cutoff, include_at_risk=not quarter.is_closed),
        trend=trend(quarter, today, recent, heads),
    )
