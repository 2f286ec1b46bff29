"""Journey: join a task's discussion on a phone, with Markdown and a mention."""
import re

from sqlalchemy import select

from tests.browser.helpers import assert_no_horizontal_scroll, shot, sign_in, vi
from tracker.extensions import db
from tracker.models import Task

DIALOGUE = "Tham mưu thực hiện kế hoạch tiếp xúc, đối thoại giữa Bí thư Huyện ủy"


def test_staff_discuss_a_task_on_a_phone(open_page, live_server):
    """Open the dialogue task, read its thread, post a comment that mentions someone."""
    with live_server.app.app_context():
        task_id = db.session.scalar(
            select(Task.id).where(Task.title.startswith(DIALOGUE)))
    page = open_page("phone")
    sign_in(page, "canbo_hnd")
    page.goto(f"/tasks/{task_id}")
    thread = page.locator(".history-comment")
    assert thread.count() == 3
    assert_no_horizontal_scroll(page)
    page.get_by_label(vi("Comment")).fill(
        "Đã gửi **bản tổng hợp** cho @canbo_bdv.\n\n| Xã | Ý kiến |\n|---|---|\n"
        "| Tịnh Hiệp | 12 |\n\n<script>document.title='x'</script>")
    page.get_by_role("button", name=vi("Post the comment")).click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    newest = page.locator(".history-comment").first
    assert newest.locator(".comment-body strong").inner_text() == "bản tổng hợp"
    assert newest.locator(".comment-body table td").first.inner_text() == "Tịnh Hiệp"
    assert newest.locator("a.mention").inner_text() == "@canbo_bdv"
    assert "<script>" in newest.inner_text()  # shown as text, never run
    assert page.title() != "x"
    assert_no_horizontal_scroll(page)
    shot(page, "task-discussion")
