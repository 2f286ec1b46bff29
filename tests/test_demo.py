"""The demo that lives today: the 2023 seed kept exactly, the recent quarters beside it."""
import datetime as dt

import pytest

from tracker.boards import scope
from tracker.models import Board, Quarter, Task, User
from tracker.tasks.services import carry_chain
from tracker.tasks.timeliness import classify

AS_OF = dt.date(2026, 11, 18)


def _son_tinh(db):
    return db.session.scalar(db.select(Board).where(Board.code == "son-tinh"))


def _seed_snapshot(db):
    """Return what the 2023 quarters hold: every task, its state and its history."""
    with scope.boards([_son_tinh(db).id]):
        tasks = db.session.scalars(
            db.select(Task).join(Task.quarter).where(Quarter.year == 2023)
            .order_by(Quarter.number, Task.title)
        ).all()
        quarters = db.session.scalars(
            db.select(Quarter).where(Quarter.year == 2023).order_by(Quarter.number)
        ).all()
        return (
            [(q.key, q.state, q.briefing_on, q.closed_at) for q in quarters],
            [(t.quarter.key, t.title, t.status, t.progress, t.due_on, t.completed_on,
              t.lead_unit.short_name,
              sorted((u.action, u.new_status, u.new_progress, u.note, u.created_at)
                     for u in t.updates))
             for t in tasks],
        )


def test_demo_keeps_the_2023_seed_and_adds_the_recent_quarters(runner, db):
    result = runner.invoke(args=["demo"])  # the tests' today is in 2023: seed only
    assert result.exit_code == 0, result.output
    seed = _seed_snapshot(db)
    assert len(seed[1]) == 16
    result = runner.invoke(args=["demo", "--reset", "--as-of", AS_OF.isoformat()],
                           input="y\n")
    assert result.exit_code == 0, result.output
    assert _seed_snapshot(db) == seed
    with scope.boards([_son_tinh(db).id]):
        quarters = {q.key: q for q in db.session.scalars(db.select(Quarter))}
        assert sorted(quarters) == ["2023-Q1", "2023-Q2", "2026-Q2", "2026-Q3",
                                    "2026-Q4"]
        assert quarters["2026-Q2"].is_closed and quarters["2026-Q2"].is_approved
        assert quarters["2026-Q3"].is_closed and not quarters["2026-Q3"].is_approved
        assert quarters["2026-Q4"].state == "active"


def test_the_current_quarter_is_a_believable_mix(runner, db):
    result = runner.invoke(args=["demo", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    with scope.boards([_son_tinh(db).id]):
        current = db.session.scalar(
            db.select(Quarter).where(Quarter.year == 2026, Quarter.number == 4))
        tasks = db.session.scalars(
            db.select(Task).where(Task.quarter_id == current.id)).all()
        classes = [classify(t.status, t.due_on, t.completed_on, AS_OF) for t in tasks]
        assert classes.count("overdue") == 1
        assert any(t.status == "done" for t in tasks)
        this_week = [t for t in tasks if not t.is_finished and t.due_on
                     and AS_OF <= t.due_on <= AS_OF + dt.timedelta(days=6)]
        assert len(this_week) >= 2
        chains = [len(carry_chain(t)) for t in tasks]
        assert chains.count(2) == 1  # carried twice: from 2026-Q2 through 2026-Q3
        assert all(u.created_at.date() <= AS_OF for t in tasks for u in t.updates)
        ended = db.session.scalars(
            db.select(Task).join(Task.quarter).where(
                Quarter.number == 3, Task.closing_reason.is_not(None))).all()
        assert len(ended) == 1 and ended[0].status == "cancelled"


def test_the_commune_account_reports_for_tinh_tra(runner, db):
    runner.invoke(args=["demo", "--as-of", AS_OF.isoformat()])
    user = db.session.scalar(db.select(User).where(User.username == "canbo_xa"))
    assert user.role == "staff" and user.check_password("demo")
    assert [unit.name for unit in user.units] == ["Đảng ủy xã Tịnh Trà"]
    assert user.board.code == "son-tinh"


@pytest.mark.parametrize("as_of", ["2026-04-01", "2026-06-30", "2024-04-01"])
def test_the_recent_quarters_fit_any_day(runner, db, as_of):
    result = runner.invoke(args=["demo", "--as-of", as_of])
    assert result.exit_code == 0, result.output
    day = dt.date.fromisoformat(as_of)
    with scope.boards([_son_tinh(db).id]):
        current = db.session.scalar(db.select(Quarter).where(
            Quarter.year == day.year, Quarter.number == (day.month - 1) // 3 + 1))
        assert current is not None and current.state == "active"
        tasks = db.session.scalars(
            db.select(Task).where(Task.quarter_id == current.id)).all()
        classes = [classify(t.status, t.due_on, t.completed_on, day) for t in tasks]
        assert classes.count("overdue") == 1


def test_a_malformed_as_of_is_refused(runner, db):
    result = runner.invoke(args=["demo", "--as-of", "2026-13-01"])
    assert result.exit_code == 2 and "--as-of" in result.output
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 0


def test_the_demo_ties_the_dialogue_in_tinh_tra_to_its_commune(client, login_as,
                                                                demo):
    from tests.helpers import visible_text
    from tracker.models import Unit

    scoped = demo.session.scalars(
        demo.select(Task).where(Task.scope_units.any()).order_by(Task.id)).all()
    assert [(task.quarter.key, [unit.short_name for unit in task.scope_units])
            for task in scoped] == [("2023-Q1", ["ĐU Tịnh Trà"])]
    title = scoped[0].title
    assert "xã Tịnh Trà" in title
    tinh_tra = demo.session.scalar(
        demo.select(Unit).where(Unit.short_name == "ĐU Tịnh Trà"))
    login_as("viewer")
    board = visible_text(client.get(f"/quarters/2023-Q1/?commune={tinh_tra.id}"))
    assert title in board and "Địa bàn: ĐU Tịnh Trà" in board
    # The filter keeps only what the commune is tied to.
    monitoring = "Theo dõi, nắm bắt tình hình tâm tư nguyện vọng"
    assert monitoring not in board
    assert monitoring in visible_text(client.get("/quarters/2023-Q1/"))


def test_the_live_commune_dialogue_is_tied_to_its_commune(runner, db):
    result = runner.invoke(args=["demo", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    with scope.boards([_son_tinh(db).id]):
        dialogue = db.session.scalar(db.select(Task).join(Task.quarter).where(
            Quarter.year == 2026, Quarter.number == 4, Task.kind == "dialogue"))
        assert [unit.short_name for unit in dialogue.scope_units] == ["ĐU Tịnh Trà"]


def test_tinh_tra_has_villages_and_one_takes_a_share(runner, db, client):
    from tracker.figures.services import quarter_figures
    from tracker.models import TaskUnit, Unit

    result = runner.invoke(args=["demo", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    with scope.boards([_son_tinh(db).id]):
        commune = db.session.scalar(db.select(Unit).where(
            Unit.name == "Đảng ủy xã Tịnh Trà"))
        villages = db.session.scalars(db.select(Unit).where(
            Unit.parent_id == commune.id).order_by(Unit.sort_order)).all()
        assert [(v.name, v.kind) for v in villages] == [
            ("Chi bộ thôn Trà Bình", "village"), ("Chi bộ thôn Trà Lạc", "village")]
        links = db.session.scalars(db.select(TaskUnit).where(
            TaskUnit.unit_id.in_([v.id for v in villages]))).all()
        assert {(link.unit.short_name, link.role, link.share_status)
                for link in links} == {("CB Trà Bình", "participating", "done"),
                                       ("CB Trà Lạc", "participating", "not_started")}
        current = links[0].task.quarter
        assert (current.year, current.number) == (2026, 4)
        figures = quarter_figures(current, AS_OF)
        row = next(r for r in figures["units"] if r["id"] == commune.id)
        below = row["with_below"]
        assert below["shares"] == row["shares"] + 2
        assert below["done"] == row["done"] + 1
