"""Congresses by term through the API: the calendar, and one term with its history.

The same services as the /congresses pages: the calendar's rows, in its order, and
the term page's next congress and changes.
"""
from tracker.api import schemas
from tracker.api.conditions import digest_etag
from tracker.api.views import READ_ERRORS, _unit_ref, bp, documents
from tracker.congresses import services
from tracker.i18n import today
from tracker.text import to_roman

HEADERS = {"Cache-Control": "private, no-cache"}


def congress_data(row):
    """Return one congress of the calendar as the API shows it."""
    term = row.term
    return {
        "term_id": term.id, "organisation": term.organisation, "level": term.level,
        "unit": _unit_ref(term.unit), "last_ordinal": term.ordinal,
        "last_term_start": term.term_start, "last_term_end": term.term_end,
        "last_held_on": term.last_held_on, "ordinal": row.ordinal,
        "ordinal_roman": row.ordinal_roman, "term_start": row.term_start,
        "term_end": row.term_end, "due_on": row.due_on, "state": row.state,
        "held_on": row.held_on,
        "task": row.task.id if row.task is not None else None,
        "flagged": row.flagged,
    }


def term_data(term):
    """Return a term, its next congress and its history as the API shows them."""
    number, start, end, due = services.next_congress(term)
    return {
        "id": term.id, "organisation": term.organisation, "level": term.level,
        "unit": _unit_ref(term.unit), "last_ordinal": term.ordinal,
        "last_ordinal_roman": to_roman(term.ordinal),
        "last_term_start": term.term_start, "last_term_end": term.term_end,
        "last_held_on": term.last_held_on, "next_ordinal": number,
        "next_ordinal_roman": to_roman(number), "next_term_start": start,
        "next_term_end": end, "next_due_on": due, "version": term.version,
        "history": [{
            "id": change.id, "created_at": change.created_at, "action": change.action,
            "user": None if change.user is None else {
                "id": change.user.id, "username": change.user.username,
                "full_name": change.user.full_name},
            "task": change.task_id, "changes": change.changes,
        } for change in term.changes],
    }


@bp.route("/v1/congresses")
@bp.response(200, schemas.CongressListSchema)
@bp.doc(operationId="getCongresses")
@documents(*READ_ERRORS)
def congress_list():
    """The calendar of congresses: planned, held, or not yet planned."""
    data = {"items": [congress_data(row) for row in services.calendar(today())]}
    return data, 200, dict(HEADERS, ETag=digest_etag("congresses", data))


@bp.route("/v1/congresses/<int(max=2147483647):term_id>")
@bp.response(200, schemas.CongressTermSchema)
@bp.doc(operationId="getCongressTerm")
@documents(*READ_ERRORS)
def congress_term(term_id):
    """One organisation's term, its next congress and every change made to it."""
    term = services.get_term_or_404(term_id)
    return term_data(term), 200, dict(
        HEADERS, ETag=f'"congress-term-{term.id}-v{term.version}"')
