"""Which boards' data the session sees: enforced below the views, in one place.

Every ORM statement the session runs (SELECT, UPDATE, DELETE) gets criteria that keep
it to the boards in scope: a quarter of another board, its tasks, their units' shares
and history, its report, an audit event, are simply not found, whatever the view
asks. A request's scope is its board (tracker.boards.access resolves it); a command
runs in the scope of the board it names (`with scope.boards([board])`); with no scope
set (a fresh shell, the migrations) nothing is filtered.

Feature packages whose tables hold a board's data register a condition here
(`register(Model, lambda ids: ...)`) instead of filtering in each query.

Relationship loads are not filtered: they start from a row already in scope (a task's
lead unit, a history row's author), so they cannot leak another board's records, and
a merged board's old tasks keep showing units that moved to its successor.
"""
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event, exists, or_, select
from sqlalchemy.orm import Session, with_loader_criteria

# session.info keys: the ids of the boards in scope, and the board new rows go to.
VISIBLE = "board_scope"
WRITING = "board_scope_writing"
# session.info key: the ids of units' boards (a merged board's units moved on).
UNITS = "board_scope_units"

_CONDITIONS = {}


def register(model, condition):
    """Keep the model's rows to the boards in scope: condition(ids) is their WHERE.

    The condition runs as a lambda criterion (see _options): its SQL is built once
    and cached under the condition's code, the ids going in as a parameter. So it
    must build the same SQL whatever the ids (no Python test of them), and each model
    needs a condition of its own code: two made by one factory function would share
    one cached SQL.
    """
    shared = [other for other, known in _CONDITIONS.items()
              if other is not model and known.__code__ is condition.__code__]
    if shared:
        raise ValueError(f"{model.__name__} shares its condition's code with "
                         f"{shared[0].__name__}: give it a function of its own")
    _CONDITIONS[model] = condition
    _options.cache_clear()


def quarter_ids(ids):
    """Return a subquery of the ids of the quarters of the boards."""
    from tracker.models.quarter import Quarter

    return select(Quarter.id).where(Quarter.board_id.in_(ids)).scalar_subquery()


def of_boards_tasks(column, ids):
    """Return a condition: the task the column names is one of the boards' tasks.

    Correlated, so it costs a lookup per row the statement reads: a statement about a
    few tasks' links or history pays for those tasks, not for every task of the
    board's years (as an IN over all of them did).
    """
    from tracker.models.quarter import Quarter
    from tracker.models.task import Task

    return exists().where(Task.id == column, Task.quarter_id == Quarter.id,
                          Quarter.board_id.in_(ids))


def visible_ids(session):
    """Return the ids of the boards in the session's scope, or None if unscoped."""
    return session.info.get(VISIBLE)


def writing_id(session):
    """Return the id of the board new rows belong to in this scope, or None."""
    return session.info.get(WRITING)


@contextmanager
def boards(ids, writing=None, unit_ids=None):
    """Run the block seeing only the boards with these ids (new rows go to writing)."""
    from tracker.extensions import db

    session = db.session()
    saved = saved_scope(session)
    set_scope(session, ids, writing, unit_ids)
    try:
        yield
    finally:
        restore_scope(session, saved)


def set_scope(session, ids, writing=None, unit_ids=None):
    """Limit the session to the boards with these ids from now on."""
    ids = tuple(sorted(set(ids)))
    session.info[VISIBLE] = ids
    session.info[WRITING] = writing if writing is not None else (
        ids[0] if len(ids) == 1 else None
    )
    session.info[UNITS] = tuple(sorted(set(unit_ids or ids)))


def clear_scope(session):
    """Let the session see every board again."""
    for key in (VISIBLE, WRITING, UNITS):
        session.info.pop(key, None)


def saved_scope(session):
    """Return the session's scope, to put back with restore_scope."""
    return {key: session.info.get(key) for key in (VISIBLE, WRITING, UNITS)}


def restore_scope(session, saved):
    """Put back a scope returned by saved_scope."""
    for key, value in saved.items():
        if value is None:
            session.info.pop(key, None)
        else:
            session.info[key] = value


@event.listens_for(Session, "do_orm_execute")
def _keep_to_boards(state):
    """Add each registered model's board condition to the statement."""
    ids = state.session.info.get(VISIBLE)
    if ids is None or state.is_column_load or state.is_relationship_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not state.is_orm_statement:
        # A statement of tables' columns alone (the lists' rows, tracker.tasks.rows)
        # compiles without the criteria; adding them would only cost their keying.
        return
    if state.execution_options.get("all_boards"):
        return
    unit_ids = state.session.info.get(UNITS) or ids
    state.statement = state.statement.options(*_options(ids, unit_ids))


@lru_cache(maxsize=256)
def _options(ids, unit_ids):
    """Return the criteria options of a scope, built once per scope.

    Building them anew for each statement cost more than most statements: a new
    option is a new object for the statement cache to key, walk and compile. Each
    is a lambda criterion, whose cache key is its code and the ids' parameter:
    given as plain conditions, the statement cache walked all 25 of them, subqueries
    and all, to key every statement the session ran (a quarter of the board's time
    on a province's quarter).
    """
    return tuple(
        with_loader_criteria(
            model, _criterion(condition, unit_ids if model.__name__ == "Unit" else ids)
        )
        for model, condition in _CONDITIONS.items()
    )


def _criterion(condition, ids):
    """Return the condition of these boards as a lambda criterion.

    SQLAlchemy keys it by this lambda's code and its closure: the condition by its
    code (hence one per model, see register) and the ids as a bound parameter.
    """
    return lambda cls: condition(ids)


def _register_core_models():
    from tracker.models.audit import AuditEvent
    from tracker.models.notification import MailPreference, Notification
    from tracker.models.quarter import Quarter
    from tracker.models.report import (
        BriefingMeeting,
        BriefingProposal,
        ImportUpload,
        Organisation,
        QuarterReport,
    )
    from tracker.models.task import Task, TaskUnit, TaskUpdate
    from tracker.models.unit import Unit
    from tracker.models.user import User

    register(Quarter, lambda ids: Quarter.board_id.in_(ids))
    register(Task, lambda ids: Task.quarter_id.in_(quarter_ids(ids)))
    register(TaskUnit, lambda ids: of_boards_tasks(TaskUnit.task_id, ids))
    register(TaskUpdate, lambda ids: of_boards_tasks(TaskUpdate.task_id, ids))
    register(QuarterReport, lambda ids: QuarterReport.quarter_id.in_(quarter_ids(ids)))
    register(BriefingMeeting,
             lambda ids: BriefingMeeting.quarter_id.in_(quarter_ids(ids)))
    register(BriefingProposal, lambda ids: exists().where(
        BriefingMeeting.id == BriefingProposal.meeting_id,
        BriefingMeeting.quarter_id.in_(quarter_ids(ids))))
    register(ImportUpload, lambda ids: ImportUpload.quarter_id.in_(quarter_ids(ids)))
    register(Organisation, lambda ids: Organisation.board_id.in_(ids))
    register(AuditEvent, lambda ids: AuditEvent.board_id.in_(ids))
    register(Notification, lambda ids: Notification.board_id.in_(ids))
    register(MailPreference, lambda ids: MailPreference.user_id.in_(
        select(User.id).where(User.board_id.in_(ids)).scalar_subquery()))
    # A board's accounts are those whose home it is (roles elsewhere are memberships,
    # which installation administrators manage); signing in looks across boards.
    register(User, lambda ids: User.board_id.in_(ids))
    # Outside units (no board) are shared by every board.
    register(Unit, lambda ids: or_(Unit.board_id.in_(ids), Unit.board_id.is_(None)))
    _register_petitions()
    _register_comments()
    _register_congresses()
    _register_follow_up()
    _register_files()
    _register_initiatives()
    _register_saved_searches()


def _register_comments():
    from tracker.models.comment import Comment, CommentRevision
    from tracker.models.token import CalendarToken
    from tracker.models.user import User

    register(Comment, lambda ids: of_boards_tasks(Comment.task_id, ids))
    register(CommentRevision, lambda ids: exists().where(
        Comment.id == CommentRevision.comment_id,
        of_boards_tasks(Comment.task_id, ids),
    ))
    register(CalendarToken, lambda ids: CalendarToken.user_id.in_(
        select(User.id).where(User.board_id.in_(ids)).scalar_subquery()))


def _register_congresses():
    from tracker.models.congress import CongressTerm, CongressTermChange

    register(CongressTerm, lambda ids: CongressTerm.board_id.in_(ids))
    register(CongressTermChange, lambda ids: exists().where(
        CongressTerm.id == CongressTermChange.term_id, CongressTerm.board_id.in_(ids)))



def _register_follow_up():
    from tracker.models.extension import DeadlineExtension
    from tracker.models.watch import Watch

    from sqlalchemy.orm import aliased
    from tracker.models.quarter import Quarter
    from tracker.models.task import Task

    # Aliased (as for petitions): the list of requests joins tasks and quarters.
    task, quarter = aliased(Task, name="scope_ext_task"), aliased(
        Quarter, name="scope_ext_quarter")
    register(DeadlineExtension, lambda ids: exists().where(
        task.id == DeadlineExtension.task_id, task.quarter_id == quarter.id,
        quarter.board_id.in_(ids)))
    # A person's watches are theirs wherever they are; in a board, only its own.
    register(Watch, lambda ids: or_(
        Watch.quarter_id.in_(quarter_ids(ids)),
        of_boards_tasks(Watch.task_id, ids),
    ))


def _register_files():
    from tracker.models.stored_file import StoredFile

    register(StoredFile, lambda ids: of_boards_tasks(StoredFile.task_id, ids))


def _register_initiatives():
    from tracker.models.initiative import Initiative, InitiativeUpdate

    register(Initiative, lambda ids: Initiative.board_id.in_(ids))
    register(InitiativeUpdate, lambda ids: exists().where(
        Initiative.id == InitiativeUpdate.initiative_id, Initiative.board_id.in_(ids),
    ))


def _register_saved_searches():
    from tracker.models.saved_search import SavedSearch

    register(SavedSearch, lambda ids: SavedSearch.board_id.in_(ids))


def _register_petitions():
    from sqlalchemy.orm import aliased

    from tracker.models.petition import Petition, PetitionUpdate
    from tracker.models.quarter import Quarter
    from tracker.models.task import Task

    # Aliased, so that a statement joining tasks and quarters itself (the list of
    # petitions is ordered by quarter) still correlates on the petition only. Made
    # once: every statement the session runs builds these conditions, and a new
    # alias each time cost more than most statements (and defeated their cache).
    task, quarter = aliased(Task, name="scope_task"), aliased(Quarter,
                                                              name="scope_quarter")

    def of_boards_petition_task(ids):
        return exists().where(task.id == Petition.task_id,
                              task.quarter_id == quarter.id,
                              quarter.board_id.in_(ids))

    register(Petition, of_boards_petition_task)
    register(PetitionUpdate, lambda ids: exists().where(
        Petition.id == PetitionUpdate.petition_id, of_boards_petition_task(ids),
    ))


_register_core_models()


# Models whose new rows belong to the board of the scope when none is given.
_OWNED = []


def owned(model, shared=None):
    """Give the model's new rows the writing board unless shared(row) says otherwise."""
    _OWNED.append((model, shared))


def default_board_id(session):
    """Return the board new rows go to: the scope's, else the installation's first.

    Requests always have a scope, and commands name their board (tracker.cli); the
    first board is for code that runs with none, such as a shell on an installation
    of one board.
    """
    writing = session.info.get(WRITING)
    if writing is not None:
        return writing
    from tracker.models.board import Board

    with session.no_autoflush:
        return session.execute(
            select(Board.id).order_by(Board.id).limit(1),
            execution_options={"all_boards": True},
        ).scalar()


@event.listens_for(Session, "before_flush")
def _place_new_rows(session, flush_context, instances):
    """Give new quarters, units, users, settings and events their board."""
    board_id = None
    for obj in session.new:
        for model, shared in _OWNED:
            if not isinstance(obj, model) or obj.board_id is not None:
                continue
            if getattr(obj, "board", None) is not None:
                continue
            if shared is not None and shared(obj):
                continue
            if board_id is None:
                board_id = default_board_id(session)
            obj.board_id = board_id


def _own_core_models():
    from tracker.models.audit import AuditEvent
    from tracker.models.congress import CongressTerm
    from tracker.models.initiative import Initiative
    from tracker.models.quarter import Quarter
    from tracker.models.report import Organisation
    from tracker.models.unit import Unit
    from tracker.models.user import User

    owned(Quarter)
    owned(Organisation)
    owned(CongressTerm)
    owned(AuditEvent)
    owned(Initiative)
    owned(User)
    owned(Unit, shared=lambda unit: unit.kind == "external")


_own_core_models()
