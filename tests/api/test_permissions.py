"""Every API route × role, by token: the same answers as the pages' policy gives."""
import pytest

from tests.auth.test_permissions import (  # noqa: F401  (the world fixture)
    CLOSE_Q2, ROLES, changes_between, snapshot, world,
)
from tracker.api.tokens import create_token

PROGRESS = {"status": "in_progress", "progress": 50}
# anonymous (no token), viewer, staff of the lead unit, staff of another unit,
# leader, admin; what an allowed request changes (by role where it differs); the body.
API_ROWS = [
    ("GET", "/api/v1/users/self", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{open}", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{open}/figures", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{open}/tasks", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{open}/tasks?timeliness=overdue",
     "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{open}/tasks?commune={K}", "401 200 200 200 200 200",
     "", None),
    # A new task tells the lead unit's staff (B's two accounts), not the one who
    # gave it, as on the pages.
    ("POST", "/api/v1/quarters/{open}/tasks", "401 403 201 201 201 201",
     {"staff_other": "notification+1 task+1 task_update+1",
      None: "notification+2 task+1 task_update+1"},
     {"kind": "other", "title": "Việc mới", "lead_unit_id": "{B}"}),
    ("POST", "/api/v1/quarters/{closed}/tasks", "401 403 403 403 403 403", "",
     {"kind": "other", "title": "Việc mới", "lead_unit_id": "{B}"}),
    ("GET", "/api/v1/tasks/{task}", "401 200 200 200 200 200", "", None),
    ("PATCH", "/api/v1/tasks/{task}", "401 403 200 403 200 200",
     "task_update+1 task~1", {"title": "Kế hoạch đã sửa"}),
    # The task's scope (địa bàn): the communes it is carried out in.
    ("PATCH", "/api/v1/tasks/{task}", "401 403 200 403 200 200",
     "task_scope+1 task_update+1 task~1", {"scope": ["{K}"]}),
    ("GET", "/api/v1/tasks/{task}/history", "401 200 200 200 200 200", "", None),
    # A report tells the lead unit's staff (unless they made it), as on the pages.
    ("POST", "/api/v1/tasks/{task}/progress", "401 403 200 403 200 200",
     {"staff_lead": "task_update+1 task~1",
      None: "notification+1 task_update+1 task~1"}, PROGRESS),
    # Archived and closed-quarter tasks are read-only for everyone.
    ("POST", "/api/v1/tasks/{archived}/progress", "401 403 403 403 403 403", "",
     PROGRESS),
    ("POST", "/api/v1/tasks/{task}/shares/{P}", "401 403 200 403 200 200",
     {"staff_lead": "task_update+1 task_unit~1 task~1",
      None: "notification+1 task_update+1 task_unit~1 task~1"}, {"status": "done"}),
    # A unit that does not take part has no share to report.
    ("POST", "/api/v1/tasks/{task}/shares/{B}", "401 404 404 404 404 404", "",
     {"status": "done"}),
    ("GET", "/api/v1/quarters/{open}/close", "401 403 403 403 200 200", "", None),
    ("POST", "/api/v1/quarters/{open}/close", "401 403 403 403 200 200", CLOSE_Q2,
     {"carry_all": True}),
    ("POST", "/api/v1/quarters/{closed}/approve", "401 403 403 403 200 200",
     "audit_event+1 quarter~1", None),
    # An open quarter cannot be approved yet: a conflict with its state.
    ("POST", "/api/v1/quarters/{open}/approve", "401 403 403 403 409 409", "", None),
    ("GET", "/api/v1/units", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/units/{A}", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/units/{A}/scorecard", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/groups", "401 200 200 200 200 200", "", None),
    # The briefing meeting: who may change the report settings records it, as on
    # its page; a closed quarter's no longer changes.
    ("GET", "/api/v1/quarters/{open}/briefing", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/quarters/{closed}/briefing", "401 200 200 200 200 200", "",
     None),
    ("PUT", "/api/v1/quarters/{open}/briefing", "401 403 200 200 200 200",
     "audit_event+1 briefing_meeting+1 briefing_proposal+1 quarter~1",
     {"briefing_on": "2023-06-30", "place": "Hội trường", "chair_name": "Nguyễn Văn A",
      "chair_title": "Trưởng Ban", "proposals": [
          {"addressee": "Thường trực Huyện ủy", "text": "Đề nghị quan tâm chỉ đạo."}]}),
    ("PUT", "/api/v1/quarters/{closed}/briefing", "401 403 403 403 403 403", "",
     {"briefing_on": "2023-03-31", "place": "Hội trường"}),
    # Petitions: the task's units record and forward them, the body that must
    # answer (unit B) records the answer, leaders do everything.
    ("GET", "/api/v1/petitions", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/petitions?state=received&body=mine&overdue=true",
     "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/petitions/{petition}", "401 200 200 200 200 200", "", None),
    ("POST", "/api/v1/tasks/{task}/petitions", "401 403 201 403 201 201",
     "petition+1 petition_update+1",
     {"content": "Đề nghị sửa đường liên thôn", "field": "infrastructure",
      "answering_unit_id": "{B}", "due_on": "2023-06-30"}),
    ("POST", "/api/v1/petitions/{petition}/forward", "401 403 200 403 200 200",
     "petition~1 petition_update+1",
     {"forwarded_on": "2023-05-10", "note": "Công văn số 12"}),
    ("POST", "/api/v1/petitions/{petition}/answer", "401 403 403 200 200 200",
     "petition~1 petition_update+1",
     {"answer": "Đã cấp giấy chứng nhận", "answered_on": "2023-05-12"}),
    ("POST", "/api/v1/petitions/{petition}/close", "401 403 200 403 200 200",
     "petition~1 petition_update+1",
     {"reason": "Trùng với ý kiến đã trả lời", "closed_on": "2023-05-12"}),
    # Comments: whoever sees a task discusses it (viewers too), as on its page; the
    # person it mentions is told. An archived task's discussion is closed.
    ("GET", "/api/v1/tasks/{task}/comments", "401 200 200 200 200 200", "", None),
    ("POST", "/api/v1/tasks/{task}/comments", "401 201 201 201 201 201",
     "comment+1 notification+1", {"body": "Nhờ @target xem **giúp**"}),
    ("POST", "/api/v1/tasks/{archived}/comments", "401 403 403 403 403 403", "",
     {"body": "Còn việc này?"}),
    # Only its author corrects a comment, within the edit window (the world's comment
    # is staff_lead's, just posted); the earlier text is kept.
    ("GET", "/api/v1/comments/{comment}", "401 200 200 200 200 200", "", None),
    ("PATCH", "/api/v1/comments/{comment}", "401 403 200 403 403 403",
     "comment~1 comment_revision+1", {"body": "Đã sửa lại"}),
    # The "Dân vận khéo" registry: staff record their own units' models (unit A's
    # here); unit B's staff may register only for B (the form refuses A), leaders
    # everything, as on the pages.
    ("GET", "/api/v1/initiatives", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/initiatives?state=registered&field=economy&unit=mine"
     "&commune=tinh%20hiep&year=2023&page=1", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/initiatives/{initiative}", "401 200 200 200 200 200", "", None),
    ("POST", "/api/v1/initiatives", "401 403 201 422 201 201",
     "initiative+1 initiative_update+1",
     {"name": "Tổ tự quản an ninh trật tự", "field": "defence_security",
      "unit_id": "{A}", "commune": "Tịnh Hiệp", "year": 2023,
      "registered_on": "2023-05-02"}),
    ("PATCH", "/api/v1/initiatives/{initiative}", "401 403 200 403 200 200",
     "initiative~1 initiative_update+1", {"name": "Hiến đất mở đường (đã sửa)"}),
    ("POST", "/api/v1/initiatives/{initiative}/step", "401 403 200 403 200 200",
     "initiative~1 initiative_update+1", {"state": "building", "on": "2023-05-10"}),
    # Congresses: everyone reads the calendar and the terms.
    ("GET", "/api/v1/congresses", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/congresses/{term}", "401 200 200 200 200 200", "", None),
    # Notifications: each person's own; another's is not found.
    ("GET", "/api/v1/notifications", "401 200 200 200 200 200", "", None),
    ("GET", "/api/v1/notifications/{notice}", "401 404 404 404 404 404", "", None),
    ("POST", "/api/v1/notifications/{notice}/read", "401 404 404 404 404 404", "",
     None),
]


def _fill(value, ids):
    """Return the body with {names} replaced by the world's ids (numbers as numbers)."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,statuses,changes,body", API_ROWS)
def test_api_route_and_role(api, world, db, role, method, path, statuses, changes,
                            body):
    token = None
    if role != "anonymous":
        _row, token = create_token(world.users[role], "script", "write")
        db.session.commit()
    expected = int(statuses.split()[ROLES.index(role)])
    before = snapshot()
    # Writes name the version they read; the preconditions have tests of their own.
    headers = {"If-Match": "*"} if method != "GET" else None
    kwargs = {"json": _fill(body, world.ids)} if method != "GET" else {}
    response = api(method, path.format(**world.ids), token, headers=headers, **kwargs)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
    if isinstance(changes, dict):
        changes = changes.get(role, changes[None])
    wanted = changes if expected < 400 else ""
    assert sorted(changes_between(before, snapshot()).split()) == sorted(wanted.split())


@pytest.mark.parametrize("method,path,statuses,changes,body",
                         [row for row in API_ROWS if row[0] != "GET"])
def test_a_read_token_writes_nothing(api, world, db, method, path, statuses, changes,
                                     body):
    _row, token = create_token(world.users["leader"], "script", "read")
    db.session.commit()
    before = snapshot()
    response = api(method, path.format(**world.ids), token,
                   headers={"If-Match": "*"}, json=_fill(body, world.ids))
    assert response.status_code == 403
    assert changes_between(before, snapshot()) == ""


def test_every_api_route_is_in_the_table(app):
    """A new API route cannot be added without its row above."""
    import re

    from tracker.api.auth import PUBLIC

    covered = set()
    for method, path, _statuses, _changes, _body in API_ROWS:
        shape = re.sub(r"\{[A-Za-z]+\}", "<>", path.split("?")[0])
        covered.add((method, shape))
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in PUBLIC:
            continue
        shape = re.sub(r"<[^>]+>", "<>", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, shape) not in covered:
                missing.append((method, rule.rule))
    assert missing == []
