"""Reading and changing quarters."""
from flask import abort
from sqlalchemy import func, select, tuple_

from tracker.extensions import db
from tracker.models import Quarter, parse_key
from tracker.models.quarter import QuarterChoice, following_key
from tracker.models.audit import record

# Three years a page: the list's counts are computed for the page's quarters only.
QUARTERS_PER_PAGE = 12


def _parsed_or_404(key):
    """Return (year, number) of a key like "2023-Q2", or abort with 404."""
    parsed = parse_key(key)
    if parsed is None:
        abort(404)
    return parsed


def get_quarter_or_404(key):
    """Return the quarter for a key like "2023-Q2", or abort with 404."""
    quarter = find_quarter(*_parsed_or_404(key))
    if quarter is None:
        abort(404)
    return quarter


def get_quarter_and_next_or_404(key, watcher):
    """Return (the quarter for the key, the quarter after it or None, whether the
    watcher watches the quarter), in one statement, or abort with 404 if the key
    names none."""
    from tracker.followup.services import watching_column

    parsed = _parsed_or_404(key)
    following = following_key(*parsed)
    found = {(quarter.year, quarter.number): (quarter, watching)
             for quarter, watching in db.session.execute(
                 select(Quarter, watching_column(watcher, Quarter.id))
                 .where(tuple_(Quarter.year, Quarter.number).in_(
                     [parsed, following])))}
    if parsed not in found:
        abort(404)
    quarter, watching = found[parsed]
    after = found.get(following)
    return quarter, after[0] if after else None, bool(watching)


def find_quarter(year, number):
    """Return the quarter for year and number, or None."""
    return db.session.scalar(
        select(Quarter).where(Quarter.year == year, Quarter.number == number)
    )


def list_quarters():
    """Return every quarter as a QuarterChoice, newest first.

    Pickers list ten years of quarters on pages that show one: only the three
    columns they need are read.
    """
    rows = db.session.execute(
        select(Quarter.id, Quarter.year, Quarter.number)
        .order_by(Quarter.year.desc(), Quarter.number.desc())
    )
    return [QuarterChoice(*row) for row in rows]


def quarters_page(page, per_page=QUARTERS_PER_PAGE):
    """Return (the page's quarters newest first, the page number, the page count)."""
    total = db.session.scalar(select(func.count(Quarter.id)))
    pages = max(1, -(-total // per_page))
    page = min(max(page or 1, 1), pages)
    quarters = db.session.scalars(
        select(Quarter).order_by(Quarter.year.desc(), Quarter.number.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return quarters, page, pages


def current_quarter(today):
    """Return the quarter holding today, else the newest before it, else the newest."""
    index = today.year * 4 + (today.month - 1) // 3
    newest_first = (Quarter.year.desc(), Quarter.number.desc())
    quarter = db.session.scalars(
        select(Quarter).where(Quarter.year * 4 + Quarter.number - 1 <= index)
        .order_by(*newest_first).limit(1)
    ).first()
    if quarter is None:
        quarter = db.session.scalars(select(Quarter).order_by(*newest_first).limit(1)
                                     ).first()
    return quarter


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
