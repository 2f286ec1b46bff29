"""Timeliness: derived from status, due date, completion date and a cut-off date.

The cut-off is the day figures are judged at: the date asked for in an open quarter
(by default today), the day after the last day in a closed one. Work completed after
the cut-off was not done then; work whose due date is before the cut-off and is not
done by it is overdue. The SQL mirror below counts the same way inside the database,
and a test holds the two equal.
"""
from tracker.i18n import lazy as _l

TIMELINESS = {
    "done_on_time": _l("Completed on time"),
    "done_late": _l("Completed late"),
    "in_progress_on_time": _l("In progress, within deadline"),
    "overdue": _l("Overdue, not completed"),
    "not_started": _l("Not started"),
    "no_deadline": _l("Ongoing (no deadline)"),
    "cancelled": _l("Stopped (cancelled or no longer needed)"),
}
DONE_CLASSES = ("done_on_time", "done_late")

# Bootstrap colour per class, for badges and charts.
TIMELINESS_COLOURS = {
    "done_on_time": "success",
    "done_late": "warning",
    "in_progress_on_time": "primary",
    "overdue": "danger",
    "not_started": "secondary",
    "no_deadline": "info",
    "cancelled": "dark",
}


def is_done_by(status, completed_on, cutoff):
    """Tell whether work was done by the cut-off (done, and not completed after it)."""
    return status == "done" and (completed_on is None or completed_on <= cutoff)


def classify(status, due_on, completed_on, cutoff):
    """Return the timeliness code of a task (or a unit's share) at the cut-off date.

    Cancelled work has its own class, outside the rate. Work reported done with a
    completion date after the cut-off is judged as unfinished at the cut-off.
    """
    if status == "cancelled":
        return "cancelled"
    if is_done_by(status, completed_on, cutoff):
        if due_on is None or completed_on is None or completed_on <= due_on:
            return "done_on_time"
        return "done_late"
    if due_on is None:
        return "no_deadline"
    if cutoff > due_on:
        return "overdue"
    if status == "not_started":
        return "not_started"
    return "in_progress_on_time"


def completion_rate(counts):
    """Return done ÷ (done + overdue) from a dict of class counts, or None if empty."""
    done = counts.get("done_on_time", 0) + counts.get("done_late", 0)
    owed = done + counts.get("overdue", 0)
    if not owed:
        return None
    return done / owed


def timeliness_sql(task, cutoff):
    """Return a SQL expression computing classify() for task rows at the cut-off date.

    A frozen class (set when the quarter closed) wins. The aggregate pages count with
    it instead of loading every task.
    """
    from sqlalchemy import case, func, literal

    done_by_cutoff = (task.status == "done") & (
        task.completed_on.is_(None) | (task.completed_on <= cutoff)
    )
    live = case(
        (task.status == "cancelled", literal("cancelled")),
        (
            done_by_cutoff,
            case(
                (
                    (task.due_on.is_(None)) | (task.completed_on.is_(None))
                    | (task.completed_on <= task.due_on),
                    literal("done_on_time"),
                ),
                else_=literal("done_late"),
            ),
        ),
        (task.due_on.is_(None), literal("no_deadline")),
        (task.due_on < cutoff, literal("overdue")),
        (task.status == "not_started", literal("not_started")),
        else_=literal("in_progress_on_time"),
    )
    return func.coalesce(func.nullif(task.frozen_timeliness, ""), live)
