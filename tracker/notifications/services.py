"""Who is told what: notices written once per event and person, read and marked.

Notices are written with INSERT … ON CONFLICT DO NOTHING against the unique (person,
key) pair, so an event noticed twice, or reminders computed by two servers at once,
leave one row; nothing reads first and decides in Python.
"""
import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.i18n import fmt_date, quarter_label
from tracker.models import (
    MailPreference, Notification, Quarter, Task, TaskUnit, User, user_unit,
)
from tracker.models.base import utcnow
from tracker.models.revision import mark_written
from tracker.tasks.timeliness import effective_due

PAGE_SIZE = 50
# flask.g key: this request wrote notices (it mails them after).
WROTE_NOTICES = "wrote_notices"
# Rows per INSERT statement when reminders are written in bulk.
CHUNK = 500

KINDS = ("task_assigned", "share_assigned", "due", "overdue", "progress",
         "quarter_closed", "quarter_reopened", "mentioned", "extension_asked",
         "extension_decided")


def insert_ignoring_duplicates(connection, rows):
    """Insert notice rows, skipping any (person, key) there already; return how many."""
    if not rows:
        return 0
    table = Notification.__table__
    dialect = connection.dialect.name
    written = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        if dialect == "postgresql":
            stmt = postgresql.insert(table).values(chunk)
        elif dialect == "sqlite":
            stmt = sqlite.insert(table).values(chunk)
        else:  # pragma: no cover - the tracker runs on these two
            raise RuntimeError(f"Unsupported database {dialect}")
        # The rows written come back (rowcount is not reliable for a skipped row).
        stmt = stmt.on_conflict_do_nothing(
            index_elements=["user_id", "key"]).returning(table.c.id)
        written += len(connection.execute(stmt).all())
    return written


def users_of_units(connection, unit_ids):
    """Return {unit id: [active user ids]} of the people who report for the units."""
    if not unit_ids:
        return {}
    rows = connection.execute(
        select(user_unit.c.unit_id, user_unit.c.user_id)
        .join(User.__table__, User.__table__.c.id == user_unit.c.user_id)
        .where(user_unit.c.unit_id.in_(sorted(set(unit_ids))),
               User.__table__.c.is_active.is_(True))
        .order_by(user_unit.c.user_id)
    )
    found = {}
    for unit_id, user_id in rows:
        found.setdefault(unit_id, []).append(user_id)
    return found


def users_of_board(connection, board_id):
    """Return the ids of the board's active accounts."""
    table = User.__table__
    return list(connection.execute(
        select(table.c.id).where(table.c.board_id == board_id,
                                 table.c.is_active.is_(True))
        .order_by(table.c.id)
    ).scalars())


def leaders_of_board(connection, board_id):
    """Return the ids of the active accounts with a leader's role in the board."""
    from tracker.auth.policy import LEADER_ROLES
    from tracker.models import BoardMember

    users, members = User.__table__, BoardMember.__table__
    home = select(users.c.id).where(users.c.board_id == board_id,
                                    users.c.role.in_(LEADER_ROLES),
                                    users.c.is_active.is_(True))
    member = (select(members.c.user_id)
              .join(users, users.c.id == members.c.user_id)
              .where(members.c.board_id == board_id,
                     members.c.role.in_(LEADER_ROLES), users.c.is_active.is_(True)))
    return sorted(set(connection.execute(home.union(member)).scalars()))


def _has_watches(connection):
    """Tell whether the database has the watchers' table (known once it has)."""
    from sqlalchemy import inspect

    if connection.info.get("has_watch_table"):
        return True
    found = inspect(connection).has_table("watch")
    if found:
        connection.info["has_watch_table"] = True
    return found


def progress_recipients(connection, task):
    """Return the ids of those told of a progress report on the task, each once.

    The lead unit's staff watch the task by default; anyone may watch the task or its
    quarter; a choice about the task itself (watching or not) wins over the rest.
    """
    from tracker.models import Watch

    lead = users_of_units(connection, [task.lead_unit_id]).get(task.lead_unit_id, [])
    if not _has_watches(connection):
        return lead  # a database still below the watchers' migration
    watches, users = Watch.__table__, User.__table__
    chosen = {}
    quarter_watchers = set()
    for user_id, task_id, watching in connection.execute(
        select(watches.c.user_id, watches.c.task_id, watches.c.is_watching)
        .join(users, users.c.id == watches.c.user_id)
        .where((watches.c.task_id == task.id)
               | (watches.c.quarter_id == task.quarter_id),
               users.c.is_active.is_(True))
    ):
        if task_id is not None:
            chosen[user_id] = watching
        elif watching:
            quarter_watchers.add(user_id)
    people = set(lead) | quarter_watchers
    people |= {user_id for user_id, watching in chosen.items() if watching}
    people -= {user_id for user_id, watching in chosen.items() if not watching}
    return sorted(people)


def row(board_id, user_id, kind, key, task_id=None, quarter_id=None, data=None):
    """Return one notice row for insert_ignoring_duplicates."""
    return dict(board_id=board_id, user_id=user_id, kind=kind, key=key,
                task_id=task_id, quarter_id=quarter_id, data=data or {},
                created_at=utcnow(), read_at=None)


# Reminders


def reminder_days(config=None):
    """Return the days before a due date a reminder goes out, largest first.

    REMIND_DAYS is "7,1" by default; raises ValueError for anything but whole
    numbers of days of 0 or more.
    """
    config = config if config is not None else current_app.config
    value = config.get("REMIND_DAYS", "7,1")
    if isinstance(value, (list, tuple)):
        parts = [str(part) for part in value]
    else:
        parts = [part.strip() for part in str(value).split(",") if part.strip()]
    try:
        days = sorted({int(part) for part in parts}, reverse=True)
    except ValueError:
        raise ValueError(f"REMIND_DAYS must be whole numbers of days, not {value!r}")
    if not days or days[-1] < 0:
        raise ValueError(f"REMIND_DAYS must be days of 0 or more, not {value!r}")
    return days


def reminder_step(days_left, days):
    """Return which reminder a task days_left from its due date is in, or None.

    The smallest configured step that days_left has reached: with 7 and 1, a task 5
    days away is in its 7-day reminder, one due tomorrow in its 1-day reminder. A
    missed day (the command did not run) is caught up on the next run.
    """
    reached = [step for step in days if days_left <= step]
    return min(reached) if reached else None


def remind(today, days=None):
    """Write due and overdue notices for every open quarter's unfinished tasks.

    Each goes to the people of the lead unit and of each participating unit whose
    share is not done. Returns the number of notices written (0 when run again).
    """
    days = days if days is not None else reminder_days()
    horizon = today + dt.timedelta(days=max(days))
    due = effective_due(Task)  # an approved extension moves the reminders with it
    _write_lock_first()
    tasks = db.session.execute(
        select(Task.id, Task.title, due, Task.lead_unit_id, Quarter.board_id,
               Quarter.id)
        .join(Quarter, Quarter.id == Task.quarter_id)
        .where(Quarter.state != "closed", Task.is_archived.is_(False),
               Task.status.not_in(("done", "cancelled")), due.is_not(None),
               due <= horizon)
        .order_by(Task.id),
        execution_options={"all_boards": True},
    ).all()
    if not tasks:
        return 0
    shares = {}
    for task_id, unit_id in db.session.execute(
        select(TaskUnit.task_id, TaskUnit.unit_id)
        .where(TaskUnit.task_id.in_([task.id for task in tasks]),
               TaskUnit.role == "participating", TaskUnit.share_status != "done"),
        execution_options={"all_boards": True},
    ):
        shares.setdefault(task_id, []).append(unit_id)
    connection = db.session.connection()
    all_units = {task.lead_unit_id for task in tasks}
    all_units.update(unit for units in shares.values() for unit in units)
    people = users_of_units(connection, all_units)
    rows = []
    for task_id, title, due_on, lead_id, board_id, quarter_id in tasks:
        days_left = (due_on - today).days
        if days_left < 0:
            kind, key = "overdue", f"overdue:{task_id}:{due_on.isoformat()}"
        else:
            step = reminder_step(days_left, days)
            if step is None:
                continue
            kind, key = "due", f"due:{task_id}:{due_on.isoformat()}:{step}"
        data = {"title": title, "due_on": due_on.isoformat(), "days": days_left}
        recipients = []
        for unit_id in [lead_id] + shares.get(task_id, []):
            recipients += [uid for uid in people.get(unit_id, ())
                           if uid not in recipients]
        rows += [row(board_id, user_id, kind, key, task_id, quarter_id, data)
                 for user_id in recipients]
    written = insert_ignoring_duplicates(connection, rows)
    if written:
        mark_written(db.session)  # the bell's count changed: cached pages are stale
    return written


def _write_lock_first():
    """On SQLite, take the write lock before reading what to remind of.

    A transaction that reads first cannot write once another has committed since
    its snapshot ("database is locked" at once, whatever the busy timeout), so two
    runs at the same moment would fail; taking the lock first makes the second wait
    for the first and then find its notices there. A write statement that matches
    nothing takes it. PostgreSQL needs none: the unique key orders the inserts.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("UPDATE notification SET read_at = read_at WHERE 0")


# Reading and marking


def home_unread_column():
    """Return a column counting the loaded user's unread notices in their home board.

    Read with the signed-in user (tracker.auth), so the bell costs no statement of
    its own on the pages of the home board, where most requests are.
    """
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id,
               Notification.board_id == User.board_id,
               Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def unread_count(user, board=None):
    """Return how many of the person's notices in the board are not read yet."""
    home = getattr(user, "home_unread_notices", None)
    if home is not None and (board is None or board.id == user.board_id):
        return home
    return db.session.scalar(
        select(func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notices_page(user, page=1, per_page=PAGE_SIZE):
    """Return (notices of the page, whether there is a next page), newest first."""
    page = max(1, page)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
    ).all()
    return rows[:per_page], len(rows) > per_page


def get_own_or_404(user, notification_id):
    """Return the person's notice with the id, or abort with 404 (others' too)."""
    from flask import abort

    notice = db.session.scalar(
        select(Notification).where(Notification.id == notification_id,
                                   Notification.user_id == user.id)
    )
    if notice is None:
        abort(404)
    return notice


def mark_read(notice):
    """Mark one notice read (a notice read already keeps its time)."""
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice


def mark_all_read(user):
    """Mark every unread notice of the person in this board read; return how many."""
    ids = db.session.scalars(
        select(Notification.id).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    ).all()
    if ids:
        db.session.execute(
            update(Notification).where(Notification.id.in_(ids))
            .values(read_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def set_mail_preference(user, email, frequency):
    """Record where the person's notices are mailed and how often."""
    from tracker.notifications.mail import FREQUENCIES

    if frequency not in FREQUENCIES:
        raise ValueError(frequency)
    preference = mail_preference(user) or MailPreference(user_id=user.id)
    preference.email = email.strip()
    preference.frequency = frequency
    db.session.add(preference)
    db.session.flush()
    return preference


def mail_preference(user):
    """Return the person's mail preference row, or None if they never chose."""
    return db.session.get(MailPreference, user.id)


# What a notice says


def message(notice):
    """Return the notice's sentence in the current language."""
    data = notice.data or {}
    title = data.get("title", "")
    kind = notice.kind
    if kind == "task_assigned":
        if data.get("role") == "coordinating":
            return _("%(unit)s is to coordinate “%(title)s”.",
                     unit=data.get("unit", ""), title=title)
        return _("%(unit)s is to lead “%(title)s”.", unit=data.get("unit", ""),
                 title=title)
    if kind == "share_assigned":
        return _("%(unit)s was given a share of “%(title)s”.",
                 unit=data.get("unit", ""), title=title)
    if kind == "due":
        due = fmt_date(dt.date.fromisoformat(data["due_on"]))
        days = int(data.get("days", 0))
        if days == 0:
            return _("“%(title)s” is due today (%(date)s).", title=title, date=due)
        return ngettext("“%(title)s” is due in %(num)d day (%(date)s).",
                        "“%(title)s” is due in %(num)d days (%(date)s).",
                        days, title=title, date=due)
    if kind == "overdue":
        due = fmt_date(dt.date.fromisoformat(data["due_on"]))
        return _("“%(title)s” is overdue: it was due on %(date)s.", title=title,
                 date=due)
    if kind == "progress":
        return _("%(person)s reported on “%(title)s”: %(progress)s%%.",
                 person=data.get("person", ""), title=title,
                 progress=data.get("progress", 0))
    if kind == "mentioned":
        return _("%(person)s mentioned you on “%(title)s”: “%(excerpt)s”",
                 person=data.get("person", ""), title=title,
                 excerpt=data.get("excerpt", ""))
    if kind == "extension_asked":
        return _("%(person)s asks to extend “%(title)s” to %(date)s.",
                 person=data.get("person", ""), title=title,
                 date=fmt_date(dt.date.fromisoformat(data["date"])))
    if kind == "extension_decided":
        day = fmt_date(dt.date.fromisoformat(data["date"]))
        if data.get("state") == "approved":
            return _("The extension of “%(title)s” to %(date)s was approved.",
                     title=title, date=day)
        return _("The extension of “%(title)s” to %(date)s was refused.",
                 title=title, date=day)
    quarter = quarter_label(data.get("year", 2000), data.get("number", 1))
    if kind == "quarter_closed":
        return _("%(quarter)s has been closed.", quarter=quarter)
    if kind == "quarter_reopened":
        return _("%(quarter)s has been reopened.", quarter=quarter)
    return kind


def target_url(notice):
    """Return where the notice leads: its task (or comment), else its quarter's board."""
    from flask import url_for

    data = notice.data or {}
    if notice.task_id is not None:
        url = url_for("tasks.show", task_id=notice.task_id)
        if isinstance(data.get("comment"), int):
            url += f"#comment-{data['comment']}"  # a mention leads to its comment
        return url
    if data.get("year") and data.get("number"):
        return url_for("quarters.board", key=f"{data['year']}-Q{data['number']}")
    return url_for("notifications.index")
