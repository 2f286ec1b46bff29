"""The personal calendar feed: its revocable token, what it lists, that it parses."""
import datetime as dt
import hashlib
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.helpers import page_text
from tracker.me import calendar
from tracker.models import AuditEvent, CalendarToken


@pytest.fixture
def work(db, make_unit, make_user, make_task, make_quarter):
    """Return a person of unit HND and the tasks around them (an open quarter Q2)."""
    hnd, mttq, other = (make_unit(short_name=name) for name in ("HND", "MTTQ", "KHAC"))
    person = make_user("nguyen.an", units=[hnd])
    quarter = make_quarter(2023, 2, "active")
    closed = make_quarter(2023, 1, "active")
    tasks = dict(
        led=make_task(quarter=quarter, lead=hnd, title="Tập huấn công tác dân vận",
                      due_on=dt.date(2023, 6, 20)),
        dialogue=make_task(quarter=quarter, lead=mttq, coordinating=[hnd],
                           kind="dialogue", title="Đối thoại với nhân dân xã Tịnh Hà",
                           held_on=dt.date(2023, 5, 30), due_on=dt.date(2023, 6, 5)),
        share=make_task(quarter=quarter, lead=mttq, participating=[hnd],
                        title="Cuộc vận động Ngày vì người nghèo",
                        due_on=dt.date(2023, 6, 25)),
        others=make_task(quarter=quarter, lead=other, title="Việc của đơn vị khác",
                         due_on=dt.date(2023, 6, 10)),
        closed=make_task(quarter=closed, lead=hnd, title="Việc quý đã khóa",
                         due_on=dt.date(2023, 3, 20)),
    )
    closed.state = "closed"  # closed after its task was made
    db.session.commit()
    return person, tasks


def _token(db, person):
    _row, secret = calendar.create_token(person)
    db.session.commit()
    return secret


def _events(response):
    """Return {uid: event} of a feed, parsed back with icalendar."""
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.data)
    assert str(parsed["version"]) == "2.0" and parsed.get("prodid")
    return {str(event["uid"]): event for event in parsed.walk("VEVENT")}


def test_the_feed_lists_my_units_deadlines_and_event_days(client, db, work):
    person, tasks = work
    events = _events(client.get(f"/me/calendar.ics?token={_token(db, person)}"))
    led, dialogue, share = tasks["led"], tasks["dialogue"], tasks["share"]
    hnd_id = person.units[0].id
    expected = {
        f"task-{led.id}-due": dt.date(2023, 6, 20),
        f"task-{dialogue.id}-held": dt.date(2023, 5, 30),
        f"task-{dialogue.id}-due": dt.date(2023, 6, 5),
        f"task-{share.id}-share-{hnd_id}": dt.date(2023, 6, 25),
    }
    found = {uid.split("@")[0]: event for uid, event in events.items()}
    assert set(found) == set(expected)
    for key, day in expected.items():
        event = found[key]
        # All-day: a date, not a time, ending the next day.
        assert event.decoded("dtstart") == day
        assert event.decoded("dtend") == day + dt.timedelta(days=1)
        assert str(event["url"]).endswith(f"/tasks/{key.split('-')[1]}")
    assert "Đối thoại với nhân dân xã Tịnh Hà" in str(found[f"task-{dialogue.id}-held"][
        "summary"])
    assert "Quý II/2023" in str(found[f"task-{led.id}-due"]["description"])


def test_uids_are_stable_and_done_work_leaves_the_feed(client, db, work):
    from tracker.tasks.services import report_progress

    person, tasks = work
    token = _token(db, person)
    response = client.get(f"/me/calendar.ics?token={token}")
    assert "Set-Cookie" not in response.headers  # a calendar app keeps no session
    assert response.headers["Cache-Control"] == "private, no-store"
    first = set(_events(response))
    assert first == set(_events(client.get(f"/me/calendar.ics?token={token}")))
    report_progress(tasks["led"], "done", 100, "Xong", person,
                    completed_on=dt.date(2023, 5, 10), today=dt.date(2023, 5, 15))
    db.session.commit()
    second = set(_events(client.get(f"/me/calendar.ics?token={token}")))
    assert second == first - {uid for uid in first
                              if uid.startswith(f"task-{tasks['led'].id}-")}


def test_only_the_digest_of_the_token_is_stored(db, work):
    person, _tasks = work
    row, secret = calendar.create_token(person)
    db.session.commit()
    assert secret.startswith("cal_") and len(secret) > 40
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = db.session.execute(select(CalendarToken.__table__)).all()
    assert secret not in repr(stored)


@pytest.mark.parametrize("query", [
    "", "?token=", "?token=cal_wrong", "?token=" + "cal_" + "x" * 200,
    "?token=trk_notacalendartoken", "?token=%00%FF",
])
def test_a_wrong_or_missing_token_gets_404(client, db, work, query):
    person, _tasks = work
    _token(db, person)
    response = client.get("/me/calendar.ics" + query)
    # An address with a NUL in it is refused before any view, as everywhere.
    assert response.status_code == (400 if "%00" in query else 404)
    assert b"VCALENDAR" not in response.data
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_session_alone_does_not_open_the_feed(client, db, work):
    person, _tasks = work
    client.post("/login", data={"username": person.username,
                                "password": "secret-pass"})
    assert client.get("/me/calendar.ics").status_code == 404


def test_revoking_or_renewing_stops_the_old_address(client, db, work):
    person, _tasks = work
    old = _token(db, person)
    new = _token(db, person)  # a new address revokes the old one
    assert client.get(f"/me/calendar.ics?token={old}").status_code == 404
    assert client.get(f"/me/calendar.ics?token={new}").status_code == 200
    calendar.revoke(person)
    db.session.commit()
    assert client.get(f"/me/calendar.ics?token={new}").status_code == 404


def test_a_deactivated_person_s_feed_is_gone(client, db, work):
    person, _tasks = work
    token = _token(db, person)
    person.is_active = False
    db.session.commit()
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 404


def test_the_account_page_makes_shows_once_and_revokes(client, db, work):
    person, _tasks = work
    client.post("/login", data={"username": person.username,
                                "password": "secret-pass"})
    response = client.post("/account/calendar")
    assert response.status_code == 200
    url = re.search(r'id="calendar-url">([^<]+)<', page_text(response)).group(1)
    token = url.split("token=")[1]
    assert calendar.authenticate(token).id == person.id
    # Shown once: the page afterwards names only its first characters.
    again = page_text(client.get("/account/"))
    assert token not in again and token[:8] in again
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 200
    response = client.post("/account/calendar/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "#calendar")
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 404
    audits = db.session.scalars(select(AuditEvent.changes)).all()
    assert sum("calendar_token" in (changes or {}) for changes in audits) == 2
    # Revoking again finds nothing to revoke and changes nothing.
    assert client.post("/account/calendar/revoke").status_code == 302
    assert len(db.session.scalars(select(AuditEvent)).all()) == len(audits)


def test_the_feed_costs_the_same_for_more_tasks(client, db, work, make_task,
                                                 count_queries):
    person, tasks = work
    token = _token(db, person)
    client.get(f"/me/calendar.ics?token={token}")
    with count_queries() as few:
        client.get(f"/me/calendar.ics?token={token}")
    for n in range(10):
        make_task(quarter=tasks["led"].quarter, lead=person.units[0],
                  title=f"Việc {n}", due_on=dt.date(2023, 6, 1 + n))
    client.get(f"/me/calendar.ics?token={token}")
    with count_queries() as many:
        response = client.get(f"/me/calendar.ics?token={token}")
    assert len(_events(response)) == 14
    assert len(many) == len(few)
