"""Signing in and out."""
import pytest

from tests.helpers import page_text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/quarters/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_page_is_vietnamese_by_default(client):
    text = page_text(client.get("/login"))
    assert "Đăng nhập" in text
    assert 'lang="vi"' in text


def test_login_and_logout(client, make_user):
    make_user("canbo", role="staff")
    response = client.post("/login", data={"username": "canbo", "password": "secret-pass"})
    assert response.status_code == 302
    assert client.get("/quarters/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/quarters/").status_code == 302


@pytest.mark.parametrize(
    "username, password",
    [("canbo", "wrong"), ("nobody", "secret-pass"), ("canbo", ""), ("", "")],
)
def test_bad_credentials_are_refused_with_a_message(client, make_user, username, password):
    make_user("canbo")
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200
    text = page_text(response)
    assert "Sai tên đăng nhập hoặc mật khẩu" in text or "Nhập" in text
    assert client.get("/quarters/").status_code == 302


def test_unknown_and_wrong_password_give_the_same_message(client, make_user):
    make_user("canbo")
    one = page_text(client.post("/login", data={"username": "canbo", "password": "x"}))
    two = page_text(client.post("/login", data={"username": "ghost", "password": "x"}))
    assert "Sai tên đăng nhập hoặc mật khẩu" in one
    assert "Sai tên đăng nhập hoặc mật khẩu" in two


def test_inactive_user_cannot_sign_in(client, make_user, db):
    user = make_user("old")
    user.is_active = False
    db.session.commit()
    client.post("/login", data={"username": "old", "password": "secret-pass"})
    assert client.get("/quarters/").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/units/", "/units/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_within_the_site(client, make_user, target, expected):
    make_user("canbo")
    response = client.post(
        "/login?next=" + target, data={"username": "canbo", "password": "secret-pass"}
    )
    assert response.headers["Location"] == expected
