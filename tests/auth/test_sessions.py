"""Sign-in sessions live on the server: signing out ends them for good.

A copy of the session cookie or of the remember-me cookie taken before "Đăng xuất"
is sent to the sign-in page after it; other devices stay signed in unless the user
signs out everywhere; the account page lists the sessions and ends each.
"""
import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import page_text
from tracker.auth import sessions
from tracker.models import SignInSession, User
from tracker.models.base import utcnow
from tracker.models.revision import DataRevision

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
           "Gecko) Chrome/120.0.0.0 Safari/537.36")


def sign_in(app, username="canbo", remember=True, agent=WINDOWS, address="10.0.0.5"):
    """Return a new client signed in from a browser and address."""
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": username, "password": "secret-pass",
              **({"remember": "y"} if remember else {})},
        headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 302, page_text(response)
    return client


def signed_in(client):
    return client.get("/quarters/").status_code == 200


def sent_to_sign_in(client):
    response = client.get("/quarters/")
    return response.status_code == 302 and response.headers["Location"].startswith(
        "/login")


def cookies(client):
    """Return the session and remember-me cookies' values."""
    return client.get_cookie("session").value, client.get_cookie("remember_token").value


def replay(app, session=None, remember=None):
    """Return a fresh client that carries copies of the given cookies."""
    client = app.test_client()
    if session:
        client.set_cookie("session", session)
    if remember:
        client.set_cookie("remember_token", remember)
    return client


@pytest.fixture
def canbo(make_user):
    return make_user("canbo")


def test_signing_in_opens_a_session_row(app, db, canbo):
    sign_in(app, agent=IPHONE, address="10.1.2.3")
    row = db.session.scalars(select(SignInSession)).one()
    assert row.user_id == canbo.id and row.ended_at is None
    assert row.user_agent == IPHONE and row.address == "10.1.2.3"
    assert row.is_remembered is True
    # Only the key's digest is stored; the cookie's key is not in the database.
    assert len(row.key_hash) == 64


@pytest.mark.parametrize("which", ["session", "remember", "both"])
def test_cookies_copied_before_sign_out_are_sent_to_sign_in_after(app, db, canbo,
                                                                  which):
    client = sign_in(app)
    session_cookie, remember_cookie = cookies(client)
    # Before: each copy alone signs a browser in.
    assert signed_in(replay(app, session=session_cookie))
    assert signed_in(replay(app, remember=remember_cookie))
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    copies = {
        "session": dict(session=session_cookie),
        "remember": dict(remember=remember_cookie),
        "both": dict(session=session_cookie, remember=remember_cookie),
    }[which]
    thief = replay(app, **copies)
    assert sent_to_sign_in(thief)
    assert sent_to_sign_in(thief)  # and stays out
    row = db.session.scalars(select(SignInSession)).one()
    db.session.refresh(row)
    assert row.end_reason == "signed_out" and row.ended_at is not None


def test_signing_out_leaves_other_devices_signed_in(app, db, canbo):
    phone = sign_in(app, agent=IPHONE)
    desk = sign_in(app, agent=WINDOWS)
    desk.post("/logout")
    assert sent_to_sign_in(desk)
    assert signed_in(phone)


def test_signing_out_everywhere_ends_every_session_and_every_copy(app, db, canbo):
    phone = sign_in(app, agent=IPHONE)
    desk = sign_in(app, agent=WINDOWS)
    phone_cookies = cookies(phone)
    response = desk.post("/logout", data={"everywhere": "1"})
    assert response.status_code == 302
    assert "Bạn đã đăng xuất trên mọi thiết bị" in page_text(desk.get("/login"))
    assert sent_to_sign_in(phone) and sent_to_sign_in(desk)
    assert sent_to_sign_in(replay(app, *phone_cookies))
    reasons = db.session.scalars(select(SignInSession.end_reason)).all()
    assert sorted(reasons) == ["everywhere", "everywhere"]


def test_logout_page_offers_both(app, canbo):
    client = sign_in(app)
    text = page_text(client.get("/logout"))
    assert "Đăng xuất mọi nơi" in text and 'name="everywhere"' in text


def test_account_page_lists_the_sessions_in_plain_words(app, db, canbo):
    sign_in(app, agent=IPHONE, address="10.9.8.7")
    desk = sign_in(app, agent=WINDOWS, address="10.0.0.5")
    text = page_text(desk.get("/account/"))
    assert "Tài khoản của tôi" in text and "canbo" in text
    assert "Mobile Safari 17 trên iPhone (iOS 17.0)" in text
    assert "Chrome 120 trên Windows 10" in text
    assert "10.9.8.7" in text and "10.0.0.5" in text
    assert text.count("Thiết bị này") == 1
    assert 'href="/account/password"' in text


def test_account_page_in_english(app, canbo):
    desk = sign_in(app, agent=WINDOWS)
    text = page_text(desk.get("/account/?lang=en"))
    assert "Chrome 120 on Windows 10" in text and "This device" in text


def test_ending_another_session_from_the_account_page(app, db, canbo):
    phone = sign_in(app, agent=IPHONE)
    desk = sign_in(app, agent=WINDOWS)
    phone_row = db.session.scalars(
        select(SignInSession).where(SignInSession.user_agent == IPHONE)).one()
    response = desk.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert sent_to_sign_in(phone)
    assert signed_in(desk)
    text = page_text(desk.get("/account/"))
    assert "iPhone" not in text


def test_ending_this_session_signs_out(app, db, canbo):
    desk = sign_in(app)
    own = db.session.scalars(select(SignInSession)).one()
    response = desk.post(f"/account/sessions/{own.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert sent_to_sign_in(desk)


def test_another_users_session_cannot_be_ended(app, db, canbo, make_user):
    make_user("other")
    theirs = sign_in(app, username="other")
    mine = sign_in(app)
    their_row = db.session.scalars(
        select(SignInSession).join(User).where(User.username == "other")).one()
    assert mine.post(f"/account/sessions/{their_row.id}/end").status_code == 404
    assert signed_in(theirs)


def test_a_new_password_ends_every_session(app, db, canbo):
    phone = sign_in(app, agent=IPHONE)
    canbo = db.session.get(User, canbo.id)
    canbo.set_password("mot-mat-khau-khac")
    db.session.commit()
    assert sent_to_sign_in(phone)
    assert set(db.session.scalars(select(SignInSession.end_reason))) == {"password"}


def test_deactivating_ends_sessions_so_reactivating_does_not_revive_them(
    app, db, canbo, login_as
):
    phone = sign_in(app)
    phone_cookies = cookies(phone)
    admin = app.test_client()
    admin.post("/login", data={"username": login_as("admin").username,
                               "password": "secret-pass"})
    client = app.test_client()
    client.post("/login", data={"username": "admin_user", "password": "secret-pass"})
    assert client.post(f"/admin/users/{canbo.id}/deactivate").status_code == 302
    assert client.post(f"/admin/users/{canbo.id}/reactivate").status_code == 302
    assert sent_to_sign_in(phone)
    assert sent_to_sign_in(replay(app, *phone_cookies))


def test_a_session_unused_longer_than_the_remember_cookie_lives_has_ended(
    app, db, canbo
):
    client = sign_in(app)
    row = db.session.scalars(select(SignInSession)).one()
    row.last_seen_at = utcnow() - app.config["REMEMBER_COOKIE_DURATION"] - dt.timedelta(
        minutes=1)
    db.session.commit()
    assert sent_to_sign_in(client)


def test_cookies_from_before_the_upgrade_sign_nobody_in(app, client, canbo):
    """The old "<id>:<user token>" ids name no session row."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{canbo.id}:{'a' * 32}"
    assert sent_to_sign_in(client)


def test_last_seen_is_written_at_most_once_a_minute(app, db, canbo, count_queries):
    client = sign_in(app, address="10.0.0.5")
    row = db.session.scalars(select(SignInSession)).one()
    with count_queries() as statements:
        client.get("/account/").close()
    assert not any(sql.lstrip().startswith("UPDATE") for sql in statements)
    # A minute and a bit later the next request writes it (after its response).
    earlier = utcnow() - dt.timedelta(seconds=90)
    row.last_seen_at = earlier
    db.session.commit()
    token = db.session.scalar(select(DataRevision.token))
    response = client.get("/account/", environ_base={"REMOTE_ADDR": "10.0.0.77"})
    assert response.status_code == 200
    response.close()  # the write comes after the response has gone
    db.session.rollback()  # (the tests' shared session: read afresh)
    row = db.session.get(SignInSession, row.id)
    assert row.last_seen_at > earlier + dt.timedelta(seconds=60)
    assert row.address == "10.0.0.77"
    # Not a data change: cached pages stay valid.
    assert db.session.scalar(select(DataRevision.token)) == token


def test_signing_in_and_out_keeps_the_data_token(app, db, canbo):
    token = db.session.scalar(select(DataRevision.token))
    client = sign_in(app)
    client.post("/logout")
    client.post("/login", data={"username": "canbo", "password": "wrong"})
    assert db.session.scalar(select(DataRevision.token)) == token


@pytest.mark.parametrize("agent, words", [
    (IPHONE, "Mobile Safari 17 trên iPhone (iOS 17.0)"),
    (WINDOWS, "Chrome 120 trên Windows 10"),
    ("Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko)"
     " Chrome/120.0.0.0 Mobile Safari/537.36",
     "Chrome Mobile 120 trên Samsung SM-A546E (Android 14)"),
    ("", "Trình duyệt không xác định"),
    ("curl/8.5.0", "curl 8"),
])
def test_device_in_plain_words(app, agent, words):
    with app.test_request_context():
        assert sessions.device(agent) == words
