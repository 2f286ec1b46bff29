"""Sign-in sessions kept on the server, named by the cookies.

Signing in creates a row (tracker.models.signin.SignInSession) and gives the browser a
random key for it, inside the signed session cookie and the remember-me cookie (as
Flask-Login's user id, "<user id>:<key>"). Every request loads the user and the row in
one statement; a row that has ended, gone unused for longer than the remember-me
cookie lives, or belongs to a deactivated account signs nobody in. Signing out ends
the row, so a copy of either cookie taken before is worth nothing after, on every
server. "Last seen" is written at most once a minute per session, after the response
has gone, so reading pages stays free of writes.
"""
import datetime as dt
import functools
import hashlib
import logging
import secrets

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import delete, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.signin import SignInSession

log = logging.getLogger(__name__)

KEEP_ENDED = dt.timedelta(days=30)  # ended rows kept this long, then removed


def digest(key):
    """Return the stored form of a session key (SHA-256, hex)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_limit():
    """Return how long a session may go unused (as long as a remember-me cookie)."""
    return current_app.config["REMEMBER_COOKIE_DURATION"]


def _address():
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def start(user, remember=False):
    """Open a session for the user signing in; return the key the cookies will hold."""
    now = utcnow()
    db.session.execute(delete(SignInSession).where(
        SignInSession.user_id == user.id,
        or_(SignInSession.ended_at < now - KEEP_ENDED,
            SignInSession.last_seen_at < now - _idle_limit() - KEEP_ENDED),
    ))
    key = secrets.token_urlsafe(32)
    agent = request.user_agent.string if has_request_context() else ""
    row = SignInSession(
        user_id=user.id, key_hash=digest(key), created_at=now, last_seen_at=now,
        user_agent=(agent or "")[:300], address=_address(),
        is_remembered=bool(remember),
    )
    db.session.add(row)
    db.session.flush()
    user.sign_in, user.session_key = row, key
    return key


def is_alive(row, now=None):
    """Tell whether a session still signs its user in."""
    now = now or utcnow()
    return row.ended_at is None and row.last_seen_at >= now - _idle_limit()


def parse_id(session_id):
    """Return (user id, key) from a cookie's "<id>:<key>", or None if malformed."""
    user_id, colon, key = str(session_id).partition(":")
    if not user_id.isdigit() or len(user_id) > 18 or not colon or not key:
        return None
    if len(key) > 100:
        return None
    return int(user_id), key


def touch_later(row):
    """Write the session's last-seen time after the response, once a minute at most."""
    now = utcnow()
    every = current_app.config["SESSION_TOUCH_SECONDS"]
    if (now - row.last_seen_at).total_seconds() < every or not has_request_context():
        return
    app = current_app._get_current_object()
    session_id, address = row.id, _address()

    def touch(response):
        response.call_on_close(functools.partial(_touch, app, session_id, now, address))
        return response

    from flask import after_this_request

    after_this_request(touch)


def _touch(app, session_id, now, address):
    """Store a session's last-seen time and address, in a transaction of its own.

    A plain Core statement on its own connection: it is not a data change any cached
    page shows, and if the database is busy the next request will try again.
    """
    table = SignInSession.__table__
    try:
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(
                    update(table)
                    .where(table.c.id == session_id, table.c.ended_at.is_(None))
                    .values(last_seen_at=now, address=address)
                )
    except SQLAlchemyError as exc:  # busy or gone: last-seen is best effort
        log.info("last-seen of session %s not written: %s", session_id, exc)


def end(row, reason):
    """End one session."""
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
        db.session.flush()


def end_all(user, reason, keep=None):
    """End every open session of the user (but keep, when given); return how many."""
    table = SignInSession.__table__
    stmt = (
        update(table)
        .where(table.c.user_id == user.id, table.c.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(table.c.id != keep.id)
    count = db.session.execute(stmt).rowcount
    loaded = user.sign_in
    if loaded is not None and loaded is not keep and inspect(loaded).persistent:
        db.session.expire(loaded)  # the statement ended it: read it afresh
    return count


def active_sessions(user):
    """Return the user's sessions that still sign in, most recently seen first."""
    now = utcnow()
    return db.session.scalars(
        select(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.ended_at.is_(None),
               SignInSession.last_seen_at >= now - _idle_limit())
        .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc())
    ).all()


def get_own_session(user, session_id):
    """Return the user's session with this id, or None (another's is never found)."""
    return db.session.scalar(
        select(SignInSession).where(SignInSession.id == session_id,
                                    SignInSession.user_id == user.id)
    )


@functools.lru_cache(maxsize=256)
def _parsed(agent):
    from ua_parser import parse

    return parse(agent or "")


def _version(part):
    return ".".join(v for v in (part.major, part.minor) if v) if part else ""


def device(agent):
    """Return the browser and system of a user agent in plain words.

    "Chrome 120 on Windows 10", "Mobile Safari 17.0 on iPhone (iOS 17.0)"; an
    unrecognised one is "Unknown browser".
    """
    result = _parsed(agent)
    browser = system = ""
    if result.user_agent and result.user_agent.family != "Other":
        browser = f"{result.user_agent.family} {result.user_agent.major or ''}".strip()
    if result.os and result.os.family != "Other":
        system = f"{result.os.family} {_version(result.os)}".strip()
    if result.device and result.device.family not in ("Other", "Spider") and (
        result.device.brand and result.device.family not in system
    ):
        family = result.device.family
        system = f"{family} ({system})" if system else family
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")
