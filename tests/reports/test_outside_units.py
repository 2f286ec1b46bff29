"""Outside units: bodies outside the board's system lead or coordinate, have no
accounts and are not scored; the importer finds them by name or short name and never
creates a unit it does not know."""
import datetime as dt
import io

from docx import Document

from tests.helpers import page_text, visible_text
from tracker.figures.services import quarter_figures
from tracker.models import Task, Unit

D = dt.date


def test_an_outside_body_is_made_in_admin_and_offered_for_tasks_not_accounts(
    client, login_as, db, make_quarter
):
    login_as("admin")
    response = client.post("/admin/units/new", data={
        "name": "Ban Tuyên giáo Huyện ủy", "short_name": "BTGHU", "kind": "external",
        "parent_id": "0", "sort_order": "30"})
    assert response.status_code == 302, page_text(response)[:2000]
    unit = db.session.scalar(db.select(Unit).where(Unit.short_name == "BTGHU"))
    assert unit.kind == "external" and unit.is_external
    assert "Đơn vị ngoài hệ thống (không chấm điểm)" in visible_text(
        client.get("/admin/units/"))
    make_quarter(2023, 2)
    assert f'value="{unit.id}"' in page_text(client.get("/tasks/new?quarter=2023-Q2"))
    users_form = page_text(client.get("/admin/users/new"))
    assert "Ban Tuyên giáo Huyện ủy" not in users_form


def test_outside_bodies_lead_and_coordinate_but_are_not_scored(
    client, login_as, make_quarter, make_unit, make_task
):
    quarter = make_quarter(2023, 2)
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    btg = make_unit("Ban Tuyên giáo Huyện ủy", "BTGHU", kind="external")
    office = make_unit("Văn phòng Huyện ủy", "VPHU", kind="external")
    make_task(quarter=quarter, lead=btg, coordinating=[bdv], kind="propaganda",
              title="Tuyên truyền Nghị quyết Đại hội Đảng bộ huyện", status="done",
              progress=100, completed_on=D(2023, 5, 2))
    make_task(quarter=quarter, lead=bdv, coordinating=[office], kind="meeting",
              title="Hội nghị trực báo công tác dân vận quý II", status="in_progress",
              progress=50)
    figures = quarter_figures(quarter)
    assert [unit["short_name"] for unit in figures["units"]] == ["BDV"]
    assert figures["total"] == 2 and figures["done"] == 1
    assert {task["lead"] for task in figures["tasks"]} == {bdv.id, btg.id}

    login_as("viewer")
    board = visible_text(client.get("/quarters/2023-Q2/"))
    assert "Chủ trì: BTGHU" in board and "Phối hợp: VPHU" in board
    document = Document(io.BytesIO(client.get("/quarters/2023-Q2/report.docx").data))
    table_text = " ".join(cell.text for table in document.tables
                          for row in table.rows for cell in row.cells)
    assert "Ban Dân vận Huyện ủy" in table_text
    assert "Ban Tuyên giáo Huyện ủy" not in table_text
    assert "Văn phòng Huyện ủy" not in table_text


def test_import_finds_outside_units_and_refuses_unknown_names(
    client, login_as, db, make_quarter, make_unit, xlsx_file, upload
):
    make_quarter(2023, 3, state="planning")
    make_unit("Ban Dân vận Huyện ủy Sơn Tịnh", "BDV", kind="party_board")
    make_unit("Ban Dân vận Tỉnh ủy", "BDVTU", kind="external")
    make_unit("Văn phòng Huyện ủy", "VPHU", kind="external")
    login_as("staff")
    header = ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp"]
    response = upload("2023-Q3", xlsx_file([
        header,
        ["meeting", "Giao ban công tác dân vận", "ban dan van tinh uy", "VPHU; BDV"],
        ["review", "Sơ kết Quy chế dân chủ", "Ban Tuyên giáo Huyện ủy", ""],
    ]))
    text = page_text(response)
    assert response.status_code == 400
    assert "Dòng 3, cột “Đơn vị chủ trì”: Không có đơn vị “Ban Tuyên giáo Huyện ủy”" \
        in text
    units_before = db.session.scalar(db.select(db.func.count(Unit.id)))
    assert units_before == 3 and db.session.scalar(db.select(Task.id)) is None

    response = upload("2023-Q3", xlsx_file([
        header,
        ["meeting", "Giao ban công tác dân vận", "ban dan van tinh uy", "VPHU; BDV"],
    ]))
    text = page_text(response)
    token = text.split('name="token" value="')[1].split('"')[0]
    client.post("/quarters/2023-Q3/import/confirm", data={"token": token})
    task = db.session.scalar(db.select(Task))
    assert task.lead_unit.short_name == "BDVTU"
    assert sorted(u.short_name for u in task.coordinating_units) == ["BDV", "VPHU"]


def test_demo_has_the_outside_bodies(demo, db):
    names = set(db.session.scalars(
        db.select(Unit.name).where(Unit.kind == "external")))
    assert {"Ban Tuyên giáo Huyện ủy", "Văn phòng Huyện ủy",
            "Ban Dân vận Tỉnh ủy"} <= names
