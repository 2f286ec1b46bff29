"""A task's discussion: posting, correcting, reading, and the thread in the history.

Comments are never deleted. A wrong word is corrected within the edit window (each
earlier text kept); after that, or once the quarter closes, the thread stands as
written, like the rest of the task's history, and the people it mentioned have been
told what it said.
"""
from dataclasses import dataclass

from flask import abort, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.comments.markup import mentioned_names, render
from tracker.extensions import db
from tracker.models import Comment, CommentRevision, User, user_unit
from tracker.models.base import utcnow


class CommentRefused(Exception):
    """Raised when a comment may not be edited (window passed, quarter closed)."""


def thread(task):
    """Return the task's comments, oldest first, with authors and earlier texts."""
    return db.session.scalars(
        select(Comment).where(Comment.task_id == task.id)
        .options(joinedload(Comment.user),
                 selectinload(Comment.revisions).joinedload(CommentRevision.user))
        .order_by(Comment.created_at, Comment.id)
    ).all()


def get_comment_or_404(comment_id):
    """Return the comment with its task, or abort with 404 (another board's too)."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id)
        .options(joinedload(Comment.task), joinedload(Comment.user))
    )
    if comment is None:
        abort(404)
    return comment


def post_comment(task, body, user, now=None):
    """Add a comment to the task's discussion; the people it mentions are told."""
    comment = Comment(task=task, task_id=task.id, user=user, user_id=user.id,
                      body=body, created_at=now or utcnow())
    db.session.add(comment)
    db.session.flush()
    return comment


def edit_comment(comment, body, user, now=None):
    """Replace a comment's text, keeping the old one; None if the text is the same.

    Raises CommentRefused once the edit window has passed (the view asks the policy
    first; this keeps the rule for every other caller).
    """
    now = now or utcnow()
    if now > comment.editable_until:
        raise CommentRefused(comment.id)
    if body == comment.body:
        return None
    revision = CommentRevision(comment=comment, user=user, user_id=user.id,
                               body=comment.body, created_at=now)
    comment.body = body
    comment.edited_at = now
    db.session.add(revision)
    db.session.flush()
    return revision


def attach_files(comment, staged, user):
    """Record files put in place as posted with the comment; flush."""
    from tracker.files import services as file_services

    return file_services.record_files(comment.task, staged, user, "comment",
                                      comment=comment)


def change_files(comment, user, added=(), removed=(), now=None):
    """Add files put in place to the comment and remove some of its files; flush.

    Within the edit window only, as its text (CommentRefused after it). A removed
    file keeps its row and leaves a line in the task's history, as any removed file
    does. Returns how many files were added or removed.
    """
    from tracker.files import services as file_services

    now = now or utcnow()
    if now > comment.editable_until:
        raise CommentRefused(comment.id)
    for stored in removed:
        if stored.comment_id != comment.id or stored.is_removed:
            raise CommentRefused(comment.id)
        file_services.remove_file(stored, user)
    if added:
        attach_files(comment, added, user)
    if added or removed:
        comment.edited_at = now
        db.session.flush()
    return len(added) + len(removed)


def mention_links(comments):
    """Return {username: address} for the people the comments mention.

    One statement for the whole thread: each mention leads to the page of the first
    unit the person works for (or to the thread, for someone without a unit).
    """
    names = set()
    for comment in comments:
        names.update(mentioned_names(comment.body))
    if not names:
        return {}
    rows = db.session.execute(
        select(User.username, user_unit.c.unit_id)
        .outerjoin(user_unit, user_unit.c.user_id == User.id)
        .where(User.username.in_(sorted(names)), User.is_active.is_(True))
        .order_by(User.username, user_unit.c.unit_id)
    ).all()
    links = {}
    for username, unit_id in rows:
        if username in links:
            continue
        links[username] = (url_for("units.show", unit_id=unit_id) if unit_id
                           else "#comments")
    return links


def rendered(comments):
    """Return {comment id: safe HTML} of the comments, mentions linked."""
    links = mention_links(comments)
    return {comment.id: render(comment.body, links) for comment in comments}


@dataclass
class Entry:
    """One line of a task's history: a history row or a comment."""

    at: object
    update: object = None
    comment: object = None


def timeline(task, comments):
    """Return the task's history rows and comments together, newest first."""
    entries = [Entry(update.created_at, update=update) for update in task.updates]
    entries += [Entry(comment.created_at, comment=comment) for comment in comments]
    # History rows come newest first already; a comment made in the same instant as
    # a row comes after it, as it answers what the row recorded.
    entries.sort(key=lambda entry: (entry.at, entry.comment is not None,
                                    (entry.comment or entry.update).id), reverse=True)
    return entries
