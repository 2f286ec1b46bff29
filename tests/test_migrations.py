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
    """Migrating a database that holds data rebuilds tables without losing rows."""
    import flask_migrate

    from tracker import create_app
    from tracker.demo import load_demo
    from tracker.models import Quarter, Task

    url = "sqlite:///" + str(tmp_path / "old.sqlite")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t"})
    with app.app_context():
        flask_migrate.upgrade()
        load_demo()
        db.session.commit()
        flask_migrate.downgrade(revision="24827eee0207")
        flask_migrate.upgrade()
        assert db.session.scalar(db.select(db.func.count(Task.id))) == 16
        assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 2
        db.session.remove()
        db.engine.dispose()
