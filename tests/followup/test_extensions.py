"""Deadline extensions: the lead asks, a leader decides, every due date is kept."""
import datetime as dt

import pytest

from tests.followup.conftest import sign_in
from tests.helpers import page_text
from tracker.figures.counting import class_counts
from tracker.followup.services import (
    FollowUpError, decide_extension, request_extension,
)
from tracker.models import DeadlineExtension, Notification, Task, TaskUpdate


def _ask(client, task, day="20/06/2023", reason="Chờ xã bố trí hội trường"):
    return client.post(f"/tasks/{task.id}/extension",
                       data={"proposed_on": day, "reason": reason})


def _notices(db, user, kind):
    return db.session.scalars(db.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)).all()


def test_the_lead_asks_and_the_leaders_are_told(client, db, cast, given_task):
    sign_in(client, cast["lead_staff"])
    response = _ask(client, given_task)
    assert response.status_code == 302
    extension = db.session.scalars(db.select(DeadlineExtension)).one()
    assert (extension.state, extension.proposed_on, extension.previous_due_on) == (
        "pending", dt.date(2023, 6, 20), dt.date(2023, 6, 10))
    assert extension.requested_by_id == cast["lead_staff"].id
    row = db.session.scalars(db.select(TaskUpdate).where(
        TaskUpdate.action == "extension_asked")).one()
    assert row.changes == {"extended_due_on": ["2023-06-10", "2023-06-20"]}
    [notice] = _notices(db, cast["leader"], "extension_asked")
    assert notice.task_id == given_task.id
    assert _notices(db, cast["lead_staff"], "extension_asked") == []
    assert _notices(db, cast["share_staff"], "extension_asked") == []
    # Asking does not move the deadline.
    db.session.expire_all()
    assert db.session.get(Task, given_task.id).extended_due_on is None


def test_the_request_waits_on_the_leaders_me_page(client, db, cast, given_task):
    request_extension(given_task, dt.date(2023, 6, 20), "Lý do", cast["lead_staff"])
    db.session.commit()
    sign_in(client, cast["leader"])
    html = client.get("/me").get_data(as_text=True)
    section = html.split('id="extensions"', 1)[1].split("</ul>", 1)[0]
    assert given_task.title in section and "20/06/2023" in section
    client.post("/logout")
    sign_in(client, cast["lead_staff"])
    assert 'id="extensions"' not in client.get("/me").get_data(as_text=True)


def test_approval_moves_the_judged_date_and_keeps_the_original(client, db, cast,
                                                              given_task):
    extension = request_extension(given_task, dt.date(2023, 6, 20), "Lý do",
                                  cast["lead_staff"])
    db.session.commit()
    sign_in(client, cast["leader"])
    response = client.post(f"/tasks/{given_task.id}/extension/{extension.id}",
                           data={"decision": "approve", "note": "Đồng ý"})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, given_task.id)
    assert (task.due_on, task.extended_due_on) == (dt.date(2023, 6, 10),
                                                   dt.date(2023, 6, 20))
    extension = db.session.get(DeadlineExtension, extension.id)
    assert (extension.state, extension.decided_by_id) == ("approved",
                                                          cast["leader"].id)
    [told] = _notices(db, cast["lead_staff"], "extension_decided")
    assert told.data["state"] == "approved"
    # On 15/06 the task was overdue by its plan; now within its extended deadline.
    cutoff = dt.date(2023, 6, 15)
    assert task.timeliness(cutoff) == "not_started"
    counts = class_counts([task.quarter_id], cutoff)[task.quarter_id]
    assert counts["not_started"] == 1 and counts["overdue"] == 0
    # The task page says it was extended, with the original date.
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert "20/06/2023" in page and "10/06/2023" in page


def test_a_second_extension_keeps_every_date(db, cast, given_task):
    first = request_extension(given_task, dt.date(2023, 6, 20), "a", cast["lead_staff"])
    decide_extension(first, True, "", cast["leader"])
    second = request_extension(given_task, dt.date(2023, 6, 28), "b",
                               cast["lead_staff"])
    assert second.previous_due_on == dt.date(2023, 6, 20)
    decide_extension(second, True, "", cast["leader"])
    dates = [(row.previous_due_on, row.proposed_on) for row in db.session.scalars(
        db.select(DeadlineExtension).order_by(DeadlineExtension.id))]
    assert dates == [(dt.date(2023, 6, 10), dt.date(2023, 6, 20)),
                     (dt.date(2023, 6, 20), dt.date(2023, 6, 28))]
    assert given_task.due_on == dt.date(2023, 6, 10)
    assert given_task.extended_due_on == dt.date(2023, 6, 28)


def test_refusal_leaves_the_deadline(client, db, cast, given_task):
    extension = request_extension(given_task, dt.date(2023, 6, 20), "Lý do",
                                  cast["lead_staff"])
    db.session.commit()
    sign_in(client, cast["leader"])
    response = client.post(f"/tasks/{given_task.id}/extension/{extension.id}",
                           data={"decision": "refuse", "back": "me"})
    assert response.status_code == 302 and "/me" in response.location
    db.session.expire_all()
    assert db.session.get(Task, given_task.id).extended_due_on is None
    assert db.session.get(DeadlineExtension, extension.id).state == "refused"
    [told] = _notices(db, cast["lead_staff"], "extension_decided")
    assert told.data["state"] == "refused"


@pytest.mark.parametrize("day, reason, message", [
    ("05/06/2023", "x", "later than the current due date"),
    ("01/01/2030", "x", "no later than"),
    ("", "x", "Enter the proposed date"),
    ("31/02/2023", "x", "Enter the proposed date"),
    ("20/06/2023", "", "Write the reason"),
])
def test_bad_requests_are_refused_with_a_message(client, db, cast, given_task, day,
                                                 reason, message):
    client.get("/?lang=en")
    sign_in(client, cast["lead_staff"])
    response = _ask(client, given_task, day, reason)
    assert response.status_code == 400
    assert message in page_text(response) or response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(DeadlineExtension.id))) == 0


def test_only_one_request_waits_at_a_time(db, cast, given_task):
    request_extension(given_task, dt.date(2023, 6, 20), "a", cast["lead_staff"])
    with pytest.raises(FollowUpError):
        request_extension(given_task, dt.date(2023, 6, 25), "b", cast["lead_staff"])


def test_who_may_ask_and_decide(client, db, cast, given_task):
    for user in (cast["share_staff"], cast["other_staff"], cast["viewer"]):
        client.post("/logout")
        sign_in(client, user)
        assert _ask(client, given_task).status_code == 403
    extension = request_extension(given_task, dt.date(2023, 6, 20), "a",
                                  cast["lead_staff"])
    db.session.commit()
    for user in (cast["lead_staff"], cast["viewer"]):
        client.post("/logout")
        sign_in(client, user)
        response = client.post(f"/tasks/{given_task.id}/extension/{extension.id}",
                               data={"decision": "approve"})
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(DeadlineExtension, extension.id).state == "pending"


def test_a_closed_quarters_tasks_cannot_be_extended(client, db, cast, given_task):
    extension = request_extension(given_task, dt.date(2023, 6, 20), "a",
                                  cast["lead_staff"])
    db.session.commit()
    db.session.execute(db.text("UPDATE quarter SET state = 'closed'"))
    db.session.commit()
    db.session.expire_all()
    sign_in(client, cast["leader"])
    assert _ask(client, given_task).status_code == 403
    response = client.post(f"/tasks/{given_task.id}/extension/{extension.id}",
                           data={"decision": "approve"})
    assert response.status_code == 403
    task = db.session.get(Task, given_task.id)
    with pytest.raises(FollowUpError):
        request_extension(task, dt.date(2023, 6, 25), "b", cast["leader"])


def test_the_report_says_the_deadline_was_extended(db, cast, given_task):
    from tracker.reports.phrases import deadline_clause, extension_note

    first = request_extension(given_task, dt.date(2023, 6, 20), "a", cast["lead_staff"])
    decide_extension(first, True, "", cast["leader"])
    assert extension_note(given_task) == (
        "gia hạn đến 20/06/2023 (hạn ban đầu 10/06/2023)")
    assert deadline_clause(given_task, "overdue") == (
        "; đã quá thời hạn 20/06/2023 (đã gia hạn; hạn ban đầu 10/06/2023)")
    assert deadline_clause(given_task, "not_started") == (
        "; gia hạn đến 20/06/2023 (hạn ban đầu 10/06/2023)")


def test_the_docx_and_print_view_show_the_extension(client, db, cast, given_task):
    import io
    import re
    import zipfile

    first = request_extension(given_task, dt.date(2023, 6, 20), "a", cast["lead_staff"])
    decide_extension(first, True, "", cast["leader"])
    db.session.commit()
    sign_in(client, cast["leader"])
    key = given_task.quarter.key
    printed = page_text(client.get(f"/quarters/{key}/print"))
    assert "20/06/2023" in printed and "10/06/2023" in printed
    docx = client.get(f"/quarters/{key}/report.docx")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode()
    text = re.sub("<[^>]+>", "", xml)
    # The report is dated on the quarter's last day, past the extended date.
    assert "đã quá thời hạn 20/06/2023 (đã gia hạn; hạn ban đầu 10/06/2023)" in text
