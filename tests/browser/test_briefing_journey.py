"""Journey 3: Ban Dân vận staff prepare the quarter's briefing report."""
import re

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tests.browser.helpers import (
    ARTIFACTS,
    assert_no_horizontal_scroll,
    open_menu,
    shot,
    sign_in,
    vi,
)
from tracker.extensions import db
from tracker.models import AuditEvent, Quarter, QuarterReport
from tracker.reports.services import print_view

NUMBER = "16-BC/BDVHU"
SIGNER = "Phạm Thị Thu Hà"
DEPUTY = "Deputy signing for the head (K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN)"
SHEETS = ["Tổng hợp", "Nhiệm vụ", "Theo đơn vị", "Phần việc của các đơn vị",
          "Ý kiến, kiến nghị"]
Q1 = (Quarter.year == 2023, Quarter.number == 1)


def _docx_lines(path):
    """Return the non-blank paragraphs of a Word file, those of its tables included."""
    document = Document(path)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return [line for line in lines if line.strip()]


def _percent(ratio):
    """Write a ratio as the Vietnamese pages do: 0.6667 -> "66,7%"."""
    text = f"{round(ratio * 100, 1):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _download(page, link_name, suffix):
    """Click a download link; keep the file under artifacts/browser and return it."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"bao-cao-2023-Q1.{suffix}"
    path = ARTIFACTS / f"3-briefing-{download.suggested_filename}"
    download.save_as(path)
    return path


def _print_expected(app):
    """Return [(unit, done, in progress, not started counts)] as the app sees Q1."""
    with app.app_context():
        q1 = db.session.scalar(select(Quarter).where(*Q1))
        view = print_view(q1)  # at the downloads' cut-off: the report's date
        rows = [
            (row["unit"].name, len(row["done"]), len(row["in_progress"]),
             len(row["not_started"]))
            for row in view["rows"]
        ]
        db.session.remove()
    return rows


def test_staff_sets_number_and_signer_then_downloads_and_prints(open_page, live_server):
    """Save the report's settings, download both files and read them, open the sheet."""
    page = open_page("desktop")
    sign_in(page, "canbo_bdv")
    page.goto("/quarters/2023-Q1/")

    page.get_by_role("link", name=vi("Summary"), exact=True).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/summary$"))
    # The downloads are judged at the report's date (31/03/2023, as the demo saved
    # it): the summary is asked for the figures as of that day, to compare.
    page.locator("#as_of").fill("2023-03-31")
    page.get_by_role("button", name=vi("Recompute")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/summary\?as_of=2023-03-31$"))
    assert vi("Figures as of %(date)s") % {"date": "31/03/2023"} in page.locator(
        "#figures-as-of").inner_text()
    shown = {name: page.locator(f"#{name}").inner_text()
             for name in ("rate", "total", "done", "overdue")}

    page.get_by_role("link", name=vi("Report and exports")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/report$"))
    form = page.locator("#report-settings form")
    number = form.get_by_label(vi("Number and symbol"))
    signer = form.get_by_label(vi("Signer"), exact=True)
    signs_as = form.get_by_label(vi("Signs as"))
    assert number.input_value() == "15-BC/BDVHU"  # as the demo saved it
    shot(page, "3-briefing-settings")

    number.fill(NUMBER)
    signer.fill(SIGNER)
    signs_as.select_option(label=vi(DEPUTY))
    form.get_by_role("button", name=vi("Save"), exact=True).click()
    page.get_by_role("alert").filter(
        has_text=vi("The report settings have been saved.")
    ).wait_for()
    assert page.url.endswith("/quarters/2023-Q1/report")
    assert number.input_value() == NUMBER
    assert signer.input_value() == SIGNER
    assert signs_as.input_value() == "deputy"
    summary_line = form.get_by_label(vi("Summary line under “BÁO CÁO”")).input_value()
    assert summary_line
    shot(page, "3-briefing-settings-saved")

    with live_server.app.app_context():
        saved = db.session.scalar(select(QuarterReport).join(Quarter).where(*Q1))
        assert (saved.number, saved.signer_name, saved.signer_title) == (
            NUMBER, SIGNER, "deputy")
        assert saved.updated_by.username == "canbo_bdv"
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "report")
            .order_by(AuditEvent.id.desc())
        )
        assert {"number", "signer_name", "signer_title"} <= set(event.changes["fields"])
        assert event.user.username == "canbo_bdv"
        db.session.remove()

    lines = _docx_lines(_download(page, vi("Briefing report (.docx)"), "docx"))
    assert "BÁO CÁO" in lines
    assert summary_line in lines
    assert f"Số {NUMBER}" in lines
    signature = lines[lines.index("K/T TRƯỞNG BAN"):]
    assert signature[:3] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", SIGNER]

    book = load_workbook(_download(page, vi("Workbook (.xlsx)"), "xlsx"))
    assert book.sheetnames == SHEETS
    assert book.properties.title == "Quý I/2023"
    figures = {code: value for _, value, code in
               book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert figures["quarter"] == "Quý I/2023"
    assert [str(figures[name]) for name in ("total", "done", "overdue")] == [
        shown["total"], shown["done"], shown["overdue"]]
    assert _percent(figures["rate"]) == shown["rate"]
    assert book["Nhiệm vụ"].max_row - 1 == figures["total"]

    page.get_by_role("link", name=vi("Print view for the meeting")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/print$"))
    table = page.locator("table.print-table")
    assert table.locator("thead th").all_inner_texts() == [
        vi(label) for label in ("Unit", "Done", "In progress", "Not started")]
    expected = _print_expected(live_server.app)
    assert len(expected) > 1
    rows = table.locator("tr.unit-row")
    assert rows.count() == len(expected)
    for index, (unit, done, in_progress, not_started) in enumerate(expected):
        row = rows.nth(index)
        assert row.locator("th").inner_text() == unit
        assert [row.locator(f"td.print-{name} li").count()
                for name in ("done", "in_progress", "not_started")] == [
            done, in_progress, not_started]
    # The proposals the report prints (section V), under the table.
    proposals = page.locator("#proposals")
    assert proposals.get_by_role("heading", name=vi("Proposals")).is_visible()
    shot(page, "3-briefing-print")
    page.emulate_media(media="print")
    assert page.get_by_role("button", name=vi("Print")).is_hidden()
    assert table.is_visible()
    page.emulate_media(media="screen")
    page.get_by_role("link", name=vi("Back")).click()
    page.wait_for_url(re.compile(r"/quarters/2023-Q1/report$"))


def test_report_pages_fit_a_phone_in_both_languages(open_page):
    """The settings page and the meeting's sheet scroll only down, in both languages."""
    phone = open_page("phone")
    sign_in(phone, "canbo_bdv")
    phone.goto("/quarters/2023-Q1/")
    phone.get_by_role("link", name=vi("Report and exports")).click()
    for lang, label in [("vi", vi), ("en", str)]:
        phone.wait_for_url(re.compile(r"/quarters/2023-Q1/report(\?lang=\w+)?$"))
        assert phone.locator("html").get_attribute("lang") == lang
        assert_no_horizontal_scroll(phone)
        shot(phone, f"3-briefing-settings-{lang}")
        phone.get_by_role("link", name=label("Print view for the meeting")).click()
        phone.wait_for_url(re.compile(r"/quarters/2023-Q1/print$"))
        assert phone.locator("tr.unit-row").count() > 1
        assert_no_horizontal_scroll(phone)
        shot(phone, f"3-briefing-print-{lang}")
        phone.get_by_role("link", name=label("Back")).click()
        if lang == "vi":
            phone.wait_for_url(re.compile(r"/quarters/2023-Q1/report$"))
            open_menu(phone)
            phone.get_by_role("link", name="English").click()
