"""The figures' SQL mirror counts what the Python path computes.

The quarter list and the comparisons count timeliness classes inside the database
(timeliness_sql); the summary, the exports and figures.json classify in Python
(classify). Both are run here on every combination of status and dates around a
cut-off, and on generated quarters, and must agree.
"""
import datetime as dt
import itertools

import pytest

from tracker.figures.counting import count_for_list, headlines, list_counts
from tracker.figures.services import compute, headline, quarter_rows
from tracker.generate import generate, resolve_sizes
from tracker.models import Quarter, Task
from tracker.tasks.timeliness import TIMELINESS, classify, timeliness_sql

CUTOFF = dt.date(2023, 6, 15)
DAYS = (None, CUTOFF - dt.timedelta(days=1), CUTOFF, CUTOFF + dt.timedelta(days=1))
STATUSES = ("not_started", "in_progress", "postponed", "done", "cancelled")
FROZEN = (None, "", "overdue", "cancelled")


def test_sql_and_python_classify_every_case_alike(db, make_quarter, make_unit):
    quarter = make_quarter(2023, 2)
    unit = make_unit()
    cases = list(itertools.product(STATUSES, DAYS, DAYS, DAYS, FROZEN))
    tasks = []
    for status, due_on, completed_on, held_on, frozen in cases:
        task = Task(quarter=quarter, lead_unit=unit, title="t", status=status,
                    due_on=due_on, completed_on=completed_on, held_on=held_on,
                    frozen_timeliness=frozen)
        db.session.add(task)
        tasks.append(task)
    db.session.flush()
    assert len(tasks) == 1280
    for cutoff in DAYS[1:]:
        by_sql = dict(db.session.execute(
            db.select(Task.id, timeliness_sql(Task, cutoff))
            .where(Task.quarter_id == quarter.id)
        ).all())
        for task in tasks:
            expected = task.timeliness(cutoff)
            assert expected in TIMELINESS
            assert by_sql[task.id] == expected, (
                task.status, task.due_on, task.completed_on, task.held_on,
                task.frozen_timeliness, cutoff)
            if not task.frozen_timeliness:
                assert expected == classify(task.status, task.due_on,
                                            task.completed_on, cutoff, task.held_on)


def test_sql_and_python_judge_extended_deadlines_alike(db, make_quarter, make_unit):
    """An approved extension moves the date judged by, in both paths alike."""
    quarter = make_quarter(2023, 2)
    unit = make_unit()
    cases = list(itertools.product(STATUSES, DAYS, DAYS, DAYS[1:], (None, CUTOFF)))
    tasks = []
    for status, due_on, completed_on, extended, held_on in cases:
        task = Task(quarter=quarter, lead_unit=unit, title="t", status=status,
                    due_on=due_on, completed_on=completed_on, held_on=held_on,
                    extended_due_on=extended)
        db.session.add(task)
        tasks.append(task)
    db.session.flush()
    changed = 0
    for cutoff in DAYS[1:]:
        by_sql = dict(db.session.execute(
            db.select(Task.id, timeliness_sql(Task, cutoff))
            .where(Task.quarter_id == quarter.id)
        ).all())
        for task in tasks:
            expected = task.timeliness(cutoff)
            assert by_sql[task.id] == expected, (
                task.status, task.due_on, task.extended_due_on, task.completed_on,
                task.held_on, cutoff)
            assert expected == classify(task.status, task.extended_due_on,
                                        task.completed_on, cutoff, task.held_on)
            changed += expected != classify(task.status, task.due_on,
                                            task.completed_on, cutoff, task.held_on)
    assert changed  # the extension does change some classes


@pytest.fixture
def generated(db):
    """Generate four quarters: three closed, 2023-Q2 open."""
    generate(resolve_sizes(None, 4, 20, 14, seed=8), dt.date(2023, 5, 15))
    db.session.expire_all()
    return db.session.scalars(
        db.select(Quarter).order_by(Quarter.year, Quarter.number)).all()


@pytest.mark.parametrize("as_of", [
    dt.date(2023, 4, 2), dt.date(2023, 5, 15), dt.date(2023, 6, 30),
    dt.date(2023, 7, 1), dt.date(2024, 1, 1),
])
def test_counted_and_computed_figures_agree(db, generated, as_of):
    assert [q.is_closed for q in generated] == [True, True, True, False]
    listed = list_counts(generated, as_of)
    counted = count_for_list(generated, as_of)
    heads = headlines(generated, as_of)
    for quarter in generated:
        cutoff = quarter.cutoff(as_of)
        figures = compute(quarter, quarter_rows(quarter), cutoff)
        # What the list shows (stored at the close, or counted) is what the
        # summary and the exports compute.
        assert listed[quarter.id]["timeliness"] == figures["counts"], quarter.key
        assert listed[quarter.id]["rate"] == figures["rate"]
        assert sum(listed[quarter.id]["statuses"].values()) == figures["total"]
        assert counted[quarter.id]["timeliness"] == figures["counts"]
        assert heads[quarter.id] == headline(figures)
        assert figures["carried_in"] == listed[quarter.id]["carried_in"]
    open_quarter = generated[-1]
    overdue = compute(open_quarter, quarter_rows(open_quarter),
                      as_of)["counts"]["overdue"]
    if as_of >= dt.date(2023, 7, 1):
        assert overdue > 0
