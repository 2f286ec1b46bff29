"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
        from tracker.quarters.summary import count_for_list
        expected = count_for_list([q1], q1.ends_on)[q1.id]
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
