"""The API's one blueprint: /api/v1/… resources, the document and the docs page.

Each view loads through the same services as the pages, asks the same policy, and
lets smorest validate its input and serialise its output with the declared schemas.
"""
import os

from flask import Blueprint as FlaskBlueprint
from flask import abort, jsonify, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as refuse

from tracker.api import auth, errors, schemas
from tracker.auth import policy
from tracker.boards.access import current_board
from tracker.extensions import csrf, db, limiter
from tracker.figures import services as figures
from tracker.i18n import today
from tracker.models import Unit
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

# Errors each kind of operation may answer, besides the "default" one.
READ_ERRORS = (401, 403, 404, 422, 429)
WRITE_ERRORS = READ_ERRORS + (409, 412, 503)


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


def task_etag(task):
    """Return the ETag of a task's current version (what If-Match names)."""
    return f'"task-{task.id}-v{task.version}"'


def _task_headers(task):
    headers = {"ETag": task_etag(task), "Cache-Control": "private, no-cache"}
    if task.updated_at is not None:
        from werkzeug.http import http_date

        headers["Last-Modified"] = http_date(task.updated_at)
    return headers


# Users

@bp.route("/v1/users/self")
@bp.response(200, schemas.UserSchema)
@documents(401, 429)
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
    """One quarter, by key ("2023-Q2") or "current"."""
    return _json(schemas.QuarterSchema().dump(quarter_data(_quarter(key))))


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
    """The quarter's tasks under the board's filters, a page at a time."""
    found = _quarter(key)
    cutoff = figures.cutoff_for(found)
    page = tasks.board_page(
        found, page=args["page"], per_page=args["per_page"], sort=args["sort"],
        units=unit_rows(), unit_id=args.get("unit"), kind=args.get("kind"),
        status=args.get("status"), q=(args.get("q") or "").strip() or None,
        archived=args["archived"],
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
@documents(*READ_ERRORS)
def task(task_id):
    """One task; its ETag names its version (send it back in If-Match)."""
    found = tasks.get_task_or_404(task_id)
    cutoff = figures.cutoff_for(found.quarter)
    data = task_data(found, cutoff, found.quarter.key, detail=True)
    return data, 200, _task_headers(found)


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/history")
@bp.response(200, schemas.HistoryListSchema)
@documents(*READ_ERRORS)
def task_history(task_id):
    """The task's whole history, newest first."""
    found = tasks.get_task_or_404(task_id)
    data = {"task": found.id, "items": [update_data(row) for row in found.updates]}
    return data, 200, _task_headers(found)


def _check_if_match(found):
    """Refuse (412) a write whose If-Match names another version of the task."""
    if not request.if_match or request.if_match.star_tag:
        return
    if not request.if_match.contains_raw(task_etag(found)) and \
            not request.if_match.contains(task_etag(found).strip('"')):
        abort(412, description=_(
            "The task has changed since you read it (it is now at version "
            "%(version)d): read it again, then send your report.",
            version=found.version))


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/progress", methods=["POST"])
@bp.arguments(schemas.ProgressSchema)
@bp.response(200, schemas.ProgressResultSchema)
@bp.doc(parameters=[{
    "in": "header", "name": "If-Match", "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the task as read: a stale one is refused (412).",
}])
@documents(*WRITE_ERRORS)
def task_progress(data, task_id):
    """Report progress on a whole task, as its page's form does."""
    from tracker.tasks.views import _save_with_retry

    user = _user()
    found = tasks.get_task_or_404(task_id, for_update=True)
    if not policy.can_report_progress(user, found):
        abort(403)
    _check_if_match(found)
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


# Units

@bp.route("/v1/units")
@bp.response(200, schemas.UnitListSchema)
@documents(401, 429)
def unit_list():
    """The board's units (and the outside bodies every board shares)."""
    units = sorted(unit_rows().values(), key=lambda unit: (unit.sort_order, unit.name))
    return _json(schemas.UnitListSchema().dump({
        "items": [unit._asdict() for unit in units], "total": len(units),
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
