"""Who watches a task or a quarter: told of its progress reports."""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import utcnow


class Watch(db.Model):
    """A person's choice to follow (or, for the lead's staff, not follow) a record.

    One row per person and task, or person and quarter. The staff of a task's lead
    unit watch it without a row; a row with is_watching false is how they stop.
    """

    __tablename__ = "watch"
    __table_args__ = (
        UniqueConstraint("user_id", "task_id", name="uq_watch_user_task"),
        UniqueConstraint("user_id", "quarter_id", name="uq_watch_user_quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id"), index=True)
    quarter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quarter.id"),
                                                      index=True)
    is_watching: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
