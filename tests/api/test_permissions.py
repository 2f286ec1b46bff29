"""Every API route × role, by token: the same answers as the pages' policy gives."""
import pytest

from tests.auth.test_permissions import (  # noqa: F401  (the world fixture)
    ROLES, changes_between, snapshot, world,
)
from tracker.api.tokens import create_token

# anonymous (no token), viewer, staff of the lead unit, staff of another unit,
# leader, admin; what an allowed request changes.
API_ROWS = [
    ("GET", "/api/v1/users/self", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/quarters", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/quarters/{open}", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/quarters/{open}/figures", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/quarters/{open}/tasks", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/tasks/{task}", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/tasks/{task}/history", "401 200 200 200 200 200", ""),
    # A report tells the lead unit's staff (unless they made it), as on the pages.
    ("POST", "/api/v1/tasks/{task}/progress", "401 403 200 403 200 200",
     {"staff_lead": "task_update+1 task~1",
      None: "notification+1 task_update+1 task~1"}),
    # Archived and closed-quarter tasks are read-only for everyone.
    ("POST", "/api/v1/tasks/{archived}/progress", "401 403 403 403 403 403", ""),
    ("GET", "/api/v1/units", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/units/{A}", "401 200 200 200 200 200", ""),
    ("GET", "/api/v1/units/{A}/scorecard", "401 200 200 200 200 200", ""),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,statuses,changes", API_ROWS)
def test_api_route_and_role(api, world, db, role, method, path, statuses, changes):
    token = None
    if role != "anonymous":
        _row, token = create_token(world.users[role], "script", "write")
        db.session.commit()
    expected = int(statuses.split()[ROLES.index(role)])
    before = snapshot()
    response = api(method, path.format(**world.ids), token,
                   json={"status": "in_progress", "progress": 50}
                   if method == "POST" else None)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
    if isinstance(changes, dict):
        changes = changes.get(role, changes[None])
    wanted = changes if expected < 400 else ""
    assert changes_between(before, snapshot()) == wanted
