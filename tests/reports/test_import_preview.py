"""The plan import's preview shows what will be stored, reads kinds however they are
written, and its messages about a kind's own columns name the kinds."""
import csv
import datetime as dt
import html
import io
import re

import pytest
from docx import Document
from flask_babel import force_locale
from openpyxl import load_workbook

from tests.helpers import page_text
from tracker.models import KINDS, Task
from tracker.reports.columns import IMPORT_COLUMNS, header
from tracker.reports.imports import PREVIEW_CELLS, PlanRow
from tracker.tasks.kinds import AREA_HEADINGS, KIND_TABLE, kind_of
from tracker.text import fold

D = dt.date


@pytest.fixture
def q3(make_quarter, units):
    """An empty, open 2023-Q3 with the plan files' units."""
    return make_quarter(2023, 3, state="planning")


def _preview(upload, xlsx_file, rows):
    """Upload a file whose header is every importable column, in Vietnamese."""
    head = [header(column) for column in IMPORT_COLUMNS]
    body = [[row.get(column.key, "") for column in IMPORT_COLUMNS] for row in rows]
    return upload("2023-Q3", xlsx_file([head] + body))


def _confirm(client, response):
    token = page_text(response).split('name="token" value="')[1].split('"')[0]
    return client.post("/quarters/2023-Q3/import/confirm", data={"token": token})


@pytest.mark.parametrize("cell, code", [
    ("meeting", "meeting"),
    ("MEETING", "meeting"),
    ("Meeting, briefing", "meeting"),  # the English label
    ("Hội nghị, giao ban, trực báo", "meeting"),
    ("HỘI NGHỊ, GIAO BAN, TRỰC BÁO", "meeting"),
    ("hoi nghi, giao ban, truc bao", "meeting"),
    ("Hội nghị giao ban trực báo", "meeting"),  # without its commas
    ("  Sơ kết,  tổng kết ", "review"),
    ("ETHNIC_RELIGIOUS", "ethnic_religious"),
    ("ethnic religious", "ethnic_religious"),
    ("Vận động nhân dân", "mobilisation"),
    ("Công tác vận động quần chúng", "mobilisation"),  # its former label
])
def test_the_kind_is_read_by_code_or_label_whatever_the_case_and_accents(
        client, login_as, db, q3, xlsx_file, upload, cell, code):
    login_as("staff")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"],
        [cell, "Nhiệm vụ mới", "BDV"],
    ]))
    assert response.status_code == 200, page_text(response)
    assert _confirm(client, response).status_code == 302
    assert db.session.scalars(db.select(Task.kind)).all() == [code]


def test_an_unknown_kind_is_a_row_problem(login_as, db, q3, xlsx_file, upload):
    login_as("staff")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"],
        ["Hội nghị giao", "Nhiệm vụ mới", "BDV"],
    ]))
    assert response.status_code == 400
    assert "Không có loại công việc “Hội nghị giao”." in page_text(response)


def test_the_preview_shows_every_column_it_stores():
    """Each column the importer reads has a cell of its own or a line under the
    title: a column added to the importer shows without a change to the page."""
    row = PlanRow(row=2, data={})
    codes = {column.key for column in IMPORT_COLUMNS}
    assert set(PREVIEW_CELLS) <= codes
    listed = codes - set(PREVIEW_CELLS)
    # The lines come from the importer's own list of columns.
    assert listed >= {"co_lead", "participating", "scope", "completed_on", "result",
                      "target_count", "achieved_count", "target_label",
                      "source_document", "is_recurring", "description",
                      "campaign_name", "delegates", "chair", "participants"}
    assert row.details == []


# Every importable column filled, over rows of the kinds whose own columns they are.
COMMON = dict(
    lead_unit="Ban Dân vận Huyện ủy Sơn Tịnh", co_lead="Ủy ban MTTQ Việt Nam huyện "
    "Sơn Tịnh", coordinating="Hội Nông dân huyện Sơn Tịnh",
    source_document="Kế hoạch số 31-KH/BDVHU", target_label="cuộc",
)
FULL_ROWS = [
    dict(COMMON, kind="Đại hội", title="Đại hội Hội Nông dân huyện lần thứ XII",
         participating="Đảng ủy xã Tịnh Trà", scope="ĐU Tịnh Trà, Đảng ủy xã Tịnh Hiệp",
         due_on="30/09/2023", status="Hoàn thành", progress=100,
         completed_on="10/05/2023", result="Đại hội thành công tốt đẹp.",
         target_count=1, achieved_count=1, is_recurring="", description="Hai ngày.\n"
         "Tại hội trường huyện.", organisation="Hội Nông dân huyện Sơn Tịnh",
         congress_ordinal=12, term_start=2023, term_end=2028, held_on="10/05/2023",
         delegates=150),
    dict(COMMON, kind="Lớp tập huấn", title="Tập huấn nghiệp vụ dân vận",
         audience="Cán bộ dân vận các xã", sessions=3, trainees_planned=180,
         trainees_attended=176, status="Đang thực hiện", progress=40,
         due_on="15/09/2023"),
    dict(COMMON, kind="dialogue", title="Bí thư Huyện ủy đối thoại với nhân dân",
         chair="Bí thư Huyện ủy", commune="xã Tịnh Hiệp", participants=230,
         is_recurring="có"),
    dict(COMMON, kind="movement", title="Phong trào “Dân vận khéo”",
         campaign_name="Dân vận khéo năm 2023"),
]


# How the preview shows a value that is not shown as it was typed.
SHOWN = {
    ("kind", "dialogue"): ["Tiếp xúc, đối thoại với nhân dân"],
    ("kind", "movement"): ["Phong trào, cuộc vận động"],
    ("coordinating", COMMON["coordinating"]): ['data-label="Đơn vị phối hợp">HND<'],
    # Communes by their names, however the file names them.
    ("scope", FULL_ROWS[0]["scope"]): [
        "Địa bàn (xã): Đảng ủy xã Tịnh Trà, Đảng ủy xã Tịnh Hiệp"],
    ("is_recurring", "có"): ["Công việc thường xuyên: Có"],
    ("progress", 100): ['data-label="Tiến độ">100%<'],
    ("progress", 40): ['data-label="Tiến độ">40%<'],
    ("term_start", 2023): ["Nhiệm kỳ từ năm: 2023"],
    ("term_end", 2028): ["Nhiệm kỳ đến năm: 2028"],
}


def test_a_file_with_every_column_shows_every_value_before_it_is_stored(
        client, login_as, db, q3, units, xlsx_file, upload):
    login_as("leader")
    response = _preview(upload, xlsx_file, FULL_ROWS)
    text = html.unescape(page_text(response))
    assert response.status_code == 200, text
    for column in IMPORT_COLUMNS:
        values = [row[column.key] for row in FULL_ROWS if row.get(column.key)]
        assert values, f"the file fills the column {column.key}"
        for value in values:
            shown = SHOWN.get((column.key, value), str(value).split("\n"))
            for part in shown:
                assert part in text, (column.key, part)
        if column.key not in PREVIEW_CELLS:
            assert f'data-column="{column.key}">{header(column)}: ' in text, column.key
    # And what the preview showed is what is stored.
    assert _confirm(client, response).status_code == 302
    congress = db.session.scalar(db.select(Task).where(Task.kind == "congress"))
    assert (congress.completed_on, congress.result, congress.delegates) == (
        D(2023, 5, 10), "Đại hội thành công tốt đẹp.", 150)
    assert [unit.short_name for unit in congress.scope_units] == [
        "ĐU Tịnh Trà", "ĐU Tịnh Hiệp"]
    movement = db.session.scalar(db.select(Task).where(Task.kind == "movement"))
    assert movement.campaign_name == "Dân vận khéo năm 2023"
    dialogue = db.session.scalar(db.select(Task).where(Task.kind == "dialogue"))
    assert dialogue.is_recurring


@pytest.mark.parametrize("lang, column, kind, message", [
    ("vi", "Số lớp", "Khác",
     "Cột “Số lớp” chỉ dùng cho loại: “Lớp tập huấn”; dòng này thuộc loại “Khác”, "
     "hãy để trống."),
    ("vi", "Số đại biểu", "Tiếp xúc, đối thoại với nhân dân",
     "Cột “Số đại biểu” chỉ dùng cho loại: “Đại hội”; dòng này thuộc loại “Tiếp xúc, "
     "đối thoại với nhân dân”, hãy để trống."),
    ("en", "Sessions", "Other",
     "The column “Sessions” applies only to the kinds: “Training course”; this row's "
     "kind is “Other”, so leave it empty."),
])
def test_a_column_of_another_kind_names_the_kinds_it_applies_to(
        client, login_as, db, q3, xlsx_file, upload, lang, column, kind, message):
    login_as("staff")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", column],
        [kind, "Nhiệm vụ", "BDV", 2],
    ]), lang=lang)
    assert response.status_code == 400
    text = html.unescape(page_text(response))
    assert message in text
    assert "dành cho loại công việc khác" not in text
    assert db.session.scalar(db.select(Task)) is None


def test_a_kinds_label_is_the_same_on_pages_exports_and_the_report(
        client, login_as, db, make_quarter, make_unit, make_task):
    """One table names the kinds: the board, the .csv, the .xlsx, the import
    template and the report's headings all say a kind's Vietnamese label."""
    quarter = make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    for kind in KIND_TABLE:
        make_task(quarter=quarter, lead=unit, kind=kind.code,
                  title=f"Nhiệm vụ loại {kind.code}", due_on=D(2023, 6, 30))
    with force_locale("vi"):
        labels = {code: str(label) for code, label in KINDS.items()}
    login_as("viewer")

    board = html.unescape(page_text(client.get("/quarters/2023-Q2/")))
    assert dict(re.findall(r'id="kind-(\w+)">\s*<h2[^>]*>([^<]*?) <', board)) == labels

    rows = list(csv.reader(io.StringIO(
        client.get("/quarters/2023-Q2/tasks.csv").get_data(as_text=True).lstrip("\ufeff")
    )))
    column = rows[0].index("Loại công việc")
    by_title = {row[rows[0].index("Tên nhiệm vụ")]: row[column] for row in rows[1:]}
    assert by_title == {f"Nhiệm vụ loại {code}": label for code, label in labels.items()}

    book = load_workbook(io.BytesIO(client.get("/quarters/2023-Q2/report.xlsx").data))
    sheet = book["Nhiệm vụ"]
    head = [cell.value for cell in sheet[1]]
    assert {row[head.index("Tên nhiệm vụ")]: row[head.index("Loại công việc")]
            for row in sheet.iter_rows(min_row=2, values_only=True)} == by_title

    template = load_workbook(io.BytesIO(client.get(
        "/quarters/import-template.xlsx").data))
    listed = [(row[0], row[1]) for row in template["Danh mục"].iter_rows(
        min_row=2, values_only=True) if row[1]]
    assert [(label, code) for code, label in labels.items()] == listed[:len(labels)]

    # The report puts each task under its area's heading (in section II, and again
    # in section IV as open work), which says the words of its kind's label.
    document = Document(io.BytesIO(client.get("/quarters/2023-Q2/report.docx").data))
    headings = set(AREA_HEADINGS.values())
    under, found = None, []
    for paragraph in document.paragraphs:
        number, _dot, text = paragraph.text.partition(". ")
        if number.isdigit() and text in headings:
            under = text
        elif paragraph.text.startswith("- ") and "Nhiệm vụ loại " in paragraph.text:
            code = re.search(r"loại (\w+)", paragraph.text).group(1)
            found.append(code)
            heading = AREA_HEADINGS[kind_of(code).area]
            assert under == heading, (code, under)
            assert set(re.findall(r"\w+", fold(labels[code]))) <= set(
                re.findall(r"\w+", fold(heading))), (code, heading)
    assert sorted(set(found)) == sorted(labels)
