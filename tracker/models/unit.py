"""Units: the board, the Front, mass organisations, commune Party committees."""
from typing import Optional

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import translated

UNIT_KINDS = {
    "party_board": _l("Party board"),
    "party_committee": _l("Party committee"),
    "front": _l("Fatherland Front"),
    "mass_org": _l("Socio-political organisation"),
    "commune_party_committee": _l("Commune Party committee"),
    "government_office": _l("Government office"),
    # A body outside the board's system (the district propaganda board, the Party
    # office, the provincial board): it may lead or coordinate, has no accounts and
    # is not scored.
    "external": _l("Outside body (not scored)"),
    # A named group of units ("Khối Dân vận", "Các cơ sở") that leads or coordinates
    # as one: a task given to it fans out to its members, who are scored for their
    # shares; the group itself has no accounts and is not scored.
    "group": _l("Group of units (not scored)"),
    "other": _l("Other"),
}
EXTERNAL = "external"
GROUP = "group"
# Kinds whose units are named on tasks but never scored nor given accounts.
UNSCORED = (EXTERNAL, GROUP)

# The members of a group (a unit of kind "group").
unit_group_member = Table(
    "unit_group_member",
    db.metadata,
    Column("group_id", ForeignKey("unit.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True,
           index=True),
)


class Unit(db.Model):
    """A responsible unit that leads or coordinates tasks."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("board_id", "name", name="uq_unit_board_name"),
        UniqueConstraint("board_id", "short_name", name="uq_unit_board_short_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The board whose unit it is; none for an outside body every board may name.
    board_id: Mapped[Optional[int]] = mapped_column(ForeignKey("board.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40), default="other")
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Optional["Unit"]] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list["Unit"]] = relationship(
        back_populates="parent", order_by="Unit.sort_order"
    )
    # A group's members (empty for any other unit).
    members: Mapped[list["Unit"]] = relationship(
        secondary=unit_group_member,
        primaryjoin=lambda: Unit.id == unit_group_member.c.group_id,
        secondaryjoin=lambda: Unit.id == unit_group_member.c.unit_id,
        order_by=lambda: (Unit.sort_order, Unit.name),
    )

    @property
    def is_external(self):
        """Tell whether the unit is an outside body: no accounts, not scored."""
        return self.kind == EXTERNAL

    @property
    def is_group(self):
        """Tell whether the unit is a group of units that acts as one."""
        return self.kind == GROUP

    @property
    def is_scored(self):
        """Tell whether the unit has a scorecard (not an outside body nor a group)."""
        return self.kind not in UNSCORED

    @property
    def kind_label(self):
        """Return the translated name of the unit's kind."""
        return translated(UNIT_KINDS).get(self.kind, self.kind)

    def __repr__(self):
        return f"<Unit {self.short_name}>"
