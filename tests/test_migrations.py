"""The Alembic migrations build exactly the schema the models describe, and their
data steps leave what the code of their time would have left."""
import datetime as dt
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from tracker.extensions import db


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_keeps_data_on_sqlite(tmp_path):
    """Migrating a database that holds data rebuilds tables without losing rows.

    One board's data: the schema before boards cannot hold several.
    """
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.models import Quarter, Task

    url = "sqlite:///" + str(tmp_path / "old.sqlite")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t"})
    with app.app_context():
        flask_migrate.upgrade()
        load_son_tinh()
        db.session.commit()
        flask_migrate.downgrade(revision="24827eee0207")
        flask_migrate.upgrade()
        assert db.session.scalar(db.select(db.func.count(Task.id))) == 16
        assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 2
        db.session.remove()
        db.engine.dispose()


def test_upgrade_stores_the_counts_of_quarters_already_closed(tmp_path):
    """Quarters closed before counts were stored get the counts closing stores."""
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.models import Quarter, Task
    from tracker.models.guard import unlocked
    from tracker.quarters.rollover import close_quarter

    url = "sqlite:///" + str(tmp_path / "closed.sqlite")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t",
                      "TODAY": "2023-05-15"})
    with app.app_context():
        flask_migrate.upgrade()
        load_son_tinh()
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        task = db.session.scalars(db.select(Task).where(
            Task.quarter_id == q1.id, Task.status != "done")).first()
        close_quarter(q1, {task.id: "cancelled"}, None)
        db.session.commit()
        stored = q1.closed_counts
        assert stored["carried_out"] > 0 and stored["statuses"]
        with unlocked(db.session):  # one of the carried tasks is archived since
            carried = db.session.scalars(db.select(Task).where(
                Task.carried_from_id.is_not(None))).first()
            carried.is_archived = True
            db.session.commit()
        from tracker.figures.counting import count_for_list
        expected = count_for_list([q1], q1.closed_cutoff)[q1.id]
        assert expected["carried_out"] == stored["carried_out"] - 1
        db.session.remove()
        flask_migrate.downgrade(revision="7322813edb45")
        flask_migrate.upgrade()
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        assert q1.closed_counts == expected
        q2 = db.session.scalars(db.select(Quarter).where(Quarter.number == 2)).one()
        assert q2.closed_counts is None
        db.session.remove()
        db.engine.dispose()


# ---- da87226b2e83: closed quarters judged at the day after their end ---------------

BEFORE_RECOMPUTE = "af5a087236a8"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path):
    """Return the URL of an empty database: a SQLite file, or a fresh schema of the
    PostgreSQL test database (dropped afterwards)."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "scratch.sqlite")
        return
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    schema = f"migration_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def _old_classify(status, due_on, completed_on, cutoff):
    """The rules before da87226b2e83: cancelled in no class ("" when frozen)."""
    if status == "cancelled":
        return ""
    if status == "done":
        if due_on is None or completed_on is None or completed_on <= due_on:
            return "done_on_time"
        return "done_late"
    if due_on is None:
        return "no_deadline"
    if cutoff > due_on:
        return "overdue"
    return "not_started" if status == "not_started" else "in_progress_on_time"


def _close_the_old_way(q1, ended):
    """Leave Q1 as the close before da87226b2e83 did: frozen at its last day, the
    ended task's status untouched, approved figures stored."""
    from tracker.models import Task

    tasks = db.session.scalars(db.select(Task).where(Task.quarter_id == q1.id)).all()
    classes = {}
    for task in tasks:
        code = _old_classify(task.status, task.due_on, task.completed_on, q1.ends_on)
        values = dict(frozen_timeliness=code)
        if task.id == ended.id:
            values.update(closing_reason="not_needed", closing_note="Đã lồng ghép")
        db.session.execute(
            Task.__table__.update().where(Task.id == task.id).values(**values))
        if code:
            classes[code] = classes.get(code, 0) + 1
    old_counts = dict(statuses={}, timeliness=classes, rate=1.0, carried_in=0,
                      carried_out=0)
    db.session.execute(text(
        "UPDATE quarter SET state = 'closed', closed_counts = :counts, "
        "approved_summary = :summary WHERE id = :id"
    ), dict(counts=__import__("json").dumps(old_counts),
            summary='{"total": 6, "overdue": 0}', id=q1.id))
    db.session.commit()


def test_upgrade_judges_closed_quarters_at_the_day_after_their_end(scratch_url):
    """Quarters closed under the old rules are recomputed, and the change audited."""
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.figures.counting import count_for_list
    from tracker.figures.services import compute, quarter_rows
    from tracker.models import AuditEvent, Quarter, Task, TaskUpdate
    from tracker.quarters.rollover import reopen_quarter
    from tracker.tasks.timeliness import classify

    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url, "SECRET_KEY": "t",
                      "TODAY": "2023-05-15", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "PAGE_CACHE": False})
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE_RECOMPUTE)
        load_son_tinh()
        db.session.commit()
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        ended = db.session.scalars(db.select(Task).where(
            Task.quarter_id == q1.id, Task.title.like("Đẩy mạnh%"))).one()
        assert (ended.status, ended.due_on) == ("in_progress", dt.date(2023, 3, 31))
        version = ended.version
        _close_the_old_way(q1, ended)

        flask_migrate.upgrade()
        db.session.expire_all()
        q1 = db.session.get(Quarter, q1.id)
        cutoff = q1.closed_cutoff
        assert cutoff == dt.date(2023, 4, 1)
        tasks = db.session.scalars(db.select(Task).where(Task.quarter_id == q1.id)
                                   ).all()
        # Ended at the close: "cancelled", recorded in its history.
        ended = db.session.get(Task, ended.id)
        assert (ended.status, ended.closing_reason) == ("cancelled", "not_needed")
        assert ended.frozen_timeliness == "cancelled" and ended.version == version + 1
        row = db.session.scalars(db.select(TaskUpdate).where(
            TaskUpdate.task_id == ended.id, TaskUpdate.action == "recomputed")).one()
        assert (row.old_status, row.new_status) == ("in_progress", "cancelled")
        # Every class is the one closing now freezes; the unfinished work due on the
        # last day is overdue for good.
        for task in tasks:
            assert task.frozen_timeliness == classify(
                task.status, task.due_on, task.completed_on, cutoff), task.title
        overdue = [t.title[:20] for t in tasks if t.frozen_timeliness == "overdue"]
        assert overdue == ["Phối hợp giải quyết "]
        # The stored counts are what the SQL mirror and the Python path count.
        assert q1.closed_counts == count_for_list([q1], cutoff)[q1.id]
        figures = compute(q1, quarter_rows(q1), cutoff)
        assert q1.closed_counts["timeliness"] == figures["counts"]
        assert figures["overdue"] == 1 and figures["cancelled"] == 1
        assert figures["rate"] == 2 / 3
        event = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.action == "recomputed")).one()
        assert event.entity_id == q1.id
        assert event.changes["overdue"] == [0, 1]
        assert event.changes["in_progress_on_time"] == [3, 1]
        assert event.changes["cancelled"] == [0, 1]
        assert event.changes["rate"] == [1.0, 0.6667]
        assert event.changes["as_of"] == ["2023-03-31", "2023-04-01"]
        assert event.changes["ended"] == 1
        # The approved figures are no longer stored; the open quarter is untouched.
        columns = {c["name"] for c in inspect(db.engine).get_columns("quarter")}
        assert "approved_summary" not in columns
        q2 = db.session.scalars(db.select(Quarter).where(Quarter.number == 2)).one()
        assert q2.closed_counts is None
        # The administrators' log shows the recomputation with its labels.
        client = app.test_client()
        assert client.post("/login", data={"username": "quantri", "password": "demo"}
                           ).status_code == 302
        log = client.get("/admin/audit").get_data(as_text=True)
        assert "Tính lại số liệu theo quy tắc của quý đã khóa sổ" in log
        assert "Ghi nhận dừng thực hiện khi khóa sổ quý" in log
        history = client.get(f"/tasks/{ended.id}").get_data(as_text=True)
        assert "Ghi nhận dừng thực hiện khi khóa sổ quý</strong>: Đang thực hiện → " \
            "Hủy bỏ" in history
        # Reopening puts back the status the close replaced.
        reopen_quarter(q1, None, "Bổ sung")
        db.session.commit()
        ended = db.session.get(Task, ended.id)
        assert (ended.status, ended.closing_reason, ended.closing_note) == (
            "in_progress", None, "")
def test_downgrade_below_boards_refuses_several_boards(tmp_path):
    """Going back before boards would merge boards' units and quarters: refused."""
    import flask_migrate
    import pytest

    from tracker import create_app
    from tracker.demo import load_demo
    from tracker.models import Board

    url = "sqlite:///" + str(tmp_path / "boards.sqlite")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t"})
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):
            flask_migrate.downgrade(revision="330ad4b03ce5")
        db.session.remove()
        assert db.session.scalar(db.select(db.func.count(Board.id))) == 3
        db.session.remove()
        db.engine.dispose()


def test_upgrade_puts_existing_data_in_one_board(tmp_path):
    """An installation from before boards gets one board holding all its data."""
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.models import Board, Organisation, Quarter, Unit, User

    url = "sqlite:///" + str(tmp_path / "one.sqlite")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t"})
    with app.app_context():
        flask_migrate.upgrade()
        load_son_tinh()
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision="330ad4b03ce5")
        flask_migrate.upgrade()
        board = db.session.scalars(db.select(Board)).one()
        assert (board.code, board.name) == ("son-tinh", "BAN DÂN VẬN HUYỆN ỦY SƠN TỊNH")
        for model in (Quarter, Unit, User, Organisation):
            assert set(db.session.scalars(db.select(model.board_id))) == {board.id}
        admins = db.session.scalars(db.select(User).where(User.role == "admin")).all()
        assert admins and all(user.is_installation_admin for user in admins)
        db.session.remove()
        db.engine.dispose()


# ---- 8c3f4a6d1e52: hand-typed opinions become petitions (imported counts) ----------

def test_hand_typed_opinions_become_imported_petitions(scratch_url):
    """Counts typed on dialogues move to petitions; a closed quarter's stay put."""
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.figures.services import quarter_figures
    from tracker.models import Quarter, Task
    from tracker.models.petition import Petition
    from tracker.quarters.rollover import close_quarter

    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url,
                      "SECRET_KEY": "t", "TODAY": "2023-05-15"})
    with app.app_context():
        flask_migrate.upgrade()
        load_son_tinh()
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        close_quarter(q1, {}, None)
        db.session.commit()
        before = quarter_figures(q1)["dialogues"]
        assert (before["opinions_raised"], before["opinions_answered"]) == (110, 105)
        db.session.remove()
        flask_migrate.downgrade(revision="5b1e7c2a9d40")
        typed = db.session.execute(db.select(
            Task.__table__.c.opinions_raised, Task.__table__.c.opinions_answered)
            .where(Task.__table__.c.opinions_raised.is_not(None))
            .order_by(Task.__table__.c.id)).all()
        assert [tuple(row) for row in typed] == [(14, 14), (96, 91)]
        db.session.remove()
        flask_migrate.upgrade()
        # The demo's own petitions (one in each state) are records, not counts.
        rows = db.session.scalars(db.select(Petition).where(Petition.is_imported)
                                  .order_by(Petition.id)).all()
        assert [(p.state, p.count, p.is_imported) for p in rows] == [
            ("answered", 14, True), ("answered", 91, True), ("received", 5, True)]
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        assert all(p.settled_at == q1.closed_at for p in rows if p.state == "answered")
        assert all(p.updates[0].action == "imported" for p in rows)
        assert db.session.scalar(db.select(db.func.count()).select_from(Task).where(
            Task.opinions_raised.is_not(None))) == 0
        assert quarter_figures(q1)["dialogues"] == before
        db.session.remove()
        db.engine.dispose()


# ---- dc8d13353918: congresses by term --------------------------------------------

def test_congress_terms_migrate_up_and_down(scratch_url):
    """The terms' tables come and go with their revision, on either engine."""
    import flask_migrate

    from tracker import create_app
    from tracker.congresses.services import create_term
    from tracker.models import CongressTerm, CongressTermChange

    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url,
                      "SECRET_KEY": "t", "TODAY": "2023-05-15"})
    with app.app_context():
        flask_migrate.upgrade()
        create_term(dict(organisation="Hội Nông dân huyện Sơn Tịnh", level="district",
                         unit_id=None, ordinal=11, term_start=2018, term_end=2023,
                         last_held_on=dt.date(2018, 6, 20)), None)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(CongressTermChange.id))) == 1
        db.session.remove()
        flask_migrate.downgrade(revision="e2ecdf86da7c")
        tables = inspect(db.engine).get_table_names()
        assert "congress_term" not in tables and "congress_term_change" not in tables
        db.session.remove()
        flask_migrate.upgrade()
        assert db.session.scalar(db.select(db.func.count(CongressTerm.id))) == 0
        term = create_term(dict(organisation="Hội Nông dân huyện Sơn Tịnh",
                                level="district", unit_id=None, ordinal=12,
                                term_start=2023, term_end=2028, last_held_on=None),
                           None)
        db.session.commit()
        assert term.id is not None and term.version == 1


# ---- 3f9a7c21d4e8: evidence files ------------------------------------------------

def test_stored_files_table_comes_and_goes(scratch_url):
    """The files' table is made with its indexes, and dropped on the way down."""
    import flask_migrate

    from tracker import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url, "SECRET_KEY": "t"})
    with app.app_context():
        flask_migrate.upgrade(revision="3f9a7c21d4e8")
        inspector = inspect(db.engine)
        assert {index["name"] for index in inspector.get_indexes("stored_file")} == {
            "ix_stored_file_task_removed", "ix_stored_file_task_update_id",
            "ix_stored_file_sha256"}
        assert {fk["referred_table"] for fk in inspector.get_foreign_keys(
            "stored_file")} == {"task", "task_update", "unit", "user"}
        db.session.remove()
        flask_migrate.downgrade(revision="e19a7c4b2d38")
        assert "stored_file" not in inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "stored_file" in inspect(db.engine).get_table_names()


# ---- 020833e21361: files on comments ----------------------------------------------

def test_comment_files_column_comes_and_goes(scratch_url):
    """stored_file gains comment_id (indexed, a foreign key) and loses it, rows kept."""
    import flask_migrate

    from tracker import create_app
    from tracker.comments.services import post_comment
    from tracker.models import Quarter, StoredFile, Unit, User
    from tracker.tasks.services import create_task

    below = "020833e21361-1"  # the revision before, wherever it is chained
    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url, "SECRET_KEY": "t",
                      "TODAY": "2023-05-15"})
    with app.app_context():
        flask_migrate.upgrade(revision=below)
        assert "comment_id" not in {
            column["name"] for column in inspect(db.engine).get_columns("stored_file")}
        db.session.remove()
        flask_migrate.upgrade()
        inspector = inspect(db.engine)
        assert "ix_stored_file_comment_id" in {
            index["name"] for index in inspector.get_indexes("stored_file")}
        assert {(fk["referred_table"], tuple(fk["constrained_columns"]))
                for fk in inspector.get_foreign_keys("stored_file")} >= {
            ("comment", ("comment_id",)), ("task", ("task_id",))}
        quarter = Quarter(year=2023, number=2, state="active")
        unit = Unit(name="Hội Nông dân huyện", short_name="HND", kind="mass_org")
        user = User(username="an", full_name="An", role="staff")
        user.set_password("secret-pass")
        db.session.add_all([quarter, unit, user])
        db.session.flush()
        task = create_task(quarter, dict(title="Đối thoại", kind="other",
                                         lead_unit_id=unit.id), None)
        comment = post_comment(task, "Kèm biên bản", user)
        db.session.add(StoredFile(
            task=task, attached_to="comment", comment=comment,
            original_name="bien-ban.pdf", content_type="application/pdf", size=5,
            sha256="a" * 64, storage_key="aa/" + "a" * 64))
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision=below)
        inspector = inspect(db.engine)
        assert "comment_id" not in {
            column["name"] for column in inspector.get_columns("stored_file")}
        assert "comment" not in {
            fk["referred_table"] for fk in inspector.get_foreign_keys("stored_file")}
        # The file's row stays, a file of its task.
        with db.engine.connect() as conn:
            assert conn.execute(text(
                "SELECT original_name, attached_to FROM stored_file")).all() == [
                ("bien-ban.pdf", "comment")]
        db.session.remove()
        db.engine.dispose()


# ---- b7d41e9c05a3: hand-typed models become the registry's imported counts ---------

def test_hand_typed_models_become_imported_counts(scratch_url):
    """Counts typed on movements move to the registry; a closed quarter's stay put."""
    import flask_migrate
    from sqlalchemy import update

    from tracker import create_app
    from tracker.demo import load_son_tinh
    from tracker.figures.services import quarter_figures
    from tracker.models import Quarter, Task
    from tracker.models.initiative import Initiative

    app = create_app({"TESTING": True, "DATABASE_URL": scratch_url,
                      "SECRET_KEY": "t", "TODAY": "2023-05-15"})
    columns = Task.__table__.c
    with app.app_context():
        flask_migrate.upgrade(revision="3f9a7c21d4e8")
        load_son_tinh()
        db.session.commit()
        movement = db.session.scalar(db.select(columns.id).where(
            columns.kind == "movement").order_by(columns.id))
        other = db.session.scalar(db.select(columns.id).where(
            columns.kind == "monitoring").order_by(columns.id))
        db.session.execute(update(Task.__table__).where(columns.id == movement)
                           .values(models_registered=46, models_recognised=3))
        db.session.execute(update(Task.__table__).where(columns.id == other)
                           .values(models_registered=None, models_recognised=2))
        closed_at = dt.datetime(2023, 4, 3, 9, 0)
        db.session.execute(update(Quarter.__table__).where(
            Quarter.__table__.c.number == 1).values(state="closed",
                                                    closed_at=closed_at))
        db.session.commit()
        db.session.remove()
        flask_migrate.upgrade()
        rows = db.session.scalars(db.select(Initiative).order_by(Initiative.id)).all()
        assert [(r.task_id, r.state, r.count, r.is_imported) for r in rows] == [
            (movement, "recognised", 3, True), (movement, "registered", 43, True),
            (other, "recognised", 2, True)]
        q1 = db.session.scalars(db.select(Quarter).where(Quarter.number == 1)).one()
        assert all(r.quarter_id == q1.id and r.year == 2023 for r in rows)
        assert all(r.settled_at == closed_at for r in rows if r.state == "recognised")
        assert all(r.updates[0].action == "imported" for r in rows)
        assert db.session.scalar(db.select(db.func.count()).select_from(Task).where(
            db.or_(Task.models_registered.is_not(None),
                   Task.models_recognised.is_not(None)))) == 0
        m = quarter_figures(q1)["movements"]
        assert (m["models_registered"], m["models_recognised"],
                m["models_imported"]) == (48, 5, 48)
        db.session.remove()
        flask_migrate.downgrade(revision="3f9a7c21d4e8")
        typed = db.session.execute(db.select(
            columns.id, columns.models_registered, columns.models_recognised)
            .where(columns.models_registered.is_not(None))
            .order_by(columns.id)).all()
        assert [tuple(row) for row in typed] == [(movement, 46, 3), (other, 2, 2)]
        db.session.remove()
        db.engine.dispose()
