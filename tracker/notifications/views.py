"""The bell and the list of a person's notices."""
from flask import (
    Blueprint, current_app, flash, g, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker.extensions import db
from tracker.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell():
    """Give every page the signed-in person's count of unread notices."""
    # (Mail is rendered outside any request: nobody is signed in there.)
    if not getattr(current_user, "is_authenticated", False):
        return {}
    from tracker.boards.access import current_board

    return {"unread_notices": services.unread_count(current_user, current_board())}


@bp.app_template_global()
def mail_server():
    """Return the configured mail server's name, or "" when none is (no mail goes)."""
    from tracker.notifications.mail import is_configured

    return current_app.config["MAIL_SERVER"].strip() if is_configured() else ""


@bp.route("/", strict_slashes=False)
def index():
    """List the person's notices, newest first, each leading to its task."""
    page = request.args.get("page", 1, type=int) or 1
    notices, has_next = services.notices_page(current_user, page)
    items = [(notice, services.message(notice), services.target_url(notice))
             for notice in notices]
    return render_template("notifications/index.html", items=items, page=max(1, page),
                           has_next=has_next)


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id):
    """Mark one notice read (CSRFProtect checks the form); open=1 goes to its task."""
    notice = services.get_own_or_404(current_user, notification_id)
    services.mark_read(notice)
    target = services.target_url(notice)
    db.session.commit()
    if request.form.get("open"):
        return redirect(target)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
def read_all():
    """Mark every notice of the person read."""
    count = services.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["POST"])
def preferences():
    """Save where and how often the person's notices are mailed."""
    from tracker.auth.views import render_account
    from tracker.notifications.forms import MailPreferenceForm

    form = MailPreferenceForm()
    if not form.validate_on_submit():
        flash(_("The e-mail settings were not saved; see the messages below."),
              "danger")
        return render_account(mail_form=form, status=400)
    services.set_mail_preference(current_user, form.email.data or "",
                                 form.frequency.data)
    db.session.commit()
    flash(_("Your e-mail settings have been saved."), "success")
    return redirect(url_for("auth.account") + "#mail")


@bp.after_app_request
def mail_at_once(response):
    """After a change that wrote notices, mail those wanted at once (if configured)."""
    # Set by the notices' listener (tracker.notifications.events) on g, so a page
    # that wrote none does not touch the session here.
    if g.pop(services.WROTE_NOTICES, None):
        from tracker.notifications.mail import is_configured, send_immediate

        if is_configured():
            try:
                send_immediate(user_ids=None)
            except Exception:  # the change is saved; the next `flask remind` retries
                db.session.rollback()
                current_app.logger.exception("Notifications not mailed")
    return response
