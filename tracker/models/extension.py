"""Deadline extensions: a lead unit's request for a later due date, and its decision."""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow

EXTENSION_STATES = {
    "pending": _l("Awaiting a decision"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
}
EXTENSION_STATE_COLOURS = {"pending": "warning", "approved": "success",
                           "refused": "secondary"}


class DeadlineExtension(db.Model):
    """One request to move a task's due date, kept with its decision for good.

    previous_due_on is the date the task was judged by when asked (the plan's, or an
    earlier extension's), so the approved rows in order are every due date it had.
    """

    __tablename__ = "deadline_extension"
    __table_args__ = (Index("ix_deadline_extension_state", "state", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    previous_due_on: Mapped[Optional[dt.date]]
    proposed_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[dt.datetime]]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    task: Mapped["Task"] = relationship()  # noqa: F821
    requested_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[requested_by_id])
    decided_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[decided_by_id])

    @property
    def is_pending(self):
        """Tell whether the request still awaits a leader's decision."""
        return self.state == "pending"

    @property
    def state_label(self):
        """Return the translated state."""
        return translated(EXTENSION_STATES).get(self.state, self.state)

    @property
    def state_colour(self):
        """Return the badge colour of the state."""
        return EXTENSION_STATE_COLOURS.get(self.state, "secondary")

    def __repr__(self):
        return f"<DeadlineExtension {self.id} {self.state} {self.proposed_on}>"
