"""Searching every quarter: words without accents, filters, paging, saved searches."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.helpers import page_text, visible_text
from tracker.boards import scope
from tracker.models import Board, BoardMember, Quarter, SavedSearch, Unit
from tracker.quarters.rollover import close_quarter
from tracker.search import services

TITLES = {
    "dialogue": "Đối thoại với nhân dân xã Tịnh Hà",
    "congress": "Đại hội đại biểu Hội Nông dân huyện lần thứ XII",
    "movement": "Phong trào thi đua “Dân vận khéo”",
    "training": "Lớp tập huấn nghiệp vụ công tác dân vận",
    "review": "Sơ kết sáu tháng đầu năm",
}


@pytest.fixture
def years(db, make_unit, make_task, make_user):
    """Build Q1/2023 (closed), Q2/2023 (open, with overdue work) and Q3/2023."""
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    hnd = make_unit("Hội Nông dân huyện", "HND")
    mttq = make_unit("Ủy ban MTTQ huyện", "MTTQ", kind="front")
    xa = make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà", kind="commune_party_committee")
    leader = make_user("lanhdao", role="leader")
    q1 = Quarter(year=2023, number=1, state="active")
    q2 = Quarter(year=2023, number=2, state="active")
    q3 = Quarter(year=2023, number=3, state="planning")
    db.session.add_all([q1, q2, q3])
    db.session.commit()
    tasks = {
        "congress": make_task(quarter=q1, lead=hnd, coordinating=[bdv],
                              kind="congress", title=TITLES["congress"],
                              status="done", progress=100,
                              completed_on=dt.date(2023, 3, 10)),
        "dialogue": make_task(quarter=q2, lead=xa, kind="dialogue",
                              title=TITLES["dialogue"], status="in_progress",
                              progress=50, due_on=dt.date(2023, 4, 30)),
        "movement": make_task(quarter=q2, lead=bdv, participating=[xa],
                              kind="movement", title=TITLES["movement"]),
        "training": make_task(quarter=q2, lead=mttq, kind="training",
                              title=TITLES["training"], status="done", progress=100,
                              completed_on=dt.date(2023, 5, 1)),
        "review": make_task(quarter=q3, lead=bdv, kind="other",
                            title=TITLES["review"]),
    }
    close_quarter(q1, {}, leader)
    db.session.commit()
    return dict(tasks=tasks, units=dict(bdv=bdv, hnd=hnd, mttq=mttq, xa=xa),
                quarters=dict(q1=q1, q2=q2, q3=q3), leader=leader)


def _found(response):
    """Return the kinds of the fixture's tasks the page lists."""
    assert response.status_code == 200
    text = page_text(response)
    return {kind for kind, title in TITLES.items()
            if str(title).replace("“", "&#8220;") in text or title in text}


@pytest.mark.parametrize("q, expected", [
    ("dan van", {"movement", "training"}),
    ("DÂN VẬN", {"movement", "training"}),
    ("doi thoai tinh ha", {"dialogue"}),
    ("nong dan xii", {"congress"}),
    ("100%", set()),
    ("khong co gi", set()),
    ("", set(TITLES)),
])
def test_words_without_accents_find_tasks_of_every_quarter(client, login_as, years, q,
                                                           expected):
    login_as("viewer")
    assert _found(client.get("/search", query_string={"q": q})) == expected


FILTERS = [
    ({"kind": "congress"}, {"congress"}),
    ({"status": "done"}, {"congress", "training"}),
    ({"unit": "{hnd}"}, {"congress"}),
    ({"unit": "{bdv}"}, {"movement", "congress", "review"}),
    ({"unit": "{bdv}", "role": "lead"}, {"movement", "review"}),
    ({"unit": "{bdv}", "role": "coordinating"}, {"congress"}),
    ({"unit": "{xa}", "role": "participating"}, {"movement"}),
    ({"commune": "{xa}"}, {"dialogue", "movement"}),
    # Judged today (15/05/2023): the dialogue was due on 30/04.
    ({"timeliness": "overdue"}, {"dialogue"}),
    ({"timeliness": "done_on_time"}, {"congress", "training"}),
    ({"timeliness": "not_started"}, {"movement", "review"}),
    ({"from": "2023-Q2"}, {"dialogue", "movement", "training", "review"}),
    ({"to": "2023-Q1"}, {"congress"}),
    ({"from": "2023-Q2", "to": "2023-Q2"}, {"dialogue", "movement", "training"}),
    ({"from": "2023-Q3", "to": "2023-Q1"}, set()),
    ({"from": "2020-Q1", "to": "2030-Q4"}, set(TITLES)),
    ({"q": "dan van", "status": "done", "from": "2023-Q2"}, {"training"}),
]


@pytest.mark.parametrize("args, expected", FILTERS)
def test_each_filter(client, login_as, years, args, expected):
    login_as("viewer")
    ids = {name: unit.id for name, unit in years["units"].items()}
    args = {name: value.format(**ids) for name, value in args.items()}
    assert _found(client.get("/search", query_string=args)) == expected


def test_a_closed_quarter_is_judged_at_its_own_cutoff(db, years, app):
    """The timeliness filter classifies as the figures do, quarter by quarter."""
    from tracker.figures.counting import headlines

    with app.test_request_context():
        quarters = services.board_quarters()
        units = {unit.id: unit for unit in db.session.scalars(select(Unit))}
        today = dt.date(2023, 5, 15)
        for code in ("overdue", "done_on_time", "not_started"):
            page = services.search_page(services.Filters(timeliness=code), quarters,
                                        units, today)
            assert all(row.timeliness(quarter.cutoff(today)) == code
                       for row, quarter in page.rows)
        overdue = services.search_page(services.Filters(timeliness="overdue"),
                                       quarters, units, today)
        counted = headlines(quarters, today)
        assert overdue.total == sum(item["overdue"] for item in counted.values())


def test_a_row_shows_its_quarter_lead_status_and_timeliness(client, login_as, years):
    login_as("viewer")
    task = years["tasks"]["congress"]
    response = client.get("/search", query_string={"q": "dai hoi"})
    text = page_text(response)
    card = text[text.index(f'id="result-{task.id}"'):]
    card = card[:card.index("</li>")]
    assert f'href="/tasks/{task.id}"' in card
    assert "Quý I/2023" in card and 'href="/quarters/2023-Q1/"' in card
    assert "HND" in card
    assert "Đã hoàn thành" in card or "Hoàn thành" in card
    assert "timeliness-done_on_time" in card


@pytest.mark.parametrize("args, ignored", [
    ({"unit": "²"}, "Đơn vị"),
    ({"unit": "99999999999"}, "Đơn vị"),
    ({"unit": "2147483647"}, "Đơn vị"),
    ({"commune": "{hnd}"}, "Xã"),
    ({"kind": "nothing"}, "Loại công việc"),
    ({"status": "x"}, "Trạng thái"),
    ({"timeliness": "late"}, "Tiến độ"),
    ({"role": "boss"}, "Vai trò"),
    ({"from": "2023-Q5"}, "Từ quý"),
    ({"to": "Q1-2023"}, "Đến quý"),
    ({"page": "²"}, "Trang"),
    ({"page": "-1"}, "Trang"),
])
def test_bad_values_are_ignored_with_a_message(client, login_as, years, args, ignored):
    login_as("viewer")
    ids = {name: unit.id for name, unit in years["units"].items()}
    args = {name: value.format(**ids) for name, value in args.items()}
    args["q"] = "dan van"  # what is understood still applies
    response = client.get("/search", query_string=args)
    assert _found(response) == {"movement", "training"}
    text = page_text(response)
    assert 'id="ignored-filters"' in text
    message = text[text.index('id="ignored-filters"'):]
    assert ignored in message[:message.index("</div>")]


def test_nothing_ignored_says_nothing(client, login_as, years):
    login_as("viewer")
    text = page_text(client.get("/search?q=dan+van&from=2023-Q1&page=1"))
    assert 'id="ignored-filters"' not in text


def test_results_are_paged_newest_quarter_first(client, login_as, years, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    login_as("viewer")
    pages = [page_text(client.get(f"/search?page={number}")) for number in (1, 2, 3)]
    shown = [[kind for kind, title in TITLES.items() if title in page
              or title.replace("“", "&#8220;") in page] for page in pages]
    assert [sorted(kinds) for kinds in shown] == [
        ["dialogue", "review"], ["movement", "training"], ["congress"]]
    assert pages[0].index(TITLES["review"]) < pages[0].index(TITLES["dialogue"])
    assert 'id="search-pages"' in pages[0]
    # A page past the last shows the last.
    assert page_text(client.get("/search?page=99")).count('class="task-card') == 1
    # The page links keep the filters.
    filtered = page_text(client.get("/search?q=dan&page=1"))
    assert 'href="/search?page=2&amp;q=dan"' in filtered


def test_the_page_costs_the_same_statements_however_many_results(
        client, login_as, years, make_task, count_queries):
    login_as("viewer")
    client.get("/search")
    with count_queries() as few:
        assert client.get("/search?q=dan").status_code == 200
    for number in range(6):
        make_task(quarter=years["quarters"]["q2"], lead=years["units"]["hnd"],
                  coordinating=[years["units"]["bdv"]], title=f"Dân vận {number}")
    with count_queries() as many:
        assert client.get("/search?q=dan").status_code == 200
    assert len(many) == len(few) <= 10


# ------------------------------------------------------------------ saved searches

def _menu(response):
    """Return the names of the saved searches in the page's header menu."""
    text = page_text(response)
    return re.findall(r'class="dropdown-item text-wrap text-break nav-saved-search" '
                      r'href="([^"]*)">([^<]*)<', text)


def test_a_saved_search_appears_in_the_menu_of_every_page(client, login_as, years, db):
    user = login_as("viewer")
    # What the page would not have offered is refused.
    response = client.post("/search/saved", data={
        "name": "Đối thoại xã", "query": "q=doi+thoai&kind=dialogue&unit=²"})
    assert response.status_code == 400 and "Đơn vị" in page_text(response)
    response = client.post("/search/saved", data={
        "name": "  Đối thoại   xã ", "query": "q=doi+thoai&kind=dialogue&page=2"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=doi+thoai&kind=dialogue"
    saved = db.session.scalars(select(SavedSearch)).one()
    assert (saved.user_id, saved.name) == (user.id, "Đối thoại xã")
    assert saved.board_id == user.board_id
    for page in ("/quarters/", "/units/", "/search"):
        assert _menu(client.get(page)) == [
            ("/search?q=doi+thoai&amp;kind=dialogue", "Đối thoại xã")]
    assert _found(client.get("/search?q=doi+thoai&kind=dialogue")) == {"dialogue"}


def test_a_saved_search_is_renamed_and_forgotten(client, login_as, years, db):
    login_as("viewer")
    client.post("/search/saved", data={"name": "Đại hội", "query": "kind=congress"})
    client.post("/search/saved", data={"name": "Đối thoại", "query": "kind=dialogue"})
    first, second = db.session.scalars(select(SavedSearch).order_by(SavedSearch.id))
    # Two searches of one name are refused, on saving and on renaming.
    response = client.post("/search/saved", data={"name": "Đại hội", "query": ""})
    assert response.status_code == 400
    assert "Bạn đã lưu một tìm kiếm cùng tên" in page_text(response)
    response = client.post(f"/search/saved/{second.id}/rename",
                           data={"name": "Đại hội"})
    assert response.status_code == 400
    assert client.post(f"/search/saved/{first.id}/rename",
                       data={"name": "Các đại hội"}).status_code == 302
    assert [name for _url, name in _menu(client.get("/quarters/"))] == [
        "Các đại hội", "Đối thoại"]
    assert client.post(f"/search/saved/{first.id}/delete").status_code == 302
    assert [name for _url, name in _menu(client.get("/quarters/"))] == ["Đối thoại"]
    assert db.session.scalar(select(SavedSearch.id)) == second.id


@pytest.mark.parametrize("name", ["", "   ", "\u200b", "x" * 81, "a\x00b", "a\x07b"])
def test_a_name_is_required_and_plain(client, login_as, years, db, name):
    login_as("viewer")
    response = client.post("/search/saved", data={"name": name, "query": "q=a"})
    assert response.status_code == 400
    assert db.session.scalar(select(SavedSearch.id)) is None


def test_a_name_s_spaces_are_tidied(client, login_as, years, db):
    """The menu's list is read joined by a control character: no name holds one."""
    login_as("viewer")
    client.post("/search/saved", data={"name": " a\x1fb\x1c c\t", "query": ""})
    assert db.session.scalar(select(SavedSearch.name)) == "a b c"
    assert [name for _url, name in _menu(client.get("/quarters/"))] == ["a b c"]


def test_nobody_else_sees_or_changes_my_searches(client, login_as, years, db, app):
    login_as("staff", username="mine")
    client.post("/search/saved", data={"name": "Của tôi", "query": "kind=congress"})
    mine = db.session.scalars(select(SavedSearch)).one()
    client.post("/logout")
    login_as("staff", username="other")
    assert _menu(client.get("/quarters/")) == []
    assert "Của tôi" not in page_text(client.get("/search"))
    assert client.post(f"/search/saved/{mine.id}/rename",
                       data={"name": "Của người khác"}).status_code == 404
    assert client.post(f"/search/saved/{mine.id}/delete").status_code == 404
    db.session.expire_all()
    assert db.session.get(SavedSearch, mine.id).name == "Của tôi"


def test_a_person_keeps_at_most_thirty(client, login_as, years, db):
    login_as("viewer")
    for number in range(services.MAX_SAVED):
        assert client.post("/search/saved", data={
            "name": f"Tìm {number}", "query": ""}).status_code == 302
    response = client.post("/search/saved", data={"name": "Thêm", "query": ""})
    assert response.status_code == 400
    count = db.session.scalar(select(db.func.count(SavedSearch.id)))
    assert count == services.MAX_SAVED


# ------------------------------------------------------------------ boards

@pytest.fixture
def other_board(db, years, make_user):
    """Return another district with one task of its own."""
    board = Board(code="khac", name="Ban Dân vận huyện khác", level="district")
    db.session.add(board)
    db.session.flush()
    from tracker.tasks.services import create_task

    with scope.boards([board.id]):
        unit = Unit(name="Ban Dân vận huyện khác", short_name="BDV-K",
                    kind="party_board")
        quarter = Quarter(year=2023, number=2, state="active")
        db.session.add_all([unit, quarter])
        db.session.flush()
        create_task(quarter, dict(title="Dân vận khéo của huyện khác", kind="other",
                                  lead_unit_id=unit.id), None)
    db.session.commit()
    return board


def test_a_board_searches_only_its_own_tasks(client, login_as, other_board):
    login_as("viewer")
    text = page_text(client.get("/search?q=dan+van+kheo"))
    assert TITLES["movement"].split("“")[0] in text
    assert "huyện khác" not in visible_text(client.get("/search?q=dan+van+kheo"))
    assert client.get("/b/khac/search?q=dan").status_code in (403, 404)


def test_saved_searches_belong_to_their_board(client, login_as, other_board, db):
    user = login_as("staff", username="both")
    db.session.add(BoardMember(user_id=user.id, board_id=other_board.id, role="staff"))
    db.session.commit()
    response = client.post("/b/khac/search/saved",
                           data={"name": "Ở huyện khác", "query": "q=dan"})
    assert response.status_code == 302
    assert client.post("/search/saved",
                       data={"name": "Ở nhà", "query": "q=dan"}).status_code == 302
    home = [name for _url, name in _menu(client.get("/quarters/"))]
    away = [name for _url, name in _menu(client.get("/b/khac/quarters/"))]
    assert home == ["Ở nhà"] and away == ["Ở huyện khác"]
    saved = {row.name: row for row in db.session.scalars(
        select(SavedSearch), execution_options={"all_boards": True})}
    assert saved["Ở huyện khác"].board_id == other_board.id
    # Another board's search is not found from here.
    assert client.post(f"/search/saved/{saved['Ở huyện khác'].id}/delete"
                       ).status_code == 404
    away_page = page_text(client.get("/b/khac/search?q=dan"))
    assert "Dân vận khéo của huyện khác" in away_page
    assert TITLES["training"] not in away_page


def test_a_parent_board_reads_but_keeps_no_search_there(client, login_as, other_board,
                                                        db):
    from tracker.models import Board as BoardModel

    home = db.session.scalar(select(BoardModel).where(BoardModel.id != other_board.id)
                             .order_by(BoardModel.id))
    other_board.parent_id = home.id
    db.session.commit()
    login_as("leader", username="province")
    assert client.get("/b/khac/search?q=dan").status_code == 200
    assert client.post("/b/khac/search/saved",
                       data={"name": "Không được", "query": ""}).status_code == 403
    assert db.session.scalar(select(SavedSearch.id),
                             execution_options={"all_boards": True}) is None
