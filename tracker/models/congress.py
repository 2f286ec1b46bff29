"""Mass organisations' terms (nhiệm kỳ): each one's last congress, and its history."""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow
from tracker.text import to_roman

# The levels an organisation's congress is held at; the communes' come first.
CONGRESS_LEVELS = {
    "commune": _l("Commune (xã)"),
    "district": _l("District (huyện)"),
}
LEVEL_ORDER = {"commune": 0, "district": 1}

TERM_ACTIONS = {
    "created": _l("Term recorded"),
    "edited": _l("Term corrected"),
    "held": _l("Congress held: term moved forward"),
}


class CongressTerm(db.Model):
    """One organisation at one level: its last congress (number, date) and its term."""

    __tablename__ = "congress_term"
    __table_args__ = (
        UniqueConstraint("board_id", "organisation", name="uq_congress_term_board_org"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    # The name a congress task names it by: "Hội Nông dân huyện Sơn Tịnh".
    organisation: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20), default="district")
    # The unit that leads its congress (the plan's lead unit), if it is one.
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    # The last congress held: its number, its term and its date.
    ordinal: Mapped[int]
    term_start: Mapped[int]
    term_end: Mapped[int]
    last_held_on: Mapped[Optional[dt.date]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821
    updated_by: Mapped[Optional["User"]] = relationship()  # noqa: F821
    changes: Mapped[list["CongressTermChange"]] = relationship(
        back_populates="term", order_by="CongressTermChange.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def level_label(self):
        """Return the translated level."""
        return translated(CONGRESS_LEVELS).get(self.level, self.level)

    @property
    def ordinal_roman(self):
        """Return the last congress's number in Roman numerals."""
        return to_roman(self.ordinal)

    @property
    def term_label(self):
        """Return the current term, e.g. "2023–2028"."""
        return f"{self.term_start}–{self.term_end}"

    def __repr__(self):
        return f"<CongressTerm {self.organisation!r} {self.ordinal}>"


class CongressTermChange(db.Model):
    """One change of a term: who, when, what (old → new). Never edited."""

    __tablename__ = "congress_term_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("congress_term.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The congress task whose holding moved the term forward.
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    term: Mapped[CongressTerm] = relationship(back_populates="changes")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
    task: Mapped[Optional["Task"]] = relationship()  # noqa: F821

    @property
    def action_label(self):
        """Return the translated action."""
        return translated(TERM_ACTIONS).get(self.action, self.action)
