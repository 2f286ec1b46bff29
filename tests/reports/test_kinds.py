"""The kinds of work: one table read by the form, the board, the import, the exports
and the report."""
import csv
import datetime as dt
import io

import pytest
from docx import Document
from flask_babel import force_locale

from tests.helpers import page_text
from tracker.models import KINDS, Task
from tracker.reports import phrases
from tracker.tasks.kinds import AREA_HEADINGS, AREAS, KIND_TABLE, kind_of

D = dt.date
NEW_KINDS = {
    "propaganda": "Tuyên truyền, quán triệt nghị quyết",
    "meeting": "Hội nghị, giao ban, trực báo",
    "review": "Sơ kết, tổng kết",
    "contest": "Hội thi, cuộc thi, ấn phẩm",
    "welfare": "An sinh xã hội, hỗ trợ hộ nghèo",
    "security": "Dân vận trong lực lượng vũ trang, quốc phòng - an ninh",
    "ethnic_religious": "Dân tộc, tôn giáo",
}


def test_every_kind_has_both_labels_and_a_report_area():
    codes = [kind.code for kind in KIND_TABLE]
    assert len(codes) == len(set(codes))
    assert set(NEW_KINDS) | {"movement", "congress", "training", "dialogue", "advisory",
                             "monitoring", "democracy", "mobilisation", "inspection",
                             "other"} == set(codes)
    area_keys = [key for key, _ in AREAS]
    for kind in KIND_TABLE:
        assert kind.area in area_keys, kind.code
        with force_locale("en"):
            english = str(kind.label)
        with force_locale("vi"):
            vietnamese = str(kind.label)
        assert english and vietnamese and english != vietnamese, kind.code
        assert len(kind.code) <= 20  # the task.kind column
    for code, label in NEW_KINDS.items():
        with force_locale("vi"):
            assert str(KINDS[code]) == label
    assert kind_of("nonsense").code == "other"


def test_a_task_of_each_new_kind_is_made_through_the_form(client, login_as, db,
                                                          make_quarter, make_unit):
    make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    login_as("staff", units=[unit])
    form = client.get("/tasks/new?quarter=2023-Q2")
    for code, label in NEW_KINDS.items():
        assert f'value="{code}"' in page_text(form) and label in page_text(form)
        response = client.post("/tasks/new?quarter=2023-Q2", data={
            "kind": code, "title": f"Việc {code}", "lead_unit_id": unit.id,
            "status": "not_started", "progress": 0,
        })
        assert response.status_code == 302, page_text(response)[:2000]
    kinds = set(db.session.scalars(db.select(Task.kind)))
    assert kinds == set(NEW_KINDS)


def test_board_groups_and_filters_the_new_kinds(client, login_as, make_quarter,
                                                make_unit, make_task):
    quarter = make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    make_task(quarter=quarter, lead=unit, kind="meeting",
              title="Hội nghị trực báo công tác dân vận quý II")
    make_task(quarter=quarter, lead=unit, kind="welfare",
              title="Hỗ trợ xây dựng nhà đại đoàn kết")
    login_as("viewer")
    text = page_text(client.get("/quarters/2023-Q2/"))
    assert 'id="kind-meeting"' in text and 'id="kind-welfare"' in text
    assert "Hội nghị, giao ban, trực báo" in text
    assert "An sinh xã hội, hỗ trợ hộ nghèo" in text
    text = page_text(client.get("/quarters/2023-Q2/", query_string={"kind": "welfare"}))
    assert "nhà đại đoàn kết" in text and "trực báo công tác" not in text


@pytest.mark.parametrize("cell, code", [
    ("ethnic_religious", "ethnic_religious"),
    ("Dân tộc, tôn giáo", "ethnic_religious"),
    ("dan toc, ton giao", "ethnic_religious"),
    ("Hội nghị, giao ban, trực báo", "meeting"),
    ("Sơ kết, tổng kết", "review"),
    ("contest", "contest"),
])
def test_import_accepts_a_new_kind_by_code_or_vietnamese_label(
    client, login_as, db, make_quarter, make_unit, xlsx_file, upload, cell, code
):
    make_quarter(2023, 3, state="planning")
    make_unit("Ban Dân vận Huyện ủy Sơn Tịnh", "BDV", kind="party_board")
    login_as("staff")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì"],
        [cell, "Nhiệm vụ mới", "BDV"],
    ]))
    text = page_text(response)
    token = text.split('name="token" value="')[1].split('"')[0]
    client.post("/quarters/2023-Q3/import/confirm", data={"token": token})
    assert db.session.scalars(db.select(Task.kind)).all() == [code]


def test_import_names_the_kinds_a_column_is_for(client, login_as, make_quarter,
                                                make_unit, xlsx_file, upload):
    make_quarter(2023, 3, state="planning")
    make_unit("Ban Dân vận Huyện ủy Sơn Tịnh", "BDV", kind="party_board")
    login_as("staff")
    response = upload("2023-Q3", xlsx_file([
        ["Loại công việc", "Tên nhiệm vụ", "Đơn vị chủ trì", "Số lớp"],
        ["other", "Nhiệm vụ khác", "BDV", 2],
    ]))
    text = page_text(response)
    assert ("Cột “Số lớp” chỉ dùng cho loại: “Lớp tập huấn”; dòng này thuộc loại "
            "“Khác”, hãy để trống.") in text


def test_exports_and_report_use_the_same_label_and_area(client, login_as, db,
                                                        make_quarter, make_unit,
                                                        make_task):
    quarter = make_quarter(2023, 2)
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    make_task(quarter=quarter, lead=unit, kind="ethnic_religious",
              title="Nắm tình hình đồng bào có đạo trên địa bàn", status="done",
              progress=100, completed_on=D(2023, 5, 2))
    make_task(quarter=quarter, lead=unit, kind="security",
              title="Phối hợp với Ban Chỉ huy Quân sự huyện thực hiện công tác dân vận",
              status="in_progress", progress=30)
    login_as("viewer")
    rows = list(csv.reader(io.StringIO(
        client.get("/quarters/2023-Q2/tasks.csv").get_data(as_text=True).lstrip("\ufeff")
    )))
    kind_column = rows[0].index("Loại công việc")
    assert {row[kind_column] for row in rows[1:]} == {
        "Dân tộc, tôn giáo", "Dân vận trong lực lượng vũ trang, quốc phòng - an ninh"}

    document = Document(io.BytesIO(client.get("/quarters/2023-Q2/report.docx").data))
    body = "\n".join(p.text for p in document.paragraphs)
    ethnic = AREA_HEADINGS["ethnic_religious"]
    security = AREA_HEADINGS["security"]
    assert ethnic in body and security in body
    # The usual outline's order, and each item under its own heading.
    assert body.index(ethnic) < body.index("đồng bào có đạo") < body.index(security)
    assert ("Ban Dân vận Huyện ủy đã nắm tình hình đồng bào có đạo trên địa bàn, hoàn "
            "thành ngày 02/05/2023.") in body


def test_result_phrasing_comes_from_the_kind(make_quarter, make_unit, make_task):
    quarter = make_quarter(2023, 2)
    unit = make_unit()
    meeting = make_task(quarter=quarter, lead=unit, kind="meeting",
                        title="Hội nghị giao ban Khối Dân vận", status="done",
                        progress=100, completed_on=D(2023, 4, 20))
    welfare = make_task(quarter=quarter, lead=unit, kind="welfare",
                        title="Vận động ủng hộ Quỹ Vì người nghèo", is_recurring=True,
                        status="in_progress")
    cutoff = D(2023, 5, 15)
    assert phrases.result_sentence(meeting, cutoff) == (
        "Đã tổ chức Hội nghị giao ban Khối Dân vận, hoàn thành ngày 20/04/2023.")
    assert phrases.result_sentence(welfare, cutoff, lead=unit.name) == (
        f"{unit.name} tiếp tục duy trì vận động ủng hộ Quỹ Vì người nghèo.")
    named = make_task(quarter=quarter, lead=unit, kind="propaganda", title="Sáng tác",
                      status="done", progress=100, completed_on=D(2023, 4, 20))
    assert phrases.result_sentence(named, cutoff).startswith(
        "Đã triển khai nhiệm vụ “Sáng tác”")


def test_demo_carries_tasks_of_new_kinds(demo, db):
    from tracker.boards import scope
    from tracker.models import Board

    binh_son = db.session.scalar(db.select(Board).where(Board.code == "binh-son"))
    with scope.boards([binh_son.id]):
        kinds = set(db.session.scalars(db.select(Task.kind)))
    assert {"propaganda", "welfare", "ethnic_religious"} <= kinds
