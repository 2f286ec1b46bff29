"""Backups of the SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot while the application keeps serving and
writing; restoring goes through the same API into the live database, so processes
that have it open see the restored data instead of a file swapped under them.
PostgreSQL has its own tools (pg_dump, pg_restore); the commands print how to use them.

Evidence files (tracker.files) live outside the database: a backup copies their folder
beside the database copy (tracker-….sqlite → tracker-…-files/), and restoring puts
back every file of that copy. Their names are their content's SHA-256, so a file is
never changed in place: copying after the database snapshot finds every file the
snapshot names (unless it was removed in between, which the copy then reports).
"""
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(Exception):
    """Raised when a file cannot be used as a backup of this application."""


@dataclass
class BackupInfo:
    """What a verified backup holds."""

    path: str
    revision: str
    size: int


def sqlite_path(database_uri):
    """Return the file of a SQLite database URI, or None for another database."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def default_backup_path(instance_path, now=None):
    """Return instance/backups/tracker-YYYYmmdd-HHMMSS.sqlite."""
    now = now or dt.datetime.now()
    name = now.strftime("tracker-%Y%m%d-%H%M%S.sqlite")
    return os.path.join(instance_path, "backups", name)


def _connect(path, timeout=30.0):
    # Plain connections even for reading: a read-only one cannot open a WAL
    # database whose -shm file is missing.
    return sqlite3.connect(path, timeout=timeout)


def _copy(source, target):
    """Copy one open database into another in a single step (one snapshot)."""
    source.backup(target, pages=-1)


def verify(path):
    """Check that path is an intact SQLite database of this application."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}.") from exc
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not a SQLite database.")
    conn = _connect(path)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path} is damaged: {check}.")
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master"
            " WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_version:
            raise BackupError(f"{path} is not a tracker database (no alembic_version).")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None:
            raise BackupError(f"{path} has no schema revision in alembic_version.")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a database: {exc}.") from exc
    finally:
        conn.close()
    return BackupInfo(path=path, revision=row[0], size=os.path.getsize(path))


def backup(database, target):
    """Copy the live database to target (a new file) and return what it holds.

    The copy is written beside the target and renamed into place once verified, so
    a failed or interrupted backup never leaves a half-written file under its name.
    """
    if os.path.exists(target):
        raise BackupError(f"{target} already exists; choose another name.")
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    partial = target + ".part"
    source = _connect(database)
    try:
        copy = _connect(partial)
        try:
            _copy(source, copy)
        finally:
            copy.close()
    finally:
        source.close()
    try:
        info = verify(partial)
    except BackupError:
        os.remove(partial)
        raise
    os.replace(partial, target)
    info.path = target
    return info


def restore(backup_path, database):
    """Copy a verified backup over the live database and return what it holds."""
    info = verify(backup_path)
    source = _connect(backup_path)
    try:
        live = _connect(database)
        try:
            _copy(source, live)
            check = live.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            live.close()
    finally:
        source.close()
    if check != "ok":
        raise BackupError(f"The restored database fails its check: {check}.")
    return info


def files_backup_path(target):
    """Return the folder that holds a backup's files, beside the database copy."""
    return os.path.splitext(target)[0] + "-files"


def _stored_files(folder):
    """Yield (relative path, full path) of the stored files under folder."""
    if not os.path.isdir(folder):
        return
    for sub in sorted(os.listdir(folder)):
        part = os.path.join(folder, sub)
        if sub.startswith(".") or not os.path.isdir(part):
            continue  # the uploads' temporary folder is no stored file
        for name in sorted(os.listdir(part)):
            full = os.path.join(part, name)
            if os.path.isfile(full) and not name.startswith("."):
                yield f"{sub}/{name}", full


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_file(source, target):
    """Copy one file through a temporary name, so no half file bears its name."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = target + ".part"
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def backup_files(files_dir, target):
    """Copy the stored files to the folder target (new); return how many.

    Written to target.part and renamed when whole, as the database copy is.
    """
    if os.path.exists(target):
        raise BackupError(f"{target} already exists; choose another name.")
    partial = target + ".part"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    count = 0
    for relative, full in _stored_files(files_dir):
        _copy_file(full, os.path.join(partial, *relative.split("/")))
        count += 1
    os.replace(partial, target)
    return count


def missing_files(database, folder):
    """Return the storage keys the database names that the folder lacks."""
    conn = _connect(database)
    try:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_file'"
        ).fetchone()
        if not has_table:
            return []
        keys = [row[0] for row in conn.execute(
            "SELECT DISTINCT storage_key FROM stored_file WHERE removed_at IS NULL "
            "ORDER BY storage_key")]
    finally:
        conn.close()
    return [key for key in keys
            if not os.path.isfile(os.path.join(folder, *key.split("/")))]


def verify_files(source):
    """Check that every file of a backup's files folder is intact; return how many."""
    if not os.path.isdir(source):
        raise BackupError(f"{source} is not a folder of stored files.")
    count = 0
    for relative, full in _stored_files(source):
        if _sha256(full) != relative.rsplit("/", 1)[-1]:
            raise BackupError(
                f"{full} is damaged: its content does not match its name.")
        count += 1
    return count


def restore_files(source, files_dir):
    """Put back every file of a backup's files folder; return how many were copied.

    A file already in place with the same content is left alone; one that differs
    (damaged) is replaced. Files not in the backup stay: no restored row names them.
    """
    if not os.path.isdir(source):
        raise BackupError(f"{source} is not a folder of stored files.")
    copied = 0
    for relative, full in _stored_files(source):
        name = relative.rsplit("/", 1)[-1]
        if _sha256(full) != name:
            raise BackupError(
                f"{full} is damaged: its content does not match its name.")
        target = os.path.join(files_dir, *relative.split("/"))
        if os.path.isfile(target) and _sha256(target) == name:
            continue
        _copy_file(full, target)
        copied += 1
    return copied


def postgres_instructions(database_uri, action, path=None):
    """Return the pg_dump / pg_restore command lines for a PostgreSQL database."""
    url = make_url(database_uri).set(drivername="postgresql")
    shown = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    ).render_as_string(hide_password=False)
    note = (
        "\n(The password is left out: give it in ~/.pgpass or PGPASSWORD.)"
        if url.password else ""
    )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if action == "backup":
        target = path or f"tracker-{stamp}.dump"
        return (
            "This command copies SQLite databases only. For PostgreSQL, run:\n"
            f"  pg_dump -Fc -d '{shown}' -f '{target}'\n"
            "(a consistent snapshot, taken while the application runs)." + note
        )
    source = path or "tracker-YYYYmmdd-HHMMSS.dump"
    return (
        "This command restores SQLite databases only. For PostgreSQL, stop the "
        "application, then run:\n"
        f"  pg_restore --clean --if-exists --no-owner -d '{shown}' '{source}'\n"
        "and start the application again." + note
    )
