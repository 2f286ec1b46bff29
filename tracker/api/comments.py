"""A task's discussion through the API: the thread, posting to it, correcting.

The same service, form and policy as the task page's discussion: the people a comment
mentions are told by the service, its author corrects it within the edit window (the
earlier text kept), and a refusal says what the page says.
"""
from flask import url_for
from flask_smorest import abort as refuse
from sqlalchemy import select

from tracker.api import conditions, schemas
from tracker.api.conditions import comment_etag, digest_etag, require_if_match
from tracker.api.forms import form_errors, form_from_json
from tracker.api.views import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    _user,
    bp,
    documents,
)
from tracker.auth import policy
from tracker.comments import services
from tracker.comments.forms import CommentForm
from tracker.comments.views import _refuse
from tracker.extensions import db
from tracker.models import Comment
from tracker.models.base import utcnow
from tracker.tasks.services import get_task_or_404

HEADERS = {"Cache-Control": "private, no-cache"}
LINKS = {
    "GetComment": {"operationId": "getComment",
                   "parameters": {"comment_id": "$response.body#/id"}},
    "EditComment": {"operationId": "editComment", "parameters": {
        "comment_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag"}},
}


def comment_data(comment, html):
    """Return a comment as the API shows it, with its HTML as the page renders it."""
    user = comment.user
    return {
        "id": comment.id, "task": comment.task_id,
        "author": None if user is None else {
            "id": user.id, "username": user.username, "full_name": user.full_name},
        "created_at": comment.created_at, "edited_at": comment.edited_at,
        "body": comment.body, "body_html": str(html),
    }


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/comments")
@bp.response(200, schemas.CommentListSchema)
@bp.doc(operationId="getTaskComments")
@documents(*READ_ERRORS)
def comment_list(task_id):
    """The task's discussion, oldest first, as its page shows it."""
    task = get_task_or_404(task_id)
    comments = services.thread(task)
    html = services.rendered(comments)
    data = {"task": task.id,
            "items": [comment_data(comment, html[comment.id]) for comment in comments]}
    return data, 200, dict(HEADERS, ETag=digest_etag(f"comments-{task.id}", data))


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/comments", methods=["POST"])
@bp.arguments(schemas.CommentCreateSchema)
@bp.response(201, schemas.CommentSchema)
@bp.doc(operationId="postTaskComment", responses={201: {"links": LINKS}})
@documents(*CREATE_ERRORS)
def comment_create(data, task_id):
    """Post a comment to the task's discussion, as its page does."""
    task = get_task_or_404(task_id)
    user = _user()
    if not policy.can_comment(user, task):
        _refuse(task)
    form = form_from_json(CommentForm, data)
    if not form.validate():
        refuse(422, errors=form_errors(form))
    comment = services.post_comment(task, form.body.data, user)
    db.session.commit()
    return _answer(comment.id, 201)


def _answer(comment_id, status=200):
    """Return the comment read afresh, with its ETag (what an edit's If-Match names)."""
    comment = services.get_comment_or_404(comment_id)
    html = services.rendered([comment])
    headers = dict(HEADERS, ETag=comment_etag(comment))
    if status == 201:
        headers["Location"] = url_for("api.comment", comment_id=comment.id)
    return comment_data(comment, html[comment.id]), status, headers


@bp.route("/v1/comments/<int(max=2147483647):comment_id>")
@bp.response(200, schemas.CommentSchema)
@bp.doc(operationId="getComment")
@documents(*READ_ERRORS)
def comment(comment_id):
    """One comment of a task's discussion; its ETag goes in an edit's If-Match."""
    return _answer(comment_id)


@bp.route("/v1/comments/<int(max=2147483647):comment_id>", methods=["PATCH"])
@bp.arguments(schemas.CommentEditSchema)
@bp.response(200, schemas.CommentSchema)
@bp.doc(operationId="editComment", parameters=[conditions.IF_MATCH],
        responses={200: {"links": LINKS}})
@documents(*WRITE_ERRORS)
def comment_edit(data, comment_id):
    """Correct one's own comment within the edit window, as the page does.

    Only its author, for 15 minutes after posting, while the task may be discussed;
    the earlier text is kept. Sending the same text changes nothing.
    """
    found = services.get_comment_or_404(comment_id)
    user = _user()
    if not policy.can_edit_comment(user, found, utcnow()):
        _refuse(found.task, found)
    # Hold the row while comparing and writing (PostgreSQL; SQLite holds the whole
    # database for a write): a comment keeps no version number to catch a race.
    db.session.scalar(select(Comment).where(Comment.id == found.id)
                      .with_for_update(of=Comment)
                      .execution_options(populate_existing=True))
    require_if_match(comment_etag(found))
    form = form_from_json(CommentForm, data)
    if not form.validate():
        refuse(422, errors=form_errors(form))
    try:
        services.edit_comment(found, form.body.data, user)
    except services.CommentRefused:
        _refuse(found.task, found)
    db.session.commit()
    return _answer(found.id)
