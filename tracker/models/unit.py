"""Units: the board, the Front, mass organisations, communes and the levels below."""
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
    # The level below a commune (placed under it): a village (thôn) or, in a town,
    # a residential group (tổ dân phố). Shares can be given to them like any unit.
    "village": _l("Village (thôn)"),
    "residential_group": _l("Residential group"),
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
COMMUNE = "commune_party_committee"
# Kinds of the level below a commune: named "Commune › Village" wherever units
# are listed together, so that two boards' "Thôn 1" are told apart.
BELOW_COMMUNE = ("village", "residential_group")
# Separates a unit from the units above it in a label ("ĐU Tịnh Trà › Thôn An Lộc").
PATH_SEPARATOR = " › "

# The members of a group (a unit of kind "group").
unit_group_member = Table(
    "unit_group_member",
    db.metadata,
    Column("group_id", ForeignKey("unit.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True,
           index=True),
)


def subtree_ids(unit_id, units):
    """Return the unit's id and the ids of every unit below it, given all the units.

    units are Unit objects or unit rows (anything with id and parent_id); a loop
    in the parent links (which the admin forms refuse) ends the walk.
    """
    children = {}
    for item in units:
        children.setdefault(item.parent_id, []).append(item.id)
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, ()))
    return found


def ancestor_ids(unit_id, by_id):
    """Return the ids of the units above the unit, nearest first.

    by_id is {id: unit or unit row}; the walk stops before a unit it does not know
    and at a loop in the parent links.
    """
    found = []
    unit = by_id.get(unit_id)
    while unit is not None and unit.parent_id is not None:
        parent_id = unit.parent_id
        if parent_id in found or parent_id == unit_id or parent_id not in by_id:
            break
        found.append(parent_id)
        unit = by_id[parent_id]
    return found


def path_labels(units, by_id=None):
    """Return {unit id: the name a list shows}: its name, and for a unit of the
    level below a commune, the short names of the units above it down to it
    ("ĐU Tịnh Trà › Chi bộ thôn Trà Bình"), from its commune (or its top) on.

    units are Unit objects or unit rows; by_id ({id: unit}) finds the units above
    them (by default, the units themselves).
    """
    if by_id is None:
        by_id = {unit.id: unit for unit in units}
    labels = {}
    for unit in units:
        if unit.kind not in BELOW_COMMUNE:
            labels[unit.id] = unit.name
            continue
        above = []
        for parent_id in ancestor_ids(unit.id, by_id):
            parent = by_id[parent_id]
            above.append(parent.short_name)
            if parent.kind not in BELOW_COMMUNE:
                break
        labels[unit.id] = PATH_SEPARATOR.join(list(reversed(above)) + [unit.name])
    return labels


def listed(units, by_id=None):
    """Return [(unit, label)] in the units' order, each unit of the level below a
    commune moved to just after its commune (its own level's in tree order),
    labelled with the units above it (path_labels).

    A list of checkboxes or options then reads "ĐU Tịnh Trà", "ĐU Tịnh Trà › Chi
    bộ thôn Trà Bình", … A unit whose commune is not listed stays where it was.
    """
    units = list(units)
    if by_id is None:
        by_id = {unit.id: unit for unit in units}
    labels = path_labels(units, by_id)
    shown = {unit.id for unit in units}
    anchored = {}  # the nearest listed unit above, not of the level below
    for unit in units:
        if unit.kind not in BELOW_COMMUNE:
            continue
        for parent_id in ancestor_ids(unit.id, by_id):
            parent = by_id[parent_id]
            if parent.kind not in BELOW_COMMUNE:
                if parent_id in shown:
                    anchored[unit.id] = parent_id
                break
    below = {}
    for unit in units:
        if unit.id in anchored:
            below.setdefault(anchored[unit.id], []).append(unit)
    ordered = []
    for unit in units:
        if unit.id in anchored:
            continue
        ordered.append((unit, labels[unit.id]))
        # In tree order below it: by the labels, which name each level's parents.
        ordered += sorted(
            ((item, labels[item.id]) for item in below.get(unit.id, ())),
            key=lambda pair: _tree_key(pair[0], by_id))
    return ordered


def _tree_key(unit, by_id):
    """Return a key that sorts units of one commune in tree order."""
    chain = [unit] + [by_id[i] for i in ancestor_ids(unit.id, by_id)]
    return [(item.sort_order, item.name, item.id) for item in reversed(chain)]


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
