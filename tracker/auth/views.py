"""Sign in and out, and change one's own password."""
from urllib.parse import urlsplit

from flask import (
    Blueprint, abort, current_app, flash, g, redirect, render_template, request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from tracker.auth import limits, services, sessions
from tracker.auth.passwords import password_problem
from tracker.db_setup import reads_only, writing
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
    """Tell Flask-Limiter to count this attempt: it was refused."""
    return bool(g.get("credentials_refused"))


def _account_key():
    """Return the rate-limit key of the account being tried (any spelling of it)."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    username = limits.username_key(request.form.get("username"))
    return f"account:{username}" if username else ""


def _address_limit():
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _account_limit():
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


# With RATELIMIT_STORAGE_URI naming a storage (Redis), Flask-Limiter counts; by
# default the database does (tracker.auth.limits) and these stand aside. Either way
# only refused attempts count, and once over a limit even the right password waits.
# The account limit applies to unknown names too, so it tells nothing about them.
limit_per_address = limiter.limit(
    _address_limit, key_func=get_remote_address, methods=["POST"],
    deduct_when=_attempt_failed, scope="login-address",
    exempt_when=limits.uses_database,
)
limit_per_account = limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"],
    deduct_when=_attempt_failed, scope="login-account",
    exempt_when=limits.uses_database,
)


def _refused(username, kind="sign_in", user=None):
    """Count and record a refused attempt, in a transaction of its own."""
    g.credentials_refused = True
    with writing():
        limits.record_failure(username, user=user, kind=kind)


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
    if request.method == "POST":
        limits.check_sign_in(request.form.get("username"))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            _refused(form.username.data)
            flash(_("Wrong username or password."), "danger")
        else:
            weak = password_problem(form.password.data, user)
            with writing():
                sessions.start(user, remember=form.remember.data)
            login_user(user, remember=form.remember.data)
            if weak:
                flash(_("Your password is easy to guess: %(reason)s Change it on your "
                        "account page.", reason=weak), "warning")
            return redirect(safe_next(request.args.get("next")) or url_for("index"))
    elif request.method == "POST":
        _refused(request.form.get("username"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Ask to confirm (GET), then sign out here or everywhere (POST, with CSRF).

    Signing out changes state, so a link or an image on another site must not be able
    to do it: only a form from this site can. The session ends on the server, so a
    copy of its cookies is worth nothing afterwards.
    """
    form = Form()
    if not form.validate_on_submit():
        return render_template("auth/logout.html", form=form)
    user = current_user._get_current_object()
    if request.form.get("everywhere"):
        sessions.end_all(user, "everywhere")
        message = _("You have signed out on every device.")
    else:
        sessions.end(user.sign_in, "signed_out")
        message = _("You have signed out.")
    db.session.commit()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/")
def account():
    """Show one's account, the devices signed in to it, one's API tokens and mail."""
    return render_account()


def render_account(token_form=None, new_token=None, mail_form=None, status=200,
                   calendar_url=None):
    """Render the account page (with a refused token or mail form, if given)."""
    from tracker.api import tokens
    from tracker.me import calendar
    from tracker.api.forms import TokenForm
    from tracker.notifications.forms import MailPreferenceForm
    from tracker.notifications.mail import is_configured
    from tracker.notifications.services import mail_preference

    user = current_user._get_current_object()
    return render_template(
        "auth/account.html", user=user, sessions=sessions.active_sessions(user),
        current_id=user.sign_in.id if user.sign_in is not None else None,
        device=sessions.device, form=Form(),
        tokens=tokens.user_tokens(user),
        token_form=token_form or TokenForm(formdata=None), new_token=new_token,
        mail_form=mail_form or MailPreferenceForm(obj=mail_preference(user)),
        mail_ready=is_configured(),
        calendar_token=calendar.current_token(user), calendar_url=calendar_url,
    ), status


@bp.route("/account/tokens", methods=["POST"])
def create_token():
    """Make a personal access token for the API and show it, this once only."""
    from tracker.api import tokens
    from tracker.api.forms import TokenForm

    user = current_user._get_current_object()
    form = TokenForm()
    if not form.validate_on_submit():
        return render_account(token_form=form, status=400)
    row, secret = tokens.create_token(user, form.name.data, form.scope.data,
                                      form.expires_on.data)
    record(user, "updated", user, changes={
        "api_token": [None, f"{row.name} ({row.scope}, {row.prefix}…)"]})
    db.session.commit()
    return render_account(new_token=secret)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id):
    """Revoke one of one's own tokens: it signs nobody in from now on."""
    from tracker.api import tokens

    user = current_user._get_current_object()
    row = tokens.get_own_token(user, token_id)
    if row is None:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    tokens.revoke(row)
    record(user, "updated", user, changes={
        "api_token": [f"{row.name} ({row.scope}, {row.prefix}…)", None]})
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.account") + "#tokens")


@bp.route("/account/calendar", methods=["POST"])
def create_calendar_token():
    """Make one's calendar feed address (revoking any earlier) and show it once."""
    from tracker.me import calendar

    user = current_user._get_current_object()
    if not Form().validate_on_submit():
        abort(400)
    row, secret = calendar.create_token(user)
    record(user, "updated", user, changes={"calendar_token": [None, f"{row.prefix}…"]})
    db.session.commit()
    return render_account(calendar_url=url_for("me.calendar_feed", token=secret,
                                               _external=True))


@bp.route("/account/calendar/revoke", methods=["POST"])
def revoke_calendar_token():
    """Revoke one's calendar feed address: it shows nothing from now on."""
    from tracker.me import calendar

    user = current_user._get_current_object()
    if not Form().validate_on_submit():
        abort(400)
    row = calendar.current_token(user)
    if row is None:
        flash(_("You have no calendar address to revoke."), "info")
        return redirect(url_for("auth.account") + "#calendar")
    calendar.revoke(user)
    record(user, "updated", user, changes={"calendar_token": [f"{row.prefix}…", None]})
    db.session.commit()
    flash(_("The calendar address has been revoked."), "success")
    return redirect(url_for("auth.account") + "#calendar")


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id):
    """End one of one's own sessions (signing that device out)."""
    user = current_user._get_current_object()
    row = sessions.get_own_session(user, session_id)
    if row is None:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    this_one = user.sign_in is not None and row.id == user.sign_in.id
    sessions.end(row, "ended")
    db.session.commit()
    if this_one:
        logout_user()
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That device has been signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"],
    deduct_when=_attempt_failed, scope="password-account",
    exempt_when=limits.uses_database,
)
def change_password():
    """Change one's own password, given the current one; then sign in again."""
    from tracker.auth.forms import ChangePasswordForm

    user = current_user._get_current_object()
    if request.method == "POST":
        limits.check_password_change(user)
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
            _refused(user.username, kind="password", user=user)
        else:
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
