"""`flask backup` and `flask restore`: a consistent copy while the app writes."""
import os
import shutil
import sqlite3
import threading

import flask_migrate
import pytest

from tracker import create_app
from tracker.backup import BackupError, verify
from tracker.extensions import db as _db


@pytest.fixture
def live(tmp_path):
    """Return an app on its own SQLite file holding the demo, and that file."""
    path = tmp_path / "live.sqlite"
    app = create_app({
        "TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{path}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    })
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade()
        from tracker.demo import load_demo

        load_demo()
        _db.session.commit()
        _db.session.remove()
        with _db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE scratch (n INTEGER, pair INTEGER)")
        _db.engine.dispose()
    yield app, path


def invoke(app, args, **kwargs):
    """Run a flask command against app (not the suite's app, whose context is open)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args, **kwargs)


def read_all(path):
    """Return every row of every table of a SQLite file, table by table."""
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
                for name in names}
    finally:
        conn.close()


def titles(path):
    """Return the task titles stored in a SQLite file."""
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM task ORDER BY id")]
    finally:
        conn.close()


class Writer(threading.Thread):
    """Write pairs of rows in single transactions until told to stop (bounded)."""

    def __init__(self, path, limit=20_000):
        super().__init__(daemon=True)
        self.path, self.limit = path, limit
        self.stop = threading.Event()
        self.started_writing = threading.Event()
        self.pairs = 0

    def run(self):
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            while not self.stop.is_set() and self.pairs < self.limit:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO scratch VALUES (?, 1)", (self.pairs,))
                conn.execute("INSERT INTO scratch VALUES (?, 2)", (self.pairs,))
                conn.execute("UPDATE task SET progress = ? WHERE id = 1",
                             (self.pairs % 100,))
                conn.execute("COMMIT")
                self.pairs += 1
                self.started_writing.set()
        finally:
            conn.close()


def test_backup_while_writing_is_consistent_and_restores(live, tmp_path):
    app, path = live
    writer = Writer(str(path))
    writer.start()
    assert writer.started_writing.wait(10)
    target = tmp_path / "copy.sqlite"
    try:
        result = invoke(app, ["backup", str(target)])
    finally:
        writer.stop.set()
        writer.join(10)
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and str(target) in result.output
    copy = read_all(target)
    # A consistent snapshot: every transaction is wholly in it or wholly out.
    rows = copy["scratch"]
    assert len(rows) % 2 == 0 and len(rows) > 0
    assert {n for n, pair in rows if pair == 1} == {n for n, pair in rows if pair == 2}
    last = max(n for n, _ in rows)
    conn = sqlite3.connect(target)
    progress = conn.execute("SELECT progress FROM task WHERE id = 1").fetchone()[0]
    conn.close()
    assert progress == last % 100  # the update of the same transaction is there
    assert copy["alembic_version"]
    assert 0 < len(rows) // 2 <= writer.pairs

    # Change the live database, then put the backup back.
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM scratch")
        conn.execute("UPDATE task SET title = 'changed after the backup'")
    conn.close()
    assert read_all(path) != copy
    result = invoke(app, ["restore", str(target)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert read_all(path) == copy
    # The data it replaced was kept.
    kept = list((tmp_path / "instance" / "backups").glob("before-restore-*.sqlite"))
    assert len(kept) == 1
    assert set(titles(kept[0])) == {"changed after the backup"}


def test_default_path_is_in_instance_backups(live, tmp_path):
    app, _ = live
    result = invoke(app, ["backup"])
    assert result.exit_code == 0, result.output
    made = list((tmp_path / "instance" / "backups").glob("tracker-*.sqlite"))
    assert len(made) == 1
    assert made[0].name[len("tracker-"):-len(".sqlite")].replace("-", "").isdigit()
    assert verify(str(made[0])).revision


def test_backup_never_overwrites(live, tmp_path):
    app, _ = live
    target = tmp_path / "exists.sqlite"
    target.write_bytes(b"keep me")
    result = invoke(app, ["backup", str(target)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert target.read_bytes() == b"keep me"


def test_restore_asks_first(live, tmp_path):
    app, path = live
    target = tmp_path / "copy.sqlite"
    invoke(app, ["backup", str(target)])
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE task SET title = 'kept'")
    conn.close()
    result = invoke(app, ["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert set(titles(path)) == {"kept"}
    result = invoke(app, ["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert "kept" not in titles(path)


def _not_sqlite(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    return path


def _other_sqlite(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def _unknown_revision(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    conn.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    conn.commit()
    conn.close()
    return path


def _truncated(tmp_path):
    path = tmp_path / "half.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    return path


@pytest.mark.parametrize(
    "make, message",
    [(_not_sqlite, "not a SQLite database"), (_other_sqlite, "no alembic_version"),
     (_unknown_revision, "does not know"), (_truncated, "cannot be read"),
     (lambda tmp: tmp / "missing.sqlite", "Cannot read")],
)
def test_restore_refuses_what_is_not_a_backup_of_this_app(
    live, tmp_path, make, message
):
    app, path = live
    before = read_all(path)
    bad = make(tmp_path)
    result = invoke(app, ["restore", "--yes", str(bad)])
    assert result.exit_code != 0
    assert message in result.output
    assert read_all(path) == before


def test_verify_names_the_revision(live, tmp_path):
    app, path = live
    info = verify(str(path))
    assert len(info.revision) == 12 and info.size > 0
    with pytest.raises(BackupError):
        verify(str(tmp_path))


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_gets_the_pg_commands(command, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "DATABASE_URL": "postgresql://tracker:secret@db.example/tracker"})
    args = [command] + (["x.dump"] if command == "restore" else [])
    result = invoke(app, args)
    assert result.exit_code == 1
    tool = "pg_dump -Fc" if command == "backup" else "pg_restore --clean"
    assert tool in result.output
    assert "postgresql://tracker@db.example/tracker" in result.output
    assert "secret" not in result.output


# ---- evidence files travel with the database -------------------------------------

def _attach_to_first_task(app, content):
    """Attach a file to the live app's first task; return its storage key."""
    from tests.files.samples import attach
    from tracker.models import Task

    with app.app_context():
        task = _db.session.scalars(_db.select(Task).order_by(Task.id)).first()
        stored = attach(task, None, "Biên bản.pdf", content)
        _db.session.commit()
        key = stored.storage_key
        _db.session.remove()
        _db.engine.dispose()
    return key


def test_backup_takes_the_files_and_restore_brings_them_back(live, tmp_path):
    from tests.files import samples

    app, path = live
    content = samples.pdf("Biên bản hội nghị trực báo")
    key = _attach_to_first_task(app, content)
    live_file = tmp_path / "instance" / "files" / key
    assert live_file.read_bytes() == content
    target = tmp_path / "copy.sqlite"
    result = invoke(app, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    # The demo's files, and this one.
    stored = sorted(p.name for p in (tmp_path / "instance" / "files").glob("*/*"))
    assert f"Copied {len(stored)} stored files" in result.output
    assert sorted(p.name for p in (tmp_path / "copy-files").glob("*/*")) == stored
    assert (tmp_path / "copy-files" / key).read_bytes() == content
    # The volume is lost and the records with it.
    shutil.rmtree(tmp_path / "instance" / "files")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM stored_file")
    conn.close()
    result = invoke(app, ["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Put back {len(stored)} stored files" in result.output
    assert "Warning" not in result.output
    assert live_file.read_bytes() == content
    assert key.split("/")[1] in {row[8] for row in read_all(path)["stored_file"]}
    # The data it replaced (without the file) was kept, with its files folder.
    safety = [name for name in os.listdir(tmp_path / "instance" / "backups")
              if name.startswith("before-restore-") and name.endswith(".sqlite")]
    assert len(safety) == 1


def test_restore_refuses_a_damaged_file_and_warns_of_missing_ones(live, tmp_path):
    from tests.files import samples

    app, path = live
    key = _attach_to_first_task(app, samples.png())
    target = tmp_path / "copy.sqlite"
    assert invoke(app, ["backup", str(target)]).exit_code == 0
    (tmp_path / "copy-files" / key).write_bytes(b"damaged")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE task SET title = 'kept'")
    conn.close()
    result = invoke(app, ["restore", "--yes", str(target)])
    assert result.exit_code != 0 and "is damaged" in result.output
    assert set(titles(path)) == {"kept"}  # nothing was replaced
    # Without its files folder, a restore says which files it lacks.
    shutil.rmtree(tmp_path / "copy-files")
    (tmp_path / "instance" / "files" / key).unlink()
    result = invoke(app, ["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 files" in result.output and key in result.output


def test_a_comments_files_are_backed_up_and_restored(live, tmp_path):
    """Files posted with comments live in the same folder: they travel too."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from tests.files import samples
    from tracker.comments.services import attach_files, post_comment
    from tracker.files import services as file_services
    from tracker.models import StoredFile, Task, User

    app, path = live
    content = samples.docx()
    with app.app_context():
        task = _db.session.scalars(_db.select(Task).order_by(Task.id)).first()
        user = _db.session.scalars(_db.select(User).order_by(User.id)).first()
        comment = post_comment(task, "Kèm báo cáo", user)
        staged = file_services.put_in_place(file_services.stage_uploads(
            [FileStorage(BytesIO(content), "Báo cáo.docx")]))
        [stored] = attach_files(comment, staged, user)
        _db.session.commit()
        key, comment_id = stored.storage_key, comment.id
        # The demo's discussion carries a file of its own.
        keys = set(_db.session.scalars(
            _db.select(StoredFile.storage_key).where(
                StoredFile.attached_to == "comment"),
            execution_options={"all_boards": True}))
        assert len(keys) == 2 and key in keys
        _db.session.remove()
        _db.engine.dispose()
    target = tmp_path / "copy.sqlite"
    result = invoke(app, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    for each in keys:
        assert (tmp_path / "copy-files" / each).is_file()
    assert (tmp_path / "copy-files" / key).read_bytes() == content
    shutil.rmtree(tmp_path / "instance" / "files")
    result = invoke(app, ["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert (tmp_path / "instance" / "files" / key).read_bytes() == content
    conn = sqlite3.connect(path)
    restored = conn.execute("SELECT storage_key FROM stored_file "
                            "WHERE comment_id = ?", (comment_id,)).fetchall()
    conn.close()
    assert restored == [(key,)]
