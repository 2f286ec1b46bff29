"""Fixtures for the security tests: CSRF and rate limits switched on, DB snapshots."""
import re

import pytest
from sqlalchemy import select

from tracker.extensions import limiter

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def csrf_on(app):
    """Turn CSRF protection on for one test (the suite runs with it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def sign_in(app, login_as, csrf_on):
    """Return login_as for tests that run with CSRF on (signing in itself skips it)."""

    def sign_in_as(role="staff", units=(), username=None):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            return login_as(role, units=units, username=username)
        finally:
            app.config["WTF_CSRF_ENABLED"] = True

    return sign_in_as


@pytest.fixture
def limits_on(app):
    """Turn rate limiting on for one test, with empty counters before and after."""
    limiter.reset()
    app.config["RATELIMIT_ENABLED"] = True
    yield limiter
    app.config["RATELIMIT_ENABLED"] = False
    limiter.reset()


def csrf_token(client, path):
    """Return the CSRF token in the page at path."""
    response = client.get(path)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def snapshot(db):
    """Return a function that reads every table's committed rows."""

    def read():
        tables = {}
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                rows = conn.execute(select(table)).all()
                tables[table.name] = sorted(map(repr, rows))
        return tables

    return read
