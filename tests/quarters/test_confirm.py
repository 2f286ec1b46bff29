"""Irreversible actions ask first: a page says what will happen, then it is done."""
import re

import pytest
from sqlalchemy import func, select

from tests.helpers import get_task, page_text
from tracker.models import AuditEvent, Quarter, Task, TaskUpdate
from tracker.quarters.rollover import close_quarter


def _sign_in(client, username):
    response = client.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302


def _confirm_fields(page):
    """Return the hidden fields the confirmation page posts, and its address."""
    form = page[page.index('id="confirm-form"') - 200:]
    form = form[:form.index("</form>")]
    action = re.search(r'action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             form))
    fields.pop("csrf_token", None)
    return action, fields


def _quarter(db, key):
    year, number = key.split("-Q")
    return db.session.scalar(select(Quarter).where(Quarter.year == int(year),
                                                   Quarter.number == int(number)))


def _events(db):
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_closing_says_what_will_happen_then_closes(client, demo, db):
    _sign_in(client, "lanhdao")
    dropped = get_task("Đẩy mạnh thực hiện công tác dân vận ở xã")
    before = _events(db)
    response = client.post("/quarters/2023-Q1/close", data={
        "review": "1", f"action-{dropped.id}": "not_needed",
        f"note-{dropped.id}": "Đã lồng ghép vào nhiệm vụ khác"})
    assert response.status_code == 200
    page = page_text(response)
    start = page.index('id="consequences"')
    consequences = page[start:page.index("</ul>", start)]
    assert "Quý I/2023" in consequences and "Quý II/2023" in consequences
    assert "3 " in consequences and "1 " in consequences  # 3 carried, 1 ended
    assert "Đã lồng ghép vào nhiệm vụ khác" in page
    db.session.expire_all()
    assert not _quarter(db, "2023-Q1").is_closed and _events(db) == before
    action, fields = _confirm_fields(page)
    assert action == "/quarters/2023-Q1/close" and "review" not in fields
    assert fields[f"action-{dropped.id}"] == "not_needed"
    response = client.post(action, data=fields)
    assert response.status_code == 302
    db.session.expire_all()
    assert _quarter(db, "2023-Q1").is_closed
    assert db.session.get(Task, dropped.id).closing_reason == "not_needed"


@pytest.mark.parametrize("review", ["1", ""])
def test_ending_a_task_at_the_close_needs_a_reason(client, demo, db, review):
    _sign_in(client, "lanhdao")
    dropped = get_task("Đẩy mạnh thực hiện công tác dân vận ở xã")
    response = client.post("/quarters/2023-Q1/close", data={
        "review": review, f"action-{dropped.id}": "cancelled",
        f"note-{dropped.id}": "  "})
    assert response.status_code == 400
    assert f"#{dropped.id}" in page_text(response)
    db.session.expire_all()
    assert not _quarter(db, "2023-Q1").is_closed


def test_a_quarter_that_cannot_close_says_so_before_any_confirmation(client, demo, db):
    _sign_in(client, "lanhdao")
    response = client.post("/quarters/2023-Q2/close", data={"review": "1",
                                                            "carry_all": "1"})
    assert response.status_code == 400
    assert 'id="confirm-form"' not in page_text(response)
    assert "Quý I/2023" in page_text(response)  # close it first


def test_approving_shows_the_headline_first(client, demo, db):
    close_quarter(_quarter(db, "2023-Q1"), {}, None)
    db.session.commit()
    _sign_in(client, "lanhdao")
    summary = page_text(client.get("/quarters/2023-Q1/summary"))
    assert 'name="review" value="1"' in summary
    response = client.post("/quarters/2023-Q1/approve", data={"review": "1"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Quý I/2023" in page and "6" in page  # its six tasks
    db.session.expire_all()
    assert not _quarter(db, "2023-Q1").is_approved
    action, fields = _confirm_fields(page)
    assert client.post(action, data=fields).status_code == 302
    db.session.expire_all()
    assert _quarter(db, "2023-Q1").is_approved


def test_approving_an_open_quarter_is_refused_before_the_confirmation(client, demo, db):
    _sign_in(client, "lanhdao")
    response = client.post("/quarters/2023-Q2/approve", data={"review": "1"})
    assert response.status_code == 302
    assert not _quarter(db, "2023-Q2").is_approved


def test_reopening_says_what_it_undoes(client, demo, db):
    dropped = get_task("Đẩy mạnh thực hiện công tác dân vận ở xã")
    close_quarter(_quarter(db, "2023-Q1"), {dropped.id: "cancelled"}, None,
                  {dropped.id: "Không còn phù hợp"})
    db.session.commit()
    _sign_in(client, "quantri")
    response = client.post("/quarters/2023-Q1/reopen", data={
        "review": "1", "reason": "Bổ sung kết quả"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Bổ sung kết quả" in page and "1 " in page
    db.session.expire_all()
    assert _quarter(db, "2023-Q1").is_closed
    action, fields = _confirm_fields(page)
    assert fields["reason"] == "Bổ sung kết quả"
    assert client.post(action, data=fields).status_code == 302
    db.session.expire_all()
    assert not _quarter(db, "2023-Q1").is_closed
    response = client.post("/quarters/2023-Q1/reopen", data={"review": "1",
                                                             "reason": ""})
    assert response.status_code == 302  # not closed any more: said, nothing done


def test_reopening_without_a_reason_is_refused_first(client, demo, db):
    close_quarter(_quarter(db, "2023-Q1"), {}, None)
    db.session.commit()
    _sign_in(client, "quantri")
    response = client.post("/quarters/2023-Q1/reopen", data={"review": "1",
                                                             "reason": " "})
    assert response.status_code == 302
    db.session.expire_all()
    assert _quarter(db, "2023-Q1").is_closed


def test_archiving_asks_first(client, demo, db):
    _sign_in(client, "canbo_bdv")
    task = get_task("Lớp tập huấn nghiệp vụ công tác dân vận")
    response = client.post(f"/tasks/{task.id}/archive", data={
        "review": "1", "reason": "Trùng nhiệm vụ khác"})
    assert response.status_code == 200
    assert "Quý II/2023" in page_text(response)
    db.session.expire_all()
    assert not db.session.get(Task, task.id).is_archived
    action, fields = _confirm_fields(page_text(response))
    assert client.post(action, data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).is_archived


def test_ending_a_task_needs_a_reason_and_asks_first(client, demo, db):
    _sign_in(client, "canbo_bdv")
    task = get_task("Lớp tập huấn nghiệp vụ công tác dân vận")
    updates = len(task.updates)
    response = client.post(f"/tasks/{task.id}/status", data={
        "review": "1", "status": "cancelled"})
    assert response.status_code == 400
    response = client.post(f"/tasks/{task.id}/status", data={
        "review": "1", "status": "cancelled", "note": "Tỉnh đã tổ chức thay"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Tỉnh đã tổ chức thay" in page
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "not_started"
    action, fields = _confirm_fields(page)
    assert client.post(action, data=fields).status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.status == "cancelled" and len(task.updates) == updates + 1
    assert db.session.scalar(select(TaskUpdate).where(TaskUpdate.task_id == task.id)
                             .order_by(TaskUpdate.id.desc()).limit(1)).note == \
        "Tỉnh đã tổ chức thay"


def test_an_ordinary_report_is_not_held_up(client, demo, db):
    _sign_in(client, "canbo_bdv")
    task = get_task("Lớp tập huấn nghiệp vụ công tác dân vận")
    response = client.post(f"/tasks/{task.id}/status", data={
        "review": "1", "status": "in_progress", "progress": "30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 30


def test_a_leader_approves_from_my_work_through_the_confirmation(client, live_demo):
    _sign_in(client, "lanhdao")
    me = page_text(client.get("/me"))
    assert 'action="/quarters/2026-Q3/approve"' in me
    response = client.post("/quarters/2026-Q3/approve", data={"review": "1"})
    assert response.status_code == 200 and "Quý III/2026" in page_text(response)
    action, fields = _confirm_fields(page_text(response))
    assert client.post(action, data=fields).status_code == 302
    live_demo.session.expire_all()
    assert _quarter(live_demo, "2026-Q3").is_approved
