"""A task's discussion: posting, @mentions, safe Markdown, the edit window, history."""
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.helpers import page_text, visible_text
from tracker.comments import services
from tracker.comments.markup import TAGS, mentioned_names, render
from tracker.models import Comment, CommentRevision, Notification
from tracker.models.base import utcnow
from tracker.models.guard import ClosedQuarterError
from tracker.notifications.services import message


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _notices(db, user, kind="mentioned"):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == kind)
        .order_by(Notification.id)).all()


@pytest.fixture
def task(make_task, make_unit):
    """Return an open quarter's task led by unit HND."""
    return make_task(lead=make_unit(name="Hội Nông dân huyện", short_name="HND"),
                     title="Đại hội Hội Nông dân huyện")


def _post(client, task, body):
    return client.post(f"/tasks/{task.id}/comments", data={"body": body})


def test_a_comment_is_posted_and_shown_in_the_history(client, db, task, login_as):
    user = login_as("staff")
    response = _post(client, task, "Đã gửi **giấy mời** cho các xã.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{task.id}#comment-1") or \
        "#comment-" in response.headers["Location"]
    [comment] = db.session.scalars(select(Comment)).all()
    assert (comment.task_id, comment.user_id, comment.body) == (
        task.id, user.id, "Đã gửi **giấy mời** cho các xã.")
    html = page_text(client.get(f"/tasks/{task.id}"))
    assert "<strong>giấy mời</strong>" in html
    assert f'id="comment-{comment.id}"' in html


def test_comments_and_history_rows_are_interleaved_newest_first(client, db, task,
                                                                  login_as):
    from tracker.tasks.services import add_direction

    leader = login_as("leader")
    first = services.post_comment(task, "Bình luận thứ nhất", leader,
                                  now=utcnow() - dt.timedelta(hours=2))
    db.session.commit()
    direction = add_direction(task, "Chỉ đạo ở giữa", leader)
    direction.created_at = utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    services.post_comment(task, "Bình luận thứ hai", leader)
    db.session.commit()
    text = visible_text(client.get(f"/tasks/{task.id}"))
    second_at = text.index("Bình luận thứ hai")
    middle_at = text.index("Chỉ đạo ở giữa")
    first_at = text.index("Bình luận thứ nhất")
    assert second_at < middle_at < first_at
    # Comments posted two hours ago come after the task's creation just now.
    entries = services.timeline(task, services.thread(task))
    assert [entry.at for entry in entries] == sorted(
        (entry.at for entry in entries), reverse=True)
    assert entries[-1].comment is first
    assert any(entry.update is not None and entry.update.action == "created"
               for entry in entries)


class _Tags(HTMLParser):
    """Collect the tags and attributes of a piece of HTML."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


HOSTILE = [
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "![x](https://example.org/x.png\" onerror=\"alert(1))",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x](https://a.vn \"t\" onmouseover=alert(1))",
    "<scr<script>ipt>alert(1)</script>",
    "[@x](javascript:alert(1)) @x",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markup_is_never_active(client, db, task, login_as, make_user, body):
    make_user("x")
    login_as("staff")
    assert _post(client, task, body).status_code == 302
    html = page_text(client.get(f"/tasks/{task.id}"))
    thread = html[html.index('<div class="comment-body'):]
    thread = thread[:thread.index("</div>") + 6]
    parser = _Tags()
    parser.feed(thread)
    for tag, attrs in parser.found:
        assert tag in TAGS | {"div"}, thread
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        href = attrs.get("href")
        if href is not None:
            assert re.match(r"^(https?://|mailto:|/|#)", href), thread
            assert attrs["rel"] == "nofollow noopener"
    assert "<script" not in thread.lower() and "<img" not in thread.lower()
    # What was typed is kept as typed.
    assert db.session.scalar(select(Comment.body)) == body


def test_links_get_nofollow_noopener_and_only_safe_schemes():
    html = str(render("[site](https://dangcongsan.vn) [mail](mailto:a@b.vn) "
                      "[bad](vbscript:x)"))
    assert '<a href="https://dangcongsan.vn" rel="nofollow noopener">site</a>' in html
    assert 'href="mailto:a@b.vn"' in html
    assert "vbscript" not in html.replace("[bad](vbscript:x)", "")
    assert html.count('rel="nofollow noopener"') == 2


def test_mentions_are_found_outside_addresses():
    assert mentioned_names("@an và @binh.tran. Gửi a@b.vn, @an lần nữa") == [
        "an", "binh.tran"]


def test_a_mention_becomes_a_link_and_tells_the_person_once(client, db, task, login_as,
                                                            make_user, make_unit):
    unit = make_unit(short_name="MTTQ")
    an = make_user("an.nguyen", units=[unit])
    binh = make_user("binh")
    author = login_as("staff", username="tac.gia")
    _post(client, task, "Nhờ @an.nguyen và @khong_ai và @tac.gia xem `@binh`.")
    html = page_text(client.get(f"/tasks/{task.id}"))
    assert (f'<a href="/units/{unit.id}" class="mention" rel="nofollow noopener">'
            "@an.nguyen</a>") in html
    assert "@khong_ai" in html and 'class="mention">@khong_ai' not in html
    assert "<code>@binh</code>" in html
    [notice] = _notices(db, an)
    assert notice.key == f"comment:{db.session.scalar(select(Comment.id))}:mentioned"
    assert notice.task_id == task.id
    assert _notices(db, author) == [] and _notices(db, binh) == []
    text = message(notice)
    assert "Tac.Gia" in text and task.title in text and "@an.nguyen" in text
    # A correction mentioning him again does not tell him twice; a new name is told.
    comment = db.session.scalar(select(Comment))
    response = client.post(f"/comments/{comment.id}/edit",
                           data={"body": comment.body + " Cả @binh nữa."})
    assert response.status_code == 302
    assert len(_notices(db, an)) == 1 and len(_notices(db, binh)) == 1


def test_a_mention_notice_is_mailed_with_its_text(db, task, make_user, app):
    from tracker.notifications.mail import _items

    an = make_user("an")
    author = make_user("tacgia")
    services.post_comment(task, "@an xin ý kiến về **danh sách** đại biểu", author)
    db.session.commit()
    [notice] = _notices(db, an)
    [(sentence, link)] = _items([notice])
    assert "danh sách" in sentence and sentence.startswith("Tacgia")
    comment_id = db.session.scalar(select(Comment.id))
    assert link.endswith(f"/tasks/{task.id}#comment-{comment_id}")


def test_the_author_corrects_a_comment_and_the_old_text_is_kept(client, db, task,
                                                                  login_as):
    login_as("viewer")
    _post(client, task, "Họp lúc 8 giờ")
    comment = db.session.scalar(select(Comment))
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200
    response = client.post(f"/comments/{comment.id}/edit",
                           data={"body": "Họp lúc 9 giờ"})
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.body == "Họp lúc 9 giờ" and comment.edited_at is not None
    [revision] = db.session.scalars(select(CommentRevision)).all()
    assert revision.body == "Họp lúc 8 giờ"
    text = visible_text(client.get(f"/tasks/{task.id}"))
    assert "Họp lúc 9 giờ" in text and "Họp lúc 8 giờ" in text


def test_the_same_text_changes_nothing(client, db, task, login_as):
    login_as("staff")
    _post(client, task, "Không đổi")
    comment = db.session.scalar(select(Comment))
    client.post(f"/comments/{comment.id}/edit", data={"body": "Không đổi"})
    assert _count(db, CommentRevision) == 0


def test_after_fifteen_minutes_a_comment_stands(client, db, task, login_as):
    login_as("staff")
    _post(client, task, "Bản cũ")
    comment = db.session.scalar(select(Comment))
    comment.created_at = utcnow() - dt.timedelta(minutes=15, seconds=5)
    db.session.commit()
    assert 'class="comment-edit"' not in page_text(client.get(f"/tasks/{task.id}"))
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Bản mới"})
    assert response.status_code == 403
    assert "15 phút" in page_text(response)
    db.session.refresh(comment)
    assert comment.body == "Bản cũ"
    with pytest.raises(services.CommentRefused):
        services.edit_comment(comment, "Bản mới", comment.user)


def test_only_the_author_may_correct(client, db, task, make_user, login_as):
    author = make_user("author")
    services.post_comment(task, "Của tác giả", author)
    db.session.commit()
    comment = db.session.scalar(select(Comment))
    login_as("admin")
    assert client.post(f"/comments/{comment.id}/edit",
                       data={"body": "Sửa hộ"}).status_code == 403
    assert db.session.scalar(select(Comment.body)) == "Của tác giả"


def test_a_closed_quarter_takes_no_comment_and_no_correction(client, db, task,
                                                              login_as):
    login_as("staff")
    _post(client, task, "Trước khi khóa sổ")
    comment = db.session.scalar(select(Comment))
    task.quarter.state = "closed"
    db.session.commit()
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert 'action="/tasks/' + str(task.id) + '/comments"' not in page
    assert "Trước khi khóa sổ" in page
    refused = _post(client, task, "Sau khi khóa")
    assert refused.status_code == 403
    assert "Quý II/2023" in page_text(refused)
    assert client.post(f"/comments/{comment.id}/edit",
                       data={"body": "Sửa sau khi khóa"}).status_code == 403
    assert _count(db, Comment) == 1
    assert db.session.scalar(select(Comment.body)) == "Trước khi khóa sổ"
    # Below the views, the guard refuses any path that tries.
    comment.body = "Lách qua"
    with pytest.raises(ClosedQuarterError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ClosedQuarterError):
        services.post_comment(task, "Lách qua", comment.user)
    db.session.rollback()
    with pytest.raises(ClosedQuarterError):
        db.session.delete(db.session.get(Comment, comment.id))
        db.session.flush()
    db.session.rollback()


def test_an_archived_task_takes_no_comment(client, db, task, login_as):
    from tracker.tasks.services import archive_task

    user = login_as("leader")
    archive_task(task, user, "Trùng")
    db.session.commit()
    assert _post(client, task, "Còn không?").status_code == 403
    assert _count(db, Comment) == 0


@pytest.mark.parametrize("body", ["", "   ", "\u200b\u200b", "x" * 10001])
def test_an_empty_or_overlong_comment_is_refused(client, db, task, login_as, body):
    login_as("staff")
    response = _post(client, task, body)
    assert response.status_code == 400
    assert "Ý kiến chưa được lưu" in page_text(response)  # Vietnamese by default
    assert _count(db, Comment) == 0


def test_comment_addresses_answer_get_and_unknown_ids(client, db, task, login_as):
    login_as("staff")
    response = client.get(f"/tasks/{task.id}/comments")
    assert response.status_code == 302 and "#comments" in response.headers["Location"]
    assert client.post("/tasks/999999/comments", data={"body": "x"}).status_code == 404
    assert client.get("/comments/999999/edit").status_code == 404


def test_the_task_page_costs_the_same_with_more_comments(client, db, task, login_as,
                                                         make_user, count_queries):
    leader = login_as("leader")
    for name in ("an", "binh"):
        make_user(name)
    services.post_comment(task, "Một @an", leader)
    db.session.commit()
    client.get(f"/tasks/{task.id}")
    with count_queries() as few:
        client.get(f"/tasks/{task.id}")
    for n in range(12):
        comment = services.post_comment(task, f"Ý kiến {n} @binh @an", leader)
        services.edit_comment(comment, f"Ý kiến {n} đã sửa @binh", leader)
    db.session.commit()
    client.get(f"/tasks/{task.id}")  # as before "few": the test's objects reloaded
    with count_queries() as many:
        response = client.get(f"/tasks/{task.id}")
    assert "Ý kiến 11 đã sửa" in page_text(response)
    assert len(many) == len(few)


def test_the_demo_has_a_discussion_with_a_mention(client, demo, db):
    from tests.helpers import get_task
    from tracker.models import User

    task = get_task("tiếp xúc, đối thoại giữa Bí thư")
    client.post("/login", data={"username": "canbo_hnd", "password": "demo"})
    html = page_text(client.get(f"/tasks/{task.id}"))
    assert 'class="mention"' in html and "<strong>Hội Nông dân huyện</strong>" in html
    assert "<li>ý kiến về nước sạch.</li>" in html and "comment-revisions" in html
    hnd = db.session.scalar(select(User).where(User.username == "canbo_hnd"))
    [notice] = _notices(db, hnd)
    assert notice.task_id == task.id


def test_a_board_above_reads_the_discussion_but_does_not_write(client, demo, db):
    from tests.helpers import get_task

    task = get_task("tiếp xúc, đối thoại giữa Bí thư")
    client.post("/login", data={"username": "lanhdao_tinh", "password": "demo"})
    page = client.get(f"/b/son-tinh/tasks/{task.id}")
    assert page.status_code == 200 and "Thống nhất." in page_text(page)
    assert 'id="comments" class="border' not in page_text(page)
    before = _count(db, Comment)
    response = client.post(f"/b/son-tinh/tasks/{task.id}/comments",
                           data={"body": "Ý kiến của tỉnh"})
    assert response.status_code == 403 and _count(db, Comment) == before
