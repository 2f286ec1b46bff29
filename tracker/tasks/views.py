"""Create, show and edit tasks; report progress and units' shares."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.i18n import today
from tracker.models import KIND_FIELDS, KINDS
from tracker.quarters.services import get_quarter_or_404
from tracker.tasks import services
from tracker.tasks.forms import HISTORY_LABELS, ProgressForm, ShareForm, TaskForm

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.app_template_filter("history_value")
def history_value(value):
    """Format a value stored in a history row for reading."""
    import datetime as dt

    if value is None or value == "" or value == []:
        return "∅"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value


@bp.app_template_global("history_label")
def history_label(name):
    """Return the translated label of a field named in a history row."""
    return HISTORY_LABELS.get(name, name)


def _render_form(form, quarter, task=None, status=200):
    return render_template(
        "tasks/form.html", form=form, quarter=quarter, task=task,
        kind_fields=KIND_FIELDS,
    ), status


def _units_for(task=None):
    """Return the active units plus any inactive unit the task already uses."""
    units = list(services.active_units())
    if task is not None:
        known = {unit.id for unit in units}
        used = [task.lead_unit] + [link.unit for link in task.unit_links]
        units += [unit for unit in used if unit.id not in known]
    return units


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a task to a quarter."""
    key = request.args.get("quarter", "")
    quarter = get_quarter_or_404(key)
    if not policy.can_create_task(current_user, quarter):
        abort(403)
    form = TaskForm(quarter=quarter, units=_units_for())
    if request.method == "GET" and request.args.get("kind") in KINDS:
        form.kind.data = request.args["kind"]
    if not form.validate_on_submit():
        return _render_form(form, quarter, status=400 if form.errors else 200)
    task = services.create_task(
        quarter, form.plan_data(), current_user,
        coordinating=form.coordinating.data or (),
        participating=form.participating.data or (),
    )
    db.session.commit()
    flash(_("The task has been added."), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


def _render_task(task, progress_form=None, share_form=None, status=200):
    cutoff = task.quarter.cutoff(today())
    links = task.participants_links
    if progress_form is None:
        progress_form = ProgressForm(
            formdata=None, status=task.status, progress=task.progress,
            completed_on=task.completed_on,
        )
    if share_form is None:
        share_form = ShareForm(formdata=None, links=links)
    return render_template(
        "tasks/show.html",
        task=task,
        cutoff=cutoff,
        progress_form=progress_form,
        share_form=share_form,
        can_edit=policy.can_edit_task(current_user, task),
        can_report=policy.can_report_progress(current_user, task),
        overdue_shares=task.overdue_shares(cutoff),
    ), status


@bp.route("/<int:task_id>")
def show(task_id):
    """Show a task, its units, its shares and its full history."""
    return _render_task(services.get_task_or_404(task_id))


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id):
    """Edit a task's plan fields."""
    task = services.get_task_or_404(task_id)
    if not policy.can_edit_task(current_user, task):
        abort(403)
    form = TaskForm(obj=task, quarter=task.quarter, units=_units_for(task))
    if request.method == "GET":
        form.coordinating.data = [link.unit_id for link in task.unit_links
                                  if link.role == "coordinating"]
        form.participating.data = [link.unit_id for link in task.unit_links
                                   if link.role == "participating"]
    if not form.validate_on_submit():
        return _render_form(form, task.quarter, task, 400 if form.errors else 200)
    changes = services.update_task(
        task, form.plan_data(), current_user,
        coordinating=form.coordinating.data or (),
        participating=form.participating.data or (),
    )[1]
    db.session.commit()
    if changes:
        flash(_("The task has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/<int:task_id>/status", methods=["POST"])
def report(task_id):
    """Record a progress report and return to the task."""
    task = services.get_task_or_404(task_id, for_update=True)
    if not policy.can_report_progress(current_user, task):
        abort(403)
    form = ProgressForm(today=today())
    if not form.validate_on_submit():
        flash(_("The progress report was not saved; see the messages below."), "danger")
        return _render_task(task, progress_form=form, status=400)
    services.report_progress(
        task, form.status.data, form.progress.data or 0, form.note.data,
        current_user, completed_on=form.completed_on.data, today=today(),
    )
    db.session.commit()
    flash(_("The progress report has been saved."), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/<int:task_id>/share", methods=["POST"])
def report_share(task_id):
    """Record a participating unit's share of a shared task."""
    task = services.get_task_or_404(task_id, for_update=True)
    links = task.participants_links
    form = ShareForm(links=links, today=today())
    if not form.validate_on_submit():
        if not links:
            abort(404)
        flash(_("The unit's report was not saved; see the messages below."), "danger")
        return _render_task(task, share_form=form, status=400)
    link = services.get_link_or_404(task, form.unit_id.data)
    if not policy.can_report_share(current_user, link):
        abort(403)
    services.report_share(
        link, form.share_status.data, form.share_done_on.data,
        form.share_note.data, current_user, today=today(),
    )
    db.session.commit()
    flash(_("The unit's report has been saved."), "success")
    return redirect(url_for("tasks.show", task_id=task.id) + "#shares")
