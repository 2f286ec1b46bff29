"""Reading and changing quarters."""
from flask import abort
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Quarter, Task, parse_key
from tracker.models.audit import record


def get_quarter_or_404(key):
    """Return the quarter for a key like "2023-Q2", or abort with 404."""
    parsed = parse_key(key)
    if parsed is None:
        abort(404)
    quarter = db.session.scalar(
        select(Quarter).where(Quarter.year == parsed[0], Quarter.number == parsed[1])
    )
    if quarter is None:
        abort(404)
    return quarter


def find_quarter(year, number):
    """Return the quarter for year and number, or None."""
    return db.session.scalar(
        select(Quarter).where(Quarter.year == year, Quarter.number == number)
    )


def list_quarters():
    """Return every quarter, newest first."""
    return db.session.scalars(
        select(Quarter).order_by(Quarter.year.desc(), Quarter.number.desc())
    ).all()


def status_counts_by_quarter():
    """Return {quarter_id: {status: count}} for every quarter, in one query."""
    rows = db.session.execute(
        select(Task.quarter_id, Task.status, func.count())
        .where(Task.is_archived.is_(False))
        .group_by(Task.quarter_id, Task.status)
    )
    counts = {}
    for quarter_id, status, count in rows:
        counts.setdefault(quarter_id, {})[status] = count
    return counts


def create_quarter(year, number, user=None):
    """Add a quarter in the planning state, record it, and return it."""
    quarter = Quarter(year=year, number=number, state="planning")
    db.session.add(quarter)
    db.session.flush()
    record(quarter, "created", user, changes={"state": [None, quarter.state]})
    db.session.flush()
    return quarter


def set_state(quarter, state, user=None):
    """Move an open quarter between planning and active, recording the change."""
    if quarter.is_closed or state not in ("planning", "active"):
        raise ValueError(state)
    if quarter.state != state:
        record(quarter, "state", user, changes={"state": [quarter.state, state]})
        quarter.state = state
    db.session.flush()
    return quarter
