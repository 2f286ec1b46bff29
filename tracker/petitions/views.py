"""Petitions raised at dialogues: the list across quarters, one petition, its steps."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.i18n import today
from tracker.models.petition import PETITION_FIELDS, PETITION_STATES
from tracker.petitions import services
from tracker.petitions.forms import (
    AnswerForm,
    ClosePetitionForm,
    ForwardForm,
    PetitionForm,
)
from tracker.tasks.services import get_task_or_404
from tracker.text import row_id

bp = Blueprint("petitions", __name__, url_prefix="/petitions")


@bp.route("/")
def index():
    """List petitions across quarters, filtered, with those overdue flagged."""
    filters = services.Filters.from_args(request.args)
    day = today()
    mine = policy.unit_ids(current_user)
    petitions, total, overdue = services.petition_list(filters, day, mine)
    pages = max(1, -(-total // services.PAGE_SIZE))
    return render_template(
        "petitions/index.html", petitions=petitions, total=total, overdue=overdue,
        filters=filters, today=day, pages=pages, has_units=bool(mine),
        states=PETITION_STATES, fields=PETITION_FIELDS,
        communes=services.communes(), bodies=services.bodies(),
    )


def _unit_list(petition=None):
    units = list(services.answering_units())
    if petition is not None and petition.answering_unit is not None:
        if petition.answering_unit.id not in {unit.id for unit in units}:
            units.append(petition.answering_unit)
    return units


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Record a petition raised at a task's meeting."""
    task_id = row_id(request.args.get("task", ""))
    if task_id is None:
        abort(404)
    task = get_task_or_404(task_id)
    if not policy.can_record_petition(current_user, task):
        abort(403)
    form = PetitionForm(units=_unit_list())
    if not form.validate_on_submit():
        return render_template("petitions/form.html", form=form, task=task,
                               petition=None), 400 if form.errors else 200
    petition = services.create_petition(task, form.details(), current_user)
    db.session.commit()
    flash(_("The petition has been recorded."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


def _render(petition, forward_form=None, answer_form=None, close_form=None,
            status=200):
    day = today()
    return render_template(
        "petitions/show.html", petition=petition, task=petition.task, today=day,
        forward_form=forward_form or ForwardForm(formdata=None, forwarded_on=day),
        answer_form=answer_form or AnswerForm(formdata=None, answered_on=day),
        close_form=close_form or ClosePetitionForm(formdata=None, closed_on=day),
        can_edit=policy.can_edit_petition(current_user, petition),
        can_forward=policy.can_forward_petition(current_user, petition),
        can_answer=policy.can_answer_petition(current_user, petition),
        can_close=policy.can_close_petition(current_user, petition),
    ), status


@bp.route("/<int:petition_id>")
def show(petition_id):
    """Show a petition, where it stands and its full history."""
    return _render(services.get_petition_or_404(petition_id))


@bp.route("/<int:petition_id>/edit", methods=["GET", "POST"])
def edit(petition_id):
    """Correct what a petition says, who must answer it and by when."""
    petition = services.get_petition_or_404(petition_id)
    if not policy.can_edit_petition(current_user, petition):
        abort(403)
    form = PetitionForm(obj=petition, units=_unit_list(petition))
    if request.method == "GET":
        form.answering_unit_id.data = petition.answering_unit_id or 0
    if not form.validate_on_submit():
        return render_template("petitions/form.html", form=form, task=petition.task,
                               petition=petition), 400 if form.errors else 200
    if services.update_petition(petition, form.details(), current_user):
        db.session.commit()
        flash(_("The petition has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("petitions.show", petition_id=petition.id))


def _step(petition_id, allowed, form_class, form_name, apply):
    """Load the petition, check, validate the step's form, apply it and commit."""
    if request.method == "GET":
        # A form's address reloaded goes back to the petition that holds the form.
        return redirect(url_for("petitions.show", petition_id=petition_id))
    petition = services.get_petition_or_404(petition_id)
    if not allowed(current_user, petition):
        abort(403)
    form = form_class()
    if not form.validate_on_submit():
        return _render(petition, status=400, **{form_name: form})
    apply(petition, form)
    db.session.commit()
    flash(_("The petition has been updated."), "success")
    return redirect(url_for("petitions.show", petition_id=petition.id))


@bp.route("/<int:petition_id>/forward", methods=["GET", "POST"])
def forward(petition_id):
    """Record that the petition was forwarded to the body that must answer."""
    return _step(petition_id, policy.can_forward_petition, ForwardForm, "forward_form",
                 lambda p, form: services.forward_petition(
                     p, current_user, form.forwarded_on.data, form.note.data))


@bp.route("/<int:petition_id>/answer", methods=["GET", "POST"])
def answer(petition_id):
    """Record the answer given to the petition."""
    return _step(petition_id, policy.can_answer_petition, AnswerForm, "answer_form",
                 lambda p, form: services.answer_petition(
                     p, current_user, form.answer.data, form.answered_on.data))


@bp.route("/<int:petition_id>/close", methods=["GET", "POST"])
def close(petition_id):
    """Close the petition without an answer, for a reason."""
    return _step(petition_id, policy.can_close_petition, ClosePetitionForm,
                 "close_form",
                 lambda p, form: services.close_petition(
                     p, current_user, form.reason.data, form.closed_on.data))
