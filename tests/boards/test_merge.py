"""Merging boards keeps each one's issued record and continues in the other."""
import pytest
from sqlalchemy import select

from tracker.boards import scope
from tracker.boards.services import BoardError, merge_boards
from tracker.models import Board, Quarter, Task, Unit, User
from tracker.quarters.rollover import close_quarter
from tracker.tasks.services import create_task

ALL = {"all_boards": True}


@pytest.fixture
def two_districts(db):
    """Return two boards, each with a closed Q1 2025 and an open Q2 2025."""
    made = {}
    for code in ("bac", "nam"):
        board = Board(code=code, name=f"Ban Dân vận huyện {code}", level="district")
        db.session.add(board)
        db.session.flush()
        with scope.boards([board.id]):
            unit = Unit(name=f"Ban Dân vận {code}", short_name=f"BDV-{code}",
                        kind="party_board")
            leader = User(username=f"lanhdao_{code}", role="leader",
                          password_hash="x", units=[unit])
            q1 = Quarter(year=2025, number=1, state="active")
            db.session.add_all([unit, leader, q1])
            db.session.flush()
            create_task(q1, dict(title=f"Việc quý I {code}", kind="other",
                                 lead_unit_id=unit.id), leader)
            close_quarter(q1, {}, leader)  # carries the task into Q2
        made[code] = board
    db.session.commit()
    return made


def _quarters(db, board):
    return {q.key: q for q in db.session.scalars(
        select(Quarter).where(Quarter.board_id == board.id), execution_options=ALL)}


def test_a_merge_keeps_the_issued_quarters_and_continues_in_the_other(db, two_districts):
    bac, nam = two_districts["bac"], two_districts["nam"]
    q1 = _quarters(db, bac)["2025-Q1"]
    issued = {t.id: (t.title, t.status) for t in db.session.scalars(
        select(Task).where(Task.quarter_id == q1.id), execution_options=ALL)}
    moved = merge_boards(bac, nam, "2025-Q2", None)
    db.session.commit()
    assert moved == dict(quarters=1, tasks=1, units=1)
    assert bac.is_merged and not bac.is_active and bac.continues_from == "2025-Q2"
    assert list(_quarters(db, bac)) == ["2025-Q1"]
    assert {t.id: (t.title, t.status) for t in db.session.scalars(
        select(Task).where(Task.quarter_id == q1.id), execution_options=ALL)} == issued
    q2 = _quarters(db, nam)["2025-Q2"]
    titles = sorted(t.title for t in db.session.scalars(
        select(Task).where(Task.quarter_id == q2.id), execution_options=ALL))
    assert titles == ["Việc quý I bac", "Việc quý I nam"]
    leader = db.session.scalar(select(User).where(User.username == "lanhdao_bac"),
                               execution_options=ALL)
    assert leader.board_id == nam.id


def test_the_merged_boards_record_is_read_only_and_readable(client, db, two_districts):
    bac, nam = two_districts["bac"], two_districts["nam"]
    merge_boards(bac, nam, "2025-Q2", None)
    db.session.commit()
    # The absorbed board's leader now works in the continuing board and reads the
    # absorbed board's quarters there, without changing them.
    user = db.session.scalar(select(User).where(User.username == "lanhdao_bac"),
                             execution_options=ALL)
    user.set_password("mat-khau-dai-du")
    db.session.commit()
    client.post("/login", data={"username": "lanhdao_bac", "password": "mat-khau-dai-du"})
    assert client.get("/b/bac/quarters/2025-Q1/").status_code == 200
    assert client.get("/quarters/2025-Q2/").status_code == 200
    assert client.post("/b/bac/quarters/new",
                       data={"year": "2025", "number": "3"}).status_code == 403


@pytest.mark.parametrize("absorbed, into, key, message", [
    ("bac", "bac", "2025-Q2", "chính nó"),
    ("bac", "nam", "2025-Q1", "đã khóa sổ các quý"),
    ("bac", "nam", "2025-Q3", "Hãy khóa sổ Quý II/2025"),
    ("bac", "nam", "quý 2", "quý đầu tiên"),
])
def test_a_merge_that_would_change_an_issued_record_is_refused(
        db, two_districts, absorbed, into, key, message):
    with pytest.raises(BoardError, match=message):
        merge_boards(two_districts[absorbed], two_districts[into], key, None)
    assert not two_districts[absorbed].is_merged


def test_two_units_of_the_same_name_stop_a_merge(db, two_districts):
    bac, nam = two_districts["bac"], two_districts["nam"]
    with scope.boards([nam.id]):
        db.session.add(Unit(name="Ban Dân vận bac", short_name="X", kind="mass_org"))
        db.session.commit()
    with pytest.raises(BoardError, match="đổi tên"):
        merge_boards(bac, nam, "2025-Q2", None)
    assert not bac.is_merged
