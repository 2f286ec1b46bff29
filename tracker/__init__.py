"""The tracker application: quarterly work of a Mass Mobilization Board."""
import os

from flask import Flask

from tracker.config import Config, environment_overrides, normalise_database_url
from tracker.files.limits import TrackerRequest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None):
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_path=os.path.join(ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.request_class = TrackerRequest
    configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app, test_config):
    """Load defaults, then instance/config.py, then TRACKER_* variables, then tests'."""
    app.config.from_object(Config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(environment_overrides())
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    from tracker.boards.urls import BoardPrefix

    app.wsgi_app = BoardPrefix(app.wsgi_app)
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config["REMEMBER_COOKIE_SECURE"] = True
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def register_extensions(app):
    """Bind every extension to the application."""
    from tracker import db_setup
    from tracker import security
    from tracker.extensions import (
        babel, bootstrap, cache, csrf, db, limiter, login_manager, mail, migrate,
    )
    from tracker.i18n import select_locale

    # Engine options (busy timeout, lock timeout, JSON) before the engine is made.
    db_setup.init_app(app)
    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    from tracker.auth import limits

    limits.configure(app)  # failed sign-ins: counted in the database, or Redis
    # Always install the limiter's hooks; RATELIMIT_ENABLED is read per request.
    enabled = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = enabled
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    cache.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    from tracker.auth import setup_login

    setup_login(app)


def register_blueprints(app):
    """Mount each feature's blueprint."""
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.comments.views import bp as comments_bp
    from tracker.congresses.views import bp as congresses_bp
    from tracker.figures.views import bp as figures_bp
    from tracker.followup.views import bp as followup_bp
    from tracker.files.views import bp as files_bp
    from tracker.me.views import bp as me_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.boards.views import bp as boards_bp
    from tracker.initiatives.views import bp as initiatives_bp
    from tracker.petitions.views import bp as petitions_bp
    from tracker.quarters.views import bp as quarters_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.search.views import bp as search_bp
    from tracker.tasks.views import bp as tasks_bp
    from tracker.units.views import bp as units_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(congresses_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(petitions_bp)
    app.register_blueprint(initiatives_bp)
    app.register_blueprint(quarters_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(units_bp)
    app.register_blueprint(me_bp)
    from tracker.api import init_app as init_api

    init_api(app)  # /api/v1/ and /api/docs: one blueprint, with its OpenAPI document
    app.add_url_rule("/", endpoint="index", view_func=_index)
    app.add_url_rule("/healthz", endpoint="healthz", view_func=_healthz)


def _index():
    """Send people to where their day starts: leaders to the current quarter's
    summary, staff of a unit to their own work, anyone else to the quarters."""
    from flask import redirect, url_for
    from flask_login import current_user

    from tracker.auth import policy
    from tracker.i18n import today
    from tracker.quarters.services import current_quarter

    if policy.is_leader(current_user):
        quarter = current_quarter(today())
        if quarter is not None:
            return redirect(url_for("quarters.summary", key=quarter.key))
    if policy.unit_ids(current_user):
        return redirect(url_for("me.index"))
    return redirect(url_for("quarters.index"))


def _healthz():
    """Answer "ok" without a session or the database: for load balancers and probes."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8",
                         "Cache-Control": "no-store"}


def register_errorhandlers(app):
    """Render one translated error page for every HTTP error."""
    from tracker.errors import init_app

    init_app(app)


def register_template_helpers(app):
    """Expose formatting filters and globals to the templates."""
    from tracker.forms import option_list
    from tracker.i18n import init_app

    init_app(app)
    app.add_template_global(option_list)


def register_commands(app):
    """Add the tracker's flask commands."""
    from tracker.cli import init_app

    init_app(app)
