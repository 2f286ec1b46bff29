"""The quarter board: grouping, filters, search, and a statement count that stays flat."""
import pytest

from tests.helpers import page_text


@pytest.fixture
def board(make_quarter, make_unit, make_task):
    """Build a quarter with tasks of several kinds and units."""
    quarter = make_quarter(2023, 2)
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV")
    hnd = make_unit("Hội Nông dân huyện", "HND")
    mttq = make_unit("Ủy ban MTTQ huyện", "MTTQ")
    make_task(quarter=quarter, lead=bdv, kind="movement",
              title="Phong trào thi đua “Dân vận khéo” năm 2023")
    make_task(quarter=quarter, lead=hnd, coordinating=[bdv], kind="congress",
              title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII",
              status="in_progress", progress=40)
    make_task(quarter=quarter, lead=mttq, kind="movement",
              title="Cuộc vận động “Ngày vì người nghèo”")
    make_task(quarter=quarter, lead=bdv, kind="training", title="Lớp tập huấn nghiệp vụ",
              status="done", progress=100)
    return {"quarter": quarter, "bdv": bdv, "hnd": hnd, "mttq": mttq}


def _titles(response):
    text = page_text(response)
    return {
        title for title in (
            "Dân vận khéo", "Hội Nông dân huyện lần thứ XII", "Ngày vì người nghèo",
            "Lớp tập huấn nghiệp vụ",
        ) if title in text
    }


def test_board_groups_tasks_by_kind(client, login_as, board):
    login_as("viewer")
    text = page_text(client.get("/quarters/2023-Q2/"))
    assert 'id="kind-movement"' in text and 'id="kind-congress"' in text
    assert text.index('id="kind-movement"') < text.index('id="kind-congress"')
    assert "Phong trào, cuộc vận động" in text
    assert "4 nhiệm vụ" in text
    # The training course is done without a completion date: neither on time nor late.
    assert "Hoàn thành (không ghi ngày)" in text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("dan van kheo", {"Dân vận khéo"}),
        ("DÂN VẬN KHÉO", {"Dân vận khéo"}),
        ("nong dan", {"Hội Nông dân huyện lần thứ XII"}),
        ("nguoi ngheo", {"Ngày vì người nghèo"}),
        ("dai hoi xii", {"Hội Nông dân huyện lần thứ XII"}),
        ("100%", set()),
        ("khong co gi", set()),
    ],
)
def test_search_ignores_diacritics_and_case(client, login_as, board, query, expected):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/", query_string={"q": query})
    assert response.status_code == 200
    assert _titles(response) == expected


def test_unit_filter_matches_lead_and_coordinating(client, login_as, board):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/", query_string={"unit": board["bdv"].id})
    assert _titles(response) == {
        "Dân vận khéo", "Hội Nông dân huyện lần thứ XII", "Lớp tập huấn nghiệp vụ"
    }


def test_kind_and_status_filters(client, login_as, board):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/", query_string={"kind": "movement"})
    assert _titles(response) == {"Dân vận khéo", "Ngày vì người nghèo"}
    response = client.get("/quarters/2023-Q2/", query_string={"status": "done"})
    assert _titles(response) == {"Lớp tập huấn nghiệp vụ"}


def test_timeliness_filter_keeps_one_class_at_the_cutoff(client, login_as, board,
                                                         make_task):
    """The API's ?timeliness= is the board's: the same service, the same classes."""
    import datetime as dt

    make_task(quarter=board["quarter"], lead=board["mttq"], kind="other",
              title="Báo cáo quá hạn", due_on=dt.date(2023, 5, 1))
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/", query_string={"timeliness": "overdue"})
    text = page_text(response)
    assert "Báo cáo quá hạn" in text and _titles(response) == set()
    assert '<option value="overdue" selected>' in text
    started = client.get("/quarters/2023-Q2/",
                         query_string={"timeliness": "in_progress_on_time"})
    assert _titles(started) == {"Hội Nông dân huyện lần thứ XII"}
    assert "Báo cáo quá hạn" not in page_text(started)


@pytest.mark.parametrize(
    "args",
    [{"unit": "abc"}, {"unit": "999999"}, {"kind": "<script>"}, {"status": "nope"},
     {"q": "x" * 5000}, {"unit": "-1"}, {"timeliness": "<script>"}],
)
def test_unknown_filter_values_are_ignored(client, login_as, board, args):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/", query_string=args)
    assert response.status_code == 200
    assert "<script>" not in page_text(response).split("<body>")[1].split("</nav>")[1]


def test_board_statement_count_does_not_grow_with_tasks(
    client, login_as, make_quarter, make_unit, make_task, count_queries
):
    login_as("viewer")
    quarter = make_quarter(2023, 3)
    units = [make_unit() for _ in range(4)]

    def add(n):
        for i in range(n):
            make_task(quarter=quarter, lead=units[i % 4], coordinating=units[:2],
                      participating=units[2:], kind="dialogue", title=f"Task {i}")

    add(3)
    with count_queries() as few:
        assert client.get("/quarters/2023-Q3/").status_code == 200
    add(30)
    with count_queries() as many:
        assert client.get("/quarters/2023-Q3/").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 8


def _card_ids(response):
    import re

    html = response.get_data(as_text=True)
    part = html.split('id="task-count"', 1)[1]
    return [int(n) for n in re.findall(r'class="fw-semibold task-title[^"]*" href="[^"]*/tasks/(\d+)"', part)]


@pytest.fixture
def large_board(make_quarter, make_unit, make_task):
    """A quarter of 130 tasks: 70 movements, 60 training courses, some done."""
    import datetime as dt

    quarter = make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    ids = {"movement": [], "training": []}
    for n in range(130):
        kind = "movement" if n % 13 < 7 else "training"
        done = n % 10 == 0
        task = make_task(quarter=quarter, lead=unit, kind=kind, title=f"Việc số {n}",
                         due_on=dt.date(2023, 4, 1) + dt.timedelta(days=n % 60),
                         status="done" if done else "in_progress",
                         progress=100 if done else 30,
                         completed_on=dt.date(2023, 4, 1) if done else None)
        ids[kind].append(task.id)
    return quarter, ids


def test_a_large_board_pages_its_rows_and_counts_the_whole_quarter(
        client, login_as, large_board):
    quarter, ids = large_board
    login_as("viewer")
    first = client.get("/quarters/2023-Q2/")
    text = page_text(first)
    shown = _card_ids(first)
    assert len(shown) == 100 and "130 nhiệm vụ" in text
    assert "1–100" in text and 'id="board-pages"' in text
    # Plan order: the kinds in their fixed order, each as planned; the group headers
    # count the whole quarter, not the page.
    assert shown == sorted(ids["movement"]) + sorted(ids["training"])[:30]
    html = first.get_data(as_text=True)
    assert 'id="kind-training"' in html and "(60)" in html and "(70)" in html
    second = client.get("/quarters/2023-Q2/?page=2")
    assert _card_ids(second) == sorted(ids["training"])[30:]
    assert "101–130" in page_text(second)
    # The whole quarter's figures, as the quarter list and figures.json state them.
    figures = client.get("/quarters/2023-Q2/figures.json").get_json()
    whole = html.split('id="whole-quarter"', 1)[1].split("</p>", 1)[0]
    assert f'whole-done">{figures["done"]}<' in whole
    assert f'whole-overdue">{figures["overdue"]}<' in whole
    # Unfiltered, the classes are counted with the kinds; filtered, on their own:
    # the whole quarter's line reads the same.
    for query in ("kind=training", "status=done", "page=2"):
        other = client.get(f"/quarters/2023-Q2/?{query}").get_data(as_text=True)
        assert other.split('id="whole-quarter"', 1)[1].split("</p>", 1)[0] == whole
    # A page past the last shows the last; nonsense is the first page; never a 500.
    assert _card_ids(client.get("/quarters/2023-Q2/?page=99")) == _card_ids(second)
    for query in ("page=abc", "page=-3", "per_page=7", "sort=%3Cx%3E"):
        response = client.get(f"/quarters/2023-Q2/?{query}")
        assert response.status_code == 200, query
        assert _card_ids(response) == shown, query
    huge = client.get("/quarters/2023-Q2/?page=99999999999999999999")
    assert _card_ids(huge) == _card_ids(second)


def test_filters_and_order_apply_before_paging_and_links_keep_them(
        client, login_as, large_board):
    quarter, ids = large_board
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/?kind=training&per_page=50")
    assert _card_ids(response) == sorted(ids["training"])[:50]
    assert "60 nhiệm vụ" in page_text(response)
    html = response.get_data(as_text=True)
    nav = html.split('id="board-pages"', 1)[1]
    assert "page=2" in nav and "kind=training" in nav and "per_page=50" in nav
    following = client.get("/quarters/2023-Q2/?kind=training&per_page=50&page=2")
    assert _card_ids(following) == sorted(ids["training"])[50:]
    # By due date across the kinds, work due first on the first page.
    from tracker.extensions import db
    from tracker.models import Task

    by_due = [task.id for task in db.session.scalars(
        db.select(Task).where(Task.quarter_id == quarter.id)
        .order_by(Task.due_on, Task.id))]
    assert _card_ids(client.get("/quarters/2023-Q2/?sort=due")) == by_due[:100]
    assert _card_ids(client.get("/quarters/2023-Q2/?sort=due&page=2")) == by_due[100:]


def test_a_district_quarter_shows_on_one_page(client, login_as, board):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/")
    assert len(_card_ids(response)) == 4
    assert 'id="board-pages"' not in response.get_data(as_text=True)
