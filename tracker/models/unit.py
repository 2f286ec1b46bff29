"""Units: the board, the Front, mass organisations, commune Party committees."""
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
    "other": _l("Other"),
}
EXTERNAL = "external"


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

    @property
    def is_external(self):
        """Tell whether the unit is an outside body: no accounts, not scored."""
        return self.kind == EXTERNAL

    @property
    def kind_label(self):
        """Return the translated name of the unit's kind."""
        return translated(UNIT_KINDS).get(self.kind, self.kind)

    def __repr__(self):
        return f"<Unit {self.short_name}>"
