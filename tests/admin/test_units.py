"""Units: create, edit, place in the hierarchy, deactivate; all recorded."""
import pytest

from tests.helpers import page_text
from tracker.admin import services
from tracker.models import AuditEvent, Unit


@pytest.fixture
def admin(login_as):
    """Sign in as an administrator."""
    return login_as("admin")


def _unit(**extra):
    data = {"name": "Hội Cựu chiến binh huyện", "short_name": "HCCB",
            "kind": "mass_org", "parent_id": "0", "sort_order": "3"}
    data.update(extra)
    return data


def _events(db):
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity_type == "unit")
        .order_by(AuditEvent.id)).all()


def test_create_a_unit(client, admin, make_unit, db):
    front = make_unit("Mặt trận Tổ quốc huyện", "MTTQ", kind="front")
    response = client.post("/admin/units/new", data=_unit(parent_id=str(front.id)))
    assert response.status_code == 302
    unit = db.session.scalar(db.select(Unit).where(Unit.short_name == "HCCB"))
    assert (unit.name, unit.parent_id, unit.sort_order) == (
        "Hội Cựu chiến binh huyện", front.id, 3)
    [event] = _events(db)
    assert (event.action, event.user_id) == ("created", admin.id)
    assert event.entity_id == unit.id
    assert event.changes["parent_id"] == [None, "MTTQ"]
    assert event.changes["name"] == [None, "Hội Cựu chiến binh huyện"]


@pytest.mark.parametrize("bad, message", [
    ({"name": ""}, "Nhập tên đơn vị"),
    ({"short_name": ""}, "Nhập tên viết tắt"),
    ({"name": "\u200b\u200b"}, "Nhập tên đơn vị"),
    ({"short_name": "\u200b"}, "Nhập tên viết tắt"),
    ({"name": "y" * 201}, "Tối đa 200 ký tự"),
    ({"name": "Đảng ủy xã Tịnh Hà"}, "Đã có đơn vị khác mang tên này"),
    ({"short_name": "ĐU Tịnh Hà"}, "Đã có đơn vị khác mang tên viết tắt này"),
    ({"short_name": "đu tịnh hà"}, "Đã có đơn vị khác mang tên viết tắt này"),
    ({"kind": "army"}, "Lựa chọn không hợp lệ"),
    ({"parent_id": "99999"}, "Lựa chọn không hợp lệ"),
    ({"parent_id": "abc"}, "Lựa chọn không hợp lệ"),
    ({"sort_order": "-1"}, "Nhập số nguyên từ 0 đến 100000"),
    ({"sort_order": "nhiều"}, "số nguyên"),
])
def test_bad_unit_is_refused_and_nothing_stored(client, admin, make_unit, db, bad,
                                                message):
    make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà")
    response = client.post("/admin/units/new", data=_unit(**bad))
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 1
    assert _events(db) == []


def test_edit_a_unit_records_old_and_new(client, admin, make_unit, db):
    front = make_unit("Mặt trận Tổ quốc huyện", "MTTQ", kind="front")
    hnd = make_unit("Hội Nông dân", "HND")
    response = client.post(f"/admin/units/{hnd.id}", data=_unit(
        name="Hội Nông dân huyện Sơn Tịnh", short_name="HND", parent_id=str(front.id),
        sort_order=str(hnd.sort_order)))
    assert response.status_code == 302
    db.session.expire_all()
    hnd = db.session.get(Unit, hnd.id)
    assert hnd.name == "Hội Nông dân huyện Sơn Tịnh" and hnd.parent_id == front.id
    [event] = _events(db)
    assert event.changes == {"name": ["Hội Nông dân", "Hội Nông dân huyện Sơn Tịnh"],
                             "parent_id": [None, "MTTQ"]}


def test_a_unit_cannot_go_under_itself_or_its_children(client, admin, make_unit, db):
    top = make_unit("Cấp trên", "TOP")
    child = make_unit("Cấp dưới", "CHILD", parent=top)
    text = page_text(client.get(f"/admin/units/{top.id}"))
    assert f'value="{child.id}"' not in text and f'<option value="{top.id}"' not in text
    response = client.post(f"/admin/units/{top.id}",
                           data=_unit(name="Cấp trên", short_name="TOP",
                                      parent_id=str(child.id)))
    assert response.status_code == 400
    with pytest.raises(services.AdminError):
        services.update_unit(top, {"name": "Cấp trên", "short_name": "TOP",
                                   "kind": "mass_org", "parent_id": child.id,
                                   "sort_order": 0}, None)
    db.session.rollback()
    assert db.session.get(Unit, top.id).parent_id is None


def test_deactivated_unit_is_not_offered_for_new_tasks(client, admin, make_unit,
                                                       make_quarter, make_task, db):
    make_quarter(2023, 2)
    old = make_unit("Đơn vị cũ", "CU")
    task = make_task(lead=old, title="Việc của đơn vị cũ")
    assert client.post(f"/admin/units/{old.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Unit, old.id).is_active
    assert [e.action for e in _events(db)] == ["deactivated"]
    assert "Đơn vị cũ" not in page_text(client.get("/tasks/new?quarter=2023-Q2"))
    assert "Đơn vị cũ" in page_text(client.get(f"/tasks/{task.id}"))
    assert client.post(f"/admin/units/{old.id}/reactivate").status_code == 302
    assert "Đơn vị cũ" in page_text(client.get("/tasks/new?quarter=2023-Q2"))


def test_units_page_lists_the_hierarchy(client, admin, make_unit):
    top = make_unit("Ban Thường vụ", "BTV")
    make_unit("Ban Dân vận", "BDV", parent=top)
    text = page_text(client.get("/admin/units/"))
    text = text[text.index("<main"):]  # the menu names the board
    assert text.index("Ban Thường vụ") < text.index("Ban Dân vận")
    assert "unit-depth-1" in text
