"""Download and remove evidence files; they are attached through the task's forms."""
import os

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.files import services
from tracker.files.forms import RemoveFileForm

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.app_template_filter("filesize")
def filesize(size):
    """Format a size in bytes as "820 KB" or "3.4 MB"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(size / (1024 * 1024), format='0.0')} MB"


@bp.route("/<int:file_id>")
def download(file_id):
    """Send a file as an attachment to a user who may see the task's files."""
    stored = services.get_file_or_404(file_id)
    if not policy.can_view_task_files(current_user, stored.task):
        abort(403)
    path = services.path_of(stored)
    if not os.path.isfile(path):
        # The row is there but the bytes are not (a volume not mounted, a restore
        # without its files): say so rather than fail.
        abort(404, _("The file's content is missing from the server's storage; "
                     "tell the administrator."))
    response = send_file(
        path, mimetype=stored.content_type, as_attachment=True,
        download_name=stored.original_name, conditional=True, etag=stored.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/<int:file_id>/remove", methods=["GET", "POST"])
def remove(file_id):
    """Remove a file from its task (the record of it stays in the history)."""
    stored = services.get_file_or_404(file_id)
    task_id = stored.task_id
    if request.method == "GET":
        return redirect(url_for("tasks.show", task_id=task_id) + "#files")
    if stored.task.quarter.is_closed:
        abort(403, _("%(quarter)s is closed: its files can no longer be removed.",
                     quarter=stored.task.quarter.label))
    if stored.attached_to == "comment":
        abort(403, _("A comment's files are removed by correcting the comment, "
                     "within 15 minutes of posting it."))
    if not policy.can_remove_file(current_user, stored):
        abort(403)
    if not RemoveFileForm().validate_on_submit():
        abort(400)
    key, name = stored.storage_key, stored.original_name
    services.remove_file(stored, current_user)
    db.session.commit()
    services.delete_unused_bytes(key)
    flash(_("“%(name)s” has been removed.", name=name), "success")
    return redirect(url_for("tasks.show", task_id=task_id) + "#files")
