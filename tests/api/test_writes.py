"""The API's writes: the pages' forms, services and history, with If-Match."""
from sqlalchemy import func, select

from tests.helpers import page_text
from tracker.models import Quarter, Task, TaskUpdate


def _etag(api, path, token):
    response = api("GET", path, token)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.headers["ETag"]


def test_a_task_is_created_as_the_page_creates_it(api, staff_setup, db):
    token, unit = staff_setup["token"], staff_setup["unit"]
    response = api("POST", "/api/v1/quarters/2023-Q2/tasks", token, json={
        "kind": "dialogue", "title": "Đối thoại với thanh niên xã",
        "lead_unit_id": unit.id, "participating": [staff_setup["other_unit"].id],
        "chair": "Bí thư Đảng ủy xã", "due_on": "2023-06-15"})
    assert response.status_code == 201, response.json
    created = db.session.get(Task, response.json["id"])
    assert response.headers["Location"] == f"/api/v1/tasks/{created.id}"
    assert response.headers["ETag"] == f'"task-{created.id}-v{created.version}"'
    assert (created.title, created.chair, created.lead_unit_id) == (
        "Đối thoại với thanh niên xã", "Bí thư Đảng ủy xã", unit.id)
    assert [link.role for link in created.unit_links] == ["participating"]
    row = created.updates[0]
    assert (row.action, row.via, row.user_id) == ("created", "api",
                                                  staff_setup["user"].id)
    # Without a due date, the quarter's end (as the page's form does).
    plain = api("POST", "/api/v1/quarters/current/tasks", token, json={
        "kind": "other", "title": "Việc thường kỳ", "lead_unit_id": unit.id})
    assert plain.json["due_on"] == "2023-06-30" and plain.json["quarter"] == "2023-Q2"


def test_a_task_the_form_refuses_is_refused_with_its_messages(api, staff_setup, db):
    token, unit = staff_setup["token"], staff_setup["unit"]
    before = db.session.scalar(select(func.count(Task.id)))
    response = api("POST", "/api/v1/quarters/2023-Q2/tasks", token, json={
        "kind": "other", "title": "Ngoài quý", "lead_unit_id": unit.id,
        "due_on": "2021-01-01", "coordinating": [unit.id + 1000]},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == {"due_on", "coordinating"}
    assert response.json["errors"]["due_on"][0].startswith("The due date must fall")
    blank = api("POST", "/api/v1/quarters/2023-Q2/tasks", token, json={
        "kind": "other", "title": "   ", "lead_unit_id": unit.id})
    assert blank.status_code == 422 and "title" in blank.json["errors"]
    missing = api("POST", "/api/v1/quarters/2023-Q2/tasks", token, json={})
    assert set(missing.json["errors"]) == {"kind", "title", "lead_unit_id"}
    assert db.session.scalar(select(func.count(Task.id))) == before


def test_patch_changes_only_what_is_sent_and_needs_if_match(api, staff_setup, db):
    task, token = staff_setup["own"], staff_setup["token"]
    path = f"/api/v1/tasks/{task.id}"
    etag = _etag(api, path, token)
    without = api("PATCH", path, token, json={"title": "Không có If-Match"})
    assert without.status_code == 428
    assert without.mimetype == "application/problem+json"
    stale = api("PATCH", path, token, headers={"If-Match": '"task-1-v0"'},
                json={"title": "Cũ"})
    assert stale.status_code == 412
    response = api("PATCH", path, token, headers={"If-Match": etag},
                   json={"title": "Đối thoại trực tiếp với nhân dân",
                         "source_document": "Kế hoạch số 12-KH/BDVHU"})
    assert response.status_code == 200, response.json
    assert response.json["changed"] == {
        "title": ["Đối thoại với nhân dân", "Đối thoại trực tiếp với nhân dân"],
        "source_document": ["", "Kế hoạch số 12-KH/BDVHU"]}
    assert response.headers["ETag"] != etag
    db.session.expire_all()
    fresh = db.session.get(Task, task.id)
    assert fresh.title == "Đối thoại trực tiếp với nhân dân"
    assert fresh.lead_unit_id == staff_setup["unit"].id  # not sent: kept
    edits = [row for row in fresh.updates if row.action == "edited"]
    assert len(edits) == 1 and edits[0].via == "api"
    # The ETag read before the edit is stale now.
    again = api("PATCH", path, token, headers={"If-Match": etag}, json={"title": "X"})
    assert again.status_code == 412
    assert db.session.get(Task, task.id).title == "Đối thoại trực tiếp với nhân dân"


def test_another_units_task_cannot_be_edited(api, staff_setup, db):
    other = staff_setup["other"]
    response = api("PATCH", f"/api/v1/tasks/{other.id}", staff_setup["token"],
                   headers={"If-Match": "*"}, json={"title": "Sửa trộm"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Task, other.id).title == "Tập huấn"


def test_a_units_share_moves_the_task_as_on_the_page(api, staff_setup, make_task,
                                                     make_unit, db):
    commune, other = staff_setup["unit"], staff_setup["other_unit"]
    task = make_task(quarter=staff_setup["quarter"], lead=other, kind="dialogue",
                     participating=[commune, make_unit("Xã Tịnh Bắc", "Tịnh Bắc")])
    path = f"/api/v1/tasks/{task.id}"
    etag = _etag(api, path, staff_setup["token"])
    response = api("POST", f"{path}/shares/{commune.id}", staff_setup["token"],
                   headers={"If-Match": etag},
                   json={"status": "done", "done_on": "2023-05-10", "note": "Xong"})
    assert response.status_code == 200, response.json
    assert response.json["task"]["progress"] == 50
    assert response.json["task"]["status"] == "in_progress"
    update = response.json["update"]
    assert (update["action"], update["via"], update["unit"]["id"]) == (
        "share", "api", commune.id)
    # Another unit's share is not the commune's to report.
    bac = next(link.unit_id for link in task.unit_links if link.unit_id != commune.id)
    refused = api("POST", f"{path}/shares/{bac}", staff_setup["token"],
                  headers={"If-Match": "*"}, json={"status": "done"})
    assert refused.status_code == 403
    future = api("POST", f"{path}/shares/{commune.id}", staff_setup["token"],
                 headers={"If-Match": "*"},
                 json={"status": "done", "done_on": "2023-12-31"})
    assert future.status_code == 422 and "done_on" in future.json["errors"]


def test_timeliness_filters_the_quarters_tasks(api, staff_setup, make_task, db):
    import datetime as dt

    late = make_task(quarter=staff_setup["quarter"], lead=staff_setup["unit"],
                     title="Quá hạn", due_on=dt.date(2023, 5, 1))
    path = "/api/v1/quarters/current/tasks?timeliness="
    overdue = api("GET", path + "overdue", staff_setup["token"]).json
    assert [item["id"] for item in overdue["items"]] == [late.id]
    assert overdue["items"][0]["timeliness"] == "overdue"
    waiting = api("GET", path + "not_started", staff_setup["token"]).json
    assert {item["id"] for item in waiting["items"]} == {
        staff_setup["own"].id, staff_setup["other"].id}
    assert api("GET", path + "late", staff_setup["token"]).status_code == 422
    # A closed quarter is judged at its own cut-off, as the figures are.
    figures = api("GET", "/api/v1/quarters/2023-Q2/figures", staff_setup["token"]).json
    assert figures["counts"]["overdue"] == overdue["total"]


def test_reads_answer_304_to_their_etag(api, staff_setup):
    token, task = staff_setup["token"], staff_setup["own"]
    for path in (f"/api/v1/tasks/{task.id}", "/api/v1/quarters/2023-Q2",
                 "/api/v1/units", f"/api/v1/tasks/{task.id}/history"):
        first = api("GET", path, token)
        assert first.headers["ETag"], path
        again = api("GET", path, token,
                    headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert again.get_data() == b""
        other = api("GET", path, token, headers={"If-None-Match": '"nothing"'})
        assert other.status_code == 200
    assert api("GET", f"/api/v1/tasks/{task.id}", token).headers["Last-Modified"]


def test_closing_a_quarter_carries_or_ends_as_the_close_page(api, staff_setup,
                                                             make_task, make_user,
                                                             make_token, make_quarter,
                                                             db):
    q1 = make_quarter(2023, 1)
    carried = make_task(quarter=q1, lead=staff_setup["unit"], title="Mang sang")
    ended = make_task(quarter=q1, lead=staff_setup["unit"], title="Dừng lại")
    leader = make_token(make_user("lanhdao", role="leader"))
    staff = staff_setup["token"]
    plan = api("GET", "/api/v1/quarters/2023-Q1/close", leader)
    assert plan.json["can_close"] is True and plan.json["next_quarter"] == "2023-Q2"
    assert {item["task"]["id"] for item in plan.json["items"]} == {carried.id, ended.id}
    assert set(plan.json["actions"]) == {"carry", "cancelled", "not_needed"}
    etag = plan.headers["ETag"]
    assert api("POST", "/api/v1/quarters/2023-Q1/close", staff,
               headers={"If-Match": etag}, json={}).status_code == 403
    assert api("POST", "/api/v1/quarters/2023-Q1/close", leader,
               json={}).status_code == 428
    no_reason = api("POST", "/api/v1/quarters/2023-Q1/close", leader,
                    headers={"If-Match": etag},
                    json={"choices": [{"task": ended.id, "action": "not_needed"}]})
    assert no_reason.status_code == 422 and "choices" in no_reason.json["errors"]
    stranger = api("POST", "/api/v1/quarters/2023-Q1/close", leader,
                   headers={"If-Match": etag},
                   json={"choices": [{"task": staff_setup["own"].id,
                                      "action": "carry"}]})
    assert stranger.status_code == 422
    db.session.expire_all()
    assert db.session.get(Quarter, q1.id).state == "active"
    done = api("POST", "/api/v1/quarters/2023-Q1/close", leader,
               headers={"If-Match": etag},
               json={"choices": [{"task": ended.id, "action": "not_needed",
                                  "note": "Đã lồng ghép vào việc khác"}]})
    assert done.status_code == 200, done.json
    assert done.json["quarter"]["state"] == "closed"
    assert done.json["closed"] == [ended.id] and len(done.json["carried"]) == 1
    db.session.expire_all()
    continuation = db.session.get(Task, done.json["carried"][0])
    assert (continuation.carried_from_id, continuation.quarter.key) == (
        carried.id, "2023-Q2")
    assert db.session.get(Task, ended.id).status == "cancelled"
    # The close's ETag is stale now; a second close is a conflict with the state.
    assert api("POST", "/api/v1/quarters/2023-Q1/close", leader,
               headers={"If-Match": etag}, json={}).status_code == 412
    assert api("POST", "/api/v1/quarters/2023-Q1/close", leader,
               headers={"If-Match": "*"}, json={}).status_code == 409
    # Approval, as the summary page: the headline recorded.
    etag = _etag(api, "/api/v1/quarters/2023-Q1", leader)
    approved = api("POST", "/api/v1/quarters/2023-Q1/approve", leader,
                   headers={"If-Match": etag})
    assert approved.status_code == 200, approved.json
    assert approved.json["quarter"]["approved_at"] and approved.json["total"] == 2
    again = api("POST", "/api/v1/quarters/2023-Q1/approve", leader,
                headers={"If-Match": "*"}, json=None)
    assert again.status_code == 409


def test_a_petition_is_recorded_forwarded_and_answered(api, staff_setup, make_task,
                                                       make_user, make_token, db):
    commune, other = staff_setup["unit"], staff_setup["other_unit"]
    dialogue = make_task(quarter=staff_setup["quarter"], lead=commune, kind="dialogue",
                         title="Đối thoại về đất đai")
    token = staff_setup["token"]
    created = api("POST", f"/api/v1/tasks/{dialogue.id}/petitions", token, json={
        "content": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "field": "land",
        "answering_unit_id": other.id, "due_on": "2023-05-10", "commune": "Tịnh Hà"})
    assert created.status_code == 201, created.json
    petition = created.json
    assert petition["state"] == "received" and petition["is_overdue"] is True
    path = f"/api/v1/petitions/{petition['id']}"
    nobody = api("POST", f"/api/v1/tasks/{dialogue.id}/petitions", token,
                 json={"content": "Không ai trả lời"})
    assert nobody.status_code == 422 and "answering_body" in nobody.json["errors"]
    listed = api("GET", "/api/v1/petitions?overdue=true&commune=tinh ha", token).json
    assert [item["id"] for item in listed["items"]] == [petition["id"]]
    assert listed["overdue"] == 1
    etag = created.headers["ETag"]
    forwarded = api("POST", path + "/forward", token, headers={"If-Match": etag},
                    json={"forwarded_on": "2023-05-11", "note": "Công văn số 12"})
    assert forwarded.status_code == 200 and forwarded.json["state"] == "forwarded"
    # The commune is not the body that must answer.
    assert api("POST", path + "/answer", token, headers={"If-Match": "*"}, json={
        "answer": "Đã trả lời", "answered_on": "2023-05-12"}).status_code == 403
    answerer = make_token(make_user("canbo_son", units=[other]))
    assert api("POST", path + "/answer", answerer, headers={"If-Match": etag}, json={
        "answer": "Đã trả lời", "answered_on": "2023-05-12"}).status_code == 412
    future = api("POST", path + "/answer", answerer,
                 headers={"If-Match": forwarded.headers["ETag"]},
                 json={"answer": "Đã trả lời", "answered_on": "2023-06-12"})
    assert future.status_code == 422 and "answered_on" in future.json["errors"]
    answered = api("POST", path + "/answer", answerer,
                   headers={"If-Match": forwarded.headers["ETag"]},
                   json={"answer": "Đã cấp giấy", "answered_on": "2023-05-12"})
    assert answered.status_code == 200 and answered.json["state"] == "answered"
    assert [row["action"] for row in answered.json["history"]] == [
        "answered", "forwarded", "created"]
    # A training task holds no petitions.
    assert api("POST", f"/api/v1/tasks/{staff_setup['other'].id}/petitions", token,
               json={"content": "x", "answering_body": "UBND"}).status_code == 403


def test_notifications_are_the_token_users_own(api, staff_setup, make_user,
                                               make_token, db):
    """A report on the commune's task tells its staff; they read and mark it."""
    task = staff_setup["own"]
    leader = make_token(make_user("lanhdao", role="leader"))
    assert api("POST", f"/api/v1/tasks/{task.id}/progress", leader,
               headers={"If-Match": "*"},
               json={"status": "in_progress", "progress": 30}).status_code == 200
    mine = api("GET", "/api/v1/notifications", staff_setup["token"]).json
    assert mine["unread"] == len(mine["items"]) >= 1
    notice = mine["items"][0]  # newest first
    assert notice["task"] == task.id and "30%" in notice["message"]
    assert api("GET", "/api/v1/notifications", leader).json["items"] == []
    path = f"/api/v1/notifications/{notice['id']}"
    assert api("GET", path, leader).status_code == 404
    assert api("POST", path + "/read", staff_setup["token"]).status_code == 428
    etag = _etag(api, path, staff_setup["token"])
    read = api("POST", path + "/read", staff_setup["token"], headers={"If-Match": etag})
    assert read.status_code == 200 and read.json["is_read"] is True
    assert api("GET", "/api/v1/notifications", staff_setup["token"]).json[
        "unread"] == mine["unread"] - 1


def test_history_rows_of_the_api_show_on_the_task_page(api, client, login_as,
                                                       staff_setup, db):
    task = staff_setup["own"]
    api("PATCH", f"/api/v1/tasks/{task.id}", staff_setup["token"],
        headers={"If-Match": "*"}, json={"result": "Đã tổ chức 2 cuộc"})
    login_as("viewer")
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert "Đã tổ chức 2 cuộc" in page and ">API</span>" in page
    assert db.session.scalar(select(TaskUpdate).where(
        TaskUpdate.action == "edited")).via == "api"


def test_the_new_lists_cost_the_same_statements_for_more_rows(api, staff_setup,
                                                              make_task, make_user,
                                                              db, count_queries):
    """Petitions, notices and a timeliness filter: a page's statements are fixed."""
    from tracker.petitions.services import create_petition

    commune, other = staff_setup["unit"], staff_setup["other_unit"]
    leader = make_user("lanhdao", role="leader")
    token = staff_setup["token"]

    def add(n):
        for index in range(n):
            task = make_task(quarter=staff_setup["quarter"], lead=commune,
                             kind="dialogue", title=f"Đối thoại {index}",
                             participating=[other], user=leader)
            create_petition(task, {"content": f"Ý kiến {index}", "field": "land",
                                   "answering_unit_id": other.id}, staff_setup["user"])
        db.session.commit()

    paths = ("/api/v1/petitions", "/api/v1/notifications",
             "/api/v1/quarters/2023-Q2/tasks?timeliness=not_started")
    add(1)
    counts = {}
    for path in paths:
        with count_queries() as few:
            assert api("GET", path, token).status_code == 200
        counts[path] = len(few)
    add(15)
    for path in paths:
        with count_queries() as many:
            response = api("GET", path, token)
        assert response.status_code == 200
        assert len(many) == counts[path], path
    assert len(api("GET", paths[0], token).json["items"]) == 16
    assert len(api("GET", paths[1], token).json["items"]) >= 16


def test_petition_steps_and_a_quarters_close_say_api_where_they_are_shown(
        api, client, login_as, staff_setup, make_task, make_user, make_token,
        make_quarter, db):
    """Petition history and the audit log name the token's user and say "API"."""
    from tracker.models.audit import AuditEvent
    from tracker.models.petition import PetitionUpdate

    dialogue = make_task(quarter=staff_setup["quarter"], lead=staff_setup["unit"],
                         kind="dialogue", title="Đối thoại về môi trường")
    created = api("POST", f"/api/v1/tasks/{dialogue.id}/petitions",
                  staff_setup["token"], json={"content": "Ô nhiễm từ trại heo",
                                              "answering_body": "UBND xã"})
    assert created.status_code == 201
    row = db.session.scalar(select(PetitionUpdate))
    assert (row.via, row.user_id) == ("api", staff_setup["user"].id)
    make_quarter(2023, 1)
    leader = make_token(make_user("lanhdao", role="leader"))
    assert api("POST", "/api/v1/quarters/2023-Q1/close", leader,
               headers={"If-Match": "*"}, json={}).status_code == 200
    closed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "closed"))
    assert closed.via == "api" and closed.user.username == "lanhdao"
    # On the pages: the petition's history, and the administrator's log.
    login_as("admin", username="quantri")
    page = page_text(client.get(f"/petitions/{created.json['id']}"))
    assert "Ô nhiễm từ trại heo" in page and ">API</span>" in page
    log = page_text(client.get("/admin/audit"))
    assert ">API</span>" in log
    # A change on the pages says nothing of the API.
    client.post(f"/petitions/{created.json['id']}/close",
                data={"reason": "Đã xử lý", "closed_on": "2023-05-12"})
    steps = db.session.scalars(select(PetitionUpdate).order_by(PetitionUpdate.id)).all()
    assert [step.via for step in steps] == ["api", None]
