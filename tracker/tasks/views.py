"""Create, show and edit tasks; report progress and units' shares."""
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.form import _Auto as _AUTO
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth import policy
from tracker.confirm import confirmation_page, wants_review
from tracker.extensions import db
from tracker.files import services as file_services
from tracker.files.forms import RemoveFileForm
from tracker.i18n import today
from tracker.initiatives import services as initiative_services
from tracker.models import KIND_FIELDS, KINDS
from tracker.models.base import utcnow
from tracker.petitions import services as petition_services
from tracker.quarters.services import get_quarter_or_404
from tracker.tasks import services
from tracker.tasks.timeliness import TIMELINESS
from tracker.tasks.forms import (
    HISTORY_LABELS,
    ArchiveForm,
    DirectionForm,
    ProgressForm,
    ShareForm,
    TaskEditForm,
    TaskForm,
)

# How many times a report is applied again when another save got in first.
SAVE_ATTEMPTS = 5

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


@bp.app_template_global("history_changes")
def history_changes(update):
    """Return the changes a task's history row lists, in words."""
    from tracker.tasks.history import update_changes

    return update_changes(update)


def _render_form(form, quarter, task=None, status=200, conflicts=()):
    return render_template(
        "tasks/form.html", form=form, quarter=quarter, task=task,
        kind_fields=KIND_FIELDS, conflicts=conflicts,
    ), status


def _units_for(task=None):
    """Return the active units plus any inactive unit the task already uses."""
    units = list(services.active_units())
    if task is not None:
        known = {unit.id for unit in units}
        used = ([task.lead_unit] + [link.unit for link in task.unit_links]
                + list(task.scope_units))
        units += [unit for unit in used if unit.id not in known]
    return units


# The fields a link to the new task form may fill in (see create).
PREFILLED = ("title", "lead_unit_id", "due_on", "organisation", "congress_ordinal",
             "term_start", "term_end")


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a task to a quarter."""
    key = request.args.get("quarter", "")
    quarter = get_quarter_or_404(key)
    if not policy.can_create_task(current_user, quarter):
        abort(403)
    # A link may prefill the plan (the congress calendar's "Plan"): the query's
    # fields are read as the form's, never validated nor saved until submitted.
    prefill = request.method == "GET" and any(
        name in PREFILLED for name in request.args)
    form = TaskForm(formdata=request.args if prefill else _AUTO, quarter=quarter,
                    units=_units_for())
    if request.method == "GET" and request.args.get("kind") in KINDS:
        form.kind.data = request.args["kind"]
    if not form.validate_on_submit():
        return _render_form(form, quarter, status=400 if form.errors else 200)
    task = services.create_task(
        quarter, form.plan_data(), current_user,
        coordinating=form.coordinating.data or (),
        participating=form.participating.data or (),
        co_lead=form.co_lead.data or (),
        scope=form.scope.data or (),
    )
    db.session.commit()
    flash(_("The task has been added."), "success")
    return redirect(url_for("tasks.show", task_id=task.id))


def _render_task(task, progress_form=None, share_form=None, direction_form=None,
                 comment_form=None, status=200, extension_form=None,
                 decision_form=None):
    from tracker.comments import services as comment_services
    from tracker.comments.forms import CommentForm
    from tracker.followup import services as followup
    from tracker.followup.forms import (
        AcknowledgeForm, ExtensionDecisionForm, ExtensionRequestForm, WatchForm,
    )

    comments = comment_services.thread(task)
    now = utcnow()
    cutoff = task.quarter.cutoff(today())
    share_links = policy.reportable_links(current_user, task)
    if progress_form is None:
        progress_form = ProgressForm(
            formdata=None, status=task.status, progress=task.progress,
            completed_on=task.completed_on,
        )
    extensions = followup.task_extensions(task)
    pending = next((item for item in extensions if item.is_pending), None)
    if share_form is None:
        share_form = ShareForm(formdata=None, links=share_links)
    else:
        share_form.set_links(share_links)
    can_view_files = policy.can_view_task_files(current_user, task)
    files = file_services.task_files(task) if can_view_files else []
    return render_template(
        "tasks/show.html",
        task=task,
        files=files,
        files_by_update=file_services.by_update(files),
        files_by_comment=file_services.by_comment(files),
        can_view_files=can_view_files,
        remove_file_form=RemoveFileForm(formdata=None),
        can_remove=lambda stored: policy.can_remove_file(current_user, stored),
        file_help=_file_help(),
        cutoff=cutoff,
        quarter_over=today() > task.quarter.ends_on,
        progress_form=progress_form,
        share_form=share_form,
        direction_form=direction_form or DirectionForm(formdata=None),
        archive_form=ArchiveForm(formdata=None),
        can_edit=policy.can_edit_task(current_user, task),
        can_report=policy.can_report_progress(current_user, task),
        why_no_report=policy.why_no_report(current_user, task)
        if current_user.is_authenticated else None,
        on_behalf=policy.reports_on_behalf(current_user, task),
        can_report_shares=bool(share_links),
        can_direct=policy.can_direct_task(current_user, task),
        can_archive=policy.can_archive_task(current_user, task),
        can_restore=policy.can_restore_task(current_user, task),
        overdue_shares=task.overdue_shares(cutoff),
        chain=services.carry_chain(task),
        continuation=services.continuation_of(task),
        petitions=petition_services.task_petitions(task),
        models=initiative_services.task_models(task),
        can_add_petition=policy.can_record_petition(current_user, task),
        petition_day=today(),
        timeline=comment_services.timeline(task, comments),
        comment_html=comment_services.rendered(comments),
        comment_form=comment_form or CommentForm(formdata=None),
        can_comment=policy.can_comment(current_user, task),
        can_attach_to_comment=policy.can_attach_to_comment(current_user, task),
        editable_comments={comment.id for comment in comments
                           if policy.can_edit_comment(current_user, comment, now)},
        acknowledge_form=AcknowledgeForm(formdata=None),
        ack_unit_ids=policy.acknowledgeable_unit_ids(current_user, task),
        unacknowledged=task.unacknowledged(cutoff),
        watch_form=WatchForm(formdata=None),
        watching=followup.is_watching(current_user, task=task),
        can_watch=policy.can_watch(current_user, task),
        extensions=extensions,
        pending_extension=pending,
        extension_form=extension_form or ExtensionRequestForm(formdata=None),
        decision_form=decision_form or ExtensionDecisionForm(formdata=None),
        can_request_extension=pending is None
        and policy.can_request_extension(current_user, task),
        can_decide_extension=pending is not None
        and policy.can_decide_extension(current_user, pending),
    ), status


@bp.route("/<int:task_id>")
def show(task_id):
    """Show a task, its units, its shares and its full history."""
    return _render_task(services.get_task_or_404(task_id))


def _editable_task(task_id):
    """Load the task and refuse (403) a user who may not edit it."""
    task = services.get_task_or_404(task_id)
    if not policy.can_edit_task(current_user, task):
        abort(403)
    return task


@bp.route("/<int:task_id>/edit", methods=["GET", "POST"])
def edit(task_id):
    """Edit a task's plan fields, refusing a form made stale by someone else's save."""
    task = _editable_task(task_id)
    units = _units_for(task)
    form = TaskEditForm(obj=task, quarter=task.quarter, units=units)
    if request.method == "GET":
        chosen = [link for link in task.unit_links if link.via_group_id is None]
        form.co_lead.data = [link.unit_id for link in chosen
                             if link.role == "co_lead"]
        form.coordinating.data = [link.unit_id for link in chosen
                                  if link.role == "coordinating"]
        form.participating.data = [link.unit_id for link in chosen
                                   if link.role == "participating"]
        form.scope.data = [unit.id for unit in task.scope_units]
        form.snapshot.data = services.sign_snapshot(task)
    if not form.validate_on_submit():
        return _render_form(form, task.quarter, task, 400 if form.errors else 200)
    coordinating = form.coordinating.data or ()
    participating = form.participating.data or ()
    co_lead = form.co_lead.data or ()
    shown = services.read_snapshot(form.snapshot.data) or services.submitted_snapshot(
        form.plan_data(), coordinating, participating, co_lead, form.scope.data
    )
    for _attempt in range(SAVE_ATTEMPTS):
        conflicts = services.changed_meanwhile(task, form.version.data, shown)
        if conflicts:
            return _render_conflict(form, task, units, conflicts)
        try:
            changes = services.update_task(
                task, form.plan_data(), current_user,
                coordinating=coordinating, participating=participating,
                co_lead=co_lead, scope=form.scope.data or (),
            )[1]
            db.session.commit()
            break
        except StaleDataError:
            # Saved by someone else between our read and our UPDATE: look again.
            db.session.rollback()
            task = _editable_task(task_id)
    else:
        abort(409)
    if changes:
        flash(_("The task has been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("tasks.show", task_id=task.id))


def _render_conflict(form, task, units, names):
    """Show the form again with what changed meanwhile; keep the user's other edits."""
    names_of_units = {unit.id: unit.name for unit in units}
    current = services.plan_snapshot(task)
    yours = services.submitted_snapshot(
        form.plan_data(), form.coordinating.data, form.participating.data,
        form.co_lead.data, form.scope.data,
    )
    rows = []
    for name in names:
        rows.append((
            HISTORY_LABELS.get(name, name),
            _conflict_value(name, current[name], names_of_units),
            _conflict_value(name, yours[name], names_of_units),
        ))
        # The form now holds the saved value: saving again overwrites nothing unseen.
        field = getattr(form, name)
        if name in services.PLAN_FIELDS:
            field.data = getattr(task, name)
        else:
            field.data = current[name]
        field.raw_data = []  # fields render what was typed unless told otherwise
    form.version.data, form.version.raw_data = task.version, []
    form.snapshot.data = services.sign_snapshot(task)
    return _render_form(form, task.quarter, task, status=409, conflicts=rows)


def _conflict_value(name, value, unit_names):
    """Return a field's value as the conflict message shows it."""
    if name == "lead_unit_id":
        return unit_names.get(value, value)
    if name in services.UNIT_ROLES or name == "scope":
        return [unit_names.get(unit_id, unit_id) for unit_id in value]
    if name == "kind":
        return KINDS.get(value, value)
    return value


def _save_with_retry(task_id, allowed, apply):
    """Apply a report to a freshly loaded task and commit, again if it lost a race.

    Reports append to the history and state the new values outright, so a report that
    lost the version check to a concurrent save is simply applied to the fresh row:
    it never fails because someone else saved first. allowed(task) is asked again on
    the fresh row (the task's units may have changed meanwhile).
    """
    for _attempt in range(SAVE_ATTEMPTS):
        task = services.get_task_or_404(task_id, for_update=True)
        if not allowed(task):
            abort(403)
        try:
            result = apply(task)
            db.session.commit()
            return task, result
        except StaleDataError:
            db.session.rollback()
    abort(409)


# The forms below post to addresses of their own. A refused form is shown again at
# that address (status 400, with what was entered), and the address also answers GET
# by going back to the task page: reloading it, or following it from the address bar
# or the history, never meets a 405. (Keeping the entered values across a redirect
# would mean putting up to several thousand characters in the session cookie.)


def _file_help():
    """Return the help under the file inputs: kinds, size and count accepted."""
    return file_services.upload_help()


def _stage_files(form):
    """Check the form's files and stage them; None (messages at the field) if not."""
    return file_services.stage_field(form.files)


def _back_to(task_id, section):
    if request.method == "POST" and request.form.get("back") == "me":
        return redirect(url_for("me.index") + f"#task-{task_id}")  # reported from /me
    return redirect(url_for("tasks.show", task_id=task_id) + f"#{section}")


@bp.route("/<int:task_id>/status", methods=["GET", "POST"])
def report(task_id):
    """Record a progress report and return to the task."""
    if request.method == "GET":
        return _back_to(task_id, "report")
    task = services.get_task_or_404(task_id, for_update=True)
    if not policy.can_report_progress(current_user, task):
        abort(403)
    # A body larger than the uploads may be is refused before any view runs (the
    # error page says why: tracker.files.limits.too_large_detail).
    form = ProgressForm(task=task, today=today())
    valid = form.validate_on_submit()
    staged = _stage_files(form) if valid else []
    if not valid or staged is None:
        flash(_("The progress report was not saved; see the messages below."), "danger")
        return _render_task(task, progress_form=form, status=400)
    if wants_review() and form.status.data == "cancelled" \
            and task.status != "cancelled":
        consequences = [
            _("“%(title)s” stops: it is counted as ended (“%(class)s”), left out of "
              "the completion rate, and no longer on anyone's list of work.",
              title=task.title, **{"class": TIMELINESS["cancelled"]}),
            _("Your reason is recorded in its history: %(reason)s",
              reason=form.note.data[:200]),
        ]
        if staged:
            # The confirmation posts the fields again, not the files.
            file_services.discard(staged)
            consequences.append(_("The files you chose are not sent by this step: "
                                  "attach them with a later report."))
        return confirmation_page(
            _("End this task?"), consequences,
            url_for("tasks.show", task_id=task.id), _("Yes, end the task"),
        )

    def apply(fresh):
        update = services.report_progress(
            fresh, form.status.data, form.progress.data, form.note.data,
            current_user, completed_on=form.completed_on.data, today=today(),
            undated=form.status.data == "done" and form.undated.data,
            with_files=bool(staged),
        )
        file_services.record_files(fresh, staged, current_user, "progress", update)
        return update

    file_services.put_in_place(staged)
    _task, update = _save_with_retry(
        task_id, lambda fresh: policy.can_report_progress(current_user, fresh), apply,
    )
    if update is None:
        flash(_("Nothing was changed."), "info")
        return _back_to(task_id, "report")
    flash(_("The progress report has been saved."), "success")
    # The form posts to "#report" so a refusal shows at the form; success shows the
    # new entry at the top of the history instead.
    return _back_to(task_id, "history")


@bp.route("/<int:task_id>/share", methods=["GET", "POST"])
def report_share(task_id):
    """Record a participating unit's share of a shared task."""
    if request.method == "GET":
        return _back_to(task_id, "shares")
    task = services.get_task_or_404(task_id, for_update=True)
    links = task.participants_links
    if not links:
        abort(404)
    if not policy.reportable_links(current_user, task):
        abort(403)
    form = ShareForm(links=links, today=today())
    valid = form.validate_on_submit()
    if valid:
        link = services.get_link_or_404(task, form.unit_id.data)
        if not policy.can_report_share(current_user, link):
            abort(403)
    staged = _stage_files(form) if valid else []
    if not valid or staged is None:
        flash(_("The unit's report was not saved; see the messages below."), "danger")
        return _render_task(task, share_form=form, status=400)
    unit_id = form.unit_id.data

    def allowed(fresh):
        link = services.get_link_or_404(fresh, unit_id)
        return policy.can_report_share(current_user, link)

    def apply(fresh):
        update = services.report_share(
            services.get_link_or_404(fresh, unit_id), form.share_status.data,
            form.share_done_on.data, form.share_note.data, current_user, today=today(),
            with_files=bool(staged),
        )
        file_services.record_files(fresh, staged, current_user, "share", update,
                                   unit_id=unit_id)
        return update

    file_services.put_in_place(staged)
    _task, update = _save_with_retry(task_id, allowed, apply)
    if update is None:
        flash(_("Nothing was changed."), "info")
    else:
        flash(_("The unit's report has been saved."), "success")
    return _back_to(task_id, "shares")


@bp.route("/<int:task_id>/direction", methods=["GET", "POST"])
def direct(task_id):
    """Record a leader's direction (ý kiến chỉ đạo) on the task."""
    if request.method == "GET":
        return _back_to(task_id, "direct")
    task = services.get_task_or_404(task_id)
    if not policy.can_direct_task(current_user, task):
        abort(403)
    form = DirectionForm()
    if not form.validate_on_submit():
        flash(_("The direction was not saved; see the messages below."), "danger")
        return _render_task(task, direction_form=form, status=400)
    services.add_direction(task, form.direction.data, current_user)
    db.session.commit()
    flash(_("The direction has been recorded."), "success")
    return _back_to(task.id, "history")


def _change_archive(task_id, allowed, apply):
    """Archive or restore a task through its form; 403 or 400 when refused."""
    task = services.get_task_or_404(task_id)
    if not allowed(current_user, task):
        abort(403)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    _save_with_retry(
        task_id, lambda fresh: allowed(current_user, fresh),
        lambda fresh: apply(fresh, current_user, form.reason.data),
    )


def _confirm_archive(task_id):
    """Say what archiving does before it is done."""
    task = services.get_task_or_404(task_id)
    if not policy.can_archive_task(current_user, task):
        abort(403)
    if not ArchiveForm().validate_on_submit():
        abort(400)
    return confirmation_page(
        _("Archive this task?"),
        [_("“%(title)s” leaves the board of %(quarter)s and its counts.",
           title=task.title, quarter=task.quarter.label),
         _("Nothing is deleted: its record and history are kept, and it can be "
           "restored.")],
        url_for("tasks.show", task_id=task.id), _("Yes, archive it"),
    )


@bp.route("/<int:task_id>/archive", methods=["POST"])
def archive(task_id):
    """Archive a task: off the board and the counts, kept with its history."""
    if wants_review():
        return _confirm_archive(task_id)
    _change_archive(task_id, policy.can_archive_task, services.archive_task)
    flash(_("The task has been archived. It can be restored from the archive."), "info")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.route("/<int:task_id>/restore", methods=["POST"])
def restore(task_id):
    """Bring an archived task back to the board."""
    _change_archive(task_id, policy.can_restore_task, services.restore_task)
    flash(_("The task has been restored."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))
