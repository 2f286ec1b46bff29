"""Accounts: create, change role and units, reset passwords, deactivate; recorded."""
import pytest

from tests.helpers import page_text
from tracker.admin import services
from tracker.models import AuditEvent, User


@pytest.fixture
def admin(login_as):
    """Sign in as an administrator and return the account."""
    return login_as("admin", username="quantri")


def _events(db, user_id):
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity_type == "user",
                                    AuditEvent.entity_id == user_id)
        .order_by(AuditEvent.id)
    ).all()


def _new_user(**extra):
    data = {"username": "canbo_moi", "full_name": "Cán bộ mới", "role": "staff",
            "password": "mat-khau-dai", "confirm": "mat-khau-dai"}
    data.update(extra)
    return data


def test_create_an_account(client, admin, make_unit, db, app):
    hnd = make_unit("Hội Nông dân", "HND")
    response = client.post("/admin/users/new", data=_new_user(units=[str(hnd.id)]))
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "canbo_moi"))
    assert (user.role, user.full_name, [u.short_name for u in user.units]) == (
        "staff", "Cán bộ mới", ["HND"])
    [event] = _events(db, user.id)
    assert (event.action, event.user_id) == ("created", admin.id)
    assert event.changes["role"] == [None, "staff"]
    assert event.changes["units"] == [[], ["HND"]]
    assert "mat-khau" not in str(event.changes) and user.password_hash not in str(
        event.changes)
    other = app.test_client()
    response = other.post("/login", data={"username": "canbo_moi",
                                          "password": "mat-khau-dai"})
    assert response.status_code == 302


@pytest.mark.parametrize("bad, message", [
    ({"username": ""}, "Nhập tên đăng nhập"),
    ({"username": "x"}, "Từ 2 đến 60 ký tự"),
    ({"username": "nguyễn văn a"}, "Chỉ dùng chữ không dấu"),
    ({"username": "<script>"}, "Chỉ dùng chữ không dấu"),
    ({"username": "QuanTri"}, "Tên đăng nhập này đã có người dùng"),
    ({"password": "ngan", "confirm": "ngan"}, "Mật khẩu phải có ít nhất 8 ký tự"),
    ({"confirm": "khac-han"}, "Hai mật khẩu không khớp"),
    ({"password": ""}, "Nhập mật khẩu"),
    ({"role": "superuser"}, "Lựa chọn không hợp lệ"),
    ({"units": ["999999"]}, "không phải là lựa chọn hợp lệ"),
    ({"full_name": "x" * 201}, "Tối đa 200 ký tự"),
])
def test_bad_account_is_refused_and_nothing_stored(client, admin, db, bad, message):
    response = client.post("/admin/users/new", data=_new_user(**bad))
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_change_role_and_units_is_recorded(client, admin, make_user, make_unit, db):
    bdv, hnd = make_unit("Ban Dân vận", "BDV"), make_unit("Hội Nông dân", "HND")
    user = make_user("canbo", role="staff", units=[bdv])
    response = client.post(f"/admin/users/{user.id}", data={
        "full_name": "Cán bộ", "role": "leader", "units": [str(hnd.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role == "leader" and [u.short_name for u in user.units] == ["HND"]
    [event] = _events(db, user.id)
    assert event.action == "updated" and event.user_id == admin.id
    assert event.changes == {"full_name": ["Canbo", "Cán bộ"],
                             "role": ["staff", "leader"], "units": [["BDV"], ["HND"]]}


def test_saving_unchanged_account_records_nothing(client, admin, make_user, db):
    user = make_user("canbo", role="staff")
    response = client.post(f"/admin/users/{user.id}",
                           data={"full_name": "Canbo", "role": "staff"})
    assert response.status_code == 302
    assert _events(db, user.id) == []


def test_admin_cannot_remove_own_admin_role(client, admin, make_user, db):
    make_user("quantri2", role="admin")  # even with another administrator
    response = client.post(f"/admin/users/{admin.id}",
                           data={"full_name": "Quản trị", "role": "staff"})
    assert response.status_code == 400
    assert "Bạn không thể tự bỏ quyền quản trị của mình" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"
    assert _events(db, admin.id) == []


def test_admin_cannot_deactivate_self(client, admin, db):
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 400
    assert "Bạn không thể tự khóa tài khoản của mình" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_last_active_admin_is_kept(make_user, db, change):
    only = make_user("quantri", role="admin")
    make_user("cu", role="admin").is_active = False  # an inactive one does not count
    db.session.commit()
    with pytest.raises(services.AdminError, match="quản trị viên cuối cùng"):
        if change == "demote":
            services.update_user(only, only.full_name, "leader", [], None)
        else:
            services.set_user_active(only, False, None)
    db.session.rollback()
    assert db.session.get(User, only.id).role == "admin"
    assert db.session.get(User, only.id).is_active


def test_another_admin_may_be_demoted_while_one_remains(client, admin, make_user, db):
    other = make_user("quantri2", role="admin")
    response = client.post(f"/admin/users/{other.id}",
                           data={"full_name": "Quantri2", "role": "viewer"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).role == "viewer"


def test_deactivated_account_cannot_sign_in_and_loses_its_session(
    client, admin, make_user, app, db
):
    make_user("canbo", role="staff")
    theirs = app.test_client()
    theirs.post("/login", data={"username": "canbo", "password": "secret-pass"})
    assert theirs.get("/quarters/").status_code == 200
    user = db.session.scalar(db.select(User).where(User.username == "canbo"))
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert theirs.get("/quarters/").status_code == 302  # signed out
    theirs.post("/login", data={"username": "canbo", "password": "secret-pass"})
    assert theirs.get("/quarters/").status_code == 302
    assert [e.action for e in _events(db, user.id)] == ["deactivated"]
    assert client.post(f"/admin/users/{user.id}/reactivate").status_code == 302
    theirs.post("/login", data={"username": "canbo", "password": "secret-pass"})
    assert theirs.get("/quarters/").status_code == 200
    assert [e.action for e in _events(db, user.id)] == ["deactivated", "reactivated"]
    listing = page_text(client.get("/admin/users/"))
    row = listing[listing.index(f'id="user-{user.id}"'):]
    assert "Đang hoạt động" in row[:row.index("</tr>")]


def test_reset_password(client, admin, make_user, app, db):
    user = make_user("canbo", role="staff")
    response = client.post(f"/admin/users/{user.id}/password",
                           data={"password": "mat-khau-moi", "confirm": "mat-khau-moi"})
    assert response.status_code == 302
    theirs = app.test_client()
    theirs.post("/login", data={"username": "canbo", "password": "secret-pass"})
    assert theirs.get("/quarters/").status_code == 302
    theirs.post("/login", data={"username": "canbo", "password": "mat-khau-moi"})
    assert theirs.get("/quarters/").status_code == 200
    [event] = _events(db, user.id)
    assert event.action == "password_reset" and event.changes is None


@pytest.mark.parametrize("data", [
    {"password": "ngan", "confirm": "ngan"},
    {"password": "mat-khau-moi", "confirm": "khac"},
    {},
])
def test_bad_password_reset_changes_nothing(client, admin, make_user, db, data):
    user = make_user("canbo", role="staff")
    old_hash = user.password_hash
    response = client.post(f"/admin/users/{user.id}/password", data=data)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash
    assert _events(db, user.id) == []


def test_unknown_account_is_404(client, admin):
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/deactivate").status_code == 404


def test_accounts_page_lists_roles_and_units(client, admin, make_user, make_unit):
    make_user("canbo", role="staff", units=[make_unit("Hội Nông dân", "HND")])
    text = page_text(client.get("/admin/users/"))
    assert "canbo" in text and "HND" in text and "Cán bộ" in text
    assert 'id="nav-admin"' in text
