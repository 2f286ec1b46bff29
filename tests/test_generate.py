"""Synthetic data at scale: counts, reproducibility, chains, frozen history, sign-in."""

import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.demo import USERS as DEMO_USERS
from tracker.generate import generate, has_data, resolve_sizes, wipe
from tracker.models import AuditEvent, Quarter, Task, TaskUnit, TaskUpdate, Unit, User
from tracker.figures.counting import count_for_list
from tracker.quarters.summary import quarter_tasks
from tracker.tasks.timeliness import classify
from tracker.text import fold

TODAY = dt.date(2023, 5, 15)  # the suite's pinned today: the newest quarter is 2023-Q2


def _generate(db, quarters=4, tasks=12, units=14, seed=3):
    counts = generate(resolve_sizes(None, quarters, tasks, units, seed), TODAY)
    db.session.expire_all()
    return counts


def _all(db, model):
    return db.session.scalars(db.select(model)).all()


def _snapshot(db):
    """Return the generated content, ignoring password salts."""
    tasks = [
        (
            t.id,
            t.quarter_id,
            t.kind,
            t.title,
            t.status,
            t.progress,
            t.due_on,
            t.completed_on,
            t.carried_from_id,
            t.frozen_timeliness,
            t.search_text,
            t.is_recurring,
        )
        for t in db.session.scalars(db.select(Task).order_by(Task.id))
    ]
    links = sorted(
        (link.task_id, link.unit_id, link.role, link.share_status)
        for link in _all(db, TaskUnit)
    )
    updates = [
        (u.task_id, u.action, u.created_at, u.new_status, u.note)
        for u in db.session.scalars(db.select(TaskUpdate).order_by(TaskUpdate.id))
    ]
    units = [(u.id, u.name, u.short_name, u.parent_id) for u in _all(db, Unit)]
    return tasks, links, updates, units


def test_counts_match_the_sizes(db):
    counts = _generate(db, quarters=4, tasks=12, units=14)
    quarters = db.session.scalars(
        db.select(Quarter).order_by(Quarter.year, Quarter.number)
    ).all()
    assert [q.key for q in quarters] == ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2"]
    assert [q.state for q in quarters] == ["closed"] * 3 + ["active"]
    per_quarter = db.session.execute(
        db.select(Task.quarter_id, db.func.count()).group_by(Task.quarter_id)
    ).all()
    assert sorted(n for _, n in per_quarter) == [12] * 4
    assert counts.tasks == 48 == len(_all(db, Task))
    assert len(_all(db, Unit)) == counts.units == 14
    assert len(_all(db, TaskUpdate)) == counts.updates > 2 * counts.tasks
    assert len(_all(db, TaskUnit)) == counts.links > 0
    kinds = {task.kind for task in _all(db, Task)}
    assert {"movement", "dialogue", "advisory"} <= kinds
    assert any(link.role == "participating" for link in _all(db, TaskUnit))
    assert any(task.is_recurring for task in _all(db, Task))


def test_same_seed_same_data_other_seed_other_data(db):
    _generate(db, seed=7)
    first = _snapshot(db)
    wipe()
    _generate(db, seed=7)
    assert _snapshot(db) == first
    wipe()
    _generate(db, seed=8)
    assert _snapshot(db)[0] != first[0]


def test_carried_chains_link_consecutive_quarters(db):
    _generate(db, quarters=6, tasks=15)
    tasks = {task.id: task for task in _all(db, Task)}
    carried = [task for task in tasks.values() if task.carried_from_id]
    assert carried
    for task in carried:
        origin = tasks[task.carried_from_id]
        assert (
            origin.quarter.year,
            origin.quarter.number,
        ) == task.quarter.previous_key()
        assert origin.is_recurring or origin.status not in ("done", "cancelled")
        assert task.updates[-1].action == "carried_in"
        assert task.updates[-1].changes["from_task"] == origin.id
        out = [u for u in origin.updates if u.action == "carried_out"]
        assert len(out) == 1 and out[0].changes["to_task"] == task.id
    assert max(_depth(tasks, task) for task in carried) >= 2


def _depth(tasks, task):
    depth = 0
    while task.carried_from_id:
        task, depth = tasks[task.carried_from_id], depth + 1
    return depth


def test_closed_quarters_are_frozen_and_approved_as_close_and_approve_leave_them(db):
    _generate(db, quarters=4, tasks=12)
    quarters = db.session.scalars(
        db.select(Quarter).order_by(Quarter.year, Quarter.number)
    ).all()
    for quarter in quarters:
        for task in quarter_tasks(quarter):
            if quarter.is_closed:
                expected = classify(
                    task.status, task.due_on, task.completed_on, quarter.closed_cutoff
                )
                assert task.frozen_timeliness == expected
                # Work ended at the close is stopped, as closing leaves it.
                if task.closing_reason and not task.is_recurring:
                    assert task.status == "cancelled" and expected == "cancelled"
            else:
                assert task.frozen_timeliness is None
            before = task.search_text
            task.refresh_search_text()
            assert task.search_text == before == fold(before)
    closed = [q for q in quarters if q.is_closed]
    assert all(q.closed_at and q.closed_by.username == "lanhdao" for q in closed)
    assert [q.is_approved for q in closed] == [True, True, False]
    # The list counts stored with each closed quarter are what counting gives.
    counted = count_for_list(closed, TODAY)
    assert all(q.closed_counts == counted[q.id] for q in closed)
    assert all(q.closed_counts is None for q in quarters if not q.is_closed)
    actions = sorted(event.action for event in _all(db, AuditEvent))
    assert actions == ["approved"] * 2 + ["closed"] * 3
    db.session.rollback()


def test_open_quarter_history_stops_at_today(db):
    _generate(db, quarters=2, tasks=20)
    newest = db.session.scalar(db.select(Quarter).where(Quarter.state == "active"))
    for task in quarter_tasks(newest):
        assert all(update.created_at.date() <= TODAY for update in task.updates)
        if task.completed_on:
            assert task.completed_on <= TODAY


def test_new_rows_after_generating_get_fresh_ids(db, make_task):
    _generate(db, quarters=2, tasks=5)
    quarter = db.session.scalar(db.select(Quarter).where(Quarter.state == "active"))
    highest = db.session.scalar(db.select(db.func.max(Task.id)))
    task = make_task(quarter=quarter, title="Việc thêm sau")
    assert task.id > highest


def test_demo_accounts_sign_in_and_pages_render(client, db):
    _generate(db, quarters=3, tasks=10)
    assert {u.username for u in _all(db, User)} >= {name for name, *_ in DEMO_USERS}
    response = client.post("/login", data={"username": "canbo_hnd", "password": "demo"})
    assert response.status_code == 302
    task = db.session.scalars(
        db.select(Task).join(Task.quarter).where(Quarter.state == "active")
    ).first()
    board = client.get("/quarters/2023-Q2/")
    assert board.status_code == 200 and task.title in page_text(board)
    summary = client.get("/quarters/2023-Q2/summary")
    assert summary.status_code == 200 and "Tỷ lệ hoàn thành" in page_text(summary)
    previous = client.get("/quarters/2023-Q1/summary")
    assert previous.status_code == 200
    assert "Quý trước: Quý IV/2022" in page_text(previous)
    assert client.get("/quarters/2023-Q1/rollover").status_code == 200
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_command_refuses_a_database_with_data(runner, db, make_unit):
    make_unit("Đơn vị có sẵn", "CU")
    result = runner.invoke(args=["generate", "--preset", "district", "--quarters", "2"])
    assert result.exit_code != 0 and "already holds data" in result.output
    assert [u.short_name for u in _all(db, Unit)] == ["CU"]
    result = runner.invoke(
        args=["generate", "--preset", "district", "--quarters", "2", "--reset"],
        input="n\n",
    )
    assert result.exit_code != 0
    assert [u.short_name for u in _all(db, Unit)] == ["CU"]


def test_command_generates_and_replaces_with_yes(runner, db, make_unit):
    make_unit("Đơn vị có sẵn", "CU")
    result = runner.invoke(
        args=[
            "generate",
            "--preset",
            "district",
            "--quarters",
            "3",
            "--seed",
            "5",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Generated 3 quarters, 150 tasks" in result.output
    assert len(_all(db, Unit)) == 30 and len(_all(db, Task)) == 150
    assert not any(u.short_name == "CU" for u in _all(db, Unit))
    assert has_data()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--units", "3"], "--units"),
        (["--quarters", "0"], "--quarters"),
        (["--tasks-per-quarter", "-5"], "--tasks-per-quarter"),
        (["--preset", "planet"], "--preset"),
        (["--last-quarter", "2023-Q7"], "--last-quarter"),
    ],
)
def test_command_refuses_bad_sizes(runner, db, args, message):
    result = runner.invoke(args=["generate", *args])
    assert result.exit_code != 0 and message in result.output
    assert not has_data()


def test_last_quarter_option(runner, db):
    result = runner.invoke(
        args=[
            "generate",
            "--preset",
            "district",
            "--quarters",
            "2",
            "--last-quarter",
            "2021-Q1",
        ]
    )
    assert result.exit_code == 0, result.output
    keys = sorted(q.key for q in _all(db, Quarter))
    assert keys == ["2020-Q4", "2021-Q1"]


def test_province_boards_preset_builds_a_tree_whose_roll_up_sums_its_districts(
        client, db):
    from tracker.models import Board
    from tracker.tasks.timeliness import TIMELINESS

    sizes = resolve_sizes("province-boards", quarters=2, tasks_per_quarter=10, units=12,
                          seed=2, districts=3)
    counts = generate(sizes, TODAY)
    db.session.expire_all()
    boards = {b.code: b for b in _all(db, Board)}
    assert set(boards) == {"quang-ngai", "huyen-01", "huyen-02", "huyen-03"}
    province = boards["quang-ngai"]
    assert province.parent_id is None and province.level == "province"
    assert {b.parent_id for code, b in boards.items() if code != "quang-ngai"} == {
        province.id}
    # Each board has its own quarters, units and accounts; the tasks add up.
    for code, board in boards.items():
        keys = sorted(q.key for q in _all(db, Quarter) if q.board_id == board.id)
        assert keys == ["2023-Q1", "2023-Q2"], code
    per_board = db.session.execute(
        db.select(Quarter.board_id, db.func.count(Task.id))
        .join(Task, Task.quarter_id == Quarter.id).group_by(Quarter.board_id)).all()
    per_board = dict(per_board)
    assert per_board[province.id] == 2 * sizes.own_tasks_per_quarter
    assert all(per_board[boards[f"huyen-0{n}"].id] == 20 for n in (1, 2, 3))
    assert counts.tasks == sizes.total_tasks == sum(per_board.values())
    users = {u.username: u for u in _all(db, User)}
    assert users["lanhdao"].board_id == province.id
    assert users["lanhdao_h02"].board_id == boards["huyen-02"].id
    assert users["lanhdao"].is_installation_admin is False
    assert users["quantri"].is_installation_admin and not users[
        "quantri_h01"].is_installation_admin

    # The province's leader reads its districts rolled up from their own records.
    response = client.post("/login", data={"username": "lanhdao", "password": "demo"})
    assert response.status_code == 302
    figures = client.get("/quarters/2023-Q2/figures.json").get_json()
    assert [entry["code"] for entry in figures["boards"]] == [
        "huyen-01", "huyen-02", "huyen-03"]
    for code in TIMELINESS:
        assert figures["counts"][code] == figures["own"]["counts"][code] + sum(
            entry["counts"][code] for entry in figures["boards"])
    quarter_tasks_q2 = db.session.scalar(
        db.select(db.func.count(Task.id)).join(Task.quarter)
        .where(Quarter.year == 2023, Quarter.number == 2))
    assert figures["total"] == quarter_tasks_q2
    assert client.get("/b/huyen-03/quarters/2023-Q2/summary").status_code == 200

    # A district's leader sees its own board only.
    client.post("/logout")
    response = client.post("/login", data={"username": "lanhdao_h01",
                                           "password": "demo"})
    assert response.status_code == 302
    assert "boards" not in client.get("/quarters/2023-Q2/figures.json").get_json()
    assert client.get("/b/huyen-02/quarters/2023-Q2/summary").status_code in (403, 404)
    assert client.get("/b/quang-ngai/quarters/2023-Q2/summary").status_code in (
        403, 404)
