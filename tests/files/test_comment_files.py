"""Files posted with a comment: checked by content like any evidence, shown under the
comment, served as attachments to those who may see the task's files, changed only
by correcting the comment within its window, read-only once the quarter closes."""
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.files import samples
from tests.files.test_files import (  # noqa: F401 (fixtures)
    counts, files_dir, shared, sign_in, stored_on_disk,
)
from tests.helpers import page_text
from tracker.auth import policy
from tracker.comments import services as comment_services
from tracker.files import storage
from tracker.models import Comment, Quarter, StoredFile, Task, TaskUpdate
from tracker.models.base import utcnow
from tracker.models.guard import ClosedQuarterError


def post(client, task, body, files=()):
    """Post a comment carrying files [(name, bytes)]."""
    return client.post(f"/tasks/{task.id}/comments", data=dict(
        body=body, files=[(io.BytesIO(content), name) for name, content in files]),
        content_type="multipart/form-data")


def edit(client, comment, body, files=(), remove=()):
    """Correct a comment: its text, files to add, ids of files to remove."""
    return client.post(f"/comments/{comment.id}/edit", data=dict(
        body=body, remove_files=[str(n) for n in remove],
        files=[(io.BytesIO(content), name) for name, content in files]),
        content_type="multipart/form-data")


def comment_files(db):
    """Return the files of comments, oldest first."""
    return db.session.scalars(select(StoredFile).where(
        StoredFile.attached_to == "comment").order_by(StoredFile.id)).all()


@pytest.fixture
def posted(client, db, shared, files_dir):
    """Return the task, its users, a comment by the lead's staff and its PDF."""
    task, _commune, users = shared
    sign_in(client, users["lead"])
    response = post(client, task, "Gửi kèm biên bản họp.",
                    [("Biên bản họp.pdf", samples.pdf())])
    assert response.status_code == 302, page_text(response)
    comment = db.session.scalars(select(Comment)).one()
    [stored] = comment_files(db)
    return task, users, comment, stored


# ---- posting ------------------------------------------------------------------

def test_a_comment_carries_files_of_each_kind(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["commune"])
    files = [("bien-ban.pdf", samples.pdf()), ("anh.jpg", samples.jpg()),
             ("anh.png", samples.png()), ("bao-cao.docx", samples.docx()),
             ("danh-sach.xlsx", samples.xlsx())]
    response = post(client, task, "Xã gửi hồ sơ.", files)
    assert response.status_code == 302, page_text(response)
    comment = db.session.scalars(select(Comment)).one()
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    rows = comment_files(db)
    assert [row.original_name for row in rows] == [name for name, _c in files]
    for row, (_name, content) in zip(rows, files):
        assert (row.comment_id, row.task_id, row.task_update_id) == (
            comment.id, task.id, None)
        assert row.created_by_id == users["commune"].id
        assert (files_dir / row.storage_key).read_bytes() == content
    assert not list((files_dir / storage.TEMP_FOLDER).iterdir())
    # Shown under the comment, with download links, and in the task's files.
    html = page_text(client.get(f"/tasks/{task.id}"))
    block = html[html.index(f'id="comment-{comment.id}"'):]
    block = block[:block.index("</li>\n")]
    for row in rows:
        assert f'href="/files/{row.id}" download>{row.original_name}</a>' in block
    files_section = html[html.index('id="files"'):html.index('id="history"')]
    assert f'<a href="#comment-{comment.id}">Comment</a>' in files_section
    # A comment's file is no progress report: the history rows carry none.
    assert db.session.scalar(select(func.count(TaskUpdate.id)).where(
        TaskUpdate.task_id == task.id)) == 1


@pytest.mark.parametrize("name, content, message", [
    ("bien-ban.pdf", samples.exe(), "is a program"),
    ("trong.png", b"", "is empty"),
    ("macro.xlsx", samples.zip_of(["[Content_Types].xml", "xl/workbook.xml",
                                   "xl/vbaProject.bin"]), "contains macros"),
    ("cu.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old-format"),
])
def test_a_refused_file_posts_nothing(client, db, shared, files_dir, name, content,
                                      message):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    before = counts(db)
    response = post(client, task, "Kèm hồ sơ", [("tot.pdf", samples.pdf()),
                                                 (name, content)])
    assert response.status_code == 400
    text = page_text(response)
    assert name in text and message in text
    assert 'id="comment-files"' in text and "Kèm hồ sơ" in text
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert counts(db) == before
    assert stored_on_disk(files_dir) == []
    assert not list((files_dir / storage.TEMP_FOLDER).iterdir())


def test_an_oversized_file_is_refused_with_the_limit(app, client, db, shared,
                                                     files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    app.config["MAX_FILE_MB"] = 1
    try:
        response = post(client, task, "Ảnh lớn",
                        [("lon.pdf", samples.pdf() + b"0" * (1024 * 1024))])
    finally:
        app.config["MAX_FILE_MB"] = 20
    assert response.status_code == 400
    assert "“lon.pdf” is larger than 1 MB" in page_text(response)
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert stored_on_disk(files_dir) == []


def test_a_comment_may_carry_more_than_the_general_request_limit(
        client, db, shared, files_dir):
    """The comment forms are upload forms: allowed their files' size."""
    task, _commune, users = shared
    sign_in(client, users["lead"])
    big = samples.pdf() + b"0" * (6 * 2 ** 20)
    assert post(client, task, "Bản quét", [("quet.pdf", big)]).status_code == 302
    [stored] = comment_files(db)
    assert stored.size == len(big)


def test_a_comment_without_files_is_as_before(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["lead"])
    response = client.post(f"/tasks/{task.id}/comments", data={"body": "Chỉ chữ"})
    assert response.status_code == 302
    assert db.session.scalars(select(Comment.body)).one() == "Chỉ chữ"
    assert comment_files(db) == []


def test_who_cannot_see_the_files_cannot_post_any(client, db, shared, files_dir):
    task, _commune, users = shared
    sign_in(client, users["outsider"])
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert 'action="/tasks/%d/comments#comments"' % task.id in page
    assert 'id="comment-files"' not in page
    response = post(client, task, "Cho xem với", [("a.pdf", samples.pdf())])
    assert response.status_code == 400
    assert "may not attach files" in page_text(response)
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert stored_on_disk(files_dir) == []
    # Words alone are welcome.
    assert post(client, task, "Cho xem với").status_code == 302


# ---- reading ------------------------------------------------------------------

@pytest.mark.parametrize("who", ["lead", "commune", "leader"])
def test_a_permitted_user_downloads_it_as_an_attachment(client, posted, who):
    _task, users, _comment, stored = posted
    sign_in(client, users[who])
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 200 and response.data == samples.pdf()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_who_may_not_see_the_tasks_files_gets_neither_link_nor_file(client, posted):
    task, users, comment, stored = posted
    sign_in(client, users["outsider"])
    assert client.get(f"/files/{stored.id}").status_code == 403
    page = page_text(client.get(f"/tasks/{task.id}"))
    assert "Gửi kèm biên bản họp." in page  # the comment itself is readable
    assert "Biên bản họp.pdf" not in page and f"/files/{stored.id}" not in page
    client.post("/logout")
    response = client.get(f"/files/{stored.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_task_page_costs_the_same_with_more_comment_files(
        client, db, posted, count_queries):
    task, users, _comment, _stored = posted

    def statements():
        client.get(f"/tasks/{task.id}")
        with count_queries() as seen:
            assert client.get(f"/tasks/{task.id}").status_code == 200
        return len(seen)

    one = statements()
    for n in range(4):
        post(client, task, f"Ý kiến {n}", [(f"{n}.pdf", samples.pdf(str(n))),
                                          (f"{n}.png", samples.png())])
    assert len(comment_files(db)) == 9
    assert statements() == one


# ---- correcting ---------------------------------------------------------------

def test_the_author_adds_and_removes_files_within_the_window(client, db, posted,
                                                             files_dir):
    task, users, comment, stored = posted
    page = page_text(client.get(f"/comments/{comment.id}/edit"))
    assert 'enctype="multipart/form-data"' in page
    assert f'value="{stored.id}"' in page and "Biên bản họp.pdf" in page
    response = edit(client, comment, comment.body, files=[("anh.png", samples.png())],
                    remove=[stored.id])
    assert response.status_code == 302, page_text(response)
    db.session.expire_all()
    old = db.session.get(StoredFile, stored.id)
    assert old.is_removed and old.removed_by_id == users["lead"].id
    [new] = [row for row in comment_files(db) if not row.is_removed]
    assert (new.original_name, new.comment_id) == ("anh.png", comment.id)
    assert not (files_dir / stored.storage_key).exists()
    assert (files_dir / new.storage_key).read_bytes() == samples.png()
    entry = db.session.scalars(select(TaskUpdate).where(
        TaskUpdate.action == "file_removed")).one()
    assert (entry.note, entry.user_id) == ("Biên bản họp.pdf", users["lead"].id)
    edited = db.session.get(Comment, comment.id)
    assert edited.edited_at is not None and edited.revisions == []
    assert client.get(f"/files/{stored.id}").status_code == 404
    html = page_text(client.get(f"/tasks/{task.id}"))
    assert f'href="/files/{new.id}"' in html and f'href="/files/{stored.id}"' not in html


def test_a_correction_of_text_and_files_together(client, db, posted, files_dir):
    _task, _users, comment, stored = posted
    response = edit(client, comment, "Gửi kèm biên bản và danh sách.",
                    files=[("danh-sach.xlsx", samples.xlsx())])
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Comment, comment.id)
    assert edited.body == "Gửi kèm biên bản và danh sách."
    assert [r.body for r in edited.revisions] == ["Gửi kèm biên bản họp."]
    assert [row.original_name for row in comment_files(db)] == [
        "Biên bản họp.pdf", "danh-sach.xlsx"]


def test_a_refused_file_in_a_correction_changes_nothing(client, db, posted,
                                                        files_dir):
    _task, _users, comment, stored = posted
    response = edit(client, comment, "Sửa chữ", files=[("x.pdf", samples.exe())],
                    remove=[stored.id])
    assert response.status_code == 400
    assert "is a program" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Gửi kèm biên bản họp."
    assert not db.session.get(StoredFile, stored.id).is_removed
    assert stored_on_disk(files_dir) == [stored.sha256]


@pytest.mark.parametrize("remove", ["999999", "abc", "-1", "1" * 30])
def test_removing_a_file_not_on_the_comment_is_refused(client, db, posted, remove):
    _task, _users, comment, stored = posted
    response = client.post(f"/comments/{comment.id}/edit", data=dict(
        body="Sửa", remove_files=[remove]))
    assert response.status_code == 400
    db.session.expire_all()
    assert not db.session.get(StoredFile, stored.id).is_removed
    assert db.session.get(Comment, comment.id).body == "Gửi kèm biên bản họp."


def test_nothing_changed_is_said_so(client, db, posted):
    _task, _users, comment, _stored = posted
    client.get("/?lang=en")
    response = edit(client, comment, comment.body)
    assert response.status_code == 302
    assert "Nothing was changed." in page_text(client.get(response.headers["Location"]))


def test_after_fifteen_minutes_the_files_stand(client, db, posted, files_dir):
    task, users, comment, stored = posted
    comment.created_at = utcnow() - dt.timedelta(minutes=15, seconds=5)
    db.session.commit()
    response = edit(client, comment, comment.body, files=[("a.png", samples.png())],
                    remove=[stored.id])
    assert response.status_code == 403
    assert "15 minutes" in page_text(response)
    assert [row.id for row in comment_files(db)] == [stored.id]
    assert not db.session.get(StoredFile, stored.id).is_removed
    with pytest.raises(comment_services.CommentRefused):
        comment_services.change_files(comment, users["lead"], removed=[stored])


def test_only_the_author_changes_a_comments_files(client, db, posted, files_dir):
    _task, users, comment, stored = posted
    sign_in(client, users["leader"])
    assert edit(client, comment, comment.body, remove=[stored.id]).status_code == 403
    # Nor through the files' own removal, by anyone: a comment's files go with it.
    for who in ("leader", "lead"):
        sign_in(client, users[who])
        response = client.post(f"/files/{stored.id}/remove")
        assert response.status_code == 403
        assert "correcting the comment" in page_text(response)
    db.session.expire_all()
    assert not db.session.get(StoredFile, stored.id).is_removed
    assert not policy.can_remove_file(users["lead"], stored)


# ---- a closed quarter ---------------------------------------------------------

def test_a_closed_quarters_comment_files_are_read_only(client, db, posted,
                                                       files_dir):
    from tracker.quarters.rollover import close_quarter

    task, users, comment, stored = posted
    close_quarter(db.session.get(Quarter, task.quarter_id), {}, users["leader"])
    db.session.commit()
    before = counts(db)
    response = edit(client, comment, comment.body, files=[("a.png", samples.png())],
                    remove=[stored.id])
    assert response.status_code == 403 and "closed" in page_text(response)
    response = post(client, db.session.get(Task, task.id), "Sau khi khóa",
                    [("b.pdf", samples.pdf("b"))])
    assert response.status_code == 403
    sign_in(client, users["leader"])
    assert client.post(f"/files/{stored.id}/remove").status_code == 403
    assert counts(db) == before
    assert stored_on_disk(files_dir) == [stored.sha256]
    assert client.get(f"/files/{stored.id}").status_code == 200
    # Below the views, the guard refuses any path that tries.
    with pytest.raises(ClosedQuarterError):
        comment_services.change_files(db.session.get(Comment, comment.id),
                                      users["lead"],
                                      removed=[db.session.get(StoredFile, stored.id)])
    db.session.rollback()

