"""The "Dân vận khéo" registry: models of skilled mobilisation, and their history."""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated
from tracker.models.base import utcnow
from tracker.text import fold

INITIATIVE_FIELDS = {
    "economy": _l("Economy"),
    "culture_society": _l("Culture and society"),
    "defence_security": _l("Defence and security"),
    "political_system": _l("Building the political system"),
}

INITIATIVE_STATES = {
    "registered": _l("Registered"),
    "building": _l("Being built"),
    "reviewed": _l("Reviewed"),
    "recognised": _l("Recognised"),
    "dropped": _l("Dropped"),
}
INITIATIVE_STATE_COLOURS = {
    "registered": "secondary",
    "building": "primary",
    "reviewed": "info",
    "recognised": "success",
    "dropped": "dark",
}
# The state each state may move to next (recognition and dropping are final).
NEXT_STATES = {
    "registered": ("building", "dropped"),
    "building": ("reviewed", "dropped"),
    "reviewed": ("recognised", "building", "dropped"),
    "recognised": (),
    "dropped": (),
}

RECOGNITION_LEVELS = {
    "grassroots": _l("Grassroots level"),
    "district": _l("District level"),
    "province": _l("Province level"),
    "central": _l("Central level"),
}

INITIATIVE_ACTIONS = {
    "created": _l("Registered"),
    "edited": _l("Edited"),
    "building": _l("Building started"),
    "reviewed": _l("Reviewed"),
    "recognised": _l("Recognised"),
    "dropped": _l("Dropped"),
    "imported": _l("Imported count"),
}


class Initiative(db.Model):
    """A "Dân vận khéo" model a unit registered, followed until recognised or dropped.

    A row normally holds one model; a row marked is_imported holds a count typed by
    hand before models were recorded one by one (count may exceed 1); it belongs to
    the quarter whose task carried the count.
    """

    __tablename__ = "initiative"
    __table_args__ = (Index("ix_initiative_board_year", "board_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[Optional[int]] = mapped_column(ForeignKey("board.id"), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(20), default="economy")
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    commune: Mapped[str] = mapped_column(String(200), default="")
    # The commune without accents or case, which the list's filter matches against.
    commune_folded: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int]
    beneficiaries: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="registered")
    registered_on: Mapped[dt.date]
    level: Mapped[Optional[str]] = mapped_column(String(20))
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    recognised_on: Mapped[Optional[dt.date]]
    dropped_on: Mapped[Optional[dt.date]]
    drop_reason: Mapped[str] = mapped_column(Text, default="")
    # When the recognition was recorded: a closed quarter counts only what was
    # recorded before it closed, so its numbers never move.
    settled_at: Mapped[Optional[dt.datetime]]
    is_imported: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    # An imported count's quarter and the task whose numbers it was.
    quarter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quarter.id"),
                                                      index=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821
    quarter: Mapped[Optional["Quarter"]] = relationship()  # noqa: F821
    task: Mapped[Optional["Task"]] = relationship()  # noqa: F821
    created_by: Mapped[Optional["User"]] = relationship()  # noqa: F821
    updates: Mapped[list["InitiativeUpdate"]] = relationship(
        back_populates="initiative", order_by="InitiativeUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def field_label(self):
        """Return the translated field name."""
        return translated(INITIATIVE_FIELDS).get(self.field, self.field)

    @property
    def state_label(self):
        """Return the translated state name."""
        return translated(INITIATIVE_STATES).get(self.state, self.state)

    @property
    def state_colour(self):
        """Return the badge colour of the state."""
        return INITIATIVE_STATE_COLOURS.get(self.state, "secondary")

    @property
    def level_label(self):
        """Return the translated recognition level, or an empty string."""
        if not self.level:
            return ""
        return translated(RECOGNITION_LEVELS).get(self.level, self.level)

    @property
    def next_states(self):
        """Return the states the model may move to next."""
        return NEXT_STATES.get(self.state, ())

    @property
    def is_final(self):
        """Tell whether the model is recognised or dropped (no further step)."""
        return not self.next_states

    def __repr__(self):
        return f"<Initiative {self.id} {self.state}>"


@event.listens_for(Initiative, "before_insert")
@event.listens_for(Initiative, "before_update")
def _keep_commune_folded(mapper, connection, initiative):
    """Keep the folded commune in step with the commune."""
    initiative.commune_folded = fold(initiative.commune or "")[:200]


class InitiativeUpdate(db.Model):
    """One entry of a model's history: who changed what, and when. Never edited."""

    __tablename__ = "initiative_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"),
                                               index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    old_state: Mapped[Optional[str]] = mapped_column(String(20))
    new_state: Mapped[Optional[str]] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # "api" for a change made through the JSON API; None on the pages. Deferred and
    # left to the database's default, as TaskUpdate.via.
    via: Mapped[Optional[str]] = mapped_column(String(10), server_default=text("NULL"),
                                               deferred=True)
    __mapper_args__ = {"eager_defaults": False}

    initiative: Mapped[Initiative] = relationship(back_populates="updates")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def action_label(self):
        """Return the translated action name."""
        return translated(INITIATIVE_ACTIONS).get(self.action, self.action)

    @property
    def new_state_label(self):
        """Return the translated new state."""
        return translated(INITIATIVE_STATES).get(self.new_state, self.new_state or "")
