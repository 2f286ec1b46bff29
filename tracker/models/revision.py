"""The data revision: a token that changes in every transaction that writes.

Pages that keep a rendered part (tracker.page_cache) key it by this token, so a
part is reused only while nothing has been written since it was rendered. Writes to
the tables no cached page shows (sign-in sessions, failed sign-ins) leave it alone:
signing in and out all day must not throw the rendered pages away. The
token is a fresh random value per writing transaction, not a counter: a database
restored from a backup comes back with the token it had when its data was that
data, and two databases never share one.
"""
import uuid

from sqlalchemy import String, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.extensions import db

REVISION_ID = 1


class DataRevision(db.Model):
    """The one row holding the current data token."""

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


WROTE = "data_revision_wrote"


def data_tables(metadata):
    """Return the tables holding the tracker's data (all but the revision's)."""
    return [t for t in metadata.sorted_tables if t.name != DataRevision.__tablename__]


def new_token():
    """Return a fresh random token."""
    return uuid.uuid4().hex


def mark_written(session):
    """Note that the session's transaction writes: it gets a new token at commit."""
    session.info[WROTE] = True


# Tables no cached page shows: signing in and out, or a failed attempt, must not
# throw away every rendered page (nor an API token's use).
UNTRACKED_TABLES = frozenset({"sign_in_session", "failed_sign_in", "api_token",
                              "calendar_token"})


def _tracked(obj):
    return getattr(obj, "__tablename__", None) not in UNTRACKED_TABLES


@event.listens_for(Session, "after_flush")
def _note_a_writing_flush(session, flush_context):
    # The collections still hold what this flush wrote.
    if any(_tracked(obj) for obj in session.new) or any(
        _tracked(obj) for obj in session.deleted
    ) or any(_tracked(obj) and session.is_modified(obj) for obj in session.dirty):
        mark_written(session)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state):
    # INSERT/UPDATE/DELETE statements run through the session (bulk inserts of the
    # generator, a guarded UPDATE with a version check) change data without a flush.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) not in UNTRACKED_TABLES:
            mark_written(state.session)


@event.listens_for(Session, "before_commit")
def _replace_the_token(session):
    # Flush first: commit would flush what is pending only after this hook.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.get(WROTE):
        return
    # The last statement of the transaction, on its connection: the token changes
    # when, and only if, the writes commit. On PostgreSQL the row lock orders
    # concurrent writers; taken last, it is never held while waiting for another
    # lock, so it cannot close a deadlock.
    table = DataRevision.__table__
    session.connection().execute(
        update(table).where(table.c.id == REVISION_ID).values(token=new_token())
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_the_write(session, transaction):
    if transaction.parent is None:
        session.info.pop(WROTE, None)
