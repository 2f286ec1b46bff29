"""Petitions (ý kiến, kiến nghị) raised by citizens at dialogues, and their history."""
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

PETITION_FIELDS = {
    "land": _l("Land"),
    "compensation": _l("Compensation and site clearance"),
    "policy": _l("Policies"),
    "environment": _l("Environment"),
    "infrastructure": _l("Infrastructure"),
    "other": _l("Other"),
}

PETITION_STATES = {
    "received": _l("Received"),
    "forwarded": _l("Forwarded"),
    "answered": _l("Answered"),
    "closed": _l("Closed without answer"),
}
PETITION_STATE_COLOURS = {
    "received": "secondary",
    "forwarded": "primary",
    "answered": "success",
    "closed": "dark",
}
# States in which a petition still waits for its answer.
OPEN_STATES = ("received", "forwarded")

# Kinds of task that meet citizens and so may hold petitions; "other" covers a
# meeting the plan did not file under a kind.
PETITION_KINDS = ("dialogue", "democracy", "mobilisation", "other")

PETITION_ACTIONS = {
    "created": _l("Recorded"),
    "edited": _l("Edited"),
    "forwarded": _l("Forwarded"),
    "answered": _l("Answered"),
    "closed": _l("Closed without answer"),
    "imported": _l("Imported count"),
}


class Petition(db.Model):
    """What citizens raised at a dialogue, followed until it is answered or closed.

    A row normally holds one petition; a row marked is_imported holds a count typed
    by hand before petitions were recorded one by one (count > 1).
    """

    __tablename__ = "petition"
    __table_args__ = (Index("ix_petition_state_due", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    citizen: Mapped[str] = mapped_column(String(200), default="")
    commune: Mapped[str] = mapped_column(String(200), default="")
    # The commune without accents or case, which the list's filter matches against.
    commune_folded: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str] = mapped_column(String(20), default="other")
    # The body that must answer: one of the units (outside bodies are units of kind
    # "external"), or a body named in words.
    answering_unit_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("unit.id"), index=True
    )
    answering_body: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[Optional[dt.date]]
    state: Mapped[str] = mapped_column(String(20), default="received")
    forwarded_on: Mapped[Optional[dt.date]]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[Optional[dt.date]]
    close_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[Optional[dt.date]]
    # When the answer or the close was recorded: a quarter's figures count only what
    # was recorded by its cut-off, so a closed quarter's numbers never move.
    settled_at: Mapped[Optional[dt.datetime]]
    is_imported: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped["Task"] = relationship()  # noqa: F821
    answering_unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821
    created_by: Mapped[Optional["User"]] = relationship()  # noqa: F821
    updates: Mapped[list["PetitionUpdate"]] = relationship(
        back_populates="petition", order_by="PetitionUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def field_label(self):
        """Return the translated field name."""
        return translated(PETITION_FIELDS).get(self.field, self.field)

    @property
    def state_label(self):
        """Return the translated state name."""
        return translated(PETITION_STATES).get(self.state, self.state)

    @property
    def state_colour(self):
        """Return the badge colour of the state."""
        return PETITION_STATE_COLOURS.get(self.state, "secondary")

    @property
    def body_name(self):
        """Return the name of the body that must answer, or an empty string."""
        if self.answering_unit is not None:
            return self.answering_unit.name
        return self.answering_body

    @property
    def is_open(self):
        """Tell whether the petition still waits for its answer."""
        return self.state in OPEN_STATES

    def is_overdue(self, day):
        """Tell whether the answer is due before the day and has not come."""
        return self.is_open and self.due_on is not None and self.due_on < day

    def answered_on_time(self):
        """Tell whether the answer came by its due date (no due date: on time)."""
        if self.state != "answered" or self.answered_on is None:
            return False
        return self.due_on is None or self.answered_on <= self.due_on

    def __repr__(self):
        return f"<Petition {self.id} {self.state}>"


@event.listens_for(Petition, "before_insert")
@event.listens_for(Petition, "before_update")
def _keep_commune_folded(mapper, connection, petition):
    """Keep the folded commune in step with the commune."""
    petition.commune_folded = fold(petition.commune or "")[:200]


class PetitionUpdate(db.Model):
    """One entry of a petition's history: who changed what, and when. Never edited."""

    __tablename__ = "petition_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id"), index=True)
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

    petition: Mapped[Petition] = relationship(back_populates="updates")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def action_label(self):
        """Return the translated action name."""
        return translated(PETITION_ACTIONS).get(self.action, self.action)

    @property
    def new_state_label(self):
        """Return the translated new state."""
        return translated(PETITION_STATES).get(self.new_state, self.new_state or "")
