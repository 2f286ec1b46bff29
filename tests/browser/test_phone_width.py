"""Every page a person reads fits a 390-px phone: nothing scrolls sideways.

/me (staff and leader), the quarter list, a board, a task, two summaries (open and
closed), the units list, a unit's page, a rollover and the audit log; screenshots are
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
                 "/units/{unit}?quarter=2023-Q2", "/quarters/2023-Q1/rollover")),
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
