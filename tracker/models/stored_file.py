"""Evidence files (minutes, photos, signed reports) attached to a task's records."""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow

# What a file may be attached to. Each kind names the column that holds its owner:
# a progress report or a unit's share is a task_update row, a comment a comment row
# (the task, which decides who may see a file, is on every row).
ATTACHED_TO = {
    "progress": _l("Progress report"),
    "share": _l("Unit's share report"),
    "comment": _l("Comment"),
}


class StoredFile(db.Model):
    """One uploaded file: what it is, who gave it, and what it belongs to.

    The bytes live outside the database, under the files folder, at storage_key (a
    path derived from the content's SHA-256, never from the name the client sent).
    A removed file keeps its row, so the record of who removed it and when stays.
    """

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_task_removed", "task_id", "removed_at"),)
    __mapper_args__ = {"eager_defaults": False}  # see comment_id

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"))
    attached_to: Mapped[str] = mapped_column(String(20))
    task_update_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("task_update.id"), index=True
    )
    # The comment the file was posted with (comments only). Left to the database
    # unless set (server default, no eager defaults), so a file of a progress report
    # is stored the same way on a schema older than comments' files (the demo loads
    # on earlier revisions in the migration tests).
    comment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("comment.id"), index=True, server_default=text("NULL")
    )
    # The participating unit whose share the file documents (share reports only).
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    storage_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    removed_at: Mapped[Optional[dt.datetime]]
    removed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    task: Mapped["Task"] = relationship()  # noqa: F821
    task_update: Mapped[Optional["TaskUpdate"]] = relationship()  # noqa: F821
    comment: Mapped[Optional["Comment"]] = relationship()  # noqa: F821
    unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821
    created_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[created_by_id]
    )
    removed_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[removed_by_id]
    )

    @property
    def is_removed(self):
        """Tell whether the file was removed (its record stays)."""
        return self.removed_at is not None

    @property
    def attached_to_label(self):
        """Return the translated name of what the file is attached to."""
        return translated(ATTACHED_TO).get(self.attached_to, self.attached_to)

    def __repr__(self):
        return f"<StoredFile {self.id} {self.original_name!r}>"
