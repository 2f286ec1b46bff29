"""Creating, showing and editing tasks, with their history."""
import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.models import Task, TaskUnit, TaskUpdate


@pytest.fixture
def units(make_unit):
    """Return three units."""
    return [
        make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board"),
        make_unit("Hội Nông dân huyện", "HND"),
        make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà", kind="commune_party_committee"),
    ]


def _form(lead, **extra):
    data = {"kind": "other", "title": "Nhiệm vụ mới", "lead_unit_id": str(lead.id)}
    data.update(extra)
    return data


def test_new_task_form_shows_every_kind(client, login_as, make_quarter, units):
    login_as("staff")
    make_quarter(2023, 2)
    text = page_text(client.get("/tasks/new?quarter=2023-Q2"))
    for label in ("Đại hội", "Lớp tập huấn", "Tiếp xúc, đối thoại với nhân dân",
                  "Phong trào, cuộc vận động"):
        assert label in text
    assert 'data-kind="congress"' in text


def test_create_a_congress(client, login_as, make_quarter, units, db):
    user = login_as("staff")
    make_quarter(2023, 2)
    bdv, hnd, _ = units
    response = client.post(
        "/tasks/new?quarter=2023-Q2",
        data=_form(
            hnd, kind="congress",
            title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ 2023–2028",
            coordinating=[str(bdv.id)], organisation="Hội Nông dân huyện",
            congress_ordinal="12", term_start="2023", term_end="2028", delegates="150",
            source_document="Kế hoạch số 20-KH/HND", campaign_name="dropped",
        ),
    )
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task))
    assert task.kind == "congress" and task.ordinal_roman == "XII"
    assert task.term_label == "2023–2028"
    assert task.due_on == dt.date(2023, 6, 30)
    assert task.campaign_name == ""  # another kind's field is not kept
    assert [u.short_name for u in task.coordinating_units] == ["BDV"]
    assert task.updates[0].action == "created" and task.updates[0].user_id == user.id
    text = page_text(client.get(response.headers["Location"]))
    assert "lần thứ XII" in text and "nhiệm kỳ 2023–2028" in text
    assert "Tạo mới" in text


def test_create_a_recurring_task_without_due_date(client, login_as, make_quarter, units, db):
    login_as("staff")
    make_quarter(2023, 2)
    response = client.post(
        "/tasks/new?quarter=2023-Q2",
        data=_form(units[0], kind="monitoring", is_recurring="y"),
    )
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task))
    assert task.due_on is None
    assert task.timeliness(dt.date(2030, 1, 1)) == "no_deadline"


def test_create_a_shared_task(client, login_as, make_quarter, units, db):
    login_as("staff")
    make_quarter(2023, 1)
    bdv, hnd, commune = units
    response = client.post(
        "/tasks/new?quarter=2023-Q1",
        data=_form(bdv, kind="dialogue", participating=[str(hnd.id), str(commune.id)],
                   target_count="11", achieved_count="8", target_label="cuộc"),
    )
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task))
    assert task.is_shared and task.share_counts() == (0, 2)
    assert task.target_text == "8/11 cuộc"


BAD = [
    ({"title": ""}, "Nhập tên nhiệm vụ"),
    ({"title": "x" * 501}, "Tối đa 500 ký tự"),
    ({"lead_unit_id": "999999"}, "Lựa chọn không hợp lệ"),
    ({"lead_unit_id": "abc"}, "Chọn đơn vị chủ trì"),
    ({"lead_unit_id": "0"}, "Chọn đơn vị chủ trì"),
    ({"kind": "party"}, "Lựa chọn không hợp lệ"),
    ({"due_on": "31/02/2023"}, "Ngày không hợp lệ"),
    ({"due_on": "2099-01-01"}, "Hạn hoàn thành phải trong khoảng"),
    ({"due_on": "2020-01-01"}, "Hạn hoàn thành phải trong khoảng"),
    ({"target_count": "abc"}, "số nguyên"),
    ({"target_count": "-1"}, "Nhập số nguyên từ 0"),
    ({"kind": "congress", "congress_ordinal": "0"}, "Nhập số nguyên từ 1 đến 100"),
    ({"kind": "congress", "term_start": "2028", "term_end": "2023"}, "Nhiệm kỳ phải kết thúc"),
    ({"coordinating": ["999999"]}, "không phải là lựa chọn hợp lệ"),
    ({"source_document": "y" * 301}, "Tối đa 300 ký tự"),
]


@pytest.mark.parametrize("bad, message", BAD)
def test_create_rejects_bad_input_and_stores_nothing(
    client, login_as, make_quarter, units, db, bad, message
):
    login_as("staff")
    make_quarter(2023, 2)
    data = _form(units[0])
    data.update(bad)
    response = client.post("/tasks/new?quarter=2023-Q2", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert "is-invalid" in text
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 0
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 0


def test_bad_input_keeps_what_the_user_typed(client, login_as, make_quarter, units):
    login_as("staff")
    make_quarter(2023, 2)
    data = _form(units[0], title="Giữ lại tiêu đề này", target_count="abc",
                 description="Mô tả dài")
    text = page_text(client.post("/tasks/new?quarter=2023-Q2", data=data))
    assert 'value="Giữ lại tiêu đề này"' in text
    assert "Mô tả dài" in text


@pytest.mark.parametrize("key", ["", "abc", "2023-Q9", "2030-Q1"])
def test_new_task_with_bad_quarter_is_404(client, login_as, make_quarter, key):
    login_as("staff")
    make_quarter(2023, 2)
    assert client.get(f"/tasks/new?quarter={key}").status_code == 404


def test_unknown_task_is_404(client, login_as):
    login_as("viewer")
    assert client.get("/tasks/424242").status_code == 404
    assert client.get("/tasks/abc").status_code == 404


def test_task_page_shows_units_and_history(client, login_as, make_task, units):
    login_as("viewer")
    bdv, hnd, commune = units
    task = make_task(lead=bdv, coordinating=[hnd], participating=[commune],
                     kind="dialogue", title="Đối thoại", chair="Bí thư Huyện ủy")
    text = page_text(client.get(f"/tasks/{task.id}"))
    assert "Ban Dân vận Huyện ủy" in text and "Hội Nông dân huyện" in text
    assert "0/1 đơn vị hoàn thành" in text
    assert "Bí thư Huyện ủy" in text
    assert "Lịch sử" in text


def test_edit_records_each_changed_field(client, login_as, make_task, units, db):
    bdv, hnd, commune = units
    user = login_as("staff", units=[bdv])
    task = make_task(lead=bdv, kind="training", title="Lớp tập huấn",
                     trainees_planned=100)
    response = client.post(
        f"/tasks/{task.id}/edit",
        data=_form(hnd, kind="training", title="Lớp tập huấn nghiệp vụ",
                   trainees_planned="120", coordinating=[str(commune.id)],
                   version=str(task.version)),
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.title == "Lớp tập huấn nghiệp vụ" and task.lead_unit_id == hnd.id
    edit = task.updates[0]
    assert edit.action == "edited" and edit.user_id == user.id
    assert edit.changes["title"] == ["Lớp tập huấn", "Lớp tập huấn nghiệp vụ"]
    assert edit.changes["trainees_planned"] == [100, 120]
    assert edit.changes["lead_unit_id"] == ["BDV", "HND"]
    assert edit.changes["coordinating"] == [[], ["ĐU Tịnh Trà"]]
    text = " ".join(page_text(client.get(f"/tasks/{task.id}")).split())
    assert "Học viên dự kiến: 100 → 120" in text
    # Units by their names, fields as the form labels them.
    assert ("Đơn vị chủ trì: Ban Dân vận Huyện ủy → Hội Nông dân huyện" in text), text
    assert "Đơn vị phối hợp: ∅ → Đảng ủy xã Tịnh Trà" in text


def test_edit_without_changes_adds_no_history(client, login_as, make_task, units, db):
    login_as("staff", units=[units[0]])
    task = make_task(lead=units[0], title="Không đổi")
    data = _form(units[0], title="Không đổi", due_on=task.due_on.isoformat(),
                 version=str(task.version))
    assert client.post(f"/tasks/{task.id}/edit", data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id))) == 1


def test_edit_form_prefills_units(client, login_as, make_task, units):
    bdv, hnd, commune = units
    login_as("staff", units=[bdv])
    task = make_task(lead=bdv, coordinating=[hnd], participating=[commune])
    text = page_text(client.get(f"/tasks/{task.id}/edit"))
    assert f'name="coordinating" type="checkbox" value="{hnd.id}"' in text
    assert "checked" in text


def test_edit_rejects_bad_input_and_keeps_the_task(client, login_as, make_task, units, db):
    login_as("staff", units=[units[0]])
    task = make_task(lead=units[0], title="Giữ nguyên")
    response = client.post(f"/tasks/{task.id}/edit",
                           data=_form(units[0], title="", version=str(task.version)))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Task, task.id).title == "Giữ nguyên"


def test_viewer_cannot_create_or_edit(client, login_as, make_task, units, db):
    login_as("viewer")
    task = make_task(lead=units[0])
    assert client.get("/tasks/new?quarter=2023-Q2").status_code == 403
    assert client.post(f"/tasks/{task.id}/edit", data=_form(units[0])).status_code == 403
    assert client.post(f"/tasks/{task.id}/status",
                       data={"status": "done", "progress": "100"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "not_started"


def test_closed_quarter_refuses_changes(client, login_as, make_quarter, make_task, units,
                                        db):
    login_as("staff")
    quarter = make_quarter(2023, 1)
    task = make_task(quarter=quarter, lead=units[0])
    quarter.state = "closed"
    db.session.commit()
    assert client.get("/tasks/new?quarter=2023-Q1").status_code == 403
    assert client.get(f"/tasks/{task.id}/edit").status_code == 403
    assert client.post(f"/tasks/{task.id}/status",
                       data={"status": "done", "progress": "100"}).status_code == 403


def test_removing_a_participating_unit_drops_its_link(client, login_as, make_task, units, db):
    bdv, hnd, commune = units
    login_as("staff", units=[bdv])
    task = make_task(lead=bdv, participating=[hnd, commune])
    data = _form(bdv, participating=[str(hnd.id)], due_on=task.due_on.isoformat(),
                 version=str(task.version))
    assert client.post(f"/tasks/{task.id}/edit", data=data).status_code == 302
    links = db.session.scalars(db.select(TaskUnit)).all()
    assert [(link.unit_id, link.role) for link in links] == [(hnd.id, "participating")]
