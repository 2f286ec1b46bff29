"""Personal access tokens: how scripts and other systems call the API as a user."""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.models.base import utcnow

TOKEN_SCOPES = {
    "read": _l("Read only"),
    "write": _l("Read and write"),
}


class ApiToken(db.Model):
    """A token that signs its user in to the API (never to the pages).

    Only the SHA-256 digest of the secret is stored: the token is shown once, when it
    is made. It acts with its user's role and units in their home board; a "read"
    token may only read.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, to tell one's tokens apart on the page.
    prefix: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[Optional[dt.datetime]]
    expires_on: Mapped[Optional[dt.date]]
    revoked_at: Mapped[Optional[dt.datetime]]

    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def scope_label(self):
        """Return the translated scope."""
        return str(TOKEN_SCOPES.get(self.scope, self.scope))

    @property
    def may_write(self):
        """Tell whether the token's scope allows changes."""
        return self.scope == "write"

    def is_usable(self, today):
        """Tell whether the token still signs its user in on the day."""
        if self.revoked_at is not None:
            return False
        return self.expires_on is None or today <= self.expires_on

    def __repr__(self):
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"


class CalendarToken(db.Model):
    """The secret address of a person's calendar feed (/me/calendar.ics?token=…).

    As with API tokens, only the SHA-256 digest is stored and the token is shown
    once. A person has at most one usable token: making a new one revokes the old.
    """

    __tablename__ = "calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[Optional[dt.datetime]]

    user: Mapped["User"] = relationship()  # noqa: F821
