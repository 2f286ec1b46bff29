"""Personal access tokens: made, listed, revoked and checked.

A token is "trk_" and 43 random URL-safe characters; only its SHA-256 digest is
stored, so it is shown once, when made. Tokens belong to their user's home board:
the board scope (tracker.boards.scope) keeps each board's tokens to it.
"""
import functools
import hashlib
import logging
import secrets

from flask import current_app, has_request_context
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.boards import scope
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.models.base import utcnow

log = logging.getLogger(__name__)

PREFIX = "trk_"
SHOWN = 8  # characters of the token kept to tell tokens apart: "trk_AbCd"


def digest(token):
    """Return the stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name, scope_name="read", expires_on=None):
    """Make a token for the user; return (row, the token itself, shown only now)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, user_id=user.id, name=name.strip()[:100],
                   token_hash=digest(secret), prefix=secret[:SHOWN],
                   scope="write" if scope_name == "write" else "read",
                   expires_on=expires_on, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row, secret


def user_tokens(user):
    """Return the user's tokens not revoked, newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id,
                               ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def get_own_token(user, token_id):
    """Return the user's token with this id, or None (another's is never found)."""
    return db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )


def revoke(row):
    """Revoke a token: it signs nobody in from now on."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()


def authenticate(secret, today):
    """Return (user, token row) for a usable token of an active user, or None.

    Read across boards: the request's board is the token user's, known only now.
    """
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret)),
        execution_options={"all_boards": True},
    ).first()
    if row is None:
        return None
    token, user = row
    if not user.is_active or not token.is_usable(today):
        return None
    return user, token


def touch_later(token, response):
    """Write the token's last-used time after the response, once a minute at most."""
    now = utcnow()
    every = current_app.config.get("SESSION_TOUCH_SECONDS", 60)
    if token.last_used_at is not None and \
            (now - token.last_used_at).total_seconds() < every:
        return response
    if not has_request_context():
        return response
    app = current_app._get_current_object()
    response.call_on_close(functools.partial(_touch, app, token.id, now))
    return response


def _touch(app, token_id, now):
    """Store a token's last-used time in a transaction of its own (best effort)."""
    table = ApiToken.__table__
    try:
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(update(table).where(table.c.id == token_id)
                             .values(last_used_at=now))
    except SQLAlchemyError as exc:  # busy: the next request will try again
        log.info("last use of token %s not written: %s", token_id, exc)


def _of_boards(ids):
    """Return the condition keeping tokens to those of the boards' accounts."""
    return ApiToken.user_id.in_(
        select(User.id).where(User.board_id.in_(ids)).scalar_subquery()
    )


scope.register(ApiToken, _of_boards)

