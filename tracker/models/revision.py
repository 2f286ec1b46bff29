"""The data revision: a token that changes in every transaction that writes.

Pages that keep a rendered part (tracker.page_cache) key it by this token, so a
part is reused only while nothing has been written since it was rendered. The
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


BUMPED = "data_revision_bumped"


def data_tables(metadata):
    """Return the tables holding the tracker's data (all but the revision's)."""
    return [t for t in metadata.sorted_tables if t.name != DataRevision.__tablename__]


def new_token():
    """Return a fresh random token."""
    return uuid.uuid4().hex


def bump(session):
    """Give the data a new token, once per transaction of the session."""
    if session.info.get(BUMPED):
        return
    session.info[BUMPED] = True
    # On the session's connection, inside its transaction: the token changes when,
    # and only if, the transaction's writes commit. On PostgreSQL the row lock also
    # orders concurrent writers, so the last to commit leaves its token.
    table = DataRevision.__table__
    session.connection().execute(
        update(table).where(table.c.id == REVISION_ID).values(token=new_token())
    )


@event.listens_for(Session, "after_flush")
def _bump_after_a_writing_flush(session, flush_context):
    # The collections still hold what this flush wrote.
    if session.new or session.deleted or any(
        session.is_modified(obj) for obj in session.dirty
    ):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_before_bulk_statements(state):
    # INSERT/UPDATE/DELETE statements run through the session (bulk inserts of the
    # generator, a guarded UPDATE with a version check) change data without a flush.
    if state.is_insert or state.is_update or state.is_delete:
        bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_the_bump(session, transaction):
    if transaction.parent is None:
        session.info.pop(BUMPED, None)
