"""Closing a quarter: carry unfinished work forward, freeze the record; reopen; approve.

All functions only add and flush; the caller commits once, so a close is one
transaction: either every task is carried or closed and the quarter frozen, or nothing.

A closed quarter is judged at the day after its last day (Quarter.closed_cutoff):
its unfinished work due inside it is overdue for good. Work ended at the close (no
longer needed, cancelled) takes the status "cancelled", which has its own class, out
of the rate; reopening puts back the status it had.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.figures.counting import count_for_list
from tracker.figures.services import compute
from tracker.models import CLOSING_REASONS, Quarter, Task, TaskUnit, TaskUpdate
from tracker.models.audit import record
from tracker.models.base import utcnow
from tracker.models.guard import unlocked
from tracker.quarters.services import find_quarter
from tracker.quarters.summary import quarter_tasks
from tracker.tasks.timeliness import closing_class
from tracker.text import fold

CARRY = "carry"
ACTIONS = (CARRY,) + tuple(CLOSING_REASONS)

# Fields copied to the continuation of a carried task.
COPIED_FIELDS = (
    "kind", "title", "description", "lead_unit_id", "target_count", "achieved_count",
    "target_label", "source_document", "is_recurring", "campaign_name",
    "organisation", "congress_ordinal",
    "term_start", "term_end", "delegates", "audience", "sessions", "trainees_planned",
    "trainees_attended", "chair", "commune", "participants", "held_on",
)


class RolloverError(Exception):
    """A close, reopen or approval that cannot be done; the message says why."""


@dataclass
class PlanItem:
    """One task of the quarter that the close must decide about."""

    task: Task
    continuation: Task = None
    default: str = CARRY
    # The task the next quarter already holds for this one, planned there from this
    # quarter (same title and lead unit, carried from nothing): carrying adopts it as
    # the continuation instead of copying the work a second time.
    planned_again: Task = None

    @property
    def is_carried(self):
        """Tell whether an earlier close already carried this task."""
        return self.continuation is not None


@dataclass
class CloseResult:
    """What a close did."""

    quarter: Quarter
    next_quarter: Quarter
    carried: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    created_next: bool = False


def needs_decision(task):
    """Tell whether closing must decide about the task: unfinished, or recurring."""
    return task.is_recurring or task.status not in ("done", "cancelled")


def continuations(tasks):
    """Return {task id: its continuation in a later quarter} in one statement."""
    ids = [task.id for task in tasks]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Task).where(Task.carried_from_id.in_(ids))
        .options(joinedload(Task.quarter))
    )
    return {row.carried_from_id: row for row in rows}


def close_plan(quarter):
    """Return the PlanItems of the tasks the close must decide about."""
    tasks = [task for task in quarter_tasks(quarter) if needs_decision(task)]
    later = continuations(tasks)
    again = planned_again(quarter, tasks)
    return [PlanItem(task=task, continuation=later.get(task.id),
                     planned_again=again.get(task.id)) for task in tasks]


def planned_again(quarter, tasks):
    """Return {task id: the next quarter's task planned for it} in one statement.

    "Plan the next quarter from this one" copies tasks before the close: a task of
    the next quarter with the same title and lead unit, carried from nothing, is
    that copy. Each is matched to one task at most.
    """
    year, number = quarter.next_key()
    target = find_quarter(year, number)
    if target is None or not tasks:
        return {}
    rows = db.session.scalars(
        select(Task).where(Task.quarter_id == target.id, Task.carried_from_id.is_(None),
                           ~Task.is_archived)
        .order_by(Task.id)
    )
    waiting = {}
    for row in rows:
        waiting.setdefault((fold(row.title), row.lead_unit_id), row)
    found = {}
    for task in tasks:
        match = waiting.pop((fold(task.title), task.lead_unit_id), None)
        if match is not None:
            found[task.id] = match
    return found


def _adopt(task, planned, user):
    """Make the next quarter's task planned for this one its continuation."""
    planned.carried_from = task
    db.session.add(TaskUpdate(
        task=planned, user=user, action="carried_in", new_status=planned.status,
        new_progress=planned.progress,
        changes={"from": task.quarter.key, "from_task": task.id},
    ))
    db.session.add(TaskUpdate(
        task=task, user=user, action="carried_out", old_status=task.status,
        new_status=task.status, old_progress=task.progress, new_progress=task.progress,
        changes={"to": planned.quarter.key, "to_task": planned.id},
    ))
    return planned


def check_can_close(quarter):
    """Raise RolloverError unless the quarter may be closed now."""
    if quarter.is_closed:
        raise RolloverError(_("%(quarter)s is already closed.", quarter=quarter.label))
    previous = find_quarter(*quarter.previous_key())
    if previous is not None and not previous.is_closed:
        raise RolloverError(
            _("Close %(previous)s first: quarters are closed in order.",
              previous=previous.label)
        )


def _next_quarter(quarter, user):
    year, number = quarter.next_key()
    existing = find_quarter(year, number)
    if existing is not None:
        if existing.is_closed:
            raise RolloverError(
                _("%(quarter)s is already closed; nothing can be carried into it.",
                  quarter=existing.label)
            )
        return existing, False
    created = Quarter(year=year, number=number, state="planning")
    db.session.add(created)
    db.session.flush()
    record(created, "created", user, changes={"state": [None, created.state]},
           note=quarter.key)
    return created, True


def _carry(task, target, user):
    """Create the task's continuation in the target quarter and return it."""
    fresh = task.is_recurring and task.status in ("done", "cancelled")
    copy = Task(quarter=target, carried_from=task, created_by=user)
    for name in COPIED_FIELDS:
        setattr(copy, name, getattr(task, name))
    copy.lead_unit = task.lead_unit
    if task.due_on is None:
        copy.due_on = None
    elif task.due_on > task.quarter.ends_on:
        copy.due_on = task.due_on  # a longer deadline (e.g. the year's end) stands
    else:
        copy.due_on = target.ends_on
    # A date held that has passed was not kept (the work is unfinished): the
    # continuation waits for a new date instead of being overdue from its first day.
    if task.held_on is not None and task.held_on <= task.quarter.ends_on:
        copy.held_on = None
    if fresh:
        copy.status, copy.progress, copy.achieved_count = "not_started", 0, None
    else:
        copy.status = "in_progress" if task.status == "postponed" else task.status
        copy.progress = task.progress
    for link in task.unit_links:
        carried = TaskUnit(
            unit=link.unit, unit_id=link.unit_id, role=link.role,
            share_status="not_started" if fresh else link.share_status,
            share_done_on=None if fresh else link.share_done_on,
            share_note="" if fresh else link.share_note,
        )
        # A member given its part through a group keeps it through the group, so the
        # continuation names the group too (read only when loaded with the follow-up
        # columns: a schema older than groups has no such column).
        via = inspect(link).dict.get("via_group_id")
        if via is not None:
            carried.via_group_id = via
        copy.unit_links.append(carried)
    db.session.add(copy)
    db.session.flush()
    db.session.add(TaskUpdate(
        task=copy, user=user, action="carried_in", new_status=copy.status,
        new_progress=copy.progress,
        changes={"from": task.quarter.key, "from_task": task.id,
                 "due_on": [task.due_on.isoformat() if task.due_on else None,
                            copy.due_on.isoformat() if copy.due_on else None]},
    ))
    db.session.add(TaskUpdate(
        task=task, user=user, action="carried_out", old_status=task.status,
        new_status=task.status, old_progress=task.progress, new_progress=task.progress,
        changes={"to": target.key, "to_task": copy.id},
    ))
    return copy


def close_quarter(quarter, decisions, user, notes=None):
    """Close the quarter: carry or close each unfinished task, then freeze the record.

    decisions maps task id to "carry", "cancelled" or "not_needed"; tasks not named
    are carried. notes maps task id to the reason written for a task closed here.
    """
    notes = notes or {}
    check_can_close(quarter)
    plan = close_plan(quarter)
    by_id = {item.task.id: item for item in plan}
    unknown = set(decisions) - set(by_id)
    if unknown:
        raise RolloverError(_("Some tasks in the request do not belong to this quarter."))
    for task_id, action in decisions.items():
        if action not in ACTIONS:
            raise RolloverError(_("Unknown choice for a task."))
        if action == CARRY and by_id[task_id].is_carried:
            raise RolloverError(
                _("Task #%(id)s was already carried to %(quarter)s.", id=task_id,
                  quarter=by_id[task_id].continuation.quarter.label)
            )
    with unlocked(db.session):
        target, created = _next_quarter(quarter, user)
        result = CloseResult(quarter=quarter, next_quarter=target, created_next=created)
        for item in plan:
            if item.is_carried:
                continue
            action = decisions.get(item.task.id, CARRY)
            if action == CARRY and item.planned_again is not None:
                result.carried.append(_adopt(item.task, item.planned_again, user))
            elif action == CARRY:
                result.carried.append(_carry(item.task, target, user))
            else:
                result.closed.append(_end(item.task, action, notes.get(item.task.id),
                                          user))
        cutoff = quarter.closed_cutoff
        for task in quarter_tasks(quarter):
            task.frozen_timeliness = closing_class(
                task.status, task.effective_due_on, task.completed_on, cutoff,
                task.held_on,
            )
        record(quarter, "closed", user, changes={
            "state": [quarter.state, "closed"],
            "carried": len(result.carried), "closed": len(result.closed),
            "next": target.key,
        })
        quarter.state = "closed"
        quarter.closed_at = utcnow()
        quarter.closed_by = user if getattr(user, "is_authenticated", False) else None
        db.session.flush()
        quarter.closed_counts = count_for_list([quarter], cutoff)[quarter.id]
        db.session.flush()
    return result


def _end(task, reason, note, user):
    """End the task with the quarter: its reason, its note, and (if unfinished) the
    status "cancelled", recorded in its history."""
    old_status = task.status
    task.closing_reason = reason
    task.closing_note = (note or "").strip()[:2000]
    changes = {"closing_reason": [None, reason]}
    # Recurring work already done this quarter stays done: only its series ends.
    if task.status not in ("done", "cancelled"):
        task.status = "cancelled"
        changes["status"] = [old_status, task.status]
    db.session.add(TaskUpdate(
        task=task, user=user, action="closed", old_status=old_status,
        new_status=task.status, old_progress=task.progress,
        new_progress=task.progress, note=task.closing_note, changes=changes,
    ))
    return task


def reopen_quarter(quarter, user, reason):
    """Reopen a closed quarter (an admin action), recording who, when and why."""
    if not quarter.is_closed:
        raise RolloverError(_("%(quarter)s is not closed.", quarter=quarter.label))
    reason = (reason or "").strip()
    if not reason:
        raise RolloverError(_("Give the reason for reopening."))
    with unlocked(db.session):
        tasks = db.session.scalars(
            select(Task).where(Task.quarter_id == quarter.id)
        ).all()
        before = _status_before_close([task for task in tasks if task.closing_reason])
        restored = 0
        for task in tasks:
            task.frozen_timeliness = None
            if task.closing_reason:
                restored += 1
                _undo_end(task, before.get(task.id), user, reason)
        was_approved = quarter.approved_at is not None
        quarter.state = "active"
        quarter.closed_at = None
        quarter.closed_by = None
        quarter.approved_at = None
        quarter.approved_by = None
        quarter.closed_counts = None
        record(quarter, "reopened", user, note=reason[:2000],
               changes={"state": ["closed", "active"], "was_approved": was_approved,
                        "restored": restored})
        db.session.flush()
    return quarter


def ended_count(quarter):
    """Return how many of the quarter's tasks were ended at its close."""
    return db.session.scalar(
        select(func.count(Task.id)).where(Task.quarter_id == quarter.id,
                                          Task.closing_reason.is_not(None))
    )


def _status_before_close(tasks):
    """Return {task id: the status the close replaced} in one statement.

    The newest history row that set "cancelled" at a close (or when the rules for
    closed quarters were applied to an older close) holds the status before it.
    """
    ids = [task.id for task in tasks]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TaskUpdate.task_id, TaskUpdate.old_status)
        .where(TaskUpdate.task_id.in_(ids),
               TaskUpdate.action.in_(("closed", "recomputed")),
               TaskUpdate.new_status == "cancelled",
               TaskUpdate.old_status != "cancelled")
        .order_by(TaskUpdate.id)
    )
    return dict(rows.all())


def _undo_end(task, status, user, reason):
    """Put back what the close changed on an ended task, recording it."""
    old = (task.status, task.closing_reason, task.closing_note)
    changes = {"closing_reason": [task.closing_reason, None]}
    if status and task.status == "cancelled":
        task.status = status
        changes["status"] = [old[0], status]
    if task.closing_note:
        changes["closing_note"] = [task.closing_note, ""]
    task.closing_reason = None
    task.closing_note = ""
    db.session.add(TaskUpdate(
        task=task, user=user if getattr(user, "is_authenticated", False) else None,
        action="reopened", old_status=old[0], new_status=task.status,
        old_progress=task.progress, new_progress=task.progress,
        note=reason[:2000], changes=changes,
    ))


def approve_quarter(quarter, user):
    """Approve a closed quarter's figures, recording the headline that was approved.

    A closed quarter's record cannot change, so its figures (computed at its cut-off
    by tracker.figures) stay what was approved; the audit event keeps the headline.
    """
    if not quarter.is_closed:
        raise RolloverError(_("Only a closed quarter can be approved."))
    if quarter.approved_at is not None:
        raise RolloverError(_("%(quarter)s is already approved.", quarter=quarter.label))
    figures = compute(quarter, quarter_tasks(quarter), quarter.closed_cutoff)
    with unlocked(db.session):
        quarter.approved_at = utcnow()
        quarter.approved_by = user
        changes = {"approved_by": [None, getattr(user, "username", None)]}
        changes.update(
            {name: figures[name] for name in ("as_of", "total", "done", "overdue")},
            rate=None if figures["rate"] is None else round(figures["rate"], 4),
        )
        record(quarter, "approved", user, changes=changes)
        db.session.flush()
    return figures


def rollover_view(quarter):
    """Return what the rollover page shows: Q and Q+1 side by side.

    Both quarters' tasks are read as rows (no unit links: the page lists titles).
    """
    from tracker.tasks.rows import task_rows, unit_rows

    units = unit_rows()
    live = Task.is_archived.is_(False)
    tasks = task_rows(Task.quarter_id == quarter.id, live, units=units, links=False)
    next_quarter = find_quarter(*quarter.next_key())
    origin = db.aliased(Task)
    carried_here = select(origin.id).where(origin.quarter_id == quarter.id)
    later = {row.carried_from_id: row for row in task_rows(
        Task.carried_from_id.in_(carried_here), units=units, links=False)}
    next_tasks = task_rows(Task.quarter_id == next_quarter.id, live, units=units,
                           links=False) if next_quarter else []
    depths = carry_depths([row.id for row in later.values()])
    done = [task for task in tasks if task.status == "done" and task.id not in later]
    carried = [(task, later[task.id]) for task in tasks if task.id in later]
    closed = [task for task in tasks if task.id not in later and task.closing_reason]
    cancelled = [task for task in tasks
                 if task.status == "cancelled" and not task.closing_reason
                 and task.id not in later]
    own = {task.id for task in tasks}
    new = [task for task in next_tasks if task.carried_from_id is None]
    from_elsewhere = [task for task in next_tasks if task.carried_from_id is not None
                      and task.carried_from_id not in own]
    pending = [task for task in tasks
               if task.id not in later and not task.closing_reason
               and task.status not in ("done", "cancelled")]
    return dict(
        quarter=quarter, next_quarter=next_quarter, done=done, carried=carried,
        closed=closed + cancelled, new=new + from_elsewhere, pending=pending,
        depths=depths,
    )


def carry_depths(task_ids):
    """Return {task id: how many times its work has been carried} in one statement."""
    from tracker.tasks.rows import among

    if not task_ids:
        return {}
    chain = (
        select(Task.id.label("start"), Task.carried_from_id.label("parent"),
               db.literal(0).label("depth"))
        .where(among(Task.id, task_ids))
        .cte("chain", recursive=True)
    )
    step = db.aliased(Task)
    chain = chain.union_all(
        select(chain.c.start, step.carried_from_id, chain.c.depth + 1)
        .join(step, step.id == chain.c.parent)
    )
    rows = db.session.execute(
        select(chain.c.start, db.func.max(chain.c.depth) + 1)
        .where(chain.c.parent.is_not(None))
        .group_by(chain.c.start)
    )
    depths = dict.fromkeys(task_ids, 0)
    depths.update({start: depth for start, depth in rows})
    return depths
