"""Quarter list, quarter board, and opening a quarter."""
from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from tracker import page_cache
from tracker.confirm import confirmation_page, wants_review
from tracker.auth import policy
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import fmt_date, fmt_percent, quarter_label, today, translated
from tracker.models import (
    INITIATIVE_FIELDS,
    KINDS,
    PETITION_FIELDS,
    QUARTER_STATES,
    STATUSES,
)
from tracker.models.task import ACK_DAYS, STATUS_COLOURS
from tracker.models.unit import COMMUNE
from tracker.quarters import services
from tracker.quarters.forms import QuarterForm
from tracker.tasks import services as task_services
from tracker.tasks.timeliness import TIMELINESS, TIMELINESS_COLOURS
from tracker.text import row_id

bp = Blueprint("quarters", __name__, url_prefix="/quarters")


@bp.route("/")
@page_cache.cached_page
def index():
    """List every quarter, newest first, with task counts per status."""
    form = QuarterForm() if policy.can_open_quarter(current_user) else None
    if form is not None and not form.year.data:
        form.year.data = today().year
    return _render_index(form)


def _render_index(form, status=200):
    """Render the quarter list with counts, completion rates and carried work.

    Open quarters are counted as of ?as_of= (else today); closed ones show the
    figures stored when they closed, judged at the day after their last day.
    """
    from tracker.figures.counting import list_counts
    from tracker.figures.services import requested_as_of

    as_of = requested_as_of()
    cutoff = as_of or today()
    quarters, page, pages = services.quarters_page(request.args.get("page", type=int))
    counts = {}
    for quarter_id, figures in list_counts(quarters, cutoff).items():
        statuses = figures["statuses"]
        counts[quarter_id] = dict(
            figures, statuses=defaultdict(int, statuses), total=sum(statuses.values()),
            rate_text=fmt_percent(figures["rate"]),
        )
    return render_template(
        "quarters/index.html", quarters=quarters, statuses=translated(STATUSES),
        state_labels=translated(QUARTER_STATES), form=form, page=page, pages=pages,
        counts=counts, cutoff=cutoff, as_of=as_of,
    ), status


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Open a new quarter in the planning state."""
    if request.method == "GET":
        # A refused form is shown at this address: reloading it goes back to the list.
        return redirect(url_for("quarters.index") + "#new-quarter")
    if not policy.can_open_quarter(current_user):
        abort(403)
    form = QuarterForm()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    quarter = services.create_quarter(form.year.data, form.number.data, current_user)
    db.session.commit()
    flash(_("%(quarter)s has been opened.", quarter=quarter.label), "success")
    return redirect(url_for("quarters.board", key=quarter.key))


def _parse_filters(args):
    """Return the board filters from the query string, ignoring unknown values.

    The unit is only read as a number here; the board checks it against the units.
    """
    kind = args.get("kind") or None
    status = args.get("status") or None
    timeliness = args.get("timeliness") or None
    q = (args.get("q") or "").strip()[:200]
    return {
        "unit_id": args.get("unit", type=int),
        "commune_id": row_id(args.get("commune")),
        "kind": kind if kind in KINDS else None,
        "status": status if status in STATUSES else None,
        "timeliness": timeliness if timeliness in TIMELINESS else None,
        "q": q or None,
        "archived": args.get("archived") == "1",
    }


def _parse_paging(args):
    """Return the board's page, page size and order from the query string.

    Anything unknown falls back to the first page of the default size in plan order.
    """
    per_page = args.get("per_page", type=int)
    sort = args.get("sort")
    return {
        "page": max(1, min(args.get("page", 1, type=int), 100_000)),
        "per_page": per_page if per_page in task_services.PAGE_SIZES
        else task_services.PAGE_SIZE,
        "sort": sort if sort in task_services.SORTS else "plan",
    }


@bp.route("/<key>/")
@page_cache.cached_page
def board(key):
    """Show the quarter's tasks grouped by kind, with filters and search."""
    # The data token came with the signed-in user, before anything read here.
    quarter, next_quarter, watching = services.get_quarter_and_next_or_404(
        key, current_user)
    cutoff = quarter.cutoff(today())
    return render_template(
        "quarters/board.html",
        quarter=quarter,
        tasks_part=_board_tasks_part(quarter, cutoff, request.args),
        can_create=policy.can_create_task(current_user, quarter),
        can_change_state=policy.can_change_quarter_state(current_user, quarter),
        can_close=policy.can_close_quarter(current_user, quarter)
        and not quarter.is_closed,
        state_form=Form(),
        can_watch=policy.can_watch(current_user, quarter),
        watching=watching,
        can_plan_next=policy.can_change_data(current_user)
        and policy.can_plan_next(current_user, next_quarter),
    )


def _board_tasks_part(quarter, cutoff, args):
    """Return the board's filters and tasks, rendered or from the page cache.

    A search is rendered every time: its words are too many to keep a part for each.
    """
    from tracker.figures.counting import counted_live, headline_of, headlines
    from tracker.tasks.rows import unit_rows

    filters = _parse_filters(args)
    paging = _parse_paging(args)

    def render():
        all_units = unit_rows()
        units = [unit for unit in all_units.values() if unit.is_active]
        if filters["unit_id"] not in {unit.id for unit in units}:
            filters["unit_id"] = None
        commune_kind = COMMUNE
        communes = [unit for unit in units if unit.kind == commune_kind]
        if filters["commune_id"] not in {unit.id for unit in all_units.values()
                                         if unit.kind == commune_kind}:
            filters["commune_id"] = None
        # Unfiltered, the page's tasks are the whole quarter's: the statement that
        # counts their kinds counts the headline's classes too (an open quarter's;
        # a closed one's headline is the one stored at its close).
        whole_counted = not any(filters.values()) and counted_live(quarter)
        page = task_services.board_page(
            quarter, units=all_units, cutoff=cutoff,
            classes_at=cutoff if whole_counted else None, **paging, **filters)
        if paging["sort"] == "due":
            groups = [("due", _("By due date"), page.tasks)] if page.tasks else []
        else:
            groups = task_services.group_by_kind(page.tasks)
        # The page's links keep every filter but the page itself.
        kept = {key: value for key, value in dict(
            q=filters["q"], unit=filters["unit_id"], commune=filters["commune_id"],
            kind=filters["kind"],
            status=filters["status"], timeliness=filters["timeliness"],
            archived="1" if filters["archived"] else None,
            per_page=paging["per_page"] if paging["per_page"]
            != task_services.PAGE_SIZE else None,
            sort=paging["sort"] if paging["sort"] != "plan" else None,
        ).items() if value}
        return render_template(
            "quarters/_board_tasks.html",
            quarter=quarter,
            groups=groups,
            kind_counts=dict(page.kind_counts, due=page.total),
            task_count=page.total,
            page=page,
            kept=kept,
            paging=paging,
            page_sizes=task_services.PAGE_SIZES,
            whole=headline_of(quarter, page.classes) if whole_counted
            else headlines([quarter], cutoff)[quarter.id],
            units=units,
            communes=communes,
            filters=filters,
            kinds=translated(KINDS),
            statuses=translated(STATUSES),
            status_labels=translated(STATUSES),
            status_colours=STATUS_COLOURS,
            timeliness_labels=translated(TIMELINESS),
            timeliness_colours=TIMELINESS_COLOURS,
            cutoff=cutoff,
        )

    if filters["q"]:
        return Markup(render())
    return page_cache.fragment(
        "board", (quarter.id, quarter.state, cutoff, sorted(filters.items()),
                  sorted(paging.items())), render
    )


@bp.route("/<key>/state", methods=["POST"])
def change_state(key):
    """Move an open quarter between planning and in progress."""
    quarter = services.get_quarter_or_404(key)
    if not policy.can_change_quarter_state(current_user, quarter):
        abort(403)
    form = Form()
    state = request.form.get("state")
    if not form.validate_on_submit() or state not in ("planning", "active"):
        abort(400)
    services.set_state(quarter, state, current_user)
    db.session.commit()
    flash(_("The quarter's state has been changed."), "success")
    return redirect(url_for("quarters.board", key=quarter.key))


def _close_decisions(form_data, plan):
    """Read each task's choice and note from the close form; None if malformed."""
    from tracker.quarters.rollover import ACTIONS, CARRY

    decisions, notes = {}, {}
    carry_all = "carry_all" in form_data
    for item in plan:
        if item.is_carried:
            continue
        task_id = item.task.id
        action = CARRY if carry_all else form_data.get(f"action-{task_id}", CARRY)
        if action not in ACTIONS:
            return None, None
        decisions[task_id] = action
        notes[task_id] = (form_data.get(f"note-{task_id}") or "")[:2000]
    return decisions, notes


def _ended_without_reason(decisions, notes):
    """Return the ids of tasks ended here without a reason: ending needs one."""
    from tracker.quarters.rollover import CARRY

    return [task_id for task_id, action in decisions.items()
            if action != CARRY and not (notes.get(task_id) or "").strip()]


def _confirm_close(quarter, plan, decisions, notes):
    """Say what closing will do: read-only, how many carried and ended, to where."""
    from tracker.models import CLOSING_REASONS
    from tracker.quarters.rollover import CARRY

    todo = [item.task for item in plan if not item.is_carried]
    carried = [task for task in todo if decisions[task.id] == CARRY]
    ended = [task for task in todo if decisions[task.id] != CARRY]
    next_label = quarter_label(*quarter.next_key())
    reasons = translated(CLOSING_REASONS)
    consequences = [
        _("%(quarter)s becomes read-only: its tasks, their history and its figures "
          "(judged as of %(date)s) can no longer change; only an administrator can "
          "reopen it.", quarter=quarter.label, date=fmt_date(quarter.closed_cutoff)),
        ngettext("%(num)d task is carried to %(next)s.",
                 "%(num)d tasks are carried to %(next)s.", len(carried),
                 next=next_label),
        ngettext("%(num)d task ends here, with its reason.",
                 "%(num)d tasks end here, with their reasons.", len(ended)),
    ]
    if services.find_quarter(*quarter.next_key()) is None:
        consequences.append(_("%(next)s is opened to receive the carried work.",
                              next=next_label))
    items = [(task.title, f"{reasons.get(decisions[task.id], '')}: {notes[task.id]}")
             for task in ended]
    return confirmation_page(
        _("Close %(quarter)s?", quarter=quarter.label), consequences,
        url_for("quarters.close", key=quarter.key),
        _("Yes, close %(quarter)s", quarter=quarter.label), items,
    )


@bp.route("/<key>/close", methods=["GET", "POST"])
def close(key):
    """Show the close plan of a quarter and carry it out."""
    from tracker.quarters.rollover import (
        RolloverError, check_can_close, close_plan, close_quarter,
    )
    from tracker.models import CLOSING_REASONS

    quarter = services.get_quarter_or_404(key)
    if not policy.can_close_quarter(current_user, quarter):
        abort(403)
    plan = close_plan(quarter) if not quarter.is_closed else []
    form = Form()
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        decisions, notes = _close_decisions(request.form, plan)
        if decisions is None:
            error = _("Unknown choice for a task.")
        elif _ended_without_reason(decisions, notes):
            error = _("Give the reason for every task that ends here: %(tasks)s.",
                      tasks=", ".join(f"#{task_id}" for task_id in
                                      _ended_without_reason(decisions, notes)))
        elif wants_review():
            try:
                check_can_close(quarter)
            except RolloverError as exc:
                error = str(exc)
            else:
                return _confirm_close(quarter, plan, decisions, notes)
        else:
            try:
                result = close_quarter(quarter, decisions, current_user, notes)
            except RolloverError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                carried, closed = len(result.carried), len(result.closed)
                flash(
                    _("%(quarter)s is closed: %(carried)s, %(closed)s.",
                      quarter=quarter.label,
                      carried=ngettext("%(num)d task carried to %(next)s",
                                       "%(num)d tasks carried to %(next)s", carried,
                                       next=result.next_quarter.label),
                      closed=ngettext("%(num)d closed here", "%(num)d closed here",
                                      closed)),
                    "success",
                )
                return redirect(url_for("quarters.rollover", key=quarter.key))
    elif quarter.is_closed:
        error = _("%(quarter)s is already closed.", quarter=quarter.label)
    if error and request.method == "POST":
        flash(error, "danger")
    return render_template(
        "quarters/close.html", quarter=quarter, plan=plan, form=form, error=error,
        reasons=CLOSING_REASONS, next_key=quarter.next_key(),
    ), (400 if error and request.method == "POST" else 200)


@bp.route("/<key>/rollover")
def rollover(key):
    """Show a quarter and the next side by side: done, carried, closed, new."""
    from tracker.quarters.rollover import rollover_view

    quarter = services.get_quarter_or_404(key)
    view = rollover_view(quarter)
    return render_template(
        "quarters/rollover.html", kinds=KINDS, cutoff=quarter.cutoff(today()),
        group=task_services.group_by_kind, **view,
    )


@bp.route("/<key>/summary")
@page_cache.cached_page
def summary(key):
    """Show the quarter at a glance for leaders."""
    from tracker.figures.services import requested_as_of
    from tracker.me.services import decisions
    from tracker.quarters.charts import unit_bars
    from tracker.quarters.summary import (
        SCORECARD_ROWS, quarter_summary, waiting_longest,
    )

    quarter = services.get_quarter_or_404(key)
    as_of = requested_as_of()
    data = quarter_summary(quarter, as_of or today(),
                           every_attention=request.args.get("attention") == "all")
    counts = data["figures"]["counts"]
    units = data["figures"]["units"]
    every_unit = request.args.get("units") == "all"
    labels = translated(TIMELINESS)
    parts = [
        (label, counts.get(code, 0), TIMELINESS_COLOURS[code])
        for code, label in labels.items()
    ]
    return render_template(
        "quarters/summary.html", timeliness=labels, timeliness_parts=parts,
        kinds=translated(KINDS), form=Form(),
        petition_fields=translated(PETITION_FIELDS),
        initiative_fields=translated(INITIATIVE_FIELDS),
        can_approve=policy.can_approve_quarter(current_user, quarter)
        and quarter.is_closed and not quarter.is_approved,
        can_reopen=policy.can_reopen_quarter(current_user, quarter)
        and quarter.is_closed,
        as_of=as_of, decisions=decisions(current_user, today()),
        unit_chart=unit_bars(data["figures"]["units"]),
        scorecard=units if every_unit else units[:SCORECARD_ROWS],
        every_unit=every_unit, ack_days=ACK_DAYS,
        unacknowledged=waiting_longest(
            data["figures"]["unacknowledged"],
            every=request.args.get("unacknowledged") == "all"),
        **data,
    )


def _confirm_approve(quarter):
    """Say what approving will record: the closed quarter's headline, by whom."""
    from tracker.figures.services import compute
    from tracker.quarters.summary import quarter_tasks

    back = url_for("quarters.summary", key=quarter.key)
    if not quarter.is_closed or quarter.is_approved:
        flash(_("Only a closed quarter can be approved.") if not quarter.is_closed
              else _("%(quarter)s is already approved.", quarter=quarter.label),
              "danger")
        return redirect(back)
    figures = compute(quarter, quarter_tasks(quarter), quarter.closed_cutoff)
    consequences = [
        _("The figures of %(quarter)s are approved as they stood at its close: "
          "%(total)s tasks, %(done)s done, %(overdue)s overdue, completion rate "
          "%(rate)s.", quarter=quarter.label, total=figures["total"],
          done=figures["done"], overdue=figures["overdue"],
          rate=fmt_percent(figures["rate"])),
        _("The approval is recorded with your name and the time; it stands until an "
          "administrator reopens the quarter."),
    ]
    return confirmation_page(
        _("Approve %(quarter)s?", quarter=quarter.label), consequences, back,
        _("Yes, approve %(quarter)s", quarter=quarter.label),
    )


@bp.route("/<key>/approve", methods=["POST"])
def approve(key):
    """Approve a closed quarter's summary."""
    from tracker.quarters.rollover import RolloverError, approve_quarter

    quarter = services.get_quarter_or_404(key)
    if not policy.can_approve_quarter(current_user, quarter):
        abort(403)
    if not Form().validate_on_submit():
        abort(400)
    if wants_review():
        return _confirm_approve(quarter)
    try:
        approve_quarter(quarter, current_user)
    except RolloverError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("quarters.summary", key=quarter.key))
    db.session.commit()
    flash(_("%(quarter)s has been approved.", quarter=quarter.label), "success")
    return redirect(url_for("quarters.summary", key=quarter.key))


def _confirm_reopen(quarter):
    """Say what reopening undoes: the read-only record, the ended tasks, approval."""
    from tracker.quarters.rollover import ended_count

    back = url_for("quarters.summary", key=quarter.key)
    reason = request.form.get("reason", "").strip()
    if not quarter.is_closed or not reason:
        flash(_("Give the reason for reopening.") if quarter.is_closed
              else _("%(quarter)s is not closed.", quarter=quarter.label), "danger")
        return redirect(back)
    ended = ended_count(quarter)
    consequences = [
        _("%(quarter)s can be changed again: its figures are computed afresh until it "
          "is closed again.", quarter=quarter.label),
        ngettext("%(num)d task ended at its close gets back the status it had.",
                 "%(num)d tasks ended at its close get back the status they had.",
                 ended),
        _("Work already carried to the next quarter stays there."),
        _("Your reason is recorded in the audit log: %(reason)s", reason=reason[:200]),
    ]
    if quarter.is_approved:
        consequences.insert(1, _("Its approval is withdrawn."))
    return confirmation_page(
        _("Reopen %(quarter)s?", quarter=quarter.label), consequences, back,
        _("Yes, reopen %(quarter)s", quarter=quarter.label),
    )


@bp.route("/<key>/reopen", methods=["POST"])
def reopen(key):
    """Reopen a closed quarter (admins), with a reason that is recorded."""
    from tracker.quarters.rollover import RolloverError, reopen_quarter

    quarter = services.get_quarter_or_404(key)
    if not policy.can_reopen_quarter(current_user, quarter):
        abort(403)
    if not Form().validate_on_submit():
        abort(400)
    if wants_review():
        return _confirm_reopen(quarter)
    try:
        reopen_quarter(quarter, current_user, request.form.get("reason", "")[:2000])
    except RolloverError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("quarters.summary", key=quarter.key)), 302
    db.session.commit()
    flash(_("%(quarter)s has been reopened.", quarter=quarter.label), "warning")
    return redirect(url_for("quarters.board", key=quarter.key))
