"""The demo shows follow-up: acknowledgements, a late one, watchers, extensions."""
import datetime as dt

from sqlalchemy import select

from tracker.figures.services import compute, quarter_rows
from tracker.models import DeadlineExtension, Quarter, Watch


def test_the_live_demo_shows_follow_up(live_demo):
    db = live_demo
    states = sorted(row.state for row in db.session.scalars(select(DeadlineExtension)))
    assert states == ["approved", "pending"]
    approved = db.session.scalar(select(DeadlineExtension).where(
        DeadlineExtension.state == "approved"))
    assert approved.task.extended_due_on == approved.proposed_on
    assert approved.task.due_on == approved.previous_due_on
    current = db.session.scalar(select(Quarter).where(Quarter.year == 2026,
                                                      Quarter.number == 4))
    figures = compute(current, quarter_rows(current), dt.date(2026, 11, 18))
    assert 1 <= figures["unacknowledged_count"] <= 6
    assert db.session.scalar(select(Watch).where(Watch.quarter_id == current.id))
