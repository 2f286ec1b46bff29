"""The issue's "done when", on the demo data, through the pages a leader uses.

A leader closes Q1 and then Q2 2023, carrying everything. Q2's summary, the quarter
list, the .docx, the .xlsx, the .csv and figures.json then state the same overdue
count (above 0) and the same rate (below 100%). Q3 as of its first week shows
nothing overdue; as of the day after its end its unfinished work is overdue, and the
.docx downloaded with that as_of is dated that day. A commune that only took part
scores its shares.
"""
import csv
import io
import re

from docx import Document
from openpyxl import load_workbook

from tests.helpers import page_text
from tracker.models import Quarter, Task, Unit
from tracker.reports import phrases


def _figures(client, key, query=""):
    response = client.get(f"/quarters/{key}/figures.json{query}")
    assert response.status_code == 200
    return response.get_json()


def _docx_text(client, url):
    document = Document(io.BytesIO(client.get(url).data))
    return document, "\n".join(p.text for p in document.paragraphs)


def test_done_when(client, login_as, demo, db):
    login_as("leader")
    for key in ("2023-Q1", "2023-Q2"):
        response = client.post(f"/quarters/{key}/close", data={"carry_all": "1"})
        assert response.status_code == 302, page_text(response)[:500]
    assert all(q.is_closed for q in db.session.scalars(
        db.select(Quarter).where(Quarter.number.in_((1, 2)))))

    q2 = _figures(client, "2023-Q2")
    overdue, rate = q2["overdue"], q2["rate"]
    assert overdue > 0 and rate < 1 and q2["as_of"] == "2023-07-01"
    assert q2["counts"]["overdue"] == overdue == sum(
        1 for task in q2["tasks"] if task["timeliness"] == "overdue")
    percent = phrases.percent(rate)

    summary = page_text(client.get("/quarters/2023-Q2/summary"))
    assert f'id="overdue">{overdue}<' in summary
    assert f'id="rate">{percent}<' in summary

    listing = page_text(client.get("/quarters/"))
    row = listing[listing.index('href="/quarters/2023-Q2/"'):]
    row = row[:row.index("</tr>")]
    assert f'quarter-overdue">{overdue}<' in row and f'quarter-rate">{percent}<' in row

    _, body = _docx_text(client, "/quarters/2023-Q2/report.docx")
    assert f"quá hạn chưa hoàn thành {overdue}." in body
    assert f"Tỷ lệ hoàn thành (số đã hoàn thành trên số đã hoàn thành và quá hạn): " \
           f"{percent}" in body

    book = load_workbook(io.BytesIO(client.get("/quarters/2023-Q2/report.xlsx").data))
    rows = {r[2]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert rows["overdue"] == rows["counts.overdue"] == overdue and rows["rate"] == rate

    text = client.get("/quarters/2023-Q2/tasks.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    column = table[0].index("Tiến độ so với hạn")
    late = [r for r in table[1:] if r[column] == "Quá hạn chưa hoàn thành"]
    assert len(late) == overdue

    # Q3, open: nothing overdue in its first week; its unfinished work is overdue the
    # day after its end, and the report downloaded then is dated that day.
    first_week = _figures(client, "2023-Q3", "?as_of=2023-07-07")
    assert first_week["counts"]["overdue"] == 0 and first_week["as_of"] == "2023-07-07"
    after = _figures(client, "2023-Q3", "?as_of=2023-10-01")
    unfinished = [t for t in after["tasks"] if t["status"] not in ("done", "cancelled")
                  and t["due_on"] and t["due_on"] <= "2023-09-30"]
    assert unfinished and after["counts"]["overdue"] == len(unfinished)
    assert all(t["timeliness"] == "overdue" for t in unfinished)
    document, body = _docx_text(client,
                                "/quarters/2023-Q3/report.docx?as_of=2023-10-01")
    date_line = document.tables[0].rows[0].cells[1].paragraphs[-1].text
    assert date_line == "Sơn Tịnh, ngày 01 tháng 10 năm 2023"
    assert "Kết quả chung (số liệu tính đến ngày 01/10/2023)" in body
    assert f"quá hạn chưa hoàn thành {len(unfinished)}." in body

    # A commune that only took part scores its shares: in Q2, Tịnh Hà did its share
    # of the grassroots-democracy task, Tịnh Trà did not.
    units = {u["name"]: u for u in q2["units"]}
    ha, tra = units["Đảng ủy xã Tịnh Hà"], units["Đảng ủy xã Tịnh Trà"]
    assert (ha["led"], ha["shares"], ha["done"], ha["overdue"], ha["rate"]) == (
        0, 1, 1, 0, 1.0)
    assert (tra["led"], tra["shares"], tra["done"], tra["overdue"], tra["rate"]) == (
        0, 1, 0, 1, 0.0)
    ha_id = db.session.scalar(db.select(Unit.id).where(Unit.short_name == "ĐU Tịnh Hà"))
    assert re.search(rf'id="unit-score-{ha_id}">.*?unit-shares">1<.*?unit-done">1<'
                     r'.*?unit-rate">100%<', summary)
    page = page_text(client.get(f"/units/{ha_id}?quarter=2023-Q2"))
    assert 'id="score-shares">1<' in page and 'id="score-rate">100%<' in page
    # Every overdue share and task is in Q2's record for good.
    democracy = db.session.scalar(db.select(Task).join(Task.quarter).where(
        Quarter.number == 2, Task.title.like("Thực hiện nghiêm túc%")))
    assert democracy.frozen_timeliness == "overdue"
