"""The audit log: who changed a quarter, a unit or a user, what, and when.

Tasks keep their own history (TaskUpdate); the administrators' log shows both.
"""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow

AUDIT_ACTIONS = {
    "created": _l("Created"),
    "updated": _l("Updated"),
    "state": _l("State changed"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "approved": _l("Approved"),
    "recomputed": _l("Figures recomputed under the rules for closed quarters"),
    "imported": _l("Plan imported"),
    "report": _l("Report settings changed"),
    "briefing": _l("Briefing meeting recorded"),
    "deactivated": _l("Deactivated"),
    "reactivated": _l("Reactivated"),
    "password_reset": _l("Password reset"),
    "merged": _l("Boards merged"),
    "member": _l("Membership changed"),
    "members": _l("Group members changed"),
}


class AuditEvent(db.Model):
    """One recorded change to a quarter, unit or user. Never edited."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The board the change was made in (its administrators see it).
    board_id: Mapped[Optional[int]] = mapped_column(ForeignKey("board.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    # "api" for a change made through the JSON API; None on the pages. Deferred and
    # left to the database's default, as TaskUpdate.via.
    via: Mapped[Optional[str]] = mapped_column(String(10), server_default=text("NULL"),
                                               deferred=True)
    __mapper_args__ = {"eager_defaults": False}

    user: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def action_label(self):
        """Return the translated action name."""
        return translated(AUDIT_ACTIONS).get(self.action, self.action)


def record(entity, action, user, changes=None, note=""):
    """Append an audit event for a quarter, unit or user and return it."""
    event = AuditEvent(
        entity_type=entity.__tablename__, entity_id=entity.id, action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        changes=changes, note=note or "",
    )
    db.session.add(event)
    return event
