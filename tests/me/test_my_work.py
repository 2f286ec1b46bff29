"""My work: staff land on their units' open work; leaders on what awaits them."""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.conftest import LIVE_AS_OF
from tests.helpers import get_task, page_text
from tracker.me import services
from tracker.models import Quarter, Task, TaskUnit, TaskUpdate, Unit, User


def _sign_in(client, username):
    response = client.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def _user(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def test_commune_staff_land_on_their_own_work(client, live_demo):
    response = _sign_in(client, "canbo_xa")
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    page = page_text(client.get("/me"))
    assert 'id="nav-me"' in page
    overdue = page[page.index('id="group-overdue"'):page.index('id="group-due_soon"')]
    assert "Bí thư Đảng ủy xã Tịnh Trà đối thoại" in overdue
    soon = page[page.index('id="group-due_soon"'):page.index('id="group-in_progress"')]
    assert "Rà soát việc thực hiện Quy chế dân chủ" in soon
    assert "Nắm tình hình dư luận nhân dân" in soon  # its share of a shared task
    # Work of other units, and of closed quarters, is not theirs to see here.
    assert "Tập huấn chuyển đổi số" not in page
    assert "Vận động di dời mồ mả" not in page
    assert 'id="decisions"' not in page


def test_groups_follow_the_due_dates(live_demo):
    groups = services.my_work(_user(live_demo, "canbo_xa"), LIVE_AS_OF)
    # The 2023 seed's quarters were never closed: their unfinished work is overdue.
    assert [len(groups[name]) for name in services.GROUPS] == [4, 2, 1, 1]
    assert [item.task.quarter.key for item in groups["overdue"]] == [
        "2023-Q1", "2023-Q2", "2023-Q2", "2026-Q4"]
    for item in groups["due_soon"]:
        assert LIVE_AS_OF <= item.task.due_on <= LIVE_AS_OF + dt.timedelta(days=14)
    share = next(item for item in groups["due_soon"] if item.link is not None)
    assert share.link.unit.short_name == "ĐU Tịnh Trà"
    later = services.my_work(_user(live_demo, "canbo_xa"),
                             LIVE_AS_OF + dt.timedelta(days=8))
    assert len(later["overdue"]) == 6


def test_a_done_share_and_finished_tasks_leave_the_list(live_demo):
    user = _user(live_demo, "canbo_xa")
    task = get_task("Nắm tình hình dư luận nhân dân")
    link = next(link for link in task.unit_links
                if link.unit.short_name == "ĐU Tịnh Trà")
    link.share_status = "done"
    get_task("Rà soát việc thực hiện Quy chế dân chủ").status = "done"
    live_demo.session.flush()
    titles = [item.task.title for items in services.my_work(user, LIVE_AS_OF).values()
              for item in items]
    assert not any("Nắm tình hình" in t or "Rà soát việc" in t for t in titles)


def test_progress_reported_from_my_work_goes_to_the_history(client, live_demo):
    _sign_in(client, "canbo_xa")
    task = get_task("Rà soát việc thực hiện Quy chế dân chủ")
    before = len(task.updates)
    page = page_text(client.get("/me"))
    assert f'action="/tasks/{task.id}/status"' in page
    response = client.post(f"/tasks/{task.id}/status", data={
        "back": "me", "status": "in_progress", "progress": "85"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/me#task-{task.id}"
    live_demo.session.expire_all()
    task = live_demo.session.get(Task, task.id)
    assert task.progress == 85 and len(task.updates) == before + 1
    assert task.updates[-1].user.username == "canbo_xa"
    response = client.post(f"/tasks/{task.id}/status", data={"back": "me",
                                                             "status": "done"})
    assert response.status_code == 302
    live_demo.session.expire_all()
    task = live_demo.session.get(Task, task.id)
    assert task.status == "done" and task.completed_on == LIVE_AS_OF
    assert "Rà soát việc thực hiện" not in page_text(client.get("/me"))


def test_a_share_is_reported_done_in_one_tap(client, live_demo):
    _sign_in(client, "canbo_xa")
    task = get_task("Nắm tình hình dư luận nhân dân")
    unit = live_demo.session.scalar(
        select(Unit).where(Unit.short_name == "ĐU Tịnh Trà"))
    response = client.post(f"/tasks/{task.id}/share", data={
        "back": "me", "unit_id": str(unit.id), "share_status": "done"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/me#task-{task.id}"
    live_demo.session.expire_all()
    link = live_demo.session.get(TaskUnit, (task.id, unit.id))
    assert link.share_status == "done" and link.share_done_on == LIVE_AS_OF
    assert live_demo.session.scalar(
        select(TaskUpdate).where(TaskUpdate.task_id == task.id)
        .order_by(TaskUpdate.id.desc()).limit(1)).action == "share"


def test_a_bad_report_from_my_work_is_refused_and_kept(client, live_demo):
    _sign_in(client, "canbo_xa")
    task = get_task("Rà soát việc thực hiện Quy chế dân chủ")
    response = client.post(f"/tasks/{task.id}/status", data={
        "back": "me", "status": "in_progress", "progress": "150"})
    assert response.status_code == 400
    live_demo.session.expire_all()
    assert live_demo.session.get(Task, task.id).progress == 60


def test_leaders_land_on_the_summary_with_their_decisions(client, live_demo):
    response = _sign_in(client, "lanhdao")
    assert response.headers["Location"] == "/quarters/2026-Q4/summary"
    page = page_text(client.get("/quarters/2026-Q4/summary"))
    decisions = page[page.index('id="decisions"'):]
    assert 'href="/quarters/2026-Q3/summary"' in decisions  # closed, to approve
    assert "Bí thư Đảng ủy xã Tịnh Trà đối thoại" in decisions  # quiet for 20 days
    assert page.index('id="decisions"') < page.index("Số liệu tính đến ngày")
    me = page_text(client.get("/me"))
    assert 'id="decisions"' in me and 'href="/quarters/2026-Q3/summary"' in me


def test_a_leader_without_decisions_is_told_so(client, live_demo):
    quarter = live_demo.session.scalar(select(Quarter).where(Quarter.number == 3,
                                                             Quarter.year == 2026))
    from tracker.models.guard import unlocked

    with unlocked(live_demo.session):
        quarter.approved_at = dt.datetime(2026, 10, 3)
        live_demo.session.commit()
    for task in services.quiet_overdue(LIVE_AS_OF):
        task.status = "done"
    # The congresses due are recorded as held (their terms moved on by a leader).
    from tracker.congresses.services import flagged, update_term

    for row in flagged(LIVE_AS_OF):
        update_term(row.term, dict(ordinal=row.ordinal, term_start=row.term_start,
                                   term_end=row.term_end, last_held_on=None), None)
    from tracker.followup.services import decide_extension, pending_extensions

    leader = _user(live_demo, "lanhdao")
    for extension in pending_extensions():  # the demo's request for a later deadline
        decide_extension(extension, False, "", leader)
    live_demo.session.commit()
    _sign_in(client, "lanhdao")
    page = page_text(client.get("/me"))
    assert "Không có việc nào chờ đồng chí quyết định." in page or \
        "Nothing awaits your decision." in page


@pytest.mark.parametrize("username, landing", [
    ("khach", "/quarters/"), ("canbo_bdv", "/me"), ("canbo_hnd", "/me")])
def test_everyone_lands_somewhere_useful(client, live_demo, username, landing):
    response = _sign_in(client, username)
    assert response.headers["Location"] == landing


def test_an_account_without_units_is_told_why_the_list_is_empty(client, live_demo):
    _sign_in(client, "khach")
    page = page_text(client.get("/me"))
    assert 'id="my-units"' in page and page.count('class="card mb-2 my-item"') == 0


def test_my_work_statements_do_not_grow_with_rows(client, live_demo, count_queries):
    _sign_in(client, "canbo_xa")
    client.get("/me")
    with count_queries() as few:
        assert client.get("/me").status_code == 200
    db = live_demo
    quarter = db.session.scalar(select(Quarter).where(Quarter.year == 2026,
                                                      Quarter.number == 4))
    unit = db.session.scalar(select(Unit).where(Unit.short_name == "ĐU Tịnh Trà"))
    other = db.session.scalar(select(Unit).where(Unit.short_name == "HND"))
    for number in range(12):
        task = Task(quarter=quarter, kind="other", title=f"Việc thêm {number}",
                    lead_unit=unit if number % 2 else other, status="in_progress",
                    progress=10, due_on=quarter.ends_on)
        if not number % 2:
            task.unit_links.append(TaskUnit(unit=unit, role="participating"))
        db.session.add(task)
    db.session.commit()
    with count_queries() as many:
        page = page_text(client.get("/me"))
    assert page.count("Việc thêm") == 12
    assert len(many) == len(few)


def test_a_task_is_quiet_when_its_newest_update_is_older_than_the_fortnight(
        db, make_task, make_quarter):
    """The box reads each overdue task's newest history row: none, or none within the
    last QUIET_DAYS (from midnight), is quiet; an update at that midnight is not."""
    from sqlalchemy import update

    today = dt.date(2023, 6, 20)
    since = dt.datetime(2023, 6, 6)  # today less QUIET_DAYS, at midnight
    quarter = make_quarter(2023, 2)
    overdue = dict(due_on=dt.date(2023, 6, 1), status="in_progress")

    def task_with_updates(title, *times, **data):
        task = make_task(quarter, title=title, **{**overdue, **data})
        history = TaskUpdate.__table__
        db.session.execute(update(history).where(history.c.task_id == task.id)
                           .values(created_at=dt.datetime(2023, 4, 1)))
        for moment in times:
            db.session.add(TaskUpdate(task=task, action="status", note="",
                                      created_at=moment))
        db.session.commit()
        return task

    task_with_updates("old news", since - dt.timedelta(seconds=1))
    task_with_updates("at the fortnight", dt.datetime(2023, 4, 2), since)
    task_with_updates("yesterday", dt.datetime(2023, 6, 19, 16, 30))
    task_with_updates("done long ago", status="done",
                      completed_on=dt.date(2023, 5, 30))
    task_with_updates("not yet due", due_on=dt.date(2023, 6, 25))
    without = make_task(quarter, title="no history at all", **overdue)
    db.session.execute(TaskUpdate.__table__.delete()
                       .where(TaskUpdate.task_id == without.id))
    db.session.commit()
    assert sorted(task.title for task in services.quiet_overdue(today)) == [
        "no history at all", "old news"]
