"""The words people read: numbers in their language's way, no broken phrases."""
import datetime as dt
import re

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings as hypothesis_settings, strategies as st
from flask_babel import force_locale

from tests.helpers import text_of, visible_text
from tracker.i18n import fmt_number, fmt_percent, fmt_points, fmt_signed
from tracker.models import Quarter
from tracker.reports import phrases


@pytest.mark.parametrize("lang, value, expected", [
    ("vi", 1_000_000, "1.000.000"), ("en", 1_000_000, "1,000,000"),
    ("vi", 12.5, "12,5"), ("en", 12.5, "12.5"),
    ("vi", 999, "999"), ("vi", 2023, "2.023"), ("vi", None, ""),
])
def test_numbers_in_the_languages_way(app, lang, value, expected):
    with app.test_request_context(), force_locale(lang):
        assert fmt_number(value) == expected


@pytest.mark.parametrize("lang, ratio, expected", [
    ("vi", 0.125, "12,5%"), ("en", 0.125, "12.5%"), ("vi", 0.986, "98,6%"),
    ("vi", 1.0, "100%"), ("vi", 0.0, "0%"), ("vi", None, "—"),
])
def test_percentages(app, lang, ratio, expected):
    with app.test_request_context(), force_locale(lang):
        assert fmt_percent(ratio) == expected


@pytest.mark.parametrize("lang, difference, expected", [
    ("vi", 0.052, "+5,2 điểm phần trăm"), ("vi", -0.875, "-87,5 điểm phần trăm"),
    ("vi", 0.0, "0 điểm phần trăm"), ("en", 0.052, "+5.2 percentage points"),
    ("en", -0.01, "-1 percentage point"),
])
def test_a_difference_of_rates_is_in_percentage_points(app, lang, difference, expected):
    with app.test_request_context(), force_locale(lang):
        assert fmt_points(difference) == expected


@pytest.mark.parametrize("value, expected", [(8, "+8"), (-2, "-2"), (0, "0"),
                                             (1500, "+1.500")])
def test_changes_of_counts_are_signed(app, value, expected):
    with app.test_request_context(), force_locale("vi"):
        assert fmt_signed(value) == expected


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_writes_vietnamese_numbers_whatever_the_interface(app, lang):
    with app.test_request_context(), force_locale(lang):
        assert phrases.number(16274) == "16.274"
        assert phrases.percent(16051 / 16274) == "98,6%"


@pytest.fixture
def two_quarters(make_quarter, make_task, make_unit, db):
    """Q1 all done on time (100%); Q2 with 1 of 8 done, 7 overdue (12,5%)."""
    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    q1, q2 = make_quarter(2023, 1), make_quarter(2023, 2)
    make_task(quarter=q1, lead=unit, title="Xong", status="done", progress=100,
              completed_on=dt.date(2023, 3, 1))
    make_task(quarter=q2, lead=unit, title="Xong sớm", status="done", progress=100,
              completed_on=dt.date(2023, 4, 10), due_on=dt.date(2023, 4, 20))
    for n in range(7):
        make_task(quarter=q2, lead=unit, title=f"Trễ {n}", due_on=dt.date(2023, 4, 30))
    return q1, q2


@pytest.mark.parametrize("lang, rate, change", [
    ("vi", "12,5%", "Tăng, giảm so với quý trước +7 0 +7 -87,5 điểm phần trăm"),
    ("en", "12.5%",
     "Change from the previous quarter +7 0 +7 -87.5 percentage points"),
])
def test_summary_compares_quarters_on_rows_of_their_own(client, login_as, two_quarters,
                                                        lang, rate, change):
    login_as("leader")
    client.get(f"/quarters/?lang={lang}")
    text = visible_text(client.get("/quarters/2023-Q2/summary"))
    assert rate in text
    previous = "Quý trước: Quý I/2023 1 1 0 100%" if lang == "vi" else \
        "Previous quarter: Quarter I/2023 1 1 0 100%"
    assert previous in text
    assert change in text


def _close_q1_into_q2(db):
    from tracker.quarters.rollover import close_quarter

    q1 = db.session.scalar(db.select(Quarter).where(Quarter.number == 1))
    close_quarter(q1, {}, None)
    db.session.commit()


PAGES = [
    "/quarters/", "/quarters/2023-Q1/", "/quarters/2023-Q2/",
    "/quarters/2023-Q1/summary", "/quarters/2023-Q2/summary",
    "/quarters/2023-Q1/rollover", "/quarters/2023-Q2/close",
    "/quarters/2023-Q2/report", "/quarters/2023-Q1/print", "/quarters/2023-Q2/print",
    "/units/", "/tasks/{carried_from}", "/tasks/{shared}", "/tasks/{democracy}",
    "/tasks/{carried}", "/tasks/{congress}/edit", "/admin/audit", "/admin/users/",
    "/admin/units/",
]


def _task_ids(db):
    """Return the ids of the demo's tasks the pages above show, by what they are."""
    from tracker.models import Task

    def first(*conditions):
        return db.session.scalar(db.select(Task.id).where(*conditions)
                                 .order_by(Task.id).limit(1))

    return {
        "carried": first(Task.carried_from_id.is_not(None)),
        "carried_from": first(Task.id.in_(db.select(Task.carried_from_id))),
        "shared": first(Task.title.startswith("Bí thư Đảng ủy 11 xã")),
        "democracy": first(Task.title.contains("Quy chế dân chủ")),
        "congress": first(Task.title.startswith("Đại hội Công đoàn")),
    }
BROKEN = [
    r"\bQuý Quý\b", r"\bQuarter Quarter\b", r"\b1 times\b", r"\b1 time\b",
    r"\bcarried 1\b", r"\b1 tasks\b", r"\b1 units\b", r"\b1 entries\b",
    r"\bdue No deadline\b", r"\bhạn Không thời hạn\b", r"\b\d{4}-Q\d\b",
    r"\b0/0\b", r"\bchuyển 1 lần\b",
]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_read_without_doubled_or_broken_phrases(client, login_as, demo, db, lang):
    _close_q1_into_q2(db)
    login_as("admin")
    client.get(f"/quarters/?lang={lang}")
    ids = _task_ids(db)
    for path in PAGES:
        path = path.format(**ids)
        response = client.get(path)
        assert response.status_code == 200, path
        # A picker's options are choices, not a sentence: "Quý [Quý II/2023 ▾]".
        text = text_of(re.sub(r"(?s)<select\b.*?</select>", " ",
                              response.get_data(as_text=True)))
        for pattern in BROKEN:
            found = re.search(pattern, text)
            assert found is None, (path, pattern, text[max(0, found.start() - 80):
                                                       found.end() + 80])


@pytest.mark.parametrize("lang, once, twice", [
    ("en", "carried over once", "carried over 2 times"),
    ("vi", "đã chuyển tiếp 1 lần", "đã chuyển tiếp 2 lần"),
])
def test_carried_counts_read_well(client, login_as, make_quarter, make_task, make_unit,
                                  db, lang, once, twice):
    from tracker.quarters.rollover import close_quarter

    unit = make_unit("Ban Dân vận Huyện ủy", "BDV")
    q1 = make_quarter(2023, 1)
    make_task(quarter=q1, lead=unit, title="Việc kéo dài")
    close_quarter(q1, {}, None)
    q2 = db.session.scalar(db.select(Quarter).where(Quarter.number == 2))
    q2.state = "active"
    db.session.commit()
    close_quarter(q2, {}, None)
    db.session.commit()
    login_as("viewer")
    client.get(f"/quarters/?lang={lang}")
    assert once in visible_text(client.get("/quarters/2023-Q1/rollover"))
    assert twice in visible_text(client.get("/quarters/2023-Q2/rollover"))


@given(value=st.one_of(
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.decimals(min_value=-10**6, max_value=10**6, places=2).map(float),
))
@hypothesis_settings(max_examples=300, deadline=None)
def test_numbers_are_written_as_babel_writes_them(value):
    # fmt_number writes numbers itself (the summary writes thousands); it must agree
    # with Babel's "#,##0.#" in both languages, except that what rounds to zero is
    # "0", never Babel's "-0".
    for lang in ("vi", "en"):
        expected = format_decimal(value, format="#,##0.#", locale=lang)
        assert fmt_number(value, lang) == ("0" if expected == "-0" else expected)
