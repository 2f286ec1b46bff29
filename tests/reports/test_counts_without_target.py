"""Results without a target: a count with its unit of count, or no number at all; a
count not stated prints nothing, and ongoing work needs no percentage."""
import csv
import datetime as dt
import io
import re

from docx import Document

from tests.helpers import page_text, visible_text
from tracker.figures.services import quarter_figures
from tracker.initiatives.services import record_imported_counts

D = dt.date


def _body(client, key):
    document = Document(io.BytesIO(client.get(f"/quarters/{key}/report.docx").data))
    return "\n".join(p.text for p in document.paragraphs)


def _csv(client, key):
    text = client.get(f"/quarters/{key}/tasks.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_counts_without_target_and_unstated_counts_everywhere(
    client, login_as, make_quarter, make_unit, make_task
):
    quarter = make_quarter(2023, 2)
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    counted = make_task(quarter=quarter, lead=bdv, kind="propaganda",
                        title="Quán triệt Kết luận số 43-KL/TW", achieved_count=120,
                        target_label="lượt cán bộ dự", status="done", progress=100,
                        completed_on=D(2023, 4, 20))
    models = make_task(quarter=quarter, lead=bdv, kind="movement",
                       title="Phong trào thi đua “Dân vận khéo” năm 2023",
                       campaign_name="Dân vận khéo",
                       status="in_progress", progress=30)
    record_imported_counts(models, 46, 0)
    wordless = make_task(quarter=quarter, lead=bdv, kind="welfare",
                         title="Vận động xây dựng mô hình an sinh",
                         result="Nhiều mô hình được nhân rộng.", status="in_progress",
                         progress=20)
    planned = make_task(quarter=quarter, lead=bdv, kind="dialogue",
                        title="Đối thoại với nhân dân", target_count=4,
                        achieved_count=0, target_label="cuộc", status="in_progress",
                        progress=10)
    ongoing = make_task(quarter=quarter, lead=bdv, kind="monitoring",
                        title="Nắm tình hình nhân dân", is_recurring=True,
                        status="in_progress")
    login_as("viewer")

    board = visible_text(client.get("/quarters/2023-Q2/"))
    assert "Đạt được 120 lượt cán bộ dự" in board
    assert "0/4" not in board and "Chỉ tiêu 4 cuộc" in board
    board_html = page_text(client.get("/quarters/2023-Q2/"))
    ongoing_card = board_html.split(f">{ongoing.title}</a>")[1].split("</li>")[0]
    assert "progress-bar" not in ongoing_card and "0%" not in ongoing_card

    page = visible_text(client.get(f"/tasks/{counted.id}"))
    assert "120 lượt cán bộ dự" in page
    page = visible_text(client.get(f"/tasks/{models.id}"))
    assert "Mô hình đăng ký (số liệu nhập từ trước) 46" in page and "được công nhận" not in page.lower() \
        .replace("mô hình được công nhận / đăng ký", "")
    page = visible_text(client.get(f"/tasks/{wordless.id}"))
    assert "Nhiều mô hình được nhân rộng." in page and "Đạt được" not in page
    page = page_text(client.get(f"/tasks/{ongoing.id}"))
    assert "progress-wrap" not in page

    summary = visible_text(client.get("/quarters/2023-Q2/summary"))
    assert "mô hình đăng ký: 46" in summary
    assert "0/46" not in summary
    assert "Kết quả đếm được (không có chỉ tiêu)" in summary
    assert "Quán triệt Kết luận số 43-KL/TW : 120 lượt cán bộ dự" in summary
    figures = quarter_figures(quarter)
    assert [c["achieved"] for c in figures["counted"]] == [120]

    rows = {row["Tên nhiệm vụ"]: row for row in _csv(client, "2023-Q2")}
    row = rows[counted.title]
    assert row["Đạt được (số lượng)"] == "120" and row["Chỉ tiêu (số lượng)"] == ""
    assert rows[wordless.title]["Đạt được (số lượng)"] == ""
    # The models are the registry's, not columns of the plan.
    assert "Mô hình được công nhận" not in rows[models.title]

    body = _body(client, "2023-Q2")
    assert "đạt 120 lượt cán bộ dự" in body
    assert "46 mô hình “Dân vận khéo” đăng ký" in body
    assert "phong trào thi đua: 46 mô hình đăng ký." in body
    assert not re.search(r"(?<![\d/.])0 mô hình|(?<![\d/.])0/\d", body), body
    assert "Nhiều mô hình được nhân rộng." in body


def test_demo_has_a_count_without_a_target(demo, db):
    from tracker.boards import scope
    from tracker.models import Board, Task

    binh_son = db.session.scalar(db.select(Board).where(Board.code == "binh-son"))
    with scope.boards([binh_son.id]):
        task = db.session.scalar(db.select(Task).where(Task.kind == "propaganda"))
    assert task.target_text == "120 lượt cán bộ dự" and task.target_count is None
