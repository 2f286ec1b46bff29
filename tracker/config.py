"""Default settings; instance/config.py and TRACKER_* environment variables override."""
import os

LANGUAGES = ("vi", "en")


class Config:
    """Settings every deployment starts from."""

    SECRET_KEY = "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = None  # filled from the instance folder in create_app
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    PASSWORD_MIN_LENGTH = 8
    # Pin "today" (ISO date) for demonstrations; timeliness is computed against it.
    TODAY = None


def normalise_database_url(url):
    """Route plain postgresql:// URLs to the psycopg 3 driver the project installs."""
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def environment_overrides(environ=None):
    """Return the TRACKER_* environment variables as settings without the prefix."""
    environ = os.environ if environ is None else environ
    settings = {}
    for name, value in environ.items():
        if name.startswith("TRACKER_") and len(name) > len("TRACKER_"):
            settings[name[len("TRACKER_") :]] = value
    return settings
