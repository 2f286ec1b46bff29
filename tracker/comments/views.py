"""Post and correct comments in a task's discussion."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.comments import services
from tracker.comments.forms import CommentEditForm, CommentForm
from tracker.extensions import db
from tracker.files import services as file_services
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


def _stage(form, may_attach):
    """Stage the files chosen on the form; None (messages at the field) if refused."""
    if not may_attach:
        if file_services.chosen(form.files.data):
            form.files.errors = [_("You may not attach files in this discussion: "
                                   "the task's files are not open to you.")]
            return None
        return []
    return file_services.stage_field(form.files)


@bp.route("/tasks/<int:task_id>/comments", methods=["GET", "POST"])
def create(task_id):
    """Add a comment, with any files, to the task's discussion and return to the task."""
    if request.method == "GET":
        return _back(task_id)
    task = task_services.get_task_or_404(task_id)
    if not policy.can_comment(current_user, task):
        _refuse(task)
    form = CommentForm()
    valid = form.validate_on_submit()
    staged = _stage(form, policy.can_attach_to_comment(current_user, task)) \
        if valid else []
    if not valid or staged is None:
        from tracker.tasks.views import _render_task

        flash(_("The comment was not saved; see the messages below."), "danger")
        return _render_task(task, comment_form=form, status=400)
    # The bytes are in place before the rows naming them are committed.
    file_services.put_in_place(staged)
    comment = services.post_comment(task, form.body.data, current_user)
    services.attach_files(comment, staged, current_user)
    db.session.commit()
    flash(_("The comment has been posted."), "success")
    return _back(task.id, f"comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id):
    """Correct one's own comment and its files within the edit window.

    The old text is kept; a removed file keeps its record.
    """
    comment = services.get_comment_or_404(comment_id)
    now = utcnow()
    if not policy.can_edit_comment(current_user, comment, now):
        _refuse(comment.task, comment)
    may_change_files = policy.can_change_comment_files(current_user, comment, now)
    current = file_services.comment_files(comment) if may_change_files else []
    form = CommentEditForm(obj=comment, files=current)
    valid = form.validate_on_submit()
    staged = _stage(form, may_change_files) if valid else []
    if not valid or staged is None:
        return render_template(
            "comments/edit.html", form=form, comment=comment, task=comment.task,
            files=current, may_change_files=may_change_files,
            file_help=file_services.upload_help(),
        ), 400 if form.errors else 200
    chosen = set(form.remove_files.data or ())
    removed = [stored for stored in current if stored.id in chosen]
    file_services.put_in_place(staged)
    revision = services.edit_comment(comment, form.body.data, current_user, now)
    changed = services.change_files(comment, current_user, staged, removed, now)
    if revision is None and not changed:
        flash(_("Nothing was changed."), "info")
        return _back(comment.task_id, f"comment-{comment.id}")
    db.session.commit()
    for stored in removed:
        file_services.delete_unused_bytes(stored.storage_key)
    if revision is not None:
        flash(_("The comment has been corrected; the earlier text is kept."),
              "success")
    else:
        flash(_("The comment's files have been changed."), "success")
    return _back(comment.task_id, f"comment-{comment.id}")
