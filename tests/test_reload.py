"""A refused form can be reloaded: its address answers GET (never 405)."""
import pytest

from tracker.models import AuditEvent, Quarter, TaskUpdate


def _changes(db):
    return (db.session.scalar(db.select(db.func.count(AuditEvent.id))),
            db.session.scalar(db.select(db.func.count(TaskUpdate.id))))


@pytest.fixture
def world(db, login_as, make_quarter, make_task, make_user, make_unit):
    """Sign in as an administrator; return ids the forms need."""
    admin = login_as("admin")
    make_quarter(2023, 2)
    make_quarter(2023, 3, state="planning")
    task = make_task(title="Việc đang làm")
    other = make_user("canbo", role="staff", units=[make_unit()])
    return {"task": task.id, "user": other.id, "admin": admin.id}


# (address, a refused submission, where a reload lands, what it answers there)
FORMS = [
    ("/quarters/new", {"year": "1800", "number": "1"}, "/quarters/#new-quarter", 200),
    ("/tasks/{task}/status", {"status": "done", "progress": "30"},
     "/tasks/{task}#report", 200),
    ("/tasks/{task}/direction", {"direction": " "}, "/tasks/{task}#direct", 200),
    ("/tasks/{task}/edit", {"title": "", "version": "1"}, None, 200),
    ("/admin/users/{user}/password", {"password": "x", "confirm": "y"},
     "/admin/users/{user}#password-form", 200),
    ("/admin/users/{admin}/deactivate", {}, "/admin/users/{admin}#active", 200),
    ("/quarters/2023-Q3/import/confirm", None, "/quarters/2023-Q3/import", 200),
    ("/quarters/2023-Q2/report", {"number": "x" * 100}, None, 200),
]


@pytest.mark.parametrize("address, data, lands, status", FORMS)
def test_a_refused_form_can_be_reloaded(client, world, db, address, data, lands,
                                        status):
    address = address.format(**world)
    before = _changes(db)
    if data is not None:
        refused = client.post(address, data=data)
        assert refused.status_code == 400, refused.get_data(as_text=True)[:500]
    reload = client.get(address)
    assert reload.status_code != 405
    if lands is None:
        assert reload.status_code == status  # the form's own page answers GET
    else:
        assert reload.status_code == 302
        assert reload.headers["Location"] == lands.format(**world)
        assert client.get(reload.headers["Location"]).status_code == status
    assert _changes(db) == before
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 2
