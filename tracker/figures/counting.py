"""The figures' SQL mirror: timeliness classes counted inside the database.

The quarter list and the comparisons show a few numbers of many quarters; loading
their tasks would make the pages grow with the years. They count here instead, with
timeliness_sql (the same rules as classify, held equal by a test), and a closed
quarter gives the counts stored when it closed, since its record cannot change.
"""
from sqlalchemy import func, select, tuple_

from tracker.extensions import db
from tracker.models import Quarter, Task
from tracker.tasks.timeliness import (
    TIMELINESS,
    completion_rate,
    done_count,
    timeliness_sql,
)

TREND_QUARTERS = 8


def class_counts(quarter_ids, cutoff):
    """Return {quarter id: {class: count}} at the cut-off, in one statement.

    Frozen classes win, so a closed quarter counts as it was judged when it closed.
    """
    code = timeliness_sql(Task, cutoff).label("code")
    counts = {qid: dict.fromkeys(TIMELINESS, 0) for qid in quarter_ids}
    if quarter_ids:
        for quarter_id, name, count in db.session.execute(
            select(Task.quarter_id, code, func.count())
            .where(Task.quarter_id.in_(quarter_ids), Task.is_archived.is_(False))
            .group_by(Task.quarter_id, code)
        ):
            counts[quarter_id][name] = count
    return counts


def status_counts(quarter_ids):
    """Return {quarter_id: {status: count}} for the quarters, in one statement."""
    rows = db.session.execute(
        select(Task.quarter_id, Task.status, func.count())
        .where(Task.is_archived.is_(False), Task.quarter_id.in_(quarter_ids))
        .group_by(Task.quarter_id, Task.status)
    )
    counts = {}
    for quarter_id, status, count in rows:
        counts.setdefault(quarter_id, {})[status] = count
    return counts


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


def count_for_list(quarters, cutoff):
    """Count {quarter id: list counts} of the quarters at the cut-off (four statements).

    quarters need id, year and number. Each entry holds the (not archived) tasks per
    status and per timeliness class, the completion rate, and the tasks carried in
    and out. Closing a quarter stores its entry (counted at its own cut-off).
    """
    quarter_ids = [q.id for q in quarters]
    statuses = status_counts(quarter_ids)
    classes = class_counts(quarter_ids, cutoff)
    carried_in, carried_out = carried_counts(quarters)
    found = {}
    for quarter_id in quarter_ids:
        found[quarter_id] = dict(
            statuses=statuses.get(quarter_id, {}), timeliness=classes[quarter_id],
            rate=completion_rate(classes[quarter_id]),
            carried_in=carried_in.get(quarter_id, 0),
            carried_out=carried_out.get(quarter_id, 0),
        )
    return found


def list_counts(quarters, as_of):
    """Return {quarter id: what the quarter list shows of it} in four statements.

    A closed quarter gives the counts stored when it closed; the open ones are
    counted at as_of, so ten years of closed quarters cost no more than one.
    """
    found = {q.id: q.closed_counts for q in quarters if q.is_closed and q.closed_counts}
    # Counted even when every quarter is stored: the page's statement count does not
    # depend on the quarters it shows.
    found.update(count_for_list([q for q in quarters if q.id not in found], as_of))
    return found


def headlines(quarters, as_of):
    """Return {quarter id: headline} (quarter, total, done, overdue, rate), in one
    statement: stored for closed quarters, counted at as_of for the others."""
    found = {}
    for quarter in quarters:
        if not counted_live(quarter):
            counts = quarter.closed_counts
            found[quarter.id] = _headline(
                quarter, sum(counts["statuses"].values()), counts["timeliness"],
                counts["rate"])
    counted = [q for q in quarters if q.id not in found]
    classes = class_counts([q.id for q in counted], as_of)
    for quarter in counted:
        found[quarter.id] = headline_of(quarter, classes[quarter.id])
    return found


def counted_live(quarter):
    """Tell whether the quarter's headline is counted from its tasks: not when it is
    closed with its counts stored."""
    return not (quarter.is_closed and quarter.closed_counts)


def headline_of(quarter, classes):
    """Return a headline counted live from the quarter's tasks' classes at the
    cut-off (by timeliness_sql, as class_counts counts them)."""
    return _headline(quarter, sum(classes.values()), classes, completion_rate(classes))


def _headline(quarter, total, classes, rate):
    return dict(
        quarter=quarter.key, total=total,
        done=done_count(classes),
        overdue=classes["overdue"], rate=rate,
    )


def recent_quarters(quarter):
    """Return up to eight quarters ending with this one, newest first."""
    return db.session.scalars(
        select(Quarter)
        .where((Quarter.year * 4 + Quarter.number) <= quarter.year * 4 + quarter.number)
        .order_by(Quarter.year.desc(), Quarter.number.desc())
        .limit(TREND_QUARTERS)
    ).all()
