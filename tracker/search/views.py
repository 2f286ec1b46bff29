"""Searching every quarter's tasks, and the searches a person keeps in the menu."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.boards.access import current_board
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import today, translated
from tracker.models import KINDS, STATUSES
from tracker.models.task import STATUS_COLOURS
from tracker.models.unit import COMMUNE
from tracker.search import services
from tracker.search.forms import SavedSearchForm, SavedSearchNameForm
from tracker.tasks.rows import unit_rows
from tracker.tasks.timeliness import TIMELINESS, TIMELINESS_COLOURS

bp = Blueprint("search", __name__, url_prefix="/search")

@bp.app_context_processor
def menu():
    """Give every page the signed-in person's saved searches in the request's board."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"nav_saved_searches": services.saved_searches(current_user,
                                                          current_board())}


def _filter_label(name):
    labels = {
        "kind": _("Kind of work"), "unit": _("Unit"), "role": _("Part in the task"),
        "commune": _("Commune"), "status": _("Status"),
        "timeliness": _("Timeliness"), "from": _("From quarter"),
        "to": _("To quarter"), "page": _("Page"),
    }
    return labels.get(name, name)


@bp.route("", strict_slashes=False)
def index():
    """Search the tasks of every quarter of the board, a page at a time."""
    return _render_search()


def _render_search(save_form=None, rename_form=None, renaming=None, status=200):
    """Render the search page for the request's query string."""
    units = unit_rows()
    filters = services.parse_filters(request.args, units)
    page_number = services.parse_page(request.args.get("page"))
    if page_number is None:
        filters.ignored.append("page")
        page_number = 1
    quarters = services.board_quarters()
    day = today()
    page = services.search_page(filters, quarters, units, day, page=page_number,
                                per_page=services.PAGE_SIZE)
    board = current_board()
    can_save = policy.can_save_search(current_user, board)
    if save_form is None:
        save_form = SavedSearchForm(formdata=None, query=filters.query_string())
    return render_template(
        "search/index.html",
        filters=filters,
        kept=filters.args(),
        ignored=[_filter_label(name) for name in filters.ignored],
        page=page,
        quarters=quarters,
        units=[unit for unit in units.values() if unit.is_active],
        communes=[unit for unit in units.values()
                  if unit.kind == COMMUNE and unit.is_active],
        kinds=translated(KINDS),
        statuses=translated(STATUSES),
        status_colours=STATUS_COLOURS,
        timeliness_labels=translated(TIMELINESS),
        timeliness_colours=TIMELINESS_COLOURS,
        roles=_roles(),
        today=day,
        can_save=can_save,
        save_form=save_form,
        rename_form=rename_form or SavedSearchNameForm(formdata=None),
        renaming=renaming,
        small_form=Form(),
        saved=services.saved_searches(current_user, board) if can_save else [],
    ), status


def _roles():
    return {
        "lead": _("Leads it"),
        "coordinating": _("Coordinates it"),
        "participating": _("Takes a share"),
    }


def _check_can_save():
    if not policy.can_save_search(current_user, current_board()):
        abort(403)


@bp.route("/saved", methods=["POST"])
def save():
    """Keep the current search's filters under a name, for this person and board."""
    _check_can_save()
    board = current_board()
    form = SavedSearchForm()
    valid = form.validate_on_submit()
    filters = services.filters_of_query(form.query.data, unit_rows())
    if valid and filters.ignored:
        # The page offers only what it understood: anything else was not typed there.
        form.name.errors.append(_("Some values in the address were not understood "
                                  "and were left out: %(names)s.", names=", ".join(
                                      _filter_label(name) for name in filters.ignored)))
        valid = False
    if valid and services.name_taken(current_user, board, form.name.data):
        form.name.errors.append(_("You already keep a search of this name."))
        valid = False
    if valid and services.saved_count(current_user, board) >= services.MAX_SAVED:
        form.name.errors.append(_("You keep %(num)d searches already: forget one "
                                  "first.", num=services.MAX_SAVED))
        valid = False
    if not valid:
        return _render_search(save_form=form, status=400)
    query = filters.query_string()
    saved = services.save_search(current_user, board, form.name.data, query)
    db.session.commit()
    flash(_("The search “%(name)s” is kept in the menu.", name=saved.name), "success")
    return redirect(url_for("search.index") + ("?" + query if query else ""))


@bp.route("/saved/<int:saved_id>/rename", methods=["POST"])
def rename(saved_id):
    """Give one of the person's saved searches a new name."""
    _check_can_save()
    saved = services.get_own_or_404(current_user, saved_id)
    form = SavedSearchNameForm()
    valid = form.validate_on_submit()
    if valid and services.name_taken(current_user, current_board(), form.name.data,
                                     except_id=saved.id):
        form.name.errors.append(_("You already keep a search of this name."))
        valid = False
    if not valid:
        return _render_search(rename_form=form, renaming=saved.id, status=400)
    services.rename_search(saved, form.name.data)
    db.session.commit()
    flash(_("The search is now called “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("search.index") + "#saved-searches")


@bp.route("/saved/<int:saved_id>/delete", methods=["POST"])
def delete(saved_id):
    """Forget one of the person's saved searches."""
    _check_can_save()
    saved = services.get_own_or_404(current_user, saved_id)
    form = Form()
    if not form.validate_on_submit():
        abort(400)
    name = saved.name
    services.delete_search(saved)
    db.session.commit()
    flash(_("The search “%(name)s” is forgotten.", name=name), "success")
    return redirect(url_for("search.index") + "#saved-searches")
