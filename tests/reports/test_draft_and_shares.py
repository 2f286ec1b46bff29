"""A report with parts missing is a draft; each unit's share is reported as its own."""
import io
import re

import pytest
from docx import Document

from tests.helpers import get_task, page_text
from tracker.models import Organisation
from tracker.reports import phrases

FILLED = {
    "number": "16-BC/BDVHU", "issued_on": "30/06/2023", "place": "Sơn Tịnh",
    "signer_name": "Nguyễn Văn Lãnh", "signer_title": "head",
    "public_mood": "Nhân dân phấn khởi.", "strengths": "Hoàn thành kế hoạch.",
    "shortcomings": "Còn chậm.", "recipients": "Lưu BDVHU.",
}


def _document(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return Document(io.BytesIO(response.data))


def _body(document):
    return "\n".join(p.text for p in document.paragraphs)


def test_a_complete_report_is_final(client, login_as, demo):
    login_as("viewer")
    text = page_text(client.get("/quarters/2023-Q1/report"))
    assert 'id="report-complete"' in text and 'id="report-missing"' not in text
    document = _document(client, "/quarters/2023-Q1/report.docx")
    body = _body(document)
    assert "DỰ THẢO" not in body and "[Chưa nhập" not in body
    assert not document.core_properties.title.startswith("DỰ THẢO")


def test_a_report_with_parts_missing_is_a_draft_until_filled(client, login_as, demo):
    login_as("staff")
    text = page_text(client.get("/quarters/2023-Q2/report"))
    missing = text[text.index('id="report-missing"'):]
    missing = missing[:missing.index("</section>")]
    # Signer and place come from the issuing body's settings; the number is
    # missing, with a link to its field. The written parts have a starting text.
    item = re.search('<li class="missing-number"><a href="#number">([^<]*)</a>',
                     missing)
    assert item and "số, ký hiệu của báo cáo" in item.group(1).lower()
    assert 'id="number"' in text  # the field the link goes to
    for name in ("signer_name", "place", "public_mood", "strengths", "shortcomings"):
        assert f"missing-{name}" not in missing
    document = _document(client, "/quarters/2023-Q2/report.docx")
    first = document.paragraphs[0]
    assert first.text == "DỰ THẢO" and first.runs[0].bold
    assert document.core_properties.title.startswith("DỰ THẢO: BÁO CÁO")
    assert "tình hình tư tưởng, tâm trạng" in _body(document)  # the starting text

    response = client.post("/quarters/2023-Q2/report", data=FILLED)
    assert response.status_code == 302
    text = page_text(client.get("/quarters/2023-Q2/report"))
    assert 'id="report-missing"' not in text and 'id="report-complete"' in text
    document = _document(client, "/quarters/2023-Q2/report.docx")
    body = _body(document)
    assert "DỰ THẢO" not in body and "[Chưa nhập" not in body
    assert "Nhân dân phấn khởi." in body
    # Emptying a written part goes back to its starting text; the report stays final.
    client.post("/quarters/2023-Q2/report", data=dict(FILLED, shortcomings=" "))
    document = _document(client, "/quarters/2023-Q2/report.docx")
    assert document.paragraphs[0].text != "DỰ THẢO"
    body = _body(document)
    shortcomings = body[body.index("2. Hạn chế, nguyên nhân"):body.index("IV. ")]
    assert "nhiệm vụ" in shortcomings


def test_missing_issuing_body_links_to_its_settings(client, login_as, demo, db):
    org = db.session.scalar(db.select(Organisation))
    org.issuer_code = ""
    db.session.commit()
    login_as("leader")
    text = page_text(client.get("/quarters/2023-Q1/report"))
    assert ('<li class="missing-organisation"><a href="/reports/organisation">'
            in text)
    assert _document(client, "/quarters/2023-Q1/report.docx").paragraphs[0].text == (
        "DỰ THẢO")
    client.post("/logout")
    login_as("viewer")  # may not change it: listed without a link
    text = page_text(client.get("/quarters/2023-Q1/report"))
    item = '<li class="missing-organisation">Tên và mã của cơ quan ban hành</li>'
    assert item in text


def test_the_report_says_which_units_completed_their_share(client, login_as, demo):
    login_as("viewer")
    body = _body(_document(client, "/quarters/2023-Q2/report.docx?as_of=2023-06-20"))
    line = next(p for p in body.splitlines() if "Quy chế dân chủ ở cơ sở" in p
                and p.startswith("- "))
    assert ("8/11 xã đã hoàn thành phần việc được giao; còn Tịnh Sơn, Tịnh Thọ, "
            "Tịnh Trà chưa hoàn thành.") in line
    # A unit's note is printed as that unit's, never as the whole task's result.
    assert line.endswith("Tịnh Sơn: Đang hoàn thiện báo cáo.")
    assert line.count("Đang hoàn thiện báo cáo") == 1
    assert "Đã rà soát, báo cáo kết quả thực hiện QCDC" not in line
    # Judged at its cut-off: before the shares were reported, none was done.
    body = _body(_document(client, "/quarters/2023-Q2/report.docx?as_of=2023-05-01"))
    assert "0/11 xã đã hoàn thành phần việc được giao; còn Tịnh Bắc," in body
    body = _body(_document(client, "/quarters/2023-Q1/report.docx"))
    assert "11/11 xã đã hoàn thành phần việc được giao." in body


def test_the_workbook_has_a_row_per_share(client, login_as, demo):
    from openpyxl import load_workbook

    login_as("viewer")
    response = client.get("/quarters/2023-Q2/report.xlsx?as_of=2023-06-20")
    sheet = load_workbook(io.BytesIO(response.data))["Phần việc của các đơn vị"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Đơn vị",
                          "Trạng thái phần việc"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    task = get_task("Thực hiện nghiêm túc Quy chế dân chủ")
    mine = [row for row in rows if row[0] == task.id]
    assert len(mine) == 11
    son = next(row for row in mine if row[3] == "Đảng ủy xã Tịnh Sơn")
    assert son[4] == "Đang thực hiện" and son[8] == "Đang hoàn thiện báo cáo."
    assert son[7] == "Đang thực hiện trong hạn"
    ha = next(row for row in mine if row[3] == "Đảng ủy xã Tịnh Hà")
    assert ha[4] == "Hoàn thành" and ha[5] is not None
    assert ha[7] == "Hoàn thành đúng hạn"


@pytest.mark.parametrize("names, expected", [
    (["Đảng ủy xã Tịnh Hà", "Đảng ủy xã Tịnh Trà"], ("xã", ["Tịnh Hà", "Tịnh Trà"])),
    (["Đảng ủy xã Tịnh Hà"], ("xã", ["Tịnh Hà"])),
    (["Ủy ban nhân dân phường Trần Phú", "Ủy ban nhân dân phường Lê Hồng Phong"],
     ("phường", ["Trần Phú", "Lê Hồng Phong"])),
    (["Hội Nông dân huyện Sơn Tịnh", "Đảng ủy xã Tịnh Hà"],
     ("đơn vị", ["Hội Nông dân huyện Sơn Tịnh", "Đảng ủy xã Tịnh Hà"])),
])
def test_units_named_alike_are_named_by_their_place(names, expected):
    assert phrases.unit_group(names) == expected


def test_shares_sentence():
    assert phrases.shares_sentence(2, 2, "xã", []) == (
        "2/2 xã đã hoàn thành phần việc được giao.")
    assert phrases.shares_sentence(1, 3, "đơn vị", [("A", " chưa  báo cáo "),
                                                    ("B", "")]) == (
        "1/3 đơn vị đã hoàn thành phần việc được giao; còn A, B chưa hoàn thành. "
        "A: chưa báo cáo.")
