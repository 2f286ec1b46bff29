"""Fixtures for the real-browser journeys: the app on a live server, one Chromium.

Each test gets its own live server: the real application (CSRF on, real dates) on a
free 127.0.0.1 port, serving a fresh copy of a SQLite database that was migrated with
the Alembic revisions and loaded with the demo data once per session. Chromium is
Debian's /usr/bin/chromium driven by Playwright; one browser per session, one context
per page a test opens.

Without Chromium the tests are skipped locally and fail in CI (CI is set), and in CI
any skipped browser test counts as a failure.
"""
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.helpers import ARTIFACTS, DEVICES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "install Debian's Chromium with `apt-get install chromium`"
BROWSER_DIR = Path(__file__).parent


def in_ci():
    """Tell whether the suite runs in CI, where browser tests may not be skipped."""
    return bool(os.environ.get("CI"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`, so a run can select them out."""
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, turn a skipped browser test into a failure: they must run there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and BROWSER_DIR in Path(item.path).parents:
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.longrepr = f"browser test skipped in CI, which must run it: {reason}"


@pytest.fixture(autouse=True)
def db():
    """Leave the in-process test database alone: the live server has its own."""
    yield None


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """Return a SQLite file migrated to the newest revision and holding the demo."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.demo import load_demo
    from tracker.extensions import db as _db

    path = tmp_path_factory.mktemp("browser-db") / "demo.sqlite"
    app = create_app({"SECRET_KEY": "browser", "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        load_demo()
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    return path


class LiveServer:
    """The application served over HTTP in a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        """Serve requests until stopped."""
        self._thread.start()

    def stop(self):
        """Stop serving and release the database."""
        from tracker.extensions import db as _db

        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        with self.app.app_context():
            _db.engine.dispose()


@pytest.fixture
def live_server(demo_database, tmp_path):
    """Serve the real application on a fresh copy of the demo database."""
    from tracker import create_app

    path = tmp_path / "tracker.sqlite"
    source, target = sqlite3.connect(demo_database), sqlite3.connect(path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    app = create_app(
        {
            # Real dates (no pinned TODAY) and CSRF on, as a browser meets the app.
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{path}",
        }
    )
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium once for the session, headless."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium is missing at {CHROMIUM}: {INSTALL_HINT}."
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # keep only this run's screenshots
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """Return a function opening a page on the live server in a new browser context.

    Every page fails its test if the browser reports a script error or a resource the
    app links to cannot be loaded.
    """
    contexts, problems = [], []

    def on_console(message):
        # A form refused with 400 is expected; Chromium logs that like any failed load.
        if message.type == "error" and "status of 400" not in message.text:
            problems.append(f"console: {message.text}")

    def on_response(response):
        if response.request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} for {response.url}")

    def open_(device="desktop"):
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            reduced_motion="reduce",  # no smooth scrolling to measure mid-way
            **DEVICES[device],
        )
        # A cap on waiting, not a measure: a loaded CI machine may take seconds.
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", on_console)
        page.on("response", on_response)
        page.device = device  # shot() names the screenshot after it
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not problems, problems
