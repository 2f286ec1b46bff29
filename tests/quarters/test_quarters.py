"""The quarter list, opening a quarter, and its state."""
import pytest

from tests.helpers import page_text
from tracker.models import AuditEvent, Quarter


def test_list_shows_quarters_newest_first_with_counts(client, login_as, make_quarter, make_task):
    login_as("viewer")
    q1 = make_quarter(2023, 1)
    q2 = make_quarter(2023, 2)
    make_task(quarter=q1, title="A", status="done")
    make_task(quarter=q2, title="B")
    make_task(quarter=q2, title="C", status="in_progress")
    text = page_text(client.get("/quarters/"))
    assert text.index("Quý II/2023") < text.index("Quý I/2023")
    assert 'status-count-done">1<' in text
    assert 'status-count-in_progress">1<' in text


def test_open_a_quarter(client, login_as, db):
    leader = login_as("leader")
    response = client.post("/quarters/new", data={"year": "2024", "number": "3"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/quarters/2024-Q3/"
    quarter = db.session.scalar(db.select(Quarter))
    assert (quarter.year, quarter.number, quarter.state) == (2024, 3, "planning")
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.entity_type, event.entity_id, event.action) == ("quarter", quarter.id,
                                                                  "created")
    assert event.user_id == leader.id and event.changes == {"state": [None, "planning"]}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": "abc", "number": "1"}, "số nguyên"),
        ({"year": "1800", "number": "1"}, "Nhập năm từ 2000 đến 2100"),
        ({"year": "2024", "number": "5"}, "Lựa chọn không hợp lệ"),
        ({"number": "1"}, "Nhập năm"),
    ],
)
def test_open_a_quarter_rejects_bad_input(client, login_as, db, data, message):
    login_as("leader")
    response = client.post("/quarters/new", data=data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 0


def test_open_an_existing_quarter_is_refused(client, login_as, make_quarter, db):
    login_as("leader")
    make_quarter(2024, 1)
    response = client.post("/quarters/new", data={"year": "2024", "number": "1"})
    assert response.status_code == 400
    assert "Quý này đã có" in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 1


@pytest.mark.parametrize("role", ["viewer", "staff"])
def test_only_leaders_open_a_quarter(client, login_as, db, role):
    login_as(role)
    assert client.post("/quarters/new", data={"year": "2024", "number": "1"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 0
    assert "Mở quý mới" not in page_text(client.get("/quarters/"))


def test_start_the_quarter(client, login_as, make_quarter, db):
    leader = login_as("leader")
    quarter = make_quarter(2024, 1, state="planning")
    response = client.post("/quarters/2024-Q1/state", data={"state": "active"})
    assert response.status_code == 302
    db.session.refresh(quarter)
    assert quarter.state == "active"
    event = db.session.scalar(db.select(AuditEvent))
    assert (event.action, event.user_id) == ("state", leader.id)
    assert event.changes == {"state": ["planning", "active"]}


def test_state_change_rejects_unknown_state(client, login_as, make_quarter, db):
    login_as("leader")
    quarter = make_quarter(2024, 1, state="planning")
    assert client.post("/quarters/2024-Q1/state", data={"state": "closed"}).status_code == 400
    db.session.refresh(quarter)
    assert quarter.state == "planning"


@pytest.mark.parametrize("key", ["2023-Q5", "abcd-Q1", "2023-Q0", "2023Q1", "99999-Q1",
                                 "2023-Q1x", "1999-Q1"])
def test_malformed_or_unknown_key_is_404(client, login_as, make_quarter, key):
    login_as("viewer")
    make_quarter(2023, 1)
    response = client.get(f"/quarters/{key}/")
    assert response.status_code == 404
    assert "không tồn tại" in page_text(response)
