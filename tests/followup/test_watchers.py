"""Anyone may watch a task or a quarter; the lead's staff watch by default."""
import datetime as dt

from tests.followup.conftest import sign_in
from tracker.followup.services import is_watching, set_watching
from tracker.models import Notification, Watch
from tracker.tasks.services import report_progress, report_share


def _told(db, user, task=None):
    stmt = db.select(Notification).where(Notification.user_id == user.id,
                                         Notification.kind == "progress")
    return db.session.scalars(stmt).all()


def _report(db, task, user, progress=40):
    update = report_progress(task, "in_progress", progress, "", user,
                             today=dt.date(2023, 5, 15))
    db.session.commit()
    return update


def test_the_leads_staff_watch_by_default_and_may_stop(db, cast, given_task):
    assert is_watching(cast["lead_staff2"], task=given_task)
    assert not is_watching(cast["other_staff"], task=given_task)
    set_watching(cast["lead_staff2"], False, task=given_task)
    db.session.commit()
    assert not is_watching(cast["lead_staff2"], task=given_task)
    _report(db, given_task, cast["leader"])
    assert _told(db, cast["lead_staff2"]) == []
    assert len(_told(db, cast["lead_staff"])) == 1


def test_task_and_quarter_watchers_are_told_once(db, cast, given_task):
    viewer, other = cast["viewer"], cast["other_staff"]
    set_watching(viewer, True, task=given_task)
    set_watching(viewer, True, quarter=given_task.quarter)  # both: still one notice
    set_watching(other, True, quarter=given_task.quarter)
    db.session.commit()
    update = _report(db, given_task, cast["lead_staff"])
    for user in (viewer, other, cast["lead_staff2"]):
        [notice] = _told(db, user)
        assert notice.key == f"update:{update.id}" and notice.task_id == given_task.id
    # The author is not told of their own report; the leader watches nothing.
    assert _told(db, cast["lead_staff"]) == [] and _told(db, cast["leader"]) == []


def test_a_share_report_reaches_the_watchers(db, cast, given_task):
    set_watching(cast["viewer"], True, quarter=given_task.quarter)
    db.session.commit()
    link = given_task.participants_links[0]
    report_share(link, "in_progress", None, "", cast["share_staff"],
                 today=dt.date(2023, 5, 15))
    db.session.commit()
    assert len(_told(db, cast["viewer"])) == 1


def test_unwatching_a_task_wins_over_watching_its_quarter(db, cast, given_task):
    set_watching(cast["viewer"], True, quarter=given_task.quarter)
    set_watching(cast["viewer"], False, task=given_task)
    db.session.commit()
    _report(db, given_task, cast["lead_staff"])
    assert _told(db, cast["viewer"]) == []


def test_the_toggles_on_the_task_page_and_the_board(client, db, cast, given_task):
    sign_in(client, cast["viewer"])
    page = client.get(f"/tasks/{given_task.id}").get_data(as_text=True)
    assert 'id="watch-form"' in page
    assert client.post(f"/tasks/{given_task.id}/watch",
                       data={"watch": "1"}).status_code == 302
    key = given_task.quarter.key
    board = client.get(f"/quarters/{key}/").get_data(as_text=True)
    assert 'id="watch-quarter-form"' in board and 'value="1"' in board
    assert client.post(f"/quarters/{key}/watch", data={"watch": "1"}).status_code == 302
    board = client.get(f"/quarters/{key}/").get_data(as_text=True)
    assert 'aria-pressed="true"' in board.split('id="watch-quarter-form"', 1)[1]
    rows = db.session.scalars(db.select(Watch).where(
        Watch.user_id == cast["viewer"].id)).all()
    assert {(row.task_id, row.quarter_id, row.is_watching) for row in rows} == {
        (given_task.id, None, True), (None, given_task.quarter_id, True)}
    assert client.post(f"/quarters/{key}/watch", data={"watch": "0"}).status_code == 302
    # The row stays, saying no: the board reads it with its quarter.
    board = client.get(f"/quarters/{key}/").get_data(as_text=True)
    assert 'aria-pressed="false"' in board.split('id="watch-quarter-form"', 1)[1]
    assert client.post(f"/quarters/{key}/watch", data={"watch": "x"}).status_code == 400
    db.session.expire_all()
    assert not is_watching(cast["viewer"], quarter=given_task.quarter)


def test_watching_a_closed_quarter_is_allowed(client, db, cast, given_task):
    db.session.execute(db.text("UPDATE quarter SET state = 'closed'"))
    db.session.commit()
    sign_in(client, cast["viewer"])
    key = given_task.quarter.key
    assert client.post(f"/quarters/{key}/watch", data={"watch": "1"}).status_code == 302
