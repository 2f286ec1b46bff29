"""A person's calendar feed: their units' deadlines and events, for a phone's calendar.

Calendar apps cannot sign in, so the feed's address carries a secret token
(/me/calendar.ics?token=cal_…). As with API tokens (tracker.api.tokens) only its
SHA-256 digest is stored and it is shown once; a person has one usable token at a
time, and revoking it (or making a new one) stops the old address at once. A wrong or
revoked token is answered 404, the same as an address that does not exist.

The feed lists what /me lists (tracker.me.services.my_work: the open quarters' work
of the person's units, tasks and shares): an all-day event on each due date, and one
on each date an event (congress, dialogue, meeting) is held. UIDs name the task and
the kind of date, so an app updates an entry when its date moves.
"""
import datetime as dt
import secrets

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select, update

from tracker.api.tokens import digest
from tracker.extensions import db
from tracker.me.services import my_work
from tracker.models import CalendarToken, User
from tracker.models.base import utcnow

PREFIX = "cal_"
SHOWN = 8  # characters kept to recognise the token on the account page
PRODUCT = "-//Mass Mobilization Tracker//tracker//VI"


def current_token(user):
    """Return the person's usable calendar token row, or None."""
    return db.session.scalar(
        select(CalendarToken).where(CalendarToken.user_id == user.id,
                                    CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id.desc())
    )


def revoke(user):
    """Revoke the person's calendar token(s); return how many were revoked."""
    return db.session.execute(
        update(CalendarToken).where(CalendarToken.user_id == user.id,
                                    CalendarToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount


def create_token(user):
    """Make the person's calendar token, revoking any earlier; return (row, secret)."""
    revoke(user)
    secret = PREFIX + secrets.token_urlsafe(32)
    row = CalendarToken(user=user, user_id=user.id, token_hash=digest(secret),
                        prefix=secret[:SHOWN], created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row, secret


def authenticate(secret):
    """Return the active user whose usable token this is, or None.

    Read across boards: the request's board is the user's, known only now.
    """
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    user = db.session.scalar(
        select(User).join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token_hash == digest(secret),
               CalendarToken.revoked_at.is_(None)),
        execution_options={"all_boards": True},
    )
    if user is None or not user.is_active:
        return None
    return user


def _event(uid, day, summary, description, url, stamp):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def items(user, today):
    """Return the work items of the feed: the same set as /me, in date order."""
    groups = my_work(user, today)
    return [item for group in groups.values() for item in group]


def feed(user, today, task_url, board_code):
    """Return the person's feed as iCalendar bytes.

    task_url(task) gives the absolute address of a task's page; board_code keeps the
    UIDs of different boards' tasks apart.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("My work in the tracker"))
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.timezone.utc)
    domain = f"{board_code}.tracker"
    for item in items(user, today):
        task = item.task
        unit = item.link.unit.short_name if item.link is not None else \
            task.lead_unit.short_name
        description = _("%(quarter)s · %(unit)s · %(status)s",
                        quarter=task.quarter.label, unit=unit,
                        status=task.status_label)
        url = task_url(task)
        if task.held_on is not None:
            calendar.add_component(_event(
                f"task-{task.id}-held@{domain}", task.held_on,
                _("Held: %(title)s", title=task.title), description, url, stamp))
        if task.due_on is not None:
            kind = f"share-{item.link.unit_id}" if item.link is not None else "due"
            calendar.add_component(_event(
                f"task-{task.id}-{kind}@{domain}", task.due_on,
                _("Due: %(title)s", title=task.title), description, url, stamp))
    return calendar.to_ical()
