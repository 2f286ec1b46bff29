"""Signing in: failed attempts are limited per account and per address, and the
answers (and the work done) are the same whether the account exists or not."""
import re
import uuid

import pytest

from tests.helpers import page_text
from tracker.auth import services

TOO_MANY = "Thử quá nhiều lần"
WRONG = "Sai tên đăng nhập hoặc mật khẩu"


def attempt(client, username, password, address="10.0.0.1"):
    """Post the sign-in form from a client address."""
    return client.post(
        "/login", data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def small_limits(app, limits_on):
    """Use small limits so the tests stay short; put the defaults back after."""
    saved = app.config["LOGIN_LIMIT_PER_ACCOUNT"], app.config["LOGIN_LIMIT_PER_ADDRESS"]
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per 15 minutes"
    yield
    app.config["LOGIN_LIMIT_PER_ACCOUNT"], app.config["LOGIN_LIMIT_PER_ADDRESS"] = saved


def test_defaults_are_on_and_counted_in_the_database(app):
    from tracker.auth.limits import uses_database
    from tracker.config import Config

    assert Config.RATELIMIT_ENABLED is True
    assert Config.RATELIMIT_STORAGE_URI == "database"
    assert Config.LOGIN_LIMIT_PER_ACCOUNT == "10 per 15 minutes"
    assert Config.LOGIN_LIMIT_PER_ADDRESS == "30 per 15 minutes"
    assert uses_database(app)


def test_account_is_locked_after_failures_from_many_addresses(
    client, make_user, small_limits
):
    make_user("canbo")
    for n in range(3):
        response = attempt(client, "canbo", "wrong", address=f"10.0.0.{n}")
        assert response.status_code == 200 and WRONG in page_text(response)
    response = attempt(client, "canbo", "secret-pass", address="10.0.1.1")
    assert response.status_code == 429
    text = page_text(response)
    assert TOO_MANY in text
    assert "3 per 15" not in text  # Flask-Limiter's English limit is not shown
    assert "Retry-After" in response.headers
    assert client.get("/quarters/").status_code == 302  # not signed in


def test_spelling_of_the_username_does_not_escape_the_account_limit(
    client, make_user, small_limits
):
    make_user("canbo")
    for name in ("canbo", " CanBo", "CANBO "):
        attempt(client, name, "wrong", address=str(uuid.uuid4()))
    response = attempt(client, "canbo", "secret-pass", address="10.9.9.9")
    assert response.status_code == 429


def test_address_is_limited_across_accounts(client, make_user, small_limits):
    make_user("canbo")
    for n in range(5):
        attempt(client, f"ghost{n}", "wrong", address="10.0.0.7")
    response = attempt(client, "canbo", "secret-pass", address="10.0.0.7")
    assert response.status_code == 429
    # Another address may still sign in to the same account.
    response = attempt(client, "canbo", "secret-pass", address="10.0.0.8")
    assert response.status_code == 302


def test_successful_sign_ins_do_not_count(client, make_user, small_limits):
    make_user("canbo")
    for _ in range(8):
        assert attempt(client, "canbo", "secret-pass").status_code == 302
        client.post("/logout")
    assert attempt(client, "canbo", "wrong").status_code == 200


def test_limits_can_be_switched_off(client, make_user):
    make_user("canbo")
    for _ in range(12):
        attempt(client, "canbo", "wrong")
    assert attempt(client, "canbo", "secret-pass").status_code == 302


def test_429_page_in_english(client, make_user, small_limits):
    client.get("/login?lang=en")
    for _ in range(3):
        attempt(client, "ghost", "wrong")
    response = attempt(client, "ghost", "wrong")
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)


def _without_token(text):
    return re.sub(r'value="[^"]*"', 'value=""', text)


def test_unknown_and_known_accounts_answer_alike(client, make_user, small_limits):
    make_user("canbo")
    known = [attempt(client, "canbo", "wrong", f"10.1.0.{n}") for n in range(4)]
    unknown = [attempt(client, "ghost", "wrong", f"10.2.0.{n}") for n in range(4)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [r.status_code for r in known] == [200, 200, 200, 429]
    for one, two in zip(known, unknown):
        assert _without_token(page_text(one)).replace("canbo", "X") == _without_token(
            page_text(two)
        ).replace("ghost", "X")


@pytest.mark.parametrize("case", ["unknown", "inactive", "wrong password", "right"])
def test_a_password_hash_is_checked_whatever_the_account(
    monkeypatch, db, make_user, case
):
    """Unknown and deactivated accounts cost one hash check, like a wrong password."""
    user = make_user("canbo")
    if case == "inactive":
        user.is_active = False
        db.session.commit()
    checks = []
    real = services.check_password_hash

    def counting(stored, password):
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    username = "ghost" if case == "unknown" else "canbo"
    password = "secret-pass" if case in ("inactive", "right") else "wrong"
    result = services.authenticate(username, password)
    assert len(checks) == 1
    assert (result is user) == (case == "right")
    if case == "unknown":
        assert checks[0].split("$")[0] == user.password_hash.split("$")[0]


def test_redis_storage_is_used_when_configured(app, make_user, tmp_path):
    """RATELIMIT_STORAGE_URI=redis://... keeps the counts in Redis, for all servers."""
    redis = pytest.importorskip("redis")
    from tracker import create_app
    from tracker.extensions import limiter

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    make_user("canbo")
    config = dict(app.config)
    config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url,
                  RATELIMIT_KEY_PREFIX=prefix, LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    redis_app = create_app({k: v for k, v in config.items()
                            if k.isupper() and k != "SQLALCHEMY_DATABASE_URI"})
    server = redis.Redis.from_url(url)
    try:
        client = redis_app.test_client()
        codes = [attempt(client, "canbo", "wrong").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert list(server.scan_iter(f"*{prefix}*"))
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        with redis_app.app_context():
            from tracker.extensions import db

            db.engine.dispose()
        # Put the shared limiter back on in-memory counts for the other tests.
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://",
                    "RATELIMIT_STORAGE_URI": "memory://"})
        assert type(limiter.storage).__name__ == "MemoryStorage"


# ---------------------------------------------------------------- in the database
# The counts live in failed_sign_in, so they hold however many processes serve.

def _apps(app, count):
    """Return several app instances on the test database, like gunicorn's workers."""
    from tracker import create_app

    config = {key: value for key, value in app.config.items() if key.isupper()}
    config.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                  SQLALCHEMY_ENGINE_OPTIONS={}, RATELIMIT_ENABLED=True,
                  RATELIMIT_STORAGE_URI="database",
                  LOGIN_LIMIT_PER_ACCOUNT="10 per 15 minutes",
                  LOGIN_LIMIT_PER_ADDRESS="30 per 15 minutes")
    config.pop("SQLALCHEMY_DATABASE_URI")
    return [create_app(config) for _ in range(count)]


@pytest.fixture
def workers(app):
    """Three app instances sharing the database (with their own engines)."""
    from tracker.extensions import db

    apps = _apps(app, 3)
    yield apps
    for other in apps:
        with other.app_context():
            db.engine.dispose()


def test_the_11th_failure_is_refused_whichever_instance_serves(workers, make_user,
                                                               db):
    make_user("canbo")
    clients = [other.test_client() for other in workers]
    codes = []
    for n in range(11):
        # Round robin, each attempt from a new address: only the account limit acts.
        client = clients[n % 3]
        codes.append(attempt(client, "canbo", "wrong", address=f"10.3.0.{n}")
                     .status_code)
    assert codes == [200] * 10 + [429]
    # The right password waits too, on every instance, from anywhere.
    for client in clients:
        response = attempt(client, "CanBo ", "secret-pass", address="10.4.4.4")
        assert response.status_code == 429
        assert "Retry-After" in response.headers
        assert 14 * 60 <= int(response.headers["Retry-After"]) <= 15 * 60
    text = page_text(response)
    assert "thử lại sau khoảng 15 phút" in text
    assert "kể cả mật khẩu đúng cũng bị từ chối" in text


def test_the_31st_failure_from_one_address_is_refused_across_instances(
    workers, make_user
):
    make_user("canbo")
    clients = [other.test_client() for other in workers]
    codes = [attempt(clients[n % 3], f"ghost{n}", "wrong", address="10.5.5.5")
             .status_code for n in range(31)]
    assert codes == [200] * 30 + [429]
    # Another address may still sign in.
    assert attempt(clients[0], "canbo", "secret-pass", "10.5.5.6").status_code == 302


def test_failures_are_recorded_with_name_address_and_account(client, make_user, db):
    from tracker.models import FailedSignIn

    user = make_user("canbo")
    attempt(client, " CanBo", "wrong", address="10.6.0.1")
    attempt(client, "ghost", "wrong", address="10.6.0.2")
    attempt(client, "canbo", "secret-pass", address="10.6.0.3")  # not a failure
    rows = db.session.scalars(db.select(FailedSignIn).order_by(FailedSignIn.id)).all()
    assert [(r.username, r.address, r.user_id, r.kind) for r in rows] == [
        ("canbo", "10.6.0.1", user.id, "sign_in"), ("ghost", "10.6.0.2", None,
                                                    "sign_in")]


def test_failures_older_than_the_window_or_lifted_do_not_count(
    client, make_user, db, limits_on
):
    import datetime as dt

    from tracker.models import FailedSignIn
    from tracker.models.base import utcnow

    make_user("canbo")
    old = utcnow() - dt.timedelta(minutes=16)
    db.session.add_all([FailedSignIn(username="canbo", address="10.7.0.1",
                                     created_at=old) for _ in range(10)])
    db.session.add_all([FailedSignIn(username="canbo", address="10.7.0.2",
                                     cleared_at=utcnow()) for _ in range(10)])
    db.session.commit()
    assert attempt(client, "canbo", "secret-pass").status_code == 302


def test_wrong_current_passwords_are_limited_too(app, client, login_as, db,
                                                 limits_on):
    from tracker.models import FailedSignIn

    login_as("staff")
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    try:
        data = {"current_password": "wrong", "new_password": "mot-mat-khau-moi",
                "confirm": "mot-mat-khau-moi"}
        codes = [client.post("/account/password", data=data).status_code
                 for _ in range(4)]
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "10 per 15 minutes"
    assert codes == [400, 400, 400, 429]
    kinds = db.session.scalars(db.select(FailedSignIn.kind)).all()
    assert kinds == ["password"] * 3


def test_admin_sees_the_record_and_lifts_a_pause(
    app, client, make_user, db, small_limits
):
    make_user("canbo")
    other = app.test_client()
    for n in range(3):
        attempt(other, "canbo", "wrong", address=f"10.8.0.{n}")
    assert attempt(other, "canbo", "secret-pass").status_code == 429
    make_user("quantri", role="admin", installation_admin=True)
    attempt(client, "quantri", "secret-pass", address="10.9.0.1")
    page = page_text(client.get("/admin/sign-ins"))
    assert "Đang tạm dừng" in page and "<strong>canbo</strong>" in page
    assert "10.8.0.2" in page and "3 lần sai" in page
    response = client.post("/admin/sign-ins/lift", data={"username": "canbo"})
    assert response.status_code == 302
    assert "Đã bỏ tạm dừng đăng nhập cho canbo" in page_text(
        client.get("/admin/sign-ins"))
    assert attempt(other, "canbo", "secret-pass").status_code == 302
    # The record keeps the failures, marked.
    assert page_text(client.get("/admin/sign-ins?q=canbo")).count("đã bỏ tạm dừng") == 3


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_record_page_is_for_installation_administrators_only(client, login_as, role):
    # A board's administrator would read other boards' account names and addresses.
    login_as(role)
    assert client.get("/admin/sign-ins").status_code == 403


def test_with_flask_limiter_counting_the_record_is_kept_and_lift_resets_it(
    app, client, make_user, db, small_limits
):
    """RATELIMIT_STORAGE_URI naming a storage: Flask-Limiter counts (here in memory,
    as with Redis), the database keeps the record, and lifting clears both."""
    from tracker.models import FailedSignIn

    make_user("canbo")
    app.config["LOGIN_LIMIT_STORE"] = "memory://"
    try:
        codes = [attempt(client, "canbo", "wrong", f"10.10.0.{n}").status_code
                 for n in range(4)]
        assert codes == [200, 200, 200, 429]
        assert db.session.scalar(db.select(db.func.count(FailedSignIn.id))) == 3
        make_user("quantri", role="admin", installation_admin=True)
        admin = app.test_client()
        attempt(admin, "quantri", "secret-pass", "10.11.0.1")
        assert admin.post("/admin/sign-ins/lift",
                          data={"username": "canbo"}).status_code == 302
        assert attempt(client, "canbo", "secret-pass", "10.10.1.1").status_code == 302
    finally:
        app.config["LOGIN_LIMIT_STORE"] = "database"
