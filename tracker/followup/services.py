"""Rules of follow-up: acknowledgement, watching, and deadline extensions.

Every change to a task is a history row (TaskUpdate) with who and when; the writes
only flush, and the view commits once. Notices follow the history rows
(tracker.notifications.events).
"""
import datetime as dt

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, literal, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import DeadlineExtension, Quarter, Task, TaskUpdate, Watch
from tracker.models.base import utcnow

# How far past its quarter's end a deadline may be moved.
MAX_EXTENSION_DAYS = 366


class FollowUpError(ValueError):
    """A refused step, with the message to show."""


def _history(task, user, action, note="", changes=None, unit_id=None):
    update = TaskUpdate(
        task=task, user=user, unit_id=unit_id, action=action,
        old_status=task.status, new_status=task.status,
        old_progress=task.progress, new_progress=task.progress,
        note=note or "", changes=changes or None,
    )
    db.session.add(update)
    return update


def _iso(day):
    return day.isoformat() if day else None


# Acknowledgement


def acknowledge(task, unit_id, user):
    """Record that the unit acknowledges (tiếp nhận) the task or its share.

    Raises FollowUpError if the unit was not given the task or already acknowledged.
    """
    if task.quarter.is_closed:
        raise FollowUpError(_("%(quarter)s is closed: its record cannot change.",
                              quarter=task.quarter.label))
    now = utcnow()
    if unit_id == task.lead_unit_id and task.acknowledged_at is None:
        task.acknowledged_at, task.acknowledged_by_id = now, user.id
        unit, what = task.lead_unit, "task"
    else:
        link = next((link for link in task.participants_links
                     if link.unit_id == unit_id), None)
        if link is None or link.acknowledged_at is not None:
            raise FollowUpError(_("There is nothing for this unit to acknowledge."))
        link.acknowledged_at, link.acknowledged_by_id = now, user.id
        unit, what = link.unit, "share"
    # The row names the unit (its heading shows it); a share's row says so.
    update = _history(task, user, "acknowledged", unit_id=unit_id,
                      changes={"share_of": unit.short_name} if what == "share"
                      else None)
    db.session.flush()
    return update


# Watching


def watch_row(user, task=None, quarter=None):
    """Return the person's watch row of the task or quarter, or None."""
    condition = (Watch.task_id == task.id) if task is not None else (
        Watch.quarter_id == quarter.id)
    return db.session.scalar(select(Watch).where(Watch.user_id == user.id, condition))


def watching_column(user, quarter_id):
    """Return whether the person watches the quarter, as a column to read with it
    (false without a row, and for no one signed in).

    The table's columns: the quarter was read within the request's boards, and the
    person's own rows need no second board filter.
    """
    if not getattr(user, "is_authenticated", False):
        return literal(False)
    watch = Watch.__table__.c
    return func.coalesce(
        select(watch.is_watching)
        .where(watch.user_id == user.id, watch.quarter_id == quarter_id)
        .scalar_subquery(),
        False,
    )


def watches_by_default(user, task):
    """Tell whether the person watches the task without choosing (its lead's staff)."""
    return task.lead_unit_id in {unit.id for unit in user.units}


def is_watching(user, task=None, quarter=None):
    """Tell whether the person watches the task (or the quarter)."""
    if task is None:  # the board reads the same column with its quarter
        return bool(db.session.scalar(select(watching_column(user, quarter.id))))
    if not getattr(user, "is_authenticated", False):
        return False
    found = watch_row(user, task)
    if found is not None:
        return found.is_watching
    return watches_by_default(user, task)


def set_watching(user, watching, task=None, quarter=None):
    """Record whether the person watches the task (or quarter); return the choice."""
    found = watch_row(user, task, quarter)
    if found is None:
        found = Watch(user_id=user.id, task_id=task.id if task is not None else None,
                      quarter_id=quarter.id if quarter is not None else None)
        db.session.add(found)
    found.is_watching = bool(watching)
    db.session.flush()
    return found.is_watching


# Deadline extensions


def pending_extension(task):
    """Return the task's request awaiting a decision, or None."""
    return db.session.scalar(
        select(DeadlineExtension).where(DeadlineExtension.task_id == task.id,
                                        DeadlineExtension.state == "pending"))


def task_extensions(task):
    """Return every extension request of the task, oldest first."""
    return db.session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.task_id == task.id)
        .options(joinedload(DeadlineExtension.requested_by),
                 joinedload(DeadlineExtension.decided_by))
        .order_by(DeadlineExtension.id)
    ).all()


def extension_problems(task, proposed_on):
    """Return what is wrong with asking to move the task's deadline to the date."""
    problems = []
    if task.quarter.is_closed:
        problems.append(_("%(quarter)s is closed: its tasks cannot be extended.",
                          quarter=task.quarter.label))
    current = task.effective_due_on or task.quarter.ends_on
    if proposed_on <= current:
        problems.append(_("The proposed date must be later than the current due date "
                          "(%(date)s).", date=current.strftime("%d/%m/%Y")))
    limit = task.quarter.ends_on + dt.timedelta(days=MAX_EXTENSION_DAYS)
    if proposed_on > limit:
        problems.append(_("The proposed date must be no later than %(date)s.",
                          date=limit.strftime("%d/%m/%Y")))
    if pending_extension(task) is not None:
        problems.append(_("A request for this task already awaits a decision."))
    return problems


def request_extension(task, proposed_on, reason, user):
    """Ask for the task's deadline to move to proposed_on (FollowUpError if refused)."""
    problems = extension_problems(task, proposed_on)
    if problems:
        raise FollowUpError(" ".join(problems))
    extension = DeadlineExtension(
        task=task, previous_due_on=task.effective_due_on, proposed_on=proposed_on,
        reason=reason.strip(), requested_by_id=user.id, state="pending",
    )
    db.session.add(extension)
    update = _history(task, user, "extension_asked", note=reason, changes={
        "extended_due_on": [_iso(task.effective_due_on), _iso(proposed_on)]})
    update.extension = extension  # read by the notices (tracker.notifications)
    db.session.flush()
    return extension


def decide_extension(extension, approve, note, user):
    """Approve (the task is judged by the new date from now) or refuse the request."""
    task = extension.task
    if not extension.is_pending:
        raise FollowUpError(_("This request has already been decided."))
    if task.quarter.is_closed:
        raise FollowUpError(_("%(quarter)s is closed: its tasks cannot be extended.",
                              quarter=task.quarter.label))
    extension.state = "approved" if approve else "refused"
    extension.decided_by_id, extension.decided_at = user.id, utcnow()
    extension.decision_note = (note or "").strip()
    changes = {"extended_due_on": [_iso(task.effective_due_on),
                                   _iso(extension.proposed_on)]}
    if approve:
        task.extended_due_on = extension.proposed_on
        task.updated_at = utcnow()
        action = "extension_granted"
    else:
        action = "extension_refused"
    update = _history(task, user, action, note=note, changes=changes)
    update.extension = extension
    db.session.flush()
    return extension


def get_extension_or_404(task, extension_id):
    """Return the task's extension request with the id, or abort with 404."""
    extension = db.session.scalar(
        select(DeadlineExtension).where(DeadlineExtension.id == extension_id,
                                        DeadlineExtension.task_id == task.id))
    if extension is None:
        abort(404)
    return extension


def pending_extensions():
    """Return the requests awaiting a decision in open quarters, oldest first."""
    return db.session.scalars(
        select(DeadlineExtension).join(Task, Task.id == DeadlineExtension.task_id)
        .join(Quarter, Quarter.id == Task.quarter_id)
        .where(DeadlineExtension.state == "pending", Quarter.state != "closed",
               Task.is_archived.is_(False))
        .options(joinedload(DeadlineExtension.task).joinedload(Task.lead_unit),
                 joinedload(DeadlineExtension.task).joinedload(Task.quarter),
                 joinedload(DeadlineExtension.requested_by))
        .order_by(DeadlineExtension.requested_at, DeadlineExtension.id)
    ).all()
