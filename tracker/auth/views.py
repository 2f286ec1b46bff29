"""Sign in and out, and change one's own password."""
from urllib.parse import urlsplit

from flask import (
    Blueprint, current_app, flash, g, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from tracker.auth import services
from tracker.db_setup import reads_only
from tracker.extensions import db, limiter
from tracker.forms import Form
from tracker.models.audit import record

bp = Blueprint("auth", __name__)


def safe_next(target):
    """Return target if it stays on this site, else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    return target


def _attempt_failed(response):
    """Tell the rate limiter to count this attempt: it was refused."""
    return bool(g.get("credentials_refused"))


def _account_key():
    """Return the rate-limit key of the account being tried (any spelling of it)."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    username = (request.form.get("username") or "").strip().casefold()[:60]
    return f"account:{username}" if username else ""


def _address_limit():
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _account_limit():
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


# Only refused attempts count; once over either limit, even the right password waits.
# The account limit applies to unknown names too, so it tells nothing about them.
limit_per_address = limiter.limit(
    _address_limit, key_func=get_remote_address, methods=["POST"],
    deduct_when=_attempt_failed, scope="login-address",
)
limit_per_account = limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"],
    deduct_when=_attempt_failed, scope="login-account",
)


@bp.route("/login", methods=["GET", "POST"])
@reads_only
@limit_per_address
@limit_per_account
def login():
    """Show the sign-in form and sign the user in."""
    from tracker.auth.forms import LoginForm

    if current_user.is_authenticated:
        return redirect(url_for("quarters.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            g.credentials_refused = True
            flash(_("Wrong username or password."), "danger")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("index"))
    elif request.method == "POST":
        g.credentials_refused = True
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Ask to confirm (GET), then sign the user out (POST, with a CSRF token).

    Signing out changes state, so a link or an image on another site must not be able
    to do it: only a form from this site can.
    """
    form = Form()
    if not form.validate_on_submit():
        return render_template("auth/logout.html", form=form)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"],
    deduct_when=_attempt_failed, scope="password-account",
)
def change_password():
    """Change one's own password, given the current one; then sign in again."""
    from tracker.auth.forms import ChangePasswordForm

    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            g.credentials_refused = True
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.new_password.data)
            record(user, "updated", user, changes={"password": ["••••", "••••"]})
            db.session.commit()
            logout_user()
            flash(
                _("Your password has been changed and every session has ended. "
                  "Sign in with the new password."),
                "success",
            )
            return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status
