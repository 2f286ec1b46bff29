"""Congresses by term: the next congress, its state, holding it, the flag, the pages."""
import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.helpers import page_text, visible_text
from tracker.congresses import services
from tracker.models import Board, CongressTerm, CongressTermChange, Task
from tracker.tasks.services import report_progress, update_task
from tracker.text import to_roman

D = dt.date
TODAY = D(2023, 5, 15)  # the tests' pinned day (tests/conftest.py)


@pytest.fixture
def farmers(db, make_unit, make_user):
    """Return the district Farmers' Association's unit and its term XI (2018–2023)."""
    unit = make_unit("Hội Nông dân huyện Sơn Tịnh", "HND")
    term = services.create_term(dict(
        organisation="Hội Nông dân huyện Sơn Tịnh", level="district", unit_id=unit.id,
        ordinal=11, term_start=2018, term_end=2023, last_held_on=D(2018, 6, 20),
    ), None)
    db.session.commit()
    return unit, term


def _congress(make_task, unit, ordinal=12, **extra):
    data = dict(kind="congress", title=f"Đại hội lần thứ {to_roman(ordinal)}",
                organisation="Hội Nông dân huyện Sơn Tịnh", congress_ordinal=ordinal,
                term_start=2023, term_end=2028)
    data.update(extra)
    return make_task(lead=unit, **data)


def _next(rows, term):
    return [row for row in rows if row.term.id == term.id][-1]


# ---- numbers and dates ---------------------------------------------------------

@pytest.mark.parametrize("number, roman", [
    (1, "I"), (4, "IV"), (9, "IX"), (12, "XII"), (14, "XIV"), (19, "XIX"),
    (23, "XXIII"), (40, "XL"), (49, "XLIX"), (90, "XC"), (100, "C"), (0, ""),
])
def test_congress_numbers_read_in_roman_numerals(number, roman):
    assert to_roman(number) == roman
    term = CongressTerm(organisation="x", ordinal=number, term_start=2018,
                        term_end=2023)
    assert term.ordinal_roman == roman


@pytest.mark.parametrize("start, end, held, expected", [
    (2018, 2023, D(2018, 6, 20), (12, 2023, 2028, D(2023, 6, 20))),
    # No date of the last congress: due by the end of the term's last year.
    (2018, 2023, None, (12, 2023, 2028, D(2023, 12, 31))),
    # A term of two and a half years runs its length again.
    (2021, 2026, D(2021, 5, 12), (12, 2026, 2031, D(2026, 5, 12))),
    (2022, 2027, D(2022, 8, 18), (12, 2027, 2032, D(2027, 8, 18))),
    # 29 February has no anniversary in an ordinary year.
    (2020, 2025, D(2020, 2, 29), (12, 2025, 2030, D(2025, 2, 28))),
    (2019, 2022, D(2019, 7, 4), (12, 2022, 2025, D(2022, 7, 4))),
])
def test_the_next_congress_follows_the_term(start, end, held, expected):
    term = CongressTerm(organisation="x", ordinal=11, term_start=start, term_end=end,
                        last_held_on=held)
    assert services.next_congress(term) == expected


@pytest.mark.parametrize("day, ahead, end", [
    (D(2023, 5, 15), 0, D(2023, 6, 30)), (D(2023, 5, 15), 1, D(2023, 9, 30)),
    (D(2023, 11, 2), 1, D(2024, 3, 31)), (D(2023, 12, 31), 0, D(2023, 12, 31)),
    (D(2024, 1, 1), 1, D(2024, 6, 30)),
])
def test_quarter_ends(day, ahead, end):
    assert services.quarter_end(day, ahead) == end


# ---- planned, held, not planned --------------------------------------------------

def test_a_term_without_a_task_is_not_planned_and_flagged_when_due(db, farmers):
    unit, term = farmers
    row = _next(services.calendar(TODAY), term)
    assert (row.ordinal, row.term_label, row.state) == (12, "2023–2028", "not_planned")
    assert row.ordinal_roman == "XII" and row.due_on == D(2023, 6, 20)
    assert row.flagged  # due by 30/09/2023, the end of the next quarter
    assert [r.term.id for r in services.flagged(TODAY)] == [term.id]


def test_a_congress_beyond_two_quarters_is_not_flagged(db, farmers):
    unit, term = farmers
    term.last_held_on = D(2018, 10, 1)  # due 01/10/2023: after 30/09/2023
    db.session.commit()
    row = _next(services.calendar(TODAY), term)
    assert row.state == "not_planned" and not row.flagged
    assert services.flagged(TODAY) == []


def test_a_congress_task_plans_it(db, farmers, make_task):
    unit, term = farmers
    task = _congress(make_task, unit,
                     organisation="  hội nông dân HUYỆN Son Tinh ")  # same, loosely
    row = _next(services.calendar(TODAY), term)
    assert (row.state, row.task.id, row.flagged) == ("planned", task.id, False)
    assert services.flagged(TODAY) == []
    # Another number, another organisation, a cancelled or archived task plan nothing.
    task.status = "cancelled"
    db.session.commit()
    assert _next(services.calendar(TODAY), term).state == "not_planned"


def test_a_task_of_another_number_does_not_plan_it(db, farmers, make_task):
    unit, term = farmers
    _congress(make_task, unit, ordinal=13)
    _congress(make_task, unit, organisation="Hội Nông dân xã Tịnh Hà")
    assert _next(services.calendar(TODAY), term).state == "not_planned"


def test_holding_the_congress_moves_the_term_forward(db, farmers, make_task,
                                                     make_user):
    unit, term = farmers
    staff = make_user("canbo_hnd", units=[unit])
    task = _congress(make_task, unit, held_on=D(2023, 5, 25))
    assert _next(services.calendar(TODAY), term).state == "planned"
    report_progress(task, "done", 100, "Đại hội thành công.", staff,
                    completed_on=D(2023, 5, 14), today=TODAY)
    db.session.commit()
    db.session.refresh(term)
    assert (term.ordinal, term.term_start, term.term_end) == (12, 2023, 2028)
    assert term.last_held_on == D(2023, 5, 25)  # the date held, not the report's
    change = db.session.scalars(select(CongressTermChange).where(
        CongressTermChange.term_id == term.id, CongressTermChange.action == "held")
    ).one()
    assert change.user_id == staff.id and change.task_id == task.id
    assert change.changes["ordinal"] == [11, 12]
    assert change.changes["last_held_on"] == ["2018-06-20", "2023-05-25"]
    rows = [row for row in services.calendar(TODAY) if row.term.id == term.id]
    assert [(row.ordinal, row.state) for row in rows] == [(12, "held"),
                                                         (13, "not_planned")]
    assert rows[1].term_label == "2028–2033" and rows[1].due_on == D(2028, 5, 25)
    # Saving the held task again moves nothing further.
    update_task(task, dict(result="Bầu 31 ủy viên."), staff)
    db.session.commit()
    db.session.refresh(term)
    assert term.ordinal == 12
    assert db.session.scalar(select(db.func.count(CongressTermChange.id)).where(
        CongressTermChange.action == "held")) == 1


def test_a_date_held_that_has_come_moves_the_term_too(db, farmers, make_task):
    unit, term = farmers
    task = _congress(make_task, unit)
    update_task(task, dict(held_on=D(2023, 6, 2)), None)  # in the future
    db.session.commit()
    assert db.session.get(CongressTerm, term.id).ordinal == 11
    update_task(task, dict(held_on=D(2023, 5, 12)), None)
    db.session.commit()
    term = db.session.get(CongressTerm, term.id)
    assert (term.ordinal, term.last_held_on) == (12, D(2023, 5, 12))


def test_holding_through_the_page_moves_the_term(client, db, farmers, make_task,
                                                 login_as):
    unit, term = farmers
    task = _congress(make_task, unit)
    login_as("staff", units=[unit])
    response = client.post(f"/tasks/{task.id}/status", data=dict(
        status="done", progress="100", completed_on="2023-05-10", note="Xong."))
    assert response.status_code == 302
    term = db.session.get(CongressTerm, term.id)
    assert (term.ordinal, term.last_held_on) == (12, D(2023, 5, 10))
    text = visible_text(client.get("/congresses/"))
    assert "XII" in text and "10/05/2023" in text


# ---- the leaders' flag -------------------------------------------------------------

def test_leaders_see_the_flag_on_me_and_staff_do_not(client, db, farmers, login_as):
    login_as("leader")
    box = page_text(client.get("/me"))
    assert 'id="congresses-due"' in box and "Hội Nông dân huyện Sơn Tịnh" in box
    assert "20/06/2023" in box
    calendar = page_text(client.get("/congresses/"))
    assert "congress-flag" in calendar
    client.post("/logout")
    login_as("staff", username="canbo")
    assert 'id="congresses-due"' not in page_text(client.get("/me"))


def test_a_planned_congress_is_not_flagged_on_me(client, db, farmers, make_task,
                                                 login_as):
    unit, term = farmers
    _congress(make_task, unit)
    login_as("leader")
    assert 'id="congresses-due"' not in page_text(client.get("/me"))
    assert "congress-flag" not in page_text(client.get("/congresses/"))


# ---- planning from the calendar ----------------------------------------------------

def test_plan_opens_the_task_form_prefilled(client, db, farmers, make_quarter,
                                            login_as):
    unit, term = farmers
    make_quarter(2023, 2)
    login_as("staff", username="canbo")
    page = page_text(client.get("/congresses/"))
    link = html.unescape(re.search(r'href="([^"]*/tasks/new[^"]*)"', page).group(1))
    args = parse_qs(urlsplit(link).query)
    assert args["quarter"] == ["2023-Q2"] and args["kind"] == ["congress"]
    assert args["congress_ordinal"] == ["12"] and args["due_on"] == ["2023-06-20"]
    form = page_text(client.get(link))
    for expected in ('value="Hội Nông dân huyện Sơn Tịnh"', 'value="12"',
                     'value="2023"', 'value="2028"', 'value="2023-06-20"',
                     "lần thứ XII, nhiệm kỳ 2023–2028"):
        assert expected in form
    assert re.search(rf'<option selected value="{unit.id}">', form)
    assert db.session.scalar(select(db.func.count(Task.id))) == 0  # nothing saved
    # Submitting the form plans the congress.
    data = {key: values[0] for key, values in args.items() if key != "quarter"}
    response = client.post(f"/tasks/new?quarter=2023-Q2", data=data)
    assert response.status_code == 302
    assert _next(services.calendar(TODAY), term).state == "planned"


def test_no_plan_link_without_an_open_quarter_or_for_viewers(client, db, farmers,
                                                             make_quarter, login_as):
    login_as("staff", username="canbo")
    assert "/tasks/new" not in page_text(client.get("/congresses/"))
    make_quarter(2023, 2)
    client.post("/logout")
    login_as("viewer")
    assert "/tasks/new" not in page_text(client.get("/congresses/"))


# ---- editing terms -----------------------------------------------------------------

TERM = dict(organisation="Hội Cựu chiến binh huyện Sơn Tịnh", level="district",
            unit_id="0", ordinal="7", term_start="2022", term_end="2027",
            last_held_on="2022-06-09")


def test_a_leader_records_and_corrects_a_term_with_history(client, db, login_as):
    leader = login_as("leader")
    response = client.post("/congresses/new", data=TERM)
    assert response.status_code == 302
    term = db.session.scalars(select(CongressTerm)).one()
    assert (term.ordinal, term.term_end, term.last_held_on) == (7, 2027, D(2022, 6, 9))
    response = client.post(f"/congresses/{term.id}/edit",
                           data=dict(TERM, ordinal="6", version=""))
    assert response.status_code == 302
    changes = db.session.scalars(select(CongressTermChange).order_by(
        CongressTermChange.id)).all()
    assert [change.action for change in changes] == ["created", "edited"]
    assert changes[1].changes == {"ordinal": [7, 6]}
    assert all(change.user_id == leader.id for change in changes)
    shown = visible_text(client.get(f"/congresses/{term.id}"))
    assert "VII → VI" in shown and leader.full_name in shown
    # Saving it unchanged records nothing.
    client.post(f"/congresses/{term.id}/edit", data=dict(TERM, ordinal="6"))
    assert db.session.scalar(select(db.func.count(CongressTermChange.id))) == 2


@pytest.mark.parametrize("change, field", [
    (dict(organisation="  "), "organisation"),
    (dict(ordinal="0"), "ordinal"),
    (dict(ordinal="XII"), "ordinal"),
    (dict(term_end="2022"), "term_end"),
    (dict(term_end="2040"), "term_end"),
    (dict(term_start="99999999999999999999"), "term_start"),
    (dict(last_held_on="2024-01-01"), "last_held_on"),  # in the future
    (dict(last_held_on="2015-01-01"), "last_held_on"),  # far from the term
    (dict(level="province"), "level"),
    (dict(unit_id="999999"), "unit_id"),
])
def test_a_bad_term_is_refused_with_a_message(client, db, login_as, change, field):
    login_as("leader")
    response = client.post("/congresses/new", data=dict(TERM, **change))
    assert response.status_code == 400
    assert f'id="{field}-err"' in page_text(response)
    assert db.session.scalar(select(db.func.count(CongressTerm.id))) == 0


def test_an_organisation_has_one_term(client, db, farmers, login_as):
    login_as("admin")
    response = client.post("/congresses/new", data=dict(
        TERM, organisation="HỘI NÔNG DÂN huyện Sơn Tịnh"))
    assert response.status_code == 400
    assert 'id="organisation-err"' in page_text(response)
    assert db.session.scalar(select(db.func.count(CongressTerm.id))) == 1


def test_staff_and_viewers_read_terms_but_do_not_edit(client, db, farmers, login_as):
    unit, term = farmers
    login_as("staff", units=[unit])
    assert client.get("/congresses/").status_code == 200
    assert client.get(f"/congresses/{term.id}").status_code == 200
    assert client.get(f"/congresses/{term.id}/edit").status_code == 403
    assert client.post(f"/congresses/{term.id}/edit",
                       data=dict(TERM, ordinal="3")).status_code == 403
    assert client.post("/congresses/new", data=TERM).status_code == 403
    assert db.session.get(CongressTerm, term.id).ordinal == 11


# ---- boards and cost -------------------------------------------------------------

def test_another_boards_terms_are_not_seen(client, db, farmers, login_as):
    from tracker.boards import scope

    unit, term = farmers
    other = Board(code="khac", name="Ban khác", level="district")
    db.session.add(other)
    db.session.flush()
    with scope.boards([other.id]):
        services.create_term(dict(organisation="Hội Nông dân huyện Khác",
                                  level="district", unit_id=None, ordinal=4,
                                  term_start=2020, term_end=2025, last_held_on=None),
                             None)
    db.session.commit()
    login_as("leader")
    page = page_text(client.get("/congresses/"))
    assert "Hội Nông dân huyện Sơn Tịnh" in page
    assert "Hội Nông dân huyện Khác" not in page
    hidden = db.session.scalar(select(CongressTerm.id).where(
        CongressTerm.board_id == other.id), execution_options={"all_boards": True})
    assert client.get(f"/congresses/{hidden}").status_code == 404
    assert client.post(f"/congresses/{hidden}/edit", data=TERM).status_code == 404


def test_the_calendar_costs_the_same_for_more_rows(client, db, farmers, make_task,
                                                   make_quarter, login_as,
                                                   count_queries):
    unit, term = farmers
    make_quarter(2023, 2)
    login_as("leader")
    client.get("/congresses/")
    with count_queries() as few:
        client.get("/congresses/")
    for n in range(12):
        services.create_term(dict(
            organisation=f"Hội Nông dân xã {n}", level="commune", unit_id=unit.id,
            ordinal=10, term_start=2018 + n % 5, term_end=2023 + n % 5,
            last_held_on=None), None)
        db.session.commit()
        _congress(make_task, unit, ordinal=11, organisation=f"Hội Nông dân xã {n}")
    with count_queries() as many:
        client.get("/congresses/")
    assert len(many) == len(few)
    with count_queries() as me_many:
        client.get("/me")
    assert me_many  # the flag adds a fixed number of statements (tests/me)


def test_the_communes_congresses_come_before_the_districts(db, farmers):
    unit, term = farmers
    commune = services.create_term(dict(
        organisation="Hội Nông dân xã Tịnh Hà", level="commune", unit_id=None,
        ordinal=10, term_start=2018, term_end=2023, last_held_on=D(2018, 9, 1)), None)
    db.session.commit()
    rows = services.calendar(TODAY)
    assert [row.term.id for row in rows] == [commune.id, term.id]
