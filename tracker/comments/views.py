"""Post and correct comments in a task's discussion."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.comments import services
from tracker.comments.forms import CommentForm
from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.tasks import services as task_services

bp = Blueprint("comments", __name__)


def _refuse(task, comment=None):
    """Answer 403, saying why when the reason is the record's state or the clock."""
    if task.quarter.is_closed:
        abort(403, description=_(
            "%(quarter)s is closed: its record, its discussions included, no longer "
            "changes.", quarter=task.quarter.label))
    if task.is_archived:
        abort(403, description=_(
            "This task is archived: restore it to discuss it again."))
    if comment is not None and comment.user_id == getattr(current_user, "id", None):
        abort(403, description=_(
            "A comment can be corrected for 15 minutes after it is posted; this one "
            "now stands as written. Post a new comment to add to it."))
    abort(403)


def _back(task_id, anchor="comments"):
    return redirect(url_for("tasks.show", task_id=task_id) + f"#{anchor}")


@bp.route("/tasks/<int:task_id>/comments", methods=["GET", "POST"])
def create(task_id):
    """Add a comment to the task's discussion and return to the task."""
    if request.method == "GET":
        return _back(task_id)
    task = task_services.get_task_or_404(task_id)
    if not policy.can_comment(current_user, task):
        _refuse(task)
    form = CommentForm()
    if not form.validate_on_submit():
        from tracker.tasks.views import _render_task

        flash(_("The comment was not saved; see the messages below."), "danger")
        return _render_task(task, comment_form=form, status=400)
    comment = services.post_comment(task, form.body.data, current_user)
    db.session.commit()
    flash(_("The comment has been posted."), "success")
    return _back(task.id, f"comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id):
    """Correct one's own comment within the edit window; the old text is kept."""
    comment = services.get_comment_or_404(comment_id)
    if not policy.can_edit_comment(current_user, comment, utcnow()):
        _refuse(comment.task, comment)
    form = CommentForm(obj=comment)
    if not form.validate_on_submit():
        return render_template(
            "comments/edit.html", form=form, comment=comment, task=comment.task,
        ), 400 if form.errors else 200
    if services.edit_comment(comment, form.body.data, current_user) is None:
        flash(_("Nothing was changed."), "info")
    else:
        db.session.commit()
        flash(_("The comment has been corrected; the earlier text is kept."),
              "success")
    return _back(comment.task_id, f"comment-{comment.id}")
