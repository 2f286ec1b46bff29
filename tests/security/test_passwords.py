"""Passwords and sessions: minimum length, changing one's password, cookies."""
import pytest

from tests.helpers import page_text
from tracker.auth.sessions import active_sessions
from tracker.config import Config, environment_overrides
from tracker.models import AuditEvent, User


def change(client, current="secret-pass", new="a-new-password", confirm=None):
    """Post the change-password form."""
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm,
    })


def signed_in(client):
    return client.get("/quarters/").status_code == 200


def test_page_shows_the_form(client, login_as):
    login_as("viewer")
    text = page_text(client.get("/account/password"))
    assert "Đổi mật khẩu của tôi" in text and "Mật khẩu hiện tại" in text
    assert "Ít nhất 8 ký tự" in text


def test_navbar_links_to_the_account_page_which_links_to_it(client, login_as):
    login_as("viewer")
    assert 'href="/account/"' in page_text(client.get("/quarters/"))
    assert 'href="/account/password"' in page_text(client.get("/account/"))


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong-pass", "a-new-password", None, "Mật khẩu hiện tại không đúng"),
        ("", "a-new-password", None, "Nhập mật khẩu hiện tại"),
        ("secret-pass", "short", None, "Mật khẩu phải có ít nhất 8 ký tự"),
        ("secret-pass", "1234567", None, "Mật khẩu phải có ít nhất 8 ký tự"),
        ("secret-pass", " " * 12, None, "Nhập mật khẩu mới"),
        ("secret-pass", "x" * 201, None, "Tối đa 200 ký tự"),
        ("secret-pass", "a-new-password", "another-one", "không khớp"),
        ("secret-pass", "", None, "Nhập mật khẩu mới"),
        ("secret-pass", "secret-pass", None, "khác mật khẩu hiện tại"),
    ],
)
def test_bad_changes_are_refused(client, login_as, db, current, new, confirm, message):
    user = login_as("staff")
    before = user.password_hash, active_sessions(user)
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert message in page_text(response)
    db.session.refresh(user)
    assert (user.password_hash, active_sessions(user)) == before
    assert signed_in(client)


def test_change_ends_the_session_and_the_new_password_works(client, login_as, db):
    user = login_as("staff")
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)
    assert "Đã đổi mật khẩu" in page_text(client.get("/login"))
    db.session.refresh(user)
    assert user.check_password("a-new-password")
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.entity_type == "user")
    )
    assert event.entity_id == user.id and "password" in event.changes
    assert "a-new-password" not in str(event.changes)
    old = client.post(
        "/login", data={"username": user.username, "password": "secret-pass"}
    )
    assert old.status_code == 200 and "Sai tên đăng nhập" in page_text(old)
    new = client.post(
        "/login", data={"username": user.username, "password": "a-new-password"}
    )
    assert new.status_code == 302 and signed_in(client)


def test_change_ends_the_other_sessions_of_the_user(app, client, login_as):
    user = login_as("staff")
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": "secret-pass",
                               "remember": "y"})
    assert signed_in(other)
    stolen = other.get_cookie("session").value
    assert change(client).status_code == 302
    assert not signed_in(other)
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert not signed_in(replay)


def test_change_ends_remember_me_cookies(app, client, login_as):
    user = login_as("staff")
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": "secret-pass",
                               "remember": "y"})
    remember = other.get_cookie("remember_token").value
    # The remember-me cookie alone signs a browser in again...
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert signed_in(fresh)
    # ...until the password changes.
    assert change(client).status_code == 302
    again = app.test_client()
    again.set_cookie("remember_token", remember)
    assert not signed_in(again)


def test_admin_style_password_reset_ends_sessions_too(client, login_as, db):
    """Any new password (set_password) draws a new token, e.g. an admin's reset."""
    user = login_as("staff")
    user.set_password("reset-by-admin")
    db.session.commit()
    assert not signed_in(client)


def test_logout_ends_the_session(client, login_as):
    login_as("staff")
    client.post("/logout")
    assert not signed_in(client)


def test_deactivated_user_is_signed_out(client, login_as, db):
    user = login_as("staff")
    user.is_active = False
    db.session.commit()
    assert not signed_in(client)


@pytest.mark.parametrize(
    "session_id", ["1", "x:y", ":", "99999999999999999999999:a", ""]
)
def test_malformed_session_ids_sign_nobody_in(app, client, login_as, session_id):
    login_as("staff")
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    assert not signed_in(client)


def test_password_is_hashed_with_scrypt_by_default(app):
    from tracker import create_app

    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    plain = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with plain.app_context():
        user = User(username="x")
        user.set_password("long-enough")
        assert user.password_hash.startswith("scrypt:")
        assert "long-enough" not in user.password_hash


class TestCookies:
    """Session and remember-me cookies: HttpOnly, SameSite=Lax, Secure on HTTPS."""

    def _cookies(self, client, make_user):
        make_user("canbo")
        response = client.post(
            "/login",
            data={"username": "canbo", "password": "secret-pass", "remember": "y"},
        )
        return {
            header.split("=", 1)[0]: header
            for header in response.headers.getlist("Set-Cookie")
        }

    def test_http_only_and_same_site(self, client, make_user):
        cookies = self._cookies(client, make_user)
        for name in ("session", "remember_token"):
            assert "HttpOnly" in cookies[name]
            assert "SameSite=Lax" in cookies[name]
            assert "Secure" not in cookies[name]

    def test_secure_when_configured(self, app, client, make_user):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
        try:
            cookies = self._cookies(client, make_user)
        finally:
            app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
        assert "Secure" in cookies["session"] and "Secure" in cookies["remember_token"]

    def test_secure_session_cookie_makes_remember_cookie_secure(self):
        from tracker import create_app

        app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://",
                          "SESSION_COOKIE_SECURE": True})
        assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "value, expected", [("true", True), ("1", True), ("on", True), ("false", False),
                        ("0", False), ("", False), ("No", False)],
)
def test_boolean_settings_from_the_environment(value, expected):
    settings = environment_overrides({"TRACKER_SESSION_COOKIE_SECURE": value})
    assert settings["SESSION_COOKIE_SECURE"] is expected


def test_other_settings_from_the_environment_keep_their_type():
    settings = environment_overrides({
        "TRACKER_PASSWORD_MIN_LENGTH": "12", "TRACKER_RATELIMIT_STORAGE_URI":
        "redis://127.0.0.1:6379", "TRACKER_SECRET_KEY": "s",
    })
    assert settings == {"PASSWORD_MIN_LENGTH": 12, "SECRET_KEY": "s",
                        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}


def test_a_wrong_boolean_in_the_environment_is_an_error():
    with pytest.raises(ValueError, match="TRACKER_SESSION_COOKIE_SECURE"):
        environment_overrides({"TRACKER_SESSION_COOKIE_SECURE": "maybe"})


def test_minimum_length_follows_the_setting(app, client, login_as):
    login_as("staff")
    app.config["PASSWORD_MIN_LENGTH"] = 12
    try:
        response = change(client, new="eleven-char")
    finally:
        app.config["PASSWORD_MIN_LENGTH"] = 8
    assert response.status_code == 400
    assert "ít nhất 12 ký tự" in page_text(response)


@pytest.mark.parametrize(
    "password, problem",
    [(" " * 10, "dấu cách"), ("seven77", "ít nhất 8"), ("x" * 201, "Tối đa 200"),
     ("long-enough", None)],
)
def test_password_rules_for_any_form_that_sets_one(app, password, problem):
    """password_rules is the one check every password-setting form uses."""
    from wtforms import PasswordField

    from tracker.auth.forms import password_rules
    from tracker.forms import Form

    class SetPasswordForm(Form):
        password = PasswordField(validators=[password_rules])

    with app.test_request_context(method="POST", data={"password": password}):
        form = SetPasswordForm()
        assert form.validate() is (problem is None)
        if problem:
            assert problem in form.password.errors[0]


# ---------------------------------------------------------------- strong passwords
# tracker.auth.passwords: the common list (zxcvbn's, shipped offline), and
# passwords made of the username, the person's name or a unit's name.


def test_the_common_list_is_large_and_read_offline():
    from tracker.auth.passwords import common_passwords

    words = common_passwords()
    assert len(words) >= 10_000
    assert {"12345678", "password", "iloveyou", "matkhau"} <= words


def test_changing_a_password_to_12345678_is_refused_with_a_clear_message(
    client, login_as, db
):
    user = login_as("staff")
    before = user.password_hash
    response = change(client, new="12345678")
    assert response.status_code == 400
    assert ("Đây là một trong những mật khẩu phổ biến nhất, loại mật khẩu kẻ gian "
            "thường thử đầu tiên.") in page_text(response)
    db.session.refresh(user)
    assert user.password_hash == before and signed_in(client)


def test_the_reason_in_english(client, login_as):
    login_as("staff")
    client.get("/account/password?lang=en")
    response = change(client, new="12345678")
    assert "one of the most common passwords" in page_text(response)


@pytest.mark.parametrize("password, reason", [
    ("12345678", "phổ biến nhất"),
    ("Password1", "phổ biến nhất"),
    ("iloveyou2024", "phổ biến nhất"),
    ("QWERTYUIOP", "phổ biến nhất"),
    ("canbo_hnd", "tên đăng nhập"),
    ("Canbo_Hnd2024", "tên đăng nhập"),
    ("canbohnd!!", "tên đăng nhập"),
    ("LeVanHung1990", "họ tên"),
    ("Hội Nông dân 2023", "tên đơn vị “Hội Nông dân huyện”"),
    ("hoinongdanhuyen", "tên đơn vị “Hội Nông dân huyện”"),
    ("HND@12345", "tên đơn vị “HND”"),
    ("bandanvan123", "tên “BAN DÂN VẬN”"),
    ("sontinh2023", "tên “Sơn Tịnh”"),
])
def test_weak_passwords_are_refused_with_the_reason(
    app, db, make_unit, password, reason
):
    from tracker.auth.passwords import password_problem
    from tracker.models import Organisation

    unit = make_unit("Hội Nông dân huyện", "HND")
    db.session.add(Organisation(superior_body="HUYỆN ỦY SƠN TỊNH",
                                issuing_body="BAN DÂN VẬN", place="Sơn Tịnh"))
    db.session.commit()
    user = User(username="canbo_hnd", full_name="Lê Văn Hùng", units=[unit])
    with app.test_request_context():
        problem = password_problem(password, user)
    assert problem and reason in problem, (password, problem)


@pytest.mark.parametrize("password", [
    "canbo_hnd-xanh-la-cay", "Hội Nông dân đi cấy sớm", "mat-khau-moi-dai",
    "tre-xanh-bo-song-9", "secret-pass",
])
def test_passwords_that_only_contain_a_name_are_accepted(app, db, make_unit,
                                                         password):
    from tracker.auth.passwords import password_problem

    unit = make_unit("Hội Nông dân huyện", "HND")
    user = User(username="canbo_hnd", full_name="Lê Văn Hùng", units=[unit])
    with app.test_request_context():
        assert password_problem(password, user) is None


def test_admin_setting_a_password_for_someone_gets_the_same_rules(
    client, login_as, make_user, make_unit, db
):
    unit = make_unit("Hội Cựu chiến binh huyện", "HCCB")
    login_as("admin")
    other = make_user("canbo_hccb", units=[unit])
    before = other.password_hash
    for password, reason in (("12345678", "phổ biến nhất"),
                             ("canbo_hccb123", "tên đăng nhập"),
                             ("hoicuuchienbinhhuyen", "tên đơn vị")):
        response = client.post(f"/admin/users/{other.id}/password",
                               data={"password": password, "confirm": password})
        assert response.status_code == 400
        assert reason in page_text(response)
    db.session.refresh(other)
    assert other.password_hash == before


def test_admin_creating_an_account_gets_the_same_rules(client, login_as, make_unit,
                                                       db):
    unit = make_unit("Hội Cựu chiến binh huyện", "HCCB")
    login_as("admin")
    for password, reason in (("12345678", "phổ biến nhất"),
                             ("nguoimoi2024", "tên đăng nhập"),
                             ("HCCB12345", "tên đơn vị “HCCB”"),
                             ("TranThiMai88", "họ tên")):
        response = client.post("/admin/users/new", data={
            "username": "nguoimoi", "full_name": "Trần Thị Mai", "role": "staff",
            "units": str(unit.id), "password": password, "confirm": password})
        assert response.status_code == 400, password
        assert reason in page_text(response), password
    assert db.session.scalar(db.select(User).where(User.username == "nguoimoi")) is None


def test_signing_in_with_a_weak_password_warns(client, db):
    user = User(username="khach", role="viewer")
    user.set_password("demo")  # as the demo data does, outside the forms
    db.session.add(user)
    db.session.commit()
    response = client.post("/login", data={"username": "khach", "password": "demo"},
                           follow_redirects=True)
    text = page_text(response)
    assert "Mật khẩu của bạn dễ bị đoán" in text and "trang tài khoản" in text
