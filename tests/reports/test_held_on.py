"""Events happen on a date: every kind carries the date held and is judged by it; work
reported done without a date counts as done, neither on time nor late."""
import csv
import datetime as dt
import io

from docx import Document

from tests.helpers import page_text, visible_text
from tracker.figures.services import quarter_figures
from tracker.models import Task
from tracker.quarters.rollover import close_quarter, needs_decision
from tracker.reports import phrases

D = dt.date


def test_any_kind_carries_a_date_held_through_the_form(client, login_as, db,
                                                       make_quarter, make_unit):
    make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    login_as("staff", units=[unit])
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "meeting", "title": "Hội nghị trực báo công tác dân vận quý II",
        "lead_unit_id": unit.id, "held_on": "30/06/2023",
    })
    assert response.status_code == 302, page_text(response)[:3000]
    task = db.session.scalar(db.select(Task))
    assert task.held_on == D(2023, 6, 30) and task.kind == "meeting"
    text = visible_text(client.get(response.headers["Location"]))
    assert "Ngày tổ chức 30/06/2023" in text
    # The form offers the date held for every kind, not only congresses.
    form = page_text(client.get(f"/tasks/{task.id}/edit"))
    assert 'name="held_on"' in form.split('data-kind="movement"')[0]


def test_a_quarters_briefing_held_after_its_end_is_done_in_that_quarter(
    client, login_as, db, make_quarter, make_unit, make_task
):
    q1 = make_quarter(2023, 1, state="active")
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    meeting = make_task(quarter=q1, lead=unit, kind="meeting",
                        title="Hội nghị trực báo công tác dân vận quý I",
                        held_on=D(2023, 4, 3))
    assert meeting.due_on == D(2023, 3, 31)
    # Before it is held it is not overdue at the quarter's end: its day is 03/04.
    assert meeting.timeliness(D(2023, 4, 1)) == "in_progress_on_time" or \
        meeting.timeliness(D(2023, 4, 1)) == "not_started"
    user = login_as("staff", units=[unit])
    # Reported after the quarter ended without a completion date: the day held
    # stands for it, no date is asked for.
    response = client.post(f"/tasks/{meeting.id}/status", data={
        "status": "done", "progress": "100", "note": "Đã tổ chức."})
    assert response.status_code == 302, page_text(response)[:3000]
    db.session.refresh(meeting)
    assert meeting.status == "done" and meeting.completed_on == D(2023, 4, 3)
    assert not needs_decision(meeting)
    close_quarter(q1, {}, user)
    db.session.commit()
    assert meeting.frozen_timeliness == "done_on_time"
    figures = quarter_figures(q1)
    assert figures["done"] == 1 and figures["overdue"] == 0 and figures["rate"] == 1
    assert figures["tasks"][0]["held_on"] == "2023-04-03"
    sentence = phrases.result_sentence(meeting, q1.cutoff(None), lead=unit.name,
                                       year=q1.year)
    assert sentence == ("Ngày 3/4, Ban Dân vận Huyện ủy tổ chức Hội nghị trực báo công "
                        "tác dân vận quý I.")


def test_an_event_not_held_by_its_day_is_overdue(make_quarter, make_unit, make_task):
    quarter = make_quarter(2023, 2)
    review = make_task(quarter=quarter, lead=make_unit(), kind="review",
                       title="Sơ kết 5 năm", held_on=D(2023, 5, 10),
                       status="in_progress", progress=50)
    assert review.due_on == D(2023, 6, 30)
    assert review.timeliness(D(2023, 5, 10)) == "in_progress_on_time"
    assert review.timeliness(D(2023, 5, 11)) == "overdue"


def test_done_date_not_recorded_is_shown_as_such_everywhere(
    client, login_as, db, make_quarter, make_unit, make_task
):
    q1 = make_quarter(2023, 1, state="active")
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    task = make_task(quarter=q1, lead=unit, kind="propaganda",
                     title="Quán triệt Kết luận số 43-KL/TW", status="in_progress",
                     progress=50)
    make_task(quarter=q1, lead=unit, kind="advisory", title="Tham mưu sơ kết",
              status="done", progress=100, completed_on=D(2023, 3, 20))
    login_as("staff", units=[unit])
    # The quarter has ended: an empty date is refused unless "not recorded" is ticked.
    response = client.post(f"/tasks/{task.id}/status", data={
        "status": "done", "progress": "100"})
    assert response.status_code == 400
    assert "Hãy nhập ngày hoàn thành" in page_text(response)
    response = client.post(f"/tasks/{task.id}/status", data={
        "status": "done", "progress": "100", "undated": "y",
        "completed_on": "20/03/2023"})
    assert response.status_code == 400
    assert "Để trống ngày hoàn thành khi không ghi ngày." in page_text(response)
    response = client.post(f"/tasks/{task.id}/status", data={
        "status": "done", "progress": "100", "undated": "y"})
    assert response.status_code == 302, page_text(response)[:3000]
    db.session.refresh(task)
    assert task.status == "done" and task.completed_on is None
    assert task.timeliness(D(2023, 4, 1)) == "done"

    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Hoàn thành (không ghi ngày)" in text
    assert "Ngày hoàn thành Không ghi ngày" in text
    board = visible_text(client.get("/quarters/2023-Q1/"))
    assert "Hoàn thành (không ghi ngày)" in board

    figures = quarter_figures(q1)
    assert figures["counts"]["done"] == 1 and figures["counts"]["done_on_time"] == 1
    assert figures["done"] == 2 and figures["rate"] == 1

    rows = list(csv.reader(io.StringIO(
        client.get("/quarters/2023-Q1/tasks.csv").get_data(as_text=True)
        .lstrip("\ufeff"))))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("Tên nhiệm vụ")].startswith("Quán"))
    assert row[header.index("Ngày hoàn thành")] == ""
    assert row[header.index("Tiến độ so với hạn")] == "Hoàn thành (không ghi ngày)"

    document = Document(io.BytesIO(client.get("/quarters/2023-Q1/report.docx").data))
    body = "\n".join(p.text for p in document.paragraphs)
    # Done without a date: no date is invented.
    assert "đã quán triệt Kết luận số 43-KL/TW." in body
    assert "đã hoàn thành 2 (đúng hạn 1, quá hạn 0, không ghi ngày hoàn thành 1)" in body


def test_import_takes_done_without_a_date_and_a_date_held_for_any_kind(
    client, login_as, db, make_quarter, make_unit, xlsx_file, upload
):
    make_quarter(2023, 3, state="planning")
    make_unit("Ban Dân vận Huyện ủy Sơn Tịnh", "BDV", kind="party_board")
    login_as("leader")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Trạng thái",
         "Ngày tổ chức"],
        ["Hội nghị, giao ban, trực báo", "Hội nghị trực báo quý III", "BDV", "",
         "02/10/2023"],
        ["review", "Sơ kết phong trào", "BDV", "done", ""],
    ]))
    text = page_text(response)
    assert response.status_code == 200, text
    token = text.split('name="token" value="')[1].split('"')[0]
    client.post("/quarters/2023-Q3/import/confirm", data={"token": token})
    tasks = db.session.scalars(db.select(Task).order_by(Task.id)).all()
    assert [(t.kind, t.held_on, t.status, t.completed_on) for t in tasks] == [
        ("meeting", D(2023, 10, 2), "not_started", None),
        ("review", None, "done", None),
    ]


def test_demo_has_an_event_held_after_its_quarter_and_work_done_without_a_date(
    demo, db
):
    from tracker.boards import scope
    from tracker.models import Board, Quarter

    binh_son = db.session.scalar(db.select(Board).where(Board.code == "binh-son"))
    with scope.boards([binh_son.id]):
        q1 = db.session.scalar(db.select(Quarter).where(Quarter.number == 1))
        figures = quarter_figures(q1, D(2023, 4, 10))
        by_title = {t["title"]: t for t in figures["tasks"]}
    meeting = by_title["Hội nghị giao ban Khối Dân vận quý I năm 2023"]
    assert meeting["held_on"] == "2023-04-04" and meeting["timeliness"] == "done_on_time"
    review = next(t for title, t in by_title.items() if title.startswith("Sơ kết 5 năm"))
    assert review["timeliness"] == "done" and review["completed_on"] is None
