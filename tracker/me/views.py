"""My work: the page staff open first, and the leader's decisions."""
from flask import Blueprint, render_template
from flask_login import current_user

from tracker.auth import policy
from tracker.forms import Form
from tracker.i18n import lazy as _l
from tracker.i18n import today, translated
from tracker.me import services
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
