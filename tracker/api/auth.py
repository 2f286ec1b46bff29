"""Who calls the API: a personal access token, never the session cookie.

An API request is signed in by `Authorization: Bearer <token>` alone, before the
application's sign-in check looks at cookies (tracker.auth.setup_login asks
authenticate first), so a browser's session cannot make API calls for a page on
another site. The token's user then goes through the same board resolution and
policy as on the pages. History rows written by an API request say so ("api").
"""
import hashlib

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.api import tokens
from tracker.api.errors import problem
from tracker.i18n import today
from tracker.models import TaskUpdate

BLUEPRINT = "api"
# Reachable without a token: the document and the page that reads it.
PUBLIC = ("api.openapi_json", "api.docs", "api.docs_asset")


def is_public_endpoint():
    """Tell whether the request is for the API's document or docs page."""
    return request.endpoint in PUBLIC


def bearer_token():
    """Return the token of the Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    kind, _space, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate():
    """Sign the request in with its bearer token, or answer 401 (problem details).

    Called by the application's sign-in check for API requests, in place of the
    cookie check. Returns None to go on, or the refusal.
    """
    if is_public_endpoint():
        g._login_user = _anonymous()
        return None
    found = tokens.authenticate(bearer_token(), today())
    if found is None:
        g._login_user = _anonymous()
        return problem(401, detail=_(
            "Send a valid personal access token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="tracker"'})
    user, token = found
    # Flask-Login reads g._login_user before the cookies: the token's user it is.
    g._login_user = user
    g.api_token = token
    if request.method not in ("GET", "HEAD", "OPTIONS") and not token.may_write:
        return problem(403, detail=_("This token may only read: make a token with "
                                     "the “write” scope to change records."))
    return None


def current_token():
    """Return the token the request was signed in with."""
    return g.api_token


def _anonymous():
    from tracker.extensions import login_manager

    return login_manager.anonymous_user()


def rate_limit():
    """Return the per-token limit (Flask-Limiter syntax), API_RATE_LIMIT."""
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


def rate_limit_key():
    """Count requests per token (its digest's start), else per client address."""
    token = bearer_token()
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:24]
    return "address:" + (get_remote_address() or "")


@event.listens_for(Session, "before_flush")
def _mark_api_history(session, flush_context, instances):
    """Mark the history and audit rows of an API request as written "via" the API."""
    from flask import has_request_context

    from tracker.models.audit import AuditEvent
    from tracker.models.initiative import InitiativeUpdate
    from tracker.models.petition import PetitionUpdate

    if not has_request_context() or g.get("api_token") is None:
        return
    for obj in session.new:
        if isinstance(obj, (TaskUpdate, PetitionUpdate, InitiativeUpdate,
                            AuditEvent)) and \
                obj.via is None:
            obj.via = "api"


def after_request(response):
    """Note the token's use (at most once a minute, after the response)."""
    token = g.get("api_token")
    if token is not None:
        tokens.touch_later(token, response)
    return response


def forget_token(exc=None):
    """Forget the request's token (tests reuse one application context)."""
    g.pop("api_token", None)


def init_app(app):
    """Note each token's last use after its requests."""
    app.after_request(after_request)
    app.teardown_request(forget_token)
