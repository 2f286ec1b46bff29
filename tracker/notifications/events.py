"""Notices follow the record: written when a history row or an audit event is.

A task's every change is a history row (TaskUpdate) and a quarter's close or reopening
an audit event, so listening to those rows catches every path that makes them (the
pages, the import, the commands) without the task and quarter services knowing about
notices. The notices are written in the same flush, so they commit or roll back with
the change they tell of. A comment, or its correction, tells the people it mentions.
"""
from flask import g, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from tracker.comments.markup import mentioned_names
from tracker.models import (
    AuditEvent, Comment, CommentRevision, Quarter, TaskUpdate, User,
)
from tracker.notifications.services import (
    WROTE_NOTICES, insert_ignoring_duplicates, leaders_of_board, progress_recipients,
    row, users_of_board,
    users_of_units,
)


def _given(update):
    """Return [(unit id, kind, role)] of the units the history row gives the task."""
    task = update.task
    if update.action == "created":
        given = [(task.lead_unit_id, "task_assigned", "lead")]
        for link in task.unit_links:
            kind = "share_assigned" if link.role == "participating" else "task_assigned"
            given.append((link.unit_id, kind, link.role))
        return given
    if update.action != "edited":
        return []
    changes = update.changes or {}
    given = []
    if "lead_unit_id" in changes:
        given.append((task.lead_unit_id, "task_assigned", "lead"))
    for role in ("coordinating", "participating"):
        if role not in changes:
            continue
        old_names = set(changes[role][0] or ())
        kind = "share_assigned" if role == "participating" else "task_assigned"
        for link in task.unit_links:
            if link.role == role and link.unit.short_name not in old_names:
                given.append((link.unit_id, kind, role))
    return given


def _task_rows(connection, update):
    """Return the notice rows a task's history row calls for."""
    task = update.task
    board_id = task.quarter.board_id
    actor = update.user_id if update.user_id is not None else (
        update.user.id if update.user is not None else None)
    base = {"title": task.title}
    rows = []
    given = _given(update)
    if given:
        people = users_of_units(connection, [unit_id for unit_id, _k, _r in given])
        units = {task.lead_unit_id: task.lead_unit}
        units.update({link.unit_id: link.unit for link in task.unit_links})
        for unit_id, kind, role in given:
            unit = units.get(unit_id)
            data = dict(base, unit=unit.short_name if unit else "", role=role)
            key = f"task:{task.id}:unit:{unit_id}:{role}"
            rows += [row(board_id, user_id, kind, key, task.id, task.quarter_id, data)
                     for user_id in people.get(unit_id, ()) if user_id != actor]
    if update.action in ("progress", "share"):
        # The lead's staff (who watch by default) and everyone watching the task or
        # its quarter; one key per report, so nobody is told twice.
        people = progress_recipients(connection, task)
        person = update.user.display_name if update.user is not None else ""
        data = dict(base, person=person, status=update.new_status,
                    progress=update.new_progress)
        rows += [row(board_id, user_id, "progress", f"update:{update.id}", task.id,
                     task.quarter_id, data)
                 for user_id in people if user_id != actor]
    extension = getattr(update, "extension", None)
    if extension is not None and update.action.startswith("extension_"):
        person = update.user.display_name if update.user is not None else ""
        data = dict(base, person=person, date=extension.proposed_on.isoformat(),
                    state=extension.state)
        key = f"extension:{extension.id}:{update.action}"
        if update.action == "extension_asked":
            people = leaders_of_board(connection, board_id)
            kind = "extension_asked"
        else:
            people = [extension.requested_by_id] if extension.requested_by_id else []
            kind = "extension_decided"
        rows += [row(board_id, user_id, kind, key, task.id, task.quarter_id, data)
                 for user_id in people if user_id != actor]
    return rows


def _quarter_rows(session, connection, audit):
    """Return the notice rows of a quarter's close or reopening."""
    quarter = session.get(Quarter, audit.entity_id)
    kind = "quarter_closed" if audit.action == "closed" else "quarter_reopened"
    data = {"year": quarter.year, "number": quarter.number}
    key = f"quarter:{quarter.id}:{audit.action}:{audit.id}"
    return [row(quarter.board_id, user_id, kind, key, None, quarter.id, data)
            for user_id in users_of_board(connection, quarter.board_id)
            if user_id != audit.user_id]


# How much of a comment a mention notice quotes.
EXCERPT = 200


def _mention_rows(connection, comment):
    """Return the notice rows of the people a new or corrected comment mentions.

    One key per comment and person: a person mentioned again in a correction is not
    told twice; one first mentioned in it is told then.
    """
    names = mentioned_names(comment.body)
    if not names:
        return []
    task = comment.task
    board_id = task.quarter.board_id
    table = User.__table__
    people = connection.execute(
        select(table.c.id).where(table.c.username.in_(names),
                                 table.c.board_id == board_id,
                                 table.c.is_active.is_(True))
        .order_by(table.c.id)
    ).scalars()
    author = comment.user.display_name if comment.user is not None else ""
    body = " ".join(comment.body.split())
    excerpt = body if len(body) <= EXCERPT else body[:EXCERPT - 1] + "…"
    data = {"title": task.title, "person": author, "excerpt": excerpt,
            "comment": comment.id}
    key = f"comment:{comment.id}:mentioned"
    return [row(board_id, user_id, "mentioned", key, task.id, task.quarter_id, data)
            for user_id in people if user_id != comment.user_id]


@event.listens_for(Session, "after_flush")
def _notice_what_was_recorded(session, flush_context):
    """Write the notices the flushed history rows, audits and comments call for."""
    updates = [obj for obj in session.new if isinstance(obj, TaskUpdate)]
    audits = [obj for obj in session.new if isinstance(obj, AuditEvent)
              and obj.entity_type == "quarter" and obj.action in ("closed", "reopened")]
    comments = [obj for obj in session.new if isinstance(obj, Comment)]
    comments += [obj.comment for obj in session.new
                 if isinstance(obj, CommentRevision) and obj.comment not in comments]
    if not updates and not audits and not comments:
        return
    connection = session.connection()
    rows = []
    with session.no_autoflush:
        for update in sorted(updates, key=lambda item: item.id):
            rows += _task_rows(connection, update)
        for audit in sorted(audits, key=lambda item: item.id):
            rows += _quarter_rows(session, connection, audit)
        for comment in sorted(comments, key=lambda item: item.id):
            rows += _mention_rows(connection, comment)
    # A database still below the notices' migration (being upgraded) records the
    # change without them.
    if rows and inspect(connection).has_table("notification"):
        if insert_ignoring_duplicates(connection, rows) and has_request_context():
            g.setdefault(WROTE_NOTICES, True)  # the request mails them after
