"""Boards: the issuing bodies one installation serves, in a tree.

A province's Ban Dân vận, its districts' boards below it, and the communes'
mass-mobilisation blocs below those. Each board owns its quarters (and so their tasks),
its own units, its report settings and its members; a parent board reads its children's
records without changing them. Boards are data: when districts merge, the absorbed
board stays with its quarters exactly as issued and points at the one that continues.
"""
import datetime as dt
import re
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow

BOARD_LEVELS = {
    "province": _l("Province"),
    "district": _l("District"),
    "commune": _l("Commune bloc"),
}

# The code is part of addresses (/b/<code>/…): lower-case letters, digits and hyphens.
CODE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class Board(db.Model):
    """One issuing body (a Ban Dân vận) and its place in the tree of boards."""

    __tablename__ = "board"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), default="district")
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("board.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when the board was merged into another: its quarters stay as issued, read
    # only, and the other board continues its work from the quarter named here.
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("board.id"))
    continues_from: Mapped[Optional[str]] = mapped_column(String(7))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Optional["Board"]] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list["Board"]] = relationship(
        foreign_keys=[parent_id], back_populates="parent",
        order_by="(Board.sort_order, Board.name)",
    )
    merged_into: Mapped[Optional["Board"]] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )

    @property
    def level_label(self):
        """Return the translated name of the board's level."""
        return translated(BOARD_LEVELS).get(self.level, self.level)

    @property
    def is_merged(self):
        """Tell whether the board was merged into another (and so is read-only)."""
        return self.merged_into_id is not None

    def __repr__(self):
        return f"<Board {self.code}>"


class BoardMember(db.Model):
    """A user's role in a board other than their home board."""

    __tablename__ = "board_member"
    __table_args__ = (UniqueConstraint("user_id", "board_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="viewer")

    board: Mapped[Board] = relationship()
    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
