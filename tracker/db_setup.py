"""Engine settings per database: SQLite in WAL mode, with transactions that hold.

Python's sqlite3 module, left to itself, starts a transaction only before the first
INSERT/UPDATE/DELETE: the SELECTs before it run outside any transaction, so a request
can read a task, another process can change it, and the first then writes over a
state it never saw. Here the module's own transaction handling is switched off and
SQLAlchemy's "begin" emits BEGIN itself (the recipe in SQLAlchemy's SQLite notes):

- a request that may write (POST, PUT, PATCH, DELETE) begins with BEGIN IMMEDIATE,
  taking SQLite's single write lock before its first read, so concurrent writers
  queue (for up to SQLITE_BUSY_TIMEOUT_MS) instead of failing with "database is
  locked" or overwriting each other;
- everything else begins with a plain (deferred) BEGIN and reads one snapshot.

PostgreSQL runs at its default isolation (READ COMMITTED); the writes that read and
then change a task lock its row first (SELECT ... FOR UPDATE, see the task services).
Requests that only read run in autocommit mode there (no BEGIN/ROLLBACK round trips).
"""
import json
import sqlite3
import time
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RETRY_PAUSE = 0.2  # seconds between two tries for SQLite's write lock
NO_DATABASE = (None, "static", "bootstrap.static", "healthz")


def json_dumps(value):
    """Serialise JSON columns keeping Vietnamese letters readable (and searchable)."""
    return json.dumps(value, ensure_ascii=False)


def init_app(app):
    """Store JSON as readable UTF-8; give SQLite a busy timeout so writers wait."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("json_serializer", json_dumps)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("postgresql"):
        app.before_request(_reads_without_a_transaction)
    if uri.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("postgresql") and app.config.get("POSTGRES_LOCK_TIMEOUT_MS"):
        # A row lock not granted in time is a clear 503, not a request hanging
        # until the worker is killed.
        connect_args = dict(options.get("connect_args") or {})
        timeout = int(app.config["POSTGRES_LOCK_TIMEOUT_MS"])
        # Options named in the URL (a search_path, say) are kept: connect_args
        # would otherwise replace them.
        named = make_url(uri).query.get("options", "")
        if isinstance(named, tuple):
            named = " ".join(named)
        lock = f"-c lock_timeout={timeout}"
        connect_args.setdefault("options", f"{named} {lock}".strip())
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def reads_only(view):
    """Mark a view whose POST does not write, so it need not wait for the write lock.

    Signing in spends a noticeable time hashing the password; holding SQLite's write
    lock meanwhile would make every writer wait for it.
    """
    view.reads_only = True
    return view


def in_a_transaction(view):
    """Mark a reading view that needs a transaction on PostgreSQL all the same.

    A server-side cursor (a result streamed with yield_per) exists only inside one.
    """
    view.needs_transaction = True
    return view


@contextmanager
def writing():
    """Run a write of a reads_only view in a transaction of its own, and commit it.

    Signing in opens a session and a refused attempt is recorded, after the slow
    password check: the reading transaction ends first, and the write begins with
    SQLite's write lock taken before anything is read, so it waits its turn like
    every other writer instead of failing on a snapshot another has moved on from.
    The lock is let go at the commit; what the request reads afterwards does not
    take it again.
    """
    from tracker.extensions import db

    db.session.commit()  # nothing was written: this only ends the read
    g.may_write = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        g.pop("may_write", None)


def _request_may_write():
    """Tell whether the current request should take the write lock from the start."""
    if not has_request_context() or g.get("write_refused"):
        return False
    if g.get("may_write"):
        return True
    if request.method in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "reads_only", False)


def is_locked(error):
    """Tell whether a database error means "busy now, try again later".

    SQLite: the write lock was not free within the busy timeout ("database is
    locked"/"busy"). PostgreSQL: a lock not granted within lock_timeout, a deadlock
    broken by the server, a serialization failure.
    """
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return "database is locked" in text or "database is busy" in text
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in POSTGRES_BUSY


# lock_not_available, deadlock_detected, serialization_failure, query_canceled (a
# statement_timeout, when one is set).
POSTGRES_BUSY = ("55P03", "40P01", "40001", "57014")


def _reads_without_a_transaction():
    """On PostgreSQL, let a reading request run its statements in autocommit mode.

    At READ COMMITTED each statement sees what was committed when it began, inside a
    transaction or not, so a request that only reads loses nothing without one and
    saves the BEGIN and ROLLBACK round trips. Requests that may write keep their
    transaction; the connection goes back to the pool with its mode reset.
    """
    from tracker.extensions import db

    if request.method not in SAFE_METHODS or request.endpoint in NO_DATABASE:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "needs_transaction", False):
        return
    session = db.session()
    if not session.in_transaction():  # (tests share one session across requests)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on WAL journaling and foreign keys; let SQLAlchemy emit BEGIN itself."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """Begin SQLite transactions explicitly: IMMEDIATE when the request may write.

    BEGIN IMMEDIATE waits up to the busy timeout for the write lock; if another
    connection still holds it, it is tried again WRITE_LOCK_RETRIES times after a
    short pause before the error goes up (and becomes a 503 page). Nothing has been
    read or written at that point, so trying again is always safe.
    """
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    if not _request_may_write():
        conn.exec_driver_sql("BEGIN")
        return
    retries = current_app.config.get("WRITE_LOCK_RETRIES", 1) if has_request_context() \
        else 0
    for attempt in range(retries + 1):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if attempt == retries or not is_locked(error):
                raise
            time.sleep(RETRY_PAUSE)
