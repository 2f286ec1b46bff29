"""The token user's notices through the API: a page of them, and marking one read."""
from tracker.api import conditions, schemas
from tracker.api.conditions import notification_etag, require_if_match
from tracker.api.views import READ_ERRORS, WRITE_ERRORS, _user, bp, documents
from tracker.boards.access import current_board
from tracker.extensions import db
from tracker.notifications import services

PER_PAGE = 50


def notice_data(notice):
    """Return a notice as the API shows it, its sentence in the request's language."""
    return {
        "id": notice.id, "kind": notice.kind, "message": services.message(notice),
        "task": notice.task_id, "created_at": notice.created_at,
        "read_at": notice.read_at, "is_read": notice.is_read,
    }


@bp.route("/v1/notifications")
@bp.arguments(schemas.NotificationArgs, location="query")
@bp.response(200, schemas.NotificationPageSchema)
@documents(*READ_ERRORS)
def notification_list(args):
    """The token user's notices in their board, newest first."""
    user = _user()
    notices, has_next = services.notices_page(user, args["page"], PER_PAGE)
    return {
        "items": [notice_data(notice) for notice in notices], "page": args["page"],
        "has_next": has_next, "unread": services.unread_count(user, current_board()),
    }, 200, {"Cache-Control": "private, no-cache"}


@bp.route("/v1/notifications/<int(max=2147483647):notification_id>")
@bp.response(200, schemas.NotificationSchema)
@bp.doc(operationId="getNotification")
@documents(*READ_ERRORS)
def notification(notification_id):
    """One of the token user's notices (another person's is not found)."""
    notice = services.get_own_or_404(_user(), notification_id)
    return notice_data(notice), 200, {"ETag": notification_etag(notice),
                                      "Cache-Control": "private, no-cache"}


@bp.route("/v1/notifications/<int(max=2147483647):notification_id>/read",
          methods=["POST"])
@bp.response(200, schemas.NotificationSchema)
@bp.doc(operationId="markNotificationRead", parameters=[conditions.IF_MATCH])
@documents(*WRITE_ERRORS)
def notification_read(notification_id):
    """Mark one of the token user's notices read, as the bell's list does."""
    notice = services.get_own_or_404(_user(), notification_id)
    require_if_match(notification_etag(notice))
    services.mark_read(notice)
    db.session.commit()
    return notice_data(notice), 200, {"ETag": notification_etag(notice),
                                      "Cache-Control": "private, no-cache"}
