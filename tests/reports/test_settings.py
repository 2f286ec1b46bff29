"""The report settings page and the issuing body's settings: who may change what."""
import pytest

from tests.helpers import page_text
from tracker.models import AuditEvent, Organisation, Quarter, QuarterReport

GOOD = {
    "number": "16-BC/BDVHU", "issued_on": "30/06/2023", "place": "Sơn Tịnh",
    "signer_name": "Lê Thị Phó", "signer_title": "deputy",
    "summary_line": "kết quả công tác dân vận quý II, phương hướng, nhiệm vụ quý III "
                    "năm 2023",
    "recipients": "Ban Dân vận Tỉnh ủy (b/c),\nLưu BDVHU.",
    "public_mood": "Nhân dân phấn khởi.", "strengths": "Hoàn thành kế hoạch.",
    "shortcomings": "Còn chậm.", "proposals": "",
}


def _report(db, number=2):
    quarter = db.session.scalar(db.select(Quarter).where(Quarter.number == number))
    return db.session.scalar(
        db.select(QuarterReport).where(QuarterReport.quarter_id == quarter.id))


def test_staff_saves_the_report_settings(client, login_as, demo, db):
    user = login_as("staff")
    text = page_text(client.get("/quarters/2023-Q2/report"))
    assert 'id="download-docx"' in text and "Báo cáo và xuất dữ liệu" in text
    assert "kết quả công tác dân vận quý II, phương hướng, nhiệm vụ quý III năm 2023" \
        in text  # the default summary line
    response = client.post("/quarters/2023-Q2/report", data=GOOD)
    assert response.status_code == 302
    saved = _report(db)
    assert (saved.number, saved.signer_title, saved.updated_by_id) == (
        "16-BC/BDVHU", "deputy", user.id)
    assert saved.issued_on.isoformat() == "2023-06-30"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "report"))
    assert "number" in event.changes["fields"] and event.user_id == user.id
    assert "Đã lưu thông tin báo cáo." in page_text(client.get("/quarters/2023-Q2/report"))


@pytest.mark.parametrize("field, value, message", [
    ("number", "mười lăm", "Ghi số, ký hiệu theo dạng 15-BC/BDVHU."),
    ("number", "15 BC BDVHU", "Ghi số, ký hiệu theo dạng 15-BC/BDVHU."),
    ("issued_on", "31/02/2023", "Not a valid date value"),
    ("signer_title", "president", "Not a valid choice"),
    ("summary_line", "x" * 501, "500"),
])
def test_bad_report_settings_are_refused(client, login_as, demo, db, field, value,
                                         message):
    login_as("staff")
    response = client.post("/quarters/2023-Q2/report", data=dict(GOOD, **{field: value}))
    assert response.status_code == 400
    text = page_text(response)
    assert "Vui lòng sửa các trường được đánh dấu bên dưới." in text
    if not message.startswith("Not a valid"):
        assert message in text
    assert _report(db) is None


def test_viewer_reads_but_cannot_change(client, login_as, demo, db):
    login_as("viewer")
    response = client.get("/quarters/2023-Q1/report")
    text = page_text(response)
    assert response.status_code == 200
    assert 'id="report-values"' in text and "15-BC/BDVHU" in text
    assert '<form method="post" class="report-form"' not in text
    assert "Nhập kế hoạch" not in text  # no import tab for viewers
    assert client.post("/quarters/2023-Q1/report", data=GOOD).status_code == 403
    assert _report(db, 1).number == "15-BC/BDVHU"


def test_quarter_tabs_link_to_the_report_pages(client, login_as, demo):
    login_as("staff")
    text = page_text(client.get("/quarters/2023-Q2/summary"))
    assert 'href="/quarters/2023-Q2/report"' in text
    assert 'href="/quarters/2023-Q2/import"' in text


def test_leader_changes_the_issuing_body(client, login_as, demo, db):
    login_as("leader")
    bdv = db.session.scalar(db.select(Organisation)).unit_id
    response = client.post("/reports/organisation", data={
        "superior_body": "HUYỆN ỦY SƠN TỊNH", "issuing_body": "BAN TUYÊN GIÁO VÀ DÂN VẬN",
        "issuer_code": "btgdvhu", "place": "Sơn Tịnh", "unit_id": str(bdv),
        "signer_name": "", "recipients": "",
    })
    assert response.status_code == 302
    org = db.session.scalar(db.select(Organisation))
    assert (org.issuing_body, org.issuer_code) == ("BAN TUYÊN GIÁO VÀ DÂN VẬN", "BTGDVHU")
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1


def test_first_issuing_body_settings_are_created(client, login_as, db, make_quarter):
    make_quarter(2023, 1)
    login_as("admin")
    assert 'id="issuer-missing"' in page_text(client.get("/quarters/2023-Q1/report"))
    response = client.post("/reports/organisation", data={
        "superior_body": "HUYỆN ỦY A", "issuing_body": "BAN DÂN VẬN",
        "issuer_code": "BDVHU", "place": "A", "unit_id": "0",
    })
    assert response.status_code == 302
    org = db.session.scalar(db.select(Organisation))
    assert org.unit_id is None and org.place == "A"


@pytest.mark.parametrize("data, message", [
    ({"superior_body": ""}, "Nhập tên cơ quan cấp trên."),
    ({"issuer_code": "BDV HU"}, "Dùng chữ in hoa và chữ số"),
    ({"unit_id": "999999"}, "Not a valid choice"),
])
def test_bad_issuing_body_settings_are_refused(client, login_as, demo, db, data,
                                               message):
    login_as("admin")
    form = {"superior_body": "HUYỆN ỦY X", "issuing_body": "BAN DÂN VẬN",
            "issuer_code": "BDVHU", "place": "X", "unit_id": "0"}
    response = client.post("/reports/organisation", data=dict(form, **data))
    assert response.status_code == 400
    if not message.startswith("Not a valid"):
        assert message in page_text(response)
    assert db.session.scalar(db.select(Organisation)).superior_body == "HUYỆN ỦY SƠN TỊNH"


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_only_leaders_change_the_issuing_body(client, login_as, demo, role):
    login_as(role)
    assert client.get("/reports/organisation").status_code == 403
    assert client.post("/reports/organisation", data={}).status_code == 403
