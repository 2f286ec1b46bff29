"""The issue's "done when", as a script would run it with the demo's commune staff.

With a token of canbo_xa (staff of a commune's Party committee): list its open tasks,
report progress on one (the task page shows the same history row), be refused (403,
problem details) on another unit's task, get 412 with a stale ETag and 429 past the
limit.
"""
from tracker.extensions import limiter

OPEN = ("not_started", "in_progress", "postponed")


def test_the_commune_staff_script(app, runner, client, api, demo):
    from tests.helpers import page_text

    # A token, as the README makes one.
    made = runner.invoke(args=["token", "create", "canbo_xa", "--name", "script",
                               "--scope", "write"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    me = api("GET", "/api/v1/users/self", token).json
    assert me["username"] == "canbo_xa" and me["units"]
    unit_id = me["units"][0]["id"]

    # Its open tasks in the current quarter.
    listed = api("GET", f"/api/v1/quarters/current/tasks?unit={unit_id}&per_page=500",
                 token)
    assert listed.status_code == 200
    mine = [item for item in listed.json["items"] if item["status"] in OPEN]
    assert mine, "the demo gives the commune open work"
    for item in mine:
        units = {item["lead_unit"]["id"]} | {link["unit"]["id"]
                                            for link in item["units"]}
        assert unit_id in units
    # One it answers for (leads or coordinates): the commune reports its progress.
    led = next(item for item in mine if item["lead_unit"]["id"] == unit_id or any(
        link["unit"]["id"] == unit_id and link["role"] == "coordinating"
        for link in item["units"]))

    # Report progress on one of them, with the ETag it read.
    path = f"/api/v1/tasks/{led['id']}"
    read = api("GET", path, token)
    etag = read.headers["ETag"]
    progress = min(90, (read.json["progress"] or 0) + 10)
    note = "Đã họp chi bộ các thôn, triển khai kế hoạch"
    reported = api("POST", path + "/progress", token, headers={"If-Match": etag},
                   json={"status": "in_progress", "progress": progress, "note": note})
    assert reported.status_code == 200, reported.json
    row = reported.json["update"]
    assert (row["user"]["username"], row["via"], row["new_progress"], row["note"]) == (
        "canbo_xa", "api", progress, note)

    # The task page shows the same history row, marked API.
    assert client.post("/login", data={"username": "canbo_xa", "password": "demo"}
                       ).status_code == 302
    page = page_text(client.get(f"/tasks/{led['id']}"))
    assert note in page and ">API</span>" in page

    # Another unit's task: refused, as problem details, and unchanged.
    everything = api("GET", "/api/v1/quarters/current/tasks?per_page=500", token).json
    other = next(item for item in everything["items"]
                 if item["status"] in OPEN and unit_id not in
                 {item["lead_unit"]["id"]} | {link["unit"]["id"]
                                              for link in item["units"]})
    other_etag = api("GET", f"/api/v1/tasks/{other['id']}", token).headers["ETag"]
    refused = api("POST", f"/api/v1/tasks/{other['id']}/progress", token,
                  headers={"If-Match": other_etag},
                  json={"status": "in_progress", "progress": 50})
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 403 and refused.json["title"]
    assert api("GET", f"/api/v1/tasks/{other['id']}", token).json["progress"] == \
        other["progress"]

    # The ETag read before the report is stale now.
    stale = api("POST", path + "/progress", token, headers={"If-Match": etag},
                json={"status": "in_progress", "progress": progress + 5})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert api("GET", path, token).json["progress"] == progress

    # Past the limit: 429 with Retry-After.
    limiter.reset()
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="5 per minute")
    try:
        answers = [api("GET", "/api/v1/users/self", token) for _ in range(6)]
        assert [answer.status_code for answer in answers] == [200] * 5 + [429]
        assert answers[-1].mimetype == "application/problem+json"
        assert int(answers[-1].headers["Retry-After"]) >= 1
    finally:
        app.config.update(RATELIMIT_ENABLED=False, API_RATE_LIMIT="300 per minute")
        limiter.reset()
