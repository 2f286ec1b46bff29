"""The administrators' log: audit events and task history, filtered, paged, exported."""
import csv
import datetime as dt
import io

import pytest

from tests.helpers import page_text, visible_text
from tracker.admin import services as admin_services
from tracker.models import AuditEvent, TaskUpdate
from tracker.quarters import services as quarter_services
from tracker.tasks import services as task_services


@pytest.fixture
def log(db, login_as, make_user, make_unit, make_task, make_quarter):
    """Sign in as an administrator and fill the log with a little of everything."""
    admin = login_as("admin", username="quantri")
    leader = make_user("lanhdao", role="leader")
    quarter = make_quarter(2023, 2)
    unit = admin_services.create_unit(
        {"name": "Hội Nông dân huyện", "short_name": "HND", "kind": "mass_org",
         "parent_id": None, "sort_order": 1}, admin)
    task = make_task(quarter=quarter, lead=unit, user=leader,
                     title="Đại hội Hội Nông dân lần thứ XII")
    task_services.report_progress(task, "in_progress", 40, "Đã họp trù bị", leader)
    task_services.add_direction(task, "Chuẩn bị kỹ nhân sự", leader)
    quarter_services.set_state(quarter, "planning", leader)
    db.session.commit()
    return dict(admin=admin, leader=leader, quarter=quarter, unit=unit, task=task)


def _rows(text):
    body = text[text.index("<tbody>", text.index("audit-log")):]
    return body[:body.index("</tbody>")].count("<tr")


def test_log_shows_audit_events_and_task_history(client, log):
    text = page_text(client.get("/admin/audit"))
    assert _rows(text) == 5 and "5 mục" in text
    for expected in ("Hội Nông dân huyện", "Đại hội Hội Nông dân lần thứ XII",
                     "Quý II/2023", "Báo cáo tiến độ", "Đã họp trù bị",
                     "Chuẩn bị kỹ nhân sự", "Ý kiến chỉ đạo", "Lanhdao", "Quantri",
                     "Đang thực hiện → Đang lập kế hoạch"):
        assert expected in text, expected
    assert "Chưa thực hiện → Đang thực hiện" in text and "0 → 40" in text
    assert 'class="table-warning"' in text  # the direction stands out
    assert f'href="/tasks/{log["task"].id}"' in text
    assert f'href="/admin/units/{log["unit"].id}"' in text


@pytest.mark.parametrize("query, count, present, absent", [
    ("entity=task", 3, "Đã họp trù bị", "Tên viết tắt"),
    ("entity=unit", 1, "Tên viết tắt", "Đã họp trù bị"),
    ("entity=quarter", 1, "lập kế hoạch", "Đã họp trù bị"),
    ("user={admin}", 1, "Hội Nông dân huyện", "Đã họp trù bị"),
    ("user={leader}&entity=task", 3, "Chuẩn bị kỹ nhân sự", "Tên viết tắt"),
    ("q=trù bị", 1, "Đã họp trù bị", "Chuẩn bị kỹ nhân sự"),
    ("q=hnd", 1, "Tên viết tắt", "Đã họp trù bị"),  # letter case does not matter
    ("q=HND", 1, "Tên viết tắt", "Đã họp trù bị"),
    ("q=lần thứ XII", 3, "Đã họp trù bị", "Tên viết tắt"),
    ("q=100%_", 0, None, "Đã họp trù bị"),
    ("entity=task&entity_id={task}", 3, "Chuẩn bị kỹ nhân sự", "Tên viết tắt"),
])
def test_filters(client, log, query, count, present, absent):
    ids = {"admin": log["admin"].id, "leader": log["leader"].id, "task": log["task"].id}
    text = page_text(client.get("/admin/audit?" + query.format(**ids)))
    if count is not None:
        assert _rows(text) == max(count, 1 if count == 0 else count)
        assert f"{count} mục" in text
    if present:
        assert present in text
    if absent:
        assert absent not in text


def test_date_range_is_in_local_days(client, log, db):
    # 2023-04-30 23:30 in Hanoi is 16:30 UTC: it belongs to the 30th, not the 1st.
    entries = db.session.scalars(db.select(TaskUpdate)).all()
    entries[0].created_at = dt.datetime(2023, 4, 30, 16, 30)
    for entry in entries[1:]:
        entry.created_at = dt.datetime(2023, 5, 2, 3, 0)
    for event in db.session.scalars(db.select(AuditEvent)):
        event.created_at = dt.datetime(2023, 6, 1, 3, 0)
    db.session.commit()
    text = page_text(client.get("/admin/audit?date_from=2023-05-01&date_to=02/05/2023"))
    assert "2 mục" in text
    text = page_text(client.get("/admin/audit?date_to=2023-04-30"))
    assert "1 mục" in text
    text = page_text(client.get("/admin/audit?date_from=2023-06-01"))
    assert "2 mục" in text


@pytest.mark.parametrize("query", [
    "entity=bogus", "entity_id=abc", "entity_id=99999999999999", "user=x",
    "user=-1", "date_from=31/02/2023", "date_to=hôm qua", "date_from=1800-01-01",
    "date_from=2023-06-01&date_to=2023-05-01", "page=-3", "page=abc", "per_page=0",
    "per_page=100000", "q=" + "x" * 5000, "q=%27%3B DROP TABLE task;--",
    "_external=1&endpoint=x", "page=99999",
])
def test_bad_filters_never_fail(client, log, query):
    response = client.get("/admin/audit?" + query)
    assert response.status_code == 200
    assert "Nhật ký thay đổi" in page_text(response)
    assert client.get("/admin/audit.csv?" + query).status_code == 200


def test_bad_dates_are_reported(client, log):
    text = page_text(client.get("/admin/audit?date_from=31/02/2023"))
    assert "Ngày “31/02/2023” không hợp lệ" in text and "5 mục" in text


def test_pages_cost_the_same_statements_whatever_their_size(client, log, db,
                                                            count_queries):
    task = log["task"]
    for n in range(40):
        task_services.add_direction(task, f"Chỉ đạo số {n}", log["leader"])
    db.session.commit()
    counts = {}
    client.get("/admin/audit")  # the first request loads the language catalogs
    for per_page in (5, 45):
        with count_queries() as statements:
            response = client.get(f"/admin/audit?per_page={per_page}")
        assert response.status_code == 200
        assert _rows(page_text(response)) == per_page
        counts[per_page] = len(statements)
    assert counts[5] == counts[45] <= 6


def test_pages_go_from_newest_to_oldest(client, log, db):
    task = log["task"]
    for n in range(7):
        task_services.add_direction(task, f"Chỉ đạo số {n}", log["leader"])
    db.session.commit()
    first = page_text(client.get("/admin/audit?per_page=5&entity=task"))
    second = page_text(client.get("/admin/audit?per_page=5&entity=task&page=2"))
    assert "Trang 1/2" in first and "Trang 2/2" in second
    assert "Chỉ đạo số 6" in first and "Chỉ đạo số 0" not in first
    assert "Chỉ đạo số 0" in second and "Chỉ đạo số 6" not in second
    assert 'href="/admin/audit?page=2&amp;entity=task&amp;per_page=5"' in first


def _csv(response):
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export(client, log):
    response = client.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Thời gian", "Người thực hiện", "Loại", "Mã", "Đối tượng",
                       "Hành động", "Trường", "Giá trị cũ", "Giá trị mới", "Ghi chú"]
    progress = [row for row in rows if row[5] == "Báo cáo tiến độ"]
    assert [(row[6], row[7], row[8]) for row in progress] == [
        ("Trạng thái", "Chưa thực hiện", "Đang thực hiện"), ("Tiến độ (%)", "0", "40")]
    # A leader of no unit on the task reports on behalf of its lead unit.
    assert progress[0][9] == "Đã họp trù bị [thay mặt Hội Nông dân huyện]"
    assert progress[0][1] == "Lanhdao"
    unit = [row for row in rows if row[2] == "Đơn vị"]
    assert ("Tên viết tắt", "", "HND") in [(row[6], row[7], row[8]) for row in unit]


def test_csv_follows_the_filters_and_defuses_formulas(client, log, make_task):
    make_task(quarter=log["quarter"], lead=log["unit"], title='=HYPERLINK("http://x")')
    rows = _csv(client.get("/admin/audit.csv?entity=task&q=HYPERLINK"))
    assert len(rows) == 2
    assert rows[1][4].startswith("'#") or rows[1][4].startswith("#")
    assert not any(cell.startswith("=") for row in rows for cell in row)


# ---- Labels, not codes ---------------------------------------------------------------


@pytest.fixture
def busy_log(log, db, make_unit, make_task, make_user):
    """Add to the log what shows codes when shown raw: kinds, units, quarters."""
    from tracker.quarters.rollover import approve_quarter, close_quarter
    from tracker.reports.services import save_report

    admin, leader, quarter, unit = (log[name] for name in
                                    ("admin", "leader", "quarter", "unit"))
    leader.full_name = "Nguyễn Văn Lãnh"
    front = admin_services.create_unit(
        {"name": "Ủy ban MTTQ Việt Nam huyện", "short_name": "MTTQ",
         "kind": "front", "parent_id": None, "sort_order": 2}, admin)
    admin_services.update_unit(unit, {
        "name": unit.name, "short_name": "HND", "kind": "mass_org",
        "parent_id": front.id, "sort_order": 1}, admin)
    staff = make_user("canbo", role="staff", units=[unit])
    admin_services.update_user(staff, "Trần Thị Bích", "leader", [front], admin)
    task = make_task(quarter=quarter, lead=unit, user=leader, kind="congress",
                     title="Đại hội Công đoàn")
    task_services.update_task(task, {"kind": "training", "lead_unit_id": front.id,
                                     "title": "Đại hội Công đoàn"}, leader,
                              coordinating=[unit.id])
    save_report(quarter, {"number": "15-BC/BDVHU", "proposals": "Đề nghị"}, leader)
    quarter.state = "active"
    db.session.flush()
    close_quarter(quarter, {task.id: "not_needed"}, admin)
    approve_quarter(quarter, leader)
    db.session.commit()
    return dict(log, task=task, front=front, staff=staff)


CODES = ("2023-Q", "congress", "training", "not_needed", "coordinating", "mass_org",
         "'staff'", "leader ", "lanhdao ", "proposals", "number ", "Quý Quý",
         "Quarter Quarter")


@pytest.mark.parametrize("lang, present", [
    ("vi", ["Loại công việc: Đại hội → Lớp tập huấn",
            "Đơn vị chủ trì: Hội Nông dân huyện → Ủy ban MTTQ Việt Nam huyện",
            "Đơn vị phối hợp: ∅ → Hội Nông dân huyện",
            "Lý do kết thúc: ∅ → Không còn cần thiết",
            "Trực thuộc: ∅ → Ủy ban MTTQ Việt Nam huyện",
            "Vai trò: Cán bộ → Lãnh đạo",
            "Đơn vị: Hội Nông dân huyện → Ủy ban MTTQ Việt Nam huyện",
            "Quý tiếp theo: Quý III/2023",
            "Người phê duyệt: ∅ → Nguyễn Văn Lãnh (lanhdao)",
            "Các mục đã sửa: Số, ký hiệu, Đề xuất, kiến nghị (mục V, không bắt buộc)",
            "Tài khoản Trần Thị Bích (canbo)", "Nguyễn Văn Lãnh"]),
    ("en", ["Kind of work: Congress → Training course",
            "Closing reason: ∅ → No longer needed", "Next quarter: Quarter III/2023",
            "Role: Staff → Leader", "Fields changed: Number and symbol, Proposals"]),
])
def test_log_shows_labels_not_codes(client, busy_log, lang, present):
    client.get(f"/admin/audit?lang={lang}")
    text = visible_text(client.get("/admin/audit?per_page=200"))
    for expected in present:
        assert expected in text, expected
    for code in CODES:
        assert code not in text, code


def test_csv_shows_the_same_words(client, busy_log):
    response = client.get("/admin/audit.csv?per_page=200")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    cells = {(row[6], row[7], row[8]) for row in rows}
    assert ("Loại công việc", "Đại hội", "Lớp tập huấn") in cells
    assert ("Quý tiếp theo", "", "Quý III/2023") in cells
    assert ("Đang hoạt động", "", "") not in cells
    assert not any(code in cell for row in rows for cell in row for code in CODES)
    booleans = [row for row in rows if row[6] == "Đã được phê duyệt"]
    assert all(row[8] in ("có", "không") for row in booleans)


def test_the_person_filter_lists_full_names(client, busy_log):
    text = page_text(client.get("/admin/audit"))
    assert f'<option value="{busy_log["leader"].id}" >Nguyễn Văn Lãnh</option>' in text
