"""One translated error page for every HTTP error."""
from flask import render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from tracker.extensions import db


def _messages():
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do this."),
        404: _("The page you asked for does not exist."),
        405: _("This action is not allowed here."),
        409: _("Someone else changed this in the meantime."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved."),
    }


def render_error(error):
    """Render the error page for an HTTP error."""
    code = error.code if isinstance(error, HTTPException) else 500
    if code >= 500:
        db.session.rollback()
    message = _messages().get(code) or getattr(error, "description", "")
    # Show a description only when a view gave one; werkzeug's defaults are English.
    detail = None
    if isinstance(error, HTTPException) and error.description != type(error).description:
        detail = error.description
    return render_template(
        "errors/error.html", code=code, message=message, detail=detail
    ), code


def refuse_closed_quarter(error):
    """Answer 403 when a change would touch a closed quarter's record."""
    db.session.rollback()
    return render_template(
        "errors/error.html", code=403,
        message=_("This quarter is closed; its record cannot change."), detail=None,
    ), 403


def refuse_bad_csrf(error):
    """Answer 400 when a form comes without this session's CSRF token."""
    db.session.rollback()
    return render_template(
        "errors/error.html", code=400,
        message=_("This form has expired or did not come from this site. "
                  "Nothing was saved."),
        # flask-wtf's reasons ("The CSRF token is missing.") are in our catalog.
        detail=_(error.description) if error.description else None,
        hint=_("Go back, reload the page and try again."),
    ), 400


def refuse_too_many(error):
    """Answer 429 without echoing the limit ("10 per 15 minutes") in English."""
    response = render_template(
        "errors/error.html", code=429, message=_messages()[429], detail=None
    ), 429
    return response


def init_app(app):
    """Register the error page for every status the application may return."""
    from flask_limiter.errors import RateLimitExceeded
    from flask_wtf.csrf import CSRFError

    from tracker.models.guard import ClosedQuarterError

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, refuse_bad_csrf)
    app.register_error_handler(RateLimitExceeded, refuse_too_many)
    app.register_error_handler(ClosedQuarterError, refuse_closed_quarter)
