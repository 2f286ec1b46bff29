"""Limits on failed sign-ins that hold however many workers and servers serve.

Every refused sign-in (and every wrong current password on the change-password page)
is a row of failed_sign_in: when, the name tried, the address, the account if there is
one. By default the limits count those rows, so every gunicorn worker and every
server behind the load balancer sees the same counts with no other service. With
RATELIMIT_STORAGE_URI naming a limits storage (redis://…, or memory:// for one
process), Flask-Limiter counts there instead and the rows are only the record.

While an account (or an address) is over its limit, every attempt is answered 429
before the password is looked at: the right password waits too, so a guesser learns
nothing from the answers. The pause ends by itself as the oldest failures leave the
window (15 minutes by default), or an administrator lifts it from the record of
failed sign-ins.
"""
import datetime as dt
import math

from flask import current_app, request
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import and_, case, delete, false, func, or_, select, update
from werkzeug.exceptions import TooManyRequests

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.signin import FailedSignIn

DATABASE = "database"


class TooManySignIns(TooManyRequests):
    """A sign-in refused because the account or the address is paused."""

    def __init__(self, retry_after, account=True):
        super().__init__(retry_after=max(1, int(math.ceil(retry_after))))
        self.seconds = max(1, int(math.ceil(retry_after)))
        self.account = account


def uses_database(app=None):
    """Tell whether failed sign-ins are counted in the database (the default)."""
    app = app or current_app
    return app.config.get("LOGIN_LIMIT_STORE", DATABASE) == DATABASE


def configure(app):
    """Choose where failures are counted from RATELIMIT_STORAGE_URI.

    "database" (or nothing) counts the rows of failed_sign_in; any other URI is a
    Flask-Limiter storage. Flask-Limiter itself then gets memory:// to hold nothing.
    """
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or "").strip()
    if uri in ("", DATABASE, DATABASE + "://"):
        app.config["LOGIN_LIMIT_STORE"] = DATABASE
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    else:
        app.config["LOGIN_LIMIT_STORE"] = uri


def username_key(username):
    """Return how a tried username is counted: trimmed, case-folded, at most 60."""
    return (username or "").strip().casefold()[:60]


def client_address():
    """Return the client's address (the proxy's view of it with PROXY_FIX)."""
    return (request.remote_addr or "")[:64]


def _limit(name):
    """Return (allowed failures, window) of a LOGIN_LIMIT_* setting."""
    item = parse(current_app.config[name])
    return item.amount, dt.timedelta(seconds=item.get_expiry())


def settings():
    """Return (failures per account, per address, window in minutes), to show."""
    per_account, window = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    per_address, _window = _limit("LOGIN_LIMIT_PER_ADDRESS")
    return per_account, per_address, int(window.total_seconds() // 60)


def _enabled():
    return uses_database() and current_app.config.get("RATELIMIT_ENABLED", True)


def _counted():
    return FailedSignIn.cleared_at.is_(None)


def check_sign_in(username):
    """Raise TooManySignIns if the account tried or this address is paused."""
    if not _enabled():
        return
    now = utcnow()
    key, address = username_key(username), client_address()
    per_account, account_window = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    per_address, address_window = _limit("LOGIN_LIMIT_PER_ADDRESS")
    account = and_(FailedSignIn.username == key,
                   FailedSignIn.created_at >= now - account_window)
    by_address = and_(FailedSignIn.address == address,
                      FailedSignIn.created_at >= now - address_window)
    if not key:
        account = false()
    counts = db.session.execute(
        select(
            func.coalesce(func.sum(case((account, 1), else_=0)), 0),
            func.min(case((account, FailedSignIn.created_at))),
            func.coalesce(func.sum(case((by_address, 1), else_=0)), 0),
            func.min(case((by_address, FailedSignIn.created_at))),
        ).where(
            FailedSignIn.kind == "sign_in", _counted(),
            FailedSignIn.created_at >= now - max(account_window, address_window),
            or_(FailedSignIn.username == key, FailedSignIn.address == address)
            if key else FailedSignIn.address == address,
        )
    ).one()
    account_count, account_oldest, address_count, address_oldest = counts
    if account_count >= per_account:
        wait = account_oldest + account_window - now
        raise TooManySignIns(wait.total_seconds(), account=True)
    if address_count >= per_address:
        wait = address_oldest + address_window - now
        raise TooManySignIns(wait.total_seconds(), account=False)


def check_password_change(user):
    """Raise TooManySignIns if the user's wrong current passwords reached the limit."""
    if not _enabled():
        return
    now = utcnow()
    per_account, window = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    count, oldest = db.session.execute(
        select(func.count(FailedSignIn.id), func.min(FailedSignIn.created_at)).where(
            FailedSignIn.kind == "password", FailedSignIn.user_id == user.id,
            _counted(), FailedSignIn.created_at >= now - window,
        )
    ).one()
    if count >= per_account:
        raise TooManySignIns((oldest + window - now).total_seconds())


def record_failure(username, user=None, kind="sign_in"):
    """Add a failed attempt to the record (and to the counts); drop very old rows."""
    from tracker.models import User

    now = utcnow()
    key = username_key(username)
    keep = dt.timedelta(days=current_app.config["SIGN_IN_RECORD_DAYS"])
    db.session.execute(delete(FailedSignIn).where(FailedSignIn.created_at < now - keep))
    if user is not None:
        user_id = user.id
    else:  # the account the name stands for, whatever its spelling
        user_id = db.session.scalar(
            select(User.id).where(func.lower(User.username) == key).limit(1)
        ) if key else None
    db.session.add(FailedSignIn(
        created_at=now, username=key, address=client_address(), user_id=user_id,
        kind=kind,
    ))
    db.session.flush()


def paused(now=None):
    """Return the accounts and addresses over their limit now.

    Two lists of dicts: {"username" or "address", "count", "until"}; until is when
    the pause ends by itself (UTC).
    """
    now = now or utcnow()
    found = {}
    for column, setting in ((FailedSignIn.username, "LOGIN_LIMIT_PER_ACCOUNT"),
                            (FailedSignIn.address, "LOGIN_LIMIT_PER_ADDRESS")):
        allowed, window = _limit(setting)
        count, oldest = func.count(FailedSignIn.id), func.min(FailedSignIn.created_at)
        rows = db.session.execute(
            select(column, count, oldest)
            .where(FailedSignIn.kind == "sign_in", _counted(), column != "",
                   FailedSignIn.created_at >= now - window)
            .group_by(column)
            .having(func.count(FailedSignIn.id) >= allowed)
            .order_by(func.count(FailedSignIn.id).desc(), column)
        ).all()
        found[column.key] = [
            {column.key: value, "count": count, "until": oldest + window}
            for value, count, oldest in rows
        ]
    return found["username"], found["address"]


def lift(username=None, address=None):
    """Stop the failures of an account or an address from counting; return how many.

    The rows stay in the record, marked as cleared. With Flask-Limiter counting
    (Redis), its counters for the account or address are reset too.
    """
    condition = None
    if username:
        condition = FailedSignIn.username == username_key(username)
    elif address:
        condition = FailedSignIn.address == address[:64]
    if condition is None:
        return 0
    count = db.session.execute(
        update(FailedSignIn)
        .where(condition, FailedSignIn.cleared_at.is_(None))
        .values(cleared_at=utcnow())
    ).rowcount
    if not uses_database():
        _reset_limiter(username=username, address=address)
    return count


def _reset_limiter(username=None, address=None):
    """Clear Flask-Limiter's counters for an account or an address."""
    from tracker.extensions import limiter

    # Flask-Limiter's key: [prefix,] the key function's value, "<endpoint>:<scope>".
    if username:
        key, scope, setting = (f"account:{username_key(username)}",
                               "auth.login:login-account", "LOGIN_LIMIT_PER_ACCOUNT")
    else:
        key, scope, setting = (address, "auth.login:login-address",
                               "LOGIN_LIMIT_PER_ADDRESS")
    # (the extension's own: it keeps the first RATELIMIT_KEY_PREFIX it was given)
    prefix = getattr(limiter, "_key_prefix", "") or ""
    identifiers = [prefix, key, scope] if prefix else [key, scope]
    limiter.limiter.clear(parse(current_app.config[setting]), *identifiers)


def record_page(page=1, per_page=50, text=None):
    """Return one page of the record, newest first, and how many rows match."""
    from tracker.models import User

    conditions = []
    if text:
        conditions.append(or_(FailedSignIn.username.icontains(text, autoescape=True),
                              FailedSignIn.address.icontains(text, autoescape=True)))
    total = db.session.scalar(
        select(func.count(FailedSignIn.id)).where(*conditions)
    )
    rows = db.session.execute(
        select(FailedSignIn, User.username)
        .outerjoin(User, User.id == FailedSignIn.user_id)
        .where(*conditions)
        .order_by(FailedSignIn.created_at.desc(), FailedSignIn.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def wait_message(error):
    """Return the 429 page's explanation for a paused sign-in."""
    minutes = max(1, int(math.ceil(error.seconds / 60)))
    return _(
        "Sign-in is paused after too many failed attempts. Try again in about "
        "%(minutes)d minutes.", minutes=minutes,
    )
