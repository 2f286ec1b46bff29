"""E-mail of notices: at once or in a daily digest, as each person chose, through SMTP.

The server is the one TRACKER_MAIL_SERVER (and _PORT, _USERNAME, _PASSWORD, _USE_TLS,
_USE_SSL, _DEFAULT_SENDER, _TIMEOUT) names; without it nothing is sent and the
administration page says so. Mail is written in Vietnamese, plain text and HTML.

A notice is mailed once: it is claimed (mailed_at set where it was empty, committed)
before it is sent, so two servers running `flask remind` at once, or a request and a
command, never both send it; one that could not be sent is released for the next run.
A person's digest is claimed the same way, once a day (MailPreference.digest_on).
"""
import datetime as dt
import logging
import unicodedata
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from tracker.extensions import db, mail
from tracker.models import Board, MailPreference, Notification, User
from tracker.models.base import utcnow

log = logging.getLogger(__name__)

FREQUENCIES = {
    "immediately": _l("Immediately"),
    "daily": _l("Daily digest"),
    "off": _l("Off"),
}


def is_configured(config=None):
    """Tell whether a mail server is configured (else nothing is ever sent)."""
    config = config if config is not None else current_app.config
    return bool((config.get("MAIL_SERVER") or "").strip())


def _connection():
    """Return an SMTP connection to the configured server (settings read each time)."""
    config = current_app.config
    return mail.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"].strip(),
        port=int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=bool(config.get("MAIL_USE_SSL")),
        timeout=int(config.get("MAIL_TIMEOUT") or 10),
    )


def _since(now):
    """Return the oldest notice still mailed: older ones are not sent late."""
    hours = int(current_app.config.get("MAIL_MAX_AGE_HOURS", 48))
    return now - dt.timedelta(hours=hours)


def _pending(frequency, now, user_ids=None):
    """Return (notice, user, preference) rows not yet mailed, for the frequency."""
    stmt = (
        select(Notification, User, MailPreference)
        .join(User, User.id == Notification.user_id)
        .join(MailPreference, MailPreference.user_id == User.id)
        .where(Notification.mailed_at.is_(None), Notification.created_at >= _since(now),
               MailPreference.frequency == frequency, MailPreference.email != "",
               User.is_active.is_(True))
        .order_by(Notification.user_id, Notification.id)
    )
    if user_ids is not None:
        stmt = stmt.where(Notification.user_id.in_(user_ids))
    return db.session.execute(stmt, execution_options={"all_boards": True}).all()


def _claim(ids, now):
    """Mark the notices mailed where nobody has yet; return the ids this run got."""
    if not ids:
        return set()
    table = Notification.__table__
    rows = db.session.connection().execute(
        update(table).where(table.c.id.in_(ids), table.c.mailed_at.is_(None))
        .values(mailed_at=now).returning(table.c.id)
    ).scalars().all()
    return set(rows)


def _release(ids):
    """Give notices that could not be sent back to the next run."""
    if ids:
        table = Notification.__table__
        db.session.connection().execute(
            update(table).where(table.c.id.in_(ids)).values(mailed_at=None))


def _board_codes():
    """Return {board id: code} of every board (a handful of rows)."""
    return dict(db.session.execute(
        select(Board.id, Board.code), execution_options={"all_boards": True}).all())


def _link(notice, home_board_id=None, codes=None):
    """Return the absolute address of the notice's task or quarter, in its board.

    An address without a board prefix opens the reader's home board; a notice of
    another board (one they are a member of) leads to that board's own address,
    /b/<code>/…, so a click opens the task where it lives.
    """
    from tracker.boards.urls import board_path
    from tracker.notifications.services import target_url

    base = (current_app.config.get("BASE_URL") or "http://localhost").rstrip("/")
    with current_app.test_request_context("/"):
        path = target_url(notice)
        if notice.board_id is not None and notice.board_id != home_board_id:
            codes = codes if codes is not None else _board_codes()
            if notice.board_id in codes:
                path = board_path(codes[notice.board_id], path)
    return base + path


def _message(to, subject, template, **context):
    """Return an e-mail with plain text and HTML parts, rendered in Vietnamese."""
    from flask_mailman import EmailMultiAlternatives

    text = render_template(f"notifications/mail/{template}.txt", **context)
    html = render_template(f"notifications/mail/{template}.html", **context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to],
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER") or None,
    )
    message.attach_alternative(html, "text/html")
    return message


def _items(notices, user=None, codes=None):
    """Return [(sentence, link)] of the notices to the user, in Vietnamese.

    user is the recipient (by default, each notice's own, looked up).
    """
    from tracker.notifications.services import message

    codes = codes if codes is not None else _board_codes()
    homes = {}
    if user is None:
        ids = sorted({notice.user_id for notice in notices})
        homes = dict(db.session.execute(
            select(User.id, User.board_id).where(User.id.in_(ids)),
            execution_options={"all_boards": True}).all())
    return [(message(notice),
             _link(notice, user.board_id if user is not None
                   else homes.get(notice.user_id), codes))
            for notice in notices]


def one_line(text, limit=250):
    """Return text fit for a mail header: one line, at most limit characters.

    A line break or other control character (from a task's title, say) would end
    the header or start another; each run of them, and of spaces, becomes a space.
    """
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in str(text))
    return " ".join(text.split())[:limit]


def _send(messages):
    """Send the (ids, message) pairs over one connection; return the ids not sent."""
    failed = set()
    if not messages:
        return failed
    try:
        connection = _connection()
        connection.open()
    except Exception:  # a server down: everything waits for the next run
        log.exception("Mail server unreachable")
        return {notice_id for ids, _m in messages for notice_id in ids}
    try:
        for ids, message in messages:
            try:
                connection.send_messages([message])
            except Exception:
                log.exception("Mail to %s not sent", message.to)
                failed.update(ids)
    finally:
        try:
            connection.close()
        except Exception:  # pragma: no cover - closing a broken link
            pass
    return failed


def send_immediate(now=None, user_ids=None):
    """Mail each not-yet-mailed notice to people who want them at once; return count."""
    if not is_configured():
        return 0
    now = now or utcnow()
    pending = _pending("immediately", now, user_ids)
    claimed = _claim([notice.id for notice, _u, _p in pending], now)
    db.session.commit()  # claimed: no other run sends these
    messages = []
    codes = _board_codes()
    with force_locale("vi"):
        for notice, user, preference in pending:
            if notice.id not in claimed:
                continue
            [(sentence, link)] = _items([notice], user, codes)
            subject = _("[Mass mobilization] %(text)s", text=sentence)
            messages.append(([notice.id], _message(
                preference.email, one_line(subject), "notice", user=user,
                sentence=sentence, link=link)))
    failed = _send(messages)
    _release(failed)
    db.session.commit()
    return len(messages) - len({ids[0] for ids, _m in messages} & failed)


def local_now(now):
    """Return the UTC time now in the tracker's time zone."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return now.replace(tzinfo=dt.timezone.utc).astimezone(zone)


def send_digests(now=None):
    """Send each daily-digest person one mail of their new notices, once a day.

    Nothing before MAIL_DIGEST_HOUR (local time); then the first run of the day
    claims each person's digest (mail_digest_on) and their notices. Returns the
    number of digests sent.
    """
    if not is_configured():
        return 0
    now = now or utcnow()
    local = local_now(now)
    if local.hour < int(current_app.config.get("MAIL_DIGEST_HOUR", 7)):
        return 0
    day = local.date()
    pending = _pending("daily", now)
    by_user = {}
    for notice, user, preference in pending:
        by_user.setdefault(user.id, (user, preference, []))[2].append(notice)
    digests = []
    table = MailPreference.__table__
    for user_id, (user, preference, notices) in by_user.items():
        got = db.session.connection().execute(
            update(table).where(table.c.user_id == user_id, or_(
                table.c.digest_on.is_(None), table.c.digest_on < day))
            .values(digest_on=day)
        ).rowcount
        if not got:
            continue
        claimed = _claim([notice.id for notice in notices], now)
        notices = [notice for notice in notices if notice.id in claimed]
        if notices:
            digests.append((user, preference, notices))
    db.session.commit()
    messages = []
    codes = _board_codes()
    with force_locale("vi"):
        for user, preference, notices in digests:
            subject = _("[Mass mobilization] %(num)d notifications of %(date)s",
                        num=len(notices), date=day.strftime("%d/%m/%Y"))
            messages.append(([notice.id for notice in notices], _message(
                preference.email, one_line(subject), "digest", user=user,
                items=_items(notices, user, codes), day=day)))
    failed = _send(messages)
    if failed:
        _release(failed)
        for (ids, _message_), (user, _p, _n) in zip(messages, digests):
            if set(ids) & failed:
                db.session.connection().execute(
                    update(table).where(table.c.user_id == user.id)
                    .values(digest_on=None))
    db.session.commit()
    return sum(1 for ids, _m in messages if not set(ids) & failed)
