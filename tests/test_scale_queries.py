"""Every list page costs the same number of SQL statements however much data there is.

Two generated databases — 2 quarters of 6 tasks, and 14 quarters of 30 tasks with more
units — are each asked for every list page of the newest quarter; the statements
counted must be equal (and few). The exports join the list when their routes exist.
"""

import datetime as dt

import pytest

from tests.helpers import page_text
from tracker.extensions import cache
from tracker.generate import generate, resolve_sizes, wipe
from tracker.models import Quarter, Task, TaskUnit, Unit

TODAY = dt.date(2023, 5, 15)
KEY = "2023-Q2"
PAGES = [
    "/quarters/",
    "/quarters/{key}/",
    "/quarters/{key}/?q=dan+van",
    "/quarters/{key}/?unit={unit}",
    "/quarters/{key}/?kind=dialogue",
    "/quarters/{key}/?status=in_progress",
    "/quarters/{key}/?unit={unit}&kind=movement&status=done&q=dan",
    "/quarters/{key}/?page=2&per_page=50&sort=due",
    "/quarters/{key}/?commune={commune}",
    "/search?commune={commune}",
    "/quarters/{key}/summary",
    "/quarters/{key}/rollover",
    "/quarters/{previous}/rollover",
    "/quarters/{previous}/summary",
    "/units/",
    "/units/{unit}",
    "/units/{unit}?quarter={previous}",
    "/units/{unit}?as_of=2023-06-30",
    "/tasks/{task}",
]
EXPORTS = [
    "/quarters/{key}/report.docx",
    "/quarters/{key}/report.xlsx",
    "/quarters/{key}/tasks.csv",
    "/quarters/{key}/print",
    "/quarters/{key}/figures.json?as_of=2023-06-30",
    "/quarters/?as_of=2023-06-30",
    "/quarters/{key}/summary?as_of=2023-06-30",
]


def _statements(app, client, count_queries, quarters, tasks, units):
    """Generate a database of the size, sign in, and count each page's statements."""
    from tracker.extensions import db

    wipe()
    generate(resolve_sizes(None, quarters, tasks, units, seed=11), TODAY)
    db.session.expire_all()
    assert (
        client.post(
            "/login", data={"username": "lanhdao", "password": "demo"}
        ).status_code
        == 302
    )
    hnd = db.session.scalar(db.select(Unit.id).where(Unit.short_name == "HND"))
    commune = db.session.scalar(
        db.select(Unit.id).where(Unit.kind == "commune_party_committee")
        .order_by(Unit.id).limit(1))
    assert commune is not None
    # The current quarter's task with the most units: the heaviest task page.
    task = db.session.scalar(
        db.select(Task.id)
        .join(Task.quarter)
        .outerjoin(TaskUnit)
        .where(Quarter.year == 2023, Quarter.number == 2)
        .group_by(Task.id)
        .order_by(db.func.count(TaskUnit.unit_id).desc(), Task.id)
        .limit(1)
    )
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    counts = {}
    for page in PAGES + EXPORTS:
        if (
            page.split("?")[0].replace("{key}", "<key>") not in rules
            and page in EXPORTS
        ):
            continue
        path = page.format(key=KEY, previous="2023-Q1", unit=hnd, task=task,
                           commune=commune)
        client.get(path)  # the first request warms caches that are not statements
        # Tests share one session across requests; start each from an empty one, as
        # a request in production does. The page cache is emptied: what is counted
        # is the page built from the database.
        db.session.expunge_all()
        cache.clear()
        with count_queries() as statements:
            response = client.get(path)
            response.get_data()  # a streamed download reads as it is sent
        assert response.status_code == 200, (path, response.status_code)
        counts[page] = len(statements)
    client.post("/logout")
    return counts


def test_statements_do_not_grow_with_tasks_or_history(app, client, count_queries):
    small = _statements(app, client, count_queries, quarters=2, tasks=6, units=10)
    large = _statements(app, client, count_queries, quarters=14, tasks=30, units=40)
    differing = {
        page: (small[page], large[page]) for page in small if small[page] != large[page]
    }
    assert differing == {}
    # Flat in the data, and few: the summary (figures, the decisions box with its
    # extension requests and congresses due, the registry's models) and the task page
    # (comments, files, extensions, watching) are the heaviest, at 14.
    assert max(large.values()) <= 14, large


def test_healthz_needs_no_session_and_no_database(client, count_queries):
    with count_queries() as statements:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert statements == []
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_quarter_list_pages_by_twelve(client, login_as, db):
    generate(resolve_sizes(None, 14, 2, 8, seed=2), TODAY)
    login_as("viewer")
    first = page_text(client.get("/quarters/"))
    assert first.count('class="text-end quarter-rate"') == 12
    assert (
        "Trang 1/2" in first and "Quý II/2023" in first and "Quý II/2020" not in first
    )
    second = page_text(client.get("/quarters/?page=2"))
    assert second.count('class="text-end quarter-rate"') == 2
    assert "Quý II/2020" in second and "Quý II/2023" not in second
    for page in ("0", "99", "x"):
        assert client.get(f"/quarters/?page={page}").status_code == 200


def test_unit_page_lists_one_quarter(
    client, login_as, make_unit, make_quarter, make_task
):
    login_as("viewer")
    unit = make_unit("Hội Nông dân huyện", "HND")
    other = make_unit("Ban Dân vận", "BDV")
    q1, q2 = make_quarter(2023, 1), make_quarter(2023, 2)
    make_task(quarter=q1, lead=unit, title="Việc quý một")
    make_task(quarter=q2, lead=unit, title="Việc quý hai")
    make_task(quarter=q2, lead=other, participating=[unit], title="Việc cùng làm")
    text = page_text(client.get(f"/units/{unit.id}"))
    assert "Việc quý hai" in text and "Việc cùng làm" in text
    assert "Việc quý một" not in text
    text = page_text(client.get(f"/units/{unit.id}?quarter=2023-Q1"))
    assert "Việc quý một" in text and "Việc quý hai" not in text
    assert '<option value="2023-Q1" selected>' in text
    for bad in ("2023-Q9", "garbage", ""):
        response = client.get(f"/units/{unit.id}", query_string={"quarter": bad})
        assert response.status_code == 200 and "Việc quý hai" in page_text(response)


def test_units_list_counts_the_chosen_quarter(
    client, login_as, make_unit, make_quarter, make_task
):
    login_as("viewer")
    unit = make_unit("Hội Nông dân huyện", "HND")
    q1, q2 = make_quarter(2023, 1), make_quarter(2023, 2)
    for quarter, count in ((q1, 3), (q2, 1)):
        for i in range(count):
            make_task(quarter=quarter, lead=unit, title=f"Việc {i}")
    text = page_text(client.get("/units/"))
    assert "Số nhiệm vụ tính trong Quý II/2023." in text
    assert '<td class="text-end">1</td>' in text
    text = page_text(client.get("/units/?quarter=2023-Q1"))
    assert '<td class="text-end">3</td>' in text


@pytest.mark.parametrize(
    "today, expected",
    [
        (dt.date(2023, 5, 15), "2023-Q2"),
        (dt.date(2023, 12, 1), "2023-Q2"),
        (dt.date(2022, 1, 1), "2023-Q2"),
    ],
)
def test_current_quarter(db, make_quarter, today, expected):
    from tracker.quarters.services import current_quarter

    make_quarter(2023, 1)
    make_quarter(2023, 2)
    assert current_quarter(today).key == expected
