"""Pages and parts of pages, reused while the data they show is unchanged.

The quarter board, its summary and the list of quarters are read far more often than
they are written: leaders and staff open them all day, a task changes a few times a
day. So they are kept in the cache (Flask-Caching: in each process by default, Redis
when several servers share one):

- the whole page, per person and session (cached_page): a repeated request costs
  one statement (the signed-in user, read with the token) and a lookup;
- the board's list of tasks, its costly part (a thousand rows on a province's
  quarter), which is the same for everyone asking for the same quarter, filters,
  language and day (fragment): the first visit of each person renders only the page
  around it.

Every key holds the board and the data token (tracker.models.revision), which each
writing transaction replaces, so an entry is found only if nothing was written since
it was rendered. A page's figures are judged at a cut-off (tracker.figures): the
?as_of= of its address, else today, else for a closed quarter a date that only a
write (its close or reopening) can change; the address and the day are in every
key, so a page is never served for another cut-off than its own. The token is read
before the data, so an entry can at worst hold
newer data than its token says, never older. Keys also hold the language, the day
(timeliness moves with it) and a digest of the code, templates, catalogs and
migrations, so a new release never serves what the old one rendered into a shared
cache.

A whole page holds forms signed for its session (CSRF), so its key holds the user
and the session's CSRF secret; a page is neither served nor kept while the session
has messages waiting to be shown (they appear once), or before the session has a
CSRF secret. Set TRACKER_PAGE_CACHE=false to render every time.
"""
import functools
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from tracker.extensions import cache, db
from tracker.i18n import today
from tracker.models.revision import REVISION_ID, DataRevision

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_digest():
    """Return a digest of the code, templates, catalogs and migrations.

    Migrations count too: one may change stored data without a new token.
    """
    digest = hashlib.sha1()
    for folder, pattern in (("tracker", "*.py"), ("templates", "*.html"),
                            ("translations", "*.mo"), ("migrations", "*.py")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def token_column():
    """Return the data token as a column to add to a request's first statement."""
    return (
        select(DataRevision.token).where(DataRevision.id == REVISION_ID)
        .scalar_subquery().label("data_token")
    )


def remember_token(token):
    """Keep the token read with the request's first statement (the signed-in user)."""
    g.data_token = token if current_app.config["PAGE_CACHE"] else None


def data_token():
    """Return the data token of this request, read once, before any data.

    Signed-in requests read it with their user; others read it here. None when
    the cache is switched off or the database has no revision row.
    """
    if "data_token" not in g:
        g.data_token = None
        if current_app.config["PAGE_CACHE"]:
            g.data_token = db.session.scalar(select(token_column()))
    return g.data_token


def _key(name, token, parts):
    board = g.get("board")
    described = repr((name, board.id if board is not None else None,
                      str(get_locale()), today(), *parts)).encode()
    return f"{code_digest()}:{token}:{hashlib.sha1(described).hexdigest()}"


def fragment(name, parts, render):
    """Return the part render() draws, from the cache when it can be.

    parts are what the part depends on besides the data, the language and the day
    (each rendered with repr). The part must not depend on who is asking.
    """
    token = data_token()
    if token is None:
        return Markup(render())
    key = _key(name, token, parts)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html)
    return Markup(html)


def cached_page(view):
    """Keep the HTML the view returns, per person, session, URL and data token.

    Only a page that succeeded is kept: an HTML string, or one with status 200.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = session.get(field)
        if (
            not current_user.is_authenticated
            or secret is None
            or "_flashes" in session
            or data_token() is None
        ):
            return view(*args, **kwargs)
        key = _key("page", g.data_token,
                   (current_user.get_id(), secret, request.full_path))
        html = cache.get(key)
        if html is not None:
            return html
        response = view(*args, **kwargs)
        html = response
        if isinstance(response, tuple) and response[1:] == (200,):
            html = response[0]
        if isinstance(html, str) and "_flashes" not in session:
            # Its forms' CSRF tokens must outlive it, should they ever expire.
            limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
            cache.set(key, html, timeout=limit // 2 if limit else None)
        return response

    return wrapper
