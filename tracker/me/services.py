"""What /me shows: the user's units' open work, and the decisions awaiting a leader."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth import policy
from tracker.extensions import db
from tracker.models import Quarter, Task, TaskUnit, TaskUpdate
from tracker.models.task import with_follow_up
from tracker.tasks.timeliness import effective_due

SOON_DAYS = 14  # "due within 14 days"
QUIET_DAYS = 14  # an overdue task without an update this long needs a leader
NEVER = dt.datetime(1, 1, 1)  # the newest update of a task without any
GROUPS = ("overdue", "due_soon", "in_progress", "not_started")


@dataclass
class WorkItem:
    """One thing a unit has to do: a task it leads or coordinates, or its share."""

    task: Task
    link: TaskUnit = None  # set for a participating unit's share
    group: str = ""

    @property
    def status(self):
        """Return the item's own status: the share's, or the task's."""
        return self.link.share_status if self.link is not None else self.task.status


def _group(status, due_on, today):
    """Return the group of open work with this status and due date at today."""
    if due_on is not None and due_on < today:
        return "overdue"
    if due_on is not None and due_on <= today + dt.timedelta(days=SOON_DAYS):
        return "due_soon"
    if status == "not_started":
        return "not_started"
    return "in_progress"


def my_work(user, today):
    """Return {group: [WorkItem]} of the user's units' open work in open quarters.

    Tasks the units lead or coordinate count while unfinished; a participating
    unit's share counts while the share is not done. Two statements, whatever the
    number of rows.
    """
    groups = {name: [] for name in GROUPS}
    unit_ids = policy.unit_ids(user)
    if not unit_ids:
        return groups
    shared = select(TaskUnit.task_id).where(TaskUnit.unit_id.in_(unit_ids))
    tasks = db.session.scalars(
        select(Task).join(Task.quarter)
        .where(Quarter.state != "closed", Task.is_archived.is_(False),
               or_(Task.lead_unit_id.in_(unit_ids), Task.id.in_(shared)))
        .options(joinedload(Task.quarter), joinedload(Task.lead_unit),
                 selectinload(Task.unit_links).joinedload(TaskUnit.unit),
                 *with_follow_up())
        .order_by(Task.due_on, Task.id)
    ).unique().all()
    for task in tasks:
        own = [link for link in task.unit_links if link.unit_id in unit_ids]
        leads = task.lead_unit_id in unit_ids or any(
            link.role == "coordinating" for link in own)
        if leads:
            if task.is_finished:
                continue
            item = WorkItem(task=task)
        else:
            link = next((link for link in own if link.role == "participating"), None)
            if link is None or link.share_status == "done" or task.is_finished:
                continue
            item = WorkItem(task=task, link=link)
        due = task.effective_due_on
        item.group = _group(item.status, due, today)
        groups[item.group].append(item)
    return groups


def awaiting_approval():
    """Return the closed quarters not yet approved, newest first."""
    return db.session.scalars(
        select(Quarter).where(Quarter.state == "closed", Quarter.approved_at.is_(None))
        .order_by(Quarter.year.desc(), Quarter.number.desc())
    ).all()


def quiet_overdue(today):
    """Return open quarters' overdue tasks without an update in the last 14 days."""
    since = dt.datetime.combine(today - dt.timedelta(days=QUIET_DAYS), dt.time())
    # Each overdue task's newest update, looked up in the history's index of tasks:
    # a few dozen lookups, not a grouping of every history row of every year (at a
    # province's forty quarters it cost more than the rest of the summary). Asked
    # as "no recent update exists", PostgreSQL hashed the fortnight's thousand
    # updates for it instead (on a province's quarter 3.0 ms to run and 1.8 to plan,
    # against 1.0 and 1.0). The table's columns: the tasks were chosen within the
    # request's boards, and the scope's own condition on each history row would be
    # a second, redundant one.
    updates = TaskUpdate.__table__.c
    newest = (select(func.max(updates.created_at))
              .where(updates.task_id == Task.id).scalar_subquery())
    return db.session.scalars(
        select(Task).join(Task.quarter)
        .where(Quarter.state != "closed", Task.is_archived.is_(False),
               Task.status.not_in(("done", "cancelled")),
               effective_due(Task) < today,
               func.coalesce(newest, NEVER) < since)
        .options(joinedload(Task.quarter), joinedload(Task.lead_unit))
        .order_by(Task.due_on, Task.id)
    ).all()


def decisions(user, today):
    """Return what awaits a leader's decision, or None for anyone else."""
    if not policy.is_leader(user):
        return None
    from tracker.congresses.services import flagged
    from tracker.followup.services import pending_extensions

    return {"approvals": awaiting_approval(), "quiet": quiet_overdue(today),
            "congresses": flagged(today), "extensions": pending_extensions()}
