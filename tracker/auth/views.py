"""Sign in and sign out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    from tracker.auth.forms import LoginForm

    if current_user.is_authenticated:
        return redirect(url_for("quarters.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.username == form.username.data.strip())
        )
        if user is None or not user.is_active or not user.check_password(
            form.password.data
        ):
            flash(_("Wrong username or password."), "danger")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign the user out."""
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
