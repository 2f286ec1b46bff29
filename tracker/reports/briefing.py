"""The quarter's briefing meeting (hội nghị trực báo): its record and what reads it.

The meeting's date is the quarter's briefing_on; the rest lives in BriefingMeeting and
its proposals. A closed quarter's record never changes (the guard refuses it too).
"""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import BriefingMeeting, BriefingProposal, Task
from tracker.models.audit import record

MEETING_FIELDS = ("place", "chair_name", "chair_title", "attendees")


def get_meeting(quarter):
    """Return the quarter's meeting record, or None if nothing was entered yet."""
    if quarter is None or quarter.id is None:
        return None
    return db.session.scalar(
        select(BriefingMeeting).where(BriefingMeeting.quarter_id == quarter.id)
    )


def meeting_task(quarter):
    """Return the quarter's meeting task held on the briefing date, or None."""
    if quarter is None or quarter.briefing_on is None:
        return None
    return db.session.scalar(
        select(Task).where(
            Task.quarter_id == quarter.id, Task.kind == "meeting",
            Task.held_on == quarter.briefing_on, Task.is_archived.is_(False),
        ).order_by(Task.id).limit(1)
    )


def proposal_rows(meeting):
    """Return [(addressee, text)] of the meeting's proposals, in their order."""
    if meeting is None:
        return []
    return [(row.addressee, row.text) for row in meeting.proposals]


def save_meeting(quarter, data, user):
    """Store the meeting's date, place, chair, attendees and proposals; audit it.

    data holds briefing_on, the MEETING_FIELDS and proposals as [(addressee, text)].
    """
    meeting = get_meeting(quarter)
    changed = []
    if meeting is None:
        meeting = BriefingMeeting(quarter=quarter, **dict.fromkeys(MEETING_FIELDS, ""))
        db.session.add(meeting)
    if quarter.briefing_on != data["briefing_on"]:
        quarter.briefing_on = data["briefing_on"]
        changed.append("briefing_on")
    for name in MEETING_FIELDS:
        if getattr(meeting, name) != data[name]:
            setattr(meeting, name, data[name])
            changed.append(name)
    proposals = [(addressee, text) for addressee, text in data["proposals"] if text]
    if proposals != proposal_rows(meeting):
        meeting.proposals = [
            BriefingProposal(position=index, addressee=addressee, text=text)
            for index, (addressee, text) in enumerate(proposals)
        ]
        changed.append("proposals")
    meeting.updated_by_id = user.id if getattr(user, "is_authenticated", False) \
        else None
    db.session.flush()
    if changed:
        record(quarter, "briefing", user, changes={"fields": sorted(changed)})
    return meeting
