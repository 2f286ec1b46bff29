"""My work: the page staff open first, and the leader's decisions."""
from flask import (
    Blueprint, abort, g, make_response, render_template, request, url_for,
)
from flask_login import current_user

from tracker.auth import policy
from tracker.forms import Form
from tracker.i18n import lazy as _l
from tracker.i18n import today, translated
from tracker.me import calendar, services
from tracker.models import SHARE_STATUSES

bp = Blueprint("me", __name__)

GROUP_LABELS = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due within 14 days"),
    "in_progress": _l("In progress"),
    "not_started": _l("Not started"),
}


@bp.route("/me")
def index():
    """Show the person's own units' open work, grouped, with what awaits a leader."""
    day = today()
    groups = services.my_work(current_user, day)
    may_report = {
        item.task.id: policy.can_report_progress(current_user, item.task)
        for items in groups.values() for item in items if item.link is None
    }
    may_share = {
        (item.task.id, item.link.unit_id):
            policy.can_report_share(current_user, item.link)
        for items in groups.values() for item in items if item.link is not None
    }
    # (task id, unit id) pairs the person may acknowledge for with one click.
    may_acknowledge = {
        (item.task.id, unit_id)
        for items in groups.values() for item in items
        for unit_id in policy.acknowledgeable_unit_ids(current_user, item.task)
    }
    return render_template(
        "me/index.html", groups=groups, may_acknowledge=may_acknowledge, group_labels=translated(GROUP_LABELS),
        decisions=services.decisions(current_user, day), today=day,
        units=current_user.units, may_report=may_report, may_share=may_share,
        share_statuses=translated(SHARE_STATUSES), form=Form(),
    )


@bp.route("/me/calendar.ics")
def calendar_feed():
    """Serve the person's calendar feed; its token signed the request in (404 if not).

    The token is checked before the sign-in check (tracker.auth.setup_login calls
    sign_in_by_calendar_token); a calendar app never has a session.
    """
    board = g.get("board")
    response = make_response(calendar.feed(
        current_user, today(),
        lambda task: url_for("tasks.show", task_id=task.id, _external=True),
        board.code if board is not None else "tracker",
    ))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def sign_in_by_calendar_token():
    """Sign the feed's request in by its token, or answer 404 revealing nothing."""
    from tracker.extensions import login_manager

    user = calendar.authenticate(request.args.get("token", ""))
    if user is None:
        g._login_user = login_manager.anonymous_user()
        abort(404)
    # Flask-Login reads g._login_user before the cookies: the token's user it is.
    g._login_user = user
    return None
