"""Every page a person reads fits a 390-px phone: nothing scrolls sideways.

/me (staff and leader), the quarter list, a board, a task, two summaries (open and
closed), the units list, a unit's page, a rollover, the search (with the message about
a value not understood) and the audit log; screenshots are
kept under artifacts/browser for CI.
"""
import pytest
from sqlalchemy import select

from tests.browser.helpers import shot, sign_in
from tracker.extensions import db
from tracker.models import Task, Unit

WIDTH = 390


def _ids(app):
    with app.app_context():
        task = db.session.scalar(select(Task.id).where(
            Task.title.contains("Đại hội đại biểu Hội Nông dân huyện")))
        unit = db.session.scalar(
            select(Unit.id).where(Unit.short_name == "ĐU Tịnh Trà"))
        db.session.remove()
    return task, unit


def _scroll_width(page):
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("username, pages", [
    ("canbo_xa", ("/me",)),
    ("lanhdao", ("/me", "/quarters/", "/quarters/2023-Q2/", "/tasks/{task}",
                 "/quarters/2023-Q2/summary", "/quarters/2023-Q1/summary", "/units/",
                 "/units/{unit}?quarter=2023-Q2", "/quarters/2023-Q1/rollover",
                 "/search", "/search?q=dan+van&from=2023-Q1&unit=²")),
    ("quantri", ("/admin/audit",)),
])
def test_pages_fit_a_390_px_screen(open_page, live_server, username, pages):
    task, unit = _ids(live_server.app)
    page = open_page("phone")
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, username)
    for address in pages:
        page.goto(address.format(task=task, unit=unit))
        width = _scroll_width(page)
        shot(page, f"7-phone-{username}-{address.strip('/').replace('/', '-')[:40]}")
        assert width <= WIDTH, (address, width)


def _folds(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('details.fold'),"
        " d => [d.parentElement.id, d.open])"
    )


def test_the_summary_on_a_phone_shows_its_figures_first(open_page, live_server):
    """Lists fold on a phone (open on a wide screen); unfolded, they still fit."""
    page = open_page("phone")
    sign_in(page, "lanhdao")
    page.goto("/quarters/2023-Q2/summary")
    folds = _folds(page)
    assert {name for name, _ in folds} >= {"by-kind", "units", "attention"}, folds
    assert not any(is_open for _, is_open in folds), folds
    assert page.locator("#rate").is_visible()
    assert not page.locator("#units table").is_visible()
    page.locator("#units summary").click()
    assert page.locator("#units table").is_visible()
    page.evaluate("() => document.querySelectorAll('details.fold')"
                  ".forEach(d => { d.open = true; })")
    shot(page, "7-phone-summary-unfolded")
    assert _scroll_width(page) <= WIDTH
    # A link to a section opens that one.
    page.goto("/quarters/2023-Q2/summary#attention")
    assert dict(_folds(page))["attention"] is True

    wide = open_page("desktop")
    sign_in(wide, "lanhdao")
    wide.goto("/quarters/2023-Q2/summary")
    assert all(is_open for _, is_open in _folds(wide))


def test_a_saved_search_and_the_header_menu_fit_a_phone(open_page, live_server):
    """A long name saved on a phone shows in the header's menu, wrapped to fit."""
    page = open_page("phone")
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, "lanhdao")
    page.goto("/search?q=dan+van&status=in_progress")
    assert page.locator(".search-result").count() > 0
    name = "Các việc dân vận đang làm của các xã và thị trấn trong huyện " \
           "SơnTịnhQuảngNgãiNămHaiNghìnHaiBa"[:80]
    page.fill("#save-name", name)
    page.click("#save-search-form button[type=submit]")
    page.wait_for_url("**/search?q=dan+van&status=in_progress")
    assert _scroll_width(page) <= WIDTH
    page.goto("/quarters/")
    page.click(".navbar-toggler")
    page.click("#nav-search")
    saved = page.locator(".nav-saved-search", has_text=name[:20])
    saved.wait_for()
    shot(page, "7-phone-search-menu")
    assert _scroll_width(page) <= WIDTH
    box = saved.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    saved.click()
    page.wait_for_url("**/search?q=dan+van&status=in_progress")


def test_planning_the_next_quarter_fits_a_phone(open_page, live_server):
    """The choice of tasks and the plan's preview fit a 390-px screen."""
    page = open_page("phone")
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, "lanhdao")
    page.goto("/quarters/2023-Q1/")
    page.locator("#plan-next-link").click()
    page.wait_for_selector("#plan-next-tasks")
    shot(page, "7-phone-plan-next-choice")
    assert _scroll_width(page) <= WIDTH
    page.locator("#check-plan-next").click()
    page.wait_for_selector("#confirm-plan-next")
    shot(page, "7-phone-plan-next-preview")
    assert _scroll_width(page) <= WIDTH
