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


@pytest.mark.parametrize("progress", ["100", ""])
def test_done_records_completion_date_and_full_progress(
    client, login_as, make_task, db, progress
):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status",
                data={"status": "done", "progress": progress,
                      "completed_on": "2023-05-10"})
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


# ---- A report is saved as entered, or refused with a message -----------------------


def _count_updates(db):
    return db.session.scalar(db.select(db.func.count(TaskUpdate.id)))


CONTRADICTIONS = [
    # (what was entered, the field refused, its message, the value shown again)
    ({"status": "done", "progress": "30"}, "progress",
     "Nhiệm vụ đã hoàn thành thì tiến độ là 100%", 'value="30"'),
    ({"status": "done", "progress": "99", "completed_on": "2023-05-02"}, "progress",
     "bạn đã nhập 99%", 'value="2023-05-02"'),
    ({"status": "in_progress", "progress": "100"}, "progress",
     "Tiến độ 100% nghĩa là nhiệm vụ đã hoàn thành: hãy chọn “Hoàn thành”",
     'value="100"'),
    ({"status": "postponed", "progress": "100"}, "progress",
     "Tiến độ 100% nghĩa là", 'value="100"'),
    ({"status": "cancelled", "progress": "100"}, "progress",
     "Tiến độ 100% nghĩa là", 'value="100"'),
    ({"status": "not_started", "progress": "20"}, "progress",
     "Nhiệm vụ chưa thực hiện thì tiến độ là 0%", 'value="20"'),
    ({"status": "in_progress", "progress": "50", "completed_on": "2023-05-01"},
     "completed_on", "Chỉ nhiệm vụ đã hoàn thành mới có ngày hoàn thành",
     'value="2023-05-01"'),
]


@pytest.mark.parametrize("data, field, message, kept", CONTRADICTIONS)
def test_contradictory_report_is_refused_not_rewritten(
    client, login_as, make_task, db, data, field, message, kept
):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    response = client.post(f"/tasks/{task.id}/status", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert f'id="{field}-err"' in text and kept in text  # at its field, as entered
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.status, task.progress, task.completed_on) == ("not_started", 0, None)
    assert _count_updates(db) == 1


@pytest.mark.parametrize("status, progress", [
    ("done", 30), ("in_progress", 100), ("not_started", 5),
])
def test_service_refuses_what_the_form_refuses(make_task, db, status, progress):
    from tracker.tasks.services import report_progress

    task = make_task()
    with pytest.raises(ValueError):
        report_progress(task, status, progress, "", None, today=dt.date(2023, 5, 15))
    assert (task.status, task.progress) == ("not_started", 0)


@pytest.fixture
def old_task(make_quarter, make_task):
    """Return a task of 2019's last quarter, still open, seen on 15/05/2023."""
    quarter = make_quarter(2019, 4)
    return make_task(quarter=quarter, title="Việc năm 2019")


def test_done_in_a_past_quarter_asks_for_the_date(client, login_as, old_task, db):
    login_as("staff", units=[old_task.lead_unit])
    page = page_text(client.get(f"/tasks/{old_task.id}"))
    assert "bắt buộc, vì Quý IV/2019 đã kết thúc" in page
    response = client.post(f"/tasks/{old_task.id}/status", data={"status": "done"})
    assert response.status_code == 400
    assert ("Hãy nhập ngày hoàn thành: Quý IV/2019 đã kết thúc ngày 31/12/2019"
            in page_text(response))
    db.session.expire_all()
    assert db.session.get(Task, old_task.id).status == "not_started"
    assert _count_updates(db) == 1
    # With its date the report is kept as entered: done on time, in 2019.
    response = client.post(f"/tasks/{old_task.id}/status",
                           data={"status": "done", "completed_on": "05/12/2019"})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, old_task.id)
    assert task.completed_on == dt.date(2019, 12, 5)
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert "05/12/2019" in text and "Hoàn thành đúng hạn" in text
    assert "15/05/2023" not in text and "Hoàn thành quá hạn" not in text


@pytest.mark.parametrize("entered", ["2023-01-10", "2023-05-15", "2022-12-31"])
def test_an_entered_completion_date_is_kept(client, login_as, make_task, db, entered):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status",
                data={"status": "done", "completed_on": entered})
    db.session.expire_all()
    assert db.session.get(Task, task.id).completed_on == dt.date.fromisoformat(entered)


def test_completion_date_changes_show_their_true_old_values(
    client, login_as, make_task, db
):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status",
                data={"status": "done", "completed_on": "2023-05-01"})
    client.post(f"/tasks/{task.id}/status",
                data={"status": "done", "completed_on": "2023-05-10"})
    client.post(f"/tasks/{task.id}/status", data={"status": "in_progress",
                                                  "progress": "80"})
    db.session.expire_all()
    updates = db.session.get(Task, task.id).updates
    assert [update.changes for update in updates[:3]] == [
        {"completed_on": ["2023-05-10", None]},
        {"completed_on": ["2023-05-01", "2023-05-10"]},
        {"completed_on": [None, "2023-05-01"]},
    ]
    text = " ".join(page_text(client.get(f"/tasks/{task.id}")).split())
    assert "Ngày hoàn thành: 01/05/2023 → 10/05/2023" in text
    assert "Ngày hoàn thành: 10/05/2023 → ∅" in text
    assert "Ngày hoàn thành: ∅ → 01/05/2023" in text


@pytest.mark.parametrize("data", [
    {"status": "in_progress", "progress": "40"},
    {"status": "in_progress", "progress": "40", "note": "  "},
    {"status": "done", "completed_on": "2023-05-02"},
    {"status": "done", "progress": "100", "completed_on": ""},
])
def test_a_report_that_changes_nothing_writes_nothing(client, login_as, make_task, db,
                                                      data):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    done = {"status": "done", "completed_on": "2023-05-02"}
    first = done if data["status"] == "done" else {"status": "in_progress",
                                                     "progress": "40"}
    client.post(f"/tasks/{task.id}/status", data=first)
    version = db.session.get(Task, task.id).version
    assert _count_updates(db) == 2
    response = client.post(f"/tasks/{task.id}/status", data=data, follow_redirects=True)
    assert "Không có gì thay đổi" in page_text(response)
    assert _count_updates(db) == 2
    db.session.expire_all()
    assert db.session.get(Task, task.id).version == version
    # A note is news even when the figures stand still.
    client.post(f"/tasks/{task.id}/status", data=dict(data, note="Đã nhắc đơn vị"))
    assert _count_updates(db) == 3


def test_cancelling_keeps_the_progress_reached(client, login_as, make_task, db):
    task = make_task()
    login_as("staff", units=[task.lead_unit])
    client.post(f"/tasks/{task.id}/status", data={"status": "in_progress",
                                                  "progress": "60"})
    client.post(f"/tasks/{task.id}/status", data={"status": "cancelled",
                                                  "note": "Không còn cần thiết"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.status, task.progress) == ("cancelled", 60)


# ---- Units' shares: the same rules ---------------------------------------------------


def test_share_history_keeps_the_old_date(client, login_as, shared, db):
    task, communes = shared
    login_as("staff", units=[communes[0]])
    unit = str(communes[0].id)
    client.post(f"/tasks/{task.id}/share",
                data={"unit_id": unit, "share_status": "done",
                      "share_done_on": "2023-05-02", "share_note": "Đã đối thoại"})
    client.post(f"/tasks/{task.id}/share",
                data={"unit_id": unit, "share_status": "done",
                      "share_done_on": "2023-05-04"})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.updates[0].changes == {"share_done_on": ["2023-05-02", "2023-05-04"]}
    assert task.updates[1].changes == {
        "share_status": ["not_started", "done"], "share_done_on": [None, "2023-05-02"],
        "status": ["not_started", "in_progress"],
    }
    link = db.session.get(TaskUnit, (task.id, communes[0].id))
    assert link.share_note == "Đã đối thoại"  # an empty note keeps the unit's note
    text = " ".join(page_text(client.get(f"/tasks/{task.id}")).split())
    assert "Ngày hoàn thành: 02/05/2023 → 04/05/2023" in text
    assert "Trạng thái của đơn vị: Chưa thực hiện → Hoàn thành" in text
    assert "Đảng ủy xã A" in text  # the unit by its name


def test_share_report_that_changes_nothing_writes_nothing(client, login_as, shared, db):
    task, communes = shared
    login_as("staff", units=[communes[0]])
    data = {"unit_id": str(communes[0].id), "share_status": "done",
            "share_done_on": "2023-05-02"}
    client.post(f"/tasks/{task.id}/share", data=data)
    assert _count_updates(db) == 2
    for again in (data, dict(data, share_done_on="")):
        response = client.post(f"/tasks/{task.id}/share", data=again,
                               follow_redirects=True)
        assert "Không có gì thay đổi" in page_text(response)
    assert _count_updates(db) == 2


def test_last_share_records_the_tasks_completion_date(client, login_as, shared, db):
    task, communes = shared
    login_as("staff", units=communes)
    for commune in communes:
        client.post(f"/tasks/{task.id}/share",
                    data={"unit_id": str(commune.id), "share_status": "done",
                          "share_done_on": "2023-05-03"})
    db.session.expire_all()
    last = db.session.get(Task, task.id).updates[0]
    assert last.changes["completed_on"] == [None, "2023-05-03"]
    assert last.changes["status"] == ["in_progress", "done"]


@pytest.mark.parametrize("data, message", [
    ({"share_status": "in_progress", "share_done_on": "2023-05-02"},
     "Chỉ đơn vị đã hoàn thành phần việc mới có ngày hoàn thành"),
])
def test_share_date_without_done_is_refused(client, login_as, shared, db, data,
                                            message):
    task, communes = shared
    login_as("staff", units=[communes[0]])
    response = client.post(f"/tasks/{task.id}/share",
                           data=dict(data, unit_id=str(communes[0].id)))
    assert response.status_code == 400 and message in page_text(response)
    assert _count_updates(db) == 1


def test_share_in_a_past_quarter_asks_for_the_date(client, login_as, make_quarter,
                                                   make_task, make_unit, db):
    commune = make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà")
    task = make_task(quarter=make_quarter(2019, 4), participating=[commune])
    login_as("staff", units=[commune])
    data = {"unit_id": str(commune.id), "share_status": "done"}
    response = client.post(f"/tasks/{task.id}/share", data=data)
    assert response.status_code == 400
    assert "Quý IV/2019 đã kết thúc ngày 31/12/2019" in page_text(response)
    assert _count_updates(db) == 1
    response = client.post(f"/tasks/{task.id}/share",
                           data=dict(data, share_done_on="2019-11-20"))
    assert response.status_code == 302
    link = db.session.get(TaskUnit, (task.id, commune.id))
    assert link.share_done_on == dt.date(2019, 11, 20)


# ---- A refused form can be reloaded ------------------------------------------------


@pytest.mark.parametrize("path, data, section", [
    ("status", {"status": "done", "progress": "30"}, "report"),
    ("share", {"unit_id": "{unit}", "share_status": "finished"}, "shares"),
    ("direction", {"direction": ""}, "direct"),
])
def test_a_refused_task_form_can_be_reloaded(client, login_as, shared, db, path, data,
                                             section):
    task, communes = shared
    login_as("leader")
    data = {key: value.replace("{unit}", str(communes[0].id))
            for key, value in data.items()}
    url = f"/tasks/{task.id}/{path}"
    assert client.post(url, data=data).status_code == 400
    reload = client.get(url)
    assert reload.status_code == 302
    assert reload.headers["Location"] == f"/tasks/{task.id}#{section}"
    assert client.get(reload.headers["Location"]).status_code == 200
    assert _count_updates(db) == 1
