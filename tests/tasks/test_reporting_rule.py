"""Who may report, the same everywhere: the task page, the plan import and the API."""
import pytest

from tests.helpers import page_text, visible_text
from tests.reports.conftest import upload, xlsx_file  # noqa: F401 (fixtures)
from tracker.auth import policy
from tracker.models import Task, TaskUpdate


@pytest.fixture
def board(make_unit, make_quarter, make_task):
    """The board's own unit, a mass organisation, a commune and a task of the commune."""
    quarter = make_quarter(2023, 2, state="active")
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    hnd = make_unit("Hội Nông dân huyện", "HND")
    commune = make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà",
                        kind="commune_party_committee")
    task = make_task(quarter=quarter, lead=commune, title="Đối thoại ở xã Tịnh Trà")
    return {"quarter": quarter, "bdv": bdv, "hnd": hnd, "commune": commune,
            "task": task}


def _report(client, task, status="in_progress", progress="40"):
    return client.post(f"/tasks/{task.id}/status",
                       data={"status": status, "progress": progress, "note": "Đã họp"})


def _last_update(db, task):
    return db.session.scalars(
        db.select(TaskUpdate).where(TaskUpdate.task_id == task.id)
        .order_by(TaskUpdate.id.desc())
    ).first()


def test_the_boards_own_staff_report_on_a_communes_task_on_its_behalf(
        client, login_as, board, db):
    login_as("staff", units=[board["bdv"]])
    response = _report(client, board["task"])
    assert response.status_code == 302
    update = _last_update(db, board["task"])
    assert (update.action, update.new_progress) == ("progress", 40)
    assert update.unit_id == board["commune"].id
    text = page_text(client.get(f"/tasks/{board['task'].id}?lang=en"))
    assert "on behalf of Đảng ủy xã Tịnh Trà" in text


def test_staff_of_the_lead_unit_report_as_themselves(client, login_as, board, db):
    login_as("staff", units=[board["commune"]])
    assert _report(client, board["task"]).status_code == 302
    assert _last_update(db, board["task"]).unit_id is None
    text = page_text(client.get(f"/tasks/{board['task'].id}?lang=en"))
    assert "on behalf of" not in text


def test_staff_of_another_unit_are_refused_and_the_page_says_why(
        client, login_as, board, db):
    login_as("staff", units=[board["hnd"]])
    assert _report(client, board["task"]).status_code == 403
    assert db.session.get(Task, board["task"].id).progress == 0
    page = client.get(f"/tasks/{board['task'].id}?lang=en")
    text = visible_text(page)
    assert 'id="report"' not in page.get_data(as_text=True)
    assert "Only the staff of the lead and coordinating units, the board's own staff " \
           "and leaders report on this task." in text


def test_a_viewer_is_told_their_account_only_reads(client, login_as, board):
    login_as("viewer")
    text = visible_text(client.get(f"/tasks/{board['task'].id}?lang=en"))
    assert "Your account may read, not change, the board's work." in text


def test_the_board_unit_of_another_board_gives_no_right(board):
    """The rule looks at the board's own unit, not any unit of that kind."""
    from types import SimpleNamespace

    other = SimpleNamespace(id=999, kind="party_board",
                            board_id=board["quarter"].board_id + 1000)
    user = SimpleNamespace(is_authenticated=True, is_active=True, role="staff",
                           units=[other])
    assert not policy.may_report_for(user, board["quarter"].board_id,
                                     {board["commune"].id})
    user.units = [board["bdv"]]
    assert policy.may_report_for(user, board["quarter"].board_id,
                                 {board["commune"].id})


HEADER = ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Trạng thái",
          "Tiến độ (%)"]


@pytest.mark.parametrize("status, progress, refused", [
    ("Hoàn thành", "", True),
    ("Đang thực hiện", "30", True),
    ("Chưa thực hiện", "10", True),
    ("Chưa thực hiện", "", False),
    ("", "", False),
])
def test_the_import_refuses_a_status_the_importer_may_not_set(
        client, login_as, board, db, xlsx_file, upload, status, progress, refused):
    login_as("staff", units=[board["hnd"]])
    content = xlsx_file([HEADER, ["Khác", "Hội nghị ở xã", "ĐU Tịnh Trà", status,
                                  progress]])
    before = db.session.scalar(db.select(db.func.count(Task.id)))
    response = upload("2023-Q2", content)
    text = visible_text(response)
    if refused:
        assert response.status_code == 400, text
        assert "Bạn có thể lập kế hoạch" in text and "Đảng ủy xã Tịnh Trà" in text
    else:
        assert response.status_code == 200, text
    assert db.session.scalar(db.select(db.func.count(Task.id))) == before


def test_the_boards_own_staff_import_any_status(client, login_as, board, db,
                                                xlsx_file, upload):
    login_as("staff", units=[board["bdv"]])
    content = xlsx_file([HEADER, ["Khác", "Hội nghị ở xã", "ĐU Tịnh Trà",
                                  "Đang thực hiện", "30"]])
    response = upload("2023-Q2", content)
    assert response.status_code == 200, page_text(response)


def test_the_api_follows_the_same_rule(board, db):
    """The API asks policy.can_report_progress, which reads may_report_for."""
    from types import SimpleNamespace

    task = db.session.get(Task, board["task"].id)
    staff = SimpleNamespace(is_authenticated=True, is_active=True, role="staff",
                            units=[board["hnd"]])
    assert not policy.can_report_progress(staff, task)
    staff.units = [board["bdv"]]
    assert policy.can_report_progress(staff, task)
    assert policy.reports_on_behalf(staff, task) is board["commune"]
