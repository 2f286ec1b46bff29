"""Fixtures for the API: tokens for users, and a client that sends them."""
import pytest

from tracker.api.tokens import create_token


@pytest.fixture
def make_token(db):
    """Return a builder of tokens: (user, scope) -> the token itself."""

    def build(user, scope="write", name="script", expires_on=None):
        _row, secret = create_token(user, name, scope, expires_on)
        db.session.commit()
        return secret

    return build


@pytest.fixture
def api(client):
    """Return a caller of the API: api(method, path, token, **kwargs) -> response."""

    def call(method, path, token=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


@pytest.fixture
def staff_setup(make_user, make_unit, make_quarter, make_task, make_token):
    """Return a commune's staff with a write token, their task and another unit's."""
    own_unit = make_unit(name="Xã Tịnh Hà", short_name="Tịnh Hà")
    other_unit = make_unit(name="Xã Tịnh Sơn", short_name="Tịnh Sơn")
    user = make_user(username="canbo_xa", role="staff", units=[own_unit])
    quarter = make_quarter(2023, 2)
    own = make_task(quarter=quarter, lead=own_unit, title="Đối thoại với nhân dân")
    other = make_task(quarter=quarter, lead=other_unit, title="Tập huấn")
    return {"user": user, "token": make_token(user), "own": own, "other": other,
            "quarter": quarter, "unit": own_unit, "other_unit": other_unit}


@pytest.fixture
def contract_world(staff_setup, make_task, make_user, db):
    """Return a leader's write token, on a board with tasks, shares and history."""
    from tracker.api.tokens import create_token

    make_task(quarter=staff_setup["quarter"], lead=staff_setup["unit"],
              participating=[staff_setup["other_unit"]], kind="dialogue",
              title="Tiếp xúc, đối thoại")
    leader = make_user(username="lanhdao", role="leader")
    # A comment and a congress term, so that their reads answer with records.
    from tracker.comments.services import post_comment
    from tracker.congresses.services import create_term

    post_comment(staff_setup["own"], "Nhờ @lanhdao cho ý kiến **sớm**", leader)
    create_term(dict(organisation="Hội Nông dân huyện", level="district",
                     unit_id=staff_setup["unit"].id, ordinal=11, term_start=2018,
                     term_end=2023, last_held_on=None), leader)
    _row, secret = create_token(leader, "contract", "write")
    db.session.commit()
    return secret
