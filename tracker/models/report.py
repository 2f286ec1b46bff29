"""What the briefing report needs besides the tasks: who issues it, and each quarter's
number, date, signer and the parts staff write by hand.

Names, codes and the place are data, not constants: boards merge and districts are
abolished, and the same code must then print the new names.
"""
import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.models.base import utcnow

SIGNER_TITLES = {
    "head": _l("Head of the board (TRƯỞNG BAN)"),
    "deputy": _l("Deputy signing for the head (K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN)"),
}


class Organisation(db.Model):
    """What a board prints on its reports: one row per board."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"), unique=True)
    # "HUYỆN ỦY SƠN TỊNH": the body the board belongs to.
    superior_body: Mapped[str] = mapped_column(String(200), default="")
    # "BAN DÂN VẬN": the board that issues the report.
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    # "BDVHU": the code in document symbols ("15-BC/BDVHU") and "Lưu BDVHU".
    issuer_code: Mapped[str] = mapped_column(String(30), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    # The board itself in the unit list: its own tasks need no "lead unit" note.
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821

    @property
    def is_complete(self):
        """Tell whether the names a report header needs are all set."""
        return bool(self.superior_body and self.issuing_body and self.issuer_code)


class QuarterReport(db.Model):
    """The settings of one quarter's briefing report, kept so an export can repeat."""

    __tablename__ = "quarter_report"
    # lead_in is read when asked for, not fetched back by every insert.
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id"), unique=True)
    # "15-BC/BDVHU": number and symbol, printed after "Số".
    number: Mapped[str] = mapped_column(String(60), default="")
    issued_on: Mapped[Optional[dt.date]]
    place: Mapped[str] = mapped_column(String(100), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(20), default="head")
    recipients: Mapped[str] = mapped_column(Text, default="")
    # The bold line under "BÁO CÁO".
    summary_line: Mapped[str] = mapped_column(String(500), default="")
    public_mood: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    shortcomings: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    # The paragraph under the title ("Thực hiện Chương trình công tác năm …"); empty
    # means the one built from the quarter's data. No default on the Python side: an
    # insert that does not name it leaves it to the database (the demo loads into
    # older schemas in the migration tests).
    lead_in: Mapped[str] = mapped_column(Text, server_default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    quarter: Mapped["Quarter"] = relationship()  # noqa: F821
    updated_by: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def signer_title_label(self):
        """Return the translated name of the signer's title."""
        return SIGNER_TITLES.get(self.signer_title, self.signer_title)


class ImportUpload(db.Model):
    """An uploaded plan file waiting for the user to confirm its import.

    Kept in the database rather than on disk so that any app server behind a load
    balancer can confirm what another one previewed; the file is parsed again on
    confirm, so nothing the browser sends back is trusted.
    """

    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    quarter: Mapped["Quarter"] = relationship()  # noqa: F821


class BriefingMeeting(db.Model):
    """The quarter's briefing meeting (hội nghị trực báo): where, who chaired, who came.

    Its date is the quarter's briefing_on; its proposals are BriefingProposal rows.
    """

    __tablename__ = "briefing_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id"), unique=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    # "Nguyễn Văn Lãnh" and the capacity he chaired in, "Trưởng Ban Dân vận Huyện ủy".
    chair_name: Mapped[str] = mapped_column(String(200), default="")
    chair_title: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    quarter: Mapped["Quarter"] = relationship()  # noqa: F821
    proposals: Mapped[list["BriefingProposal"]] = relationship(
        back_populates="meeting", order_by="BriefingProposal.position",
        cascade="all, delete-orphan",
    )


class BriefingProposal(db.Model):
    """A proposal raised at the briefing meeting, and the body it is addressed to."""

    __tablename__ = "briefing_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("briefing_meeting.id"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    # "Thường trực Huyện ủy": who the proposal goes to.
    addressee: Mapped[str] = mapped_column(String(200), default="")

    meeting: Mapped["BriefingMeeting"] = relationship(back_populates="proposals")
