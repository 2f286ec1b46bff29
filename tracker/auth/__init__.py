"""Signing in and out, and who may do what."""
from functools import lru_cache

from tracker.i18n import lazy as _l

# Reachable without signing in; the health check must not touch the session's user
# (that would query the database on every probe).
PUBLIC_ENDPOINTS = (None, "static", "auth.login", "bootstrap.static", "healthz")
# Signed in by the token in its address, never by the session cookie.
CALENDAR_FEED = "me.calendar_feed"


@lru_cache(maxsize=1)
def _signed_in_statement():
    """Return the statement that reads a signed-in user, built once per process.

    With the user and the sign-in session it reads the home board, the bell's count
    of unread notices and the saved searches there (most requests are about the home
    board), and the data token (tracker.page_cache). Accounts are read across boards
    (the request's board is not known yet). Every signed-in request runs it, with
    the user's id and the digest of the session's key as its parameters: built anew
    each time, it cost about 0.3 ms of the request.
    """
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from tracker import page_cache
    from tracker.models import SignInSession, User
    from tracker.notifications.services import home_unread_column
    from tracker.search.services import home_saved_column

    return (
        select(User, SignInSession, page_cache.token_column(),
               home_unread_column(), home_saved_column())
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(User.id == bindparam("user_id"),
               SignInSession.key_hash == bindparam("key_hash"))
        .options(joinedload(User.board))
    )


def setup_login(app):
    """Configure Flask-Login: where to sign in and how to load a user."""
    from tracker import page_cache
    from tracker.auth import sessions
    from tracker.extensions import db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"

    @login_manager.user_loader
    def load_user(session_id):
        """Return the active user of a "<id>:<session key>" id, or None.

        The user and the sign-in session come in one statement with the data token
        (read before anything a cached page shows, tracker.page_cache). A session
        that has ended (signed out, here or anywhere; the password changed) or gone
        unused too long, and any session of a deactivated user, signs nobody in.
        """
        from tracker.search.services import parse_home_saved

        parsed = sessions.parse_id(session_id)
        if parsed is None:
            return None
        user_id, key = parsed
        row = db.session.execute(
            _signed_in_statement(),
            {"user_id": user_id, "key_hash": sessions.digest(key)},
            execution_options={"all_boards": True},
        ).first()
        if row is None:
            return None
        user, sign_in, data_token, unread, saved = row
        page_cache.remember_token(data_token)
        user.home_unread_notices = unread
        user.home_saved_searches = parse_home_saved(saved)
        if not user.is_active or not sessions.is_alive(sign_in):
            return None
        user.sign_in, user.session_key = sign_in, key
        sessions.touch_later(sign_in)
        return user

    @app.before_request
    def require_login():
        """Send anonymous visitors to the sign-in page (static files excepted)."""
        from flask import request
        from flask_login import current_user

        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if request.endpoint == CALENDAR_FEED:
            # Its address's token only: calendar apps have no session.
            from tracker.me.views import sign_in_by_calendar_token

            return sign_in_by_calendar_token()
        if request.blueprint == "api":
            # Bearer tokens only: the session cookie never signs in to the API.
            from tracker.api.auth import authenticate

            return authenticate()
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    from tracker.boards.access import forget_request_board, resolve_request_board

    # After the sign-in check: the board is the signed-in user's, or one they may see.
    app.before_request(resolve_request_board)
    app.teardown_request(forget_request_board)
