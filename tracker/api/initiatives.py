"""The "Dân vận khéo" registry through the API: the list, one model, its changes.

The same services, forms and policy as tracker.initiatives' pages; an edit and a step
name the model's version in If-Match, and the history rows they write say "api".
"""
from flask import abort, url_for
from flask_babel import gettext as _
from flask_smorest import abort as refuse
from werkzeug.http import http_date

from tracker.api import conditions, schemas
from tracker.api.conditions import commit_or_412, initiative_etag, require_if_match
from tracker.api.forms import form_errors, form_from_json
from tracker.api.views import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    _unit_ref,
    _user,
    bp,
    documents,
)
from tracker.auth import policy
from tracker.extensions import db
from tracker.initiatives import services
from tracker.initiatives.forms import InitiativeForm, StepForm
from tracker.initiatives.views import _units


def initiative_data(initiative, detail=False):
    """Return a model as the API shows it."""
    data = {
        "id": initiative.id, "name": initiative.name, "field": initiative.field,
        "unit": _unit_ref(initiative.unit), "commune": initiative.commune,
        "year": initiative.year, "beneficiaries": initiative.beneficiaries,
        "registered_on": initiative.registered_on, "state": initiative.state,
        "next_states": list(initiative.next_states), "level": initiative.level,
        "decision_number": initiative.decision_number,
        "recognised_on": initiative.recognised_on,
        "dropped_on": initiative.dropped_on, "drop_reason": initiative.drop_reason,
        "is_imported": initiative.is_imported, "count": initiative.count,
        "quarter": initiative.quarter.key if initiative.quarter else None,
        "task": initiative.task_id, "version": initiative.version,
    }
    if detail:
        data["history"] = [{
            "id": row.id, "created_at": row.created_at, "action": row.action,
            "user": None if row.user is None else {
                "id": row.user.id, "username": row.user.username,
                "full_name": row.user.full_name},
            "old_state": row.old_state, "new_state": row.new_state, "note": row.note,
            "changes": row.changes, "via": row.via,
        } for row in initiative.updates]
    return data


def _headers(initiative):
    headers = {"ETag": initiative_etag(initiative),
               "Cache-Control": "private, no-cache"}
    # The newest history row is the last change (the history is newest first).
    changed = initiative.updates[0].created_at if initiative.updates else \
        initiative.created_at
    if changed is not None:
        headers["Last-Modified"] = http_date(changed)
    return headers


def _links(prefix=""):
    initiative_id = "$response.body#/" + prefix + "id"
    header = "$response.header.ETag"
    return {
        "GetInitiative": {"operationId": "getInitiative",
                          "parameters": {"initiative_id": initiative_id}},
        "UpdateInitiative": {"operationId": "updateInitiative", "parameters": {
            "initiative_id": initiative_id, "header.If-Match": header}},
        "StepInitiative": {"operationId": "stepInitiative", "parameters": {
            "initiative_id": initiative_id, "header.If-Match": header}},
    }


def _answer(initiative_id, status=200, extra=None):
    """Return the model read afresh, as an answer with its ETag."""
    found = services.get_initiative_or_404(initiative_id)
    data = initiative_data(found, detail=True)
    if extra is not None:
        data = dict(extra, initiative=data)
    return data, status, _headers(found)


@bp.route("/v1/initiatives")
@bp.arguments(schemas.InitiativeListArgs, location="query")
@bp.response(200, schemas.InitiativePageSchema)
@bp.doc(operationId="listInitiatives")
@documents(*READ_ERRORS)
def initiative_list(args):
    """The board's registry, under the list page's filters, newest year first."""
    filters = services.Filters(
        state=args.get("state", ""), field=args.get("field", ""),
        unit=args.get("unit", ""), commune=(args.get("commune") or "").strip(),
        year=args.get("year", 0), page=args["page"],
    )
    rows, total, by_state = services.initiative_list(
        filters, policy.unit_ids(_user()))
    return {
        "items": [initiative_data(row) for row in rows], "page": filters.page,
        "pages": max(1, -(-total // services.PAGE_SIZE)), "total": total,
        "by_state": by_state,
    }, 200, {"Cache-Control": "private, no-cache"}


@bp.route("/v1/initiatives/<int(max=2147483647):initiative_id>")
@bp.response(200, schemas.InitiativeDetailSchema)
@bp.doc(operationId="getInitiative")
@documents(*READ_ERRORS)
def initiative(initiative_id):
    """One model with its history; its ETag goes in an edit's or a step's If-Match."""
    return _answer(initiative_id)


@bp.route("/v1/initiatives", methods=["POST"])
@bp.arguments(schemas.InitiativeCreateSchema)
@bp.response(201, schemas.InitiativeDetailSchema)
@bp.doc(operationId="createInitiative", responses={201: {"links": _links()}})
@documents(*CREATE_ERRORS)
def initiative_create(data):
    """Register a model for one of the user's units, as the page's form does."""
    user = _user()
    if not policy.can_record_initiative(user):
        abort(403)
    form = form_from_json(InitiativeForm, data, units=_units())
    if not form.validate():
        refuse(422, errors=form_errors(form))
    created = services.create_initiative(form.details(), user)
    db.session.commit()
    data, status, headers = _answer(created.id, status=201)
    headers["Location"] = url_for("api.initiative", initiative_id=created.id)
    return data, status, headers


def _write(initiative_id, apply):
    """Load, check, compare versions, apply, commit; 412 if saved meanwhile."""
    found = services.get_initiative_or_404(initiative_id)
    user = _user()
    if not policy.can_edit_initiative(user, found):
        abort(403)
    require_if_match(initiative_etag(found))
    result = apply(found, user)
    commit_or_412()
    return result


@bp.route("/v1/initiatives/<int(max=2147483647):initiative_id>", methods=["PATCH"])
@bp.arguments(schemas.InitiativeWriteSchema)
@bp.response(200, schemas.InitiativeEditResultSchema)
@bp.doc(operationId="updateInitiative", parameters=[conditions.IF_MATCH],
        responses={200: {"links": _links("initiative/")}})
@documents(*WRITE_ERRORS)
def initiative_update(data, initiative_id):
    """Correct a model's details: the fields sent, the others as they are."""

    def apply(found, user):
        values = {name: getattr(found, name) for name in services.DETAIL_FIELDS}
        values.update(data)
        form = form_from_json(InitiativeForm, values, units=_units(found))
        if not form.validate():
            refuse(422, errors=form_errors(form))
        if not policy.can_record_for_unit(user, form.unit_id.data):
            refuse(422, errors={"unit_id": [
                _("You may record models only for your units.")]})
        return services.update_initiative(found, form.details(), user)

    changes = _write(initiative_id, apply)
    return _answer(initiative_id, extra={"changed": changes})


@bp.route("/v1/initiatives/<int(max=2147483647):initiative_id>/step",
          methods=["POST"])
@bp.arguments(schemas.InitiativeStepSchema)
@bp.response(200, schemas.InitiativeDetailSchema)
@bp.doc(operationId="stepInitiative", parameters=[conditions.IF_MATCH],
        responses={200: {"links": _links()}})
@documents(*WRITE_ERRORS)
def initiative_step(data, initiative_id):
    """Move the model on: being built, reviewed, recognised (level, decision) or
    dropped (the reason in note), as the page's step form does."""

    def apply(found, user):
        form = form_from_json(StepForm, data, allowed=found.next_states)
        if not form.validate():
            refuse(422, errors=form_errors(form))
        try:
            services.advance(found, user, form.state.data, form.on.data,
                             form.note.data, level=form.level.data or None,
                             decision_number=form.decision_number.data)
        except services.StepError:
            abort(409)

    _write(initiative_id, apply)
    return _answer(initiative_id)
