"""A parent board reads its children's quarter side by side, from their own records.

The province's summary, figures.json and workbook of quarter Q list each child board
with the figures that child's own figures.json states; the totals are their sums plus
the province's own tasks; the cost does not grow with the number of children.
"""
import datetime as dt
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import visible_text
from tracker.boards import scope
from tracker.models import Board, Quarter, Task, Unit
from tracker.tasks.timeliness import TIMELINESS

D = dt.date


def _sign_in(client, username):
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_json()


def test_the_province_reads_both_districts_with_totals_equal_to_their_sums(
        client, demo):
    _sign_in(client, "lanhdao_tinh")
    as_of = "2023-03-25"
    province = _json(client, f"/quarters/2023-Q1/figures.json?as_of={as_of}")
    codes = [entry["code"] for entry in province["boards"]]
    assert set(codes) == {"son-tinh", "binh-son"}
    children = {}
    for entry in province["boards"]:
        assert entry["figures_url"].endswith(
            f"/b/{entry['code']}/quarters/2023-Q1/figures.json?as_of={as_of}")
        # The child's own document, read by the province as any script would.
        path = entry["figures_url"].split("://", 1)[1].split("/", 1)[1]
        child = _json(client, "/" + path)
        assert "boards" not in child
        assert entry["counts"] == child["counts"] and entry["rate"] == child["rate"]
        assert child["as_of"] == as_of
        children[entry["code"]] = child
    own = province["own"]["counts"]
    for code in TIMELINESS:
        assert province["counts"][code] == own[code] + sum(
            child["counts"][code] for child in children.values())
    assert province["total"] == province["own"]["total"] + sum(
        child["total"] for child in children.values())
    assert province["total"] > province["own"]["total"] > 0
    done = sum(province["counts"][c] for c in ("done_on_time", "done_late", "done"))
    owed = done + province["counts"]["overdue"]
    assert province["rate"] == (done / owed if owed else None)

    # The summary states the same numbers, with a link into each district.
    text = visible_text(client.get(f"/quarters/2023-Q1/summary?as_of={as_of}"))
    assert "Các ban cấp dưới" in text
    page = client.get(f"/quarters/2023-Q1/summary?as_of={as_of}").get_data(as_text=True)
    for code, child in children.items():
        assert (f'href="/b/{code}/quarters/2023-Q1/summary?as_of={as_of}"') in page
        row = page.split(f'id="rollup-{code}"', 1)[1].split("</tr>", 1)[0]
        assert f'rollup-total">{child["total"]}<' in row
        assert f'rollup-overdue">{child["overdue"]}<' in row
    totals = page.split('id="rollup-totals"', 1)[1].split("</tr>", 1)[0]
    assert f'rollup-total">{province["total"]}<' in totals
    assert f'rollup-overdue">{province["overdue"]}<' in totals

    # The link is the district's page, read only for the province.
    district = client.get(f"/b/son-tinh/quarters/2023-Q1/summary?as_of={as_of}")
    assert district.status_code == 200
    assert client.get("/b/son-tinh/tasks/new?quarter=2023-Q1").status_code in (403, 404)


def test_the_workbook_has_a_sheet_per_district(client, demo):
    _sign_in(client, "lanhdao_tinh")
    as_of = "2023-03-25"
    province = _json(client, f"/quarters/2023-Q1/figures.json?as_of={as_of}")
    response = client.get(f"/quarters/2023-Q1/report.xlsx?as_of={as_of}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    names = {entry["code"]: entry["name"] for entry in province["boards"]}
    for code, name in names.items():
        assert name in book.sheetnames
        sheet = book[name]
        values = {row[2]: row[1] for row in sheet.iter_rows(values_only=True)
                  if row and len(row) > 2 and row[2]}
        child = _json(client, f"/b/{code}/quarters/2023-Q1/figures.json?as_of={as_of}")
        assert values["total"] == child["total"]
        assert values["overdue"] == child["overdue"]
        titles = {row[1] for row in sheet.iter_rows(values_only=True) if row}
        assert {task["title"] for task in child["tasks"]} <= titles
    side = book["Các ban cấp dưới"]
    rows = list(side.iter_rows(values_only=True))
    assert rows[-1][0] == "Tổng cộng" and rows[-1][2] == province["total"]
    assert rows[-1][4] == province["overdue"]


def test_a_district_sees_no_roll_up_and_not_its_province(client, demo):
    _sign_in(client, "lanhdao")
    summary = client.get("/quarters/2023-Q1/summary").get_data(as_text=True)
    assert 'id="rollup"' not in summary
    assert "boards" not in _json(client, "/quarters/2023-Q1/figures.json")
    assert client.get("/b/quang-ngai/quarters/2023-Q1/summary").status_code == 404
    assert client.get("/b/quang-ngai/quarters/2023-Q1/figures.json").status_code == 404
    _sign_in(client, "lanhdao_binhson")
    assert client.get("/b/quang-ngai/quarters/2023-Q1/figures.json").status_code == 404
    assert client.get("/b/son-tinh/quarters/2023-Q1/figures.json").status_code == 404


def _district(db, parent, number, tasks=3):
    board = Board(code=f"d{number}", name=f"Ban Dân vận huyện {number}",
                  level="district", parent_id=parent.id)
    db.session.add(board)
    db.session.flush()
    with scope.boards([board.id], writing=board.id):
        unit = Unit(name=f"Ban Dân vận huyện {number}", short_name=f"BDV{number}",
                    kind="party_board")
        quarter = Quarter(year=2023, number=1, state="active")
        db.session.add_all([unit, quarter])
        db.session.flush()
        for index in range(tasks):
            db.session.add(Task(
                quarter_id=quarter.id, lead_unit_id=unit.id, kind="other",
                title=f"Việc {index} của huyện {number}", due_on=D(2023, 3, 1),
                status="done" if index % 2 else "in_progress",
                progress=100 if index % 2 else 40,
                completed_on=D(2023, 2, 1) if index % 2 else None))
        db.session.flush()
    return board


def test_the_roll_up_costs_the_same_for_two_districts_or_six(
        app, client, db, login_as, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)  # count the page's own work
    parent = db.session.scalar(select(Board).order_by(Board.id))
    with scope.boards([parent.id], writing=parent.id):
        db.session.add(Quarter(year=2023, number=1, state="active"))
        db.session.flush()
    for number in range(2):
        _district(db, parent, number)
    db.session.commit()
    login_as("leader")

    def cost(url):
        client.get(url)  # warm: the first request loads what every request shares
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = ("/quarters/2023-Q1/figures.json?as_of=2023-03-25",
            "/quarters/2023-Q1/summary?as_of=2023-03-25")
    few = [cost(url) for url in urls]
    two = _json(client, urls[0])
    assert len(two["boards"]) == 2 and two["counts"]["overdue"] == 4
    for number in range(2, 6):
        _district(db, parent, number, tasks=5)
    db.session.commit()
    many = [cost(url) for url in urls]
    six = _json(client, urls[0])
    assert len(six["boards"]) == 6 and six["total"] == 2 * 3 + 4 * 5
    assert many == few
