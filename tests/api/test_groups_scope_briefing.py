"""Groups of units, a task's scope (địa bàn) and the quarter's briefing meeting
through the API: the pages' forms, services and rules."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers import page_text, visible_text
from tracker.models import (
    AuditEvent, BriefingMeeting, BriefingProposal, Quarter, Task, TaskUpdate, Unit,
)

COMMUNE = "commune_party_committee"


@pytest.fixture
def places(staff_setup, make_unit, db):
    """Add two communes, a group of the two units and an outside body."""
    units = dict(
        TH=make_unit("Đảng ủy xã Tịnh Hà", "ĐU Tịnh Hà", kind=COMMUNE),
        TT=make_unit("Đảng ủy xã Tịnh Trà", "ĐU Tịnh Trà", kind=COMMUNE),
        out=make_unit("Ban Tuyên giáo Huyện ủy", "BTG", kind="external"),
    )
    group = Unit(name="Khối Dân vận xã", short_name="Khối xã", kind="group",
                 sort_order=50, members=[staff_setup["other_unit"],
                                         staff_setup["unit"]])
    db.session.add(group)
    db.session.commit()
    return dict(staff_setup, group=group, **units)


def _history_count(db, task_id):
    return db.session.scalar(select(func.count(TaskUpdate.id)).where(
        TaskUpdate.task_id == task_id))


# ---- groups --------------------------------------------------------------------------


def test_groups_list_each_group_with_its_members(api, places):
    token = places["token"]
    response = api("GET", "/api/v1/groups", token)
    assert response.status_code == 200
    group = places["group"]
    assert response.json == {"items": [{
        "id": group.id, "name": "Khối Dân vận xã", "short_name": "Khối xã",
        "is_active": True,
        # In the units' display order, not the order they were given.
        "members": [
            {"id": places["unit"].id, "name": "Xã Tịnh Hà", "short_name": "Tịnh Hà"},
            {"id": places["other_unit"].id, "name": "Xã Tịnh Sơn",
             "short_name": "Tịnh Sơn"}],
    }], "total": 1}
    again = api("GET", "/api/v1/groups", token,
                headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_units_tell_groups_outside_bodies_and_communes_apart(api, places):
    items = api("GET", "/api/v1/units", places["token"]).json["items"]
    kinds = {item["short_name"]: item["kind"] for item in items}
    assert kinds == {"Tịnh Hà": "mass_org", "Tịnh Sơn": "mass_org",
                     "ĐU Tịnh Hà": COMMUNE, "ĐU Tịnh Trà": COMMUNE,
                     "BTG": "external", "Khối xã": "group"}
    one = api("GET", f"/api/v1/units/{places['group'].id}", places["token"]).json
    assert one["kind"] == "group"


def test_groups_cost_the_same_statements_for_more_groups(api, places, db,
                                                         count_queries):
    token = places["token"]
    with count_queries() as few:
        assert api("GET", "/api/v1/groups", token).status_code == 200
    for index in range(6):
        db.session.add(Unit(name=f"Khối {index}", short_name=f"K{index}", kind="group",
                            sort_order=60 + index,
                            members=[places["TH"], places["TT"]]))
    db.session.commit()
    with count_queries() as many:
        response = api("GET", "/api/v1/groups", token)
    assert response.json["total"] == 7
    assert len(many) == len(few)


# ---- a task's scope ------------------------------------------------------------------


def test_a_task_is_created_with_its_scope_as_the_form_does(api, client, login_as,
                                                           places, db):
    response = api("POST", "/api/v1/quarters/2023-Q2/tasks", places["token"], json={
        "kind": "other", "title": "Nhân rộng mô hình",
        "lead_unit_id": places["unit"].id, "scope": [places["TT"].id, places["TH"].id]})
    assert response.status_code == 201, response.json
    scope = [{"id": places["TH"].id, "name": "Đảng ủy xã Tịnh Hà",
              "short_name": "ĐU Tịnh Hà"},
             {"id": places["TT"].id, "name": "Đảng ủy xã Tịnh Trà",
              "short_name": "ĐU Tịnh Trà"}]
    assert response.json["scope"] == scope
    task = db.session.get(Task, response.json["id"])
    assert [unit.short_name for unit in task.scope_units] == [
        "ĐU Tịnh Hà", "ĐU Tịnh Trà"]
    assert api("GET", f"/api/v1/tasks/{task.id}", places["token"]).json["scope"] == \
        scope
    listed = api("GET", "/api/v1/quarters/2023-Q2/tasks", places["token"]).json
    by_id = {item["id"]: item["scope"] for item in listed["items"]}
    assert by_id[task.id] == scope and by_id[places["own"].id] == []
    login_as("viewer")
    text = " ".join(visible_text(client.get(f"/tasks/{task.id}")).split())
    assert "Đảng ủy xã Tịnh Hà; Đảng ủy xã Tịnh Trà" in text


def test_a_scope_change_is_history_as_the_forms(api, client, login_as, places, db):
    task, token = places["own"], places["token"]
    path = f"/api/v1/tasks/{task.id}"
    etag = api("GET", path, token).headers["ETag"]
    response = api("PATCH", path, token, headers={"If-Match": etag},
                   json={"scope": [places["TH"].id]})
    assert response.status_code == 200, response.json
    assert response.json["changed"] == {"scope": [[], ["ĐU Tịnh Hà"]]}
    assert [unit["short_name"] for unit in response.json["task"]["scope"]] == [
        "ĐU Tịnh Hà"]
    row = db.session.scalar(select(TaskUpdate).where(
        TaskUpdate.task_id == task.id, TaskUpdate.action == "edited"))
    assert (row.changes, row.via, row.user_id) == (
        {"scope": [[], ["ĐU Tịnh Hà"]]}, "api", places["user"].id)
    login_as("viewer")
    text = " ".join(visible_text(client.get(f"/tasks/{task.id}")).split())
    assert "Địa bàn (xã): ∅ → Đảng ủy xã Tịnh Hà" in text
    # A change that does not send the scope leaves it; an empty list clears it.
    etag = response.headers["ETag"]
    other = api("PATCH", path, token, headers={"If-Match": etag},
                json={"title": "Đối thoại tại xã"})
    assert other.json["changed"] == {"title": ["Đối thoại với nhân dân",
                                               "Đối thoại tại xã"]}
    assert [unit["id"] for unit in other.json["task"]["scope"]] == [places["TH"].id]
    cleared = api("PATCH", path, token, headers={"If-Match": other.headers["ETag"]},
                  json={"scope": []})
    assert cleared.json["changed"] == {"scope": [["ĐU Tịnh Hà"], []]}
    db.session.expire_all()
    assert db.session.get(Task, task.id).scope_units == []


@pytest.mark.parametrize("choice", ["mass_org", "group", "external", "unknown"])
def test_a_scope_that_is_not_the_boards_communes_is_refused(api, places, db, choice):
    task, token = places["own"], places["token"]
    unit_id = {"mass_org": places["other_unit"].id, "group": places["group"].id,
               "external": places["out"].id, "unknown": 99999}[choice]
    before = _history_count(db, task.id)
    edited = api("PATCH", f"/api/v1/tasks/{task.id}", token,
                 headers={"If-Match": "*", "Accept-Language": "en"},
                 json={"scope": [places["TH"].id, unit_id], "title": "Khác"})
    assert edited.status_code == 422
    assert edited.mimetype == "application/problem+json"
    assert list(edited.json["errors"]) == ["scope"]
    assert f"'{unit_id}' is not a valid choice" in edited.json["errors"]["scope"][0]
    created = api("POST", "/api/v1/quarters/2023-Q2/tasks", token, json={
        "kind": "other", "title": "Không lưu", "lead_unit_id": places["unit"].id,
        "scope": [unit_id]})
    assert created.status_code == 422 and list(created.json["errors"]) == ["scope"]
    db.session.expire_all()
    stored = db.session.get(Task, task.id)
    assert (stored.title, stored.scope_units) == ("Đối thoại với nhân dân", [])
    assert _history_count(db, task.id) == before
    assert db.session.scalar(select(Task).where(Task.title == "Không lưu")) is None


@pytest.mark.parametrize("value", ["abc", [1, 2], -3])
def test_a_scope_that_is_not_a_list_of_ids_is_refused(api, places, db, value):
    response = api("PATCH", f"/api/v1/tasks/{places['own'].id}", places["token"],
                   headers={"If-Match": "*"}, json={"scope": value})
    assert response.status_code == 422 and "scope" in response.json["errors"]


def test_the_task_list_keeps_a_communes_tasks_as_the_board(api, client, login_as,
                                                          places, make_task, db):
    token, commune = places["token"], places["TH"]
    in_scope = make_task(quarter=places["quarter"], lead=places["unit"],
                         title="Mô hình tại xã")
    in_scope.scope_units = [commune, places["TT"]]
    led = make_task(quarter=places["quarter"], lead=commune, title="Xã tự làm")
    linked = make_task(quarter=places["quarter"], lead=places["other_unit"],
                       title="Xã phối hợp", coordinating=[commune])
    db.session.commit()
    listed = api("GET", f"/api/v1/quarters/2023-Q2/tasks?commune={commune.id}", token)
    assert listed.status_code == 200
    titles = sorted(item["title"] for item in listed.json["items"])
    assert titles == sorted(task.title for task in (in_scope, led, linked))
    assert listed.json["total"] == 3
    # The same tasks as the board's ?commune= shows.
    login_as("viewer")
    board = page_text(client.get(f"/quarters/2023-Q2/?commune={commune.id}"))
    assert all(title in board for title in titles)
    assert "Tập huấn" not in board
    other = api("GET", f"/api/v1/quarters/2023-Q2/tasks?commune={places['TT'].id}",
                token).json
    assert [item["title"] for item in other["items"]] == ["Mô hình tại xã"]


@pytest.mark.parametrize("value", ["mass_org", "group", "99999", "abc", "0"])
def test_the_task_list_refuses_a_unit_that_is_not_a_commune(api, places, value):
    commune = {"mass_org": places["unit"].id,
               "group": places["group"].id}.get(value, value)
    response = api("GET", f"/api/v1/quarters/2023-Q2/tasks?commune={commune}",
                   places["token"])
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["commune"]


def test_the_close_plan_reads_the_scope_in_a_fixed_number_of_statements(
        api, places, make_task, make_user, make_token, db, count_queries):
    token = make_token(make_user("lanhdao", role="leader"))

    def add(count):
        for index in range(count):
            task = make_task(quarter=places["quarter"], lead=places["unit"],
                             title=f"Việc {index}")
            task.scope_units = [places["TH"]]
        db.session.commit()

    add(1)
    with count_queries() as few:
        assert api("GET", "/api/v1/quarters/2023-Q2/close", token).status_code == 200
    add(10)
    with count_queries() as many:
        plan = api("GET", "/api/v1/quarters/2023-Q2/close", token).json
    assert len(many) == len(few)
    scopes = [[unit["short_name"] for unit in item["task"]["scope"]]
              for item in plan["items"]]
    assert scopes.count(["ĐU Tịnh Hà"]) == 11 and scopes.count([]) == 2
    # Read, not changed: the close plan writes nothing.
    assert db.session.scalar(select(func.count(TaskUpdate.id)).where(
        TaskUpdate.action == "edited")) == 0


# ---- the briefing meeting ------------------------------------------------------------

BRIEFING = "/api/v1/quarters/2023-Q2/briefing"
MEETING = {
    "briefing_on": "2023-06-28", "place": "Hội trường Huyện ủy",
    "chair_name": "Nguyễn Văn Lãnh", "chair_title": "Trưởng Ban Dân vận Huyện ủy",
    "attendees": "Lãnh đạo MTTQ và các đoàn thể huyện",
    "proposals": [
        {"addressee": "Thường trực Huyện ủy",
         "text": "Quan tâm chỉ đạo giải quyết kiến nghị của nhân dân"},
        {"addressee": "", "text": ""},
        {"addressee": "", "text": "Bố trí kinh phí cho lớp tập huấn"},
    ],
}


def _nothing_stored(db):
    db.session.expire_all()
    quarter = db.session.scalar(select(Quarter))
    assert quarter.briefing_on is None
    assert db.session.scalar(select(func.count(BriefingMeeting.id))) == 0
    assert db.session.scalar(select(func.count(BriefingProposal.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "briefing")) == 0


def test_an_unrecorded_meeting_reads_empty(api, staff_setup, make_user, make_token):
    viewer = make_token(make_user("xem", role="viewer"), scope="read")
    response = api("GET", BRIEFING, viewer)
    assert response.status_code == 200
    assert response.json == {
        "quarter": "2023-Q2", "is_closed": False, "briefing_on": None, "place": "",
        "chair_name": "", "chair_title": "", "attendees": "", "proposals": [],
        "task": None}
    assert response.headers["ETag"].startswith('"briefing-2023-Q2-')
    again = api("GET", BRIEFING, viewer,
                headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert api("GET", "/api/v1/quarters/2031-Q1/briefing", viewer).status_code == 404


def test_a_meeting_put_through_the_api_is_what_the_page_shows(
        api, client, login_as, staff_setup, make_task, db):
    token = staff_setup["token"]
    meeting_task = make_task(quarter=staff_setup["quarter"], lead=staff_setup["unit"],
                             kind="meeting", title="Hội nghị trực báo quý II",
                             held_on=dt.date(2023, 6, 28))
    etag = api("GET", BRIEFING, token).headers["ETag"]
    response = api("PUT", BRIEFING, token, headers={"If-Match": etag}, json=MEETING)
    assert response.status_code == 200, response.json
    assert response.json["briefing_on"] == "2023-06-28"
    assert response.json["task"] == meeting_task.id
    # The empty row is dropped, the others keep their order.
    assert response.json["proposals"] == [MEETING["proposals"][0],
                                          MEETING["proposals"][2]]
    assert response.headers["ETag"] != etag
    db.session.expire_all()
    quarter = db.session.scalar(select(Quarter))
    meeting = db.session.scalar(select(BriefingMeeting))
    assert quarter.briefing_on == dt.date(2023, 6, 28)
    assert (meeting.place, meeting.chair_name, meeting.chair_title,
            meeting.attendees) == (MEETING["place"], MEETING["chair_name"],
                                   MEETING["chair_title"], MEETING["attendees"])
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "briefing"))
    assert event.via == "api" and event.user_id == staff_setup["user"].id
    assert event.changes == {"fields": sorted(
        ["briefing_on", "place", "chair_name", "chair_title", "attendees",
         "proposals"])}
    login_as("viewer")
    text = visible_text(client.get("/quarters/2023-Q2/briefing"))
    for value in ("28/06/2023", "Hội trường Huyện ủy",
                  "Nguyễn Văn Lãnh, Trưởng Ban Dân vận Huyện ủy",
                  "Thường trực Huyện ủy: Quan tâm chỉ đạo",
                  "Bố trí kinh phí cho lớp tập huấn", "Hội nghị trực báo quý II"):
        assert value in text, value
    # The same record sent again changes nothing and records nothing.
    same = api("PUT", BRIEFING, token, headers={"If-Match": response.headers["ETag"]},
               json=MEETING)
    assert same.status_code == 200
    assert same.headers["ETag"] == response.headers["ETag"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "briefing")) == 1


def test_a_meeting_saved_on_the_page_is_what_the_api_reads(api, client, login_as,
                                                          staff_setup, db):
    token = staff_setup["token"]
    etag = api("GET", BRIEFING, token).headers["ETag"]
    login_as("staff")
    saved = client.post("/quarters/2023-Q2/briefing", data={
        "briefing_on": "27/06/2023", "place": "Hội trường xã", "chair_name": "Lê Văn B",
        "chair_title": "Phó Trưởng Ban", "attendees": "Các đoàn thể",
        "proposals-0-addressee": "UBND huyện", "proposals-0-text": "Sửa đường"})
    assert saved.status_code == 302
    read = api("GET", BRIEFING, token)
    assert read.json == {
        "quarter": "2023-Q2", "is_closed": False, "briefing_on": "2023-06-27",
        "place": "Hội trường xã", "chair_name": "Lê Văn B",
        "chair_title": "Phó Trưởng Ban", "attendees": "Các đoàn thể",
        "proposals": [{"addressee": "UBND huyện", "text": "Sửa đường"}],
        "task": None}
    # The ETag read before the page's save is stale now: 412, nothing overwritten.
    stale = api("PUT", BRIEFING, token, headers={"If-Match": etag}, json=MEETING)
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert api("PUT", BRIEFING, token, json=MEETING).status_code == 428
    db.session.expire_all()
    assert db.session.scalar(select(BriefingMeeting)).place == "Hội trường xã"
    assert db.session.scalar(select(Quarter)).briefing_on == dt.date(2023, 6, 27)
    # Fields left out are emptied: the record is replaced as a whole.
    fresh = api("PUT", BRIEFING, token, headers={"If-Match": read.headers["ETag"]},
                json={"briefing_on": "2023-06-27"})
    assert fresh.status_code == 200
    assert (fresh.json["place"], fresh.json["proposals"]) == ("", [])


@pytest.mark.parametrize("change,errors", [
    ({"briefing_on": None}, {"briefing_on"}),
    ({"briefing_on": "2023-03-31"}, {"briefing_on"}),  # before the quarter
    ({"briefing_on": "2024-07-01"}, {"briefing_on"}),  # past a year after it
    ({"briefing_on": "30/06/2023"}, {"briefing_on"}),
    ({"place": "x" * 201}, {"place"}),
    ({"chair_name": "Nguyễn\x07Văn"}, {"chair_name"}),
    ({"proposals": [{"addressee": "Thường trực Huyện ủy", "text": ""}]},
     {"proposals"}),
    ({"proposals": [{"addressee": "", "text": "Có\x00ký tự"}]}, {"proposals"}),
    ({"proposals": [{"text": "Một"}] * 31}, {"proposals"}),
    ({"proposals": [{"whom": "Huyện ủy"}]}, {"proposals"}),
    ({"speaker": "Ai đó"}, {"speaker"}),
])
def test_a_meeting_the_form_refuses_is_refused_and_nothing_stored(
        api, staff_setup, db, change, errors):
    body = {key: value for key, value in dict(MEETING, **change).items()
            if value is not None}
    response = api("PUT", BRIEFING, staff_setup["token"],
                   headers={"If-Match": "*", "Accept-Language": "en"}, json=body)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == errors
    _nothing_stored(db)


def test_a_proposal_without_its_text_is_named_by_its_row(api, staff_setup, db):
    body = dict(MEETING, proposals=[
        {"addressee": "Huyện ủy", "text": "Có nội dung"},
        {"addressee": "UBND huyện", "text": ""}])
    response = api("PUT", BRIEFING, staff_setup["token"],
                   headers={"If-Match": "*", "Accept-Language": "en"}, json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"proposals": {"1": {"text": [
        "Write the proposal, or clear whom it goes to."]}}}
    _nothing_stored(db)


def test_a_closed_quarters_meeting_does_not_change(api, staff_setup, make_user,
                                                   make_token, db):
    from tracker.quarters.rollover import close_quarter

    leader = make_user("lanhdao", role="leader")
    close_quarter(staff_setup["quarter"], {}, leader)
    db.session.commit()
    token = make_token(leader)
    read = api("GET", BRIEFING, token)
    assert read.status_code == 200 and read.json["is_closed"] is True
    response = api("PUT", BRIEFING, token, headers={
        "If-Match": read.headers["ETag"], "Accept-Language": "en"}, json=MEETING)
    assert response.status_code == 403
    assert response.json["detail"] == \
        "This quarter is closed; its record cannot change."
    _nothing_stored(db)


def test_a_viewer_or_a_read_token_cannot_record_the_meeting(api, staff_setup,
                                                            make_user, make_token, db):
    viewer = make_token(make_user("xem", role="viewer"))
    assert api("GET", BRIEFING, viewer).status_code == 200
    refused = api("PUT", BRIEFING, viewer, headers={"If-Match": "*"}, json=MEETING)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    reader = make_token(staff_setup["user"], scope="read")
    assert api("PUT", BRIEFING, reader, headers={"If-Match": "*"},
               json=MEETING).status_code == 403
    assert api("PUT", BRIEFING, None, headers={"If-Match": "*"},
               json=MEETING).status_code == 401
    _nothing_stored(db)
