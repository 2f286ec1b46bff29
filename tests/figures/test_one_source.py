"""Every surface states the numbers figures.json states: one computation, many views.

Generated quarters (tracker.generate: shared tasks, carried chains, closed quarters)
are read through the summary page, the quarter list, a unit's page, the .docx, the
.xlsx, the .csv and the print view, for an open quarter at an as_of and for a closed
one, and each number is compared with the figures served as JSON.
"""
import csv
import datetime as dt
import io
import re
from collections import Counter

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.helpers import page_text, print_rows, scorecard_in_print
from tracker.generate import generate, resolve_sizes
from tracker.reports import phrases
from tracker.reports.services import UNIT_TABLE_HEADER

TODAY = dt.date(2023, 5, 15)
LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "done": "Hoàn thành (không ghi ngày)",
    "in_progress_on_time": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "not_started": "Chưa thực hiện",
    "no_deadline": "Thường xuyên (không thời hạn)",
    "cancelled": "Dừng thực hiện",
}


@pytest.fixture
def generated(client, db):
    """Generate three quarters (two closed, 2023-Q2 open) and sign in as the leader."""
    generate(resolve_sizes(None, 3, 24, 16, seed=5), TODAY)
    db.session.expire_all()
    response = client.post("/login", data={"username": "lanhdao", "password": "demo"})
    assert response.status_code == 302


def _json(client, key, query):
    response = client.get(f"/quarters/{key}/figures.json{query}")
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


def _number(text, pattern):
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


def _summary_numbers(text):
    """Return what the summary page states: headline, classes, unit rows."""
    stated = {name: int(_number(text, f'id="{name}">(\\d+)<'))
              for name in ("total", "done", "overdue")}
    stated["rate"] = _number(text, 'id="rate">([^<]*)<')
    stated["counts"] = {
        code: int(_number(text, f'timeliness-row-{code}"><th[^>]*>[^<]*</th>'
                                f'<td class="text-end">(\\d+)<'))
        for code in LABELS
    }
    stated["units"] = {}
    for unit_id, led, shares, done, overdue, rate in re.findall(
        r'id="unit-score-(\d+)">.*?unit-led">(\d+)<.*?unit-shares">(\d+)<.*?'
        r'unit-done">(\d+)<.*?unit-overdue">(\d+)<.*?unit-rate">([^<]*)<', text
    ):
        stated["units"][int(unit_id)] = (int(led), int(shares), int(done),
                                         int(overdue), rate)
    return stated


def _percent(rate):
    return phrases.percent(rate) if rate is not None else "—"


@pytest.mark.parametrize("key, query, cutoff", [
    ("2023-Q2", "?as_of=2023-06-10", "2023-06-10"),  # open: at the date asked for
    ("2023-Q1", "?as_of=2023-02-01", "2023-04-01"),  # closed: its own cut-off
])
def test_every_surface_states_the_figures_json_numbers(client, generated, key, query,
                                                       cutoff):
    figures = _json(client, key, query)
    assert figures["as_of"] == cutoff
    classes = Counter(task["timeliness"] for task in figures["tasks"])
    assert figures["counts"] == {code: classes.get(code, 0) for code in LABELS}
    assert figures["overdue"] > 0 and figures["total"] == len(figures["tasks"])
    shared = [unit for unit in figures["units"] if unit["shares"]]
    assert shared, "the generated quarter has shares to score"

    # The summary page.
    text = page_text(client.get(f"/quarters/{key}/summary{query}"))
    day = dt.date.fromisoformat(cutoff).strftime("%d/%m/%Y")
    assert f"Số liệu tính đến ngày {day}" in text
    stated = _summary_numbers(text)
    assert {name: stated[name] for name in ("total", "done", "overdue")} == {
        name: figures[name] for name in ("total", "done", "overdue")}
    assert stated["rate"] == _percent(figures["rate"])
    assert stated["counts"] == figures["counts"]
    assert stated["units"] == {
        unit["id"]: (unit["led"], unit["shares"], unit["done"], unit["overdue"],
                     _percent(unit["rate"]))
        for unit in figures["units"]}

    # The quarter list (the open quarter counted at as_of, the closed one stored).
    text = page_text(client.get(f"/quarters/{query}"))
    row = text[text.index(f'href="/quarters/{key}/"'):]
    row = row[:row.index("</tr>")]
    assert f'quarter-overdue">{figures["overdue"]}<' in row
    assert f'quarter-rate">{_percent(figures["rate"])}<' in row

    # A unit's page: its scorecard is its row of the figures.
    unit = shared[0]
    text = page_text(client.get(f"/units/{unit['id']}?quarter={key}&"
                                f"{query.lstrip('?')}"))
    for name in ("led", "shares", "done", "overdue"):
        assert f'id="score-{name}">{unit[name]}<' in text
    assert f'id="score-rate">{_percent(unit["rate"])}<' in text

    # The .docx: the figures' paragraphs and the unit table, and its date.
    document = Document(io.BytesIO(client.get(f"/quarters/{key}/report.docx{query}"
                                              ).data))
    body = "\n".join(p.text for p in document.paragraphs)
    for paragraph in phrases.figures_paragraphs(figures):
        assert paragraph in body
    table = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert tuple(table[0]) == UNIT_TABLE_HEADER
    scored = [u for u in figures["units"] if u["led"] or u["shares"]]
    assert [row[1:] for row in table[1:]] == [
        [u["name"], str(u["led"]), str(u["shares"]), str(u["coordinated"]),
         str(u["done"]), str(u["overdue"]), phrases.percent(u["rate"]) or "–"]
        for u in scored]
    if not figures["closed"]:
        date_line = document.tables[0].rows[0].cells[1].paragraphs[-1].text
        assert date_line.endswith(phrases.header_date("", dt.date.fromisoformat(
            cutoff)))

    # The .xlsx: its summary sheet, its units and its shares.
    book = load_workbook(io.BytesIO(client.get(f"/quarters/{key}/report.xlsx{query}"
                                               ).data))
    rows = {row[2]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2,
                                                                 values_only=True)}
    assert rows["as_of"].date().isoformat() == cutoff
    assert {code: rows[f"counts.{code}"] for code in LABELS} == figures["counts"]
    assert (rows["total"], rows["done"], rows["overdue"]) == (
        figures["total"], figures["done"], figures["overdue"])
    assert rows["rate"] == (figures["rate"] if figures["rate"] is not None else "")
    units = [row for row in book["Theo đơn vị"].iter_rows(min_row=2,
                                                          values_only=True)]
    assert [(r[0], r[2], r[3], r[7], r[8]) for r in units] == [
        (u["name"], u["led"], u["shares"], u["done"], u["overdue"])
        for u in figures["units"]]
    shares = list(book["Phần việc của các đơn vị"].iter_rows(min_row=2,
                                                             values_only=True))
    assert len(shares) == sum(len(task["shares"]) for task in figures["tasks"])
    assert Counter(row[7] for row in shares) == Counter(
        LABELS[share["timeliness"]] for task in figures["tasks"]
        for share in task["shares"])
    task_sheet = book["Nhiệm vụ"]
    header = [cell.value for cell in task_sheet[1]]
    tallied = Counter(row[header.index("Tiến độ so với hạn")]
                      for row in task_sheet.iter_rows(min_row=2, values_only=True))
    assert tallied == Counter({LABELS[c]: n for c, n in figures["counts"].items() if n})

    # The .csv: one row per task, its class and the cut-off it is judged at.
    response = client.get(f"/quarters/{key}/tasks.csv{query}")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    tallied = Counter(row[header.index("Tiến độ so với hạn")] for row in rows)
    assert tallied == Counter({LABELS[c]: n for c, n in figures["counts"].items() if n})
    assert {row[header.index("Số liệu tính đến ngày")] for row in rows} == {day}

    # The print view: its date, every stopped task counted, and each unit's row
    # what the scorecard counts (tasks led and shares, done and overdue).
    text = page_text(client.get(f"/quarters/{key}/print{query}"))
    assert f"Số liệu tính đến ngày {day}" in text
    printed = print_rows(text)
    empty = dict(done=0, in_progress=0, not_started=0, overdue=0)
    assert {unit_id: (sum(printed.get(unit_id, empty)[name] for name in
                          ("done", "in_progress", "not_started")),
                      printed.get(unit_id, empty)["done"],
                      printed.get(unit_id, empty)["overdue"])
            for unit_id in scorecard_in_print(figures)} == scorecard_in_print(figures)
    assert text.count("(quá hạn)") == figures["overdue"] + sum(
        1 for task in figures["tasks"] for share in task["shares"]
        if share["timeliness"] == "overdue" and task["timeliness"] != "cancelled")
