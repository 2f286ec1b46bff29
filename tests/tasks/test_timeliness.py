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
