"""Optimistic locking and conditional reads (RFC 9110 §13, RFC 6585 §3).

A write to a record that exists names the version it was read at: If-Match with the
record's ETag. A stale ETag is refused with 412, a write without If-Match with 428,
so that no script overwrites a change it never saw. A read carries the ETag (and
Last-Modified where the record keeps its time) and answers 304 to a matching
If-None-Match (tracker.api.views answers it for every read).
"""
import hashlib

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db

# The header a write must send, as the OpenAPI document describes it.
IF_MATCH = {
    "in": "header", "name": "If-Match", "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the record as read: a stale one is refused (412), "
                   "a write without it too (428).",
}


def task_etag(task):
    """Return the ETag of a task's current version."""
    return f'"task-{task.id}-v{task.version}"'


def petition_etag(petition):
    """Return the ETag of a petition's current version."""
    return f'"petition-{petition.id}-v{petition.version}"'


def initiative_etag(initiative):
    """Return the ETag of a "Dân vận khéo" model's current version."""
    return f'"initiative-{initiative.id}-v{initiative.version}"'


def comment_etag(comment):
    """Return the ETag of a comment's current text (a comment keeps no version)."""
    stamp = f"{comment.edited_at}|{comment.body}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f'"comment-{comment.id}-{digest}"'


def quarter_etag(quarter):
    """Return the ETag of a quarter: its state, close, approval and meeting date."""
    stamp = "|".join(str(value) for value in (
        quarter.state, quarter.closed_at, quarter.approved_at, quarter.briefing_on))
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f'"quarter-{quarter.key}-{digest}"'


def briefing_etag(quarter, meeting):
    """Return the ETag of a quarter's briefing meeting: a digest of its record."""
    import json

    from tracker.reports.briefing import MEETING_FIELDS, proposal_rows

    # Nothing recorded yet reads as an empty record: the same ETag as one emptied.
    record = [quarter.briefing_on.isoformat() if quarter.briefing_on else None]
    record += [getattr(meeting, name) if meeting else "" for name in MEETING_FIELDS]
    record.append(proposal_rows(meeting))
    stamp = json.dumps(record, ensure_ascii=False)
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f'"briefing-{quarter.key}-{digest}"'


def notification_etag(notice):
    """Return the ETag of a notice: read or not."""
    return f'"notification-{notice.id}-{"read" if notice.is_read else "unread"}"'


def require_if_match(etag):
    """Refuse a write without If-Match (428), or naming another version (412)."""
    condition = request.if_match
    if not condition:
        abort(428, description=_(
            "Read the record first and send its ETag in If-Match, so that a change "
            "made meanwhile by someone else is not overwritten."))
    if condition.star_tag:
        return
    if condition.contains_raw(etag) or condition.contains(etag.strip('"')):
        return
    abort(412, description=_(
        "The record has changed since you read it (its ETag is now %(etag)s): read "
        "it again, then send your change.", etag=etag))


def commit_or_412():
    """Commit the write; a version saved by someone else since the If-Match check
    (the version column's StaleDataError) is answered as a stale ETag: 412."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        abort(412)


def answer_conditionally(response):
    """Answer a read with 304 when If-None-Match names its ETag (after the view)."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and \
            response.headers.get("ETag"):
        response.make_conditional(request)
    return response


def digest_etag(name, document):
    """Return the ETag of a derived read (a list): a digest of what it shows."""
    import json

    stamp = json.dumps(document, sort_keys=True, default=str)
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f'"{name}-{digest}"'
