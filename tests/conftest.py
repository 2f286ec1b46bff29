"""Fixtures: the app on a migrated database, clients, sign-in, and data builders.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL
names one. Its schema comes from the Alembic migrations, once per session; every test
starts from empty tables.
"""
import datetime as dt
import os

import pytest
from hypothesis import settings as hypothesis_settings
from flask import g, request_started
from flask_babel import refresh
from flask_migrate import upgrade
from sqlalchemy import event, text

from tracker import create_app
from tracker.extensions import db as _db
from tracker.models import Quarter, Unit, User
from tracker.models.revision import DataRevision, new_token

TODAY = dt.date(2023, 5, 15)

# In CI the property-based tests draw the same examples on every run, so a submission
# is judged by its code, not by the luck of the draw; locally they explore anew.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _fresh_request_globals(sender, **extra):
    """Forget per-request caches on g.

    Tests hold an application context open, which Flask reuses for each test request;
    in production every request has its own, so cached locale and user must not leak.
    """
    refresh()
    g.pop("_login_user", None)
    g.pop("csrf_token", None)  # flask-wtf caches this session's token on g
    g.pop("data_token", None)  # tracker.page_cache reads it once per request
    g.pop("may_write", None)  # tracker.db_setup: this request writes after all
    g.pop("write_refused", None)  # tracker.errors: the write lock was not had
    g.pop("credentials_refused", None)  # tracker.auth.views: count this attempt


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """Create the application once, on a database migrated to the newest revision."""
    url = _database_url(tmp_path_factory)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "TODAY": TODAY.isoformat(),
            "RATELIMIT_ENABLED": False,
            # Evidence files go to a folder of the session's own.
            "FILES_DIR": str(tmp_path_factory.mktemp("files")),
            # scrypt takes 0.2 s a hash by design; the tests make hundreds of them.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    request_started.connect(_fresh_request_globals, app)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    yield app


@pytest.fixture(autouse=True)
def db(app):
    """Give each test an application context and empty tables."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as conn:
            # The board the migrations create stays: every test starts with one board.
            first_board = conn.execute(text("SELECT min(id) FROM board")).scalar()
            for table in reversed(_db.metadata.sorted_tables):
                if table.name == "board":
                    conn.execute(table.update().values(parent_id=None,
                                                       merged_into_id=None))
                    conn.execute(table.delete().where(table.c.id != first_board))
                elif table.name != "data_revision":
                    conn.execute(table.delete())
            # Written outside the session, so the token is renewed here: the next
            # test's pages must not find parts rendered from this test's data.
            conn.execute(DataRevision.__table__.update().values(token=new_token()))


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a runner for the flask commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_unit(db):
    """Return a builder of units."""
    counter = {"n": 0}

    def build(name=None, short_name=None, kind="mass_org", parent=None):
        counter["n"] += 1
        n = counter["n"]
        unit = Unit(
            name=name or f"Đơn vị {n}", short_name=short_name or f"DV{n}", kind=kind,
            sort_order=n, parent=parent,
        )
        db.session.add(unit)
        db.session.commit()
        return unit

    return build


@pytest.fixture
def make_user(db):
    """Return a builder of users (password "secret-pass")."""

    def build(username="user", role="staff", units=(), password="secret-pass",
              installation_admin=False):
        user = User(username=username, full_name=username.title(), role=role,
                    is_installation_admin=installation_admin)
        user.set_password(password)
        user.units = list(units)
        db.session.add(user)
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_quarter(db):
    """Return a builder of quarters."""

    def build(year=2023, number=2, state="active"):
        quarter = Quarter(year=year, number=number, state=state)
        db.session.add(quarter)
        db.session.commit()
        return quarter

    return build


@pytest.fixture
def make_task(db, make_unit, make_quarter):
    """Return a builder of tasks that goes through the task service."""
    from tracker.tasks.services import create_task

    def build(quarter=None, lead=None, user=None, coordinating=(), participating=(),
              co_lead=(), **data):
        # The first quarter made, not whichever row PostgreSQL happens to return
        # first (with two boards, that can be the other board's).
        quarter = quarter or db.session.scalar(
            db.select(Quarter).order_by(Quarter.id)) or make_quarter()
        lead = lead or make_unit()
        data.setdefault("title", "Nhiệm vụ thử")
        data.setdefault("kind", "other")
        data["lead_unit_id"] = lead.id
        task = create_task(
            quarter, data, user, coordinating=[u.id for u in coordinating],
            participating=[u.id for u in participating],
            co_lead=[u.id for u in co_lead],
        )
        db.session.commit()
        return task

    return build


@pytest.fixture
def login_as(client, make_user):
    """Return a function that signs the client in as a new user with the role."""

    def sign_in(role="staff", units=(), username=None):
        user = make_user(username=username or f"{role}_user", role=role, units=units)
        response = client.post(
            "/login", data={"username": user.username, "password": "secret-pass"}
        )
        assert response.status_code == 302, response.data
        return user

    return sign_in


@pytest.fixture
def count_queries(app, db):
    """Return a context manager that counts SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def counting(begin=False):
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            # Transaction control (SQLite's explicit BEGIN) is not a query, and whether
            # a request opens a transaction depends on the test's shared context; ask
            # for it with begin=True.
            if begin or not statement.lstrip().upper().startswith("BEGIN"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def demo(db):
    """Load the demo data set; the test then sees Sơn Tịnh's board, as its users do."""
    from tracker.boards import scope
    from tracker.demo import load_demo
    from tracker.models import Board

    load_demo()
    db.session.commit()
    son_tinh = db.session.scalar(db.select(Board).where(Board.code == "son-tinh"))
    scope.set_scope(db.session(), [son_tinh.id])
    return db



LIVE_AS_OF = dt.date(2026, 11, 18)


@pytest.fixture
def live_demo(app, runner, db):
    """Load the demo as `make run` does, around a pinned day that the pages share.

    The test then sees Sơn Tịnh's board, as its users do.
    """
    from tracker.boards import scope
    from tracker.models import Board

    result = runner.invoke(args=["demo", "--as-of", LIVE_AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    pinned = app.config["TODAY"]
    app.config["TODAY"] = LIVE_AS_OF.isoformat()
    son_tinh = db.session.scalar(db.select(Board).where(Board.code == "son-tinh"))
    scope.set_scope(db.session(), [son_tinh.id])
    yield db
    app.config["TODAY"] = pinned
