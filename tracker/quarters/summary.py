"""The quarter at a glance: the summary page leaders read and approve.

Every number on it comes from tracker.figures; this module adds what only the page
shows: the tasks that need attention, with their latest news.
"""
import datetime as dt
import heapq
from operator import itemgetter
from typing import NamedTuple, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.figures.services import (
    board_rollup, comparisons, compute, quarter_rows,
)
from tracker.models import Task, TaskUnit, TaskUpdate, Unit, User
from tracker.models.task import with_follow_up

AT_RISK_DAYS = 14
AT_RISK_PROGRESS = 80
# The scorecard's rows the summary lists unless asked for all (?units=all): a
# district's every unit; of a province's three hundred, those with the most work.
SCORECARD_ROWS = 30
# The work not acknowledged in time the summary lists unless asked for all
# (?unacknowledged=all): the longest waiting; a province's quarter has hundreds.
UNACKNOWLEDGED_ROWS = 30
# The tasks needing attention the summary lists unless asked for all
# (?attention=all): the most urgent; late in a province's quarter, hundreds are.
ATTENTION_ROWS = 30


def waiting_longest(unacknowledged, every=False):
    """Return the figures' unacknowledged work, longest waiting first (all, or the
    first UNACKNOWLEDGED_ROWS)."""
    key = itemgetter("given_on", "task")
    if every:
        return sorted(unacknowledged, key=key)
    # The first few of a province's thousand, without sorting them all.
    return heapq.nsmallest(UNACKNOWLEDGED_ROWS, unacknowledged, key=key)


def quarter_tasks(quarter):
    """Return the quarter's tasks (not the archived) with their units, in plan order."""
    return db.session.scalars(
        select(Task)
        .where(Task.quarter_id == quarter.id, Task.is_archived.is_(False))
        .options(
            joinedload(Task.lead_unit),
            selectinload(Task.unit_links).joinedload(TaskUnit.unit),
            *with_follow_up(),
        )
        .order_by(Task.id)
    ).unique().all()


def needing_attention(tasks, cutoff, include_at_risk=True):
    """Return [(task, code)] overdue or at risk, most urgent first.

    Each task is classed by the rule the figures count with (its timeliness at the
    cut-off), so the list and the figures' overdue count agree.
    """
    soon = cutoff + dt.timedelta(days=AT_RISK_DAYS)
    picked = []
    for task in tasks:
        code = task.timeliness(cutoff)
        at_risk = include_at_risk and (
            code in ("in_progress_on_time", "not_started")
            and task.effective_due_on is not None
            and task.effective_due_on <= soon
            and task.progress < AT_RISK_PROGRESS
        )
        if code == "overdue" or at_risk:
            picked.append((task, "overdue" if code == "overdue" else "at_risk"))
    picked.sort(key=lambda pair: (pair[1] != "overdue", pair[0].effective_due_on,
                                  pair[0].id))
    return picked


def with_last_updates(picked):
    """Return [(task, code, last update)] of [(task, code)], in one statement."""
    last = last_updates([task.id for task, _ in picked])
    return [(task, code, last.get(task.id)) for task, code in picked]


class LastUpdate(NamedTuple):
    """What the attention list shows of a task's newest history row."""

    task_id: int
    created_at: dt.datetime
    note: str
    author: Optional[str]  # the person's display name; None for the system
    unit_name: Optional[str]  # the short name of the unit it was reported for


def last_updates(task_ids):
    """Return {task id: LastUpdate of its newest history row} in one statement (even
    for none).

    The tasks were read within the request's boards: their history, and whoever
    wrote it (a province's staff on a district's task), needs no board filter.
    """
    from tracker.tasks.rows import among

    newest = (
        select(func.max(TaskUpdate.id))
        .where(among(TaskUpdate.task_id, task_ids))
        .group_by(TaskUpdate.task_id)
    )
    rows = db.session.execute(
        select(TaskUpdate.task_id, TaskUpdate.created_at, TaskUpdate.note,
               User.full_name, User.username, Unit.short_name)
        .outerjoin(User, User.id == TaskUpdate.user_id)
        .outerjoin(Unit, Unit.id == TaskUpdate.unit_id)
        .where(TaskUpdate.id.in_(newest)),
        execution_options={"all_boards": True},
    )
    # The author's name as User.display_name gives it: the full name, else the
    # username; no account (the system) gives None.
    return {task_id: LastUpdate(task_id, created_at, note, full_name or username,
                                unit_name)
            for task_id, created_at, note, full_name, username, unit_name in rows}


def quarter_summary(quarter, as_of, every_attention=True):
    """Return everything the summary page shows for a quarter at as_of.

    The quarter's own tasks are read once, as rows; earlier quarters are compared by
    their headline numbers only, so the page costs the same after ten years.
    attention lists every task overdue or at risk, or (every_attention false) the
    first ATTENTION_ROWS; attention_count counts them all.
    """
    from tracker.tasks.rows import unit_rows

    units = unit_rows()
    tasks = quarter_rows(quarter, units=units)
    cutoff = quarter.cutoff(as_of)
    # The page lists no tasks of its own: the figures are counted without each
    # task's entry.
    figures = compute(quarter, tasks, cutoff, units=units, listing=False)
    urgent = needing_attention(tasks, cutoff, include_at_risk=not quarter.is_closed)
    return dict(
        quarter=quarter,
        cutoff=cutoff,
        figures=figures,
        rollup=board_rollup(quarter, figures, as_of),
        attention=with_last_updates(
            urgent if every_attention else urgent[:ATTENTION_ROWS]),
        attention_count=len(urgent),
        **comparisons(quarter, figures, as_of),
    )
