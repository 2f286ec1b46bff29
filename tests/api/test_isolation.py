"""The API keeps to the token user's board, as the pages do (tracker.boards.scope)."""
from sqlalchemy import select

from tests.auth.test_permissions import changes_between, snapshot
from tracker.api.tokens import create_token
from tracker.boards import scope
from tracker.models import Board, Notification, Task, Unit, User
from tracker.models.comment import Comment
from tracker.models.congress import CongressTerm
from tracker.models.initiative import Initiative
from tracker.models.petition import Petition

READS = ("/api/v1/tasks/{task}", "/api/v1/tasks/{task}/history",
         "/api/v1/units/{unit}", "/api/v1/units/{unit}/scorecard",
         "/api/v1/petitions/{petition}", "/api/v1/notifications/{notice}",
         "/api/v1/tasks/{task}/comments", "/api/v1/congresses/{term}",
         "/api/v1/comments/{comment}", "/api/v1/initiatives/{initiative}")
# Every write, with a body the route would accept in its own board.
WRITES = (
    ("POST", "/api/v1/tasks/{task}/progress",
     {"status": "in_progress", "progress": 10}),
    ("PATCH", "/api/v1/tasks/{task}", {"title": "Sửa từ huyện khác"}),
    ("POST", "/api/v1/tasks/{task}/shares/{unit}", {"status": "done"}),
    ("POST", "/api/v1/tasks/{task}/petitions",
     {"content": "Ý kiến", "answering_body": "UBND huyện"}),
    ("POST", "/api/v1/petitions/{petition}/forward", {"forwarded_on": "2023-05-10"}),
    ("POST", "/api/v1/petitions/{petition}/answer",
     {"answer": "Đã trả lời", "answered_on": "2023-05-10"}),
    ("POST", "/api/v1/petitions/{petition}/close",
     {"reason": "Trùng", "closed_on": "2023-05-10"}),
    ("POST", "/api/v1/notifications/{notice}/read", None),
    ("POST", "/api/v1/tasks/{task}/comments", {"body": "Góp ý từ huyện khác"}),
    ("PATCH", "/api/v1/comments/{comment}", {"body": "Sửa từ huyện khác"}),
    ("PATCH", "/api/v1/initiatives/{initiative}", {"name": "Sửa từ huyện khác"}),
    ("POST", "/api/v1/initiatives/{initiative}/step",
     {"state": "dropped", "on": "2023-05-10", "note": "Từ huyện khác"}),
)


def _token(db, username, scope_name="write"):
    user = db.session.scalar(select(User).where(User.username == username),
                             execution_options={"all_boards": True})
    _row, secret = create_token(user, "script", scope_name)
    db.session.commit()
    return secret


def _son_tinh(db):
    board = db.session.scalar(select(Board).where(Board.code == "son-tinh"),
                              execution_options={"all_boards": True})
    with scope.boards([board.id]):
        task = db.session.scalar(select(Task).order_by(Task.id))
        unit = db.session.scalar(select(Unit).where(Unit.board_id == board.id)
                                 .order_by(Unit.id))
        petition = db.session.scalar(select(Petition).order_by(Petition.id))
        notice = db.session.scalar(select(Notification).order_by(Notification.id))
        term = db.session.scalar(select(CongressTerm).order_by(CongressTerm.id))
        comment = db.session.scalar(select(Comment).join(Comment.task)
                                    .order_by(Comment.id))
        initiative = db.session.scalar(
            select(Initiative).where(Initiative.is_imported.is_(False),
                                     Initiative.state.in_(("registered", "building")))
            .order_by(Initiative.id))
        units = db.session.scalars(select(Unit).where(Unit.board_id == board.id)).all()
    return {"task": task.id, "unit": unit.id, "petition": petition.id,
            "notice": notice.id, "term": term.id, "comment": comment.id,
            "initiative": initiative.id,
            "units": [item.id for item in units],
            "groups": [item.id for item in units if item.kind == "group"],
            "commune": next(item.id for item in units
                            if item.kind == "commune_party_committee")}


def test_another_districts_records_are_not_found(api, demo, db):
    ids = _son_tinh(db)
    token = _token(db, "lanhdao_binhson")
    before = snapshot()
    for path in READS:
        for target in (path, "/b/son-tinh" + path):
            response = api("GET", target.format(**ids), token)
            assert response.status_code == 404, (target, response.status_code)
            assert response.mimetype == "application/problem+json"
    for method, path, body in WRITES:
        for target in (path, "/b/son-tinh" + path):
            response = api(method, target.format(**ids), token,
                           headers={"If-Match": "*"}, json=body)
            assert response.status_code == 404, (target, response.status_code)
    for key in ("2023-Q1", "current"):
        for action in ("close", "approve"):
            # Sơn Tịnh's quarters are not the Bình Sơn leader's to close or approve.
            target = f"/b/son-tinh/api/v1/quarters/{key}/{action}"
            response = api("POST", target, token, headers={"If-Match": "*"}, json={})
            assert response.status_code == 404, (target, response.status_code)
        # Nor their briefing meetings to read or record.
        target = f"/b/son-tinh/api/v1/quarters/{key}/briefing"
        assert api("GET", target, token).status_code == 404, target
        response = api("PUT", target, token, headers={"If-Match": "*"},
                       json={"briefing_on": "2023-03-31", "place": "Bình Sơn"})
        assert response.status_code == 404, (target, response.status_code)
    for target in ("/b/son-tinh/api/v1/groups", "/b/son-tinh/api/v1/units"):
        assert api("GET", target, token).status_code == 404, target
    assert changes_between(before, snapshot()) == ""
    # Its own quarter of the same key is Bình Sơn's, with Bình Sơn's tasks only.
    own = api("GET", "/api/v1/quarters/2023-Q1/tasks", token).json
    assert ids["task"] not in [item["id"] for item in own["items"]]
    units = api("GET", "/api/v1/units", token).json["items"]
    assert ids["unit"] not in [item["id"] for item in units]
    groups = api("GET", "/api/v1/groups", token).json["items"]
    assert ids["groups"] and not {group["id"] for group in groups} & set(ids["groups"])
    assert not {member["id"] for group in groups for member in group["members"]} & \
        set(ids["units"])
    # Sơn Tịnh's commune is none of Bình Sơn's: no filter by it, no task's scope.
    refused = api("GET", f"/api/v1/quarters/2023-Q1/tasks?commune={ids['commune']}",
                  token)
    assert refused.status_code == 422 and "commune" in refused.json["errors"]
    own_task = own["items"][0]
    before = snapshot()
    response = api("PATCH", f"/api/v1/tasks/{own_task['id']}", token,
                   headers={"If-Match": "*"}, json={"scope": [ids["commune"]]})
    assert response.status_code == 422 and "scope" in response.json["errors"]
    assert changes_between(before, snapshot()) == ""
    petitions = api("GET", "/api/v1/petitions?page=1", token).json["items"]
    assert ids["petition"] not in [item["id"] for item in petitions]
    notices = api("GET", "/api/v1/notifications", token).json["items"]
    assert ids["notice"] not in [item["id"] for item in notices]
    calendar = api("GET", "/api/v1/congresses", token).json["items"]
    assert ids["term"] not in [item["term_id"] for item in calendar]
    models = api("GET", "/api/v1/initiatives?page=1", token).json["items"]
    assert ids["initiative"] not in [item["id"] for item in models]
    # Registering a model for Sơn Tịnh's unit: no such unit in Bình Sơn's form.
    unit_id = api("GET", "/b/son-tinh/api/v1/initiatives/{initiative}".format(**ids),
                  _token(db, "lanhdao_tinh")).json["unit"]["id"]
    before = snapshot()
    response = api("POST", "/api/v1/initiatives", token, json={
        "name": "Mô hình", "field": "economy", "unit_id": unit_id, "year": 2023,
        "registered_on": "2023-05-02"})
    assert response.status_code == 422 and "unit_id" in response.json["errors"]
    assert changes_between(before, snapshot()) == ""


def test_the_province_reads_a_district_and_changes_nothing(api, demo, db):
    ids = _son_tinh(db)
    token = _token(db, "lanhdao_tinh")
    figures = api("GET", "/b/son-tinh/api/v1/quarters/2023-Q1/figures", token)
    assert figures.status_code == 200 and figures.json["quarter"] == "2023-Q1"
    meeting = api("GET", "/b/son-tinh/api/v1/quarters/2023-Q1/briefing", token)
    assert meeting.status_code == 200 and meeting.json["quarter"] == "2023-Q1"
    groups = api("GET", "/b/son-tinh/api/v1/groups", token).json["items"]
    assert {group["id"] for group in groups} == set(ids["groups"])
    assert api("GET", "/b/son-tinh/api/v1/tasks/{task}".format(**ids),
               token).status_code == 200
    before = snapshot()
    for method, path, body in WRITES:
        target = "/b/son-tinh" + path.format(**ids)
        response = api(method, target, token, headers={"If-Match": "*"}, json=body)
        # Read-only, or (another person's notice) not found.
        assert response.status_code in (403, 404), (target, response.status_code)
    for action in ("close", "approve"):
        response = api("POST", f"/b/son-tinh/api/v1/quarters/2023-Q1/{action}", token,
                       headers={"If-Match": "*"}, json={})
        assert response.status_code == 403, (action, response.status_code)
    for key in ("2023-Q1", "current"):
        response = api("PUT", f"/b/son-tinh/api/v1/quarters/{key}/briefing", token,
                       headers={"If-Match": "*"}, json={"briefing_on": "2023-03-31"})
        assert response.status_code in (403, 404), (key, response.status_code)
    petitions = api("GET", "/b/son-tinh/api/v1/petitions", token)
    assert petitions.status_code == 200
    models = api("GET", "/b/son-tinh/api/v1/initiatives?unit=mine", token)
    assert models.status_code == 200 and models.json["items"] == []
    assert api("GET", "/b/son-tinh/api/v1/initiatives", token).json["total"] > 0
    assert changes_between(before, snapshot()) == ""
