"""Concurrent writers: transactions that hold on SQLite, row locks on PostgreSQL."""
import threading

import pytest

from tracker.models import TaskUpdate


def test_sqlite_write_requests_take_the_write_lock_first(
    client, login_as, make_task, count_queries, db
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    login_as("leader")
    task_id = make_task().id
    db.session.close()  # so the request starts its own transaction
    with count_queries(begin=True) as statements:
        client.post(f"/tasks/{task_id}/status", data={"status": "in_progress",
                                                       "progress": "20"})
    assert statements[0] == "BEGIN IMMEDIATE"
    db.session.close()
    with count_queries(begin=True) as statements:
        client.get(f"/tasks/{task_id}")
    assert statements[0] == "BEGIN"


@pytest.mark.parametrize("password", ["secret-pass", "wrong-pass"])
def test_signing_in_checks_the_password_without_the_write_lock(
    client, make_user, count_queries, db, monkeypatch, password
):
    """The slow hash runs in a reading transaction; only the short write after it
    (the new session, or the failed attempt) takes SQLite's write lock."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from tracker.auth import services

    make_user("canbo")
    db.session.close()
    real = services.check_password_hash
    with count_queries(begin=True) as statements:
        def marked(stored, given):
            statements.append("-- password checked")
            return real(stored, given)

        monkeypatch.setattr(services, "check_password_hash", marked)
        client.post("/login", data={"username": "canbo", "password": password})
    assert statements[0] == "BEGIN"
    checked = statements.index("-- password checked")
    assert "BEGIN IMMEDIATE" not in statements[:checked]
    immediate = statements.index("BEGIN IMMEDIATE")
    write = next(i for i, sql in enumerate(statements) if sql.startswith("INSERT"))
    assert checked < immediate < write
    assert statements[immediate + 1:write + 1][-1].startswith(
        "INSERT INTO sign_in_session" if password == "secret-pass"
        else "INSERT INTO failed_sign_in")


def test_progress_reports_lock_the_task_row(
    client, login_as, make_task, count_queries, db
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    login_as("leader")
    task = make_task()
    with count_queries(begin=True) as statements:
        client.post(f"/tasks/{task.id}/status", data={"status": "in_progress",
                                                       "progress": "20"})
    assert any("FOR UPDATE OF task" in sql for sql in statements)


def test_concurrent_progress_reports_are_all_kept_in_order(
    app, make_user, make_task, db
):
    """Threads report on one task at once: every report is kept, none is lost."""
    task = make_task()
    task_id = task.id
    make_user("canbo", units=[task.lead_unit])
    db.session.close()
    clients = []
    for _ in range(4):
        client = app.test_client()
        response = client.post(
            "/login", data={"username": "canbo", "password": "secret-pass"}
        )
        assert response.status_code == 302
        clients.append(client)
    answers = []
    lock = threading.Lock()

    def report(number, client):
        for n in range(6):
            response = client.post(f"/tasks/{task_id}/status", data={
                "status": "in_progress", "progress": str((number * 6 + n) % 100),
                "note": f"t{number} n{n}"})
            with lock:
                answers.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=report, args=(number, client))
               for number, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [(302, f"/tasks/{task_id}#history")] * 24
    db.session.rollback()  # end this session's snapshot to see the threads' commits
    chain = db.session.scalars(
        db.select(TaskUpdate).where(TaskUpdate.task_id == task_id,
                                    TaskUpdate.action == "progress")
        .order_by(TaskUpdate.id)
    ).all()
    assert len(chain) == 24 and len({u.note for u in chain}) == 24
    for before, after in zip(chain, chain[1:]):
        assert after.old_progress == before.new_progress
    last = db.session.get(TaskUpdate, chain[-1].id)
    assert last.task.progress == last.new_progress


def test_the_data_token_is_taken_last_so_it_cannot_deadlock(app, make_task, db):
    """One writer holds a task's row, another has written and waits for that row.

    The data token's row is locked only at commit, so the first writes, commits,
    and the second follows; had the token been taken at the second's first write,
    the first would wait for it at its own write while the second waits for the
    task's row: a deadlock.
    """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from tracker.models import Task
    from tracker.models.revision import DataRevision

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    first_id, second_id = make_task(title="Một").id, make_task(title="Hai").id
    before = db.session.scalar(select(DataRevision.token))
    db.session.close()
    holding, errors = threading.Event(), []

    def first_writer():
        with app.app_context(), Session(db.engine) as session:
            task = session.scalars(
                select(Task).where(Task.id == first_id).with_for_update()).one()
            holding.set()
            threading.Event().wait(0.5)  # the second writer writes, then waits here
            task.title = "Một (sửa)"
            session.commit()

    def second_writer():
        holding.wait(5)
        try:
            with app.app_context(), Session(db.engine) as session:
                session.get(Task, second_id).title = "Hai (sửa)"
                session.flush()
                task = session.scalars(
                    select(Task).where(Task.id == first_id).with_for_update()).one()
                task.progress = 10
                session.commit()
        except Exception as exc:  # a deadlock error would end up here
            errors.append(exc)

    threads = [threading.Thread(target=first_writer),
               threading.Thread(target=second_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    titles = dict(db.session.execute(select(Task.id, Task.title)).all())
    assert titles == {first_id: "Một (sửa)", second_id: "Hai (sửa)"}
    assert db.session.scalar(select(DataRevision.token)) != before


def test_reading_requests_run_without_a_transaction_on_postgresql(app, make_task, db):
    """GET requests skip BEGIN and ROLLBACK; the pool's next writer has its own."""
    from tracker.db_setup import _reads_without_a_transaction

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    task_id = make_task().id
    db.session.close()  # each request starts with a fresh session in production

    def autocommit(method, path):
        with app.test_request_context(path, method=method):
            _reads_without_a_transaction()
            connection = db.session.connection()
            mode = connection.connection.dbapi_connection.autocommit
            db.session.close()  # back to the pool, its mode reset
            return mode

    assert autocommit("GET", f"/tasks/{task_id}") is True
    assert autocommit("POST", f"/tasks/{task_id}/status") is False
    assert autocommit("GET", "/healthz") is False  # (opened here, not by the hook)
    assert autocommit("GET", "/admin/audit.csv") is False  # streamed: a cursor
