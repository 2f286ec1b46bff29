"""Quarters: the calendar quarter a board plans, follows and closes."""
import datetime as dt
import re
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.i18n import quarter_label
from tracker.models.base import utcnow

QUARTER_STATES = {
    "planning": _l("Planning"),
    "active": _l("In progress"),
    "closed": _l("Closed"),
}

KEY_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_key(key):
    """Return (year, number) for "2023-Q2", or None if the key is malformed."""
    match = KEY_PATTERN.match(key or "")
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        return None
    return year, number


def following_key(year, number):
    """Return (year, number) of the quarter after the given one."""
    return (year + 1, 1) if number == 4 else (year, number + 1)


class QuarterNames:
    """A quarter's key and label, from its year and number attributes."""

    @property
    def key(self):
        """Return the URL key, e.g. "2023-Q2"."""
        return f"{self.year}-Q{self.number}"

    @property
    def label(self):
        """Return the display label, e.g. "Quý II/2023"."""
        return quarter_label(self.year, self.number)


class QuarterChoice(QuarterNames):
    """A quarter as a picker offers it: its id, key and label, nothing else."""

    __slots__ = ("id", "year", "number")

    def __init__(self, id, year, number):  # noqa: A002  (the column's name)
        self.id, self.year, self.number = id, year, number


class Quarter(QuarterNames, db.Model):
    """One calendar quarter of a board's work."""

    __tablename__ = "quarter"
    __table_args__ = (
        UniqueConstraint("board_id", "year", "number", name="uq_quarter_board_year_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    # active_history: the guard needs the stored state even if it was not loaded.
    state: Mapped[str] = mapped_column(
        String(20), default="planning", active_history=True
    )
    briefing_on: Mapped[Optional[dt.date]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[Optional[dt.datetime]]
    approved_at: Mapped[Optional[dt.datetime]]
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The list's numbers as they stood when the quarter closed (tasks per status and
    # timeliness class, rate, carried in and out): a closed quarter's record does not
    # change, so the quarter list and the comparisons read these instead of counting
    # the quarter's tasks again. Cleared when the quarter is reopened.
    closed_counts: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    board: Mapped["Board"] = relationship()  # noqa: F821
    approved_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[approved_by_id]
    )
    closed_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[closed_by_id]
    )

    @property
    def starts_on(self):
        """Return the first day of the quarter."""
        return dt.date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def ends_on(self):
        """Return the last day of the quarter."""
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    @property
    def is_closed(self):
        """Tell whether the quarter is closed (and so read-only)."""
        return self.state == "closed"

    @property
    def is_approved(self):
        """Tell whether a leader has approved the closed quarter's summary."""
        return self.approved_at is not None

    @property
    def state_label(self):
        """Return the translated state name."""
        return translated(QUARTER_STATES).get(self.state, self.state)

    @property
    def closed_cutoff(self):
        """Return the day a closed quarter is judged at: the day after its last day.

        Work due inside the quarter and unfinished at its close is then overdue for
        good; judged on the last day itself it would still be "within its deadline".
        """
        return self.ends_on + dt.timedelta(days=1)

    def cutoff(self, as_of):
        """Return the date figures are judged at: as_of, or the closed quarter's own."""
        if self.is_closed:
            return self.closed_cutoff
        return as_of

    def next_key(self):
        """Return (year, number) of the following quarter."""
        return following_key(self.year, self.number)

    def previous_key(self):
        """Return (year, number) of the preceding quarter."""
        if self.number == 1:
            return self.year - 1, 4
        return self.year, self.number - 1

    def __repr__(self):
        return f"<Quarter {self.key}>"
