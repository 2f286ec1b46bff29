"""Boards: the ones a person may open, and the installation administrators' pages."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.boards import access, services
from tracker.boards.forms import BoardForm, MemberForm, MergeForm
from tracker.boards.urls import board_path
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import translated
from tracker.models import USER_ROLES, BoardMember

bp = Blueprint("boards", __name__)


@bp.app_context_processor
def inject_board():
    """Give the layout the request's board and whether it is the user's own."""
    board = access.current_board()
    home = getattr(current_user, "board_id", None)
    return {
        "current_board": board,
        "visiting_board": board is not None and board.id != home,
        "board_url": board_path,
        "nav_boards": policy.can_manage_boards(current_user),
        "role_labels": translated(USER_ROLES),
    }


@bp.route("/boards/")
def index():
    """List the boards the user may open, as a tree, each with the user's role."""
    return render_template(
        "boards/index.html", boards=access.readable_boards(current_user),
    )


def _require_manager():
    if not policy.can_manage_boards(current_user):
        abort(403)


def _board_or_404(board_id):
    board = services.get_board_by_id(board_id)
    if board is None:
        abort(404)
    return board


@bp.route("/admin/boards/")
def admin_list():
    """List every board of the installation, with its accounts and quarters."""
    _require_manager()
    boards = services.all_boards()
    tree = access.readable_boards(current_user)
    return render_template(
        "boards/admin_list.html", tree=tree,
        quarters=services.quarter_counts([board.id for board in boards]),
    )


@bp.route("/admin/boards/new", methods=["GET", "POST"])
def new():
    """Create a board."""
    _require_manager()
    form = BoardForm(boards=services.all_boards())
    error = None
    if form.validate_on_submit():
        try:
            board = services.create_board(form.board_data(), current_user)
        except services.BoardError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("The board %(board)s has been created.", board=board.name),
                  "success")
            return redirect(url_for("boards.edit", board_id=board.id))
    status = 400 if request.method == "POST" else 200
    return render_template("boards/form.html", board=None, form=form,
                           error=error), status


def _render_edit(board, form=None, merge_form=None, member_form=None, error=None,
                 status=200):
    others = [item for item in services.all_boards() if item.id != board.id]
    if form is None:
        form = BoardForm(formdata=None, obj=board, boards=others)
    return render_template(
        "boards/form.html", board=board, form=form, error=error,
        merge_form=merge_form or MergeForm(formdata=None, boards=others),
        member_form=member_form or MemberForm(formdata=None),
        members=services.members(board), accounts=services.home_accounts(board),
        action_form=Form(),
    ), status


@bp.route("/admin/boards/<int:board_id>", methods=["GET", "POST"])
def edit(board_id):
    """Show a board; change its name, code, level or parent."""
    _require_manager()
    board = _board_or_404(board_id)
    if request.method == "GET":
        return _render_edit(board)
    others = [item for item in services.all_boards() if item.id != board.id]
    form = BoardForm(boards=others)
    if not form.validate_on_submit():
        return _render_edit(board, form=form, status=400)
    try:
        changes = services.update_board(board, form.board_data(), current_user)
    except services.BoardError as exc:
        db.session.rollback()
        return _render_edit(board, form=form, error=str(exc), status=400)
    db.session.commit()
    flash(_("The board has been saved.") if changes else _("Nothing was changed."),
          "success" if changes else "info")
    return redirect(url_for("boards.edit", board_id=board.id))


@bp.route("/admin/boards/<int:board_id>/merge", methods=["POST"])
def merge(board_id):
    """Merge the board into another from a quarter on."""
    _require_manager()
    board = _board_or_404(board_id)
    others = [item for item in services.all_boards() if item.id != board.id]
    form = MergeForm(boards=others)
    if not form.validate_on_submit():
        return _render_edit(board, merge_form=form, status=400)
    into = _board_or_404(form.into.data)
    try:
        moved = services.merge_boards(board, into, form.from_key.data, current_user)
    except services.BoardError as exc:
        db.session.rollback()
        return _render_edit(board, merge_form=form, error=str(exc), status=400)
    db.session.commit()
    flash(_("%(board)s has been merged into %(into)s: %(quarters)d quarters, "
            "%(units)d units moved.", board=board.name, into=into.name,
            quarters=moved["quarters"], units=moved["units"]), "success")
    return redirect(url_for("boards.edit", board_id=board.id))


@bp.route("/admin/boards/<int:board_id>/members", methods=["POST"])
def add_member(board_id):
    """Give an account of another board a role in this one."""
    _require_manager()
    board = _board_or_404(board_id)
    form = MemberForm()
    if not form.validate_on_submit():
        return _render_edit(board, member_form=form, status=400)
    try:
        services.add_member(board, form.username.data, form.role.data, current_user)
    except services.BoardError as exc:
        db.session.rollback()
        return _render_edit(board, member_form=form, error=str(exc), status=400)
    db.session.commit()
    flash(_("%(user)s now has a role in %(board)s.", user=form.username.data,
            board=board.name), "success")
    return redirect(url_for("boards.edit", board_id=board.id))


@bp.route("/admin/boards/<int:board_id>/members/<int:member_id>/remove",
          methods=["POST"])
def remove_member(board_id, member_id):
    """Take away an account's role in this board."""
    _require_manager()
    board = _board_or_404(board_id)
    if not Form().validate_on_submit():
        abort(400)
    member = db.session.get(BoardMember, member_id)
    if member is None or member.board_id != board.id:
        abort(404)
    services.remove_member(member, current_user)
    db.session.commit()
    flash(_("The role has been removed."), "success")
    return redirect(url_for("boards.edit", board_id=board.id))
