"""Hostile bytes: NUL and control characters, bodies too large, broken UTF-8."""
import pytest

from tests.helpers import page_text
from tracker.models import Task, TaskUpdate

NUL_REFUSED = "Yêu cầu chứa ký tự NUL"


@pytest.fixture
def task(make_task):
    return make_task(title="Nhiệm vụ gốc")


def progress(client, task, **data):
    return client.post(f"/tasks/{task.id}/status",
                       data={"status": "in_progress", "progress": "30", **data})


@pytest.mark.parametrize("field", ["note", "status", "progress", "unexpected\x00name"])
def test_nul_in_a_form_is_refused_and_nothing_stored(
    client, login_as, db, snapshot, task, field
):
    login_as("leader")
    before = snapshot()
    data = {"status": "in_progress", "progress": "30", "note": "ok"}
    if field in data:
        data[field] = data[field] + "\x00"
    else:
        data[field] = "x"
    response = client.post(f"/tasks/{task.id}/status", data=data)
    assert response.status_code == 400
    assert NUL_REFUSED in page_text(response)
    assert snapshot() == before


def test_nul_in_a_query_is_refused(client, login_as, make_quarter):
    login_as("viewer")
    make_quarter()
    response = client.get("/quarters/2023-Q2/?q=abc%00def")
    assert response.status_code == 400
    assert NUL_REFUSED in page_text(response)


def test_nul_in_raw_form_reads_is_refused(client, login_as, db, make_quarter, snapshot):
    """Views that read request.form directly (a reason, a note) are covered too."""
    login_as("admin")
    make_quarter(2023, 1, state="closed")
    before = snapshot()
    response = client.post("/quarters/2023-Q1/reopen", data={"reason": "a\x00b"})
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize(
    "char", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\uffff"]
)
def test_control_characters_are_refused_field_by_field(
    client, login_as, db, task, char
):
    login_as("leader")
    response = progress(client, task, note=f"Ghi{char}chú")
    assert response.status_code == 400
    assert "ký tự điều khiển" in page_text(response)
    assert db.session.scalar(
        db.select(db.func.count()).select_from(TaskUpdate).where(
            TaskUpdate.action == "progress")
    ) == 0


@pytest.mark.parametrize("text", ["dòng 1\ndòng 2", "cột\tcột", "dòng\r\nmới"])
def test_tabs_and_line_breaks_are_ordinary_text(client, login_as, db, task, text):
    login_as("leader")
    assert progress(client, task, note=text).status_code == 302
    update = db.session.scalar(
        db.select(TaskUpdate).where(TaskUpdate.action == "progress")
    )
    assert update.note.replace("\r\n", "\n") == text.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "title", ["\u200b", "\u200b\u200c\u200d", "\u2028", " \u3000 "]
)
def test_invisible_titles_are_refused(
    client, login_as, db, make_unit, make_quarter, title
):
    login_as("leader")
    make_quarter()
    unit = make_unit()
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "other", "title": title, "lead_unit_id": str(unit.id)})
    assert response.status_code == 400
    assert "Nhập tên nhiệm vụ" in page_text(response) or "tên" in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 0


def test_body_over_the_limit_gets_the_translated_413(client, login_as, task, db, app):
    login_as("leader")
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    # The progress report carries evidence files and allows their size
    # (tracker.files.limits); every other form keeps the general limit.
    response = client.post(f"/tasks/{task.id}/direction",
                           data={"direction": "x" * (5 * 1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "Tệp quá lớn" in page_text(response) or "quá lớn" in page_text(response)
    assert task.progress == 0
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 1  # created
    # The progress report's own 5 MB note is refused at its field, nothing saved.
    response = progress(client, task, note="x" * (5 * 1024 * 1024 + 1))
    assert response.status_code in (400, 413)
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 1


def test_a_large_field_under_the_body_limit_is_refused_politely(client, login_as, task):
    """A 1 MB note: over the form's field limit; a 413 or a form error, never a 500."""
    login_as("leader")
    response = progress(client, task, note="x" * 1024 * 1024)
    assert response.status_code in (400, 413)


def test_broken_utf8_does_not_break_anything(client, login_as, task, db):
    login_as("leader")
    body = b"status=in_progress&progress=30&note=%FF%FE%C3%28"
    response = client.post(
        f"/tasks/{task.id}/status", data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (302, 400)
    db.session.expire_all()
    for update in db.session.scalars(db.select(TaskUpdate)):
        update.note.encode("utf-8")  # stored text is valid Unicode
