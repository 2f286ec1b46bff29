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


def init_app(app):
    """Register the error page for every status the application may return."""
    from tracker.models.guard import ClosedQuarterError

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(ClosedQuarterError, refuse_closed_quarter)
