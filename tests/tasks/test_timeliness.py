"""Timeliness classes on every boundary, and the completion rate."""
import datetime as dt

import pytest

from tracker.tasks.timeliness import classify, completion_rate

DUE = dt.date(2023, 6, 30)
BEFORE, ON, AFTER = dt.date(2023, 6, 29), DUE, dt.date(2023, 7, 1)


CASES = [
    ("done", DUE, BEFORE, AFTER, "done_on_time"),
        ("done", DUE, ON, AFTER, "done_on_time"),
        ("done", DUE, AFTER, AFTER, "done_late"),
        ("done", None, AFTER, AFTER, "done_on_time"),
        # Done, date not recorded: done, neither on time nor late.
        ("done", DUE, None, AFTER, "done"),
        ("done", DUE, None, BEFORE, "done"),
        ("done", None, None, AFTER, "done"),
        ("in_progress", DUE, None, BEFORE, "in_progress_on_time"),
        ("in_progress", DUE, None, ON, "in_progress_on_time"),
        ("in_progress", DUE, None, AFTER, "overdue"),
        ("postponed", DUE, None, ON, "in_progress_on_time"),
        ("postponed", DUE, None, AFTER, "overdue"),
        ("not_started", DUE, None, BEFORE, "not_started"),
        ("not_started", DUE, None, ON, "not_started"),
        ("not_started", DUE, None, AFTER, "overdue"),
        ("not_started", None, None, AFTER, "no_deadline"),
        ("in_progress", None, None, AFTER, "no_deadline"),
        ("cancelled", DUE, None, AFTER, "cancelled"),
        ("cancelled", None, None, BEFORE, "cancelled"),
        # Reported done after the cut-off: still unfinished at the cut-off.
        ("done", DUE, AFTER, ON, "in_progress_on_time"),
        ("done", BEFORE, ON, BEFORE, "in_progress_on_time"),
        ("done", BEFORE, AFTER, ON, "overdue"),
        ("done", None, AFTER, ON, "no_deadline"),
        ("done", DUE, ON, ON, "done_on_time"),
]


@pytest.mark.parametrize("status, due, completed, cutoff, expected", CASES)
def test_classify(status, due, completed, cutoff, expected):
    assert classify(status, due, completed, cutoff) == expected


HELD_CASES = [
    # An event is judged by the day it was held, not by the due date.
    ("done", DUE, AFTER, AFTER, AFTER, "done_on_time"),
    ("done", BEFORE, None, AFTER, AFTER, "done_on_time"),
    # Held after the cut-off: not done then (closing_class judges it on its day).
    ("done", DUE, None, ON, AFTER, "in_progress_on_time"),
    ("in_progress", DUE, None, AFTER, BEFORE, "overdue"),
    ("not_started", DUE, None, ON, BEFORE, "overdue"),
    ("not_started", DUE, None, BEFORE, ON, "not_started"),
    ("in_progress", DUE, None, ON, AFTER, "in_progress_on_time"),
    ("in_progress", None, None, AFTER, BEFORE, "overdue"),
    ("cancelled", DUE, None, AFTER, BEFORE, "cancelled"),
]


@pytest.mark.parametrize("status, due, completed, cutoff, held, expected", HELD_CASES)
def test_an_event_is_judged_by_its_date_held(status, due, completed, cutoff, held,
                                             expected):
    assert classify(status, due, completed, cutoff, held) == expected


def test_a_quarters_event_held_after_its_close_is_judged_on_its_day():
    from tracker.tasks.timeliness import closing_class

    assert closing_class("done", DUE, None, AFTER, dt.date(2023, 7, 3)) == "done_on_time"
    assert closing_class("in_progress", DUE, None, AFTER, dt.date(2023, 7, 3)) == \
        "in_progress_on_time"
    assert closing_class("in_progress", DUE, None, AFTER, BEFORE) == "overdue"
    assert closing_class("done", DUE, AFTER, AFTER) == "done_late"


def test_done_without_a_date_counts_in_the_rate():
    assert completion_rate({"done": 3, "overdue": 1}) == 0.75


def test_completion_rate_counts_done_against_done_plus_overdue():
    counts = {"done_on_time": 14068, "done_late": 1983, "overdue": 223,
              "in_progress_on_time": 5000, "not_started": 40, "no_deadline": 7}
    rate = completion_rate(counts)
    assert round(rate * 100, 1) == 98.6
    assert rate == 16051 / 16274


def test_completion_rate_is_none_without_owed_work():
    assert completion_rate({"in_progress_on_time": 3}) is None


def test_closed_quarter_is_judged_at_the_day_after_its_end(make_task, make_quarter,
                                                            db):
    quarter = make_quarter(2023, 1)
    task = make_task(quarter=quarter, status="in_progress")
    assert task.due_on == dt.date(2023, 3, 31)
    # Open: as of the date asked for; on its last day the work is within its deadline.
    assert quarter.cutoff(dt.date(2023, 3, 31)) == dt.date(2023, 3, 31)
    assert task.timeliness(dt.date(2023, 3, 31)) == "in_progress_on_time"
    quarter.state = "closed"
    db.session.commit()
    # Closed: the day after its last day, whatever is asked; unfinished is overdue.
    for asked in (dt.date(2023, 2, 1), dt.date(2026, 11, 29)):
        assert quarter.cutoff(asked) == dt.date(2023, 4, 1)
    assert task.timeliness(quarter.cutoff(None)) == "overdue"
