"""Congresses by term through the API: the page's calendar and a term's history."""
import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.congresses import services

D = dt.date
TODAY = D(2023, 5, 15)  # the tests' pinned day (tests/conftest.py)


@pytest.fixture
def terms(db, make_unit, make_user):
    """Return a leader, the Farmers' Association's term XI and a commune's term."""
    leader = make_user("lanhdao", role="leader")
    unit = make_unit("Hội Nông dân huyện Sơn Tịnh", "HND")
    farmers = services.create_term(dict(
        organisation="Hội Nông dân huyện Sơn Tịnh", level="district", unit_id=unit.id,
        ordinal=11, term_start=2018, term_end=2023, last_held_on=D(2018, 6, 20),
    ), leader)
    commune = services.create_term(dict(
        organisation="Hội Nông dân xã Tịnh Hà", level="commune", unit_id=None,
        ordinal=8, term_start=2019, term_end=2024, last_held_on=None,
    ), leader)
    db.session.commit()
    return leader, unit, farmers, commune


def test_the_calendar_reads_as_the_page_shows_it(api, client, login_as, terms,
                                                 make_token, make_task, db):
    leader, unit, farmers, commune = terms
    task = make_task(lead=unit, kind="congress", title="Đại hội lần thứ XII",
                     organisation="Hội Nông dân huyện Sơn Tịnh", congress_ordinal=12,
                     term_start=2023, term_end=2028)
    response = api("GET", "/api/v1/congresses", make_token(leader, "read"))
    assert response.status_code == 200
    items = response.json["items"]
    # The service's rows, in its order.
    rows = services.calendar(TODAY)
    assert [(item["term_id"], item["ordinal"]) for item in items] == \
        [(row.term.id, row.ordinal) for row in rows]
    by_term = {item["term_id"]: item for item in items}
    planned = by_term[farmers.id]
    assert planned == {
        "term_id": farmers.id, "organisation": "Hội Nông dân huyện Sơn Tịnh",
        "level": "district",
        "unit": {"id": unit.id, "name": unit.name, "short_name": "HND"},
        "last_ordinal": 11, "last_term_start": 2018, "last_term_end": 2023,
        "last_held_on": "2018-06-20", "ordinal": 12, "ordinal_roman": "XII",
        "term_start": 2023, "term_end": 2028, "due_on": "2023-06-20",
        "state": "planned", "held_on": None, "task": task.id, "flagged": False,
    }
    later = by_term[commune.id]
    assert (later["state"], later["task"], later["unit"], later["ordinal_roman"]) == \
        ("not_planned", None, None, "IX")
    assert later["due_on"] == "2024-12-31" and later["flagged"] is False
    # The page names the same congresses.
    login_as("viewer")
    page = page_text(client.get("/congresses/"))
    assert "Hội Nông dân xã Tịnh Hà" in page and "XII" in page
    # A repeated read with its ETag is answered 304.
    again = api("GET", "/api/v1/congresses", make_token(leader, "read"),
                headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_not_planned_congress_due_soon_is_flagged(api, terms, make_token):
    leader, _unit, farmers, _commune = terms
    items = api("GET", "/api/v1/congresses", make_token(leader)).json["items"]
    row = [item for item in items if item["term_id"] == farmers.id][-1]
    assert (row["state"], row["flagged"], row["task"]) == ("not_planned", True, None)


def test_a_term_reads_with_its_next_congress_and_history(api, terms, make_token, db):
    leader, unit, farmers, _commune = terms
    services.update_term(farmers, dict(
        organisation="Hội Nông dân huyện Sơn Tịnh", level="district", unit_id=unit.id,
        ordinal=11, term_start=2018, term_end=2023, last_held_on=D(2018, 7, 1),
    ), leader)
    db.session.commit()
    token = make_token(leader, "read")
    response = api("GET", f"/api/v1/congresses/{farmers.id}", token)
    assert response.status_code == 200
    data = response.json
    assert (data["last_ordinal"], data["last_ordinal_roman"]) == (11, "XI")
    assert (data["next_ordinal"], data["next_ordinal_roman"]) == (12, "XII")
    assert (data["next_term_start"], data["next_term_end"]) == (2023, 2028)
    assert data["next_due_on"] == "2023-07-01"
    assert [change["action"] for change in data["history"]] == \
        [change.action for change in farmers.changes]
    newest = data["history"][0]
    assert newest["user"]["username"] == "lanhdao"
    assert newest["changes"]["last_held_on"] == ["2018-06-20", "2018-07-01"]
    etag = response.headers["ETag"]
    assert api("GET", f"/api/v1/congresses/{farmers.id}", token,
               headers={"If-None-Match": etag}).status_code == 304
    assert api("GET", "/api/v1/congresses/999999", token).status_code == 404


def test_the_calendar_costs_the_same_statements_for_more_terms(api, terms,
                                                               make_token, db,
                                                               count_queries):
    leader = terms[0]
    token = make_token(leader, "read")
    with count_queries() as few:
        assert api("GET", "/api/v1/congresses", token).status_code == 200
    for index in range(8):
        services.create_term(dict(
            organisation=f"Hội Phụ nữ xã {index}", level="commune", unit_id=None,
            ordinal=5, term_start=2021, term_end=2026, last_held_on=None), leader)
    db.session.commit()
    with count_queries() as many:
        response = api("GET", "/api/v1/congresses", token)
    assert len(response.json["items"]) == 10
    assert len(many) == len(few)
