"""In-app notices: who is told of what, once, and the bell and list that show them."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import TODAY
from tests.helpers import page_text, visible_text
from tracker.models import Board, Notification, User
from tracker.notifications.services import (
    insert_ignoring_duplicates, remind, reminder_days, reminder_step, row,
)


def notices(user, kind=None):
    """Return the user's notices, oldest first (optionally of one kind)."""
    from tracker.extensions import db

    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


@pytest.fixture
def cast(make_unit, make_user):
    """Return units lead/share/other and one account in each, plus a leader."""
    lead, share, coord, other = (make_unit(short_name=name)
                                 for name in ("LEAD", "SHARE", "COORD", "OTHER"))
    return dict(
        lead=lead, share=share, coord=coord, other=other,
        lead_staff=make_user("lead_staff", units=[lead]),
        lead_staff2=make_user("lead_staff2", units=[lead]),
        share_staff=make_user("share_staff", units=[share]),
        coord_staff=make_user("coord_staff", units=[coord]),
        other_staff=make_user("other_staff", units=[other]),
        leader=make_user("boss", role="leader"),
    )


def test_a_new_task_tells_each_unit_given_it_but_not_its_author(cast, make_task):
    task = make_task(lead=cast["lead"], user=cast["lead_staff"],
                     coordinating=[cast["coord"]], participating=[cast["share"]],
                     title="Đối thoại với nhân dân")
    assert notices(cast["lead_staff"]) == []
    [given] = notices(cast["lead_staff2"])
    assert (given.kind, given.task_id, given.data["unit"]) == (
        "task_assigned", task.id, "LEAD")
    [shared] = notices(cast["share_staff"])
    assert (shared.kind, shared.data["role"]) == ("share_assigned", "participating")
    [coordinated] = notices(cast["coord_staff"])
    assert coordinated.data["role"] == "coordinating"
    assert notices(cast["other_staff"]) == [] and notices(cast["leader"]) == []
    assert given.board_id == task.quarter.board_id


def test_an_edit_tells_only_the_units_newly_given_the_task(cast, make_task, db):
    from tracker.tasks.services import update_task

    task = make_task(lead=cast["lead"], user=cast["leader"], title="Tập huấn")
    update_task(task, {"title": "Tập huấn", "lead_unit_id": cast["other"].id,
                       "kind": "other"}, cast["leader"],
                participating=[cast["share"].id])
    db.session.commit()
    assert [n.data["unit"] for n in notices(cast["other_staff"])] == ["OTHER"]
    assert [n.kind for n in notices(cast["share_staff"])] == ["share_assigned"]
    # The first lead unit was told once, when the task was made.
    assert len(notices(cast["lead_staff"])) == 1


def test_a_progress_report_tells_the_lead_units_staff(cast, make_task, db):
    from tracker.tasks.services import report_progress, report_share

    task = make_task(lead=cast["lead"], user=cast["leader"],
                     participating=[cast["share"]], title="Vận động")
    update = report_progress(task, "in_progress", 40, "Đã họp", cast["lead_staff"],
                             today=TODAY)
    db.session.commit()
    [told] = notices(cast["lead_staff2"], "progress")
    assert told.key == f"update:{update.id}" and told.data["progress"] == 40
    assert notices(cast["lead_staff"], "progress") == []
    link = task.participants_links[0]
    report_share(link, "done", None, "", cast["share_staff"], today=TODAY)
    db.session.commit()
    assert len(notices(cast["lead_staff"], "progress")) == 1
    assert len(notices(cast["lead_staff2"], "progress")) == 2


def test_closing_and_reopening_a_quarter_tells_the_board(cast, make_quarter, db):
    from tracker.quarters.rollover import close_quarter, reopen_quarter

    quarter = make_quarter(2023, 1)
    admin = cast["leader"]
    close_quarter(quarter, {}, admin)
    db.session.commit()
    reopen_quarter(quarter, admin, "Bổ sung")
    db.session.commit()
    close_quarter(quarter, {}, admin)
    db.session.commit()
    kinds = [n.kind for n in notices(cast["other_staff"])]
    assert kinds == ["quarter_closed", "quarter_reopened", "quarter_closed"]
    assert notices(admin) == []


@pytest.mark.parametrize("days_left, expected", [
    (9, None), (7, 7), (5, 7), (2, 7), (1, 1), (0, 1),
])
def test_the_reminder_step_is_the_smallest_reached(days_left, expected):
    assert reminder_step(days_left, [7, 1]) == expected


@pytest.mark.parametrize("value, expected", [
    ("7,1", [7, 1]), ("1, 7, 7", [7, 1]), ("3", [3]), ((14, 2), [14, 2]),
])
def test_reminder_days_are_read_from_the_setting(value, expected):
    assert reminder_days({"REMIND_DAYS": value}) == expected


@pytest.mark.parametrize("value", ["", "x", "7,-1", "1.5"])
def test_reminder_days_refuse_nonsense(value):
    with pytest.raises(ValueError):
        reminder_days({"REMIND_DAYS": value})


def test_remind_tells_lead_and_unfinished_shares_once(cast, make_task, db):
    from tracker.tasks.services import report_share

    tomorrow = TODAY + dt.timedelta(days=1)
    task = make_task(lead=cast["lead"], user=cast["leader"], due_on=tomorrow,
                     participating=[cast["share"], cast["other"]], title="Hạn mai")
    make_task(lead=cast["lead"], user=cast["leader"], title="Xa hạn",
              due_on=TODAY + dt.timedelta(days=30))
    make_task(lead=cast["lead"], user=cast["leader"], title="Đã xong", status="done",
              progress=100, completed_on=TODAY, due_on=tomorrow)
    other_link = next(link for link in task.participants_links
                      if link.unit_id == cast["other"].id)
    report_share(other_link, "done", TODAY, "", cast["other_staff"], today=TODAY)
    db.session.commit()

    assert remind(TODAY, [7, 1]) == 3
    db.session.commit()
    for person in ("lead_staff", "lead_staff2", "share_staff"):
        [due] = notices(cast[person], "due")
        assert (due.task_id, due.key) == (task.id, f"due:{task.id}:{tomorrow}:1")
    assert notices(cast["other_staff"], "due") == []
    # Again, the same day or the next: nothing new until the task is overdue.
    assert remind(TODAY, [7, 1]) == 0
    assert remind(tomorrow, [7, 1]) == 0
    assert remind(tomorrow + dt.timedelta(days=1), [7, 1]) == 3
    db.session.commit()
    assert [n.kind for n in notices(cast["lead_staff"])][-1] == "overdue"


def test_remind_sends_the_week_and_the_day_reminders_in_turn(cast, make_task, db):
    due = TODAY + dt.timedelta(days=6)
    make_task(lead=cast["lead"], user=cast["leader"], due_on=due, title="Tuần sau")
    assert remind(TODAY, [7, 1]) == 2
    assert remind(TODAY + dt.timedelta(days=3), [7, 1]) == 0
    assert remind(due - dt.timedelta(days=1), [7, 1]) == 2
    db.session.commit()
    keys = [n.key for n in notices(cast["lead_staff"], "due")]
    assert [key.rsplit(":", 1)[1] for key in keys] == ["7", "1"]


def test_remind_leaves_closed_quarters_and_archived_tasks_alone(
        cast, make_task, make_quarter, db):
    from tracker.tasks.services import archive_task

    closed = make_quarter(2023, 1, state="closed")
    make_task(quarter=make_quarter(2023, 2), lead=cast["lead"], user=cast["leader"],
              due_on=TODAY, title="Lưu trữ")
    archive_task(_task_titled(db, "Lưu trữ"), cast["leader"])
    db.session.commit()
    assert closed.is_closed
    assert remind(TODAY, [7, 1]) == 0


def _task_titled(db, title):
    from tracker.models import Task

    return db.session.scalar(select(Task).where(Task.title == title))


def test_the_database_keeps_one_notice_per_event_and_person(cast, db):
    board = db.session.scalar(select(Board))
    user = cast["lead_staff"]
    rows = [row(board.id, user.id, "due", "due:1:2023-05-16:1")]
    db.session.commit()  # end the session's read, so others may write
    with db.engine.begin() as first:
        assert insert_ignoring_duplicates(first, rows) == 1
    with db.engine.begin() as second:
        assert insert_ignoring_duplicates(second, rows) == 0
    db.session.add(Notification(board_id=board.id, user_id=user.id, kind="due",
                                key="due:1:2023-05-16:1"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_servers_reminding_at_once_write_each_notice_once(
        app, cast, make_task, db):
    for n in range(5):
        make_task(lead=cast["lead"], user=cast["leader"], title=f"Việc {n}",
                  due_on=TODAY + dt.timedelta(days=1))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(remind(TODAY, [7, 1]))
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 10
    assert len(notices(cast["lead_staff"], "due")) == 5


def test_the_remind_command_runs_twice_without_repeating(cast, make_task, runner, db):
    make_task(lead=cast["lead"], user=cast["leader"], title="Mai đến hạn",
              due_on=TODAY + dt.timedelta(days=1))
    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0, first.output
    assert "2 new notification" in first.output
    again = runner.invoke(args=["remind", "--today", TODAY.isoformat()])
    assert "0 new notification" in again.output
    bad = runner.invoke(args=["remind", "--today", "15/05/2023"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_the_remind_command_refuses_a_bad_setting(app, runner):
    app.config["REMIND_DAYS"] = "bảy"
    try:
        result = runner.invoke(args=["remind"])
    finally:
        app.config["REMIND_DAYS"] = "7,1"
    assert result.exit_code != 0 and "REMIND_DAYS" in result.output


# The pages


def _sign_in(client, username):
    response = client.post("/login", data={"username": username,
                                           "password": "secret-pass"})
    assert response.status_code == 302


def test_the_bell_counts_and_the_list_leads_to_the_task(client, cast, make_task, db):
    task = make_task(lead=cast["lead"], user=cast["leader"], title="Hội nghị dân vận",
                     due_on=TODAY + dt.timedelta(days=1))
    remind(TODAY, [7, 1])
    db.session.commit()
    _sign_in(client, "lead_staff")
    board = page_text(client.get("/quarters/"))
    assert 'id="bell-count"' in board and ">2</span>" in board
    listing = client.get("/notifications/")
    text = visible_text(listing)
    assert "LEAD" in text and "Hội nghị dân vận" in text
    assert "16/05/2023" in text  # due tomorrow, in the reminder's sentence
    assert f'href="/tasks/{task.id}"' in page_text(listing)
    first = notices(cast["lead_staff"])[0]
    opened = client.post(f"/notifications/{first.id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith(f"/tasks/{task.id}")
    db.session.expire_all()
    assert notices(cast["lead_staff"])[0].read_at is not None
    assert ">1</span>" in page_text(client.get("/quarters/"))
    client.post("/notifications/read-all")
    db.session.expire_all()
    assert all(n.read_at for n in notices(cast["lead_staff"]))
    assert 'id="bell-count"' not in page_text(client.get("/quarters/"))


def test_the_list_speaks_vietnamese(client, cast, make_task, db):
    make_task(lead=cast["lead"], user=cast["leader"], title="Tiếp xúc cử tri")
    _sign_in(client, "lead_staff")
    text = visible_text(client.get("/notifications/"))
    assert "Thông báo" in text and "chủ trì" in text


def test_another_persons_notice_is_not_found(client, cast, make_task, db):
    make_task(lead=cast["lead"], user=cast["leader"])
    theirs = notices(cast["lead_staff2"])[0]
    _sign_in(client, "lead_staff")
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_list_costs_the_same_statements_however_many(
        client, cast, make_task, count_queries):
    make_task(lead=cast["lead"], user=cast["leader"], title="Một")
    _sign_in(client, "lead_staff")
    with count_queries() as few:
        assert client.get("/notifications/").status_code == 200
    for n in range(20):
        make_task(lead=cast["lead"], user=cast["leader"], title=f"Việc {n}")
    with count_queries() as many:
        assert client.get("/notifications/").status_code == 200
    assert len(many) == len(few)


def test_notices_are_kept_to_the_board_in_hand(client, demo, db):
    from tracker.boards import scope

    son_tinh = db.session.scalar(select(Board).where(Board.code == "son-tinh"))
    user = db.session.scalar(select(User).where(User.username == "canbo_bdv"))
    province = db.session.scalar(select(Board).where(Board.code == "quang-ngai"))
    with scope.boards([province.id]):
        db.session.add(Notification(board_id=province.id, user_id=user.id,
                                    kind="quarter_closed", key="elsewhere",
                                    data={"year": 2023, "number": 4}))
        db.session.commit()
    scope.set_scope(db.session(), [son_tinh.id])
    response = client.post("/login", data={"username": "canbo_bdv", "password": "demo"})
    assert response.status_code == 302
    assert "Quý IV/2023" not in visible_text(client.get("/notifications/"))
