"""In-app notifications: what a person should know about, once per event."""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import utcnow


class Notification(db.Model):
    """One notice to one person: a task given to their unit, a deadline, a report.

    key names the event (the task and unit given, the due date and the days before
    it, the history row reported); the database keeps one row per key and person, so
    a reminder computed twice, or by two servers at once, is written once.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notification_user_key"),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_unmailed", "mailed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id"), index=True)
    quarter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quarter.id"))
    # What the message says, as it stood at the event (title, unit, date, author).
    data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[dt.datetime]]
    # Set when the notice is mailed, or claimed for it (tracker.notifications.mail).
    mailed_at: Mapped[Optional[dt.datetime]]

    @property
    def is_read(self):
        """Tell whether the person has marked the notice read."""
        return self.read_at is not None

    def __repr__(self):
        return f"<Notification {self.kind} {self.key}>"


class MailPreference(db.Model):
    """Where a person's notices are mailed and how: at once, in a daily digest, or not.

    A table beside the accounts (one row per person who chose), so accounts read
    and written everywhere else do not carry it.
    """

    __tablename__ = "mail_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    # "immediately", "daily" or "off" (tracker.notifications.mail.FREQUENCIES).
    frequency: Mapped[str] = mapped_column(String(12), default="immediately")
    # The day the person's last digest went out (claimed once a day).
    digest_on: Mapped[Optional[dt.date]]
