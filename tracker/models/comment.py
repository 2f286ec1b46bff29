"""Comments: a discussion thread on each task, and what their authors changed."""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import utcnow

# How long after posting its author may still correct a comment.
EDIT_WINDOW = dt.timedelta(minutes=15)


class Comment(db.Model):
    """One message of a task's discussion, in Markdown, by one person.

    Never deleted: people mentioned in it have been told, and the thread is part of
    the task's history. Its author may correct it for EDIT_WINDOW after posting; each
    earlier text is kept as a CommentRevision.
    """

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[Optional[dt.datetime]]

    task: Mapped["Task"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821
    revisions: Mapped[list["CommentRevision"]] = relationship(
        back_populates="comment", order_by="CommentRevision.id",
        cascade="all, delete-orphan",
    )

    @property
    def editable_until(self):
        """Return the time after which the comment can no longer be edited."""
        return self.created_at + EDIT_WINDOW

    def __repr__(self):
        return f"<Comment {self.id} on task {self.task_id}>"


class CommentRevision(db.Model):
    """A comment's text as it stood before an edit: who replaced it, and when."""

    __tablename__ = "comment_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The text before the edit.
    body: Mapped[str] = mapped_column(Text)
    # When the edit replaced it.
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821

