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

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
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


def _request_may_write():
    """Tell whether the current request should take the write lock from the start."""
    if not has_request_context() or request.method in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "reads_only", False)


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
    """Begin SQLite transactions explicitly: IMMEDIATE when the request may write."""
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _request_may_write() else "BEGIN")
