"""A unit acknowledges (tiếp nhận) what it was given; what is not after 3 days shows."""
import datetime as dt
import re

from tests.followup.conftest import link_of, sign_in
from tests.helpers import page_text
from tracker.figures.services import compute, quarter_rows
from tracker.followup.services import FollowUpError, acknowledge
from tracker.models import Task, TaskUpdate

import pytest


def _late(task, cutoff):
    return [(unit.short_name, what)
            for unit, what, _given in task.unacknowledged(cutoff)]


def test_nothing_is_late_before_three_days(given_task):
    assert _late(given_task, dt.date(2023, 5, 3)) == []
    assert _late(given_task, dt.date(2023, 5, 4)) == [("LEAD", "task"),
                                                     ("SHARE", "share")]


def test_the_lead_acknowledges_with_one_click_and_the_history_says_who(
        client, db, cast, given_task):
    sign_in(client, cast["lead_staff"])
    page = client.get(f"/tasks/{given_task.id}")
    assert "Acknowledge for LEAD" in page_text(page) or "Tiếp nhận" in page_text(page)
    response = client.post(f"/tasks/{given_task.id}/acknowledge",
                           data={"unit_id": cast["lead"].id})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, given_task.id)
    assert task.acknowledged_by_id == cast["lead_staff"].id
    assert task.acknowledged_at is not None
    row = db.session.scalars(db.select(TaskUpdate).where(
        TaskUpdate.task_id == task.id, TaskUpdate.action == "acknowledged")).one()
    assert (row.user_id, row.unit_id) == (cast["lead_staff"].id, cast["lead"].id)
    # The lead is no longer late; the share still is.
    assert _late(task, dt.date(2023, 5, 15)) == [("SHARE", "share")]
    # Twice is refused, and nothing more is written.
    again = client.post(f"/tasks/{given_task.id}/acknowledge",
                        data={"unit_id": cast["lead"].id})
    assert again.status_code == 403
    assert db.session.scalar(db.select(db.func.count(TaskUpdate.id)).where(
        TaskUpdate.action == "acknowledged")) == 1


def test_a_participating_unit_acknowledges_its_share_only(client, db, cast,
                                                          given_task):
    sign_in(client, cast["share_staff"])
    refused = client.post(f"/tasks/{given_task.id}/acknowledge",
                          data={"unit_id": cast["lead"].id})
    assert refused.status_code == 400
    assert db.session.get(Task, given_task.id).acknowledged_at is None
    response = client.post(f"/tasks/{given_task.id}/acknowledge",
                           data={"unit_id": cast["share"].id})
    assert response.status_code == 302
    link = link_of(db, given_task, cast["share"])
    assert link.acknowledged_by_id == cast["share_staff"].id
    assert db.session.get(Task, given_task.id).acknowledged_at is None


def test_other_units_and_viewers_may_not_acknowledge(client, db, cast, given_task):
    for user in (cast["other_staff"], cast["viewer"]):
        client.post("/logout")
        sign_in(client, user)
        response = client.post(f"/tasks/{given_task.id}/acknowledge",
                               data={"unit_id": cast["lead"].id})
        assert response.status_code == 403
    assert db.session.get(Task, given_task.id).acknowledged_at is None


def test_an_acknowledgement_settles_it(db, cast, given_task):
    acknowledge(given_task, cast["lead"].id, cast["lead_staff"])
    assert ("LEAD", "task") not in _late(given_task, dt.date(2023, 5, 15))
    assert _late(given_task, dt.date(2023, 5, 15)) == [("SHARE", "share")]


def test_finished_work_asks_for_no_acknowledgement(db, given_task):
    given_task.status = "done"
    assert _late(given_task, dt.date(2023, 5, 15)) == []


def test_a_new_lead_acknowledges_afresh(db, cast, given_task):
    from tracker.tasks.services import update_task

    acknowledge(given_task, cast["lead"].id, cast["lead_staff"])
    update_task(given_task, {"lead_unit_id": cast["other"].id}, cast["leader"],
                participating=[cast["share"].id])
    assert given_task.acknowledged_at is None and given_task.lead_given_at is not None


def test_a_closed_quarter_is_not_acknowledged(db, cast, given_task):
    given_task.quarter.state = "closed"
    with pytest.raises(FollowUpError):
        acknowledge(given_task, cast["lead"].id, cast["lead_staff"])


def test_board_summary_and_figures_show_the_same_count(client, db, cast, given_task,
                                                       make_task):
    other = make_task(quarter=given_task.quarter, lead=cast["other"], title="Mới giao")
    acknowledge(given_task, cast["share"].id, cast["share_staff"])
    db.session.commit()
    quarter = given_task.quarter
    figures = compute(quarter, quarter_rows(quarter), dt.date(2023, 5, 15))
    # LEAD's task is late; SHARE acknowledged; the other task was given "now"
    # (after the pinned day), so it is not late.
    assert figures["unacknowledged_count"] == 1
    assert [(item["task"], item["unit_name"], item["what"])
            for item in figures["unacknowledged"]] == [(given_task.id, "LEAD", "task")]
    sign_in(client, cast["leader"])
    summary = client.get(f"/quarters/{quarter.key}/summary")
    html = summary.get_data(as_text=True)
    count = html.split('id="unacknowledged-count">', 1)[1].split("<", 1)[0]
    assert count == "1"
    section = html.split('id="unacknowledged"', 1)[1].split("</section>", 1)[0]
    assert given_task.title in section and other.title not in section
    board = client.get(f"/quarters/{quarter.key}/").get_data(as_text=True)
    assert board.count('unacknowledged"') == 1
    card = board.split('class="badge text-bg-warning unacknowledged"', 1)[1]
    assert "LEAD" in card.split("</span>", 1)[0]
    api = client.get(f"/quarters/{quarter.key}/figures.json").get_json()
    assert api["unacknowledged_count"] == figures["unacknowledged_count"]


def test_acknowledged_with_one_click_from_my_work(client, db, cast, given_task):
    sign_in(client, cast["share_staff"])
    html = client.get("/me").get_data(as_text=True)
    item = html.split(f'id="task-{given_task.id}"', 1)[1].split("</article>", 1)[0]
    assert "quick-acknowledge" in item and f'value="{cast["share"].id}"' in item
    response = client.post(f"/tasks/{given_task.id}/acknowledge",
                           data={"unit_id": cast["share"].id, "back": "me"})
    assert response.status_code == 302 and "/me" in response.location
    assert link_of(db, given_task, cast["share"]).acknowledged_at is not None
    html = client.get("/me").get_data(as_text=True)
    item = html.split(f'id="task-{given_task.id}"', 1)[1].split("</article>", 1)[0]
    assert "quick-acknowledge" not in item


def test_the_summary_lists_the_longest_waiting_then_all(client, db, cast, make_task,
                                                        make_quarter, monkeypatch):
    """A province's hundreds of late acknowledgements: the count is whole, the list
    the longest waiting first, and ?unacknowledged=all lists every one."""
    from tracker.quarters import summary

    monkeypatch.setattr(summary, "UNACKNOWLEDGED_ROWS", 3)
    quarter = make_quarter(2023, 2)
    tasks = []
    for day in (9, 3, 7, 1, 5):  # given on 1, 3, 5, 7, 9 May, in another order
        task = make_task(quarter=quarter, lead=cast["lead"], title=f"Giao ngày {day}")
        db.session.execute(db.update(Task).where(Task.id == task.id).values(
            created_at=dt.datetime(2023, 5, day, 8, 0)))
        tasks.append(task)
    db.session.commit()
    sign_in(client, cast["leader"])

    def listed(url):
        html = client.get(url).get_data(as_text=True)
        section = html.split('id="unacknowledged"', 1)[1].split("</section>", 1)[0]
        count = html.split('id="unacknowledged-count">', 1)[1].split("<", 1)[0]
        return count, re.findall(r">Giao ngày (\d)<", section), section

    count, days, section = listed(f"/quarters/{quarter.key}/summary")
    assert count == "5" and days == ["1", "3", "5"]
    assert "Xem tất cả 5" in section
    assert f'href="/quarters/{quarter.key}/summary?unacknowledged=all#unacknowledged"' \
        in section
    count, days, section = listed(
        f"/quarters/{quarter.key}/summary?unacknowledged=all")
    assert count == "5" and days == ["1", "3", "5", "7", "9"]
    assert 'id="every-unacknowledged"' not in section
