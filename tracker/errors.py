"""One translated error page for every HTTP error."""
from urllib.parse import urlsplit

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from tracker.db_setup import is_locked
from tracker.extensions import db

# Seconds a client is asked to wait after a 503 for a busy database.
BUSY_RETRY_AFTER = 5
# Fields never sent back in a page: passwords (retyped instead) and the CSRF token
# (a fresh one is given).
NOT_ECHOED = ("csrf_token",)
# Fields carried to the "send again" form but not listed as "what you typed".
TECHNICAL = ("version", "snapshot", "token", "next")


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
        503: _("The database is busy with other changes. Nothing was saved: "
               "try again in a moment."),
    }


def render_error(error):
    """Render the error page for an HTTP error."""
    if request.path.startswith("/api/"):
        # An address under /api/ that no API route matches: answered as the API does.
        from tracker.api.errors import handle_http_exception

        if isinstance(error, HTTPException):
            return handle_http_exception(error)
    code = error.code if isinstance(error, HTTPException) else 500
    if code >= 500:
        db.session.rollback()
    message = _messages().get(code) or getattr(error, "description", "")
    # Show a description only when a view gave one; werkzeug's defaults are English.
    detail = None
    if isinstance(error, HTTPException) and error.description != type(error).description:
        detail = error.description
    if code == 413:
        from tracker.files.limits import too_large_detail

        detail = too_large_detail(request.endpoint) or detail
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


def _pause_hint():
    return _("While sign-in is paused even the right password is refused, so that "
             "guessing gets nowhere. An administrator can lift the pause.")


def refuse_too_many(error):
    """Answer 429 without echoing the limit ("10 per 15 minutes") in English."""
    return render_template(
        "errors/error.html", code=429, message=_messages()[429], detail=None,
        hint=_pause_hint(),
    ), 429


def refuse_paused_sign_in(error):
    """Answer 429 to a sign-in while its account or address is paused."""
    from tracker.auth.limits import wait_message

    db.session.rollback()
    return render_template(
        "errors/error.html", code=429, message=_messages()[429],
        detail=wait_message(error), hint=_pause_hint(),
    ), 429, {"Retry-After": str(error.seconds)}


def _is_password(name):
    return "password" in name or name == "confirm"


def _field_labels():
    """Return {field name: label} of every form of the application."""
    from tracker.forms import Form

    labels, todo = {}, list(Form.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        for name in dir(form):
            field = getattr(form, name, None)
            if not hasattr(field, "field_class"):
                continue
            if field.args or "label" in field.kwargs:
                label = field.args[0] if field.args else field.kwargs["label"]
                labels.setdefault(name, str(label))
    return labels


def answer_busy(error):
    """Answer 503 when the database stays locked; show what the user typed.

    Other database errors are not this handler's: they go on to the 500 page.
    Nothing was written (the transaction is rolled back), so the page offers the
    same form again, filled in, to send once the database is free.
    """
    if not is_locked(error):
        raise error
    db.session.rollback()
    # Whatever this request still reads (the signed-in user, for the page) must not
    # wait for the write lock again.
    g.write_refused = True
    labels = _field_labels()
    fields, typed = [], []
    for name, value in request.form.items(multi=True):
        if name in NOT_ECHOED or _is_password(name):
            continue
        fields.append((name, value))
        if value.strip() and name not in TECHNICAL:
            typed.append((labels.get(name, name), value))
    again = request.path + ("?" + request.query_string.decode("latin-1")
                            if request.query_string else "")
    back = urlsplit(request.referrer or "")
    if back.netloc == request.host and back.path.startswith("/"):
        back = back.path + ("?" + back.query if back.query else "")
    else:
        back = url_for("index")
    return render_template(
        "errors/busy.html", code=503, message=_messages()[503],
        fields=fields, typed=typed, again=again, back=back,
        had_files=any(f.filename for f in request.files.values()),
        had_password=any(_is_password(name) for name in request.form),
        can_send_again=request.method == "POST",
    ), 503, {"Retry-After": str(BUSY_RETRY_AFTER)}


def init_app(app):
    """Register the error page for every status the application may return."""
    from flask_limiter.errors import RateLimitExceeded
    from flask_wtf.csrf import CSRFError
    from sqlalchemy.exc import DBAPIError

    from tracker.auth.limits import TooManySignIns
    from tracker.models.guard import ClosedQuarterError

    for code in (400, 403, 404, 405, 409, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, refuse_bad_csrf)
    app.register_error_handler(RateLimitExceeded, refuse_too_many)
    app.register_error_handler(TooManySignIns, refuse_paused_sign_in)
    app.register_error_handler(DBAPIError, answer_busy)
    app.register_error_handler(ClosedQuarterError, refuse_closed_quarter)
