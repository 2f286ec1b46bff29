"""Journey 6: sign-in and progress forms work by keyboard; every input is labelled."""
import re

from sqlalchemy import select

from tests.browser.helpers import (
    CONGRESS,
    PASSWORD,
    assert_no_horizontal_scroll,
    shot,
    sign_in,
    unlabelled_controls,
)
from tracker.extensions import db
from tracker.models import Task

SHARED = "Thực hiện nghiêm túc Quy chế dân chủ ở cơ sở"

FOCUSED = "() => document.activeElement.id || document.activeElement.tagName"
FOCUS_SHOWN = """() => {
  const s = getComputedStyle(document.activeElement);
  const outline = s.outlineStyle !== 'none' && s.outlineWidth !== '0px';
  return s.boxShadow !== 'none' || outline;
}"""


def _tab_to(page, element_id, limit=40):
    """Press Tab until the element has focus; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == element_id:
            assert page.evaluate(FOCUS_SHOWN), f"#{element_id} shows no focus ring"
            return presses
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def _task_id(app, title):
    """Return the id of the task whose title starts with the text."""
    with app.app_context():
        task_id = db.session.scalar(select(Task.id).where(Task.title.startswith(title)))
        db.session.remove()
    return task_id


def _unit_id(app, short_name):
    """Return the id of the unit with the short name."""
    from tracker.models import Unit

    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))
        db.session.remove()
    return unit_id


def test_sign_in_and_report_progress_with_the_keyboard_alone(open_page, live_server):
    """Tab, type and Enter only: no pointer touches either form."""
    page = open_page("desktop")
    page.goto("/login")
    _tab_to(page, "username")
    page.keyboard.type("canbo_hnd")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "password"
    page.keyboard.type(PASSWORD)
    shot(page, "6-keyboard-sign-in")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/me$"))  # staff land on their own work

    task_id = _task_id(live_server.app, CONGRESS)
    page.goto(f"/tasks/{task_id}")
    # The skip link comes first and takes the keyboard past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    _tab_to(page, "status")
    page.keyboard.press("ArrowDown")  # in progress → done
    assert page.locator("#status").input_value() == "done"
    page.keyboard.press("ArrowUp")  # back to in progress
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "progress"
    page.keyboard.press("Control+A")
    page.keyboard.type("70")
    # Past the date's day, month and year and the "date not recorded" box.
    _tab_to(page, "note", limit=6)
    note = "Báo cáo bằng bàn phím."
    page.keyboard.type(note)
    page.keyboard.press("Tab")  # the evidence files' input, then the button
    assert page.evaluate("() => document.activeElement.type") == "file"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/tasks/{task_id}#history$"))
    assert note in page.locator("#history li").first.inner_text()
    shot(page, "6-keyboard-reported")

    with live_server.app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.status, task.progress) == ("in_progress", 70)
        assert task.updates[0].note == note
        db.session.remove()


def test_every_input_has_a_label_and_every_form_fits_a_phone(open_page, live_server):
    """Each input, select and textarea has a label[for], aria-label or aria-labelledby.

    The labels are the same on any screen; the pages are visited on a phone, where
    they must also fit the width.
    """
    page = open_page("phone")
    page.goto("/login")
    assert_no_horizontal_scroll(page)
    pages = {"sign-in": unlabelled_controls(page)}
    sign_in(page, "lanhdao")
    congress = _task_id(live_server.app, CONGRESS)
    shared = _task_id(live_server.app, SHARED)
    for name, url in [
        ("board", "/quarters/2023-Q2/"),
        ("task", f"/tasks/{congress}"),
        ("shared-task", f"/tasks/{shared}"),
        ("task-form-new", "/tasks/new?quarter=2023-Q2"),
        ("task-form-edit", f"/tasks/{congress}/edit"),
        ("close", "/quarters/2023-Q1/close"),
        ("report-settings", "/quarters/2023-Q1/report"),
        ("import", "/quarters/2023-Q2/import"),
        ("organisation", "/reports/organisation"),
        # Pages with figures have a date to compute them at.
        ("quarters", "/quarters/"),
        ("summary", "/quarters/2023-Q2/summary"),
        ("unit", f"/units/{_unit_id(live_server.app, 'ĐU Tịnh Hà')}?quarter=2023-Q2"),
    ]:
        page.goto(url)
        assert page.locator("input:not([type=hidden]), select, textarea").count() > 0
        pages[name] = unlabelled_controls(page)
        assert_no_horizontal_scroll(page)
        shot(page, f"6-labels-{name}")
    assert pages == dict.fromkeys(pages, [])
