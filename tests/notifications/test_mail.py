"""E-mail of notices through a real SMTP server (aiosmtpd, in this process)."""
import datetime as dt
import email
import socket
from email.header import decode_header, make_header
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import TODAY
from tests.helpers import page_text, visible_text
from tracker.models import MailPreference, Notification
from tracker.notifications import mail


class Inbox:
    """Collects what the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """Keep the message and accept it."""
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address):
        """Return the messages sent to the address."""
        return [message for rcpts, message in self.messages if address in rcpts]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """Run an SMTP server and point the tracker at it; return its inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {key: app.config[key] for key in
             ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER", "BASE_URL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                      MAIL_DEFAULT_SENDER="Ban Dân vận <bdv@example.vn>",
                      BASE_URL="https://theodoi.example.vn")
    try:
        yield inbox
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def people(make_unit, make_user, db):
    """Return the lead unit and its staff, mailed at once, daily, and not at all."""
    lead = make_unit(short_name="LEAD")
    users = {}
    for name, frequency in (("ngay", "immediately"), ("tonghop", "daily"),
                            ("tat", "off")):
        user = make_user(name, units=[lead])
        user.full_name = f"Cán bộ {name}"
        db.session.add(MailPreference(user_id=user.id, email=f"{name}@example.vn",
                                      frequency=frequency))
        users[name] = user
    users["leader"] = make_user("boss", role="leader")
    db.session.commit()
    return lead, users


def _subject(message):
    return str(make_header(decode_header(message["Subject"])))


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_task_due_tomorrow_is_mailed_once_per_person(app, smtp, people, make_task,
                                                        runner, db, monkeypatch):
    lead, users = people
    monkeypatch.setitem(app.config, "MAIL_DIGEST_HOUR", 24)  # no digest today
    task = make_task(lead=lead, user=users["leader"], title="Đối thoại với nhân dân",
                     due_on=TODAY + dt.timedelta(days=1))
    smtp.messages.clear()  # the task was given: mailed at once, tested below
    db.session.execute(Notification.__table__.update().values(
        mailed_at=dt.datetime(2023, 5, 15)))
    db.session.commit()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Mailed 1 notification(s)" in result.output
    [message] = smtp.to("ngay@example.vn")
    assert smtp.to("tat@example.vn") == [] and smtp.to("tonghop@example.vn") == []
    subject = _subject(message)
    assert "Đối thoại với nhân dân" in subject and "còn 1 ngày đến hạn" in subject
    text, html = _parts(message)
    assert "Kính gửi Cán bộ ngay" in text
    assert f"https://theodoi.example.vn/tasks/{task.id}" in text
    assert f'href="https://theodoi.example.vn/tasks/{task.id}"' in html
    assert "bdv@example.vn" in message["From"]
    again = runner.invoke(args=["remind"])
    assert "0 new notification" in again.output
    assert len(smtp.to("ngay@example.vn")) == 1


def test_a_change_in_a_request_is_mailed_at_once(smtp, people, client, login_as,
                                                 make_quarter):
    lead, users = people
    make_quarter(2023, 2)
    login_as("leader", username="chidao")
    response = client.post("/tasks/new?quarter=2023-Q2", data={
        "kind": "other", "title": "Hội nghị trực báo", "lead_unit_id": lead.id})
    assert response.status_code == 302, page_text(response)[:500]
    [message] = smtp.to("ngay@example.vn")
    assert "LEAD được giao chủ trì thực hiện “Hội nghị trực báo”" in _subject(message)
    assert smtp.to("tonghop@example.vn") == []


def test_the_daily_digest_goes_once_a_day_after_its_hour(app, smtp, people, make_task,
                                                         db):
    lead, users = people
    make_task(lead=lead, user=users["leader"], title="Việc thứ nhất")
    make_task(lead=lead, user=users["leader"], title="Việc thứ hai")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    local = mail.local_now(now)
    early = now - dt.timedelta(hours=local.hour) + dt.timedelta(hours=3)  # 03:xx
    later = now - dt.timedelta(hours=local.hour) + dt.timedelta(hours=8)  # 08:xx
    assert mail.send_digests(early) == 0
    assert mail.send_digests(later) == 1
    [digest] = smtp.to("tonghop@example.vn")
    text, html = _parts(digest)
    assert "Việc thứ nhất" in text and "Việc thứ hai" in html
    assert "2 thông báo" in _subject(digest)
    assert mail.send_digests(later + dt.timedelta(hours=2)) == 0
    db.session.expire_all()
    assert db.session.get(MailPreference, users["tonghop"].id).digest_on == local.date()


def test_an_unreachable_server_keeps_the_notices_for_the_next_run(app, people,
                                                                   make_task, db):
    lead, users = people
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    try:
        make_task(lead=lead, user=users["leader"], title="Máy chủ thư tắt")
        assert mail.send_immediate() == 0
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    db.session.expire_all()
    notice = db.session.scalar(select(Notification).where(
        Notification.user_id == users["ngay"].id))
    assert notice.mailed_at is None


def test_without_a_server_nothing_is_sent_and_the_pages_say_so(
        people, make_task, runner, client, login_as, db):
    lead, users = people
    make_task(lead=lead, user=users["leader"], due_on=TODAY + dt.timedelta(days=1))
    result = runner.invoke(args=["remind"])
    assert "No mail server configured" in result.output
    assert db.session.scalar(select(Notification.id).where(
        Notification.mailed_at.is_not(None))) is None
    login_as("admin", username="quantri")
    assert "Chưa cấu hình máy chủ thư" in visible_text(client.get("/admin/users/"))
    assert 'id="mail-off"' in page_text(client.get("/account/"))


def test_the_account_page_saves_the_choice(client, login_as, db):
    user = login_as("staff")
    response = client.post("/notifications/preferences", data={
        "email": " canbo@example.vn ", "frequency": "daily"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(MailPreference, user.id)
    assert (saved.email, saved.frequency) == ("canbo@example.vn", "daily")
    page = page_text(client.get("/account/"))
    assert 'value="canbo@example.vn"' in page


@pytest.mark.parametrize("data, message", [
    ({"email": "khong-phai-thu", "frequency": "daily"}, "ten@example.vn"),
    ({"email": "a@b.vn", "frequency": "hourly"}, "Lựa chọn không hợp lệ"),
])
def test_a_bad_choice_is_refused_with_a_message(client, login_as, db, data, message):
    user = login_as("staff")
    response = client.post("/notifications/preferences", data=data)
    assert response.status_code == 400
    assert message in visible_text(response)
    db.session.expire_all()
    assert db.session.get(MailPreference, user.id) is None
