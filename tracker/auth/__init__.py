"""Signing in and out, and who may do what."""
from tracker.i18n import lazy as _l

# Reachable without signing in; the health check must not touch the session's user
# (that would query the database on every probe).
PUBLIC_ENDPOINTS = (None, "static", "auth.login", "bootstrap.static", "healthz")


def setup_login(app):
    """Configure Flask-Login: where to sign in and how to load a user."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from tracker import page_cache
    from tracker.extensions import db, login_manager
    from tracker.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "warning"

    @login_manager.user_loader
    def load_user(session_id):
        """Return the active user of a "<id>:<token>" session id, or None.

        A session whose token is no longer the user's (the password changed since)
        has ended, and so has one of a deactivated user.
        """
        user_id, colon, token = str(session_id).partition(":")
        if not user_id.isdigit() or len(user_id) > 18 or not colon:
            return None
        # The data token comes with the user: the request's first statement, read
        # before anything a cached page shows (tracker.page_cache).
        # The home board comes in the same statement: most requests are about it.
        row = db.session.execute(
            select(User, page_cache.token_column()).where(User.id == int(user_id))
            .options(joinedload(User.board)),
            execution_options={"all_boards": True},
        ).first()
        if row is None:
            return None
        user, data_token = row
        page_cache.remember_token(data_token)
        if not user.is_active or not user.has_session_token(token):
            return None
        return user

    @app.before_request
    def require_login():
        """Send anonymous visitors to the sign-in page (static files excepted)."""
        from flask import request
        from flask_login import current_user

        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    from tracker.boards.access import forget_request_board, resolve_request_board

    # After the sign-in check: the board is the signed-in user's, or one they may see.
    app.before_request(resolve_request_board)
    app.teardown_request(forget_request_board)
