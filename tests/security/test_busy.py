"""A write that cannot get the database now is a clear 503, never a 500.

SQLite: another connection holds the write lock longer than the busy timeout (made
short here; the code path is the one a 5-second timeout takes, and bench/lock.py
runs the 12-second case against gunicorn). PostgreSQL: another transaction holds the
task's row lock longer than lock_timeout, or the server breaks a deadlock. Either
way: 503 with Retry-After and a page (Vietnamese first) that keeps what the person
typed and sends it again; nothing half-written.
"""
import re
import sqlite3
import threading

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from tests.helpers import page_text
from tests.security.conftest import csrf_token
from tracker import create_app
from tracker.db_setup import is_locked
from tracker.extensions import db as _db
from tracker.models import Task, TaskUpdate, User

NOTE = "Đã tổ chức 3 lớp.\nCòn 1 lớp ở xã Tịnh Hà — =HYPERLINK(\"x\")"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
SEND_AGAIN = re.compile(r'<form method="post" action="[^"]*">(.*?)</form>', re.S)


def resent_fields(html):
    """Return the hidden fields of the page's "send again" form."""
    forms = [form for form in SEND_AGAIN.findall(html) if "Gửi lại" in form
             or "Send again" in form]
    assert len(forms) == 1, html
    return HIDDEN.findall(forms[0])


@pytest.fixture
def busy_app(app):
    """Return a second app on the test database, with short lock timeouts."""
    config = {key: value for key, value in app.config.items() if key.isupper()}
    config.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={}, SQLITE_BUSY_TIMEOUT_MS=150,
        POSTGRES_LOCK_TIMEOUT_MS=150, WRITE_LOCK_RETRIES=1,
        RATELIMIT_STORAGE_URI="database",
    )
    config.pop("SQLALCHEMY_DATABASE_URI")
    other = create_app(config)
    yield other
    with other.app_context():
        _db.engine.dispose()


@pytest.fixture
def reporter(busy_app, make_user, make_task):
    """A task, and a client of busy_app signed in as staff of its lead unit."""
    task = make_task(title="Lớp tập huấn nghiệp vụ")
    make_user("canbo", units=[task.lead_unit])
    client = busy_app.test_client()
    response = client.post("/login", data={"username": "canbo",
                                           "password": "secret-pass"})
    assert response.status_code == 302
    return client, task.id


def _sqlite_path(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].split("sqlite:///", 1)[1]


class HeldLock:
    """Another connection holding the write lock (SQLite) or the task's row (PG)."""

    def __init__(self, app, row_id, table="task"):
        self.app, self.row_id, self.table = app, row_id, table

    def __enter__(self):
        if self.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            self.conn = sqlite3.connect(_sqlite_path(self.app), isolation_level=None,
                                        check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            with self.app.app_context():
                self.conn = _db.engine.connect()
            self.conn.execute(
                text(f'SELECT id FROM "{self.table}" WHERE id = :id FOR UPDATE'),
                {"id": self.row_id})
        return self

    def release(self):
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None

    def __exit__(self, *exc):
        self.release()


def _history(db, task_id):
    db.session.rollback()  # read afresh: the tests' session may hold a snapshot
    return db.session.scalar(
        select(_db.func.count(TaskUpdate.id)).where(TaskUpdate.task_id == task_id))


def test_a_locked_write_answers_503_keeps_the_form_and_writes_nothing(
    busy_app, reporter, db, snapshot
):
    client, task_id = reporter
    before = snapshot()
    with HeldLock(busy_app, task_id):
        response = client.post(f"/tasks/{task_id}/status", data={
            "status": "in_progress", "progress": "60", "note": NOTE})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        html = page_text(response)
        assert "Chưa lưu: cơ sở dữ liệu đang bận" in html
        assert "Chưa có gì được lưu: hãy thử lại sau giây lát" in html
        # What was typed is shown, as text (escaped), under its label...
        assert "Ghi chú" in html and "Đã tổ chức 3 lớp." in html
        assert "=HYPERLINK(&#34;x&#34;)" in html or "=HYPERLINK(&quot;x&quot;)" in html
        # ...and carried in a form that sends it again, to the same address.
        assert f'action="/tasks/{task_id}/status"' in html
        assert "Gửi lại" in html
        assert "Canbo" in html  # still signed in: the page has its navigation
    assert snapshot() == before
    fields = dict(resent_fields(html))
    assert fields["status"] == "in_progress" and fields["progress"] == "60"
    # Sent again once the lock is free: saved, once.
    fields["note"] = NOTE  # (the browser sends the attribute's value unescaped)
    again = client.post(f"/tasks/{task_id}/status", data=fields)
    assert again.status_code == 302
    assert _history(db, task_id) == 2
    task = db.session.get(Task, task_id)
    assert (task.status, task.progress) == ("in_progress", 60)


def test_the_form_data_survives_with_csrf_on(busy_app, reporter, db):
    client, task_id = reporter
    busy_app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token(client, f"/tasks/{task_id}")
    with HeldLock(busy_app, task_id):
        response = client.post(f"/tasks/{task_id}/status", data={
            "csrf_token": token, "status": "done", "progress": "100",
            "completed_on": "2023-05-10", "note": "Hoàn thành"})
    assert response.status_code == 503
    html = page_text(response)
    fields = resent_fields(html)
    names = [name for name, _ in fields]
    assert names.count("csrf_token") == 1  # a fresh one, not the one sent
    assert ("completed_on", "2023-05-10") in fields and ("note", "Hoàn thành") in fields
    again = client.post(f"/tasks/{task_id}/status", data=dict(fields))
    assert again.status_code == 302, page_text(again)[:500]
    assert _history(db, task_id) == 2
    assert db.session.get(Task, task_id).status == "done"


def test_the_busy_page_in_english(busy_app, reporter):
    client, task_id = reporter
    client.get("/quarters/?lang=en")
    with HeldLock(busy_app, task_id):
        response = client.post(f"/tasks/{task_id}/status",
                               data={"status": "in_progress", "progress": "5"})
    assert response.status_code == 503
    html = page_text(response)
    assert "Not saved yet: the database is busy" in html and "Send again" in html


def test_passwords_are_not_echoed(busy_app, reporter, db):
    client, task_id = reporter
    user_id = db.session.scalar(select(User.id).where(User.username == "canbo"))
    with HeldLock(busy_app, user_id, table="user"):
        response = client.post("/account/password", data={
            "current_password": "secret-pass", "new_password": "bi-mat-moi-9",
            "confirm": "bi-mat-moi-9"})
    assert response.status_code == 503
    html = page_text(response)
    assert "secret-pass" not in html and "bi-mat-moi-9" not in html
    assert "Mật khẩu không được giữ lại" in html


def test_a_lock_let_go_during_the_retry_is_saved(busy_app, reporter, db):
    """The lock is held past the first wait but let go before the second: saved."""
    client, task_id = reporter
    if not busy_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    busy_app.config["SQLITE_BUSY_TIMEOUT_MS"] = 150
    attempts = []
    with busy_app.app_context():
        engine = _db.engine

    def count(conn, cursor, statement, *args):
        if statement == "BEGIN IMMEDIATE":
            attempts.append(statement)

    held = HeldLock(busy_app, task_id).__enter__()
    # Let go once the first BEGIN IMMEDIATE has given up (the second waits then).
    timer = threading.Timer(0.25, held.release)
    event.listen(engine, "before_cursor_execute", count)
    try:
        timer.start()
        response = client.post(f"/tasks/{task_id}/status",
                               data={"status": "in_progress", "progress": "30"})
    finally:
        timer.join()
        held.release()
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 302
    assert _history(db, task_id) == 2
    assert len(attempts) >= 2  # the first try waited out its timeout


def test_a_lock_on_postgresql_answers_503(busy_app, reporter, db, snapshot):
    """Another transaction holds the task's row past lock_timeout."""
    client, task_id = reporter
    if busy_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's row locks")
    before = snapshot()
    with HeldLock(busy_app, task_id):
        response = client.post(f"/tasks/{task_id}/status",
                               data={"status": "in_progress", "progress": "40",
                                     "note": "Chờ khóa"})
    assert response.status_code == 503 and "Chờ khóa" in page_text(response)
    assert snapshot() == before


def _postgres_error(name):
    import psycopg.errors

    return OperationalError("UPDATE task ...", {}, getattr(psycopg.errors, name)(
        "canceled by the server"))


@pytest.mark.parametrize("name", ["DeadlockDetected", "SerializationFailure",
                                  "LockNotAvailable", "QueryCanceled"])
def test_postgresql_lock_and_serialization_failures_answer_503(
    client, login_as, make_task, db, monkeypatch, name
):
    from tracker.tasks import services

    task = make_task()
    login_as("leader")

    def fail(*args, **kwargs):
        raise _postgres_error(name)

    monkeypatch.setattr(services, "report_progress", fail)
    response = client.post(f"/tasks/{task.id}/status",
                           data={"status": "in_progress", "progress": "10"})
    assert response.status_code == 503
    assert _history(db, task.id) == 1


def test_other_database_errors_are_not_taken_for_a_lock():
    import psycopg.errors

    assert not is_locked(OperationalError("x", {}, sqlite3.OperationalError(
        "no such table: task")))
    assert not is_locked(OperationalError("x", {}, psycopg.errors.UndefinedTable(
        "no such table")))
    assert is_locked(OperationalError("x", {}, sqlite3.OperationalError(
        "database is locked")))
    assert not is_locked(ValueError("database is locked"))
