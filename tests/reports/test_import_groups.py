"""The plan import and the exports with groups, outside bodies and co-leads: named by
name or short name, an unknown unit offered for creation from the preview (never
created by reading a file), and a workbook that reads back as it was written."""
import datetime as dt
import io

import pytest

from tests.helpers import page_text
from tests.reports.test_import import _confirm, _round_trip, q3  # noqa: F401
from tracker.models import AuditEvent, ImportUpload, Task, Unit
from tracker.reports.columns import IMPORT_COLUMNS, header

D = dt.date
COLS = [c for c in IMPORT_COLUMNS if c.key in (
    "kind", "title", "lead_unit", "co_lead", "coordinating", "participating",
    "held_on")]


@pytest.fixture
def groups(db, units, make_unit):
    """The communes as "Các cơ sở", the Front and the Farmers as "Khối Dân vận", and an
    outside body."""
    communes = Unit(name="Các cơ sở", short_name="Các cơ sở", kind="group",
                    sort_order=40, members=[units["TT"], units["TH"]])
    bloc = Unit(name="Khối Dân vận", short_name="Khối DV", kind="group",
                sort_order=41, members=[units["MTTQ"], units["HND"]])
    db.session.add_all([communes, bloc])
    db.session.commit()
    outside = make_unit("Ban Tuyên giáo Huyện ủy", "BTGHU", kind="external")
    return {"CCS": communes, "KDV": bloc, "BTGHU": outside}


def _file(xlsx_file, *rows):
    header_row = [header(c) for c in COLS]
    return xlsx_file([header_row] + [[row.get(c.key, "") for c in COLS]
                                     for row in rows])


def _links(task):
    return sorted((link.unit.short_name, link.role, link.via_group_id is not None)
                  for link in task.unit_links)


def test_groups_outside_bodies_and_co_leads_are_read_by_name_or_short_name(
    client, login_as, db, q3, units, groups, xlsx_file, upload
):
    login_as("leader")
    content = _file(xlsx_file, {
        "kind": "dialogue", "title": "Bí thư Đảng ủy 2 xã đối thoại với nhân dân",
        "lead_unit": "cac co so", "co_lead": "BDV; ban tuyen giao huyen uy",
        "coordinating": "Khối Dân vận", "held_on": "20/08/2023",
    })
    preview = upload("2023-Q3", content)
    assert preview.status_code == 200, page_text(preview)
    assert _confirm(client, preview).status_code == 302
    task = db.session.scalar(db.select(Task))
    assert task.lead_unit_id == groups["CCS"].id and task.held_on == D(2023, 8, 20)
    assert _links(task) == [
        ("BDV", "co_lead", False), ("BTGHU", "co_lead", False),
        ("HND", "coordinating", True), ("Khối DV", "coordinating", False),
        ("MTTQ", "coordinating", True),
        ("ĐU Tịnh Hiệp", "participating", True),
        ("ĐU Tịnh Trà", "participating", True),
    ]


def test_a_group_cannot_take_a_share_itself(login_as, db, q3, units, groups,
                                            xlsx_file, upload):
    login_as("leader")
    response = upload("2023-Q3", _file(xlsx_file, {
        "kind": "Khác", "title": "Việc", "lead_unit": "BDV",
        "participating": "Các cơ sở"}))
    assert response.status_code == 400
    assert "Khối tham gia qua phần việc của các đơn vị thành viên" in page_text(
        response)
    assert db.session.scalar(db.select(Task)) is None


def test_an_unknown_unit_is_offered_for_creation_then_the_file_is_read_again(
    client, login_as, db, q3, units, groups, xlsx_file, upload
):
    user = login_as("staff", units=[units["BDV"]])
    content = _file(xlsx_file, {
        "kind": "Khác", "title": "Tuyên truyền Nghị quyết", "lead_unit": "BDV",
        "co_lead": "Văn phòng Huyện ủy", "coordinating": "Ban Dân vận Tỉnh ủy; MTTQ"})
    preview = upload("2023-Q3", content)
    text = page_text(preview)
    assert preview.status_code == 400
    assert "Không có đơn vị “Văn phòng Huyện ủy”" in text
    assert 'id="confirm-import"' not in text
    assert text.count('value="Văn phòng Huyện ủy"') == 1
    assert text.count('value="Ban Dân vận Tỉnh ủy"') == 1
    # Nothing was created by reading the file.
    assert db.session.scalar(db.select(Unit).where(Unit.kind == "external",
                                                   Unit.name != "Ban Tuyên giáo "
                                                   "Huyện ủy")) is None
    token = text.split('name="token" value="')[1].split('"')[0]

    url = "/quarters/2023-Q3/import/outside-unit"
    response = client.post(url, data={"token": token, "name": "Văn phòng Huyện ủy"})
    assert response.status_code == 400  # one unknown unit is still left
    office = db.session.scalar(db.select(Unit).where(
        Unit.name == "Văn phòng Huyện ủy"))
    assert office.kind == "external" and office.is_external
    [event] = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.entity_type == "unit", AuditEvent.entity_id == office.id)).all()
    assert (event.action, event.user_id) == ("created", user.id)
    text = page_text(response)
    assert 'value="Văn phòng Huyện ủy"' not in text
    assert 'value="Ban Dân vận Tỉnh ủy"' in text

    response = client.post(url, data={"token": token, "name": "Ban Dân vận Tỉnh ủy"})
    assert response.status_code == 200, page_text(response)
    assert 'id="confirm-import"' in page_text(response)
    assert _confirm(client, response).status_code == 302
    task = db.session.scalar(db.select(Task))
    assert _links(task) == [("Ban Dân vận Tỉnh ủy", "coordinating", False),
                            ("MTTQ", "coordinating", False),
                            ("Văn phòng Huyện ủy", "co_lead", False)]
    assert db.session.scalar(db.select(db.func.count()).select_from(
        ImportUpload)) == 0


@pytest.mark.parametrize("name", ["Ban Tuyên giáo Huyện ủy", "Không có trong tệp",
                                  ""])
def test_only_a_name_the_file_does_not_know_may_be_created(
    client, login_as, db, q3, units, groups, xlsx_file, upload, name
):
    login_as("leader")
    preview = upload("2023-Q3", _file(xlsx_file, {
        "kind": "Khác", "title": "Việc", "lead_unit": "Văn phòng Huyện ủy"}))
    token = page_text(preview).split('name="token" value="')[1].split('"')[0]
    before = db.session.scalar(db.select(db.func.count()).select_from(Unit))
    response = client.post("/quarters/2023-Q3/import/outside-unit",
                           data={"token": token, "name": name})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == before


def test_the_offer_needs_the_users_own_upload(client, login_as, db, q3, units,
                                              groups):
    login_as("leader")
    response = client.post("/quarters/2023-Q3/import/outside-unit",
                           data={"token": "x" * 32, "name": "Văn phòng Huyện ủy"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Unit).where(
        Unit.name == "Văn phòng Huyện ủy")) is None
    client.post("/logout")
    login_as("viewer")
    response = client.post("/quarters/2023-Q3/import/outside-unit",
                           data={"token": "x" * 32, "name": "Văn phòng Huyện ủy"})
    assert response.status_code == 403


@pytest.mark.parametrize("url, filename", [
    ("/quarters/import-template.xlsx?from=2023-Q2", "ke-hoach-2023-Q2.xlsx"),
    ("/quarters/2023-Q2/report.xlsx", "bao-cao-2023-Q2.xlsx"),
    ("/quarters/2023-Q2/tasks.csv", "nhiem-vu-2023-Q2.csv"),
])
def test_groups_and_co_leads_round_trip(client, login_as, db, make_quarter, units,
                                        groups, make_task, url, filename):
    from tracker.tasks.services import update_task

    quarter = make_quarter(2023, 2)
    make_task(quarter=quarter, lead=groups["CCS"], kind="dialogue",
              title="Đối thoại ở xã", held_on=D(2023, 5, 10))
    task = make_task(quarter=quarter, lead=units["MTTQ"], kind="movement",
                     title="Ngày vì người nghèo", coordinating=[groups["BTGHU"]])
    update_task(task, {}, None, coordinating=[groups["BTGHU"].id],
                co_lead=[units["BDV"].id, groups["KDV"].id])
    db.session.commit()
    login_as("leader")
    before = [(t.title, t.lead_unit.short_name, t.held_on, _links(t))
              for t in db.session.scalars(db.select(Task).order_by(Task.id))]
    exported = client.get(url)
    assert exported.status_code == 200
    after = [(t.title, t.lead_unit.short_name, t.held_on, _links(t))
             for t in _round_trip(client, db, exported.data, filename)]
    assert after == before
    # MTTQ leads: the bloc's co-lead gives a share to its other member only.
    assert before[1][3] == [("BDV", "co_lead", False), ("BTGHU", "coordinating", False),
                            ("HND", "participating", True),
                            ("Khối DV", "co_lead", False)]
