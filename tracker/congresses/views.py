"""Congresses by term: the calendar, an organisation's term and its history, edits."""
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.congresses import services
from tracker.congresses.forms import NO_UNIT, TermForm
from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import fmt_date, today, translated
from tracker.models.congress import CONGRESS_LEVELS
from tracker.text import to_roman
from tracker.tasks.services import active_units

bp = Blueprint("congresses", __name__, url_prefix="/congresses")

FIELD_LABELS = {
    "organisation": _l("Organisation"),
    "level": _l("Level"),
    "unit_id": _l("Unit that leads its congress"),
    "ordinal": _l("Number of its last congress"),
    "term_start": _l("Term from (year)"),
    "term_end": _l("Term to (year)"),
    "last_held_on": _l("Last congress held on"),
}


@bp.route("/")
def index():
    """Show the calendar of congresses: planned, held, or not yet planned."""
    day = today()
    rows = services.calendar(day)
    quarters = services.open_quarters()
    plans = {}
    for number, row in enumerate(rows):
        if row.state != services.NOT_PLANNED:
            continue
        quarter = services.plan_quarter(quarters, row.due_on)
        if quarter is not None and policy.can_create_task(current_user, quarter):
            plans[number] = services.plan_args(row, quarter)
    return render_template(
        "congresses/index.html", rows=rows, plans=plans, today=day,
        flag_limit=services.flag_limit(day),
        can_edit=policy.can_edit_congress_terms(current_user),
    )


def _history(term):
    """Return the term's changes as (change, [(label, old, new)]) for display."""
    labels = translated(FIELD_LABELS)
    levels = translated(CONGRESS_LEVELS)
    unit_ids = {value for change in term.changes
                for value in (change.changes or {}).get("unit_id", ()) if value}
    names = services.unit_names(unit_ids)

    def shown(name, value):
        if value in (None, ""):
            return "—"
        if name == "level":
            return levels.get(value, value)
        if name == "unit_id":
            return names.get(value, value)
        if name == "last_held_on":
            return fmt_date(dt.date.fromisoformat(value))
        if name == "ordinal":
            return to_roman(value)
        return value

    return [(change, [(labels.get(name, name), shown(name, pair[0]),
                       shown(name, pair[1]))
                      for name, pair in (change.changes or {}).items()])
            for change in term.changes]


@bp.route("/<int:term_id>")
def show(term_id):
    """Show an organisation's term and every change made to it."""
    term = services.get_term_or_404(term_id)
    number, start, end, due = services.next_congress(term)
    return render_template(
        "congresses/show.html", term=term, next_number=number, next_start=start,
        next_end=end, next_due=due, history=_history(term),
        can_edit=policy.can_edit_congress_terms(current_user),
    )


def _units(term=None):
    units = list(active_units())
    if term is not None and term.unit is not None and term.unit not in units:
        units.append(term.unit)
    return units


def _taken(form, term_id=None):
    """Mark the organisation field if another term already has that name."""
    if services.organisation_taken(form.organisation.data, term_id):
        form.organisation.errors.append(
            _("This organisation already has a term: edit that one."))
        return True
    return False


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Record the term of an organisation at one level."""
    if not policy.can_edit_congress_terms(current_user):
        abort(403)
    form = TermForm(units=_units())
    if not form.validate_on_submit() or _taken(form):
        return render_template("congresses/form.html", form=form, term=None), (
            400 if form.errors else 200)
    term = services.create_term(form.details(), current_user)
    db.session.commit()
    flash(_("The term has been recorded."), "success")
    return redirect(url_for("congresses.show", term_id=term.id))


@bp.route("/<int:term_id>/edit", methods=["GET", "POST"])
def edit(term_id):
    """Correct an organisation's term (its last congress, its years)."""
    term = services.get_term_or_404(term_id)
    if not policy.can_edit_congress_terms(current_user):
        abort(403)
    form = TermForm(obj=term, units=_units(term))
    if not form.is_submitted():
        form.unit_id.data = term.unit_id or NO_UNIT
    if not form.validate_on_submit() or _taken(form, term.id):
        return render_template("congresses/form.html", form=form, term=term), (
            400 if form.errors else 200)
    if services.update_term(term, form.details(), current_user):
        db.session.commit()
        flash(_("The term has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("congresses.show", term_id=term.id))
