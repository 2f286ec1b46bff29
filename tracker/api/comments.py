"""A task's discussion through the API: the thread, and posting to it.

The same service, form and policy as the task page's discussion: the people a comment
mentions are told by the service, and a refusal says what the page says.
"""
from flask_smorest import abort as refuse

from tracker.api import schemas
from tracker.api.conditions import digest_etag
from tracker.api.forms import form_errors, form_from_json
from tracker.api.views import CREATE_ERRORS, READ_ERRORS, _user, bp, documents
from tracker.auth import policy
from tracker.comments import services
from tracker.comments.forms import CommentForm
from tracker.comments.views import _refuse
from tracker.extensions import db
from tracker.tasks.services import get_task_or_404

HEADERS = {"Cache-Control": "private, no-cache"}


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
@bp.doc(operationId="postTaskComment")
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
    comment = services.get_comment_or_404(comment.id)
    html = services.rendered([comment])
    return comment_data(comment, html[comment.id]), 201, HEADERS
