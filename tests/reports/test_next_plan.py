"""Planning the next quarter from this one, and re-importing a workbook a quarter on."""
import datetime as dt
import re

import pytest

from tests.helpers import page_text
from tracker.models import AuditEvent, Quarter, Task, TaskUpdate, User
from tracker.reports.next_plan import (
    parse_quarter, shift_date, shift_row, source_quarter,
)

D = dt.date


# ---- the rules ----------------------------------------------------------------------


@pytest.mark.parametrize("day, quarters, expected", [
    (D(2023, 3, 31), 1, D(2023, 6, 30)),    # June has no 31st: the month's last day
    (D(2023, 1, 31), 1, D(2023, 4, 30)),
    (D(2023, 2, 28), 1, D(2023, 5, 28)),    # a day the month has is kept
    (D(2023, 6, 30), 1, D(2023, 9, 30)),
    (D(2023, 12, 31), 1, D(2024, 3, 31)),   # across the year
    (D(2023, 11, 30), 1, D(2024, 2, 29)),   # into a leap February
    (D(2022, 11, 30), 1, D(2023, 2, 28)),   # into a common February
    (D(2024, 2, 29), 1, D(2024, 5, 29)),    # out of a leap day
    (D(2024, 2, 29), 4, D(2025, 2, 28)),    # a year on, no leap day
    (D(2023, 8, 31), 2, D(2024, 2, 29)),
    (D(2023, 6, 30), -1, D(2023, 3, 30)),
    (D(2023, 5, 10), 0, D(2023, 5, 10)),
])
def test_shift_date(day, quarters, expected):
    assert shift_date(day, quarters) == expected


def test_shift_row_moves_dates_and_clears_results():
    data = dict(
        kind="training", title="Lớp tập huấn", due_on=D(2023, 3, 31),
        held_on=D(2023, 3, 15), status="done", progress=100,
        completed_on=D(2023, 3, 20), result="Đã mở 2 lớp", achieved_count=2,
        target_count=2, target_label="lớp", trainees_planned=180,
        trainees_attended=175, is_recurring=False, audience="Cán bộ",
        source_document="Kế hoạch 12-KH/BDVHU",
    )
    shift_row(data, 1)
    assert data == dict(
        kind="training", title="Lớp tập huấn", due_on=D(2023, 6, 30),
        held_on=D(2023, 6, 15), status="not_started", target_count=2,
        target_label="lớp", trainees_planned=180, is_recurring=False,
        audience="Cán bộ", source_document="Kế hoạch 12-KH/BDVHU",
    )


@pytest.mark.parametrize("text, expected", [
    ("Quý I/2023", (2023, 1)), ("Quý IV/2024", (2024, 4)),
    ("Quarter II/2023", (2023, 2)),
    ("2023-Q3", (2023, 3)), ("quy iii / 2023", (2023, 3)), ("2/2023", (2023, 2)),
    ("Quý V/2023", None), ("", None), ("2023", None), ("Quý I/1800", None),
])
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


def test_source_quarter_prefers_the_named_then_the_dates():
    assert source_quarter([(2023, 1), (2023, 1), None], [D(2023, 9, 1)]) == (2023, 1)
    dates = [D(2023, 2, 1), D(2023, 3, 31), D(2023, 12, 31)]
    assert source_quarter([None], dates) == (2023, 1)
    assert source_quarter([], [D(2023, 5, 1), D(2023, 2, 1)]) == (2023, 1)  # a tie
    assert source_quarter([], []) is None


# ---- the pages -------------------------------------------------------------------


@pytest.fixture
def q1(db, make_quarter, units, make_task):
    """Build 2023-Q1 with work of several shapes, an open 2023-Q2 and one carried."""
    quarter = make_quarter(2023, 1, state="active")
    make_task(quarter=quarter, lead=units["BDV"], coordinating=[units["MTTQ"]],
              participating=[units["TT"]], kind="training",
              title="Lớp tập huấn nghiệp vụ", audience="Cán bộ dân vận", sessions=2,
              trainees_planned=180, trainees_attended=170, target_count=2,
              achieved_count=2, target_label="lớp", due_on=D(2023, 3, 31),
              held_on=D(2023, 3, 15), status="done", progress=100,
              completed_on=D(2023, 3, 16), result="Đã mở 2 lớp")
    make_task(quarter=quarter, lead=units["MTTQ"], kind="movement",
              title="Cuộc vận động “Ngày vì người nghèo”",
              campaign_name="Ngày vì người nghèo", is_recurring=True, due_on=None,
              status="in_progress", progress=40)
    make_task(quarter=quarter, lead=units["HND"], kind="other",
              title="Việc đã dừng", status="cancelled", due_on=D(2023, 2, 28))
    make_task(quarter=quarter, lead=units["HND"], kind="other",
              title="Việc dở dang được chuyển", status="in_progress", progress=30,
              due_on=D(2023, 3, 31))
    return quarter


def _tasks(db, quarter):
    return db.session.scalars(db.select(Task).where(Task.quarter_id == quarter.id)
                              .order_by(Task.id)).all()


def _task(db, title):
    return db.session.scalar(db.select(Task).where(Task.title == title)
                             .order_by(Task.id))


def _carry(db, q1, leader, title="Việc dở dang được chuyển"):
    """Close Q1 carrying its unfinished work; return Q2."""
    from tracker.quarters.rollover import close_quarter

    decisions = {task.id: "cancelled" for task in _tasks(db, q1)
                 if task.title != title and task.status not in ("done", "cancelled")}
    result = close_quarter(q1, decisions, leader)
    db.session.commit()
    return result.next_quarter


def _ids(response):
    return re.findall(r'name="task" value="(\d+)"', page_text(response))


def test_choose_preview_confirm_creates_the_chosen_tasks(client, login_as, db, q1,
                                                         units, make_quarter):
    user = login_as("staff", units=[units["BDV"]])
    q2 = make_quarter(2023, 2, state="planning")
    board = page_text(client.get("/quarters/2023-Q1/"))
    assert 'id="plan-next-link"' in board and "/quarters/2023-Q1/plan-next" in board
    page = client.get("/quarters/2023-Q1/plan-next")
    text = page_text(page)
    assert page.status_code == 200 and "Quý II/2023" in text
    training, movement, cancelled, unfinished = _tasks(db, q1)
    assert text.count(" checked>") == 4  # all by default
    assert text.count("Kết thúc ở Quý I/2023") == 1  # the cancelled task

    chosen = [training.id, movement.id]
    before = (db.session.scalar(db.select(db.func.count(Task.id))),
              db.session.scalar(db.select(db.func.count(TaskUpdate.id))))
    preview = client.post("/quarters/2023-Q1/plan-next",
                          data={"task": [str(i) for i in chosen]})
    text = page_text(preview)
    assert preview.status_code == 200, text
    assert "30/06/2023" in text and "15/06/2023" in text  # due and held, shifted
    assert "Lớp tập huấn nghiệp vụ" in text and "Việc đã dừng" not in text
    assert _ids(preview) == [str(i) for i in chosen]
    # Nothing is written by the preview.
    assert (db.session.scalar(db.select(db.func.count(Task.id))),
            db.session.scalar(db.select(db.func.count(TaskUpdate.id)))) == before

    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": _ids(preview)})
    assert response.status_code == 302, page_text(response)
    assert response.headers["Location"].endswith("/quarters/2023-Q2/")
    made = _tasks(db, q2)
    assert [task.title for task in made] == [training.title, movement.title]
    new_training, new_movement = made
    assert (new_training.due_on, new_training.held_on) == (D(2023, 6, 30),
                                                           D(2023, 6, 15))
    assert new_training.status == "not_started" and new_training.progress == 0
    assert new_training.completed_on is None and new_training.result == ""
    assert new_training.achieved_count is None
    assert new_training.trainees_attended is None
    assert (new_training.target_count, new_training.target_label,
            new_training.trainees_planned, new_training.audience) == (
        2, "lớp", 180, "Cán bộ dân vận")
    assert new_training.lead_unit_id == units["BDV"].id
    assert [u.id for u in new_training.coordinating_units] == [units["MTTQ"].id]
    assert [link.unit_id for link in new_training.participants_links] == [
        units["TT"].id]
    assert all(link.share_status == "not_started"
               for link in new_training.participants_links)
    assert new_training.carried_from_id is None
    assert new_training.created_by_id == user.id
    assert new_movement.is_recurring and new_movement.due_on is None
    assert new_movement.campaign_name == "Ngày vì người nghèo"
    assert new_movement.status == "not_started" and new_movement.progress == 0
    for task in made:
        history = db.session.scalars(db.select(TaskUpdate)
                                     .where(TaskUpdate.task_id == task.id)).all()
        assert [(h.action, h.note) for h in history] == [
            ("created", "Lập kế hoạch từ Quý I/2023")]
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "imported"))
    assert event.entity_id == q2.id and event.changes == {"tasks": 2, "from": "2023-Q1"}
    # The source quarter is untouched.
    assert training.status == "done" and training.due_on == D(2023, 3, 31)
    # Planned once: the same tasks are not offered a second time.
    again = page_text(client.get("/quarters/2023-Q1/plan-next"))
    assert again.count(" checked>") == 2 and again.count("existing-badge") == 2


def test_carried_tasks_are_shown_and_not_offered(client, login_as, db, q1, units,
                                                 make_user):
    leader = make_user("truongban", role="leader")
    q2 = _carry(db, q1, leader)
    carried = _task(db, "Việc dở dang được chuyển")
    login_as("leader")
    page = client.get("/quarters/2023-Q1/plan-next")
    text = page_text(page)
    assert page.status_code == 200
    assert "carried-badge" in text
    assert re.search(rf'value="{carried.id}" id="task-{carried.id}" disabled', text)
    # A tampered form naming it anyway is refused, and nothing changes.
    count = len(_tasks(db, q2))
    for path in ("/quarters/2023-Q1/plan-next", "/quarters/2023-Q1/plan-next/confirm"):
        response = client.post(path, data={"task": [str(carried.id)]})
        assert response.status_code == 400
        assert "Quý II/2023" in page_text(response)
    assert len(_tasks(db, q2)) == count


@pytest.mark.parametrize("values", [
    [], ["abc"], ["²"], ["99999999999"], ["-1"], ["0"], ["123456"],
])
def test_tampered_ids_change_nothing(client, login_as, db, q1, make_quarter, values):
    make_quarter(2023, 2, state="planning")
    login_as("leader")
    tasks = db.session.scalar(db.select(db.func.count(Task.id)))
    for path in ("/quarters/2023-Q1/plan-next", "/quarters/2023-Q1/plan-next/confirm"):
        response = client.post(path, data={"task": values})
        assert response.status_code == 400, page_text(response)
        assert 'id="plan-next-error"' in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Task.id))) == tasks


def test_another_quarters_task_is_refused(client, login_as, db, q1, make_quarter,
                                          make_task, units):
    q2 = make_quarter(2023, 2, state="planning")
    other = make_task(quarter=q2, lead=units["HND"], title="Việc quý II")
    login_as("leader")
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(other.id)]})
    assert response.status_code == 400
    assert len(_tasks(db, q2)) == 1


def test_a_closed_next_quarter_refuses(client, login_as, db, q1, make_quarter):
    make_quarter(2023, 2, state="closed")
    login_as("leader")
    page = client.get("/quarters/2023-Q1/plan-next")
    assert page.status_code == 409
    assert "Quý II/2023 đã khóa; không thể lập thêm" in page_text(page)
    task = _tasks(db, q1)[0]
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(task.id)]})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 4
    assert 'id="plan-next-link"' not in page_text(client.get("/quarters/2023-Q1/"))


def test_unknown_quarter_is_404(client, login_as, db):
    login_as("leader")
    for path in ("/quarters/2031-Q1/plan-next", "/quarters/x/plan-next"):
        assert client.get(path).status_code == 404
        assert client.post(path + "/confirm", data={"task": ["1"]}).status_code == 404


def test_the_next_quarter_is_opened_by_a_leader_only(client, login_as, db, q1, units):
    task = _tasks(db, q1)[0]
    login_as("staff", units=[units["BDV"]])
    assert 'id="plan-next-link"' not in page_text(client.get("/quarters/2023-Q1/"))
    page = client.get("/quarters/2023-Q1/plan-next")
    assert page.status_code == 403 and "plan-next-error" in page_text(page)
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(task.id)]})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 1
    client.post("/logout")

    login_as("leader")
    preview = client.post("/quarters/2023-Q1/plan-next", data={"task": [str(task.id)]})
    assert preview.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 1  # not yet
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": _ids(preview)})
    assert response.status_code == 302
    q2 = db.session.scalar(db.select(Quarter).where(Quarter.number == 2))
    assert q2.state == "planning" and [t.title for t in _tasks(db, q2)] == [task.title]


def test_viewers_may_not_plan(client, login_as, db, q1, make_quarter):
    make_quarter(2023, 2, state="planning")
    login_as("viewer")
    assert client.get("/quarters/2023-Q1/plan-next").status_code == 403
    task = _tasks(db, q1)[0]
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(task.id)]})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 4


def test_a_problem_found_at_confirm_writes_nothing(client, login_as, db, q1,
                                                   make_quarter, units):
    q2 = make_quarter(2023, 2, state="planning")
    login_as("leader")
    task = _tasks(db, q1)[0]
    preview = client.post("/quarters/2023-Q1/plan-next", data={"task": [str(task.id)]})
    assert preview.status_code == 200
    units["MTTQ"].is_active = False  # a coordinating unit retired meanwhile
    db.session.commit()
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": _ids(preview)})
    assert response.status_code == 400
    assert "đã ngừng hoạt động" in page_text(response)
    assert _tasks(db, q2) == []


# ---- re-importing a downloaded workbook into the next quarter --------------------


def _workbook(client, key):
    response = client.get(f"/quarters/{key}/report.xlsx")
    assert response.status_code == 200
    return response.data


def _upload(client, key, content, shift, filename="bao-cao-2023-Q1.xlsx"):
    import io

    data = {"file": (io.BytesIO(content), filename)}
    if shift:
        data["shift"] = "y"
    return client.post(f"/quarters/{key}/import", data=data,
                       content_type="multipart/form-data")


def _confirm(client, response, key):
    text = page_text(response)
    token = text.split('name="token" value="')[1].split('"')[0]
    data = {"token": token}
    if 'name="shift" value="1"' in text:
        data["shift"] = "1"
    return client.post(f"/quarters/{key}/import/confirm", data=data)


def test_reimport_with_the_option_shifts_and_resets(client, login_as, db, q1, units,
                                                    make_user):
    leader = make_user("truongban", role="leader")
    q2 = _carry(db, q1, leader)
    login_as("leader")
    content = _workbook(client, "2023-Q1")
    response = _upload(client, "2023-Q2", content, shift=True)
    text = page_text(response)
    assert response.status_code == 200, text
    assert "Quý I/2023" in text and 'id="shift-note"' in text
    assert 'name="shift" value="1"' in text
    assert _confirm(client, response, "2023-Q2").status_code == 302
    made = [task for task in _tasks(db, q2) if task.carried_from_id is None]
    titles = [task.title for task in made]
    # The carried task is not imported a second time.
    assert sorted(titles) == sorted(["Lớp tập huấn nghiệp vụ",
                                     "Cuộc vận động “Ngày vì người nghèo”",
                                     "Việc đã dừng"])
    assert len([t for t in _tasks(db, q2)
                if t.title == "Việc dở dang được chuyển"]) == 1
    training = next(task for task in made if task.kind == "training")
    assert (training.due_on, training.held_on) == (D(2023, 6, 30), D(2023, 6, 15))
    assert (training.status, training.progress, training.completed_on,
            training.result, training.achieved_count, training.trainees_attended) == (
        "not_started", 0, None, "", None, None)
    stopped = next(task for task in made if task.title == "Việc đã dừng")
    assert stopped.status == "not_started" and stopped.due_on == D(2023, 5, 28)
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "imported"))
    assert event.changes["shifted_from"] == "2023-Q1"
    for task in made:
        assert [h.action for h in task.updates] == ["created"]


def test_reimport_without_the_option_is_unchanged(client, login_as, db, q1,
                                                  make_quarter):
    make_quarter(2023, 2, state="planning")
    login_as("leader")
    content = _workbook(client, "2023-Q1")
    response = _upload(client, "2023-Q2", content, shift=False)
    text = page_text(response)
    # As before: the first quarter's dates fall outside the second, statuses stay.
    assert response.status_code == 400
    assert "Hạn hoàn thành phải trong khoảng từ 01/04/2023" in text
    assert 'id="shift-note"' not in text


def test_reimport_of_a_template_without_quarter_column_uses_its_dates(
        client, login_as, db, q1, make_quarter, units):
    q3 = make_quarter(2023, 3, state="planning")
    login_as("leader")
    response = client.get("/quarters/import-template.xlsx?from=2023-Q1")
    content = response.data
    response = _upload(client, "2023-Q3", content, shift=True, filename="ke-hoach.xlsx")
    text = page_text(response)
    assert response.status_code == 200, text
    assert _confirm(client, response, "2023-Q3").status_code == 302
    training = _task(db, "Lớp tập huấn nghiệp vụ")
    made = [t for t in _tasks(db, q3)]
    assert len(made) == 4
    new_training = next(t for t in made if t.kind == "training")
    # Two quarters on: 31/03 -> 30/09, 15/03 -> 15/09.
    assert (new_training.due_on, new_training.held_on) == (D(2023, 9, 30),
                                                           D(2023, 9, 15))
    assert training.status == "done"


def test_cli_import_with_shift(runner, db, make_quarter, units, csv_file, tmp_path):
    q2 = make_quarter(2023, 2, state="planning")
    path = tmp_path / "nhiem-vu-2023-Q1.csv"
    path.write_bytes(csv_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Hạn hoàn thành",
         "Trạng thái", "Tiến độ (%)", "Ngày hoàn thành", "Quý"],
        ["Khác", "Việc đã xong quý I", "BDV", "31/03/2023", "Hoàn thành", "100",
         "20/03/2023", "Quý I/2023"],
    ]))
    result = runner.invoke(args=["import", "2023-Q2", str(path)])
    assert result.exit_code != 0  # as before: the first quarter's dates are refused
    result = runner.invoke(args=["import", "2023-Q2", str(path), "--shift"])
    assert result.exit_code == 0, result.output
    assert "Dates shifted from 2023-Q1 to 2023-Q2." in result.output
    (task,) = _tasks(db, q2)
    assert (task.due_on, task.status, task.progress, task.completed_on) == (
        D(2023, 6, 30), "not_started", 0, None)


def test_closing_after_planning_adopts_the_planned_task_instead_of_copying(
        client, login_as, db, q1, units, make_quarter, make_user):
    """Planned into Q2 before Q1 closes: carrying links the planned task, no twin."""
    login_as("staff", units=[units["BDV"]])
    q2 = make_quarter(2023, 2, state="planning")
    unfinished = _task(db, "Việc dở dang được chuyển")
    response = client.post("/quarters/2023-Q1/plan-next/confirm",
                           data={"task": [str(unfinished.id)]})
    assert response.status_code == 302, page_text(response)
    planned = _tasks(db, q2)
    assert [task.title for task in planned] == [unfinished.title]
    client.post("/logout")
    login_as("leader", username="truongban")
    close_page = page_text(client.get("/quarters/2023-Q1/close"))
    assert close_page.count('class="small planned-again"') == 1
    assert f"#{planned[0].id}" in close_page

    leader = db.session.scalar(db.select(User).where(User.username == "truongban"))
    q2_again = _carry(db, q1, leader)
    assert q2_again.id == q2.id
    titles = [task.title for task in _tasks(db, q2)]
    assert titles.count(unfinished.title) == 1  # adopted, not copied
    db.session.refresh(planned[0])
    assert planned[0].carried_from_id == unfinished.id
    assert planned[0].status == "not_started"  # the plan's own state stays
    actions = [u.action for u in db.session.scalars(
        db.select(TaskUpdate).where(TaskUpdate.task_id == planned[0].id)
        .order_by(TaskUpdate.id))]
    assert actions == ["created", "carried_in"]
    out = db.session.scalar(db.select(TaskUpdate).where(
        TaskUpdate.task_id == unfinished.id, TaskUpdate.action == "carried_out"))
    assert out.changes["to_task"] == planned[0].id
