"""The API's resources: the pages' services and rules, the figures' one source."""

from sqlalchemy import select

from tests.helpers import page_text
from tracker.models import Task, TaskUpdate


def test_users_self_names_the_token_user(api, staff_setup):
    data = api("GET", "/api/v1/users/self", staff_setup["token"]).json
    assert data["username"] == "canbo_xa" and data["role"] == "staff"
    assert data["units"] == [{"id": staff_setup["unit"].id, "name": "Xã Tịnh Hà",
                              "short_name": "Tịnh Hà"}]


def test_quarters_list_one_and_current(api, staff_setup, make_quarter):
    make_quarter(2023, 1, state="active")
    token = staff_setup["token"]
    listed = api("GET", "/api/v1/quarters", token).json
    assert [item["key"] for item in listed["items"]] == ["2023-Q2", "2023-Q1"]
    one = api("GET", "/api/v1/quarters/2023-Q1", token)
    assert one.json["label"] == "Quý I/2023" and one.json["ends_on"] == "2023-03-31"
    assert one.headers["ETag"]
    # TODAY is 15/05/2023.
    assert api("GET", "/api/v1/quarters/current", token).json["key"] == "2023-Q2"
    assert api("GET", "/api/v1/quarters/2031-Q1", token).status_code == 404
    assert api("GET", "/api/v1/quarters/nonsense", token).status_code == 404


def test_figures_are_figures_json(api, client, login_as, staff_setup, db):
    """The API reads the one source of figures: the same document, key for key."""
    token = staff_setup["token"]
    login_as("viewer")
    for as_of in ("2023-05-01", "2023-07-15"):
        from_api = api("GET", f"/api/v1/quarters/2023-Q2/figures?as_of={as_of}",
                       token)
        assert from_api.status_code == 200
        from_page = client.get(f"/quarters/2023-Q2/figures.json?as_of={as_of}")
        assert from_api.json == from_page.json
        assert from_api.json["as_of"] == as_of
    assert from_api.json["counts"]["overdue"] == 2  # both due 30/06, open at 15/07
    bad = api("GET", "/api/v1/quarters/2023-Q2/figures?as_of=2023-02-30", token)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "as_of" in bad.json["errors"] or "as_of" in bad.json["detail"]


def test_tasks_list_with_the_boards_filters_and_pages(api, staff_setup, make_task,
                                                      make_unit, db):
    token, quarter = staff_setup["token"], staff_setup["quarter"]
    for n in range(55):
        make_task(quarter=quarter, lead=staff_setup["other_unit"], kind="training",
                  title=f"Lớp tập huấn số {n}")
    path = "/api/v1/quarters/2023-Q2/tasks"
    first = api("GET", path + "?per_page=50", token).json
    assert (first["total"], first["pages"], len(first["items"])) == (57, 2, 50)
    second = api("GET", path + "?per_page=50&page=2", token).json
    assert len(second["items"]) == 7
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(set(ids)) == 57
    mine = api("GET", path + f"?unit={staff_setup['unit'].id}", token).json
    assert [item["title"] for item in mine["items"]] == ["Đối thoại với nhân dân"]
    assert api("GET", path + "?kind=training", token).json["total"] == 55
    found = api("GET", path + "?q=doi thoai", token).json  # accents ignored
    assert [item["id"] for item in found["items"]] == [staff_setup["own"].id]
    assert api("GET", path + "?status=done", token).json["total"] == 0
    item = mine["items"][0]
    assert item["timeliness"] == "not_started" and item["lead_unit"]["short_name"] == \
        "Tịnh Hà"
    refused = api("GET", path + "?kind=nothing&per_page=7", token)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"kind", "per_page"}


def test_a_task_reads_with_etag_and_last_modified(api, staff_setup):
    task = staff_setup["own"]
    response = api("GET", f"/api/v1/tasks/{task.id}", staff_setup["token"])
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"task-{task.id}-v{task.version}"'
    assert response.headers["Last-Modified"]
    assert response.json["title"] == "Đối thoại với nhân dân"
    history = api("GET", f"/api/v1/tasks/{task.id}/history", staff_setup["token"])
    assert [row["action"] for row in history.json["items"]] == ["created"]


def test_progress_through_the_api_is_history_the_page_shows(api, client, login_as,
                                                            staff_setup, db):
    task, token = staff_setup["own"], staff_setup["token"]
    etag = api("GET", f"/api/v1/tasks/{task.id}", token).headers["ETag"]
    response = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                   headers={"If-Match": etag},
                   json={"status": "in_progress", "progress": 40,
                         "note": "Đã tổ chức 4/11 cuộc"})
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    assert response.json["task"]["progress"] == 40
    assert response.headers["ETag"] != etag
    row = db.session.scalar(select(TaskUpdate).where(TaskUpdate.action == "progress"))
    assert (row.user_id, row.via, row.new_progress, row.note) == (
        staff_setup["user"].id, "api", 40, "Đã tổ chức 4/11 cuộc")
    login_as("viewer")
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert "Đã tổ chức 4/11 cuộc" in page and ">API</span>" in page
    # The pages' own history rows do not say API.
    assert db.session.scalar(select(TaskUpdate).where(
        TaskUpdate.action == "created")).via is None


def test_a_stale_etag_is_refused_with_412_and_nothing_written(api, staff_setup, db):
    task, token = staff_setup["own"], staff_setup["token"]
    stale = api("GET", f"/api/v1/tasks/{task.id}", token).headers["ETag"]
    assert api("POST", f"/api/v1/tasks/{task.id}/progress", token,
               headers={"If-Match": stale},
               json={"status": "in_progress", "progress": 20}).status_code == 200
    response = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                   headers={"If-Match": stale},
                   json={"status": "in_progress", "progress": 90})
    assert response.status_code == 412
    assert response.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 20
    assert len(db.session.get(Task, task.id).updates) == 2


def test_another_units_task_is_refused_with_403(api, staff_setup, db):
    other, token = staff_setup["other"], staff_setup["token"]
    response = api("POST", f"/api/v1/tasks/{other.id}/progress", token,
                   json={"status": "done", "completed_on": "2023-05-10"},
                   headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "You do not have permission to do this."
    db.session.expire_all()
    assert db.session.get(Task, other.id).status == "not_started"
    # Reading it is allowed, as on the pages.
    assert api("GET", f"/api/v1/tasks/{other.id}", token).status_code == 200


def test_a_report_the_form_refuses_is_refused_by_field(api, staff_setup, db):
    task, token = staff_setup["own"], staff_setup["token"]
    response = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                   headers={"If-Match": "*"}, json={"status": "done", "progress": 50})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["progress"]
    unknown = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                  json={"status": "in_progress", "colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.json["errors"]
    missing = api("POST", f"/api/v1/tasks/{task.id}/progress", token, json={})
    assert missing.json["errors"]["status"] == ["Trường này là bắt buộc."]
    not_json = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                   data="status=done", content_type="text/plain")
    assert not_json.status_code in (415, 422)
    db.session.expire_all()
    assert len(db.session.get(Task, task.id).updates) == 1


def test_a_closed_quarters_task_cannot_change(api, staff_setup, make_user, make_token,
                                              db):
    from tracker.quarters.rollover import close_quarter

    leader = make_user("lanhdao", role="leader")
    close_quarter(staff_setup["quarter"], {}, leader)
    db.session.commit()
    task = staff_setup["own"]
    response = api("POST", f"/api/v1/tasks/{task.id}/progress", make_token(leader),
                   json={"status": "in_progress", "progress": 50})
    assert response.status_code == 403


def test_units_and_a_units_scorecard(api, staff_setup, db):
    token, unit = staff_setup["token"], staff_setup["unit"]
    listed = api("GET", "/api/v1/units", token).json
    assert {item["short_name"] for item in listed["items"]} == {"Tịnh Hà", "Tịnh Sơn"}
    assert api("GET", f"/api/v1/units/{unit.id}", token).json["name"] == "Xã Tịnh Hà"
    assert api("GET", "/api/v1/units/999999", token).status_code == 404
    card = api("GET", f"/api/v1/units/{unit.id}/scorecard?quarter=2023-Q2"
                      "&as_of=2023-07-01", token).json
    figures = api("GET", "/api/v1/quarters/2023-Q2/figures?as_of=2023-07-01",
                  token).json
    row = next(item for item in figures["units"] if item["id"] == unit.id)
    assert card["score"]["led"] == row["led"] == 1
    assert card["score"]["overdue"] == row["overdue"] == 1
    assert card["cutoff"] == "2023-07-01"


def test_the_openapi_document_and_the_docs_page(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any departure from OpenAPI 3.1
    # The links name operations that exist, with parameters they take.
    taken, answers = {}, []
    for path in document["paths"].values():
        shared = {parameter["name"] for parameter in path.get("parameters", [])}
        for method, operation in path.items():
            if method == "parameters":
                continue
            answers += operation["responses"].values()
            if "operationId" in operation:
                taken[operation["operationId"]] = shared | {
                    parameter["name"] for parameter in operation.get("parameters", [])}
    linked = 0
    for answer in answers:
        for link in answer.get("links", {}).values():
            for name in link["parameters"]:
                assert name.removeprefix("header.") in taken[link["operationId"]], \
                    (link, name)
            linked += 1
    assert linked >= 8
    assert {"/api/v1/quarters/{key}/figures", "/api/v1/tasks/{task_id}/progress",
            "/api/v1/units/{unit_id}/scorecard"} <= set(document["paths"])
    progress = document["paths"]["/api/v1/tasks/{task_id}/progress"]["post"]
    assert {"403", "412", "422", "429"} <= set(progress["responses"])
    problem = document["components"]["responses"]["PRECONDITION_FAILED"]
    assert "application/problem+json" in problem["content"]
    page = page_text(client.get("/api/docs"))
    assert "http://" not in page and "https://" not in page  # no CDN
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs/assets/../__init__.py").status_code == 404
    assert client.get("/static/js/api-docs.js").status_code == 200


def test_writes_need_no_csrf_token_only_a_bearer_token(app, api, staff_setup, db):
    """Sessions never sign in to the API, so it takes no CSRF token (the pages do)."""
    task, token = staff_setup["own"], staff_setup["token"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = api("POST", f"/api/v1/tasks/{task.id}/progress", token,
                       headers={"If-Match": "*"},
                       json={"status": "in_progress", "progress": 30})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 30


def test_ids_past_the_databases_integers_are_not_found(api, staff_setup):
    """Found by schemathesis on PostgreSQL: such an id is a 404, not a 500."""
    for path in ("/api/v1/tasks/9223372036854775806", "/api/v1/units/2147483648",
                 "/api/v1/tasks/-1/history"):
        response = api("GET", path, staff_setup["token"])
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_an_answering_body_past_what_an_id_holds_is_refused_not_a_server_error(
        api, staff_setup):
    """An id PostgreSQL's integer column cannot hold is a 422, not a failed query."""
    token = staff_setup["token"]
    for body in ("9250633586", "2147483648", "²"):
        refused = api("GET", f"/api/v1/petitions?body={body}", token)
        assert refused.status_code == 422, body
        assert "body" in refused.json["errors"]
    assert api("GET", "/api/v1/petitions?body=999999999", token).json["total"] == 0
