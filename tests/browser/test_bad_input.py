"""Journey 5: a wrong progress report is refused beside its field, keeping the input."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.helpers import CONGRESS, shot, sign_in, vi
from tracker.extensions import db
from tracker.models import Task, TaskUpdate


def _congress(app):
    """Return the congress task's id, progress and number of history rows."""
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.title == CONGRESS))
        count = db.session.scalar(
            select(func.count(TaskUpdate.id)).where(TaskUpdate.task_id == task.id)
        )
        result = task.id, task.progress, count
        db.session.remove()
    return result


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_invalid_progress_is_shown_next_to_the_field_and_keeps_the_input(
    open_page, live_server, device
):
    """Submit 150%: the message sits under the field, the note stays, nothing saved."""
    task_id, progress, history = _congress(live_server.app)
    page = open_page(device)
    sign_in(page, "canbo_hnd")
    page.goto(f"/tasks/{task_id}")
    report = page.locator("#report")
    note = "Ghi chú dài của cán bộ xã:\nđã họp trù bị, chờ ngày đại hội."
    report.get_by_label(vi("Progress (%)")).fill("150")
    report.get_by_label(vi("Note")).fill(note)
    report.get_by_role("button", name=vi("Save the report")).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/status#report$"))

    field = page.locator("#report #progress")
    error = page.locator("#progress-err")
    assert error.inner_text() == vi("Progress must be between 0 and 100.")
    assert field.get_attribute("aria-describedby") == "progress-err"
    assert "is-invalid" in field.get_attribute("class")
    # The message is the field's next sibling and shows just below it.
    assert page.evaluate(
        "() => document.getElementById('progress').nextElementSibling.id"
    ) == "progress-err"
    gap, shift = page.evaluate(
        """() => {
          const f = document.getElementById('progress').getBoundingClientRect();
          const m = document.getElementById('progress-err').getBoundingClientRect();
          return [m.top - f.bottom, m.left - f.left]; }"""
    )
    assert 0 <= gap < 16 and abs(shift) < 2, (gap, shift)
    # The page opens at the form, so a phone shows the message without scrolling.
    expect(error).to_be_in_viewport()
    # What the person typed is still there.
    assert field.input_value() == "150"
    assert report.get_by_label(vi("Note")).input_value() == note
    assert page.get_by_role("alert").filter(
        has_text=vi("The progress report was not saved; see the messages below.")
    ).is_visible()
    shot(page, "5-bad-input-progress")

    assert _congress(live_server.app) == (task_id, progress, history)
