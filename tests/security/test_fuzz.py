"""Property-based tests: random and hostile values posted to every form.

Whatever is sent — huge strings, control characters and NUL, HTML and script, SQL
fragments, numbers where text is expected and the reverse, repeated or missing
fields, uploads and JSON where a form is expected, Unicode oddities — the answer is
never a 500, the stored data stays valid, and what the user typed comes back escaped.
"""
import datetime as dt
import io
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.helpers import get_task
from tracker.forms import CONTROL_CHARACTERS
from tracker.models import (
    KINDS, QUARTER_STATES, SHARE_STATUSES, STATUSES, Quarter, Task, TaskUnit,
    TaskUpdate, Unit,
)
from tracker.tasks.forms import TaskForm

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANSWERS = {200, 302, 400, 403, 404, 405, 409, 413}

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\r\n\r\n", "\t",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<b>đậm</b>",
    "javascript:alert(1)", "{{ 7*7 }}", "{% raw %}", "${7*7}", "%(name)s", "%s%s%s",
    "' OR '1'='1", "'; DROP TABLE task; --", '" OR ""="', "1; SELECT pg_sleep(1)",
    "\\", "%", "_", "%%", "NULL", "None", "null", "true", "[]", "{}", "0", "-1",
    "1.5", "1e309", "NaN", "-0", "99999999999999999999999999", "0x1F", "٣", "１２",
    "\u202eabc", "\u200b", "\ufeff", "𝕳𝖊𝖑𝖑𝖔", "👩‍👩‍👧‍👦", "e\u0301", "Ǆ", "ß", "İ",
    "\ud7ff", "\uffff", "\ufffe", "../../etc/passwd", "/\\evil.example",
    "2023-02-30", "31/12/9999", "0000-00-00", "2023-13-01", "1900-01-01",
    "Đại hội đại biểu Hội Nông dân huyện lần thứ XII",
]

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=2000),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["x", "<", "'", "é", "𝕏", "\u202e", "a\x00", " "]),
        st.integers(1, 12_000),
    ),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)
# Numbers where numbers are expected: in range, out of range, beyond 64 bits.
ODD_NUMBERS = [
    "99999999999999999999999999", "9223372036854775808", "-9223372036854775809",
    "2147483648", "1" * 40, "0" * 40 + "1", " 7 ", "+5", "5.0", "1_000", "-0", "-1",
]
number = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers(-10, 1_000_001).map(str),
    st.integers(-(10**30), 10**30).map(str),
)
# A value as posted: usually one string, sometimes several for one field.
value = st.one_of(text, text, number, st.lists(text, min_size=2, max_size=3))


def choice_or(valid, numeric=False):
    """Return valid values half of the time, anything else otherwise.

    A numeric field draws odd numbers (beyond 64 bits, signed, padded) as often as
    valid ones: they are where number handling breaks.
    """
    if numeric:
        odd_or_valid = st.sampled_from(list(valid) + ODD_NUMBERS)
        return st.one_of(odd_or_valid, number, number, value)
    return st.one_of(st.sampled_from(list(valid)), value)


def _drop(pair):
    data, missing = pair
    return {key: item for key, item in data.items() if key not in missing}


def form(fields, extra=True):
    """Return form data with the fields, a few of them left out now and then."""
    fields = dict(fields)
    if extra:
        fields["unexpected_field"] = value
    return st.tuples(
        st.fixed_dictionaries(fields), st.sets(st.sampled_from(sorted(fields)))
    ).map(_drop)


# ----------------------------------------------------------------- invariants

def stored_data_is_valid(db):
    """Check every stored row the forms can reach; return nothing, assert."""
    db.session.rollback()
    db.session.expire_all()
    for task in db.session.scalars(db.select(Task)):
        assert 0 <= task.progress <= 100, task
        assert task.title.strip() and len(task.title) <= 500, task
        assert task.status in STATUSES and task.kind in KINDS, task
        assert len(task.description) <= 10_000 and len(task.result) <= 10_000
        for name in ("title", "description", "result", "source_document",
                     "target_label", "campaign_name", "organisation", "audience",
                     "chair", "commune", "closing_note"):
            assert not CONTROL_CHARACTERS.search(getattr(task, name) or ""), name
        for name in ("target_count", "achieved_count", "delegates", "participants"):
            number = getattr(task, name)
            assert number is None or 0 <= number <= 1_000_000, (name, number)
        if task.status == "done":
            assert task.completed_on is not None and task.progress == 100
    for update in db.session.scalars(db.select(TaskUpdate)):
        assert update.new_progress is None or 0 <= update.new_progress <= 100
        assert len(update.note) <= 5000 and not CONTROL_CHARACTERS.search(update.note)
    for link in db.session.scalars(db.select(TaskUnit)):
        assert link.share_status in SHARE_STATUSES and len(link.share_note) <= 5000
    for quarter in db.session.scalars(db.select(Quarter)):
        assert 1 <= quarter.number <= 4 and 2000 <= quarter.year <= 2100
        assert quarter.state in QUARTER_STATES


TAG = re.compile(r"<[a-z/!]", re.I)


def typed_text_is_escaped(response, data):
    """Assert no submitted markup comes back raw in an HTML answer."""
    if not response.content_type.startswith("text/html"):
        return
    html = response.get_data(as_text=True)
    for posted in data.values():
        for item in posted if isinstance(posted, list) else [posted]:
            if isinstance(item, str) and TAG.search(item) and len(item) < 5000:
                assert item not in html, f"raw markup in the page: {item[:80]!r}"


def post_and_check(client, db, path, data, extra_pages=()):
    """Post, then check the answer, the stored data and the pages that show it."""
    response = client.post(path, data=data)
    assert response.status_code in ANSWERS, (response.status_code, path, data)
    typed_text_is_escaped(response, data)
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("/") and not location.startswith("/login"):
            page = client.get(location)
            assert page.status_code in ANSWERS
            typed_text_is_escaped(page, data)
    for extra in extra_pages:
        page = client.get(extra)
        assert page.status_code in (200, 404), extra
        typed_text_is_escaped(page, data)
    stored_data_is_valid(db)
    return response


@pytest.fixture
def admin(client, login_as, demo):
    """Sign in as an administrator on the demo data (every form is open to them)."""
    return login_as("admin")


@pytest.fixture
def ids(demo):
    """Return the ids of demo tasks, found once (fuzzed edits may rename them)."""
    congress = get_task("Hội Nông dân huyện lần thứ XII")
    shared = get_task("nghiêm túc Quy chế dân chủ")
    return {
        "congress": congress.id,
        "congress_lead": congress.lead_unit_id,
        "training": get_task("Lớp tập huấn nghiệp vụ").id,
        "shared": shared.id,
        "share_units": [str(link.unit_id) for link in shared.participants_links],
    }


# ----------------------------------------------------------------- the routes

@FUZZ
@given(data=form({"username": value, "password": value, "remember": value}),
       next_=st.one_of(st.none(), text))
def test_login(client, demo, db, data, next_):
    path = "/login" if next_ is None else "/login?next=" + next_.replace("\x00", "")
    response = post_and_check(client, db, path, data)
    if response.status_code == 302:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")
        client.post("/logout")


@FUZZ
@given(data=form({"year": choice_or(["2024", "2031", "2099"], numeric=True),
                  "number": choice_or(["1", "2", "3", "4"], numeric=True)}))
def test_quarter_create(client, admin, db, data):
    post_and_check(client, db, "/quarters/new", data, extra_pages=["/quarters/"])


TASK_FIELDS = [name for name in vars(TaskForm) if not name.startswith("_")
               and hasattr(getattr(TaskForm, name), "field_class")]


TEXT_FIELDS = ("title", "description", "result", "source_document", "target_label",
               "campaign_name", "organisation", "audience", "chair", "commune")
UNIT_IDS = [str(i) for i in range(1, 30)]  # the demo's units have small ids


def task_form(text_only=False):
    """Return task forms: anything anywhere, or (text_only) valid numbers with
    hostile text, which gets past validation so that hostile text is stored and shown.
    """
    units = st.one_of(value, st.lists(st.sampled_from(UNIT_IDS), max_size=3))
    anything = {name: value for name in TASK_FIELDS}
    anything.update(
        kind=choice_or(KINDS),
        lead_unit_id=choice_or(UNIT_IDS, numeric=True),
        coordinating=units, participating=units,
        target_count=choice_or(["", "11"], numeric=True),
    )
    hostile_text = st.builds(
        lambda core, texts: {**core, **texts},
        st.fixed_dictionaries({
            "kind": st.sampled_from(list(KINDS)),
            "title": st.one_of(
                text, st.sampled_from(["Nhiệm vụ <b>mới</b>", "Nhiệm vụ"])
            ),
            "lead_unit_id": st.sampled_from(UNIT_IDS[:19]),
            "participating": st.lists(st.sampled_from(UNIT_IDS[:19]), max_size=2),
        }),
        st.dictionaries(st.sampled_from(TEXT_FIELDS[1:]), text, max_size=3),
    )
    return hostile_text if text_only else form(anything)


@FUZZ
@given(data=task_form(),
       key=st.one_of(st.sampled_from(["2023-Q2", "2023-Q1", "2022-Q4"]), text))
def test_task_create(client, admin, db, data, key):
    path = "/tasks/new?quarter=" + key.replace("\x00", "").replace("&", "")
    post_and_check(client, db, path, data, extra_pages=["/quarters/2023-Q2/"])


@FUZZ
@given(data=task_form(text_only=True))
def test_task_create_with_hostile_text(client, admin, db, data):
    post_and_check(client, db, "/tasks/new?quarter=2023-Q2", data,
                   extra_pages=["/quarters/2023-Q2/"])


@FUZZ
@given(data=st.one_of(task_form(), task_form(text_only=True)))
def test_task_edit(client, admin, db, ids, data):
    post_and_check(client, db, f"/tasks/{ids['congress']}/edit", data,
                   extra_pages=[f"/units/{ids['congress_lead']}"])


PAST_DATES = st.dates(max_value=dt.date(2023, 5, 15)).map(lambda d: d.isoformat())


@FUZZ
@given(data=st.one_of(
    form({"status": choice_or(STATUSES), "progress": choice_or(
        ["0", "50", "100", "101", "-1"], numeric=True), "completed_on": value,
        "note": value}),
    form({"status": st.sampled_from(list(STATUSES)),
          "progress": st.integers(0, 100).map(str),
          "completed_on": st.one_of(st.just(""), PAST_DATES), "note": text}),
))
def test_progress(client, admin, db, ids, data):
    post_and_check(client, db, f"/tasks/{ids['training']}/status", data,
                   extra_pages=["/quarters/2023-Q2/"])


@FUZZ
@given(draw=st.data())
def test_share(client, admin, db, ids, draw):
    taking_part = st.sampled_from(ids["share_units"])
    data = draw.draw(st.one_of(
        form({"unit_id": st.one_of(taking_part, choice_or(UNIT_IDS, numeric=True)),
              "share_status": choice_or(SHARE_STATUSES), "share_done_on": value,
              "share_note": value}),
        form({"unit_id": taking_part,
              "share_status": st.sampled_from(list(SHARE_STATUSES)),
              "share_done_on": st.one_of(st.just(""), PAST_DATES), "share_note": text}),
    ))
    post_and_check(client, db, f"/tasks/{ids['shared']}/share", data)


@FUZZ
@given(data=st.dictionaries(
    st.one_of(st.sampled_from(["carry_all", "action-1", "action-2", "action-3",
                               "note-1", "note-2", "note-3", "action-999"]),
              st.text(max_size=10).map(lambda k: k.replace("\x00", "") or "k")),
    st.one_of(st.sampled_from(["carry", "cancelled", "not_needed"]), value),
    max_size=6,
))
def test_close(client, admin, db, data):
    post_and_check(client, db, "/quarters/2023-Q1/close", data,
                   extra_pages=["/quarters/2023-Q1/rollover",
                                "/quarters/2023-Q1/summary"])


@FUZZ
@given(data=form({"anything": value}))
def test_approve(client, admin, db, data):
    post_and_check(client, db, "/quarters/2023-Q1/approve", data)


@FUZZ
@given(data=form({"reason": value}), close_first=st.booleans())
def test_reopen(client, admin, db, data, close_first):
    if close_first:
        client.post("/quarters/2023-Q1/close", data={"carry_all": "1"})
    post_and_check(client, db, "/quarters/2023-Q1/reopen", data,
                   extra_pages=["/quarters/2023-Q1/summary"])


@FUZZ
@given(data=form({"state": choice_or(["planning", "active", "closed"])}),
       key=st.sampled_from(["2023-Q1", "2023-Q2"]))
def test_state_change(client, admin, db, data, key):
    post_and_check(client, db, f"/quarters/{key}/state", data)


@FUZZ
@given(data=form({"current_password": value, "new_password": value, "confirm": value}))
def test_change_password(client, admin, db, data):
    post_and_check(client, db, "/account/password", data)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["q", "unit", "kind", "status", "lang"]),
                             text.map(lambda t: t.replace("\x00", "")), max_size=4))
def test_board_filters(client, admin, db, query):
    response = client.get("/quarters/2023-Q2/", query_string=query)
    assert response.status_code in ANSWERS
    typed_text_is_escaped(response, query)


# ----------------------------------------------------------------- wrong bodies

WRONG_BODIES = [
    ("application/json", b'{"title": {"a": 1}, "progress": [1, 2]}'),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b"42"),
    ("application/json", b"{not json"),
    ("text/plain", b"status=done&progress=100"),
    ("application/x-www-form-urlencoded", b"%%%&&&==="),
    ("application/x-www-form-urlencoded", b"status=done&progress=1%00"),
    ("multipart/form-data; boundary=x", b"--x\r\nbroken"),
    ("application/octet-stream", bytes(range(256))),
]


@pytest.mark.parametrize("content_type, body", WRONG_BODIES)
@pytest.mark.parametrize("target", ["progress", "edit", "create", "share"])
def test_wrong_kinds_of_body(client, admin, db, content_type, body, target):
    task = get_task("nghiêm túc Quy chế dân chủ")
    path = {
        "progress": f"/tasks/{task.id}/status",
        "edit": f"/tasks/{task.id}/edit",
        "create": "/tasks/new?quarter=2023-Q2",
        "share": f"/tasks/{task.id}/share",
    }[target]
    response = client.post(path, data=body, content_type=content_type)
    assert response.status_code in ANSWERS
    stored_data_is_valid(db)


@pytest.mark.parametrize("target", ["progress", "edit", "create", "share", "login"])
def test_uploads_into_text_fields(client, admin, db, target):
    """A file where text is expected is refused, not read, never a 500."""
    task = get_task("nghiêm túc Quy chế dân chủ")
    path = {
        "progress": f"/tasks/{task.id}/status",
        "edit": f"/tasks/{task.id}/edit",
        "create": "/tasks/new?quarter=2023-Q2",
        "share": f"/tasks/{task.id}/share",
        "login": "/login",
    }[target]
    data = {name: (io.BytesIO(b"<script>x</script>"), "a.html")
            for name in ("title", "note", "share_note", "status", "progress",
                         "username", "unit_id", "kind")}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code in ANSWERS
    assert "<script>x</script>" not in response.get_data(as_text=True)
    stored_data_is_valid(db)


def test_markup_in_every_text_field_is_escaped_everywhere(client, admin, db):
    """Plan a task whose every text field is markup; each page shows it as text."""
    bdv = db.session.scalar(db.select(Unit).where(Unit.short_name == "BDV"))
    marks = {name: f"<i>{name}</i><script>x()</script>" for name in (
        "title", "description", "source_document", "target_label", "result",
        "organisation")}
    marks["target_label"] = "<i>t</i>"
    data = {"kind": "congress", "lead_unit_id": str(bdv.id), "target_count": "3",
            **marks}
    response = client.post("/tasks/new?quarter=2023-Q2", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    task_path = response.headers["Location"]
    client.post(task_path + "/status", data={
        "status": "in_progress", "progress": "10", "note": "<img src=x onerror=y()>"})
    pages = [task_path, task_path + "/edit", "/quarters/2023-Q2/", f"/units/{bdv.id}",
             "/quarters/2023-Q2/?q=script"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "<script>x()</script>" not in html and "<img src=x" not in html, path
        assert str(escape(marks["title"])) in html, path


@pytest.mark.parametrize("path", [
    "/tasks/99999999999999999999999", "/tasks/9223372036854775808/edit",
    "/units/99999999999999999999999", "/tasks/18446744073709551616/status",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_ids_beyond_64_bits_are_not_found(client, admin, path, method):
    response = client.open(path, method=method, data={"status": "done"})
    assert response.status_code in (404, 405)


@pytest.mark.parametrize("year", ["99999999999999999999999999", "-1", "2100000"])
def test_year_out_of_range_is_refused_before_the_database(client, admin, db, year):
    response = client.post("/quarters/new", data={"year": year, "number": "1"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 2


def test_hostile_list_is_printable():
    """The sample strings themselves are what they claim (a guard for this file)."""
    assert "\x00" in HOSTILE and any(set(s) - set(string.printable) for s in HOSTILE)
