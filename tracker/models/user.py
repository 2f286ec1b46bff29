"""Users, their role, and the units they report for."""
import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
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


class User(UserMixin, db.Model):
    """A person who signs in to the tracker."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    units: Mapped[list["Unit"]] = relationship(secondary=user_unit)  # noqa: F821

    def set_password(self, password):
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

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
