"""A closed quarter's record never changes: refuse any flush that would change it.

Views check permissions first and never get here; this is the last line, so that no
code path (a command, an import, a bug) can alter a closed quarter. The close, reopen
and approve services unlock it for their own flush.
"""
from contextlib import contextmanager
from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.models.comment import Comment, CommentRevision
from tracker.models.quarter import Quarter
from tracker.models.extension import DeadlineExtension
from tracker.models.report import BriefingMeeting, BriefingProposal
from tracker.models.stored_file import StoredFile
from tracker.models.task import Task, TaskUnit, TaskUpdate

UNLOCK_KEY = "closed_quarter_unlocked"


class ClosedQuarterError(Exception):
    """Raised when something tries to change a closed quarter's record."""


@contextmanager
def unlocked(session):
    """Allow changes to closed quarters within the block (close, reopen, approve)."""
    previous = session.info.get(UNLOCK_KEY, False)
    session.info[UNLOCK_KEY] = True
    try:
        yield
    finally:
        session.info[UNLOCK_KEY] = previous


def _quarter_of(obj):
    if isinstance(obj, Quarter):
        return obj
    if isinstance(obj, Task):
        return obj.quarter
    if isinstance(obj, (TaskUnit, TaskUpdate, DeadlineExtension, StoredFile)):
        return obj.task.quarter if obj.task is not None else None
    if isinstance(obj, BriefingMeeting):
        return obj.quarter
    if isinstance(obj, BriefingProposal):
        return obj.meeting.quarter if obj.meeting is not None else None
    if isinstance(obj, Comment):
        return obj.task.quarter if obj.task is not None else None
    if isinstance(obj, CommentRevision):
        return _quarter_of(obj.comment) if obj.comment is not None else None
    return None


def _was_closed(quarter):
    """Tell whether the quarter is closed as stored (before this flush's changes)."""
    history = inspect(quarter).attrs.state.history
    if history.deleted:
        return history.deleted[0] == "closed"
    return quarter.state == "closed"


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_closed_quarters(session, flush_context, instances):
    if session.info.get(UNLOCK_KEY):
        return
    with session.no_autoflush:
        for obj in chain(session.new, session.dirty, session.deleted):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            quarter = _quarter_of(obj)
            if quarter is None or inspect(quarter).pending:
                continue
            if _was_closed(quarter):
                raise ClosedQuarterError(quarter.key)
