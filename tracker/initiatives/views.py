"""The "Dân vận khéo" registry: the list, one model, registering and its steps."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.i18n import today
from tracker.initiatives import services
from tracker.initiatives.forms import InitiativeForm, StepForm
from tracker.models.initiative import INITIATIVE_FIELDS, INITIATIVE_STATES

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")


@bp.route("/")
def index():
    """List the registry's models, filtered by state, field, unit, commune and year."""
    filters = services.Filters.from_args(request.args)
    mine = policy.unit_ids(current_user)
    initiatives, total, by_state = services.initiative_list(filters, mine)
    pages = max(1, -(-total // services.PAGE_SIZE))
    return render_template(
        "initiatives/index.html", initiatives=initiatives, total=total,
        by_state=by_state, filters=filters, pages=pages, has_units=bool(mine),
        states=INITIATIVE_STATES, fields=INITIATIVE_FIELDS,
        communes=services.communes(), units=services.units_with_models(),
        years=services.years(), can_record=policy.can_record_initiative(current_user),
    )


def _units(initiative=None):
    """Return the units the user may record a model for (and the model's own)."""
    units = [unit for unit in services.registering_units()
             if policy.can_record_for_unit(current_user, unit.id)]
    if initiative is not None and initiative.unit is not None:
        if initiative.unit.id not in {unit.id for unit in units}:
            units.append(initiative.unit)
    return units


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Register a model for one of the user's units."""
    if not policy.can_record_initiative(current_user):
        abort(403)
    day = today()
    form = InitiativeForm(units=_units())
    if request.method == "GET":
        form.year.data = day.year
        form.registered_on.data = day
    if not form.validate_on_submit():
        return render_template("initiatives/form.html", form=form,
                               initiative=None), 400 if form.errors else 200
    initiative = services.create_initiative(form.details(), current_user)
    db.session.commit()
    flash(_("The model has been registered."), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id))


def _render(initiative, step_form=None, status=200):
    can_edit = policy.can_edit_initiative(current_user, initiative)
    if step_form is None:
        step_form = StepForm(formdata=None, on=today())
        if initiative.next_states:
            step_form.state.data = initiative.next_states[0]
    step_form.state.choices = [
        choice for choice in step_form.state.choices
        if choice.value in initiative.next_states]
    return render_template(
        "initiatives/show.html", initiative=initiative, step_form=step_form,
        can_edit=can_edit,
    ), status


@bp.route("/<int:initiative_id>")
def show(initiative_id):
    """Show a model, where it stands and its full history."""
    return _render(services.get_initiative_or_404(initiative_id))


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
def edit(initiative_id):
    """Correct a model's details."""
    initiative = services.get_initiative_or_404(initiative_id)
    if not policy.can_edit_initiative(current_user, initiative):
        abort(403)
    form = InitiativeForm(obj=initiative, units=_units(initiative))
    if form.validate_on_submit() and not policy.can_record_for_unit(
        current_user, form.unit_id.data
    ):
        form.unit_id.errors.append(_("You may record models only for your units."))
    elif form.validate_on_submit():
        if services.update_initiative(initiative, form.details(), current_user):
            db.session.commit()
            flash(_("The model has been saved."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return render_template("initiatives/form.html", form=form,
                           initiative=initiative), 400 if form.errors else 200


@bp.route("/<int:initiative_id>/step", methods=["GET", "POST"])
def step(initiative_id):
    """Move the model on: being built, reviewed, recognised or dropped."""
    if request.method == "GET":
        # A form's address reloaded goes back to the model that holds the form.
        return redirect(url_for("initiatives.show", initiative_id=initiative_id))
    initiative = services.get_initiative_or_404(initiative_id)
    if not policy.can_edit_initiative(current_user, initiative):
        abort(403)
    form = StepForm(allowed=initiative.next_states)
    if not form.validate_on_submit():
        return _render(initiative, step_form=form, status=400)
    services.advance(initiative, current_user, form.state.data, form.on.data,
                     form.note.data, level=form.level.data or None,
                     decision_number=form.decision_number.data)
    db.session.commit()
    flash(_("The model has been updated."), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id))
