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
from tracker.models import MailPreference, Notification, Task
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


# ---- links lead to the task's own board ----------------------------------------

@pytest.fixture
def two_boards(db, make_user, make_unit, make_quarter):
    """Return Bình Sơn's task and its people: one at home there, one a member."""
    from tracker.boards import scope
    from tracker.models import Board, BoardMember, Quarter

    home = db.session.scalar(select(Board).order_by(Board.id))
    other = Board(code="binh-son", name="Ban Dân vận Bình Sơn", level="district")
    db.session.add(other)
    db.session.commit()
    make_quarter(2023, 2)  # the home board's quarter, so that it is not empty
    with scope.boards([other.id]):
        unit = make_unit("Hội Nông dân Bình Sơn", "HND BS")
        local = make_user("tai_cho", units=[unit])
        db.session.add(Quarter(year=2023, number=2, state="active"))
        db.session.commit()
    member = make_user("thanh_vien", units=[unit])
    assert member.board_id == home.id and local.board_id == other.id
    db.session.add(BoardMember(user=member, board=other, role="staff"))
    for user, frequency in ((local, "immediately"), (member, "immediately")):
        db.session.add(MailPreference(user_id=user.id, email=f"{user.username}@bs.vn",
                                      frequency=frequency))
    db.session.commit()
    return other, unit, local, member


def _task_of(db, board, unit, title):
    from tracker.boards import scope
    from tracker.models import Quarter
    from tracker.tasks.services import create_task

    with scope.boards([board.id]):
        quarter = db.session.scalar(select(Quarter))
        task = create_task(quarter, dict(title=title, kind="other",
                                         lead_unit_id=unit.id), None)
        db.session.commit()
    return task


def test_a_mailed_link_opens_the_board_the_task_belongs_to(
        app, smtp, two_boards, db, client):
    board, unit, local, member = two_boards
    task = _task_of(db, board, unit, "Đối thoại ở Bình Sơn")
    assert mail.send_immediate() == 2
    [to_member] = smtp.to("thanh_vien@bs.vn")
    [to_local] = smtp.to("tai_cho@bs.vn")
    text, html = _parts(to_member)
    link = f"https://theodoi.example.vn/b/binh-son/tasks/{task.id}"
    assert link in text and f'href="{link}"' in html
    # At home in Bình Sơn, the plain address is Bình Sơn's already.
    text, _html = _parts(to_local)
    assert f"https://theodoi.example.vn/tasks/{task.id}" in text
    assert "/b/binh-son/" not in text
    # A click opens the task; the address without the board would not find it.
    client.post("/login", data={"username": "thanh_vien", "password": "secret-pass"})
    opened = client.get(f"/b/binh-son/tasks/{task.id}")
    assert opened.status_code == 200 and "Đối thoại ở Bình Sơn" in page_text(opened)
    assert client.get(f"/tasks/{task.id}").status_code == 404


def test_digest_links_open_each_notices_board(app, smtp, two_boards, db, make_task,
                                              make_unit):
    board, unit, _local, member = two_boards
    db.session.get(MailPreference, member.id).frequency = "daily"
    home_unit = make_unit("Mặt trận huyện", "MTTQ")
    member.units = [unit, home_unit]
    db.session.commit()
    theirs = _task_of(db, board, unit, "Việc của Bình Sơn")
    from tracker.models import Quarter

    home = db.session.scalar(select(Quarter).where(Quarter.board_id == member.board_id))
    ours = make_task(quarter=home, lead=home_unit, title="Việc ở nhà")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    later = now - dt.timedelta(hours=mail.local_now(now).hour) + dt.timedelta(hours=8)
    assert mail.send_digests(later) == 1
    [digest] = smtp.to("thanh_vien@bs.vn")
    text, html = _parts(digest)
    assert f'href="https://theodoi.example.vn/b/binh-son/tasks/{theirs.id}"' in html
    assert f'href="https://theodoi.example.vn/tasks/{ours.id}"' in html
    assert f"https://theodoi.example.vn/b/binh-son/tasks/{theirs.id}" in text


def test_a_mention_in_another_board_leads_to_its_comment_there(app, two_boards, db):
    """A notice's own board decides, whatever the link's fragment."""
    board, unit, local, member = two_boards
    task = _task_of(db, board, unit, "Việc có thảo luận")
    notice = Notification(board_id=board.id, user_id=member.id, kind="mentioned",
                          key="comment:7:mentioned", task_id=task.id,
                          data={"title": task.title, "person": "A", "excerpt": "x",
                                "comment": 7})
    [(_sentence, link)] = mail._items([notice])
    assert link.endswith(f"/b/binh-son/tasks/{task.id}#comment-7")
    [(_sentence, link)] = mail._items([notice], local)
    assert link.endswith(f"/tasks/{task.id}#comment-7") and "/b/" not in link


# ---- a subject is one line -------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Đối thoại\nBcc: ke-gian@example.com",
    "Đối thoại\r\nBcc: ke-gian@example.com",
    "Đối thoại\rX-Injected: 1",
    "Đối thoại\u2028Bcc: ke-gian@example.com",
    "Đối thoại\x85\x0b\x0c\tBcc: ke-gian@example.com",
])
def test_a_line_break_in_a_title_stays_out_of_the_headers(smtp, people, make_task,
                                                          db, title):
    lead, users = people
    task = make_task(lead=lead, user=users["leader"])
    # Titles typed on a page cannot hold these; an import or an old row might.
    db.session.execute(Task.__table__.update().where(Task.id == task.id)
                       .values(title=title))
    db.session.execute(Notification.__table__.update().values(
        data={"title": title, "unit": "LEAD", "role": "lead"}))
    db.session.execute(Notification.__table__.update().values(mailed_at=None))
    db.session.commit()
    smtp.messages.clear()
    assert mail.send_immediate() == 1
    [(rcpts, message)] = smtp.messages
    assert rcpts == ["ngay@example.vn"]
    assert message["Bcc"] is None and message["X-Injected"] is None
    subject = _subject(message)
    assert "\n" not in subject and "\r" not in subject
    assert "Đối thoại Bcc: ke-gian@example.com" in subject or \
        "Đối thoại X-Injected: 1" in subject
    db.session.expire_all()
    assert db.session.scalar(select(Notification.mailed_at).where(
        Notification.user_id == users["ngay"].id)) is not None


@pytest.mark.parametrize("text, expected", [
    ("a\nb", "a b"), ("a\r\n\r\nb", "a b"), ("a\x00b", "a b"), ("a\u2029b", "a b"),
    ("  a   b  ", "a b"), ("Quý II/2023 — “Đại hội”", "Quý II/2023 — “Đại hội”"),
])
def test_one_line_replaces_control_characters_with_a_space(text, expected):
    assert mail.one_line(text) == expected
