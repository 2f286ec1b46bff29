"""Journey: a petition raised at a dialogue, forwarded, and answered by its body."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import assert_no_horizontal_scroll, shot, sign_in, vi
from tracker.extensions import db
from tracker.models import Task
from tracker.models.petition import Petition

DIALOGUE = "Tham mưu thực hiện kế hoạch tiếp xúc, đối thoại giữa Bí thư Huyện ủy"
CONTENT = "Đề nghị nạo vét kênh tưới thôn Thọ Lộc trước vụ hè thu."
ANSWER = "Hội Nông dân huyện đã kiến nghị UBND xã bố trí kinh phí nạo vét trong tháng."


def test_a_petition_goes_from_raised_to_answered(open_page, live_server):
    """Staff record and forward a petition; the answering body answers it."""
    with live_server.app.app_context():
        task_id = db.session.scalar(
            select(Task.id).where(Task.title.startswith(DIALOGUE)))
    page = open_page("phone")
    sign_in(page, "canbo_bdv")
    page.goto(f"/tasks/{task_id}")
    page.locator("#add-petition").click()
    page.wait_for_url(re.compile(r"/petitions/new\?task=\d+$"))
    form = page.locator("#petition-form")
    form.get_by_label(vi("Commune / village (optional)")).fill("xã Tịnh Hiệp, thôn Thọ Lộc")
    form.get_by_label(vi("Content")).fill(CONTENT)
    form.get_by_label(vi("Field")).select_option("infrastructure")
    form.get_by_label(vi("Body that must answer")).select_option(
        label="Hội Nông dân huyện Sơn Tịnh")
    assert_no_horizontal_scroll(page)
    shot(page, "petition-1-record")
    form.get_by_role("button", name=vi("Save")).click()
    page.wait_for_url(re.compile(r"/petitions/\d+$"))
    petition_url = page.url
    expect(page.locator("#petition-state")).to_have_text(vi("Received"))

    page.locator("#forward-form").get_by_label(
        vi("Note (document number, to whom)")).fill("Phiếu chuyển số 7")
    page.locator("#forward-form").get_by_role("button", name=vi("Forward")).click()
    page.wait_for_url(re.compile(r"/petitions/\d+$"))
    expect(page.locator("#petition-state")).to_have_text(vi("Forwarded"))
    # The dialogue's staff may not answer for the body.
    assert page.locator("#answer-form").count() == 0
    shot(page, "petition-2-forwarded")

    page.context.clear_cookies()
    sign_in(page, "canbo_hnd")
    page.goto("/petitions/?body=mine")
    page.get_by_role("link", name=CONTENT).click()
    page.wait_for_url(petition_url)
    answer = page.locator("#answer-form")
    answer.get_by_label(vi("Answer"), exact=True).fill(ANSWER)
    answer.get_by_role("button", name=vi("Record the answer")).click()
    page.locator(".alert-success").wait_for()
    assert page.url == petition_url
    expect(page.locator("#petition-state")).to_have_text(vi("Answered"))
    assert ANSWER in page.locator("#petition-answer").inner_text()
    history = page.locator("#petition-history li")
    expect(history).to_have_count(3)
    assert "Lê Văn Hòa" in history.first.inner_text()
    assert_no_horizontal_scroll(page)
    shot(page, "petition-3-answered")

    with live_server.app.app_context():
        stored = db.session.scalar(select(Petition).where(Petition.content == CONTENT))
        assert stored.state == "answered" and stored.answer == ANSWER
        assert [u.action for u in stored.updates] == ["answered", "forwarded", "created"]
