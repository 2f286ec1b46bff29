"""Sign-in sessions kept on the server, and the record of failed sign-ins.

Both live in the database so that every worker process and every server agrees on
them: a session ended on one is ended on all, and failed sign-ins counted by one are
counted by all.
"""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.models.base import utcnow

END_REASONS = {
    "signed_out": _l("Signed out"),
    "everywhere": _l("Signed out everywhere"),
    "ended": _l("Ended from the account page"),
    "password": _l("Password changed"),
    "deactivated": _l("Account deactivated"),
}
FAILURE_KINDS = {
    "sign_in": _l("Sign-in"),
    "password": _l("Current password, when changing it"),
}


class SignInSession(db.Model):
    """One signed-in browser: the session and remember-me cookies name it.

    The cookies hold a random key; only its SHA-256 digest is stored, so a copy of
    the database does not give anyone a way in. Ending the row ends the session on
    every server, whatever copies of the cookies exist.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    is_remembered: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[Optional[dt.datetime]]
    end_reason: Mapped[str] = mapped_column(String(20), default="")

    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def is_ended(self):
        """Tell whether the session has been ended."""
        return self.ended_at is not None


class FailedSignIn(db.Model):
    """One refused sign-in (or wrong current password): when, which name, from where.

    Counted for the sign-in limits, and kept as a record for the administrators.
    """

    __tablename__ = "failed_sign_in"
    __table_args__ = (
        Index("ix_failed_sign_in_username_created_at", "username", "created_at"),
        Index("ix_failed_sign_in_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # The name as tried, trimmed and case-folded: every spelling counts as one.
    username: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20), default="sign_in")
    # Set when an administrator lifted the limit: the row stays in the record but
    # no longer counts.
    cleared_at: Mapped[Optional[dt.datetime]]
