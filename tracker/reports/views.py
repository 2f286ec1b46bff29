"""The briefing report and its settings, exports, print view, and the plan import."""
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.auth import policy
from tracker.extensions import db
from tracker.figures.services import requested_as_of
from tracker.forms import CONTROL_CHARACTERS, Form
from tracker.i18n import today
from tracker.quarters.services import get_quarter_or_404
from tracker.reports import briefing, imports, services
from tracker.reports.forms import (
    BLANK_PROPOSALS,
    PROPOSALS_MAX,
    BriefingForm,
    ImportForm,
    OrganisationForm,
    ReportForm,
)
from tracker.tasks.services import active_units

bp = Blueprint("reports", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def can_import_into(quarter):
    """Tell templates whether the signed-in user may import into the quarter."""
    return policy.can_import_plan(current_user, quarter)


def _download(data, mimetype, name):
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=name, max_age=0)


def _readable_quarter(key):
    quarter = get_quarter_or_404(key)
    if not policy.can_download_report(current_user):
        abort(403)
    return quarter


@bp.route("/quarters/<key>/report", methods=["GET", "POST"])
def settings(key):
    """Show the report's settings and downloads; save the settings."""
    quarter = _readable_quarter(key)
    as_of = requested_as_of()
    org = services.get_organisation()
    can_edit = policy.can_edit_report(current_user, quarter)
    saved = services.report_settings(quarter, org)
    form = ReportForm(obj=saved) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            services.save_report(quarter, form.report_data(), current_user)
            db.session.commit()
            flash(_("The report settings have been saved."), "success")
            return redirect(url_for("reports.settings", key=quarter.key))
        status = 400
    return render_template(
        "reports/settings.html", quarter=quarter, org=org, form=form, saved=saved,
        can_edit_org=policy.can_edit_organisation(current_user),
        missing=services.missing_parts(quarter, org, saved), as_of=as_of,
        cutoff=services.download_cutoff(quarter, as_of, saved),
        starting=services.quarter_starting_texts(quarter, org, saved, as_of),
    ), status


@bp.route("/quarters/<key>/briefing", methods=["GET", "POST"])
def briefing_meeting(key):
    """Show the quarter's briefing meeting; record or change it (not once closed)."""
    quarter = _readable_quarter(key)
    meeting = briefing.get_meeting(quarter)
    can_edit = policy.can_edit_briefing(current_user, quarter)
    form, status = None, 200
    if request.method == "POST" and not can_edit:
        abort(403)
    if can_edit:
        if request.method == "POST":
            form = BriefingForm()
        else:
            rows = [dict(addressee=addressee, text=text)
                    for addressee, text in briefing.proposal_rows(meeting)]
            rows += [dict(addressee="", text="")] * BLANK_PROPOSALS
            values = {name: getattr(meeting, name) if meeting else ""
                      for name in briefing.MEETING_FIELDS}
            form = BriefingForm(data=dict(
                values, briefing_on=quarter.briefing_on,
                proposals=rows[:PROPOSALS_MAX]))
        form.quarter = quarter
        if form.validate_on_submit():
            briefing.save_meeting(quarter, form.meeting_data(), current_user)
            db.session.commit()
            flash(_("The briefing meeting has been saved."), "success")
            return redirect(url_for("reports.briefing_meeting", key=quarter.key))
        if request.method == "POST":
            status = 400
    return render_template(
        "reports/briefing.html", quarter=quarter, meeting=meeting, form=form,
        proposals=briefing.proposal_rows(meeting),
        task=briefing.meeting_task(quarter),
    ), status


@bp.route("/quarters/<key>/report.docx")
def report_docx(key):
    """Download the quarter's briefing report as a Word document."""
    from tracker.reports.document import render

    quarter = _readable_quarter(key)
    report = services.build_report(quarter, requested_as_of())
    return _download(render(report), DOCX, report.filename)


@bp.route("/quarters/<key>/report.xlsx")
def report_xlsx(key):
    """Download the quarter's workbook: summary, all tasks, per unit."""
    from tracker.reports.workbook import quarter_workbook

    quarter = _readable_quarter(key)
    return _download(quarter_workbook(quarter, requested_as_of()), XLSX,
                     f"bao-cao-{quarter.key}.xlsx")


@bp.route("/quarters/<key>/tasks.csv")
def tasks_csv(key):
    """Download the quarter's tasks as CSV (UTF-8 with BOM, for Excel)."""
    from tracker.reports.workbook import tasks_csv as build

    quarter = _readable_quarter(key)
    chunks = build(quarter, requested_as_of())
    # Streamed as the rows are read; Flask names the charset of a text type itself:
    # "text/csv; charset=utf-8".
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"nhiem-vu-{quarter.key}.csv")
    response.cache_control.no_cache = True
    return response


@bp.route("/quarters/<key>/print")
def print_view(key):
    """Show the A4 landscape sheet for the briefing meeting, one row per unit."""
    quarter = _readable_quarter(key)
    view = services.print_view(quarter, requested_as_of())
    return render_template("reports/print.html", **view)


@bp.route("/quarters/import-template.xlsx")
def import_template():
    """Download the import template, holding a quarter's tasks if ?from= names one."""
    from tracker.reports.workbook import template_workbook

    if not policy.can_download_report(current_user):
        abort(403)
    key = request.args.get("from")
    quarter = get_quarter_or_404(key) if key else None
    name = f"ke-hoach-{quarter.key}.xlsx" if quarter else "mau-ke-hoach.xlsx"
    return _download(template_workbook(quarter, today()), XLSX, name)


@bp.route("/reports/organisation", methods=["GET", "POST"])
def organisation():
    """Show and change the issuing body's names, code, place and defaults."""
    if not policy.can_edit_organisation(current_user):
        abort(403)
    org = services.get_organisation()
    form = OrganisationForm(obj=org, units=active_units())
    if request.method == "GET":
        form.unit_id.data = org.unit_id or 0
    if form.validate_on_submit():
        services.save_organisation(form.settings_data(), current_user)
        db.session.commit()
        flash(_("The organisation's settings have been saved."), "success")
        return redirect(url_for("reports.organisation"))
    return render_template(
        "reports/organisation.html", form=form, org=org,
    ), 400 if form.errors else 200


def _too_large_message():
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return _("The file is too large: upload at most %(size)d MB.",
             size=max(1, limit // (1024 * 1024)))


def _render_import(quarter, form, plan=None, token=None, status=200):
    return render_template(
        "reports/import.html", quarter=quarter, form=form, plan=plan, token=token,
        confirm_form=Form(formdata=None), shift=bool(plan and plan.shift),
    ), status


@bp.route("/quarters/<key>/import", methods=["GET", "POST"])
def import_plan(key):
    """Upload a plan file and preview what it would create; nothing is written yet."""
    quarter = get_quarter_or_404(key)
    if not policy.can_import_plan(current_user, quarter):
        abort(403)
    try:
        form = ImportForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        form.file.errors = [_too_large_message()]
        return _render_import(quarter, form, status=413)
    if request.method == "GET":
        return _render_import(quarter, form)
    if not valid:
        return _render_import(quarter, form, status=400)
    upload = form.file.data
    filename = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    filename = CONTROL_CHARACTERS.sub("", filename)[:255]
    content = upload.read()
    plan = imports.read_plan(quarter, content, filename, user=current_user,
                             shift=bool(form.shift.data))
    if not plan.ok and not plan.unknown_units:
        return _render_import(quarter, form, plan=plan, status=400)
    # Kept also when it names unknown units: the preview offers to create them and
    # reads the same file again.
    token = imports.keep_upload(quarter, current_user, filename, content)
    db.session.commit()
    return _render_import(quarter, form, plan=plan, token=token,
                          status=200 if plan.ok else 400)


@bp.route("/quarters/<key>/import/outside-unit", methods=["POST"])
def import_outside_unit(key):
    """Create an outside body a previewed file names, then preview the file again."""
    quarter = get_quarter_or_404(key)
    if not policy.can_add_outside_unit(current_user, quarter):
        abort(403)
    if not Form().validate_on_submit():
        abort(400)
    token = request.form.get("token", "")
    upload = imports.peek_upload(quarter, current_user, token)
    if upload is None:
        flash(_("This preview has expired or was already imported; upload the file "
                "again."), "warning")
        return redirect(url_for("reports.import_plan", key=quarter.key))
    name = request.form.get("name", "")
    shift = request.form.get("shift") == "1"
    plan = imports.read_plan(quarter, upload.content, upload.filename,
                             user=current_user, shift=shift)
    if name not in plan.unknown_units:
        abort(400, description=_("The file names no unknown unit of that name."))
    unit = imports.create_outside_unit(name, current_user)
    if unit is not None:
        db.session.commit()
        flash(_("The outside body %(unit)s has been created.", unit=unit.name),
              "success")
        plan = imports.read_plan(quarter, upload.content, upload.filename,
                                 user=current_user, shift=shift)
    form = ImportForm(formdata=None)
    return _render_import(quarter, form, plan=plan, token=token,
                          status=200 if plan.ok else 400)


@bp.route("/quarters/<key>/import/confirm", methods=["GET", "POST"])
def confirm_import(key):
    """Import the previewed file: every row, or none if anything is wrong now."""
    quarter = get_quarter_or_404(key)
    if not policy.can_import_plan(current_user, quarter):
        abort(403)
    if request.method == "GET":
        # A refusal is shown at this address; reloading it goes back to the upload.
        return redirect(url_for("reports.import_plan", key=quarter.key))
    if not Form().validate_on_submit():
        abort(400)
    upload = imports.claim_upload(quarter, current_user, request.form.get("token", ""))
    if upload is None:
        flash(_("This preview has expired or was already imported; upload the file "
                "again."), "warning")
        return redirect(url_for("reports.import_plan", key=quarter.key))
    # The preview's option comes back with its token: the file is read as it was.
    plan = imports.read_plan(quarter, upload.content, upload.filename,
                              user=current_user, shift=request.form.get("shift") == "1")
    if not plan.ok:
        db.session.rollback()
        return _render_import(quarter, ImportForm(formdata=None), plan=plan, status=400)
    created = imports.apply_plan(plan, current_user)
    db.session.commit()
    flash(ngettext("%(num)d task has been imported into %(quarter)s.",
                   "%(num)d tasks have been imported into %(quarter)s.",
                   len(created), quarter=quarter.label), "success")
    if plan.petitions:
        flash(ngettext("%(num)d petition has been recorded or updated.",
                       "%(num)d petitions have been recorded or updated.",
                       plan.petitions_done), "success")
    return redirect(url_for("quarters.board", key=quarter.key))


# ---- the next quarter's plan from this one -------------------------------------


def _plan_next_source(key):
    """Return (the quarter, its next quarter or None); 404 or 403 as the import."""
    from tracker.reports.next_plan import next_quarter

    quarter = get_quarter_or_404(key)
    if not policy.can_change_data(current_user):
        abort(403)
    return quarter, next_quarter(quarter)


def _render_plan_next(quarter, target, items=None, plan=None, ids=(), error=None,
                      status=200):
    from tracker.reports.next_plan import planning_target

    return render_template(
        "reports/plan_next.html", quarter=quarter,
        target=target if target is not None else planning_target(quarter),
        target_exists=target is not None, items=items, plan=plan, ids=ids,
        error=error, form=Form(formdata=None),
    ), status


@bp.route("/quarters/<key>/plan-next", methods=["GET", "POST"])
def plan_next(key):
    """Choose tasks of the quarter to plan again in the next; preview the plan."""
    from tracker.reports.next_plan import (
        NextPlanError, build_plan, candidates, check_target, chosen_ids,
        planning_target,
    )

    quarter, target = _plan_next_source(key)
    try:
        check_target(quarter, target, current_user)
    except NextPlanError as exc:
        return _render_plan_next(quarter, target, error=str(exc),
                                 status=403 if target is None else 409)
    if request.method == "GET":
        return _render_plan_next(quarter, target, items=candidates(quarter, target))
    if not Form().validate_on_submit():
        abort(400)
    try:
        ids = chosen_ids(request.form.getlist("task"))
        plan = build_plan(quarter, planning_target(quarter), ids, current_user)
    except NextPlanError as exc:
        return _render_plan_next(quarter, target, items=candidates(quarter, target),
                                 error=str(exc), status=400)
    return _render_plan_next(quarter, target, plan=plan, ids=ids,
                             status=200 if plan.ok else 400)


@bp.route("/quarters/<key>/plan-next/confirm", methods=["GET", "POST"])
def confirm_plan_next(key):
    """Create the previewed tasks in the next quarter, opening it if needed."""
    from tracker.reports.next_plan import NextPlanError, chosen_ids, confirm_plan

    quarter, target = _plan_next_source(key)
    if request.method == "GET":
        # A refusal is shown at this address; reloading it goes back to the choice.
        return redirect(url_for("reports.plan_next", key=quarter.key))
    if not Form().validate_on_submit():
        abort(400)
    try:
        ids = chosen_ids(request.form.getlist("task"))
        plan, created = confirm_plan(quarter, ids, current_user)
    except NextPlanError as exc:
        db.session.rollback()
        return _render_plan_next(quarter, target, error=str(exc), status=400)
    if not created:
        db.session.rollback()
        return _render_plan_next(quarter, target, plan=plan, ids=ids, status=400)
    db.session.commit()
    flash(ngettext("%(num)d task of %(source)s has been planned in %(quarter)s.",
                   "%(num)d tasks of %(source)s have been planned in %(quarter)s.",
                   len(created), source=quarter.label, quarter=plan.quarter.label),
          "success")
    return redirect(url_for("quarters.board", key=plan.quarter.key))
