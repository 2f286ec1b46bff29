"""Petitions in the workbook: exported on their own sheet, imported back from it."""
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import page_text
from tracker.boards import scope
from tracker.extensions import db as _db
from tracker.models import Board, Quarter, Task, Unit, User
from tracker.models.petition import PETITION_FIELDS, PETITION_STATES, Petition
from tracker.reports.imports import apply_plan, read_plan
from tracker.reports.workbook import quarter_workbook


def _q2(db):
    return db.session.scalar(select(Quarter).where(Quarter.year == 2023,
                                                   Quarter.number == 2))


def _petitions(db, quarter):
    """Return what the quarter's petitions say, in a comparable order."""
    rows = db.session.scalars(
        select(Petition).join(Task, Task.id == Petition.task_id)
        .where(Task.quarter_id == quarter.id)
    ).all()
    return sorted(
        (p.task.title, p.citizen, p.commune, p.content, p.field, p.body_name, p.due_on,
         p.state, p.forwarded_on, p.answered_on, p.answer, p.closed_on,
         p.close_reason, p.count, p.is_imported)
        for p in rows)


def _fresh_board(db, units):
    """Return a new board with units of the same names and an empty 2023-Q2."""
    board = Board(code="moi", name="Ban mới", level="district")
    db.session.add(board)
    db.session.flush()
    with scope.boards([board.id]):
        for unit in units:
            if unit.board_id is not None:
                db.session.add(Unit(name=unit.name, short_name=unit.short_name,
                                    kind=unit.kind, sort_order=unit.sort_order,
                                    is_active=unit.is_active))
        quarter = Quarter(year=2023, number=2, state="active")
        db.session.add(quarter)
        db.session.flush()
    db.session.commit()
    return board, quarter


@pytest.fixture
def end_of_june(app):
    """Judge the files on the quarter's last day: the demo's work of late May is done.

    (The tests' pinned day, 15/05/2023, comes before the demo's last reports.)
    """
    pinned = app.config["TODAY"]
    app.config["TODAY"] = "2023-06-30"
    yield
    app.config["TODAY"] = pinned


def test_the_workbook_round_trips_the_petitions_into_a_fresh_board(demo, db,
                                                                   end_of_june):
    q2 = _q2(db)
    before = _petitions(db, q2)
    assert len(before) >= 3 and {row[7] for row in before} >= {"answered", "received"}
    content = quarter_workbook(q2)
    units = db.session.scalars(select(Unit)).all()
    leader = db.session.scalar(select(User).where(User.username == "lanhdao"))
    board, quarter = _fresh_board(db, units)
    with scope.boards([board.id]):
        plan = read_plan(quarter, content, "quy-II.xlsx")
        assert plan.problems == [] and len(plan.petitions) == len(before)
        apply_plan(plan, leader)
        db.session.commit()
        assert _petitions(db, quarter) == before
    # Each imported petition has its history, as if typed on its page.
    with scope.boards([board.id]):
        for petition in db.session.scalars(select(Petition)):
            assert petition.updates


def test_the_quarters_own_workbook_updates_its_petitions(demo, db, end_of_june):
    q2 = _q2(db)
    content = quarter_workbook(q2)
    sheet_titles = load_workbook(io.BytesIO(content), read_only=True).sheetnames
    assert any("kiến nghị" in title.lower() for title in sheet_titles)
    petition = db.session.scalars(select(Petition).where(
        Petition.state == "received", Petition.is_imported.is_(False))).first()
    petition.content = "Đã sửa trên trang"
    db.session.commit()
    tasks_before = db.session.scalar(select(_db.func.count(Task.id)))
    plan = read_plan(q2, content, "quy-II.xlsx")
    assert plan.problems == [] and plan.rows == [] and plan.kept
    apply_plan(plan, None)
    db.session.commit()
    db.session.refresh(petition)
    assert petition.content != "Đã sửa trên trang"  # the file's words again
    assert petition.updates[0].action == "edited"
    assert db.session.scalar(select(_db.func.count(Task.id))) == tasks_before


def _workbook_with_bad_petitions(content):
    book = load_workbook(io.BytesIO(content))
    sheet = next(s for s in book.worksheets if "kiến nghị" in s.title.lower())
    sheet.cell(row=2, column=6, value="Không có lĩnh vực này")  # field
    sheet.cell(row=3, column=2, value=987654)  # task id
    sheet.cell(row=3, column=3, value="Không có cuộc họp này")  # raised at
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bad_petition_rows_are_errors_in_the_preview_and_nothing_is_stored(
        client, demo, db, login_as, end_of_june):
    q2 = _q2(db)
    content = _workbook_with_bad_petitions(quarter_workbook(q2))
    before = _petitions(db, q2)
    login_as("leader")
    response = client.post(f"/quarters/{q2.key}/import", data={
        "file": (io.BytesIO(content), "quy-II.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = page_text(response)
    assert 'id="preview-petitions"' in page and "list-group-item-danger" in page
    assert "Không có lĩnh vực này" in page
    assert 'id="confirm-import"' not in page
    assert _petitions(db, q2) == before


def test_a_good_petition_sheet_is_stored_only_when_confirmed(client, demo, db,
                                                             end_of_june,
                                                             login_as):
    q2 = _q2(db)
    content = quarter_workbook(q2)
    petition = db.session.scalars(select(Petition).where(
        Petition.state == "received", Petition.is_imported.is_(False))).first()
    petition.citizen = "Tên cũ"
    db.session.commit()
    login_as("leader")
    response = client.post(f"/quarters/{q2.key}/import", data={
        "file": (io.BytesIO(content), "quy-II.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 200, page_text(response)
    assert 'id="confirm-import"' in page_text(response)
    db.session.refresh(petition)
    assert petition.citizen == "Tên cũ"  # nothing stored by the preview
    token = page_text(response).split('name="token" value="')[1].split('"')[0]
    confirmed = client.post(f"/quarters/{q2.key}/import/confirm",
                            data={"token": token})
    assert confirmed.status_code == 302
    db.session.refresh(petition)
    assert petition.citizen != "Tên cũ"


HOSTILE = ["", " ", "=1+1", "@SUM(1)", "<script>alert(1)</script>", "a\x00b", "\x1b",
           "x" * 12_000, "-1", "0", "99999999999999999999", "31/02/2023", "2023-13-01",
           "received", "Đã trả lời", "closed", "land", "Có", "không", None, 5, -3,
           2.5, dt.date(2023, 5, 1), dt.date(2030, 1, 1)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.integers(2, 4), st.integers(1, 19),
                                st.sampled_from(HOSTILE)), min_size=1, max_size=8))
def test_hostile_petition_cells_never_break_the_import(client, demo, db, login_as,
                                                       cells):
    q2 = _q2(db)
    book = load_workbook(io.BytesIO(quarter_workbook(q2)))
    sheet = next(s for s in book.worksheets if "kiến nghị" in s.title.lower())
    for row, column, value in cells:
        if isinstance(value, str):
            value = value.replace("\x00", "").replace("\x1b", "")
        sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    if not client.get("/me").status_code == 200:
        login_as("leader", username="fuzz_leader")
    response = client.post(f"/quarters/{q2.key}/import", data={
        "file": (io.BytesIO(buffer.getvalue()), "quy-II.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200 and 'name="token" value="' in page_text(response):
        token = page_text(response).split('name="token" value="')[1].split('"')[0]
        confirmed = client.post(f"/quarters/{q2.key}/import/confirm",
                                data={"token": token})
        assert confirmed.status_code in (302, 400)
    for petition in db.session.scalars(select(Petition)):
        assert petition.field in PETITION_FIELDS and petition.state in PETITION_STATES
        assert len(petition.content) <= 10_000 and "\x00" not in petition.content
        assert petition.count >= 1
