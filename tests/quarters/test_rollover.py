"""Closing a quarter: carry, close with reason, recurring, chain, order, freeze."""
import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.extensions import db as _db
from tracker.models import AuditEvent, Quarter, Task, TaskUpdate
from tracker.models.guard import ClosedQuarterError
from tracker.quarters.rollover import (
    RolloverError,
    approve_quarter,
    carry_depths,
    close_quarter,
    reopen_quarter,
)
from tracker.tasks.services import report_progress


@pytest.fixture
def q1(make_quarter, make_task, make_unit):
    """Return Q1 2023 with a done task, an unfinished one, a shared one and a recurring one."""
    quarter = make_quarter(2023, 1)
    bdv = make_unit("Ban Dân vận", "BDV")
    communes = [make_unit(f"Đảng ủy xã {n}", f"ĐU {n}") for n in "AB"]
    make_task(quarter=quarter, lead=bdv, title="Đã xong", status="done", progress=100,
              completed_on=dt.date(2023, 3, 1))
    make_task(quarter=quarter, lead=bdv, title="Dở dang", status="in_progress",
              progress=60, kind="congress", congress_ordinal=12, coordinating=communes)
    make_task(quarter=quarter, lead=bdv, title="Cả năm", status="in_progress",
              progress=20, due_on=dt.date(2023, 12, 31), kind="movement",
              campaign_name="Dân vận khéo")
    make_task(quarter=quarter, lead=bdv, title="Thường xuyên", is_recurring=True,
              status="done", progress=100, completed_on=dt.date(2023, 3, 2))
    make_task(quarter=quarter, lead=bdv, title="Chưa làm", due_on=dt.date(2023, 2, 15))
    return quarter


def get_task(title):
    """Return the Q1 2023 task with this exact title."""
    return _db.session.scalars(
        _db.select(Task).join(Task.quarter)
        .where(Quarter.year == 2023, Quarter.number == 1, Task.title == title)
    ).one()


def _next(db):
    return db.session.scalar(db.select(Quarter).where(Quarter.number == 2))


def _close_twice(q1, db):
    """Close Q1, then the Q2 it opened: unfinished work is carried twice, into Q3.
    Return Q2."""
    close_quarter(q1, {}, None)
    db.session.commit()
    q2 = _next(db)
    close_quarter(q2, {}, None)
    db.session.commit()
    return q2


def test_close_carries_unfinished_and_recurring(q1, db, make_user):
    leader = make_user("lanhdao", role="leader")
    result = close_quarter(q1, {}, leader)
    db.session.commit()
    assert result.created_next and result.next_quarter.key == "2023-Q2"
    carried = {task.title: task for task in result.carried}
    assert set(carried) == {"Dở dang", "Cả năm", "Thường xuyên", "Chưa làm"}
    congress = carried["Dở dang"]
    assert congress.carried_from.title == "Dở dang"
    assert (congress.status, congress.progress) == ("in_progress", 60)
    assert congress.congress_ordinal == 12 and len(congress.coordinating_units) == 2
    assert congress.due_on == dt.date(2023, 6, 30)
    assert carried["Cả năm"].due_on == dt.date(2023, 12, 31)  # the longer deadline stands
    recurring = carried["Thường xuyên"]
    assert (recurring.status, recurring.progress, recurring.due_on) == ("not_started", 0, None)
    assert q1.state == "closed" and q1.closed_by == leader
    assert get_task("Đã xong").frozen_timeliness == "done_on_time"
    assert get_task("Chưa làm").frozen_timeliness == "overdue"
    assert congress.updates[-1].action == "carried_in"
    assert any(u.action == "carried_out" for u in get_task("Dở dang").updates
               if u.task.quarter_id == q1.id)
    closed = db.select(AuditEvent).where(AuditEvent.action == "closed")
    event = db.session.scalar(closed)
    assert (event.action, event.entity_type, event.user_id) == ("closed", "quarter", leader.id)
    assert event.changes["state"] == ["active", "closed"]
    opened = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "created"))
    assert (opened.entity_id, opened.user_id) == (result.next_quarter.id, leader.id)


def test_close_with_reason_keeps_the_task_in_q(q1, db, make_user):
    leader = make_user("lanhdao", role="leader")
    dropped = db.session.scalar(db.select(Task).where(Task.title == "Chưa làm"))
    result = close_quarter(q1, {dropped.id: "not_needed"}, leader,
                           notes={dropped.id: "Đã lồng ghép vào nhiệm vụ khác"})
    db.session.commit()
    assert dropped in result.closed
    assert dropped.closing_reason == "not_needed"
    assert dropped.closing_note == "Đã lồng ghép vào nhiệm vụ khác"
    # Ended here: stopped, in its own class, out of the rate; the change is history.
    assert dropped.status == "cancelled" and dropped.frozen_timeliness == "cancelled"
    closed = dropped.updates[0]
    assert (closed.action, closed.old_status, closed.new_status, closed.user) == (
        "closed", "not_started", "cancelled", leader)
    assert closed.changes == {"closing_reason": [None, "not_needed"],
                              "status": ["not_started", "cancelled"]}
    assert closed.note == "Đã lồng ghép vào nhiệm vụ khác"
    assert db.session.scalar(
        db.select(db.func.count(Task.id)).where(Task.title == "Chưa làm")) == 1


def test_closing_ends_done_recurring_work_without_undoing_it(q1, db):
    recurring = get_task("Thường xuyên")
    close_quarter(q1, {recurring.id: "not_needed"}, None)
    db.session.commit()
    # Done this quarter, its series ends here: it stays done.
    assert (recurring.status, recurring.closing_reason) == ("done", "not_needed")
    assert recurring.frozen_timeliness == "done_on_time"


def test_reopen_restores_what_the_close_changed(q1, db, make_user):
    admin = make_user("quantri", role="admin")
    dropped = get_task("Chưa làm")
    congress = get_task("Dở dang")
    close_quarter(q1, {dropped.id: "cancelled", congress.id: "not_needed"}, None,
                  notes={dropped.id: "Không còn phù hợp"})
    db.session.commit()
    assert (dropped.status, congress.status) == ("cancelled", "cancelled")
    reopen_quarter(q1, admin, "Ghi nhầm")
    db.session.commit()
    for task, status in ((dropped, "not_started"), (congress, "in_progress")):
        assert (task.status, task.closing_reason, task.closing_note) == (
            status, None, "")
        assert task.frozen_timeliness is None
        undo = task.updates[0]
        assert (undo.action, undo.old_status, undo.new_status, undo.user) == (
            "reopened", "cancelled", status, admin)
        assert undo.changes["status"] == ["cancelled", status]
        assert undo.note == "Ghi nhầm"
    assert get_task("Đã xong").updates[0].action == "created"  # nothing to undo
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "reopened"))
    assert event.changes["restored"] == 2
    # Closing again decides anew.
    close_quarter(q1, {dropped.id: "not_needed"}, None)
    db.session.commit()
    assert (dropped.status, dropped.closing_reason) == ("cancelled", "not_needed")


def test_closed_quarter_is_read_only(q1, db, make_user):
    close_quarter(q1, {}, None)
    db.session.commit()
    task = get_task("Đã xong")
    task.title = "Sửa lén"
    with pytest.raises(ClosedQuarterError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(ClosedQuarterError):
        report_progress(get_task("Chưa làm"), "done", 100, "", make_user(),
                        completed_on=q1.ends_on)
    db.session.rollback()
    assert get_task("Đã xong").title == "Đã xong"


def test_timeliness_does_not_move_with_the_calendar(q1, db):
    close_quarter(q1, {}, None)
    db.session.commit()
    task = get_task("Cả năm")
    assert task.frozen_timeliness == "in_progress_on_time"
    assert task.timeliness(dt.date(2030, 1, 1)) == "in_progress_on_time"
    # Due on the quarter's last day and unfinished: overdue for good.
    task = get_task("Dở dang")
    assert task.frozen_timeliness == "overdue"
    assert task.timeliness(dt.date(2023, 1, 1)) == "overdue"


def test_second_close_is_refused_and_changes_nothing(q1, db):
    close_quarter(q1, {}, None)
    db.session.commit()
    count = db.session.scalar(db.select(db.func.count(Task.id)))
    with pytest.raises(RolloverError, match="đã khóa sổ"):
        close_quarter(q1, {}, None)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Task.id))) == count


def test_quarters_close_in_order(q1, make_quarter, db):
    q2 = make_quarter(2023, 2)
    with pytest.raises(RolloverError, match="Cần khóa sổ"):
        close_quarter(q2, {}, None)
    db.session.rollback()
    assert q2.state == "active"


def test_unknown_decision_changes_nothing(q1, db):
    task = get_task("Chưa làm")
    for decisions in ({task.id: "burn"}, {999999: "carry"}):
        with pytest.raises(RolloverError):
            close_quarter(q1, decisions, None)
        db.session.rollback()
    assert q1.state == "active" and _next(db) is None


def test_failure_midway_rolls_back_everything(q1, db, monkeypatch):
    from tracker.quarters import rollover

    calls = {"n": 0}
    real = rollover._carry

    def failing(task, target, user):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(task, target, user)

    monkeypatch.setattr(rollover, "_carry", failing)
    with pytest.raises(RuntimeError):
        close_quarter(q1, {}, None)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Quarter, q1.id).state == "active"
    assert _next(db) is None
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 5
    assert db.session.scalar(
        db.select(db.func.count(TaskUpdate.id)).where(TaskUpdate.action != "created")) == 0


def test_chain_depth_and_reopen_then_reclose(q1, db, make_user):
    admin = make_user("quantri", role="admin")
    q2 = _close_twice(q1, db)
    q3_task = db.session.scalar(db.select(Task).join(Task.quarter).where(
        Quarter.number == 3, Task.title == "Dở dang"))
    assert carry_depths([q3_task.id]) == {q3_task.id: 2}
    assert q3_task.carried_from.carried_from.quarter_id == q1.id
    # Reopening Q2 is recorded; closing it again skips what was already carried.
    reopen_quarter(q2, admin, "Bổ sung kết quả")
    db.session.commit()
    assert q2.state == "active"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "reopened"))
    assert event.note == "Bổ sung kết quả" and event.user_id == admin.id
    carried_task = db.session.scalar(db.select(Task).where(
        Task.quarter_id == q2.id, Task.title == "Dở dang"))
    with pytest.raises(RolloverError, match="đã được chuyển sang"):
        close_quarter(q2, {carried_task.id: "carry"}, None)
    db.session.rollback()
    result = close_quarter(q2, {}, None)
    db.session.commit()
    assert result.carried == []
    assert db.session.scalar(db.select(db.func.count(Task.id)).where(
        Task.title == "Dở dang")) == 3


def test_reopen_needs_a_reason_and_a_closed_quarter(q1, db):
    with pytest.raises(RolloverError):
        reopen_quarter(q1, None, "x")
    close_quarter(q1, {}, None)
    with pytest.raises(RolloverError):
        reopen_quarter(q1, None, "  ")


def test_approve_stores_the_figures(q1, db, make_user):
    leader = make_user("lanhdao", role="leader")
    with pytest.raises(RolloverError):
        approve_quarter(q1, leader)
    close_quarter(q1, {}, leader)
    figures = approve_quarter(q1, leader)
    db.session.commit()
    assert q1.approved_by == leader
    # Judged at 01/04/2023: "Dở dang" (due 31/03) is overdue as well as "Chưa làm".
    assert figures["as_of"] == "2023-04-01"
    assert figures["total"] == 5 and figures["done"] == 2 and figures["overdue"] == 2
    assert figures["counts"]["in_progress_on_time"] == 1
    assert figures["rate"] == 2 / 4
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "approved"))
    assert event.changes == {"approved_by": [None, "lanhdao"], "as_of": "2023-04-01",
                             "total": 5, "done": 2, "overdue": 2, "rate": 0.5}
    with pytest.raises(RolloverError, match="đã được phê duyệt"):
        approve_quarter(q1, leader)


def test_close_stores_the_list_counts_and_reopen_clears_them(q1, db, make_user):
    admin = make_user("quantri", role="admin")
    close_quarter(q1, {get_task("Chưa làm").id: "cancelled"}, None)
    db.session.commit()
    counts = q1.closed_counts
    # Five tasks: two done (one recurring, carried), two carried unfinished, and one
    # closed here without carrying: stopped, out of the rate.
    assert counts["statuses"] == {"done": 2, "in_progress": 2, "cancelled": 1}
    assert counts["timeliness"] == {
        "done_on_time": 2, "done_late": 0, "done": 0, "in_progress_on_time": 1,
        "overdue": 1, "not_started": 0, "no_deadline": 0, "cancelled": 1}
    assert counts["rate"] == 2 / 3
    assert counts["carried_in"] == 0 and counts["carried_out"] == 3
    # Counting again gives what was stored, whatever day it is counted at.
    from tracker.figures.counting import count_for_list
    assert count_for_list([q1], dt.date(2030, 1, 1))[q1.id] == counts
    reopen_quarter(q1, admin, "Bổ sung")
    db.session.commit()
    assert q1.closed_counts is None


# ---- through the pages ----

def test_close_page_lists_unfinished_tasks(client, login_as, q1):
    login_as("leader")
    text = page_text(client.get("/quarters/2023-Q1/close"))
    for title in ("Dở dang", "Cả năm", "Thường xuyên", "Chưa làm"):
        assert title in text
    assert "Đã xong" not in text
    assert "Chuyển sang Quý II/2023" in text and "Chuyển tất cả và khóa sổ" in text


def test_close_through_the_page(client, login_as, q1, db):
    login_as("leader")
    dropped = get_task("Chưa làm")
    response = client.post("/quarters/2023-Q1/close", data={
        f"action-{dropped.id}": "cancelled", f"note-{dropped.id}": "Không còn phù hợp"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/quarters/2023-Q1/rollover"
    text = page_text(client.get("/quarters/2023-Q1/rollover"))
    assert 'id="count-done">1<' in text
    assert 'id="count-carried">3<' in text
    assert 'id="count-closed">1<' in text
    assert "Không còn phù hợp" in text and "đã chuyển tiếp 1 lần" in text
    assert db.session.scalar(db.select(Quarter).where(Quarter.number == 1)).is_closed


def test_carry_all_shortcut(client, login_as, q1, db):
    login_as("admin")
    dropped = get_task("Chưa làm")
    response = client.post("/quarters/2023-Q1/close", data={
        f"action-{dropped.id}": "cancelled", "carry_all": "1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Task.id))) == 9


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_only_leaders_and_admins_close(client, login_as, q1, db, role):
    login_as(role)
    assert client.get("/quarters/2023-Q1/close").status_code == 403
    assert client.post("/quarters/2023-Q1/close", data={}).status_code == 403
    assert not db.session.get(Quarter, q1.id).is_closed


def test_bad_choice_on_the_page_changes_nothing(client, login_as, q1, db):
    login_as("leader")
    task = get_task("Chưa làm")
    response = client.post("/quarters/2023-Q1/close", data={f"action-{task.id}": "x"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ cho một nhiệm vụ" in page_text(response)
    assert not db.session.get(Quarter, q1.id).is_closed


def test_closed_quarter_pages_refuse_changes(client, login_as, q1, db):
    close_quarter(q1, {}, None)
    db.session.commit()
    login_as("admin")
    task = get_task("Đã xong")
    assert client.post(f"/tasks/{task.id}/status",
                       data={"status": "in_progress", "progress": "5"}).status_code == 403
    assert client.post(f"/tasks/{task.id}/edit", data={"title": "x"}).status_code == 403
    assert client.get("/tasks/new?quarter=2023-Q1").status_code == 403
    again = client.post("/quarters/2023-Q1/close", data={})
    assert again.status_code == 400 and "đã khóa sổ" in page_text(again)


def test_reopen_is_admin_only_and_recorded(client, login_as, q1, db):
    close_quarter(q1, {}, None)
    db.session.commit()
    login_as("leader", username="lead")
    assert client.post("/quarters/2023-Q1/reopen", data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login_as("admin", username="boss")
    response = client.post("/quarters/2023-Q1/reopen", data={"reason": "Nhập thiếu"})
    assert response.status_code == 302
    assert db.session.get(Quarter, q1.id).state == "active"


def test_rollover_page_statements_do_not_grow(client, login_as, make_quarter, make_task,
                                              make_unit, count_queries, db):
    login_as("viewer")
    units = [make_unit() for _ in range(3)]

    def scenario(year, n):
        quarter = make_quarter(year, 1)
        for i in range(n):
            make_task(quarter=quarter, lead=units[i % 3], coordinating=units[:1],
                      title=f"Việc {i}", status="in_progress" if i % 2 else "done",
                      progress=50)
        close_quarter(quarter, {}, None)
        db.session.commit()
        following = db.session.scalar(
            db.select(Quarter).where(Quarter.year == year, Quarter.number == 2))
        for i in range(n):
            make_task(quarter=following, lead=units[i % 3], title=f"Mới {i}")
        with count_queries() as statements:
            assert client.get(f"/quarters/{year}-Q1/rollover").status_code == 200
        return len(statements)

    assert scenario(2024, 4) == scenario(2025, 40)


def test_cli_rollover(runner, db, demo):
    result = runner.invoke(args=["rollover", "2023-Q1", "--user", "lanhdao", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert not db.session.scalar(db.select(Quarter).where(Quarter.number == 1)).is_closed
    result = runner.invoke(args=["rollover", "2023-Q1", "--user", "lanhdao"])
    assert result.exit_code == 0, result.output
    assert "4 carried to 2023-Q2" in result.output
    result = runner.invoke(args=["rollover", "2023-Q1", "--board", "son-tinh"])
    assert result.exit_code != 0 and "đã khóa sổ" in result.output
    assert runner.invoke(args=["rollover", "2023-Q9"]).exit_code != 0
    assert runner.invoke(args=["rollover", "2023-Q2", "--close", "x"]).exit_code != 0


def test_a_longer_chain_costs_the_task_page_no_more_statements(
        client, login_as, q1, db, count_queries):
    """The chain a task was carried along is read in one statement at any length."""
    from tracker.extensions import cache

    _close_twice(q1, db)
    login_as("viewer")
    counts = {}
    for number in (2, 3):  # carried once, then twice
        task = db.session.scalar(db.select(Task).join(Task.quarter).where(
            Quarter.number == number, Task.title == "Chưa làm"))
        path = f"/tasks/{task.id}"
        client.get(path)
        db.session.expunge_all()
        cache.clear()
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        counts[number] = len(statements)
        assert any("RECURSIVE" in statement for statement in statements)
    assert counts[2] == counts[3], counts


def test_task_page_shows_the_chain(client, login_as, q1, db):
    _close_twice(q1, db)
    login_as("viewer")
    latest = db.session.scalar(db.select(Task).join(Task.quarter).where(
        Quarter.number == 3, Task.title == "Chưa làm"))
    text = page_text(client.get(f"/tasks/{latest.id}"))
    assert "Chuyển từ Quý II/2023" in text and "đã chuyển tiếp 2 lần" in text
    assert "hạn ban đầu: 15/02/2023; hạn hiện nay: 30/09/2023" in text
    original = get_task("Chưa làm")
    text = page_text(client.get(f"/tasks/{original.id}"))
    assert "Được chuyển tiếp sang Quý II/2023" in text
