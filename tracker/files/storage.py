"""Where the bytes of stored files live: a folder outside the database.

The folder is TRACKER_FILES_DIR (default instance/files), so several app servers can
share one volume. A file's place is derived from the SHA-256 of its content
("ab/abcdef…"), never from the name a client sent; bytes are written to a temporary
file inside the folder and renamed into place, so no reader ever meets half a file
and the same content uploaded twice is stored once.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass

from flask import current_app

from tracker.files.content import NotAccepted, detect

CHUNK = 64 * 1024
TEMP_FOLDER = ".incoming"


def files_dir(app=None):
    """Return the folder that holds stored files (created if missing)."""
    app = app or current_app
    folder = app.config.get("FILES_DIR") or os.path.join(app.instance_path, "files")
    os.makedirs(folder, exist_ok=True)
    return folder


def max_file_bytes(app=None):
    """Return the largest file accepted, in bytes (TRACKER_MAX_FILE_MB)."""
    app = app or current_app
    return int(app.config.get("MAX_FILE_MB") or 20) * 1024 * 1024


def key_for(sha256):
    """Return the storage key of content with this SHA-256 ("ab/abcdef…")."""
    return f"{sha256[:2]}/{sha256}"


def path_of(key, folder=None):
    """Return the path of a storage key inside the files folder."""
    folder = folder or files_dir()
    parts = key.split("/")
    # Keys are made here, but the database is read back: refuse anything else.
    if len(parts) != 2 or not all(part.isalnum() for part in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return os.path.join(folder, *parts)


@dataclass
class Staged:
    """An upload written to a temporary file and checked, not yet in place."""

    name: str
    kind: object
    size: int
    sha256: str
    temp_path: str
    storage_key: str = ""


class TooLarge(Exception):
    """Raised when an upload is larger than the limit."""


def stage(stream, limit, folder=None):
    """Copy the stream to a temporary file, hash it and check its content.

    Returns (kind, size, sha256, temp path). Raises TooLarge or NotAccepted, having
    removed the temporary file: a refused upload leaves nothing behind.
    """
    folder = os.path.join(folder or files_dir(), TEMP_FOLDER)
    os.makedirs(folder, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix="up-", delete=False)
    try:
        with handle:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge()
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        with open(handle.name, "rb") as written:
            kind = detect(written)
    except (TooLarge, NotAccepted, OSError):
        discard(handle.name)
        raise
    return kind, size, digest.hexdigest(), handle.name


def discard(temp_path):
    """Remove a temporary file if it is still there."""
    try:
        os.remove(temp_path)
    except FileNotFoundError:
        pass


def put(staged, folder=None):
    """Move a staged file into its place (atomic rename) and return its key.

    Calling it again for the same staged file does nothing more.
    """
    folder = folder or files_dir()
    key = key_for(staged.sha256)
    target = path_of(key, folder)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.exists(staged.temp_path):
        if os.path.exists(target) and os.path.getsize(target) == staged.size:
            discard(staged.temp_path)  # the same content is stored already
        else:
            os.replace(staged.temp_path, target)
    staged.storage_key = key
    return key


def delete(key, folder=None):
    """Remove the bytes of a storage key (nothing if they are gone already)."""
    try:
        os.remove(path_of(key, folder))
    except FileNotFoundError:
        pass
