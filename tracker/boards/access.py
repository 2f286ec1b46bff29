"""Which board a request is about, and what the signed-in user may do there.

Addresses may name a board: /b/<code>/quarters/… serves /quarters/… for that board
(tracker.boards.urls moves the prefix into the script root, so every link a page
draws stays in the board). Without a prefix a request is about the user's home board:
today's addresses keep working for a user of one board.

A user's role in a board is their role in their home board, or a membership's; a
board below one of those (a province's districts) or merged into one of those is
readable (role "viewer"): a parent sees its children read-only. An installation
administrator administers every board. Anyone else gets 404 for the board's pages.
"""
from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import select

from tracker.boards import scope
from tracker.boards.urls import BOARD_CODE_KEY
from tracker.extensions import db
from tracker.models import Board

READ_ONLY = "viewer"


def ancestors(board):
    """Return the board's parents, nearest first."""
    found = []
    seen = {board.id}
    parent = board.parent
    while parent is not None and parent.id not in seen:
        found.append(parent)
        seen.add(parent.id)
        parent = parent.parent
    return found


def successors(board):
    """Return the boards this one was merged into, nearest first."""
    found = []
    seen = {board.id}
    nxt = board.merged_into
    while nxt is not None and nxt.id not in seen:
        found.append(nxt)
        seen.add(nxt.id)
        nxt = nxt.merged_into
    return found


def own_roles(user):
    """Return {board id: role} for the user's home board and memberships."""
    roles = {member.board_id: member.role for member in user.memberships}
    roles[user.board_id] = user.role
    return roles


def role_in(user, board):
    """Return the user's role in the board, or None if they may not see it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_installation_admin", False):
        role = "admin"
    elif board.id == user.board_id:
        role = user.role
    else:
        roles = own_roles(user)
        role = roles.get(board.id)
        if role is None:
            related = ancestors(board) + successors(board)
            if any(other.id in roles for other in related):
                role = READ_ONLY
    if role is not None and board.is_merged:
        return READ_ONLY  # a merged board's record stays as it was issued
    return role


def readable_boards(user):
    """Return the boards the user may open, as a flat list in tree order."""
    boards = db.session.scalars(
        select(Board).order_by(Board.sort_order, Board.name),
        execution_options={"all_boards": True},
    ).all()
    children = {}
    for board in boards:
        children.setdefault(board.parent_id, []).append(board)
    ordered = []

    def walk(parent_id, depth):
        for board in children.get(parent_id, []):
            ordered.append((board, depth))
            walk(board.id, depth + 1)

    walk(None, 0)
    return [(board, depth, role_in(user, board)) for board, depth in ordered
            if role_in(user, board) is not None]


def resolve_request_board():
    """Find the request's board, check the user may see it, and scope the session.

    Runs after the sign-in check. Anonymous requests (the sign-in page) see no board.
    """
    g.board = None
    g.saved_board_scope = scope.saved_scope(db.session())
    if not current_user.is_authenticated:
        return None
    code = request.environ.get(BOARD_CODE_KEY)
    if code is None:
        board = current_user.board
    else:
        board = db.session.scalar(
            select(Board).where(Board.code == code),
            execution_options={"all_boards": True},
        )
        if board is None:
            abort(404)
    role = role_in(current_user, board)
    if role is None:
        abort(404)
    g.board = board
    # The policy (tracker.auth.policy) reads the role in this board from the user.
    current_user.board_role = role
    # Seen from a board above, or a merged board's record: read, never written to,
    # even where a viewer of the board itself may write (a task's discussion).
    current_user.board_read_only = board.is_merged or (
        board.id != current_user.board_id
        and not getattr(current_user, "is_installation_admin", False)
        and board.id not in own_roles(current_user))
    scope.set_scope(
        db.session(), [board.id], writing=board.id,
        unit_ids=[board.id] + [other.id for other in successors(board)],
    )
    return None


def forget_request_board(exc=None):
    """Put back the scope the session had before the request (it may outlive it)."""
    saved = g.pop("saved_board_scope", None)
    if saved is not None:
        scope.restore_scope(db.session(), saved)


def current_board():
    """Return the board of the current request, or None outside one."""
    return g.get("board")
