"""Tasks are archived, never deleted; leaders write directions on them."""
import pytest

from tests.helpers import page_text
from tracker.models import Task, TaskUpdate


@pytest.fixture
def two_tasks(make_task, make_unit, make_quarter):
    """Return (kept, archived-to-be) tasks of Q2 2023 led by the same unit."""
    quarter = make_quarter(2023, 2)
    lead = make_unit("Ban Dân vận", "BDV")
    kept = make_task(quarter=quarter, lead=lead, title="Việc giữ lại", status="done",
                     progress=100)
    gone = make_task(quarter=quarter, lead=lead, title="Việc nhập nhầm")
    return kept, gone


def _updates(db, task_id, action):
    return db.session.scalars(
        db.select(TaskUpdate).where(TaskUpdate.task_id == task_id,
                                    TaskUpdate.action == action)
    ).all()


def test_archive_hides_the_task_from_board_and_counts(client, login_as, two_tasks, db):
    kept, gone = two_tasks
    user = login_as("staff", units=[gone.lead_unit])
    response = client.post(f"/tasks/{gone.id}/archive", data={"reason": "Nhập trùng"})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, gone.id)
    assert task.is_archived
    [row] = _updates(db, gone.id, "archived")
    assert (row.user_id, row.note, row.changes) == (
        user.id, "Nhập trùng", {"is_archived": [False, True]})

    board = page_text(client.get("/quarters/2023-Q2/"))
    assert "Việc giữ lại" in board and "Việc nhập nhầm" not in board
    assert "1 nhiệm vụ" in board
    index = page_text(client.get("/quarters/"))
    assert 'status-count-not_started">0<' in index
    summary = page_text(client.get("/quarters/2023-Q2/summary"))
    assert 'id="total">1<' in summary
    unit = page_text(client.get(f"/units/{gone.lead_unit_id}"))
    assert "Việc nhập nhầm" not in unit
    # Still there: its page, with the banner and the history.
    text = page_text(client.get(f"/tasks/{gone.id}"))
    assert 'id="archived"' in text and "Đã lưu trữ" in text and "Nhập trùng" in text


def test_archived_tasks_are_shown_with_the_filter_and_restored(
    client, login_as, two_tasks, db
):
    kept, gone = two_tasks
    login_as("leader")
    client.post(f"/tasks/{gone.id}/archive", data={})
    archived = page_text(client.get("/quarters/2023-Q2/?archived=1"))
    assert "Việc nhập nhầm" in archived and "Việc giữ lại" not in archived
    assert 'id="archived-notice"' in archived
    text = page_text(client.get(f"/tasks/{gone.id}"))
    assert f'action="/tasks/{gone.id}/restore"' in text
    assert f'action="/tasks/{gone.id}/status"' not in text  # read-only while archived
    assert client.post(f"/tasks/{gone.id}/status",
                       data={"status": "done"}).status_code == 403

    assert client.post(f"/tasks/{gone.id}/restore", data={}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Task, gone.id).is_archived
    assert len(_updates(db, gone.id, "restored")) == 1
    assert "Việc nhập nhầm" in page_text(client.get("/quarters/2023-Q2/"))


def test_archiving_twice_or_restoring_a_live_task_is_refused(client, login_as,
                                                             two_tasks, db):
    kept, gone = two_tasks
    login_as("leader")
    assert client.post(f"/tasks/{kept.id}/restore", data={}).status_code == 403
    client.post(f"/tasks/{gone.id}/archive", data={})
    assert client.post(f"/tasks/{gone.id}/archive", data={}).status_code == 403
    assert len(_updates(db, gone.id, "archived")) == 1
    assert _updates(db, kept.id, "restored") == []


def test_archive_reason_is_bounded(client, login_as, two_tasks, db):
    kept, gone = two_tasks
    login_as("leader")
    response = client.post(f"/tasks/{gone.id}/archive", data={"reason": "x" * 2001})
    assert response.status_code == 400
    db.session.expire_all()
    assert not db.session.get(Task, gone.id).is_archived


def test_closing_leaves_archived_tasks_behind(
    client, login_as, two_tasks, make_task, db
):
    kept, gone = two_tasks
    unfinished = make_task(quarter=kept.quarter, lead=kept.lead_unit, title="Dở dang")
    login_as("leader")
    client.post(f"/tasks/{gone.id}/archive", data={})
    response = client.post("/quarters/2023-Q2/close", data={"carry_all": "1"})
    assert response.status_code == 302
    carried = db.session.scalars(
        db.select(Task.carried_from_id).where(Task.carried_from_id.is_not(None))).all()
    assert carried == [unfinished.id]


def test_leader_writes_a_direction(client, login_as, two_tasks, db):
    kept, gone = two_tasks
    leader = login_as("leader")
    response = client.post(f"/tasks/{gone.id}/direction",
                           data={"direction": "Hoàn thành trước ngày 20/6, báo cáo "
                                              "kết quả về Ban."})
    assert response.status_code == 302
    [row] = _updates(db, gone.id, "direction")
    assert row.user_id == leader.id and row.note.startswith("Hoàn thành trước")
    db.session.expire_all()
    # The plan is untouched: the version does not move.
    assert db.session.get(Task, gone.id).version == gone.version
    text = page_text(client.get(f"/tasks/{gone.id}"))
    direction = text[text.index('class="history-direction'):]
    assert "Ý kiến chỉ đạo" in direction[:600] and "Hoàn thành trước" in direction[:900]


@pytest.mark.parametrize("data", [{}, {"direction": "   "}, {"direction": "x" * 5001}])
def test_empty_or_huge_direction_is_refused(client, login_as, two_tasks, db, data):
    kept, gone = two_tasks
    login_as("leader")
    response = client.post(f"/tasks/{gone.id}/direction", data=data)
    assert response.status_code == 400
    assert "Ý kiến chỉ đạo chưa được lưu" in page_text(response)
    assert _updates(db, gone.id, "direction") == []


def test_staff_cannot_write_directions(client, login_as, two_tasks, db):
    kept, gone = two_tasks
    login_as("staff", units=[gone.lead_unit])
    assert client.post(f"/tasks/{gone.id}/direction",
                       data={"direction": "Tự chỉ đạo"}).status_code == 403
    assert f'action="/tasks/{gone.id}/direction"' not in page_text(
        client.get(f"/tasks/{gone.id}"))
    assert _updates(db, gone.id, "direction") == []
