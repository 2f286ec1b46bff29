"""Journey 2: the leader follows the quarter, closes the previous one, approves it."""
import re

from sqlalchemy import select

from tests.browser.helpers import CONGRESS, shot, sign_in, vi
from tracker.extensions import db
from tracker.models import AuditEvent, Quarter, Task, TaskUnit, Unit

HND = "Hội Nông dân huyện Sơn Tịnh"


def _figures(page):
    """Return the headline figures of a summary page."""
    return {name: page.locator(f"#{name}").inner_text()
            for name in ("rate", "total", "done", "overdue")}


def _tasks_of_unit(app, quarter_key, unit_name):
    """Return the titles of the quarter's tasks the unit leads or takes part in."""
    year, number = quarter_key.split("-Q")
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        quarter = db.session.scalar(
            select(Quarter).where(
                Quarter.year == int(year), Quarter.number == int(number)
            )
        )
        linked = select(TaskUnit.task_id).where(TaskUnit.unit_id == unit.id)
        titles = db.session.scalars(
            select(Task.title).where(
                Task.quarter_id == quarter.id,
                (Task.lead_unit_id == unit.id) | Task.id.in_(linked),
            )
        ).all()
        db.session.remove()
    return sorted(titles)


def _staff_marks_congress_done(open_page, note):
    """Have the farmers' union staff report the congress done, from a phone."""
    phone = open_page("phone")
    sign_in(phone, "canbo_hnd")
    phone.goto("/quarters/2023-Q2/?q=dai+hoi+nong+dan")
    phone.get_by_role("link", name=CONGRESS).click()
    phone.wait_for_load_state("load")  # the script that fills in 100% has run
    report = phone.locator("#report")
    report.get_by_label(vi("Status")).select_option("done")
    assert report.get_by_label(vi("Progress (%)")).input_value() == "100"
    report.get_by_label(vi("Note")).fill(note)
    report.get_by_role("button", name=vi("Save the report")).click()
    # Q2 2023 has ended (the server runs on real dates): the form asks for the date
    # the work was done rather than saying "today", keeping what was entered.
    phone.locator("#completed_on-err").wait_for()
    report = phone.locator("#report")
    assert report.get_by_label(vi("Note")).input_value() == note
    report.get_by_label(vi("Completed on")).fill("2023-06-20")
    report.get_by_role("button", name=vi("Save the report")).click()
    phone.get_by_role("alert").filter(
        has_text=vi("The progress report has been saved.")
    ).wait_for()
    shot(phone, "2-staff-congress-done")


def test_leader_follows_the_quarter_then_closes_and_approves_the_previous_one(
    open_page, live_server
):
    """Filter the board, see a staff report in the summary, close Q1, approve it."""
    page = open_page("desktop")
    sign_in(page, "lanhdao")
    page.wait_for_url(re.compile(r"/quarters/2023-Q2/summary$"))  # the newest quarter
    page.goto("/quarters/")
    page.get_by_role("link", name="Quý II/2023").first.click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q2/$"))
    shot(page, "2-leader-board")

    page.get_by_label(vi("Unit")).select_option(label=HND)
    page.get_by_role("button", name=vi("Filter")).click()
    page.wait_for_url(re.compile(r"unit=\d+"))
    shown = sorted(page.locator(".task-title").all_inner_texts())
    assert shown == _tasks_of_unit(live_server.app, "2023-Q2", HND)
    assert CONGRESS in shown
    assert page.get_by_label(vi("Unit")).locator("option:checked").inner_text() == HND
    shot(page, "2-leader-board-filtered")

    page.get_by_role("link", name=vi("Summary")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q2/summary$"))
    before = _figures(page)
    congresses_before = page.locator("#kind-congress strong").first.inner_text()
    assert CONGRESS in page.locator("#attention").inner_text()
    shot(page, "2-leader-summary-before")

    note = "Đại hội huyện tổ chức thành công với 150 đại biểu."
    _staff_marks_congress_done(open_page, note)

    page.reload()
    after = _figures(page)
    assert int(after["done"]) == int(before["done"]) + 1
    assert int(after["overdue"]) == int(before["overdue"]) - 1
    assert after["total"] == before["total"]
    assert after["rate"] != before["rate"]
    # "h/p" once one is held; the plan alone ("p", none held yet) before that.
    held, _, planned = congresses_before.rpartition("/")
    held = int(held or 0)
    assert page.locator("#kind-congress strong").first.inner_text() == (
        f"{held + 1}/{planned}"
    )
    assert CONGRESS not in page.locator("#attention").inner_text()
    shot(page, "2-leader-summary-after")

    # Close the first quarter, carrying all its unfinished work into the second.
    page.goto("/quarters/2023-Q1/close")
    unfinished = page.locator("table.close-plan tbody tr").count()
    assert unfinished > 0
    shot(page, "2-leader-close")
    page.get_by_role("button", name=vi("Carry all and close")).click()
    # Closing asks first, saying what will happen.
    page.locator("#consequences").wait_for()
    assert str(unfinished) in page.locator("#consequences").inner_text()
    shot(page, "2-leader-close-confirm")
    confirm = vi("Yes, close %(quarter)s") % {"quarter": "Quý I/2023"}
    page.get_by_role("button", name=confirm).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/rollover$"))
    assert page.locator("#count-carried").inner_text() == str(unfinished)
    carried = page.locator("#carried li").count()
    assert carried == unfinished
    shot(page, "2-leader-rollover")

    with live_server.app.app_context():
        q1 = db.session.scalar(select(Quarter).where(Quarter.number == 1))
        assert q1.state == "closed"
        continued = db.session.scalars(
            select(Task).where(Task.carried_from_id.is_not(None))
        ).all()
        assert len(continued) == unfinished
        assert {task.quarter.key for task in continued} == {"2023-Q2"}
        db.session.remove()

    page.get_by_role("link", name=vi("Summary")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/summary$"))
    page.get_by_role("button", name=vi("Approve the summary")).click()
    confirm = vi("Yes, approve %(quarter)s") % {"quarter": "Quý I/2023"}
    page.get_by_role("button", name=confirm).click()
    page.locator("#approved-badge").wait_for()
    assert "Nguyễn Văn Lãnh" in page.locator("#approved-badge").inner_text()
    assert page.get_by_role("button", name=vi("Approve the summary")).count() == 0
    shot(page, "2-leader-approved")

    with live_server.app.app_context():
        q1 = db.session.scalar(select(Quarter).where(Quarter.number == 1))
        assert q1.approved_by.username == "lanhdao"
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "approved"))
        assert event.changes["total"] == 6 and event.changes["as_of"] == "2023-04-01"
        db.session.remove()
