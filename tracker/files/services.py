"""Rules about evidence files: what is accepted, attaching, listing and removing.

Writes only flush; the view commits once. Bytes are put in place before the rows that
name them are committed, so a committed row always finds its file; a commit that
fails leaves bytes no row names, which cost space and nothing else.
"""
import os
import re
import unicodedata

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.files import storage
from tracker.files.content import NotAccepted
from tracker.forms import CONTROL_CHARACTERS
from tracker.models import StoredFile, TaskUpdate
from tracker.models.base import utcnow

# Characters that mean something to a file system or a shell, kept out of names.
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
NAME_LENGTH = 120


class UploadRefused(Exception):
    """Raised when an upload cannot be accepted; .messages says why, file by file."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


def clean_name(filename, extension):
    """Return a safe display name for the upload, ending in the content's extension.

    Only the last part of whatever path the client sent is kept, without control or
    path characters; the extension is the one the content proved, not the one typed.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL_CHARACTERS.sub("", name)
    name = UNSAFE.sub("_", name).strip(" .")
    stem = os.path.splitext(name)[0].strip(" .") if "." in name else name
    stem = stem[:NAME_LENGTH].strip(" .") or _("file")
    return f"{stem}.{extension}"


def shown_name(filename):
    """Return the client's name for a file as it may appear in a message."""
    name = CONTROL_CHARACTERS.sub("", (filename or "").replace("\\", "/"))
    return name.rsplit("/", 1)[-1][:NAME_LENGTH] or _("(no name)")


def limit_mb():
    """Return the largest accepted file in megabytes."""
    return storage.max_file_bytes() // (1024 * 1024)


def _refusal(reason, name):
    messages = {
        "empty": _("“%(name)s” is empty: nothing to attach.", name=name),
        "executable": _(
            "“%(name)s” is a program, not a document or a picture: it was refused. "
            "Only PDF, Word (.docx), Excel (.xlsx), JPEG and PNG files are accepted.",
            name=name),
        "macros": _("“%(name)s” contains macros: save it as a plain .docx or .xlsx "
                    "file and attach it again.", name=name),
        "old_office": _(
            "“%(name)s” is an old-format (.doc, .xls) or password-protected Office "
            "file: save it as .docx or .xlsx without a password.", name=name),
        "unknown": _(
            "“%(name)s” is not a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file, "
            "whatever its name says: it was refused.", name=name),
    }
    return messages.get(reason, messages["unknown"])


def chosen(uploads):
    """Return the uploads a person actually chose (a form sends an empty part else)."""
    return [item for item in uploads or ()
            if item is not None and hasattr(item, "stream")
            and (getattr(item, "filename", "") or "").strip()]


def stage_uploads(uploads, max_count=None):
    """Check every chosen upload and write it to a temporary file; return them.

    All or nothing: if any file is refused, every staged file is removed and
    UploadRefused lists what was wrong with each refused file.
    """
    uploads = chosen(uploads)
    if max_count and len(uploads) > max_count:
        raise UploadRefused([_("Attach at most %(num)d files at once.", num=max_count)])
    limit = storage.max_file_bytes()
    staged, messages = [], []
    for upload in uploads:
        name = shown_name(upload.filename)
        try:
            kind, size, sha256, temp_path = storage.stage(upload.stream, limit)
        except storage.TooLarge:
            messages.append(_("“%(name)s” is larger than %(size)d MB: it was refused.",
                              name=name, size=limit_mb()))
            continue
        except NotAccepted as refusal:
            messages.append(_refusal(refusal.reason, name))
            continue
        staged.append(storage.Staged(
            name=clean_name(upload.filename, kind.extension), kind=kind, size=size,
            sha256=sha256, temp_path=temp_path,
        ))
    if messages:
        discard(staged)
        raise UploadRefused(messages)
    return staged


def stage_field(field):
    """Check and stage the uploads of a form's file field; None if refused.

    A refusal puts its messages at the field, for the form to be shown again.
    """
    try:
        return stage_uploads(field.data,
                             current_app.config.get("MAX_FILES_PER_UPLOAD"))
    except UploadRefused as refusal:
        field.errors = list(refusal.messages)
        return None


def upload_help():
    """Return the help under the file inputs: kinds, size and count accepted."""
    from tracker.files.content import EXTENSIONS

    return _("%(kinds)s; at most %(size)d MB each, %(num)d files at once. Checked by "
             "content, not by name.", kinds=", ".join(EXTENSIONS), size=limit_mb(),
             num=current_app.config.get("MAX_FILES_PER_UPLOAD") or 1)


def discard(staged):
    """Remove the temporary files of staged uploads not kept."""
    for item in staged:
        storage.discard(item.temp_path)


def put_in_place(staged):
    """Move staged uploads into the files folder; return them with their keys."""
    for item in staged:
        storage.put(item)
    return staged


def record_files(task, staged, user, attached_to, update=None, unit_id=None,
                 comment=None):
    """Add the rows of files put in place, attached to a task's record; flush."""
    rows = []
    for item in staged:
        row = StoredFile(
            task=task, attached_to=attached_to, task_update=update, unit_id=unit_id,
            original_name=item.name, content_type=item.kind.content_type,
            size=item.size, sha256=item.sha256, storage_key=item.storage_key,
            created_by=user,
        )
        if comment is not None:
            # Set only when there is one: the demo also loads on revisions whose
            # table has no comment_id yet.
            row.comment = comment
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def task_files(task):
    """Return the task's files that were not removed, oldest first (one statement)."""
    return db.session.scalars(
        select(StoredFile)
        .where(StoredFile.task_id == task.id, StoredFile.removed_at.is_(None))
        .options(selectinload(StoredFile.created_by), selectinload(StoredFile.unit))
        .order_by(StoredFile.id)
    ).all()


def comment_files(comment):
    """Return the comment's files that were not removed, oldest first."""
    return db.session.scalars(
        select(StoredFile)
        .where(StoredFile.comment_id == comment.id, StoredFile.removed_at.is_(None))
        .order_by(StoredFile.id)
    ).all()


def get_file_or_404(file_id):
    """Return a file of the board's tasks that was not removed, or abort with 404."""
    stored = db.session.scalar(
        select(StoredFile).where(StoredFile.id == file_id,
                                 StoredFile.removed_at.is_(None))
    )
    if stored is None:
        abort(404)
    return stored


def remove_file(stored, user):
    """Mark the file removed and record it in the task's history; flush.

    The row stays (who gave it, who removed it, when); the bytes go with
    delete_unused_bytes once the removal is committed.
    """
    stored.removed_at = utcnow()
    stored.removed_by = user
    update = TaskUpdate(task=stored.task, user=user, action="file_removed",
                        unit_id=stored.unit_id, note=stored.original_name)
    db.session.add(update)
    db.session.flush()
    return update


def delete_unused_bytes(key):
    """Delete the bytes of a key no file of any board still uses; tell if deleted."""
    used = db.session.scalar(
        select(StoredFile.id).where(StoredFile.storage_key == key,
                                    StoredFile.removed_at.is_(None)).limit(1),
        execution_options={"all_boards": True},
    )
    if used is not None:
        return False
    storage.delete(key)
    return True


def path_of(stored):
    """Return the path of a stored file's bytes."""
    return storage.path_of(stored.storage_key)


def by_update(files):
    """Return {task update id: [files]} of files attached to history entries."""
    grouped = {}
    for stored in files:
        if stored.task_update_id is not None:
            grouped.setdefault(stored.task_update_id, []).append(stored)
    return grouped


def by_comment(files):
    """Return {comment id: [files]} of files posted with comments."""
    grouped = {}
    for stored in files:
        if stored.comment_id is not None:
            grouped.setdefault(stored.comment_id, []).append(stored)
    return grouped
