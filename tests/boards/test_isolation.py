"""No board sees or changes another's records, by any route; parents read children.

The permission table (tests/auth/test_permissions.py) lists every route. Here each
route is asked, by the leader of one district (Bình Sơn), about the records of
another (Sơn Tịnh): by their ids on today's addresses, and on Sơn Tịnh's own
addresses (/b/son-tinh/...). Every answer is a refusal and nothing changes. The
province's leader reads both districts and changes neither.
"""
import datetime as dt
import re

import pytest

from sqlalchemy import select

from tests.auth.test_permissions import TABLE, changes_between, snapshot
from tests.helpers import page_text
from tracker.boards import scope
from tracker.petitions.services import create_petition
from tracker.models import (
    AuditEvent, Board, CongressTerm, Initiative, Notification, Quarter, SavedSearch,
    SignInSession, Task, Unit, User,
)

PUBLIC = ("static", "bootstrap.static", "healthz", "auth.login", "auth.logout",
          # Signed in by its address's token, not the session: tested below.
          "me.calendar_feed")
# Routes about the signed-in person, not about a board's records.
OWN = ("index", "boards.index", "auth.change_password", "me.index",
       "notifications.index", "notifications.read", "notifications.read_all",
       "notifications.preferences")


def _board(db, code):
    return db.session.scalar(select(Board).where(Board.code == code))


def _son_tinh_ids(db):
    """Return ids of Sơn Tịnh's records, named as the permission table names them."""
    board = _board(db, "son-tinh")
    with scope.boards([board.id]):
        units = db.session.scalars(select(Unit).order_by(Unit.id)).all()
        shared = db.session.scalar(
            select(Task).where(Task.title.contains("11 xã tổ chức tiếp xúc")))
        quarters = {q.number: q for q in db.session.scalars(select(Quarter))}
        users = db.session.scalars(select(User).order_by(User.id)).all()
        term = db.session.scalar(select(CongressTerm.id).where(
            CongressTerm.organisation == "Hội Nông dân xã Tịnh Trà"))
        initiative = db.session.scalar(select(Initiative.id).where(
            Initiative.state == "registered", Initiative.is_imported.is_(False))
            .order_by(Initiative.id))
    assert initiative is not None
    with scope.boards([board.id]):
        q1_task = db.session.scalar(select(Task.id).where(
            Task.quarter_id == quarters[1].id).order_by(Task.id).limit(1))
    link = next(link for link in shared.unit_links if link.role == "participating")
    with scope.boards([board.id]):
        petition = create_petition(shared, dict(
            content="Đề nghị nâng cấp đường xã Tịnh Trà", field="infrastructure",
            answering_unit_id=units[1].id,
        ), users[1])
        from tests.files.samples import attach

        stored = attach(shared, users[1], "Biên bản Tịnh Trà.pdf")
    # A sign-in session of a Sơn Tịnh account: nobody else may end it.
    signed_in = SignInSession(user=users[1], key_hash="1" * 64)
    # A notice of a Sơn Tịnh account: nobody of another board finds it.
    notice = db.session.scalar(select(Notification.id).where(
        Notification.user_id.in_([user.id for user in users])).limit(1),
        execution_options={"all_boards": True})
    assert notice is not None
    db.session.add(signed_in)
    # A request for a later deadline of the shared task, waiting for a leader.
    from tracker.followup.services import request_extension

    with scope.boards([board.id]):
        extension = request_extension(shared, shared.quarter.ends_on
                                      + dt.timedelta(days=10), "Chờ kinh phí",
                                      users[1])
    # And an API token of one: nobody else may revoke it.
    from tracker.api.tokens import create_token

    token, _secret = create_token(users[1], "script")
    # A comment in Sơn Tịnh's discussion, and a Sơn Tịnh account's calendar address.
    from tracker.comments.services import post_comment
    from tracker.me.calendar import create_token as create_calendar_token

    with scope.boards([board.id]):
        comment = post_comment(shared, "Bí thư Đảng ủy 11 xã đã nhận kế hoạch",
                               users[1])
        _row, calendar = create_calendar_token(users[1])
    # A Sơn Tịnh account's saved search: nobody of another board finds it.
    saved = SavedSearch(user_id=users[1].id, board_id=board.id, name="Tịnh Trà",
                        query="q=tinh+tra")
    db.session.add(saved)
    db.session.commit()
    return dict(
        saved=saved.id,
        task=shared.id, archived=shared.id, version=shared.version,
        A=units[0].id, B=units[1].id, C=units[2].id, P=link.unit_id, Z=units[3].id,
        G=next(unit.id for unit in units if unit.kind == "group"),
        open=quarters[2].key, closed=quarters[1].key, target=users[1].id,
        retired=users[2].id, board=board.id, other_board=board.id, member=1,
        session=signed_in.id, token=token.id, petition=petition.id, notice=notice,
        comment=comment.id, calendar=calendar,
        term=term,
        extension=extension.id,
        file=stored.id,
        initiative=initiative, q1_task=q1_task,
    )


def _names_other_records(item):
    """Tell whether the route's address or form names records by id or key."""
    text = item.path + " ".join(str(value) for value in item.data.values())
    return "{" in text


def _sign_in(client, username):
    response = client.post("/login", data={"username": username, "password": "demo"})
    assert response.status_code == 302


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


def test_another_district_is_refused_on_every_route(client, demo, db):
    ids = _son_tinh_ids(db)
    _sign_in(client, "lanhdao_binhson")
    asked = 0
    for key in sorted(TABLE):
        item = TABLE[key]
        if item.endpoint in PUBLIC or item.endpoint.startswith("api."):
            continue  # the API signs in by token: tests/api/test_isolation.py
        data = {name: _fill(value, ids) for name, value in item.data.items()}
        path = item.path.format(**ids)
        targets = ["/b/son-tinh" + path]
        # On today's addresses a quarter key means the district's own quarter; ids
        # of tasks, units and accounts still belong to Sơn Tịnh.
        if _names_other_records(item) and not re.search(r"\{(open|closed)\}",
                                                        item.path):
            targets.append(path)
        for target in targets:
            before = snapshot()
            response = client.open(target, method=item.method, data=data or None)
            if response.status_code == 302 and item.method == "GET":
                # A form's address sends a reload back to the page that holds it,
                # which must refuse in turn.
                response = client.get(response.headers["Location"])
            assert response.status_code in (400, 403, 404), (
                key, target, response.status_code)
            assert changes_between(before, snapshot()) == "", (key, target)
            text = page_text(response)
            assert "Tịnh Trà" not in text and "Bí thư Đảng ủy 11 xã" not in text
            asked += 1
    assert asked > len(TABLE)


def test_the_province_reads_a_district_and_changes_nothing(client, demo, db):
    ids = _son_tinh_ids(db)
    _sign_in(client, "lanhdao_tinh")
    read = 0
    for key in sorted(TABLE):
        item = TABLE[key]
        if item.endpoint in PUBLIC + OWN or item.endpoint.startswith(
                ("admin.", "boards.", "auth.", "api.")):
            continue
        data = {name: _fill(value, ids) for name, value in item.data.items()}
        path = "/b/son-tinh" + item.path.format(**ids)
        before = snapshot()
        response = client.open(path, method=item.method, data=data or None)
        assert changes_between(before, snapshot()) == "", key
        if item.method == "GET" and item.statuses[1] == 200:  # what a viewer reads
            assert response.status_code == 200, (key, path)
            read += 1
        else:
            # A form's address answers a reload by going back to its page.
            refused = (400, 403, 302) if item.method == "GET" else (400, 403)
            assert response.status_code in refused, (key, path, response.status_code)
    assert read >= 10


def test_a_district_lists_only_its_own(client, demo, db):
    _sign_in(client, "lanhdao")
    units = page_text(client.get("/units/"))
    assert "Đảng ủy xã Tịnh Trà" in units and "Bình Sơn" not in units
    board = page_text(client.get("/quarters/2023-Q1/"))
    assert "Bí thư Đảng ủy 11 xã" in board and "6 xã" not in board
    quarters = page_text(client.get("/quarters/"))
    assert quarters.count('href="/quarters/2023-Q1/"') == 1
    assert "Bình Sơn" not in page_text(client.get("/boards/"))


def test_the_registry_lists_only_the_boards_own_models(client, demo, db):
    _sign_in(client, "lanhdao")
    own = page_text(client.get("/initiatives/"))
    assert "Tổ tự quản an ninh trật tự khu dân cư" in own
    client.post("/logout")
    _sign_in(client, "lanhdao_binhson")
    other = page_text(client.get("/initiatives/"))
    assert "Tổ tự quản an ninh trật tự khu dân cư" not in other
    assert "Tịnh Trà" not in other


def test_an_administrator_sees_only_the_board_in_hand(client, demo, db):
    province = _board(db, "quang-ngai")
    with scope.boards([province.id]):
        db.session.add(AuditEvent(entity_type="quarter", entity_id=1,
                                  action="created", note="Sự kiện của tỉnh"))
        db.session.commit()
    _sign_in(client, "quantri")
    assert "Sự kiện của tỉnh" not in page_text(client.get("/admin/audit"))
    assert "Sự kiện của tỉnh" in page_text(client.get("/b/quang-ngai/admin/audit"))
    users = page_text(client.get("/admin/users/"))
    assert "lanhdao_binhson" not in users and "canbo_bdv" in users


def test_new_records_go_to_the_board_in_hand(client, demo, db):
    _sign_in(client, "lanhdao_tinh")
    response = client.post("/quarters/new", data={"year": "2023", "number": "2"})
    assert response.status_code == 302
    province = _board(db, "quang-ngai")
    created = db.session.scalar(select(Quarter).where(
        Quarter.board_id == province.id, Quarter.number == 2),
        execution_options={"all_boards": True})
    assert created is not None
    # The district's quarter of the same key is another quarter.
    son_tinh = _board(db, "son-tinh")
    assert created.id not in {
        q.id for q in db.session.scalars(select(Quarter).where(
            Quarter.board_id == son_tinh.id), execution_options={"all_boards": True})}


def test_an_unknown_board_is_not_found(client, demo):
    _sign_in(client, "lanhdao")
    assert client.get("/b/khong-co/quarters/").status_code == 404
    assert client.get("/b/son-tinh/quarters/").status_code == 200


def test_another_boards_unit_cannot_be_given_a_task(client, demo, db):
    ids = _son_tinh_ids(db)
    _sign_in(client, "lanhdao_binhson")
    before = snapshot()
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "other", "title": "Việc của huyện khác", "lead_unit_id": ids["A"],
        "coordinating": ids["B"]})
    assert response.status_code == 400
    assert changes_between(before, snapshot()) == ""


def test_a_calendar_feed_shows_its_owner_s_board_only(client, demo, db):
    from icalendar import Calendar

    from tracker.me.calendar import create_token

    son_tinh, binh_son = _board(db, "son-tinh"), _board(db, "binh-son")
    with scope.boards([binh_son.id]):
        person = next(user for user in db.session.scalars(select(User)) if user.units)
        _row, token = create_token(person)
        own = {task.title for task in db.session.scalars(select(Task))}
    db.session.commit()
    with scope.boards([son_tinh.id]):
        theirs = {task.title for task in db.session.scalars(select(Task))} - own
    response = client.get(f"/me/calendar.ics?token={token}")
    assert response.status_code == 200
    events = Calendar.from_ical(response.data).walk("VEVENT")
    summaries = " ".join(str(event["summary"]) for event in events)
    assert events and all(f"@{binh_son.code}.tracker" in str(event["uid"])
                          for event in events)
    assert not any(title in summaries for title in theirs)
    # Asked at another district's address, the token finds nothing there.
    assert client.get(f"/b/son-tinh/me/calendar.ics?token={token}").status_code == 404


def test_each_scope_reads_its_own_boards_rows_from_the_same_statements(demo, db):
    """The board conditions are cached as SQL with the ids as a parameter: the same
    statement, run in one scope after another, reads each scope's own rows."""
    son_tinh, binh_son = _board(db, "son-tinh").id, _board(db, "binh-son").id
    session = db.session()
    saved = scope.saved_scope(session)

    def ids_of(model, boards):
        scope.set_scope(session, boards)
        return {db.inspect(row).identity for row in db.session.scalars(select(model))}

    try:
        for model in scope._CONDITIONS:
            # Twice in each order: the later runs are served from the statement cache.
            first = [ids_of(model, [son_tinh]), ids_of(model, [binh_son])]
            both = ids_of(model, [son_tinh, binh_son])
            again = [ids_of(model, [son_tinh]), ids_of(model, [binh_son])]
            assert again == first, model
            assert first[0] | first[1] == both, model
            if model is not Unit:  # outside units (no board) are everyone's
                assert not first[0] & first[1], model
        # The demo fills both districts: each reads rows the other does not.
        for model in (Quarter, Task, Unit, User):
            own, other = ids_of(model, [son_tinh]), ids_of(model, [binh_son])
            assert own - other and other - own, model
            scope.set_scope(session, [son_tinh])
            assert all(getattr(row, "board_id", son_tinh) in (son_tinh, None)
                       for row in db.session.scalars(select(model))), model
        scope.set_scope(session, [binh_son])
        assert not db.session.scalars(select(Task).where(
            Task.title.contains("11 xã tổ chức tiếp xúc"))).all()
    finally:
        scope.restore_scope(session, saved)


def test_two_models_cannot_share_one_condition_s_code(monkeypatch):
    """A condition's SQL is cached under its code: a factory's conditions would mix."""
    from tracker.models import Initiative, SavedSearch

    monkeypatch.setattr(scope, "_CONDITIONS", dict(scope._CONDITIONS))

    def by_board(model):
        return lambda ids: model.board_id.in_(ids)

    try:
        scope.register(SavedSearch, by_board(SavedSearch))
        with pytest.raises(ValueError, match="SavedSearch"):
            scope.register(Initiative, by_board(Initiative))
    finally:
        scope._options.cache_clear()


@pytest.mark.parametrize("limit, by_select", [(None, True), (None, False), (5, True)])
def test_rows_read_in_a_scope_carry_their_own_links(demo, db, limit, by_select):
    """A list's rows read in one board's scope, on conditions that name every board's
    quarters, carry their links and communes as the ORM gives them; by_select, on
    SQLite, the links are chosen by the rows' own select, under the same scope."""
    from tracker.tasks.rows import task_rows

    son_tinh = _board(db, "son-tinh").id
    session = db.session()
    saved = scope.saved_scope(session)
    every_quarter = db.session.scalars(
        select(Quarter.id), execution_options={"all_boards": True}).all()
    try:
        scope.set_scope(session, [son_tinh])
        rows = task_rows(Task.quarter_id.in_(every_quarter), limit=limit,
                         by_select=by_select)
        tasks = {task.id: task for task in db.session.scalars(select(Task))}
    finally:
        scope.restore_scope(session, saved)
    assert rows and {row.id for row in rows} <= set(tasks)
    assert len(rows) == (limit or len(tasks))
    assert any(row.unit_links for row in rows)
    for row in rows:
        task = tasks[row.id]
        assert sorted((link.unit_id, link.role, link.share_status)
                      for link in row.unit_links) == sorted(
            (link.unit_id, link.role, link.share_status) for link in task.unit_links)
        assert sorted(unit.id for unit in row.scope_units) == sorted(
            unit.id for unit in task.scope_units)
