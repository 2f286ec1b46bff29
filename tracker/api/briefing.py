"""The quarter's briefing meeting (hội nghị trực báo) through the API.

Its record is read and replaced as a whole, through the page's form, service
(tracker.reports.briefing) and policy (/quarters/<key>/briefing): who may change the
report settings records it, never once the quarter is closed. A change names the
record's ETag in If-Match.
"""
from flask import abort
from flask_babel import gettext as _
from flask_smorest import abort as refuse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.api import conditions, schemas
from tracker.api.conditions import briefing_etag, commit_or_412, require_if_match
from tracker.api.forms import form_errors, form_from_json
from tracker.api.views import READ_ERRORS, WRITE_ERRORS, _quarter, _user, bp, documents
from tracker.auth import policy
from tracker.extensions import db
from tracker.models import Quarter
from tracker.reports import briefing
from tracker.reports.forms import BriefingForm


def briefing_data(quarter, meeting):
    """Return the quarter's meeting as the API shows it (empty until recorded)."""
    task = briefing.meeting_task(quarter)
    data = {"quarter": quarter.key, "is_closed": quarter.is_closed,
            "briefing_on": quarter.briefing_on}
    data.update({name: getattr(meeting, name) if meeting else ""
                 for name in briefing.MEETING_FIELDS})
    data["proposals"] = [{"addressee": addressee, "text": text}
                         for addressee, text in briefing.proposal_rows(meeting)]
    data["task"] = task.id if task is not None else None
    return data


def _answer(quarter):
    meeting = briefing.get_meeting(quarter)
    headers = {"ETag": briefing_etag(quarter, meeting),
               "Cache-Control": "private, no-cache"}
    return briefing_data(quarter, meeting), 200, headers


def _links():
    return {"UpdateBriefing": {"operationId": "updateBriefing", "parameters": {
        "key": "$request.path.key", "header.If-Match": "$response.header.ETag"}}}


@bp.route("/v1/quarters/<key>/briefing")
@bp.response(200, schemas.BriefingSchema)
@bp.doc(operationId="getBriefing", responses={200: {"links": _links()}})
@documents(*READ_ERRORS)
def briefing_meeting(key):
    """The quarter's briefing meeting: date, place, chair, attendees, proposals; its
    ETag goes in the If-Match of a change."""
    found = _quarter(key)
    if not policy.can_download_report(_user()):
        abort(403)
    return _answer(found)


@bp.route("/v1/quarters/<key>/briefing", methods=["PUT"])
@bp.arguments(schemas.BriefingWriteSchema)
@bp.response(200, schemas.BriefingSchema)
@bp.doc(operationId="updateBriefing", parameters=[conditions.IF_MATCH],
        responses={200: {"links": _links()}})
@documents(*WRITE_ERRORS)
def briefing_update(data, key):
    """Record the quarter's briefing meeting, or change it, as its page's form does.

    The whole record is sent: a field left out is left empty, and a proposal
    without its text is dropped (one naming whom it goes to needs its text). A
    closed quarter's meeting no longer changes (403).
    """
    found = _quarter(key)
    user = _user()
    if not policy.can_edit_briefing(user, found):
        if found.is_closed and policy.can_edit_report(user, found):
            abort(403, description=_(
                "This quarter is closed; its record cannot change."))
        abort(403)
    # Hold the quarter while comparing and writing (PostgreSQL; SQLite holds the
    # whole database for a write): the meeting keeps no version number.
    db.session.scalar(select(Quarter).where(Quarter.id == found.id)
                      .with_for_update(of=Quarter)
                      .execution_options(populate_existing=True))
    require_if_match(briefing_etag(found, briefing.get_meeting(found)))
    form = form_from_json(BriefingForm, data)
    form.quarter = found
    if not form.validate():
        refuse(422, errors=form_errors(form))
    try:
        briefing.save_meeting(found, form.meeting_data(), user)
        commit_or_412()
    except IntegrityError:
        # The page recorded the first meeting meanwhile (one row per quarter).
        db.session.rollback()
        abort(412)
    return _answer(found)
