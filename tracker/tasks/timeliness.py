"""Timeliness: derived from status, due date, completion date and a cut-off date.

The cut-off is the day figures are judged at: the date asked for in an open quarter
(by default today), the day after the last day in a closed one. Work completed after
the cut-off was not done then; work whose due date is before the cut-off and is not
done by it is overdue. The SQL mirror below counts the same way inside the database,
and a test holds the two equal.

An event (a meeting, review, congress, dialogue … of any kind) with a date held is
judged by that date, not by the automatic quarter-end due date: reported done, it was
done (on time) on its day; not done, it is overdue once its day has passed. A quarter
is closed with each of its events judged at its own day if that is later than the
quarter's cut-off (closing_class), so a quarter's own briefing held in the first days
of the next quarter still counts as done for its quarter. Work reported done without
a completion date ("done, date not recorded", as a briefing often reports it) counts
as done, neither on time nor late.

A task whose deadline was extended (an approved DeadlineExtension) is judged by the
extended date: effective_due() below, and Task.effective_due_on in Python.
"""
from functools import lru_cache

from tracker.i18n import lazy as _l

TIMELINESS = {
    "done_on_time": _l("Completed on time"),
    "done_late": _l("Completed late"),
    "done": _l("Completed (date not recorded)"),
    "in_progress_on_time": _l("In progress, within deadline"),
    "overdue": _l("Overdue, not completed"),
    "not_started": _l("Not started"),
    "no_deadline": _l("Ongoing (no deadline)"),
    "cancelled": _l("Stopped (cancelled or no longer needed)"),
}
DONE_CLASSES = ("done_on_time", "done_late", "done")

# Bootstrap colour per class, for badges and charts.
TIMELINESS_COLOURS = {
    "done_on_time": "success",
    "done_late": "warning",
    "done": "success",
    "in_progress_on_time": "primary",
    "overdue": "danger",
    "not_started": "secondary",
    "no_deadline": "info",
    "cancelled": "dark",
}


def is_done_by(status, completed_on, cutoff):
    """Tell whether work was done by the cut-off (done, and not completed after it)."""
    return status == "done" and (completed_on is None or completed_on <= cutoff)


def classify(status, due_on, completed_on, cutoff, held_on=None):
    """Return the timeliness code of a task (or a unit's share) at the cut-off date.

    Cancelled work has its own class, outside the rate. Work reported done with a
    completion date after the cut-off is judged as unfinished at the cut-off. A date
    held stands for the due date and, once done, for the completion date.
    """
    if status == "cancelled":
        return "cancelled"
    if held_on is not None:
        if status == "done" and held_on <= cutoff:
            return "done_on_time"
        due_on = held_on
    elif is_done_by(status, completed_on, cutoff):
        if completed_on is None:
            return "done"
        if due_on is None or completed_on <= due_on:
            return "done_on_time"
        return "done_late"
    if due_on is None:
        return "no_deadline"
    if cutoff > due_on:
        return "overdue"
    if status == "not_started":
        return "not_started"
    return "in_progress_on_time"


def closing_class(status, due_on, completed_on, cutoff, held_on=None):
    """Return the class frozen when a quarter closes at its cut-off.

    An event of the quarter held after the cut-off (its own briefing, held in the
    first days of the next quarter) is judged on the day it was held.
    """
    if held_on is not None and held_on > cutoff:
        cutoff = held_on
    return classify(status, due_on, completed_on, cutoff, held_on)


def done_count(counts):
    """Return the work done in a dict of class counts (stored ones may lack a class)."""
    return sum(counts.get(code, 0) for code in DONE_CLASSES)


def completion_rate(counts):
    """Return done ÷ (done + overdue) from a dict of class counts, or None if empty."""
    done = done_count(counts)
    owed = done + counts.get("overdue", 0)
    if not owed:
        return None
    return done / owed


def effective_due(task):
    """Return a SQL expression of the date a task is judged by (extended, else due)."""
    from sqlalchemy import func

    return func.coalesce(task.extended_due_on, task.due_on)


@lru_cache(maxsize=64)
def timeliness_sql(task, cutoff):
    """Return a SQL expression computing classify() for task rows at the cut-off date.

    A frozen class (set when the quarter closed) wins. The aggregate pages count with
    it instead of loading every task. Built once per entity and cut-off (building it
    cost about half a millisecond, on every board request): an expression is never
    changed once built, so statements can share it.
    """
    from sqlalchemy import case, func, literal

    done_by_cutoff = (task.status == "done") & (
        task.completed_on.is_(None) | (task.completed_on <= cutoff)
    )
    held = task.held_on.is_not(None)
    planned = effective_due(task)
    due = func.coalesce(task.held_on, planned)
    live = case(
        (task.status == "cancelled", literal("cancelled")),
        (held & (task.status == "done") & (task.held_on <= cutoff),
         literal("done_on_time")),
        (
            ~held & done_by_cutoff,
            case(
                (task.completed_on.is_(None), literal("done")),
                (
                    planned.is_(None) | (task.completed_on <= planned),
                    literal("done_on_time"),
                ),
                else_=literal("done_late"),
            ),
        ),
        (due.is_(None), literal("no_deadline")),
        (due < cutoff, literal("overdue")),
        (task.status == "not_started", literal("not_started")),
        else_=literal("in_progress_on_time"),
    )
    return func.coalesce(func.nullif(task.frozen_timeliness, ""), live)
