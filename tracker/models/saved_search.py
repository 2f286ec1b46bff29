"""A person's named set of search filters, kept per board and shown in the menu."""
import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import utcnow


class SavedSearch(db.Model):
    """The filters of a search (as its query string), named by the person who saved it.

    Each belongs to one person in one board: nobody else sees it, and another board's
    pages do not list it.
    """

    __tablename__ = "saved_search"
    __table_args__ = (
        UniqueConstraint("user_id", "board_id", "name",
                         name="uq_saved_search_user_board_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
