"""Timeliness: derived from status, due date, completion date and a cut-off date."""
from tracker.i18n import lazy as _l

TIMELINESS = {
    "done_on_time": _l("Completed on time"),
    "done_late": _l("Completed late"),
    "in_progress_on_time": _l("In progress, within deadline"),
    "overdue": _l("Overdue, not completed"),
    "not_started": _l("Not started"),
    "no_deadline": _l("Ongoing (no deadline)"),
}

# Bootstrap colour per class, for badges and charts.
TIMELINESS_COLOURS = {
    "done_on_time": "success",
    "done_late": "warning",
    "in_progress_on_time": "primary",
    "overdue": "danger",
    "not_started": "secondary",
    "no_deadline": "info",
}


def classify(status, due_on, completed_on, cutoff):
    """Return the timeliness code of a task at the cut-off date, or None if cancelled.

    Cancelled work is neither done nor owed, so it falls outside every class.
    """
    if status == "cancelled":
        return None
    if status == "done":
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

    A frozen class (set when the quarter closed) wins; "" means frozen as none.
    The aggregate pages count with it instead of loading every task.
    """
    from sqlalchemy import case, func, literal, null

    live = case(
        (task.status == "cancelled", null()),
        (
            task.status == "done",
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
