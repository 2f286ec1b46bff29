"""Errors of the API as problem details (RFC 9457, application/problem+json).

Every refusal has a type, a title, its status and a detail in the request's language
(Accept-Language: vi or en); a refused body or query adds the field errors.
"""
from flask import json, make_response, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from tracker.extensions import db
from tracker.i18n import lazy as _l

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/docs#problem-"


def _titles():
    return {
        400: _("The request could not be understood."),
        401: _("A personal access token is needed."),
        403: _("You do not have permission to do this."),
        404: _("No such record."),
        405: _("This action is not allowed here."),
        406: _("The API answers in JSON only."),
        409: _("Someone else changed this in the meantime."),
        412: _("The record has changed since you read it."),
        413: _("The request is too large."),
        415: _("Send the body as JSON (Content-Type: application/json)."),
        422: _("Some values cannot be accepted."),
        428: _("Send If-Match with the ETag you read."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved."),
        503: _("The database is busy with other changes. Nothing was saved: "
               "try again in a moment."),
    }


# marshmallow's and webargs' own messages, in the catalog so they come translated.
FIELD_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid date.": _l("Enter a date written YYYY-MM-DD."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Unknown field.": _l("This field is not known."),
    "Field may not be null.": _l("This field may not be empty."),
    "Invalid input type.": _l("This value has the wrong type."),
    "Invalid input.": _l("This value is not valid."),
    "Must be one of: {choices}.": _l("Choose one of the listed values."),
    "Invalid JSON body.": _l("The body is not valid JSON."),
}


def _translate(message):
    if isinstance(message, str):
        if message.startswith("Must be one of:"):
            return str(FIELD_MESSAGES["Must be one of: {choices}."]) + \
                message[len("Must be one of:"):].rstrip(".")
        if message.startswith(("Must be greater than", "Must be less than")) or \
                message.startswith("Length must be"):
            return _("This value is out of range.") + " (" + message + ")"
        found = FIELD_MESSAGES.get(message)
        return str(found) if found is not None else message
    if isinstance(message, list):
        return [_translate(item) for item in message]
    if isinstance(message, dict):
        return {key: _translate(value) for key, value in message.items()}
    return message


def field_errors(messages):
    """Return webargs' {location: {field: [messages]}} as {field: [messages]}."""
    if not isinstance(messages, dict):
        return {}
    flat = {}
    for location, fields in messages.items():
        if isinstance(fields, dict) and location in (
                "json", "query", "querystring", "form", "headers", "view_args",
                "path"):
            for name, value in fields.items():
                flat[str(name)] = _translate(value)
        else:
            flat[str(location)] = _translate(fields)
    return flat


def problem(status, detail=None, errors=None, headers=None, title=None):
    """Return a problem details response."""
    body = {
        "type": TYPE_BASE + str(status),
        "title": title or _titles().get(status, _("Error")),
        "status": status,
        "detail": detail or title or _titles().get(status, ""),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = make_response(json.dumps(body, ensure_ascii=False), status)
    response.mimetype = MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = _language()
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _language():
    from flask_babel import get_locale

    return str(get_locale() or "vi")


def handle_http_exception(error):
    """Answer an HTTP error raised in the API as problem details."""
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    data = getattr(error, "data", None) or {}
    errors = field_errors(data.get("messages") or data.get("errors"))
    detail = data.get("message")
    if detail is None and error.description != type(error).description:
        detail = error.description  # a view's own words (already translated)
    if status == 422 and errors:
        detail = detail or _("See the errors of each field.")
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="tracker"')
    return problem(status, detail=detail, errors=errors or None, headers=headers)


def handle_unexpected(error):
    """Answer any other exception as a 500 problem (after logging it)."""
    from flask import current_app

    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("API request failed", exc_info=error)
    db.session.rollback()
    return problem(500)


def handle_too_many(error):
    """Answer 429 with Retry-After: how long until the token's window has room."""
    import time

    from flask import g

    seconds = 1
    limit = getattr(g, "view_rate_limit", None)
    if limit is not None:
        try:
            seconds = max(1, int(limit.reset_at - time.time()) + 1)
        except (AttributeError, TypeError):
            seconds = 1
    return problem(429, detail=_("Wait %(seconds)d seconds before the next request.",
                                 seconds=seconds),
                   headers={"Retry-After": str(seconds)})


def handle_closed_quarter(error):
    """Answer 403 when a change would touch a closed quarter's record."""
    db.session.rollback()
    return problem(403, detail=_("This quarter is closed; its record cannot change."))


def handle_database(error):
    """Answer 503 when the database stays locked; other errors are a 500."""
    from tracker.db_setup import is_locked
    from tracker.errors import BUSY_RETRY_AFTER

    db.session.rollback()
    if is_locked(error):
        return problem(503, headers={"Retry-After": str(BUSY_RETRY_AFTER)})
    return handle_unexpected(error)


def register(bp):
    """Register the API's problem details for its blueprint (before it is mounted)."""
    from flask_limiter.errors import RateLimitExceeded
    from sqlalchemy.exc import DBAPIError

    from tracker.models.guard import ClosedQuarterError

    bp.register_error_handler(RateLimitExceeded, handle_too_many)
    # By code as well: Flask asks every handler of a code (the application's HTML
    # pages) before any handler of a class.
    from werkzeug.exceptions import default_exceptions

    for code in default_exceptions:
        bp.register_error_handler(code, handle_http_exception)
    bp.register_error_handler(HTTPException, handle_http_exception)
    bp.register_error_handler(ClosedQuarterError, handle_closed_quarter)
    bp.register_error_handler(DBAPIError, handle_database)
