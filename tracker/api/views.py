"""The API's one blueprint: /api/v1/… resources, the document and the docs page.

Each view loads through the same services as the pages, asks the same policy, and
lets smorest validate its input and serialise its output with the declared schemas.
"""
import os

from flask import Blueprint as FlaskBlueprint
from flask import abort, jsonify, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as refuse

from tracker.api import auth, conditions, errors, schemas
from tracker.api.conditions import (
    commit_or_412, quarter_etag, require_if_match, task_etag,
)
from tracker.api.forms import form_errors, form_from_json
from tracker.auth import policy
from tracker.boards.access import current_board
from tracker.extensions import csrf, db, limiter
from tracker.figures import services as figures
from tracker.i18n import today
from tracker.models import Unit
from tracker.models.unit import COMMUNE
from tracker.quarters.services import current_quarter, get_quarter_or_404, quarters_page
from tracker.tasks import services as tasks
from tracker.tasks.rows import unit_rows
from tracker.units.services import unit_quarter_figures

bp = Blueprint("api", __name__, url_prefix="/api",
               description="The tracker's records, for scripts and other systems.")
errors.register(bp)
# Bearer tokens, never cookies, sign API requests in: there is no CSRF to guard against.
csrf.exempt(bp)
limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key, scope="api",
              exempt_when=auth.is_public_endpoint)(bp)
bp.after_request(conditions.answer_conditionally)

# Errors each kind of operation may answer, besides the "default" one (and 304 for
# a read whose If-None-Match names its ETag).
READ_ERRORS = (304, 401, 403, 404, 422, 429)
CREATE_ERRORS = (401, 403, 404, 409, 422, 429, 503)
WRITE_ERRORS = CREATE_ERRORS + (412, 428)


def documents(*codes):
    """Document the problem responses an operation answers."""
    import http

    def decorate(view):
        for code in codes:
            view = bp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorate


def _user():
    return current_user._get_current_object()


def _quarter(key):
    """Return the quarter for "2023-Q2", or for "current" the one holding today."""
    if key == "current":
        quarter = current_quarter(today())
        if quarter is None:
            abort(404)
        return quarter
    return get_quarter_or_404(key)


def _as_of(args):
    """Return the as_of of the query (None when absent); 422 when not a date."""
    try:
        return figures.parse_as_of(args.get("as_of"))
    except figures.BadDate:
        refuse(422, errors={"as_of": [figures.bad_date_message()]})


def _json(document):
    """Return a JSON response with an ETag of its body."""
    response = jsonify(document)
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _unit_ref(unit):
    if unit is None:
        return None
    return {"id": unit.id, "name": unit.name, "short_name": unit.short_name}


def quarter_data(quarter):
    """Return a quarter as the API shows it."""
    return {
        "key": quarter.key, "year": quarter.year, "number": quarter.number,
        "label": quarter.label, "state": quarter.state,
        "starts_on": quarter.starts_on, "ends_on": quarter.ends_on,
        "briefing_on": quarter.briefing_on, "is_closed": quarter.is_closed,
        "closed_at": quarter.closed_at, "approved_at": quarter.approved_at,
    }


def task_data(task, cutoff, quarter_key, detail=False):
    """Return a task (or a task row of a list) as the API shows it."""
    data = {
        "id": task.id, "quarter": quarter_key, "kind": task.kind, "title": task.title,
        "lead_unit": _unit_ref(task.lead_unit),
        "units": [
            {"unit": _unit_ref(link.unit), "role": link.role,
             "share_status": link.share_status, "share_done_on": link.share_done_on}
            for link in task.unit_links
        ],
        "status": task.status, "progress": task.progress, "due_on": task.due_on,
        "extended_due_on": task.extended_due_on,
        "completed_on": task.completed_on, "is_recurring": task.is_recurring,
        "target_count": task.target_count, "achieved_count": task.achieved_count,
        "is_archived": task.is_archived, "timeliness": task.timeliness(cutoff),
        "scope": [_unit_ref(unit) for unit in task.scope_units],
        "version": getattr(task, "version", None),
    }
    if detail:
        data.update(description=task.description, result=task.result,
                    source_document=task.source_document, updated_at=task.updated_at)
    return data


def update_data(update):
    """Return one history row as the API shows it."""
    user = update.user
    return {
        "id": update.id, "created_at": update.created_at, "action": update.action,
        "user": None if user is None else {
            "id": user.id, "username": user.username, "full_name": user.full_name},
        "unit": _unit_ref(update.unit), "old_status": update.old_status,
        "new_status": update.new_status, "old_progress": update.old_progress,
        "new_progress": update.new_progress, "note": update.note,
        "changes": update.changes, "via": update.via,
    }


def _task_headers(task):
    headers = {"ETag": task_etag(task), "Cache-Control": "private, no-cache"}
    if task.updated_at is not None:
        from werkzeug.http import http_date

        headers["Last-Modified"] = http_date(task.updated_at)
    return headers


# Users

@bp.route("/v1/users/self")
@bp.response(200, schemas.UserSchema)
@documents(304, 401, 429)
def user_self():
    """The token's user, their role in their board and their units."""
    user = _user()
    board = current_board()
    data = {
        "id": user.id, "username": user.username, "full_name": user.full_name,
        "role": getattr(user, "board_role", user.role),
        "board": {"code": board.code, "name": board.name} if board else None,
        "units": [_unit_ref(unit) for unit in user.units],
        "token_scope": auth.current_token().scope,
    }
    return _json(schemas.UserSchema().dump(data))


# Quarters

@bp.route("/v1/quarters")
@bp.arguments(schemas.QuarterPageArgs, location="query")
@bp.response(200, schemas.QuarterPageSchema)
@bp.doc(operationId="listQuarters", responses={200: {"links": {
    "GetBriefing": {"operationId": "getBriefing",
                    "parameters": {"key": "$response.body#/items/0/key"}}}}})
@documents(*READ_ERRORS)
def quarter_list(args):
    """The board's quarters, newest first, a page at a time."""
    items, page, pages = quarters_page(args["page"], args["per_page"])
    return _json(schemas.QuarterPageSchema().dump({
        "items": [quarter_data(quarter) for quarter in items],
        "page": page, "pages": pages, "per_page": args["per_page"],
    }))


@bp.route("/v1/quarters/<key>")
@bp.response(200, schemas.QuarterSchema)
@documents(*READ_ERRORS)
def quarter(key):
    """One quarter, by key ("2023-Q2") or "current"; its ETag goes in If-Match."""
    found = _quarter(key)
    return quarter_data(found), 200, _quarter_headers(found)


def _quarter_headers(quarter):
    return {"ETag": quarter_etag(quarter), "Cache-Control": "private, no-cache"}


@bp.route("/v1/quarters/<key>/figures")
@bp.arguments(schemas.AsOfArgs, location="query")
@bp.response(200, schemas.FiguresSchema)
@documents(*READ_ERRORS)
def quarter_figures(args, key):
    """The quarter's figures at ?as_of= (open quarters; else today), as figures.json."""
    found = _quarter(key)
    if not policy.can_read_figures(_user(), found):
        abort(403)
    return _json(figures.figures_document(found, _as_of(args)))


@bp.route("/v1/quarters/<key>/tasks")
@bp.arguments(schemas.TaskListArgs, location="query")
@bp.response(200, schemas.TaskPageSchema)
@documents(*READ_ERRORS)
def quarter_tasks(args, key):
    """The quarter's tasks under the board's filters, a page at a time.

    ?timeliness= keeps one class at the quarter's cut-off (today while it is open),
    as the figures count them: ?timeliness=overdue lists the overdue work.
    ?commune= keeps the tasks in a commune's scope or that it leads or takes part
    in (a unit id that is not one of the board's communes is refused).
    """
    found = _quarter(key)
    cutoff = figures.cutoff_for(found)
    units = unit_rows()
    commune = args.get("commune")
    if commune is not None and getattr(units.get(commune), "kind", None) != \
            COMMUNE:
        refuse(422, errors={"commune": [_("Choose one of the board's communes.")]})
    page = tasks.board_page(
        found, page=args["page"], per_page=args["per_page"], sort=args["sort"],
        units=units, unit_id=args.get("unit"), commune_id=commune,
        kind=args.get("kind"), status=args.get("status"),
        q=(args.get("q") or "").strip() or None, archived=args["archived"],
        timeliness=args.get("timeliness"), cutoff=cutoff,
    )
    return _json(schemas.TaskPageSchema().dump({
        "quarter": found.key, "cutoff": cutoff,
        "items": [task_data(task, cutoff, found.key) for task in page.tasks],
        "page": page.page, "pages": page.pages, "per_page": page.per_page,
        "total": page.total,
    }))


# Tasks

@bp.route("/v1/tasks/<int(max=2147483647):task_id>")
@bp.response(200, schemas.TaskDetailSchema)
@bp.doc(operationId="getTask")
@documents(*READ_ERRORS)
def task(task_id):
    """One task; its ETag names its version (send it back in If-Match)."""
    found = tasks.get_task_or_404(task_id)
    cutoff = figures.cutoff_for(found.quarter)
    data = task_data(found, cutoff, found.quarter.key, detail=True)
    return data, 200, _task_headers(found)


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/history")
@bp.response(200, schemas.HistoryListSchema)
@bp.doc(operationId="getTaskHistory")
@documents(*READ_ERRORS)
def task_history(task_id):
    """The task's whole history, newest first."""
    found = tasks.get_task_or_404(task_id)
    data = {"task": found.id, "items": [update_data(row) for row in found.updates]}
    return data, 200, _task_headers(found)


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/progress", methods=["POST"])
@bp.arguments(schemas.ProgressSchema)
@bp.response(200, schemas.ProgressResultSchema)
@bp.doc(operationId="reportProgress", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def task_progress(data, task_id):
    """Report progress on a whole task, as its page's form does."""
    from tracker.tasks.views import _save_with_retry

    user = _user()
    found = tasks.get_task_or_404(task_id, for_update=True)
    if not policy.can_report_progress(user, found):
        abort(403)
    require_if_match(task_etag(found))
    problems = tasks.progress_problems(found, data["status"], data.get("progress"),
                                       data.get("completed_on"), today())
    if problems:
        refuse(422, errors={name: [message] for name, message in problems})
    found, update = _save_with_retry(
        task_id, lambda fresh: policy.can_report_progress(user, fresh),
        lambda fresh: tasks.report_progress(
            fresh, data["status"], data.get("progress"), data.get("note", ""), user,
            completed_on=data.get("completed_on"), today=today(),
        ),
    )
    found = tasks.get_task_or_404(task_id)
    cutoff = figures.cutoff_for(found.quarter)
    result = {
        "changed": update is not None,
        "task": task_data(found, cutoff, found.quarter.key, detail=True),
        "update": update_data(update) if update is not None else None,
    }
    return result, 200, _task_headers(found)


# Task writes: the task form's fields and rules, the task services.

def _task_links(operation_prefix=""):
    """Return the OpenAPI links from an answer naming a task to what can follow."""
    task_id = "$response.body#/" + operation_prefix + "id"
    return {
        "GetTask": {"operationId": "getTask", "parameters": {"task_id": task_id}},
        "UpdateTask": {"operationId": "updateTask", "parameters": {
            "task_id": task_id, "header.If-Match": "$response.header.ETag"}},
        "ReportProgress": {"operationId": "reportProgress", "parameters": {
            "task_id": task_id, "header.If-Match": "$response.header.ETag"}},
        "TaskHistory": {"operationId": "getTaskHistory",
                        "parameters": {"task_id": task_id}},
    }


def _task_form(quarter, data, task=None):
    """Return the page's task form filled from the body, validated; 422 if refused."""
    from tracker.tasks.forms import TaskForm
    from tracker.tasks.views import _units_for

    form = form_from_json(TaskForm, data, quarter=quarter, units=_units_for(task))
    if not form.validate():
        refuse(422, errors=form_errors(form))
    return form


@bp.route("/v1/quarters/<key>/tasks", methods=["POST"])
@bp.arguments(schemas.TaskCreateSchema)
@bp.response(201, schemas.TaskDetailSchema)
@bp.doc(operationId="createTask",
        responses={201: {"links": _task_links()}})
@documents(*CREATE_ERRORS)
def task_create(data, key):
    """Add a task to the quarter, as the page's "new task" form does."""
    found = _quarter(key)
    user = _user()
    if not policy.can_create_task(user, found):
        abort(403)
    form = _task_form(found, data)
    created = tasks.create_task(
        found, form.plan_data(), user, coordinating=form.coordinating.data or (),
        participating=form.participating.data or (), co_lead=form.co_lead.data or (),
        scope=form.scope.data or (),
    )
    db.session.commit()
    created = tasks.get_task_or_404(created.id)
    headers = _task_headers(created)
    headers["Location"] = url_for("api.task", task_id=created.id)
    return task_data(created, figures.cutoff_for(found), found.key, detail=True), \
        201, headers


@bp.route("/v1/tasks/<int(max=2147483647):task_id>", methods=["PATCH"])
@bp.arguments(schemas.TaskWriteSchema)
@bp.response(200, schemas.TaskEditResultSchema)
@bp.doc(operationId="updateTask", parameters=[conditions.IF_MATCH],
        responses={200: {"links": _task_links("task/")}})
@documents(*WRITE_ERRORS)
def task_update(data, task_id):
    """Change a task's plan: the fields sent, the others as they are (the edit form)."""
    user = _user()
    found = tasks.get_task_or_404(task_id, for_update=True)
    if not policy.can_edit_task(user, found):
        abort(403)
    require_if_match(task_etag(found))
    values = tasks.plan_snapshot(found)
    # A scope not sent is left as it is (and not checked again: a commune of it
    # may since have become another kind of unit).
    values.pop("scope")
    values.update(data)
    form = _task_form(found.quarter, values, found)
    changes = tasks.update_task(
        found, form.plan_data(), user, coordinating=form.coordinating.data or (),
        participating=form.participating.data or (),
        co_lead=form.co_lead.data or (),
        scope=(form.scope.data or ()) if "scope" in data else None,
    )[1]
    commit_or_412()
    found = tasks.get_task_or_404(task_id)
    result = {"changed": changes,
              "task": task_data(found, figures.cutoff_for(found.quarter),
                                found.quarter.key, detail=True)}
    return result, 200, _task_headers(found)


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/shares/"
          "<int(max=2147483647):unit_id>", methods=["POST"])
@bp.arguments(schemas.ShareSchema)
@bp.response(200, schemas.ProgressResultSchema)
@bp.doc(operationId="reportShare", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def task_share(data, task_id, unit_id):
    """Report a participating unit's share of a task, as the task page's form does."""
    from tracker.tasks.forms import ShareForm
    from tracker.tasks.views import _save_with_retry

    user = _user()
    found = tasks.get_task_or_404(task_id, for_update=True)
    link = tasks.get_link_or_404(found, unit_id)
    if not policy.can_report_share(user, link):
        abort(403)
    require_if_match(task_etag(found))
    form = form_from_json(ShareForm, {
        "unit_id": unit_id, "share_status": data["status"],
        "share_done_on": data.get("done_on"), "share_note": data.get("note", ""),
    }, links=found.participants_links, today=today())
    if not form.validate():
        refuse(422, errors={
            {"share_status": "status", "share_done_on": "done_on",
             "share_note": "note"}.get(name, name): messages
            for name, messages in form_errors(form).items()})

    def allowed(fresh):
        return policy.can_report_share(user, tasks.get_link_or_404(fresh, unit_id))

    _found, update = _save_with_retry(
        task_id, allowed,
        lambda fresh: tasks.report_share(
            tasks.get_link_or_404(fresh, unit_id), form.share_status.data,
            form.share_done_on.data, form.share_note.data, user, today=today(),
        ),
    )
    found = tasks.get_task_or_404(task_id)
    result = {
        "changed": update is not None,
        "task": task_data(found, figures.cutoff_for(found.quarter), found.quarter.key,
                          detail=True),
        "update": update_data(update) if update is not None else None,
    }
    return result, 200, _task_headers(found)


# Quarter actions: the close and approval of the pages (tracker.quarters.rollover).

def _close_plan_data(found):
    from tracker.quarters.rollover import (
        ACTIONS, RolloverError, check_can_close, close_plan,
    )

    reason = None
    try:
        check_can_close(found)
    except RolloverError as exc:
        reason = str(exc)
    plan = close_plan(found) if not found.is_closed else []
    tasks.load_scopes([item.task for item in plan])
    cutoff = figures.cutoff_for(found)
    return {
        "quarter": found.key, "next_quarter": "%d-Q%d" % found.next_key(),
        "can_close": reason is None, "reason": reason, "actions": list(ACTIONS),
        "items": [{"task": task_data(item.task, cutoff, found.key),
                   "carried_to": item.continuation.id if item.is_carried else None}
                  for item in plan],
    }


@bp.route("/v1/quarters/<key>/close")
@bp.response(200, schemas.ClosePlanSchema)
@documents(*READ_ERRORS)
def quarter_close_plan(key):
    """What closing the quarter decides about: its unfinished and recurring tasks."""
    found = _quarter(key)
    if not policy.can_close_quarter(_user(), found):
        abort(403)
    return _close_plan_data(found), 200, _quarter_headers(found)


@bp.route("/v1/quarters/<key>/close", methods=["POST"])
@bp.arguments(schemas.CloseSchema)
@bp.response(200, schemas.CloseResultSchema)
@bp.doc(operationId="closeQuarter", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def quarter_close(data, key):
    """Close the quarter: carry each unfinished task, or end it with its reason.

    The close page's choices: every task not named is carried; ending a task
    ("cancelled", "not_needed") needs its reason in note; "carry_all" carries all.
    """
    from tracker.quarters.rollover import RolloverError, close_plan, close_quarter
    from tracker.quarters.views import _close_decisions, _ended_without_reason

    found = _quarter(key)
    user = _user()
    if not policy.can_close_quarter(user, found):
        abort(403)
    require_if_match(quarter_etag(found))
    form_data = {}
    if data["carry_all"]:
        form_data["carry_all"] = "1"
    for choice in data["choices"]:
        form_data[f"action-{choice['task']}"] = choice["action"]
        form_data[f"note-{choice['task']}"] = choice["note"]
    plan = close_plan(found) if not found.is_closed else []
    known = {item.task.id for item in plan}
    unknown = sorted({choice["task"] for choice in data["choices"]} - known)
    if unknown and not found.is_closed:
        refuse(422, errors={"choices": [_(
            "These tasks are not among those the close decides about: %(tasks)s.",
            tasks=", ".join(f"#{task_id}" for task_id in unknown))]})
    decisions, notes = _close_decisions(form_data, plan)
    missing = _ended_without_reason(decisions, notes)
    if missing:
        refuse(422, errors={"choices": [_(
            "Give the reason for every task that ends here: %(tasks)s.",
            tasks=", ".join(f"#{task_id}" for task_id in missing))]})
    try:
        result = close_quarter(found, decisions, user, notes)
    except RolloverError as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    return {
        "quarter": quarter_data(found), "next_quarter": result.next_quarter.key,
        "created_next": result.created_next,
        "carried": [task.id for task in result.carried],
        "closed": [task.id for task in result.closed],
    }, 200, _quarter_headers(found)


@bp.route("/v1/quarters/<key>/approve", methods=["POST"])
@bp.response(200, schemas.ApproveResultSchema)
@bp.doc(operationId="approveQuarter", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def quarter_approve(key):
    """Approve a closed quarter's figures, as its summary page does."""
    from tracker.quarters.rollover import RolloverError, approve_quarter

    found = _quarter(key)
    user = _user()
    if not policy.can_approve_quarter(user, found):
        abort(403)
    require_if_match(quarter_etag(found))
    try:
        approved = approve_quarter(found, user)
    except RolloverError as exc:
        db.session.rollback()
        abort(409, description=str(exc))
    db.session.commit()
    return {"quarter": quarter_data(found), "total": approved["total"],
            "done": approved["done"], "overdue": approved["overdue"],
            "rate": approved["rate"]}, 200, _quarter_headers(found)


# Units

@bp.route("/v1/units")
@bp.response(200, schemas.UnitListSchema)
@bp.doc(operationId="listUnits")
@documents(304, 401, 429)
def unit_list():
    """The board's units (and the outside bodies every board shares)."""
    units = sorted(unit_rows().values(), key=lambda unit: (unit.sort_order, unit.name))
    return _json(schemas.UnitListSchema().dump({
        "items": [unit._asdict() for unit in units], "total": len(units),
    }))


@bp.route("/v1/groups")
@bp.response(200, schemas.GroupListSchema)
@bp.doc(operationId="listGroups")
@documents(304, 401, 429)
def group_list():
    """The board's groups of units with their members (administrators edit them on
    the groups page)."""
    from tracker.admin.services import list_groups

    groups = list_groups()
    return _json(schemas.GroupListSchema().dump({
        "items": [dict(_unit_ref(group), is_active=group.is_active,
                       members=[_unit_ref(member) for member in group.members])
                  for group in groups],
        "total": len(groups),
    }))


def _unit(unit_id):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.route("/v1/units/<int(max=2147483647):unit_id>")
@bp.response(200, schemas.UnitSchema)
@documents(*READ_ERRORS)
def unit(unit_id):
    """One unit."""
    found = _unit(unit_id)
    return _json(schemas.UnitSchema().dump({
        "id": found.id, "name": found.name, "short_name": found.short_name,
        "kind": found.kind, "parent_id": found.parent_id,
        "is_active": found.is_active,
    }))


@bp.route("/v1/units/<int(max=2147483647):unit_id>/scorecard")
@bp.arguments(schemas.ScorecardArgs, location="query")
@bp.response(200, schemas.ScorecardSchema)
@documents(*READ_ERRORS)
def unit_scorecard(args, unit_id):
    """The unit's row of a quarter's figures (?quarter=, the current one by default)."""
    found = _unit(unit_id)
    as_of = _as_of(args)
    chosen = _quarter(args["quarter"]) if args.get("quarter") else \
        current_quarter(today())
    score = cutoff = None
    if chosen is not None:
        cutoff = figures.cutoff_for(chosen, as_of)
        _tasks, computed = unit_quarter_figures(found, chosen, cutoff)
        score = figures.unit_figures(computed, found.id)
    return _json(schemas.ScorecardSchema().dump({
        "unit": _unit_ref(found), "quarter": chosen.key if chosen else None,
        "cutoff": cutoff, "score": score,
    }))


# The document and its page: not operations of the API, so left out of it.

def openapi_json():
    """Serve the OpenAPI document."""
    from tracker.api import spec_document

    return jsonify(spec_document())


def docs():
    """Show the interactive page that reads the OpenAPI document."""
    return render_template("api/docs.html",
                           spec_url=url_for("api.openapi_json"))


def docs_asset(filename):
    """Serve Swagger UI's files from the installed flask-swagger-ui package."""
    import flask_swagger_ui

    folder = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")
    if filename not in ("swagger-ui.css", "swagger-ui-bundle.js",
                        "swagger-ui-standalone-preset.js", "favicon-32x32.png"):
        abort(404)
    return send_from_directory(folder, filename, max_age=3600)


FlaskBlueprint.add_url_rule(bp, "/v1/openapi.json", "openapi_json", openapi_json)
FlaskBlueprint.add_url_rule(bp, "/docs", "docs", docs)
FlaskBlueprint.add_url_rule(bp, "/docs/assets/<path:filename>", "docs_asset",
                            docs_asset)
