"""Language: Vietnamese by default, English on request, catalogs complete."""
import html
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.helpers import page_text

ROOT = Path(__file__).resolve().parents[1]


def test_language_switch_is_remembered(client, login_as, make_quarter):
    login_as("viewer")
    make_quarter(2023, 2)
    assert "Các quý" in page_text(client.get("/quarters/"))
    text = page_text(client.get("/quarters/?lang=en"))
    assert "Quarters" in text and 'lang="en"' in text
    text = page_text(client.get("/quarters/2023-Q2/"))
    assert "Quarter II/2023" in text and "All units" in text
    assert "Quý II/2023" in page_text(client.get("/quarters/2023-Q2/?lang=vi"))


def test_unknown_language_is_ignored(client, login_as):
    login_as("viewer")
    assert 'lang="vi"' in page_text(client.get("/quarters/?lang=fr"))


def _switch_link(response, lang="en"):
    """Return the address of the navbar's link to the other language."""
    match = re.search(rf'href="([^"]*)" lang="{lang}"', page_text(response))
    return html.unescape(match.group(1))


def test_language_link_keeps_the_board_filters(client, login_as, make_quarter):
    login_as("viewer")
    make_quarter(2023, 2)
    response = client.get("/quarters/2023-Q2/?unit=3&q=%C4%91%E1%BA%A1i+h%E1%BB%99i"
                          "&lang=vi&status=")
    assert _switch_link(response) == (
        "/quarters/2023-Q2/?unit=3&q=%C4%91%E1%BA%A1i+h%E1%BB%99i&status=&lang=en"
    )


def test_language_link_after_a_refused_form_returns_to_the_form_page(
    client, login_as, make_task
):
    login_as("leader")
    task = make_task()
    response = client.post(
        f"/tasks/{task.id}/status", data={"status": "in_progress", "progress": "150"},
        headers={"Referer": f"http://localhost/tasks/{task.id}"},
    )
    assert response.status_code == 400
    link = _switch_link(response)
    assert link == f"/tasks/{task.id}?lang=en"
    page = client.get(link)
    assert page.status_code == 200 and "Report progress" in page_text(page)


def test_language_link_never_follows_a_foreign_referrer(client, login_as, make_task):
    login_as("leader")
    task = make_task()
    response = client.post(
        f"/tasks/{task.id}/status", data={"status": "in_progress", "progress": "150"},
        headers={"Referer": "http://evil.example/tasks/1"},
    )
    assert _switch_link(response) == "/?lang=en"


def test_english_task_page(client, login_as, make_task):
    task = make_task(kind="congress", congress_ordinal=12, term_start=2023, term_end=2028)
    login_as("staff", units=[task.lead_unit])
    text = page_text(client.get(f"/tasks/{task.id}?lang=en"))
    for label in ("Report progress", "History", "Lead unit", "number XII",
                  "term 2023–2028", "Not started"):
        assert label in text


def test_dates_are_day_month_year(client, login_as, make_task):
    login_as("viewer")
    task = make_task()
    assert "30/06/2023" in page_text(client.get(f"/tasks/{task.id}"))


def test_vietnamese_catalog_translates_every_message(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_ngettext:1,2", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with open(ROOT / "translations/vi/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {
        m.id for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple)
                                        else [m.string])
    }
    assert sorted(map(str, wanted - translated)) == []


def test_times_read_as_babel_writes_them_in_local_time(app):
    """fmt_datetime writes its pattern with Python: the same text as Babel's."""
    import datetime as dt

    from flask_babel import force_locale, format_datetime

    from tracker.i18n import fmt_datetime

    values = (dt.datetime(2023, 3, 31, 17, 5), dt.datetime(2023, 12, 31, 16, 59, 59),
              dt.datetime(2024, 2, 29, 0, 0),
              dt.datetime(2023, 6, 1, 23, 30, tzinfo=dt.timezone.utc))
    with app.test_request_context():
        for locale in ("vi", "en"):
            with force_locale(locale):
                for value in values:
                    assert fmt_datetime(value) == format_datetime(
                        value, "dd/MM/yyyy HH:mm"), value
        # Stored in UTC, shown in Vietnam's time (seven hours ahead): a new day.
        assert fmt_datetime(values[0]) == "01/04/2023 00:05"
        assert fmt_datetime(None) == ""
