"""Users, their role, and the units they report for."""
import datetime as dt

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow

USER_ROLES = {
    "admin": _l("Administrator"),
    "leader": _l("Leader"),
    "staff": _l("Staff"),
    "viewer": _l("Viewer"),
}

user_unit = Table(
    "user_unit",
    db.metadata,
    Column("user_id", ForeignKey("user.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


def hash_method():
    """Return the password hashing method (werkzeug's scrypt unless configured)."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class User(UserMixin, db.Model):
    """A person who signs in to the tracker."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    # The board the user works in, and their role there; roles in other boards are
    # memberships (BoardMember).
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    # Manages the boards of the whole installation (and administers every board).
    is_installation_admin: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false()
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    units: Mapped[list["Unit"]] = relationship(secondary=user_unit)  # noqa: F821
    board: Mapped["Board"] = relationship()  # noqa: F821
    memberships: Mapped[list["BoardMember"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    # The sign-in session this object was loaded for (tracker.auth.sessions), and the
    # key its cookies hold; not columns: set per request.
    sign_in = None
    session_key = None

    def set_password(self, password):
        """Store a salted hash of the password and end every session of the user."""
        self.password_hash = generate_password_hash(password, method=hash_method())
        self.end_sessions("password")

    def check_password(self, password):
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def end_sessions(self, reason):
        """End every signed-in session of this user, on every server."""
        from tracker.auth.sessions import end_all

        if self.id is not None:
            end_all(self, reason)

    def get_id(self):
        """Return the id Flask-Login keeps in both cookies: "<id>:<session key>"."""
        return f"{self.id}:{self.session_key or ''}"

    @property
    def role_label(self):
        """Return the translated role name."""
        return translated(USER_ROLES).get(self.role, self.role)

    @property
    def display_name(self):
        """Return the full name, or the username if none is given."""
        return self.full_name or self.username

    def __repr__(self):
        return f"<User {self.username}>"
