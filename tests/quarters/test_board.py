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
    assert "Hoàn thành đúng hạn" in text


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


@pytest.mark.parametrize(
    "args",
    [{"unit": "abc"}, {"unit": "999999"}, {"kind": "<script>"}, {"status": "nope"},
     {"q": "x" * 5000}, {"unit": "-1"}],
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
