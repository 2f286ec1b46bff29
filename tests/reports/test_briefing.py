"""The quarter's briefing meeting, and the report in the board's voice."""
import datetime as dt
import io
import json
import re

import pytest
from docx import Document

from tests.helpers import page_text, visible_text
from tracker.figures.services import quarter_figures
from tracker.models import AuditEvent, BriefingMeeting, BriefingProposal, Quarter
from tracker.quarters.rollover import close_quarter
from tracker.reports import services
from tracker.reports.phrases import percent

D = dt.date

MEETING = {
    "briefing_on": "31/03/2023", "place": "Hội trường Huyện ủy",
    "chair_name": "Nguyễn Văn Lãnh", "chair_title": "Trưởng Ban Dân vận Huyện ủy",
    "attendees": "Lãnh đạo MTTQ và các đoàn thể huyện",
    "proposals-0-addressee": "Thường trực Huyện ủy",
    "proposals-0-text": "Quan tâm chỉ đạo giải quyết kiến nghị của nhân dân",
    "proposals-1-addressee": "", "proposals-1-text": "",
    "proposals-2-addressee": "Ủy ban nhân dân huyện",
    "proposals-2-text": "Bố trí kinh phí cho lớp tập huấn",
}


def _quarter(db, number):
    return db.session.scalar(db.select(Quarter).where(
        Quarter.year == 2023, Quarter.number == number))


def _body(client, key):
    response = client.get(f"/quarters/{key}/report.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    return "\n".join(p.text for p in document.paragraphs)


def _part(text, start, end=None):
    text = text[text.index(start):]
    return text[:text.index(end)] if end else text


@pytest.fixture
def board(db, make_quarter, make_unit):
    """A quarter of a board whose issuing body names its own unit."""
    bdv = make_unit("Ban Dân vận Huyện ủy", "BDV", kind="party_board")
    services.save_organisation(dict(
        superior_body="HUYỆN ỦY SƠN TỊNH", issuing_body="BAN DÂN VẬN",
        issuer_code="BDVHU", place="Sơn Tịnh", unit_id=bdv.id), None)
    db.session.commit()
    return dict(bdv=bdv, quarter=make_quarter(2023, 1, state="active"))


# ---- the meeting's record ------------------------------------------------------------


def test_staff_records_and_edits_the_briefing_meeting(client, login_as, db, board):
    quarter = board["quarter"]
    login_as("staff")
    page = page_text(client.get("/quarters/2023-Q1/briefing"))
    assert 'class="briefing-form"' in page and "proposals-2-text" in page

    response = client.post("/quarters/2023-Q1/briefing", data=MEETING)
    assert response.status_code == 302
    db.session.expire_all()
    assert quarter.briefing_on == D(2023, 3, 31)
    meeting = db.session.scalar(db.select(BriefingMeeting))
    assert (meeting.place, meeting.chair_name, meeting.chair_title) == (
        "Hội trường Huyện ủy", "Nguyễn Văn Lãnh", "Trưởng Ban Dân vận Huyện ủy")
    # The empty row is dropped; the rest keep their order.
    assert [(p.addressee, p.text) for p in meeting.proposals] == [
        ("Thường trực Huyện ủy", "Quan tâm chỉ đạo giải quyết kiến nghị của nhân dân"),
        ("Ủy ban nhân dân huyện", "Bố trí kinh phí cho lớp tập huấn")]
    event = db.session.scalar(db.select(AuditEvent).where(
        AuditEvent.action == "briefing"))
    assert "proposals" in event.changes["fields"]

    page = visible_text(client.get("/quarters/2023-Q1/briefing"))
    assert "Hội trường Huyện ủy" in page and "Bố trí kinh phí cho lớp tập huấn" in page
    edited = dict(MEETING, place="Phòng họp Ban Dân vận", **{
        "proposals-2-addressee": "", "proposals-2-text": ""})
    assert client.post("/quarters/2023-Q1/briefing", data=edited).status_code == 302
    db.session.expire_all()
    assert meeting.place == "Phòng họp Ban Dân vận"
    assert db.session.scalar(db.select(db.func.count(BriefingProposal.id))) == 1


def test_viewer_reads_the_meeting_but_cannot_change_it(client, login_as, db, board):
    login_as("viewer")
    page = page_text(client.get("/quarters/2023-Q1/briefing"))
    assert 'id="briefing-values"' in page and "briefing-form" not in page
    assert client.post("/quarters/2023-Q1/briefing", data=MEETING).status_code == 403
    assert db.session.scalar(db.select(BriefingMeeting)) is None


def test_a_closed_quarters_meeting_is_read_only(client, login_as, db, demo):
    q1 = _quarter(db, 1)
    close_quarter(q1, {}, None)
    db.session.commit()
    login_as("staff")
    page = page_text(client.get("/quarters/2023-Q1/briefing"))
    assert 'id="briefing-closed"' in page and "briefing-form" not in page
    assert "Hội trường Huyện ủy Sơn Tịnh" in page  # the demo's record, shown
    response = client.post("/quarters/2023-Q1/briefing",
                           data=dict(MEETING, place="Đổi"))
    assert response.status_code == 403
    db.session.expire_all()
    meeting = db.session.scalar(db.select(BriefingMeeting).where(
        BriefingMeeting.quarter_id == q1.id))
    assert meeting.place == "Hội trường Huyện ủy Sơn Tịnh"


@pytest.mark.parametrize("change, message", [
    ({"briefing_on": ""}, "Nhập ngày họp"),
    ({"briefing_on": "31/02/2023"}, ""),
    ({"briefing_on": "hôm qua"}, ""),
    ({"briefing_on": "01/01/2030"}, "một năm"),
    ({"place": "x" * 201}, "200"),
    ({"proposals-0-text": ""}, "Ghi nội dung đề xuất"),
    ({"attendees": "x" * 5001}, "5000"),
])
def test_bad_meeting_input_is_refused(client, login_as, db, board, change, message):
    login_as("staff")
    response = client.post("/quarters/2023-Q1/briefing", data=dict(MEETING, **change))
    assert response.status_code == 400
    assert message in visible_text(response)
    assert db.session.scalar(db.select(BriefingMeeting)) is None
    assert board["quarter"].briefing_on is None


def test_garbage_addresses_are_not_found(client, login_as, board):
    login_as("staff")
    for url in ("/quarters/2023-Q9/briefing", "/quarters/²/briefing",
                "/quarters/2023-Q4/briefing"):
        assert client.get(url).status_code == 404
    # Rows beyond what a record holds are not read.
    data = dict(MEETING, **{"proposals-99999999999-text": "x",
                            "proposals-abc-text": "y"})
    assert client.post("/quarters/2023-Q1/briefing", data=data).status_code in (
        302, 400)


def test_the_meeting_task_held_that_day_is_linked(client, login_as, db, board,
                                                  make_task):
    quarter = board["quarter"]
    other = make_task(quarter=quarter, lead=board["bdv"], kind="meeting",
                      title="Hội nghị giao ban", held_on=D(2023, 2, 10),
                      status="done", progress=100, completed_on=D(2023, 2, 10))
    task = make_task(quarter=quarter, lead=board["bdv"], kind="meeting",
                     title="Hội nghị trực báo công tác dân vận quý I",
                     held_on=D(2023, 3, 31), status="done", progress=100,
                     completed_on=D(2023, 3, 31))
    login_as("staff")
    client.post("/quarters/2023-Q1/briefing", data=MEETING)
    page = page_text(client.get("/quarters/2023-Q1/briefing"))
    assert f'href="/tasks/{task.id}"' in page
    assert f'href="/tasks/{other.id}"' not in page

    body = _body(client, "2023-Q1")
    results = _part(body, "II. KẾT QUẢ", "III. ĐÁNH GIÁ")
    assert ("- Ngày 31/3, Ban Dân vận Huyện ủy tổ chức Hội nghị trực báo công tác dân "
            "vận quý I, do đồng chí Nguyễn Văn Lãnh, Trưởng Ban Dân vận Huyện ủy chủ "
            "trì.") in results
    assert "- Ngày 10/2, Ban Dân vận Huyện ủy tổ chức Hội nghị giao ban." in results
    # The proposals go to section V, by the body they are addressed to.
    proposals = _part(body, "V. ĐỀ XUẤT, KIẾN NGHỊ")
    assert "Đối với Thường trực Huyện ủy:\n- Quan tâm chỉ đạo giải quyết kiến nghị " \
        "của nhân dân." in proposals
    assert "Đối với Ủy ban nhân dân huyện:\n- Bố trí kinh phí" in proposals
    # The print view for the meeting shows the same.
    sheet = visible_text(client.get("/quarters/2023-Q1/print"))
    assert "Hội trường Huyện ủy" in sheet and "Nguyễn Văn Lãnh" in sheet
    assert "Quan tâm chỉ đạo giải quyết kiến nghị của nhân dân." in sheet


# ---- the report in the board's voice ---------------------------------------------


def test_lead_in_is_built_from_the_quarter_and_editable(client, login_as, db, board):
    login_as("staff")
    lead_in = ("Thực hiện Chương trình công tác năm 2023, Ban Dân vận Huyện ủy báo cáo "
               "kết quả công tác dân vận quý I, phương hướng, nhiệm vụ quý II năm 2023 "
               "như sau:")
    assert lead_in in _body(client, "2023-Q1")
    assert lead_in in visible_text(client.get("/quarters/2023-Q1/report"))
    client.post("/quarters/2023-Q1/report", data={
        "signer_title": "head",
        "lead_in": "Thực hiện Kế hoạch số 12-KH/BDVHU, báo cáo:"})
    body = _body(client, "2023-Q1")
    assert "Thực hiện Kế hoạch số 12-KH/BDVHU, báo cáo:" in body and lead_in not in body


def test_sections_one_three_five_start_from_the_figures_until_written(
        client, login_as, db, board, make_task):
    quarter = board["quarter"]
    make_task(quarter=quarter, lead=board["bdv"], kind="advisory",
              title="Tham mưu sơ kết Nghị quyết", status="in_progress", progress=40,
              due_on=D(2023, 3, 15))
    make_task(quarter=quarter, lead=board["bdv"], kind="inspection",
              title="Kiểm tra công tác dân vận ở xã", status="done", progress=100,
              completed_on=D(2023, 3, 1), due_on=D(2023, 3, 10))
    login_as("staff")
    figures = quarter_figures(quarter, D(2023, 3, 31))
    body = _body(client, "2023-Q1")
    mood = _part(body, "I. TÌNH HÌNH NHÂN DÂN", "II. KẾT QUẢ")
    assert "Trong quý I năm 2023, tình hình tư tưởng, tâm trạng" in mood
    strengths = _part(body, "1. Ưu điểm", "2. Hạn chế")
    assert (f"hoàn thành {figures['done']} nhiệm vụ" in strengths
            and f"tỷ lệ hoàn thành đạt {percent(figures['rate'])}" in strengths)
    shortcomings = _part(body, "2. Hạn chế, nguyên nhân", "IV. ")
    assert "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: Tham mưu sơ kết Nghị quyết." \
        in shortcomings
    proposals = _part(body, "V. ĐỀ XUẤT")
    assert "hoàn thành 1 nhiệm vụ quá hạn" in proposals
    # The settings page offers the same starting text to edit.
    page = visible_text(client.get("/quarters/2023-Q1/report"))
    assert "Còn 1 nhiệm vụ quá hạn chưa hoàn thành: Tham mưu sơ kết Nghị quyết." in page

    client.post("/quarters/2023-Q1/report", data={
        "signer_title": "head", "public_mood": "Nhân dân phấn khởi.",
        "strengths": "Hoàn thành tốt.", "shortcomings": "Còn chậm.",
        "proposals": "Đề nghị hỗ trợ kinh phí."})
    body = _body(client, "2023-Q1")
    assert "Nhân dân phấn khởi." in body and "tình hình tư tưởng, tâm trạng" not in body
    assert "Hoàn thành tốt." in body and "tỷ lệ hoàn thành đạt" not in body
    assert "Còn chậm." in body and "Còn 1 nhiệm vụ quá hạn" not in body
    assert "Đề nghị hỗ trợ kinh phí." in body and "nhiệm vụ quá hạn trong" not in body
    # Emptied again, a part goes back to its starting text.
    client.post("/quarters/2023-Q1/report", data={"signer_title": "head",
                                                   "public_mood": "  "})
    assert "Trong quý I năm 2023, tình hình tư tưởng" in _body(client, "2023-Q1")


def test_section_two_reports_each_task_once_and_section_four_groups_by_area(
        client, login_as, db, board, make_task, make_quarter, make_unit):
    quarter = board["quarter"]
    bdv = board["bdv"]
    hnd = make_unit("Hội Nông dân huyện", "HND")
    make_task(quarter=quarter, lead=bdv, kind="propaganda",
              title="Quán triệt Kết luận số 43-KL/TW", achieved_count=120,
              target_label="lượt cán bộ dự", status="done", progress=100,
              completed_on=D(2023, 3, 20))
    make_task(quarter=quarter, lead=bdv, kind="monitoring",
              title="Theo dõi, nắm bắt tình hình nhân dân", is_recurring=True,
              status="in_progress", due_on=None)
    make_task(quarter=quarter, lead=bdv, kind="mobilisation",
              title="Vận động nhân dân hiến đất làm đường", target_count=11,
              achieved_count=7, target_label="xã", status="in_progress", progress=60,
              due_on=D(2023, 3, 31))
    q2 = make_quarter(2023, 2, state="planning")
    make_task(quarter=q2, lead=hnd, kind="congress",
              title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII")
    make_task(quarter=q2, lead=bdv, kind="mobilisation",
              title="Vận động nhân dân tham gia xây dựng nông thôn mới")
    login_as("viewer")
    body = _body(client, "2023-Q1")
    results = _part(body, "II. KẾT QUẢ", "III. ĐÁNH GIÁ")
    # A count without a target: the count and its unit, never "0/n" or "n/0".
    assert ("- Ban Dân vận Huyện ủy đã quán triệt Kết luận số 43-KL/TW, hoàn thành "
            "ngày 20/03/2023; đạt 120 lượt cán bộ dự.") in results
    assert not re.search(r"(?<![\d/])0/\d|\d/0(?![\d/])", results), results
    # Ongoing work reads as ongoing.
    assert "- Ban Dân vận Huyện ủy thường xuyên theo dõi, nắm bắt tình hình nhân dân." \
        in results
    # Unfinished work: once, with what remains and where it goes on.
    assert results.count("hiến đất làm đường") == 1
    assert ("- Ban Dân vận Huyện ủy đang vận động nhân dân hiến đất làm đường, đạt 60% "
            "kế hoạch; đạt 7/11 xã; còn 4 xã chưa thực hiện; tiếp tục thực hiện trong "
            "quý II năm 2023.") in results
    assert "chuyển sang" not in results

    plan = _part(body, "IV. PHƯƠNG HƯỚNG")
    headings = [line for line in plan.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert headings == ["1. Công tác nắm tình hình nhân dân",
                        "2. Công tác vận động nhân dân",
                        "3. Công tác Mặt trận và các đoàn thể chính trị - xã hội: "
                        "đại hội, phong trào thi đua, cuộc vận động"]
    mobilisation = _part(plan, "2. Công tác vận động nhân dân", "3. ")
    # Carried work first, then the new task of the same area.
    assert mobilisation.index("Tiếp tục vận động nhân dân hiến đất làm đường") < \
        mobilisation.index("Vận động nhân dân tham gia xây dựng nông thôn mới")
    assert plan.count("hiến đất làm đường") == 1


def test_page_print_and_report_figures_agree(client, login_as, db, demo):
    login_as("viewer")
    # The report of an open quarter is judged at its date (31/03/2023 in the demo).
    figures = json.loads(
        client.get("/quarters/2023-Q1/figures.json?as_of=2023-03-31").data)
    body = _body(client, "2023-Q1")
    assert f"Tổng số nhiệm vụ trong quý: {figures['total']};" in body
    assert f"đã hoàn thành {figures['done']} " in body
    assert f"quá hạn chưa hoàn thành {figures['overdue']}." in body
    sheet = visible_text(client.get("/quarters/2023-Q1/print"))
    assert "31/03/2023" in sheet and f"{figures['total']} nhiệm vụ" in sheet
    q1 = _quarter(db, 1)
    report = services.build_report(q1)
    assert report.figures["counts"] == figures["counts"]
    assert report.figures["rate"] == figures["rate"]
