"""Creating, changing and merging boards; the tree a parent reads its children from.

Every read here sees all boards (execution option all_boards): these functions are
about the tree itself, and the views that call them check who may do so.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models import Board, Organisation, Quarter, Task, Unit, User
from tracker.models.audit import record
from tracker.models.board import CODE_PATTERN
from tracker.models.guard import unlocked
from tracker.text import fold

ALL = {"all_boards": True}
BOARD_FIELDS = ("code", "name", "level", "parent_id", "sort_order")


class BoardError(Exception):
    """A change to the boards that cannot be made; the message says why."""


def all_boards():
    """Return every board in display order."""
    return db.session.scalars(
        select(Board).order_by(Board.sort_order, Board.name), execution_options=ALL
    ).all()


def get_board(code):
    """Return the board with the code, or None."""
    return db.session.scalar(
        select(Board).where(Board.code == code), execution_options=ALL
    )


def get_board_by_id(board_id):
    """Return the board with the id, or None."""
    return db.session.scalar(
        select(Board).where(Board.id == board_id), execution_options=ALL
    )


def children_of(board):
    """Return the active and merged boards right below the board, in display order."""
    return db.session.scalars(
        select(Board).where(Board.parent_id == board.id)
        .order_by(Board.sort_order, Board.name),
        execution_options=ALL,
    ).all()


def descendant_ids(board, boards=None):
    """Return the ids of every board below the board (children, theirs, …)."""
    boards = boards if boards is not None else all_boards()
    below = {}
    for item in boards:
        below.setdefault(item.parent_id, []).append(item.id)
    found, todo = [], list(below.get(board.id, []))
    while todo:
        board_id = todo.pop()
        if board_id in found:
            continue
        found.append(board_id)
        todo.extend(below.get(board_id, []))
    return found


def slug(text):
    """Return a board code made from a name: "Sơn Tịnh" -> "son-tinh"."""
    words = "".join(c if c.isalnum() else " " for c in fold(text or "")).split()
    return "-".join(words)[:40].strip("-")


def check_code(code, except_id=None):
    """Raise BoardError unless the code is well formed and free."""
    if not CODE_PATTERN.match(code or ""):
        raise BoardError(_(
            "A board's code is 1 to 40 lower-case letters, digits and hyphens, "
            "e.g. son-tinh."
        ))
    taken = db.session.scalar(
        select(Board.id).where(Board.code == code), execution_options=ALL
    )
    if taken is not None and taken != except_id:
        raise BoardError(_("Another board already has the code %(code)s.", code=code))


def _check_parent(board, parent_id):
    if parent_id is None:
        return
    if board.id is not None and (
        parent_id == board.id or parent_id in descendant_ids(board)
    ):
        raise BoardError(_("A board cannot be placed below itself."))
    if get_board_by_id(parent_id) is None:
        raise BoardError(_("The parent board does not exist."))


def create_board(data, actor):
    """Add a board with its report settings, record it, and return it."""
    check_code(data["code"])
    board = Board(is_active=True)
    _check_parent(board, data.get("parent_id"))
    for name in BOARD_FIELDS:
        if name in data:
            setattr(board, name, data[name])
    db.session.add(board)
    db.session.flush()
    db.session.add(Organisation(
        board_id=board.id, superior_body="", issuing_body="BAN DÂN VẬN",
        issuer_code="", place="", signer_name="", recipients="",
    ))
    record(board, "created", actor, changes={
        name: [None, getattr(board, name)] for name in BOARD_FIELDS
    }).board_id = board.id
    db.session.flush()
    return board


def update_board(board, data, actor):
    """Change a board's names, code, level or place in the tree; record what changed."""
    if "code" in data:
        check_code(data["code"], except_id=board.id)
    if "parent_id" in data:
        _check_parent(board, data["parent_id"])
    changes = {}
    for name in BOARD_FIELDS:
        if name in data and getattr(board, name) != data[name]:
            changes[name] = [getattr(board, name), data[name]]
            setattr(board, name, data[name])
    if changes:
        record(board, "updated", actor, changes=changes).board_id = board.id
    db.session.flush()
    return changes


def merge_boards(absorbed, into, from_key, actor):
    """Merge a board into another from a quarter on; the absorbed one's record stays.

    The absorbed board keeps every quarter before from_key exactly as issued (they
    must all be closed) and becomes read-only. Its quarters from from_key on, not yet
    reported, move to the continuing board (their tasks joining that board's quarter
    of the same key); its units and accounts continue there too.
    """
    from tracker.models.quarter import parse_key

    parsed = parse_key(from_key)
    if parsed is None:
        raise BoardError(_("Give the first quarter of the merged board, e.g. 2025-Q3."))
    if absorbed.id == into.id:
        raise BoardError(_("A board cannot be merged into itself."))
    if absorbed.is_merged or into.is_merged:
        raise BoardError(_("A board that was merged already cannot be merged again."))
    if absorbed.id in descendant_ids(into) or into.id in descendant_ids(absorbed):
        raise BoardError(_("Boards above or below each other cannot be merged."))
    index = parsed[0] * 4 + parsed[1]
    quarters = db.session.scalars(
        select(Quarter).where(Quarter.board_id == absorbed.id), execution_options=ALL
    ).all()
    before = [q for q in quarters if q.year * 4 + q.number < index]
    later = [q for q in quarters if q.year * 4 + q.number >= index]
    still_open = [q for q in before if not q.is_closed]
    if still_open:
        raise BoardError(_(
            "Close %(quarter)s of %(board)s first: its reports are issued before the "
            "merge.", quarter=still_open[0].label, board=absorbed.name,
        ))
    if any(q.is_closed for q in later):
        raise BoardError(_(
            "%(board)s has closed quarters from %(quarter)s on: merge from a later "
            "quarter.", board=absorbed.name, quarter=from_key,
        ))
    units = db.session.scalars(
        select(Unit).where(Unit.board_id == absorbed.id), execution_options=ALL
    ).all()
    taken = {
        (name, short) for name, short in db.session.execute(
            select(Unit.name, Unit.short_name).where(Unit.board_id == into.id),
            execution_options=ALL,
        )
    }
    names = {name for name, _ in taken}
    shorts = {short for _, short in taken}
    clash = [unit.name for unit in units if unit.name in names or unit.short_name in shorts]
    if clash:
        raise BoardError(_(
            "Both boards have a unit called %(name)s: rename one before merging.",
            name=clash[0],
        ))
    from tracker.models import BriefingMeeting, QuarterReport

    # A briefing meeting's record is part of its quarter's report settings.
    written = later and any(
        db.session.scalar(
            select(model.id).where(model.quarter_id.in_([q.id for q in later])),
            execution_options=ALL,
        ) is not None
        for model in (QuarterReport, BriefingMeeting)
    )
    if written:
        raise BoardError(_(
            "%(board)s has report settings for a quarter from %(quarter)s on: merge "
            "from a later quarter, or clear them first.", board=absorbed.name,
            quarter=from_key,
        ))
    moved_tasks = 0
    with unlocked(db.session):
        for quarter in later:
            target = db.session.scalar(
                select(Quarter).where(Quarter.board_id == into.id,
                                      Quarter.year == quarter.year,
                                      Quarter.number == quarter.number),
                execution_options=ALL,
            )
            if target is None:
                quarter.board_id = into.id
                continue
            moved_tasks += db.session.execute(
                update(Task).where(Task.quarter_id == quarter.id)
                .values(quarter_id=target.id),
                execution_options=ALL,
            ).rowcount
            db.session.delete(quarter)
        for unit in units:
            unit.board_id = into.id
        db.session.execute(
            update(User).where(User.board_id == absorbed.id).values(board_id=into.id),
            execution_options=ALL,
        )
        absorbed.merged_into_id = into.id
        absorbed.continues_from = from_key
        absorbed.is_active = False
        for board in (absorbed, into):
            record(board, "merged", actor, changes={
                "absorbed": absorbed.code, "into": into.code, "from": from_key,
                "quarters_moved": len(later), "tasks_moved": moved_tasks,
                "units_moved": len(units),
            }).board_id = board.id
        db.session.flush()
    return dict(quarters=len(later), tasks=moved_tasks, units=len(units))


def quarter_counts(board_ids):
    """Return {board id: number of quarters} for the boards, in one statement."""
    return dict(db.session.execute(
        select(Quarter.board_id, func.count()).where(Quarter.board_id.in_(board_ids))
        .group_by(Quarter.board_id),
        execution_options=ALL,
    ).all())


def members(board):
    """Return the board's memberships (accounts whose home is another board)."""
    from sqlalchemy.orm import joinedload

    from tracker.models import BoardMember

    return db.session.scalars(
        select(BoardMember).where(BoardMember.board_id == board.id)
        .options(joinedload(BoardMember.user)).join(BoardMember.user)
        .order_by(User.username),
        execution_options=ALL,
    ).all()


def home_accounts(board):
    """Return the accounts whose home board this is, by username."""
    return db.session.scalars(
        select(User).where(User.board_id == board.id).order_by(User.username),
        execution_options=ALL,
    ).all()


def add_member(board, username, role, actor):
    """Give an existing account a role in the board (or change it); return it."""
    from tracker.models import BoardMember

    user = db.session.scalar(
        select(User).where(User.username == username), execution_options=ALL
    )
    if user is None:
        raise BoardError(_("There is no account %(user)s.", user=username))
    if user.board_id == board.id:
        raise BoardError(_(
            "%(user)s works in this board already: change their role on the accounts "
            "page.", user=username,
        ))
    member = db.session.scalar(
        select(BoardMember).where(BoardMember.board_id == board.id,
                                  BoardMember.user_id == user.id),
        execution_options=ALL,
    )
    old = member.role if member is not None else None
    if member is None:
        member = BoardMember(board_id=board.id, user_id=user.id, role=role)
        db.session.add(member)
    member.role = role
    if old != role:
        record(board, "member", actor, changes={
            "user": user.username, "role": [old, role],
        }).board_id = board.id
    db.session.flush()
    return member


def remove_member(member, actor):
    """Take away an account's role in a board other than its home."""
    board = get_board_by_id(member.board_id)
    record(board, "member", actor, changes={
        "user": member.user.username, "role": [member.role, None],
    }).board_id = board.id
    db.session.delete(member)
    db.session.flush()
