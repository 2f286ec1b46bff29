"""Quarter list, quarter board, and opening a quarter."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import today
from tracker.models import KINDS, STATUSES
from tracker.quarters import services
from tracker.quarters.forms import QuarterForm
from tracker.tasks import services as task_services

bp = Blueprint("quarters", __name__, url_prefix="/quarters")


@bp.route("/")
def index():
    """List every quarter, newest first, with task counts per status."""
    quarters = services.list_quarters()
    counts = services.status_counts_by_quarter()
    form = QuarterForm() if policy.can_manage_quarter(current_user) else None
    if form is not None and not form.year.data:
        form.year.data = today().year
    return render_template(
        "quarters/index.html", quarters=quarters, counts=counts, statuses=STATUSES,
        form=form,
    )


@bp.route("/new", methods=["POST"])
def create():
    """Open a new quarter in the planning state."""
    if not policy.can_manage_quarter(current_user):
        abort(403)
    form = QuarterForm()
    if not form.validate_on_submit():
        quarters = services.list_quarters()
        counts = services.status_counts_by_quarter()
        return render_template(
            "quarters/index.html", quarters=quarters, counts=counts,
            statuses=STATUSES, form=form,
        ), 400
    quarter = services.create_quarter(form.year.data, form.number.data)
    db.session.commit()
    flash(_("%(quarter)s has been opened.", quarter=quarter.label), "success")
    return redirect(url_for("quarters.board", key=quarter.key))


def _parse_filters(args, units):
    """Return the board filters from the query string, ignoring unknown values."""
    unit_ids = {unit.id for unit in units}
    unit_id = args.get("unit", type=int)
    kind = args.get("kind") or None
    status = args.get("status") or None
    q = (args.get("q") or "").strip()[:200]
    return {
        "unit_id": unit_id if unit_id in unit_ids else None,
        "kind": kind if kind in KINDS else None,
        "status": status if status in STATUSES else None,
        "q": q or None,
    }


@bp.route("/<key>/")
def board(key):
    """Show the quarter's tasks grouped by kind, with filters and search."""
    quarter = services.get_quarter_or_404(key)
    units = task_services.active_units()
    filters = _parse_filters(request.args, units)
    tasks = task_services.board_tasks(quarter, **filters)
    cutoff = quarter.cutoff(today())
    return render_template(
        "quarters/board.html",
        quarter=quarter,
        groups=task_services.group_by_kind(tasks),
        task_count=len(tasks),
        units=units,
        filters=filters,
        kinds=KINDS,
        statuses=STATUSES,
        cutoff=cutoff,
        can_create=policy.can_create_task(current_user, quarter),
        can_manage=policy.can_manage_quarter(current_user),
        state_form=Form(),
    )


@bp.route("/<key>/state", methods=["POST"])
def change_state(key):
    """Move an open quarter between planning and in progress."""
    quarter = services.get_quarter_or_404(key)
    if not policy.can_manage_quarter(current_user) or quarter.is_closed:
        abort(403)
    form = Form()
    state = request.form.get("state")
    if not form.validate_on_submit() or state not in ("planning", "active"):
        abort(400)
    services.set_state(quarter, state)
    db.session.commit()
    flash(_("The quarter's state has been changed."), "success")
    return redirect(url_for("quarters.board", key=quarter.key))
