"""Response headers that lock the pages down, and a guard against NUL bytes.

The Content-Security-Policy allows only the site's own scripts and stylesheets: no
inline script, no inline style attribute, no event-handler attribute. A test scans the
templates so that none creeps in.
"""
from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

NUL = "\x00"


def set_security_headers(response):
    """Add the security headers to every response (a view may set its own first)."""
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"]
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _holds_nul(values):
    return any(
        NUL in key or any(NUL in item for item in values.getlist(key)) for key in values
    )


def refuse_nul_bytes():
    """Refuse a request whose query or form holds a NUL byte.

    No person types one; PostgreSQL cannot store one in a text column, and a search
    for one would fail there. Refusing here keeps every view from meeting it.
    """
    if _holds_nul(request.args) or (
        request.method in ("POST", "PUT", "PATCH") and _holds_nul(request.form)
    ):
        abort(400, description=_(
            "The request contains a NUL character, which cannot be stored. "
            "Nothing was saved."
        ))


class DatabaseInteger(IntegerConverter):
    """An <int:...> URL part that fits a database integer; larger ones are 404.

    /tasks/99999999999999999999 would otherwise reach SQLite, which cannot bind
    the number and fails.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    """Register the header hook, the NUL guard and the bounded int converter."""
    app.url_map.converters["int"] = DatabaseInteger
    app.after_request(set_security_headers)
    app.before_request(refuse_nul_bytes)
