"""The API keeps to the token user's board, as the pages do (tracker.boards.scope)."""
from sqlalchemy import select

from tests.auth.test_permissions import changes_between, snapshot
from tracker.api.tokens import create_token
from tracker.boards import scope
from tracker.models import Board, Task, Unit, User

READS = ("/api/v1/tasks/{task}", "/api/v1/tasks/{task}/history",
         "/api/v1/units/{unit}", "/api/v1/units/{unit}/scorecard")


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
    return {"task": task.id, "unit": unit.id}


def test_another_districts_records_are_not_found(api, demo, db):
    ids = _son_tinh(db)
    token = _token(db, "lanhdao_binhson")
    before = snapshot()
    for path in READS:
        for target in (path, "/b/son-tinh" + path):
            response = api("GET", target.format(**ids), token)
            assert response.status_code == 404, (target, response.status_code)
            assert response.mimetype == "application/problem+json"
    for target in ("/api/v1/tasks/{task}/progress",
                   "/b/son-tinh/api/v1/tasks/{task}/progress"):
        response = api("POST", target.format(**ids), token,
                       json={"status": "in_progress", "progress": 10})
        assert response.status_code == 404
    assert changes_between(before, snapshot()) == ""
    # Its own quarter of the same key is Bình Sơn's, with Bình Sơn's tasks only.
    own = api("GET", "/api/v1/quarters/2023-Q1/tasks", token).json
    assert ids["task"] not in [item["id"] for item in own["items"]]
    units = api("GET", "/api/v1/units", token).json["items"]
    assert ids["unit"] not in [item["id"] for item in units]


def test_the_province_reads_a_district_and_changes_nothing(api, demo, db):
    ids = _son_tinh(db)
    token = _token(db, "lanhdao_tinh")
    figures = api("GET", "/b/son-tinh/api/v1/quarters/2023-Q1/figures", token)
    assert figures.status_code == 200 and figures.json["quarter"] == "2023-Q1"
    assert api("GET", "/b/son-tinh/api/v1/tasks/{task}".format(**ids),
               token).status_code == 200
    before = snapshot()
    response = api("POST", "/b/son-tinh/api/v1/tasks/{task}/progress".format(**ids),
                   token, json={"status": "in_progress", "progress": 10})
    assert response.status_code == 403
    assert changes_between(before, snapshot()) == ""
