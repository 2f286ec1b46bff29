"""Engine settings per database: SQLite in WAL mode with a busy timeout."""
import json
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def json_dumps(value):
    """Serialise JSON columns keeping Vietnamese letters readable (and searchable)."""
    return json.dumps(value, ensure_ascii=False)


def init_app(app):
    """Store JSON as readable UTF-8; give SQLite a busy timeout so writers wait."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("json_serializer", json_dumps)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on WAL journaling and foreign keys for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
