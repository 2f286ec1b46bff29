"""Progress reports and participating units' shares, each kept in the history."""
import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.models import Task, TaskUnit, TaskUpdate


def test_progress_report_appends_history(client, login_as, make_task, db):
    task = make_task(title="Đại hội Hội Nông dân")
    user = login_as("staff", units=[task.lead_unit])
    response = client.post(
        f"/tasks/{task.id}/status",
        data={"status": "in_progress", "progress": "40", "note": "Đã họp trù bị"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{task.id}#history"
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.status, task.progress) == ("in_progress", 40)
    update = task.updates[0]
    assert (update.action, update.user_id) == ("progress", user.id)
    assert (update.old_status, update.new_status) == ("not_started", "in_progress")
    assert (update.old_progress, update.new_progress) == (0, 40)
    assert update.note == "Đã họp trù bị"
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert "Đã họp trù bị" in text
    line = "Báo cáo tiến độ</strong>: Chưa thực hiện → Đang thực hiện (0% → 40%)"
    assert line in " ".join(text.split())


def test_forms_post_back_to_their_section(client, login_as, make_task, make_unit):
    """A refused report is shown again scrolled to its form, not the top of the page."""
    task = make_task(participating=[make_unit()])
    login_as("staff", units=[task.lead_unit])
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert f'action="/tasks/{task.id}/status#report"' in text
    assert f'action="/tasks/{task.id}/share#shares"' in text


def test_done_records_completion_date_and_full_progress(client, login_as, make_task, db):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status",
                data={"status": "done", "progress": "60", "completed_on": "2023-05-10"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.progress == 100 and task.completed_on == dt.date(2023, 5, 10)
    assert task.timeliness(dt.date(2023, 7, 1)) == "done_on_time"


def test_done_without_date_uses_today(client, login_as, make_task, db):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status", data={"status": "done"})
    db.session.expire_all()
    assert db.session.get(Task, task.id).completed_on == dt.date(2023, 5, 15)


def test_reopening_clears_completion_date(client, login_as, make_task, db):
    task = make_task(status="done", progress=100, completed_on=dt.date(2023, 5, 1))
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status", data={"status": "in_progress", "progress": "80"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.completed_on is None and task.status == "in_progress"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "in_progress", "progress": "150"}, "Tiến độ phải từ 0 đến 100"),
        ({"status": "in_progress", "progress": "-5"}, "Tiến độ phải từ 0 đến 100"),
        ({"status": "in_progress", "progress": "abc"}, "số nguyên"),
        ({"status": "in_progress"}, "Nhập tiến độ từ 0 đến 100"),
        ({"status": "finished", "progress": "10"}, "Lựa chọn không hợp lệ"),
        ({"status": "done", "completed_on": "2030-01-01"}, "không thể ở tương lai"),
        ({"status": "done", "completed_on": "hôm qua"}, "Ngày không hợp lệ"),
        ({"status": "in_progress", "progress": "5", "note": "n" * 5001}, "Tối đa 5000"),
    ],
)
def test_bad_progress_report_is_refused_and_nothing_changes(
    client, login_as, make_task, db, data, message
):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    response = client.post(f"/tasks/{task.id}/status", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "is-invalid" in text
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.status, task.progress) == ("not_started", 0)
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 1


def test_progress_on_unknown_task_is_404(client, login_as):
    login_as("staff")
    assert client.post("/tasks/999/status", data={"status": "done"}).status_code == 404


def test_get_on_progress_route_is_405(client, login_as, make_task):
    login_as("staff")
    task = make_task()
    assert client.get(f"/tasks/{task.id}/status").status_code == 405


@pytest.fixture
def shared(make_task, make_unit):
    """Return a dialogue task shared by three communes, and the communes."""
    communes = [make_unit(f"Đảng ủy xã {n}", f"ĐU {n}") for n in ("A", "B", "C")]
    task = make_task(kind="dialogue", title="Bí thư Đảng ủy xã đối thoại",
                     participating=communes)
    return task, communes


def test_unit_reports_its_share(client, login_as, shared, db):
    task, communes = shared
    login_as("staff", units=[communes[0]])
    response = client.post(
        f"/tasks/{task.id}/share",
        data={"unit_id": str(communes[0].id), "share_status": "done",
              "share_done_on": "2023-05-02", "share_note": "Đã đối thoại"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.share_counts() == (1, 3)
    assert task.progress == 33 and task.status == "in_progress"
    link = db.session.get(TaskUnit, (task.id, communes[0].id))
    assert link.share_done_on == dt.date(2023, 5, 2) and link.share_note == "Đã đối thoại"
    update = task.updates[0]
    assert update.action == "share" and update.unit_id == communes[0].id
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert "1/3 đơn vị hoàn thành" in text


def test_last_share_completes_the_task(client, login_as, shared, db):
    task, communes = shared
    login_as("staff", units=communes)  # one person reporting for the three communes
    for day, commune in zip((3, 9, 6), communes):
        client.post(f"/tasks/{task.id}/share",
                    data={"unit_id": str(commune.id), "share_status": "done",
                          "share_done_on": f"2023-05-0{day}"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.status == "done" and task.progress == 100
    assert task.completed_on == dt.date(2023, 5, 9)


def test_overdue_shares_are_listed(client, login_as, shared, app, db):
    login_as("leader")
    task, communes = shared
    client.post(f"/tasks/{task.id}/share",
                data={"unit_id": str(communes[0].id), "share_status": "done"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    overdue = task.overdue_shares(dt.date(2023, 7, 1))
    assert [link.unit_id for link in overdue] == [communes[1].id, communes[2].id]
    assert task.overdue_shares(dt.date(2023, 6, 30)) == []
    app.config["TODAY"] = "2023-07-01"
    try:
        text = page_text(client.get(f"/tasks/{task.id}"))
    finally:
        app.config["TODAY"] = "2023-05-15"
    assert "2 đơn vị quá hạn: ĐU B, ĐU C" in text


@pytest.mark.parametrize(
    "data",
    [
        {"unit_id": "999", "share_status": "done"},
        {"unit_id": "abc", "share_status": "done"},
        {"share_status": "done"},
        {"unit_id": "{first}", "share_status": "finished"},
        {"unit_id": "{first}", "share_status": "done", "share_done_on": "2031-01-01"},
    ],
)
def test_bad_share_report_is_refused(client, login_as, shared, db, data):
    task, communes = shared
    login_as("staff", units=[communes[0]])
    data = {k: v.replace("{first}", str(communes[0].id)) for k, v in data.items()}
    response = client.post(f"/tasks/{task.id}/share", data=data)
    assert response.status_code == 400
    assert "Báo cáo của đơn vị chưa được lưu" in page_text(response)
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 1


def test_share_on_a_task_without_participants_is_404(client, login_as, make_task, make_unit):
    login_as("staff")
    task = make_task(coordinating=[make_unit()])
    assert client.post(f"/tasks/{task.id}/share",
                       data={"unit_id": "1", "share_status": "done"}).status_code == 404
