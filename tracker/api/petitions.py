"""Petitions through the API: the list's filters, one petition, its steps.

The same services, forms and policy as tracker.petitions' pages; each step names the
petition's version in If-Match.
"""
from flask import abort, url_for
from flask_login import current_user
from flask_smorest import abort as refuse

from tracker.api import conditions, schemas
from tracker.api.conditions import commit_or_412, petition_etag, require_if_match
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
from tracker.i18n import today
from tracker.petitions import services
from tracker.petitions.forms import (
    AnswerForm,
    ClosePetitionForm,
    ForwardForm,
    PetitionForm,
)
from tracker.petitions.views import _unit_list
from tracker.tasks.services import get_task_or_404


def petition_data(petition, day, detail=False):
    """Return a petition as the API shows it."""
    data = {
        "id": petition.id, "task": petition.task_id,
        "quarter": petition.task.quarter.key, "citizen": petition.citizen,
        "commune": petition.commune, "content": petition.content,
        "field": petition.field, "answering_unit": _unit_ref(petition.answering_unit),
        "answering_body": petition.answering_body, "due_on": petition.due_on,
        "state": petition.state, "is_overdue": petition.is_overdue(day),
        "forwarded_on": petition.forwarded_on, "answer": petition.answer,
        "answered_on": petition.answered_on, "close_reason": petition.close_reason,
        "closed_on": petition.closed_on, "version": petition.version,
    }
    if detail:
        data["history"] = [{
            "id": row.id, "created_at": row.created_at, "action": row.action,
            "user": None if row.user is None else {
                "id": row.user.id, "username": row.user.username,
                "full_name": row.user.full_name},
            "old_state": row.old_state, "new_state": row.new_state, "note": row.note,
            "changes": row.changes,
        } for row in petition.updates]
    return data


def _headers(petition):
    return {"ETag": petition_etag(petition), "Cache-Control": "private, no-cache"}


def _links(prefix=""):
    petition_id = "$response.body#/" + prefix + "id"
    header = "$response.header.ETag"
    return {
        "GetPetition": {"operationId": "getPetition",
                        "parameters": {"petition_id": petition_id}},
        "ForwardPetition": {"operationId": "forwardPetition", "parameters": {
            "petition_id": petition_id, "header.If-Match": header}},
        "AnswerPetition": {"operationId": "answerPetition", "parameters": {
            "petition_id": petition_id, "header.If-Match": header}},
        "ClosePetition": {"operationId": "closePetition", "parameters": {
            "petition_id": petition_id, "header.If-Match": header}},
    }


@bp.route("/v1/petitions")
@bp.arguments(schemas.PetitionListArgs, location="query")
@bp.response(200, schemas.PetitionPageSchema)
@documents(*READ_ERRORS)
def petition_list(args):
    """The board's petitions across quarters, under the list page's filters."""
    filters = services.Filters(
        state=args.get("state", ""), field=args.get("field", ""),
        commune=(args.get("commune") or "").strip(), body=args.get("body", ""),
        overdue=args["overdue"], page=args["page"],
    )
    day = today()
    rows, total, overdue = services.petition_list(filters, day,
                                                  policy.unit_ids(current_user))
    return {
        "items": [petition_data(row, day) for row in rows], "page": filters.page,
        "pages": max(1, -(-total // services.PAGE_SIZE)), "total": total,
        "overdue": overdue,
    }, 200, {"Cache-Control": "private, no-cache"}


@bp.route("/v1/petitions/<int(max=2147483647):petition_id>")
@bp.response(200, schemas.PetitionDetailSchema)
@bp.doc(operationId="getPetition")
@documents(*READ_ERRORS)
def petition(petition_id):
    """One petition with its history; its ETag goes in a step's If-Match."""
    found = services.get_petition_or_404(petition_id)
    return petition_data(found, today(), detail=True), 200, _headers(found)


@bp.route("/v1/tasks/<int(max=2147483647):task_id>/petitions", methods=["POST"])
@bp.arguments(schemas.PetitionCreateSchema)
@bp.response(201, schemas.PetitionDetailSchema)
@bp.doc(operationId="createPetition", responses={201: {"links": _links()}})
@documents(*CREATE_ERRORS)
def petition_create(data, task_id):
    """Record a petition raised at a dialogue task's meeting, as its page does."""
    task = get_task_or_404(task_id)
    user = _user()
    if not policy.can_record_petition(user, task):
        abort(403)
    body = dict(data)
    body["answering_unit_id"] = body.get("answering_unit_id") or 0
    form = form_from_json(PetitionForm, body, units=_unit_list())
    if not form.validate():
        refuse(422, errors=form_errors(form))
    created = services.create_petition(task, form.details(), user)
    db.session.commit()
    created = services.get_petition_or_404(created.id)
    headers = _headers(created)
    headers["Location"] = url_for("api.petition", petition_id=created.id)
    return petition_data(created, today(), detail=True), 201, headers


def _step(petition_id, allowed, form_class, data, apply):
    """Load, check, compare versions, validate with the page's form, apply, commit."""
    found = services.get_petition_or_404(petition_id)
    user = _user()
    if not allowed(user, found):
        abort(403)
    require_if_match(petition_etag(found))
    form = form_from_json(form_class, data)
    if not form.validate():
        refuse(422, errors=form_errors(form))
    apply(found, form, user)
    commit_or_412()
    found = services.get_petition_or_404(petition_id)
    return petition_data(found, today(), detail=True), 200, _headers(found)


@bp.route("/v1/petitions/<int(max=2147483647):petition_id>/forward",
          methods=["POST"])
@bp.arguments(schemas.ForwardSchema)
@bp.response(200, schemas.PetitionDetailSchema)
@bp.doc(operationId="forwardPetition", parameters=[conditions.IF_MATCH],
        responses={200: {"links": _links()}})
@documents(*WRITE_ERRORS)
def petition_forward(data, petition_id):
    """Record that the petition was forwarded to the body that must answer it."""
    return _step(petition_id, policy.can_forward_petition, ForwardForm, data,
                 lambda petition, form, user: services.forward_petition(
                     petition, user, form.forwarded_on.data, form.note.data))


@bp.route("/v1/petitions/<int(max=2147483647):petition_id>/answer", methods=["POST"])
@bp.arguments(schemas.AnswerSchema)
@bp.response(200, schemas.PetitionDetailSchema)
@bp.doc(operationId="answerPetition", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def petition_answer(data, petition_id):
    """Record the answer the body gave, and its date: the petition is settled."""
    return _step(petition_id, policy.can_answer_petition, AnswerForm, data,
                 lambda petition, form, user: services.answer_petition(
                     petition, user, form.answer.data, form.answered_on.data))


@bp.route("/v1/petitions/<int(max=2147483647):petition_id>/close", methods=["POST"])
@bp.arguments(schemas.ClosePetitionSchema)
@bp.response(200, schemas.PetitionDetailSchema)
@bp.doc(operationId="closePetition", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def petition_close(data, petition_id):
    """Close the petition without an answer, for the reason given."""
    return _step(petition_id, policy.can_close_petition, ClosePetitionForm, data,
                 lambda petition, form, user: services.close_petition(
                     petition, user, form.reason.data, form.closed_on.data))
