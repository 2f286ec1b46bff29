"""Journey 4: switching the interface to English and back, on every journey page."""
import re

from tests.browser.helpers import (
    CONGRESS,
    data_strings,
    english_leftovers,
    open_menu,
    shot,
    sign_in,
    vi,
    vietnamese_leftovers,
)

# Labels each page must show, written in English; the Vietnamese comes from the catalog.
LABELS = {
    "board": ["Tasks", "Summary", "Rollover", "Filter", "All units", "All kinds",
              "All statuses", "Add a task", "Lead", "Due", "Congress",
              "Overdue, not completed", "Quarters", "Units", "Sign out"],
    "task": ["Lead unit", "Coordinating units", "Due date", "Source document",
             "Organisation", "Delegates", "Report progress", "Status", "Progress (%)",
             "Completed on", "Note", "Save the report", "History", "Edit"],
    "summary": ["Completion rate (done ÷ (done + overdue))", "Timeliness",
                "Compared with earlier quarters", "By kind of work",
                "Per-unit scorecard", "Needs attention", "Completed on time"],
    "report": ["Report and exports", "Downloads", "Briefing report (.docx)",
               "Workbook (.xlsx)", "Task list (.csv)", "Print view for the meeting",
               "Issuing body", "Settings of this quarter's report", "Number and symbol",
               "Date of the report", "Signer", "Signs as", "Recipients (one per line)"],
    "print": ["Briefing meeting", "Print", "Back", "Unit", "Done", "In progress",
              "Not started", "Proposals"],
}
# Words of the Vietnamese document itself, which English labels quote on purpose
# ("the summary line under “BÁO CÁO”", a signer "K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN").
DOCUMENT_WORDS = ["K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN", "TRƯỞNG BAN", "“BÁO CÁO”", "“Số”",
                  "“DỰ THẢO”"]


def _check(page, name, lang, data):
    """Assert the page is entirely in one language, apart from stored data."""
    assert page.locator("html").get_attribute("lang") == lang
    text = page.locator("body").inner_text()
    for label in LABELS[name]:
        expected = label if lang == "en" else vi(label)
        assert expected in text, (name, lang, expected)
    if lang == "en":
        assert vietnamese_leftovers(page, data + DOCUMENT_WORDS) == [], name
    else:
        assert english_leftovers(page, data) == [], name
    shot(page, f"4-language-{name}-{lang}")


def test_interface_switches_to_english_and_back(open_page, live_server):
    """Use the navbar link to switch language; every label follows it."""
    data = data_strings(live_server.app)
    page = open_page("desktop")
    sign_in(page, "lanhdao")
    page.goto("/quarters/2023-Q2/")
    _check(page, "board", "vi", data)

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    _check(page, "board", "en", data)
    page.get_by_role("link", name=CONGRESS).click()
    _check(page, "task", "en", data)
    page.get_by_role("link", name="Quarter II/2023").click()
    page.get_by_role("link", name="Summary").click()
    _check(page, "summary", "en", data)
    page.get_by_role("link", name="Report and exports").click()
    _check(page, "report", "en", data)
    page.get_by_role("link", name="Print view for the meeting").click()
    _check(page, "print", "en", data)
    page.get_by_role("link", name="Back").click()

    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_url(re.compile(r"lang=vi"))
    _check(page, "report", "vi", data)
    page.get_by_role("link", name=vi("Print view for the meeting")).click()
    _check(page, "print", "vi", data)
    page.get_by_role("link", name=vi("Back")).click()
    page.get_by_role("link", name=vi("Summary"), exact=True).click()
    _check(page, "summary", "vi", data)
    page.get_by_role("link", name=vi("Tasks"), exact=True).click()
    _check(page, "board", "vi", data)
    page.get_by_role("link", name=CONGRESS).click()
    _check(page, "task", "vi", data)


def test_switching_language_on_a_refused_form_returns_to_its_page(open_page,
                                                                 live_server):
    """A refused form is shown at a POST-only URL; switching language still works."""
    page = open_page("phone")
    sign_in(page, "canbo_hnd")
    page.goto("/quarters/2023-Q2/?q=dai+hoi+nong+dan")
    page.get_by_role("link", name=CONGRESS).click()
    task_url = page.url
    page.locator("#report").get_by_label(vi("Progress (%)")).fill("150")
    page.locator("#report").get_by_role("button", name=vi("Save the report")).click()
    page.locator("#progress-err").wait_for()

    open_menu(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.url.split("?")[0] == task_url
    assert page.get_by_role("heading", level=1).inner_text() == CONGRESS
    assert page.get_by_role("heading", name="Report progress").is_visible()
    shot(page, "4-language-after-refused-form-en")
