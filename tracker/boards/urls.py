"""Addresses that name a board: /b/<code>/… is served as … for that board.

The prefix moves from the path into the script root before Flask routes the request,
so every view and rule stays as it is, and every address url_for draws on that page
carries the same prefix: a board's pages link to the same board.
"""
import re

BOARD_CODE_KEY = "tracker.board_code"
PREFIX = re.compile(r"^/b/([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)(/.*)?$")


class BoardPrefix:
    """WSGI middleware: take a board's prefix off the path into SCRIPT_NAME."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = PREFIX.match(environ.get("PATH_INFO") or "")
        if match:
            code, rest = match.group(1), match.group(2)
            environ[BOARD_CODE_KEY] = code
            environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}/b/{code}"
            environ["PATH_INFO"] = rest or "/"
        return self.app(environ, start_response)


def board_path(code, path="/"):
    """Return the address of a path within a board: board_path("x", "/quarters/").

    In a request, the address keeps the application's own root (a deployment under
    /tracker/ stays there) without the board prefix of the request itself.
    """
    from flask import has_request_context, request

    root = ""
    if has_request_context():
        root = request.script_root
        own = request.environ.get(BOARD_CODE_KEY)
        if own is not None and root.endswith(f"/b/{own}"):
            root = root[: -len(f"/b/{own}")]
    return f"{root}/b/{code}{path}"
