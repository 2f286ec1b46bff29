"""The briefing report .docx: Party document layout, sentences from the data, settings."""
import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from tracker.models import Organisation, Quarter, QuarterReport, Task
from tracker.quarters.rollover import approve_quarter, close_quarter
from tracker.reports import phrases

D = dt.date


def _docx(client, key):
    response = client.get(f"/quarters/{key}/report.docx")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype.endswith("wordprocessingml.document")
    return Document(io.BytesIO(response.data))


def _texts(document):
    return [p.text for p in document.paragraphs]


def _body(document):
    return "\n".join(_texts(document))


def _cell_lines(cell):
    return [p.text for p in cell.paragraphs if p.text]


def _borders(table):
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    return {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}


def test_demo_q1_report_is_a_party_document(client, login_as, demo):
    login_as("viewer")
    document = _docx(client, "2023-Q1")

    section = document.sections[0]
    # Word stores lengths in twentieths of a point: compare to a tenth of a millimetre.
    mm = [round(length.mm, 1) for length in (
        section.page_width, section.page_height, section.top_margin,
        section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 20, 20, 30, 15]
    # Page numbers from page 2: a different first page whose header is empty.
    assert section.different_first_page_header_footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(t.text for t in header._p.iter(qn("w:instrText")))

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert defaults.get(qn("w:ascii")) == "Times New Roman"
    assert defaults.get(qn("w:asciiTheme")) is None
    fonts = {run.font.name for p in document.paragraphs for run in p.runs}
    assert fonts <= {None, "Times New Roman"}

    head = document.tables[0]
    assert len(head.columns) == 2
    assert set(_borders(head).values()) == {"nil"}
    left, right = head.rows[0].cells
    assert _cell_lines(left) == ["HUYỆN ỦY SƠN TỊNH", "BAN DÂN VẬN", "*", "Số 15-BC/BDVHU"]
    issuing = left.paragraphs[1].runs[0]
    assert issuing.bold and issuing.font.size == Pt(14)
    assert not left.paragraphs[0].runs[0].bold
    assert left.paragraphs[2].alignment == WD_ALIGN_PARAGRAPH.CENTER
    party = right.paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold and party.runs[0].font.size == Pt(15)
    rule = party._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:val")) == "single"
    date_line = [p for p in right.paragraphs if p.text][-1]
    assert date_line.text == "Sơn Tịnh, ngày 31 tháng 3 năm 2023"
    assert date_line.runs[0].italic

    texts = _texts(document)
    title = document.paragraphs[texts.index("BÁO CÁO")]
    assert title.runs[0].bold and title.runs[0].font.size == Pt(16)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    summary = document.paragraphs[texts.index("BÁO CÁO") + 1]
    assert summary.text == ("kết quả công tác dân vận quý I, phương hướng, nhiệm vụ "
                            "quý II năm 2023")
    assert summary.runs[0].bold
    assert texts[texts.index("BÁO CÁO") + 2] == "-----"

    headings = [t for t in texts if t[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert headings == [
        "I. TÌNH HÌNH NHÂN DÂN", "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ", "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II NĂM 2023", "V. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    for text in headings:
        paragraph = document.paragraphs[texts.index(text)]
        assert paragraph.runs[0].bold and paragraph.paragraph_format.keep_with_next
    body = [p for p in document.paragraphs if p.text.startswith("- ")]
    assert body and all(p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY for p in body)
    assert all(p.paragraph_format.first_line_indent for p in body)

    text = _body(document)
    results = text[text.index("II. KẾT QUẢ"):text.index("III. ĐÁNH GIÁ")]
    plan = text[text.index("IV. PHƯƠNG HƯỚNG"):text.index("V. ĐỀ XUẤT")]
    assert ("- Bí thư Đảng ủy 11 xã đã tổ chức 11/11 cuộc tiếp xúc, đối thoại với "
            "nhân dân") in results
    assert "Bí thư Huyện ủy đã tổ chức tiếp xúc, đối thoại với nhân dân xã Tịnh Trà" \
        in results
    assert "1. Công tác nắm tình hình nhân dân" in results
    assert "Phong trào thi đua “Dân vận khéo”" in results
    assert "Tỷ lệ hoàn thành" in results
    # The lead-in, built from the quarter's data, opens the body.
    assert texts[texts.index("-----") + 1] == (
        "Thực hiện Chương trình công tác năm 2023, Ban Dân vận Huyện ủy Sơn Tịnh báo "
        "cáo kết quả công tác dân vận quý I, phương hướng, nhiệm vụ quý II năm 2023 "
        "như sau:")
    # Section II speaks in the board's voice; unfinished work is said once, with
    # what remains and where it goes on, and no second list repeats it.
    # The units it works with are named, the eleven communes by their number.
    assert ("- Ban Dân vận Huyện ủy Sơn Tịnh đang chủ trì, phối hợp với Đảng ủy 11 xã "
            "đẩy mạnh thực hiện công tác dân vận ở xã, đạt 60% kế hoạch; tiếp tục thực "
            "hiện trong quý II năm 2023.") in results
    # Work that is itself coordination says "phối hợp" once.
    assert ("- Ban Dân vận Huyện ủy Sơn Tịnh đang chủ trì, phối hợp với Ủy ban Mặt "
            "trận Tổ quốc Việt Nam huyện Sơn Tịnh giải quyết các vấn đề bức xúc") \
        in results
    assert results.count("đẩy mạnh thực hiện công tác dân vận ở xã") == 1
    assert "Nhiệm vụ chưa hoàn thành, chuyển sang" not in results
    assert "- Ban Dân vận Huyện ủy Sơn Tịnh thường xuyên theo dõi, nắm bắt" in results
    # Section IV: the tasks of Q2, carried (still open in Q1) and new, by area as
    # section II groups them.
    assert "1. Công tác tham mưu" in plan
    assert plan.index("Công tác vận động nhân dân") < plan.index(
        "Tiếp tục đẩy mạnh thực hiện công tác dân vận ở xã") < plan.index(
        "Công tác Mặt trận") < plan.index("Đại hội đại biểu Hội Nông dân")
    assert "Các nhiệm vụ chuyển tiếp" not in plan
    assert ("- Tiếp tục đẩy mạnh thực hiện công tác dân vận ở xã (chuyển tiếp từ quý I "
            "năm 2023, đã đạt 60%).") in plan
    assert ("- Tổ chức Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ "
            "2023–2028 (Hội Nông dân huyện Sơn Tịnh chủ trì, phối hợp với Ban Dân vận "
            "Huyện ủy Sơn Tịnh).") in plan
    assert "Ngày vì người nghèo" in plan
    assert "đối thoại với nhân dân xã Tịnh Trà" not in plan  # done in Q1: not carried
    assert "tình hình tư tưởng, tâm trạng" in text[:text.index("II. KẾT QUẢ")]

    unit_table = document.tables[1]
    assert unit_table.style.name == "Table Grid"
    assert unit_table.rows[0].cells[1].text == "Đơn vị"
    assert unit_table.rows[1].cells[1].text == "Ban Dân vận Huyện ủy Sơn Tịnh"
    # Six tasks of Q1, one of them led by the communes as a group ("Các cơ sở").
    assert unit_table.rows[1].cells[2].text == "5"

    # Every row is laid out alike (each cell's width and look are copied from the
    # first row's): fixed widths, the unit's name left, the rest centred, 12 pt,
    # the heading row in bold.
    widths = [cell.width for cell in unit_table.rows[0].cells]
    assert [round(width.mm) for width in widths] == [11, 50, 15, 16, 19, 19, 19, 16]
    assert len(unit_table.rows) > 2
    for index, row in enumerate(unit_table.rows):
        assert [cell.width for cell in row.cells] == widths
        aligned = [cell.paragraphs[0].alignment for cell in row.cells]
        assert aligned == [WD_ALIGN_PARAGRAPH.CENTER] + [
            WD_ALIGN_PARAGRAPH.LEFT if index else WD_ALIGN_PARAGRAPH.CENTER] + [
            WD_ALIGN_PARAGRAPH.CENTER] * 6
        runs = [run for cell in row.cells for run in cell.paragraphs[0].runs]
        assert runs and all(run.font.size == Pt(12) for run in runs)
        assert all(bool(run.bold) == (index == 0) for run in runs)

    signature = document.tables[-1]
    assert set(_borders(signature).values()) == {"nil"}
    left, right = signature.rows[0].cells
    recipients = _cell_lines(left)
    assert recipients[0] == "Nơi nhận:"
    assert left.paragraphs[0].runs[0].underline
    assert recipients[1] == "- Ban Dân vận Tỉnh ủy (b/c),"
    assert recipients[-1] == "- Lưu BDVHU."
    assert left.paragraphs[1].runs[0].font.size == Pt(12)
    assert _cell_lines(right) == ["TRƯỞNG BAN", "Nguyễn Văn Lãnh"]
    assert all(p.runs[0].bold for p in right.paragraphs if p.text)


# The schema's order of the property elements the writer adds (Word refuses others).
ORDERS = {
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
              "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"),
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr",
            "widowControl", "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs",
            "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
            "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
            "suppressOverlap", "jc", "textDirection", "textAlignment",
            "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr"),
}


def test_property_elements_keep_the_schema_order(client, login_as, demo):
    login_as("viewer")
    document = _docx(client, "2023-Q1")
    parts = [document.element] + [
        section.header._element for section in document.sections]
    checked = 0
    for part in parts:
        for name, order in ORDERS.items():
            for element in part.iter(qn(f"w:{name}")):
                tags = [child.tag.split("}")[1] for child in element]
                assert all(tag in order for tag in tags), tags
                positions = [order.index(tag) for tag in tags]
                assert positions == sorted(positions), (name, tags)
                checked += 1
    assert checked > 50


def test_deputy_signs_for_the_head(client, login_as, demo, db):
    report = db.session.scalar(db.select(QuarterReport))
    report.signer_title = "deputy"
    report.signer_name = "Trần Văn Phó"
    db.session.commit()
    login_as("staff")
    right = _docx(client, "2023-Q1").tables[-1].rows[0].cells[1]
    assert _cell_lines(right) == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Trần Văn Phó"]


def test_names_and_code_come_from_the_settings(client, login_as, demo, db):
    org = db.session.scalar(db.select(Organisation))
    org.superior_body = "Đảng ủy xã Tịnh Hà"
    org.issuing_body = "Ban Xây dựng Đảng"
    org.issuer_code = "BXDĐ"
    org.place = "Tịnh Hà"
    org.recipients = "Ban Tổ chức Huyện ủy (b/c),\nĐảng ủy các xã,"
    db.session.commit()
    login_as("viewer")
    response = client.get("/quarters/2023-Q2/report.docx")
    document = Document(io.BytesIO(response.data))
    left, right = document.tables[0].rows[0].cells
    assert _cell_lines(left)[:2] == ["ĐẢNG ỦY XÃ TỊNH HÀ", "BAN XÂY DỰNG ĐẢNG"]
    assert _cell_lines(left)[3] == "Số -BC/BXDĐ"  # Q2 has no number yet
    assert _cell_lines(right)[-1] == "Tịnh Hà, ngày 30 tháng 6 năm 2023"
    assert _cell_lines(document.tables[-1].rows[0].cells[0]) == [
        "Nơi nhận:", "- Ban Tổ chức Huyện ủy (b/c),", "- Đảng ủy các xã,", "- Lưu BXDĐ."]


@pytest.mark.parametrize("day, expected", [
    (D(2023, 3, 31), "Sơn Tịnh, ngày 31 tháng 3 năm 2023"),
    (D(2023, 1, 5), "Sơn Tịnh, ngày 05 tháng 01 năm 2023"),
    (D(2023, 2, 28), "Sơn Tịnh, ngày 28 tháng 02 năm 2023"),
    (D(2023, 12, 9), "Sơn Tịnh, ngày 09 tháng 12 năm 2023"),
    (D(2023, 10, 10), "Sơn Tịnh, ngày 10 tháng 10 năm 2023"),
])
def test_header_date_has_the_party_zeros(day, expected):
    assert phrases.header_date("Sơn Tịnh", day) == expected


def _task(**fields):
    """Return an unsaved task for phrasing (no database needed)."""
    fields.setdefault("kind", "other")
    fields.setdefault("status", "not_started")
    fields.setdefault("progress", 0)
    fields.setdefault("is_recurring", False)
    for name in ("campaign_name", "organisation", "chair", "commune", "result",
                 "target_label", "title"):
        fields.setdefault(name, "")
    return Task(**fields)


CUTOFF = D(2023, 6, 30)
CONGRESS = dict(kind="congress", organisation="Hội Nông dân huyện", congress_ordinal=12,
                term_start=2023, term_end=2028, due_on=D(2023, 6, 30))


LEAD = "Ban Dân vận Huyện ủy"


@pytest.mark.parametrize("fields, expected", [
    (dict(CONGRESS, title="Đại hội đại biểu Hội Nông dân huyện", status="done",
          completed_on=D(2023, 5, 25)),
     "Ban Dân vận Huyện ủy đã tổ chức thành công Đại hội đại biểu Hội Nông dân huyện "
     "lần thứ XII, nhiệm kỳ 2023–2028."),
    (dict(CONGRESS, title="Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ "
          "2023–2028", status="done", held_on=D(2023, 5, 25), delegates=150,
          completed_on=D(2023, 5, 25)),
     "Ngày 25/5, Ban Dân vận Huyện ủy tổ chức thành công Đại hội đại biểu Hội Nông "
     "dân huyện lần thứ XII, nhiệm kỳ 2023–2028, với 150 đại biểu tham dự."),
    (dict(CONGRESS, title="Đại hội Công đoàn huyện", congress_ordinal=19,
          status="in_progress", progress=45),
     "Ban Dân vận Huyện ủy đang chuẩn bị tổ chức Đại hội Công đoàn huyện lần thứ XIX, "
     "nhiệm kỳ 2023–2028, đạt 45% kế hoạch."),
    (dict(CONGRESS, title="Đại hội Công đoàn huyện", congress_ordinal=19,
          due_on=D(2023, 5, 31)),
     "Ban Dân vận Huyện ủy chưa tổ chức Đại hội Công đoàn huyện lần thứ XIX, nhiệm kỳ "
     "2023–2028; đã quá thời hạn 31/05/2023."),
    (dict(kind="dialogue", title="Đối thoại ở 11 xã", chair="Bí thư Đảng ủy xã",
          commune="11 xã", target_count=11, achieved_count=11, target_label="cuộc",
          status="done", completed_on=D(2023, 3, 27), due_on=D(2023, 3, 31)),
     "Bí thư Đảng ủy 11 xã đã tổ chức 11/11 cuộc tiếp xúc, đối thoại với nhân dân."),
    (dict(kind="dialogue", title="Đối thoại", chair="Bí thư Huyện ủy",
          commune="trong huyện", target_count=4, achieved_count=1, status="in_progress",
          progress=25, due_on=D(2023, 12, 31)),
     "Bí thư Huyện ủy đã tổ chức 1/4 cuộc tiếp xúc, đối thoại với nhân dân trong "
     "huyện, đang tiếp tục thực hiện."),
    (dict(kind="training", title="Lớp tập huấn nghiệp vụ", status="done",
          sessions=2, trainees_planned=180, trainees_attended=175,
          completed_on=D(2023, 6, 2), due_on=D(2023, 5, 31)),
     "Ban Dân vận Huyện ủy đã tổ chức Lớp tập huấn nghiệp vụ, hoàn thành ngày "
     "02/06/2023 (chậm so với thời hạn 31/05/2023); 2 lớp; 175/180 học viên tham dự."),
    (dict(kind="movement", title="Phong trào thi đua “Dân vận khéo”",
          campaign_name="Dân vận khéo", status="in_progress", progress=25,
          models=dict(registered=46, recognised=0), due_on=D(2023, 12, 31)),
     "Ban Dân vận Huyện ủy đang triển khai thực hiện phong trào thi đua “Dân vận "
     "khéo”, đạt 25% kế hoạch; 46 mô hình “Dân vận khéo” đăng ký."),
    # Ongoing work is phrased as ongoing, never "0%".
    (dict(kind="monitoring", title="Nắm tình hình nhân dân", status="in_progress",
          is_recurring=True),
     "Ban Dân vận Huyện ủy thường xuyên nắm tình hình nhân dân."),
    (dict(kind="welfare", title="Vận động ủng hộ Quỹ Vì người nghèo",
          status="in_progress", is_recurring=True),
     "Ban Dân vận Huyện ủy tiếp tục duy trì vận động ủng hộ Quỹ Vì người nghèo."),
    (dict(kind="advisory", title="Tham mưu sơ kết", status="in_progress", progress=30,
          due_on=D(2023, 6, 15)),
     "Ban Dân vận Huyện ủy đang tham mưu sơ kết, đạt 30% kế hoạch; đã quá thời hạn "
     "15/06/2023."),
    (dict(kind="other", title="Rà soát hồ sơ", status="cancelled", due_on=D(2023, 6, 1)),
     "Ban Dân vận Huyện ủy không rà soát hồ sơ (đã hủy)."),
    # An event held on a day says the day first, in the report's year.
    (dict(kind="meeting", title="Hội nghị trực báo công tác dân vận quý I",
          status="done", held_on=D(2023, 3, 31), completed_on=D(2023, 3, 31)),
     "Ngày 31/3, Ban Dân vận Huyện ủy tổ chức Hội nghị trực báo công tác dân vận "
     "quý I."),
    # A count without a target: the count with its unit, no "0/n", no "/".
    (dict(kind="propaganda", title="Quán triệt Kết luận số 43-KL/TW",
          achieved_count=120, target_label="lượt cán bộ dự", status="done",
          completed_on=D(2023, 4, 20), due_on=D(2023, 6, 30)),
     "Ban Dân vận Huyện ủy đã quán triệt Kết luận số 43-KL/TW, hoàn thành ngày "
     "20/04/2023; đạt 120 lượt cán bộ dự."),
    (dict(kind="propaganda", title="Tuyên truyền Nghị quyết", achieved_count=0,
          target_label="buổi", status="in_progress", progress=10,
          due_on=D(2023, 6, 30)),
     "Ban Dân vận Huyện ủy đang tuyên truyền Nghị quyết, đạt 10% kế hoạch."),
    # Unfinished counted work says what remains.
    (dict(kind="other", title="Tổ chức tọa đàm ở các xã", target_count=10,
          achieved_count=3, target_label="buổi", status="in_progress", progress=30,
          due_on=D(2023, 9, 30)),
     "Ban Dân vận Huyện ủy đang tổ chức tọa đàm ở các xã, đạt 30% kế hoạch; đạt 3/10 "
     "buổi; còn 7 buổi chưa thực hiện."),
])
def test_each_task_becomes_a_vietnamese_sentence(fields, expected):
    fields = dict(fields)
    models = fields.pop("models", None)  # the registry's counts, from the figures
    assert phrases.result_sentence(_task(**fields), CUTOFF, models=models, lead=LEAD,
                                   year=2023) == expected


def test_unfinished_work_says_the_quarter_it_goes_on_in():
    task = _task(kind="advisory", title="Tham mưu sơ kết", status="in_progress",
                 progress=30, due_on=D(2023, 6, 30))
    assert phrases.result_sentence(
        task, D(2023, 6, 30), lead=LEAD, year=2023, carries_to="quý III năm 2023"
    ) == ("Ban Dân vận Huyện ủy đang tham mưu sơ kết, đạt 30% kế hoạch; tiếp tục "
          "thực hiện trong quý III năm 2023.")
    ongoing = _task(kind="monitoring", title="Theo dõi tình hình", status="in_progress",
                    is_recurring=True)
    assert "quý III" not in phrases.result_sentence(
        ongoing, D(2023, 6, 30), lead=LEAD, carries_to="quý III năm 2023")


def test_the_note_follows_the_sentence_unless_it_repeats_it():
    task = _task(kind="movement", title="Phong trào “Dân vận khéo”", progress=25,
                 campaign_name="Dân vận khéo", status="in_progress",
                 due_on=D(2023, 12, 31))
    models = dict(registered=46, recognised=0)
    plain = phrases.result_sentence(task, CUTOFF, models=models)
    assert "46 mô hình" in plain
    repeated = "46 mô hình “Dân vận khéo” đăng ký năm 2023"
    assert phrases.result_sentence(task, CUTOFF, repeated, models=models) == plain
    assert phrases.result_sentence(task, CUTOFF, "còn 3 xã chưa đăng ký",
                                   models=models) == plain + " Còn 3 xã chưa đăng ký."


@pytest.mark.parametrize("title, carried, expected", [
    ("Đẩy mạnh thực hiện công tác dân vận ở xã", True,
     "Tiếp tục đẩy mạnh thực hiện công tác dân vận ở xã (chuyển tiếp từ quý I năm "
     "2023)."),
    ("Theo dõi, nắm bắt tình hình nhân dân", True,
     "Tiếp tục theo dõi, nắm bắt tình hình nhân dân (chuyển tiếp từ quý I năm 2023)."),
    ("Bí thư Huyện ủy đối thoại với nhân dân", True,
     "Tiếp tục thực hiện: Bí thư Huyện ủy đối thoại với nhân dân (chuyển tiếp từ quý I "
     "năm 2023)."),
    ("Lớp tập huấn nghiệp vụ", False, "Tổ chức lớp tập huấn nghiệp vụ."),
])
def test_next_quarter_tasks_read_as_a_plan(title, carried, expected):
    task = _task(title=title, due_on=D(2023, 6, 30), status="in_progress")
    assert phrases.plan_sentence(task, carried=carried, origin=(2023, 1)) == expected


def test_number_below_ten_gets_its_zero(client, login_as, demo, db):
    login_as("staff")
    response = client.post("/quarters/2023-Q2/report", data={
        "number": "Số: 5-bc/bdvhu", "issued_on": "30/06/2023", "place": "Sơn Tịnh",
        "signer_name": "Nguyễn Văn Lãnh", "signer_title": "head",
    })
    assert response.status_code == 302
    q2 = db.session.scalar(db.select(Quarter).where(Quarter.number == 2))
    stored = db.session.scalar(
        db.select(QuarterReport).where(QuarterReport.quarter_id == q2.id))
    assert stored.number == "05-BC/BDVHU"
    left = _docx(client, "2023-Q2").tables[0].rows[0].cells[0]
    assert _cell_lines(left)[3] == "Số 05-BC/BDVHU"


def test_section_four_without_a_next_quarter(client, login_as, db, make_quarter,
                                             make_unit, make_task):
    quarter = make_quarter(2023, 4)
    unit = make_unit("Ban Dân vận", "BDV")
    make_task(quarter=quarter, lead=unit, title="Đẩy mạnh phong trào thi đua",
              status="in_progress", progress=40)
    make_task(quarter=quarter, lead=unit, title="Tổng kết năm", status="done",
              progress=100, completed_on=D(2023, 12, 1))
    login_as("viewer")
    text = _body(_docx(client, "2023-Q4"))
    plan = text[text.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ I NĂM 2024"):]
    assert ("Tiếp tục đẩy mạnh phong trào thi đua (Ban Dân vận chủ trì; chuyển tiếp "
            "từ quý IV năm 2023, đã đạt 40%).") in plan
    assert "Tổng kết năm" not in plan
    assert "kết quả công tác dân vận quý IV năm 2023, phương hướng, nhiệm vụ quý I năm " \
        "2024" in text
    # Nothing written: sections I and III print their starting text.
    assert "Trong quý IV năm 2023, tình hình tư tưởng, tâm trạng" in text
    assert "tỷ lệ hoàn thành đạt" in text or "hoàn thành 1 nhiệm vụ" in text


def test_closed_quarter_report_is_judged_at_the_day_after_its_end(client, login_as,
                                                                 demo, db):
    q1 = db.session.scalar(db.select(Quarter).where(Quarter.number == 1))
    close_quarter(q1, {}, None)
    approve_quarter(q1, None)
    db.session.commit()
    login_as("viewer")
    # as_of is ignored: a closed quarter's figures are frozen at 01/04/2023.
    for url in ("/quarters/2023-Q1/report.docx",
                "/quarters/2023-Q1/report.docx?as_of=2023-02-01"):
        document = Document(io.BytesIO(client.get(url).data))
        text = _body(document)
        assert "Tổng số nhiệm vụ trong quý: 6;" in text
        assert "Kết quả chung (số liệu tính đến ngày 01/04/2023)" in text
        assert "quá hạn chưa hoàn thành 2." in text and "Tỷ lệ hoàn thành" in text
        assert "50%" in text
        # The date line is still the report's own date.
        right = document.tables[0].rows[0].cells[1]
        assert _cell_lines(right)[-1] == "Sơn Tịnh, ngày 31 tháng 3 năm 2023"
    plan = text[text.index("IV. PHƯƠNG HƯỚNG"):]
    # After the close the carried tasks live in Q2 and are listed once.
    assert plan.count("Tiếp tục đẩy mạnh thực hiện công tác dân vận ở xã") == 1


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_demo_report_converts_cleanly_with_libreoffice(client, login_as, demo,
                                                           tmp_path):
    login_as("viewer")
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(client.get("/quarters/2023-Q1/report.docx").data)
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists(), result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_runs_copy_their_look_and_keep_spaces_and_line_breaks():
    from tracker.reports.document import BODY_SIZE, _write

    paragraph = Document().add_paragraph()
    _write(paragraph, "  Kết quả ", size=Pt(12), bold=True)
    _write(paragraph, "dòng một\ndòng hai", italic=True)
    _write(paragraph, "thường")
    first, second, third = paragraph.runs
    assert first.text == "  Kết quả "
    assert first._r.find(qn("w:t")).get(qn("xml:space")) == "preserve"
    assert (first.font.size, first.bold, first.italic) == (Pt(12), True, None)
    assert second.text == "dòng một\ndòng hai"
    assert second._r.find(qn("w:br")) is not None
    assert (second.font.size, second.bold, second.italic) == (BODY_SIZE, None, True)
    assert third.text == "thường"
    assert third._r.find(qn("w:t")).get(qn("xml:space")) is None
    assert (third.bold, third.italic) == (None, None)
    # Each run has its own properties: changing one leaves the look's others alone.
    first.font.size = Pt(20)
    _write(paragraph, "lại", size=Pt(12), bold=True)
    assert paragraph.runs[-1].font.size == Pt(12)
