"""Journey 1: a commune staff member reports progress from a phone."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import (
    CONGRESS,
    assert_no_horizontal_scroll,
    shot,
    sign_in,
    vi,
)
from tracker.extensions import db
from tracker.models import Task


def test_staff_finds_the_congress_without_accents_and_reports_progress(open_page,
                                                                     live_server):
    """Sign in on a phone, search without diacritics, report, read it in the history."""
    page = open_page("phone")
    sign_in(page, "canbo_hnd")
    page.wait_for_url(re.compile(r"/me$"))  # staff land on their own work
    assert_no_horizontal_scroll(page)
    shot(page, "1-staff-my-work")

    page.goto("/quarters/")
    page.get_by_role("link", name="Quý II/2023").first.click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q2/$"))
    search = page.get_by_role("searchbox", name=vi("Search"))
    search.fill("dai hoi nong dan")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=dai\+hoi\+nong\+dan"))
    titles = page.locator(".task-title")
    assert titles.all_inner_texts() == [CONGRESS]
    assert_no_horizontal_scroll(page)
    shot(page, "1-staff-board-search")

    titles.first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == CONGRESS
    assert_no_horizontal_scroll(page)
    shot(page, "1-staff-task")

    note = "Đã tổ chức đại hội cấp cơ sở ở 11/11 xã; chuẩn bị đại hội huyện."
    report = page.locator("#report")
    report.get_by_label(vi("Progress (%)")).fill("80")
    report.get_by_label(vi("Note")).fill(note)
    report.get_by_role("button", name=vi("Save the report")).click()
    page.wait_for_url(re.compile(r"/tasks/\d+#history$"))

    page.get_by_role("alert").filter(
        has_text=vi("The progress report has been saved.")
    ).wait_for()
    latest = page.locator("#history li").first  # newest first
    expect(latest).to_be_in_viewport()
    assert note in latest.inner_text()
    assert "45% → 80%" in latest.inner_text()
    assert "Lê Văn Hòa" in latest.inner_text()
    assert_no_horizontal_scroll(page)
    shot(page, "1-staff-reported")

    with live_server.app.app_context():
        task = db.session.scalar(select(Task).where(Task.title == CONGRESS))
        assert task.progress == 80
        assert task.updates[0].note == note
        assert task.updates[0].user.username == "canbo_hnd"
        db.session.remove()
