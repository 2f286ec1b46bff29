"""Counts read achieved/target everywhere; a count may stand without a target."""
import datetime as dt

import pytest

from tests.helpers import visible_text
from tracker.models import Task
from tracker.reports import phrases


@pytest.fixture
def lead(make_unit):
    """Return the lead unit of the tasks."""
    return make_unit("Ban Dân vận Huyện ủy", "BDV")


# (target, achieved, label) → what the count reads; "" prints nothing at all.
COUNTS = [
    (10, 3, "cuộc", "3/10 cuộc"),
    (None, 25, "tác phẩm", "25 tác phẩm"),
    (11, 11, "", "11/11"),
    (1500, 1200, "hộ", "1.200/1.500 hộ"),
    (10, None, "cuộc", ""),
    (None, None, "", ""),
    (0, None, "", ""),
    # Unfinished planned work with nothing achieved yet is its plan, never "0/10".
    (10, 0, "cuộc", ""),
]


@pytest.mark.parametrize("target, achieved, label, expected", COUNTS)
def test_count_reads_achieved_out_of_target(app, target, achieved, label, expected):
    task = Task(target_count=target, achieved_count=achieved, target_label=label)
    assert task.target_text == expected


def test_a_zero_reported_for_done_work_is_a_count(app):
    task = Task(target_count=10, achieved_count=0, target_label="cuộc", status="done")
    assert task.target_text == "0/10 cuộc"


def test_a_count_without_target_is_saved_from_the_form(client, login_as, make_quarter,
                                                       lead, db):
    login_as("staff")
    make_quarter(2023, 2)
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "other", "title": "Sáng tác về dân vận", "lead_unit_id": str(lead.id),
        "achieved_count": "25", "target_label": "tác phẩm"})
    assert response.status_code == 302
    task = db.session.scalar(db.select(Task))
    assert (task.achieved_count, task.target_count) == (25, None)
    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Đạt được 25 tác phẩm" in text
    board = visible_text(client.get("/quarters/2023-Q2/"))
    assert "Đạt được 25 tác phẩm" in board


@pytest.mark.parametrize("target, achieved, page, board", [
    (10, 3, "Đạt được / chỉ tiêu 3/10 cuộc", "Đạt được 3/10 cuộc"),
    (10, None, "Chỉ tiêu 10 cuộc", "Chỉ tiêu 10 cuộc"),
])
def test_pages_say_what_the_count_is(client, login_as, make_task, lead, target,
                                     achieved, page, board):
    login_as("viewer")
    task = make_task(lead=lead, title="Đối thoại", target_count=target,
                     achieved_count=achieved, target_label="cuộc")
    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert page in text
    listing = visible_text(client.get(f"/quarters/{task.quarter.key}/"))
    assert board in listing and "0/10" not in listing


def test_kind_counts_not_given_are_not_printed_as_zero(client, db, login_as, make_task,
                                                       lead):
    login_as("viewer")
    from tracker.initiatives.services import record_imported_counts

    task = make_task(lead=lead, kind="movement", title="Dân vận khéo")
    record_imported_counts(task, 46, 0)
    db.session.commit()
    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Mô hình đăng ký (số liệu nhập từ trước) 46" in text and "0 / 46" not in text and "0/46" not in text


@pytest.mark.parametrize("fields, present, absent", [
    (dict(target_count=10, achieved_count=3, target_label="mô hình"),
     "đạt 3/10 mô hình", None),
    (dict(achieved_count=25, target_label="tác phẩm"), "đạt 25 tác phẩm", "/"),
    (dict(target_count=11, target_label="cuộc", status="done",
          completed_on=dt.date(2023, 5, 2)), "đã hoàn thành", "0/11"),
    (dict(kind="dialogue", chair="Bí thư Đảng ủy xã", commune="11 xã", status="done",
          target_count=11, target_label="cuộc", completed_on=dt.date(2023, 5, 2)),
     "Bí thư Đảng ủy 11 xã đã tổ chức tiếp xúc", "0/11"),
    (dict(kind="dialogue", chair="Bí thư Đảng ủy xã", commune="11 xã", status="done",
          target_count=11, achieved_count=11, target_label="cuộc",
          completed_on=dt.date(2023, 5, 2)),
     "Bí thư Đảng ủy 11 xã đã tổ chức 11/11 cuộc tiếp xúc", None),
])
def test_the_report_reads_counts_the_same_way(fields, present, absent):
    fields.setdefault("kind", "other")
    fields.setdefault("status", "in_progress")
    for name in ("campaign_name", "organisation", "chair", "commune", "result",
                 "target_label"):
        fields.setdefault(name, "")
    task = Task(title="Sáng tác", progress=50, is_recurring=False, **fields)
    sentence = phrases.result_sentence(task, dt.date(2023, 6, 30), lead="Ban Dân vận")
    assert present in sentence, sentence
    if absent:
        assert absent not in sentence, sentence
