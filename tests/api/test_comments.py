"""A task's discussion through the API: the page's service, rules and rendering."""
from sqlalchemy import select

from tracker.comments.services import edit_comment, post_comment
from tracker.models import Comment, Notification


def test_the_thread_reads_oldest_first_with_the_pages_html(api, client, login_as,
                                                           staff_setup, make_user,
                                                           db):
    task, user = staff_setup["own"], staff_setup["user"]
    make_user("canbo_huyen", role="staff")
    first = post_comment(task, "Đã gửi **kế hoạch**", user)
    second = post_comment(task, "Nhờ @canbo_huyen xem <script>x</script>", user)
    edit_comment(second, "Nhờ @canbo_huyen xem lại <script>x</script>", user)
    db.session.commit()
    response = api("GET", f"/api/v1/tasks/{task.id}/comments", staff_setup["token"])
    assert response.status_code == 200
    items = response.json["items"]
    assert [item["id"] for item in items] == [first.id, second.id]
    assert items[0]["author"]["username"] == "canbo_xa"
    assert items[0]["edited_at"] is None and items[1]["edited_at"] is not None
    assert items[0]["body"] == "Đã gửi **kế hoạch**"
    assert "<strong>kế hoạch</strong>" in items[0]["body_html"]
    assert "<script>" not in items[1]["body_html"]
    # The same HTML the task's page shows.
    login_as("viewer")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert items[0]["body_html"] in page
    # Its ETag answers a repeated read with 304.
    etag = response.headers["ETag"]
    again = api("GET", f"/api/v1/tasks/{task.id}/comments", staff_setup["token"],
                headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_posting_tells_the_mentioned_and_answers_201(api, staff_setup, make_user,
                                                     db):
    task = staff_setup["own"]
    mentioned = make_user("canbo_huyen", role="staff")
    response = api("POST", f"/api/v1/tasks/{task.id}/comments", staff_setup["token"],
                   json={"body": "  Nhờ @canbo_huyen xem **giúp**  "})
    assert response.status_code == 201, response.json
    assert response.json["body"] == "Nhờ @canbo_huyen xem **giúp**"
    assert "<strong>giúp</strong>" in response.json["body_html"]
    comment = db.session.get(Comment, response.json["id"])
    assert comment.task_id == task.id and comment.user_id == staff_setup["user"].id
    notices = db.session.scalars(select(Notification).where(
        Notification.user_id == mentioned.id)).all()
    assert len(notices) == 1 and notices[0].task_id == task.id


def test_bad_bodies_are_refused_as_the_form_refuses_them(api, staff_setup, db):
    task = staff_setup["own"]
    for body in ({"body": "   "}, {"body": ""}, {}, {"body": "x" * 10001},
                 {"body": "ok", "extra": 1}):
        response = api("POST", f"/api/v1/tasks/{task.id}/comments",
                       staff_setup["token"], json=body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(Comment)) is None


def test_a_closed_quarters_discussion_is_refused_with_the_pages_reason(
        api, staff_setup, db):
    task = staff_setup["own"]
    staff_setup["quarter"].state = "closed"
    db.session.commit()
    response = api("POST", f"/api/v1/tasks/{task.id}/comments", staff_setup["token"],
                   json={"body": "Còn việc này?"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "Quý II/2023 đã khóa sổ" in response.json["detail"]
    assert db.session.scalar(select(Comment)) is None
    # Reading it stays allowed.
    assert api("GET", f"/api/v1/tasks/{task.id}/comments",
               staff_setup["token"]).status_code == 200


def test_a_read_token_cannot_post(api, staff_setup, make_token, db):
    token = make_token(staff_setup["user"], "read")
    response = api("POST", f"/api/v1/tasks/{staff_setup['own'].id}/comments", token,
                   json={"body": "Xin ý kiến"})
    assert response.status_code == 403
    assert db.session.scalar(select(Comment)) is None


def test_the_thread_costs_the_same_statements_for_more_comments(
        api, staff_setup, make_user, db, count_queries):
    task, user = staff_setup["own"], staff_setup["user"]
    make_user("canbo_huyen", role="staff")
    path = f"/api/v1/tasks/{task.id}/comments"

    def add(n):
        for index in range(n):
            post_comment(task, f"Ý kiến {index} @canbo_huyen", user)
        db.session.commit()

    add(1)
    with count_queries() as few:
        assert api("GET", path, staff_setup["token"]).status_code == 200
    add(10)
    with count_queries() as many:
        response = api("GET", path, staff_setup["token"])
    assert len(response.json["items"]) == 11
    assert len(many) == len(few)


def test_its_author_corrects_a_comment_naming_its_etag(api, client, login_as,
                                                       staff_setup, db):
    from tracker.models import CommentRevision

    task, token = staff_setup["own"], staff_setup["token"]
    created = api("POST", f"/api/v1/tasks/{task.id}/comments", token,
                  json={"body": "Đã gửi kế hoạch"})
    assert created.status_code == 201
    path = f"/api/v1/comments/{created.json['id']}"
    assert created.headers["Location"].endswith(path)
    etag = created.headers["ETag"]
    read = api("GET", path, token)
    assert read.status_code == 200 and read.headers["ETag"] == etag
    assert read.json["body"] == "Đã gửi kế hoạch"
    # Without If-Match: 428; with another version: 412; nothing changes.
    assert api("PATCH", path, token, json={"body": "Sửa"}).status_code == 428
    stale = api("PATCH", path, token, headers={"If-Match": '"comment-1-0"'},
                json={"body": "Sửa"})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert db.session.scalar(select(CommentRevision)) is None
    # The form's rules: an empty text is refused with its message.
    empty = api("PATCH", path, token, headers={"If-Match": etag}, json={"body": "  "})
    assert empty.status_code == 422 and "body" in empty.json["errors"]
    edited = api("PATCH", path, token, headers={"If-Match": etag},
                 json={"body": "Đã gửi **kế hoạch** số 12"})
    assert edited.status_code == 200, edited.json
    assert edited.json["edited_at"] is not None
    assert "<strong>kế hoạch</strong>" in edited.json["body_html"]
    assert edited.headers["ETag"] != etag
    # The earlier text is kept, as on the page; the old ETag is stale now.
    revision = db.session.scalar(select(CommentRevision))
    assert revision.body == "Đã gửi kế hoạch"
    assert revision.user_id == staff_setup["user"].id
    again = api("PATCH", path, token, headers={"If-Match": etag},
                json={"body": "Lần nữa"})
    assert again.status_code == 412
    # The same text again changes nothing.
    same = api("PATCH", path, token, headers={"If-Match": edited.headers["ETag"]},
               json={"body": "Đã gửi **kế hoạch** số 12"})
    assert same.status_code == 200
    assert len(db.session.scalars(select(CommentRevision)).all()) == 1
    login_as("viewer")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "số 12" in page


def test_the_edit_window_and_the_author_are_the_pages_rules(api, staff_setup,
                                                           make_user, make_token,
                                                           db):
    import datetime as dt

    from tracker.models import CommentRevision
    from tracker.models.base import utcnow

    task, user, token = staff_setup["own"], staff_setup["user"], staff_setup["token"]
    old = post_comment(task, "Gửi từ sáng", user,
                       now=utcnow() - dt.timedelta(minutes=16))
    fresh = post_comment(task, "Gửi vừa xong", user)
    db.session.commit()
    late = api("PATCH", f"/api/v1/comments/{old.id}", token,
               headers={"If-Match": "*"}, json={"body": "Sửa muộn"})
    assert late.status_code == 403
    assert late.mimetype == "application/problem+json"
    assert "15 phút" in late.json["detail"]
    # Someone else (a leader too) cannot correct it.
    leader = make_token(make_user("lanhdao", role="leader"))
    other = api("PATCH", f"/api/v1/comments/{fresh.id}", leader,
                headers={"If-Match": "*"}, json={"body": "Sửa hộ"})
    assert other.status_code == 403
    # A read token cannot either, even its author's.
    reader = make_token(user, "read")
    assert api("PATCH", f"/api/v1/comments/{fresh.id}", reader,
               headers={"If-Match": "*"}, json={"body": "Sửa"}).status_code == 403
    # Once the quarter closes, its discussion stands as written.
    staff_setup["quarter"].state = "closed"
    db.session.commit()
    closed = api("PATCH", f"/api/v1/comments/{fresh.id}", token,
                 headers={"If-Match": "*"}, json={"body": "Sửa"})
    assert closed.status_code == 403 and "khóa sổ" in closed.json["detail"]
    assert db.session.scalar(select(CommentRevision)) is None
    assert db.session.get(Comment, fresh.id).body == "Gửi vừa xong"
    assert api("GET", "/api/v1/comments/999999999", token).status_code == 404
