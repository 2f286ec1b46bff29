"""Acknowledge, watch, and ask for or decide a deadline extension."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import policy
from tracker.extensions import db
from tracker.followup import services
from tracker.followup.forms import (
    AcknowledgeForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    WatchForm,
)
from tracker.quarters.services import get_quarter_or_404
from tracker.tasks.services import get_task_or_404

bp = Blueprint("followup", __name__)


def _back(task_id, section):
    if request.form.get("back") == "me":
        return redirect(url_for("me.index") + f"#task-{task_id}")
    return redirect(url_for("tasks.show", task_id=task_id) + f"#{section}")


@bp.route("/tasks/<int:task_id>/acknowledge", methods=["POST"])
def acknowledge(task_id):
    """Record that one of the user's units acknowledges the task or its share."""
    task = get_task_or_404(task_id, for_update=True)
    allowed = policy.acknowledgeable_unit_ids(current_user, task)
    if not allowed:
        abort(403)
    form = AcknowledgeForm()
    if not form.validate_on_submit() or form.unit_id.data not in allowed:
        from tracker.tasks.views import _render_task

        flash(_("The acknowledgement was not saved: choose one of your units."),
              "danger")
        return _render_task(task, status=400)
    services.acknowledge(task, form.unit_id.data, current_user)
    db.session.commit()
    flash(_("Acknowledged: your unit has received the task."), "success")
    return _back(task_id, "acknowledge")


def _set_watch(form, **target):
    if not form.validate_on_submit():
        abort(400)
    watching = services.set_watching(current_user, form.watch.data == "1", **target)
    db.session.commit()
    flash(_("You are watching it: you will be told of its progress reports.")
          if watching else _("You no longer watch it."), "info")


@bp.route("/tasks/<int:task_id>/watch", methods=["POST"])
def watch_task(task_id):
    """Watch the task, or stop watching it."""
    task = get_task_or_404(task_id)
    if not policy.can_watch(current_user, task):
        abort(403)
    _set_watch(WatchForm(), task=task)
    return redirect(url_for("tasks.show", task_id=task.id))


@bp.route("/quarters/<key>/watch", methods=["POST"])
def watch_quarter(key):
    """Watch every task of the quarter, or stop watching it."""
    quarter = get_quarter_or_404(key)
    if not policy.can_watch(current_user, quarter):
        abort(403)
    _set_watch(WatchForm(), quarter=quarter)
    return redirect(url_for("quarters.board", key=quarter.key))


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
def request_extension(task_id):
    """Ask a leader for a later deadline, with the reason."""
    from tracker.tasks.views import _render_task

    task = get_task_or_404(task_id, for_update=True)
    if not policy.can_request_extension(current_user, task):
        abort(403)
    form = ExtensionRequestForm()
    if form.validate_on_submit():
        for problem in services.extension_problems(task, form.proposed_on.data):
            form.proposed_on.errors.append(problem)
        if not form.proposed_on.errors:
            services.request_extension(task, form.proposed_on.data, form.reason.data,
                                       current_user)
            db.session.commit()
            flash(_("The request has been sent to the leaders."), "success")
            return _back(task_id, "extensions")
    flash(_("The request was not sent; see the messages below."), "danger")
    return _render_task(task, extension_form=form, status=400)


@bp.route("/tasks/<int:task_id>/extension/<int:extension_id>", methods=["POST"])
def decide_extension(task_id, extension_id):
    """Approve or refuse a request for a later deadline."""
    from tracker.tasks.views import _render_task

    task = get_task_or_404(task_id, for_update=True)
    extension = services.get_extension_or_404(task, extension_id)
    if not policy.can_decide_extension(current_user, extension):
        abort(403)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        flash(_("The decision was not saved; see the messages below."), "danger")
        return _render_task(task, decision_form=form, status=400)
    approve = form.decision.data == "approve"
    services.decide_extension(extension, approve, form.note.data, current_user)
    db.session.commit()
    flash(_("The extension has been approved.") if approve
          else _("The extension has been refused."), "success")
    if request.form.get("back") == "me":
        return redirect(url_for("me.index") + "#extensions")
    return _back(task_id, "extensions")
