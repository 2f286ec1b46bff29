"""Personal access tokens: made on the account page or the shell, stored hashed,
the only way into the API (never the session cookie), limited per token."""
import datetime as dt
import re

from sqlalchemy import select

from tests.helpers import page_text
from tracker.api.tokens import digest
from tracker.extensions import limiter
from tracker.models import ApiToken, AuditEvent

TOKEN = re.compile(r"trk_[A-Za-z0-9_-]{43}")


def test_the_account_page_makes_a_token_shown_once_and_stored_hashed(client, login_as,
                                                                     db, api):
    user = login_as("staff")
    response = client.post("/account/tokens", data={
        "name": "Bảng tính quý", "scope": "write", "expires_on": "2023-12-31"})
    assert response.status_code == 200
    secret = TOKEN.search(page_text(response)).group(0)
    row = db.session.scalar(select(ApiToken))
    assert (row.user_id, row.name, row.scope) == (user.id, "Bảng tính quý", "write")
    assert row.expires_on == dt.date(2023, 12, 31)
    assert row.token_hash == digest(secret) and secret not in row.token_hash
    assert row.prefix == secret[:8]
    # Listed with its name and prefix afterwards, never again in full.
    page = page_text(client.get("/account/"))
    assert "Bảng tính quý" in page and row.prefix in page and secret not in page
    assert api("GET", "/api/v1/users/self", secret).json["username"] == user.username
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.entity_type == "user")).changes["api_token"][1].startswith(
        "Bảng tính quý (write")


def test_a_token_form_with_bad_input_is_refused_with_a_message(client, login_as, db):
    login_as("staff")
    response = client.post("/account/tokens", data={
        "name": "", "scope": "write", "expires_on": "2020-01-01"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Đặt tên cho mã truy cập" in text and "Chọn hôm nay hoặc một ngày sau" in text
    assert db.session.scalar(select(ApiToken)) is None


def test_revoked_and_expired_tokens_sign_nobody_in(client, login_as, make_token, api,
                                                   db):
    user = login_as("staff")
    secret = make_token(user)
    assert api("GET", "/api/v1/users/self", secret).status_code == 200
    row = db.session.scalar(select(ApiToken))
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None
    refused = api("GET", "/api/v1/users/self", secret)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    expired = make_token(user, expires_on=dt.date(2023, 5, 14))  # the day before TODAY
    assert api("GET", "/api/v1/users/self", expired).status_code == 401
    today_last = make_token(user, expires_on=dt.date(2023, 5, 15))
    assert api("GET", "/api/v1/users/self", today_last).status_code == 200


def test_a_deactivated_users_token_is_refused(make_user, make_token, api, db):
    user = make_user("gone")
    secret = make_token(user)
    user.is_active = False
    db.session.commit()
    assert api("GET", "/api/v1/users/self", secret).status_code == 401


def test_the_session_cookie_does_not_sign_in_to_the_api(client, login_as, api):
    login_as("admin")
    assert client.get("/quarters/").status_code == 200  # signed in on the pages
    response = api("GET", "/api/v1/users/self")
    assert response.status_code == 401
    assert response.json["status"] == 401
    response = api("POST", "/api/v1/tasks/1/progress", json={"status": "done"})
    assert response.status_code == 401


def test_malformed_authorization_headers_are_refused(api):
    for header in ("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer trk_short",
                   "Bearer " + "x" * 500, "bearer trk_" + "A" * 43):
        response = api("GET", "/api/v1/units", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_the_shell_prints_a_token(runner, make_user, api, db):
    user = make_user("canbo_hnd")
    result = runner.invoke(args=["token", "create", "canbo_hnd", "--name", "Tỉnh",
                                 "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert TOKEN.fullmatch(secret)
    row = db.session.scalar(select(ApiToken))
    assert (row.user_id, row.scope, row.name) == (user.id, "write", "Tỉnh")
    assert api("GET", "/api/v1/users/self", secret).json["token_scope"] == "write"
    assert runner.invoke(args=["token", "create", "nobody", "--name", "x"]).exit_code
    read = runner.invoke(args=["token", "create", "canbo_hnd", "--name", "Đọc"])
    assert db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == digest(read.output.strip()))).scope == "read"


def test_a_read_token_cannot_write(make_user, make_unit, make_task, make_token, api,
                                   db):
    unit = make_unit()
    user = make_user("canbo", units=[unit])
    task = make_task(lead=unit)
    secret = make_token(user, scope="read")
    response = api("POST", f"/api/v1/tasks/{task.id}/progress", secret,
                   json={"status": "in_progress", "progress": 10})
    assert response.status_code == 403
    assert "ghi" in response.json["detail"]  # Vietnamese by default
    db.session.refresh(task)
    assert task.status == "not_started" and len(task.updates) == 1


def test_last_used_time_is_kept(make_user, make_token, api, db):
    user = make_user("canbo")
    secret = make_token(user)
    assert db.session.scalar(select(ApiToken)).last_used_at is None
    response = api("GET", "/api/v1/users/self", secret)
    response.close()  # the time is written after the response has gone
    db.session.rollback()  # (the tests' shared session: read afresh)
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_past_the_limit_a_token_gets_429_with_retry_after(app, make_user, make_token,
                                                          api):
    first, second = make_token(make_user("mot")), make_token(make_user("hai"))
    limiter.reset()
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    try:
        for _ in range(3):
            assert api("GET", "/api/v1/units", first).status_code == 200
        refused = api("GET", "/api/v1/units", first, headers={"Accept-Language": "en"})
        assert refused.status_code == 429
        assert refused.mimetype == "application/problem+json"
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        assert refused.json["title"].startswith("Too many requests")
        # Per token: another token has its own count.
        assert api("GET", "/api/v1/units", second).status_code == 200
    finally:
        app.config.update(RATELIMIT_ENABLED=False, API_RATE_LIMIT="300 per minute")
        limiter.reset()


def test_problems_come_in_the_requests_language(make_user, make_token, api):
    secret = make_token(make_user("canbo"))
    english = api("GET", "/api/v1/tasks/999999", secret,
                  headers={"Accept-Language": "en-GB,en;q=0.9"})
    vietnamese = api("GET", "/api/v1/tasks/999999", secret,
                     headers={"Accept-Language": "vi"})
    default = api("GET", "/api/v1/tasks/999999", secret)
    assert english.status_code == vietnamese.status_code == 404
    assert english.json["title"] == "No such record."
    assert vietnamese.json["title"] == default.json["title"] == \
        "Không có bản ghi này."
    assert english.headers["Content-Language"] == "en"
    assert set(english.json) >= {"type", "title", "status", "detail"}
