"""Default settings; instance/config.py and TRACKER_* environment variables override."""
import datetime as dt
import os

LANGUAGES = ("vi", "en")


class Config:
    """Settings every deployment starts from."""

    SECRET_KEY = "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = None  # filled from the instance folder in create_app
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # How long a write waits for SQLite's write lock (milliseconds), and how many
    # more times it tries before answering 503 "busy, try again".
    SQLITE_BUSY_TIMEOUT_MS = 5000
    WRITE_LOCK_RETRIES = 1
    # PostgreSQL: longest wait for a row lock before answering 503 (0: no limit).
    POSTGRES_LOCK_TIMEOUT_MS = 10000
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "md"
    WTF_CSRF_TIME_LIMIT = None
    # Cookies: never readable by scripts, not sent on cross-site POSTs; set
    # TRACKER_SESSION_COOKIE_SECURE=true when the site is served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False  # also on whenever SESSION_COOKIE_SECURE is
    REMEMBER_COOKIE_DURATION = dt.timedelta(days=14)  # also a session's longest idle
    # A session's "last seen" is written at most this often (seconds).
    SESSION_TOUCH_SECONDS = 60
    # Behind a reverse proxy, the number of proxies whose X-Forwarded-For/-Proto to
    # trust (0: none), so per-address limits and Secure cookies see the real client.
    PROXY_FIX = 0
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # Evidence files (tracker.files): the folder their bytes live in (default
    # instance/files; a shared volume when several app servers run), the largest file
    # in MB, and how many one report may carry. A report's request may be as large as
    # all of them together (MAX_CONTENT_LENGTH stays the limit of every other form).
    FILES_DIR = ""
    MAX_FILE_MB = 20
    MAX_FILES_PER_UPLOAD = 10
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's; tests use a fast one
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 200
    # Sign-in attempts that fail, per client address and per account (Flask-Limiter
    # syntax). "database" counts them in the failed_sign_in table, shared by every
    # worker and server; redis://host:6379 counts them in Redis instead (the table
    # is then only the record); memory:// counts per process.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "database"
    SIGN_IN_RECORD_DAYS = 90  # failed sign-ins kept this long for the administrators
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    )
    # Pin "today" (ISO date) for demonstrations; timeliness is computed against it.
    TODAY = None
    # Days before a due date that `flask remind` tells the units (comma-separated).
    REMIND_DAYS = "7,1"
    # E-mail of notifications (tracker.notifications.mail): nothing is sent without a
    # server. TRACKER_MAIL_SERVER, _PORT, _USERNAME, _PASSWORD, _USE_TLS, _USE_SSL,
    # _DEFAULT_SENDER ("Ban Dân vận <bdv@example.vn>"), _TIMEOUT (seconds).
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = ""
    MAIL_TIMEOUT = 10
    MAIL_BACKEND = "smtp"
    # Daily digests go out on the first `flask remind` at or after this hour (local).
    MAIL_DIGEST_HOUR = 7
    # Notices older than this are not mailed late (a server down for days).
    MAIL_MAX_AGE_HOURS = 48
    # The tracker's address as people open it, for the links in e-mails.
    BASE_URL = "http://localhost:5000"
    # Rendered parts of pages kept while the data is unchanged (tracker.page_cache):
    # in each process by default; with several servers, TRACKER_CACHE_TYPE=RedisCache
    # and TRACKER_CACHE_REDIS_URL=redis://host:6379/1 share them.
    PAGE_CACHE = True
    CACHE_TYPE = "SimpleCache"
    CACHE_THRESHOLD = 64  # parts per process; a province's board is about 1 MB
    CACHE_DEFAULT_TIMEOUT = 3600
    CACHE_REDIS_URL = ""


def normalise_database_url(url):
    """Route plain postgresql:// URLs to the psycopg 3 driver the project installs."""
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def _typed(name, value):
    """Read an environment string as the type of the setting's default."""
    default = getattr(Config, name, None)
    if isinstance(default, bool):
        word = value.strip().lower()
        if word not in TRUE_WORDS + FALSE_WORDS:
            raise ValueError(f"TRACKER_{name} must be true or false, not {value!r}")
        return word in TRUE_WORDS
    if isinstance(default, int):
        return int(value)
    return value


def environment_overrides(environ=None):
    """Return the TRACKER_* environment variables as settings without the prefix.

    A setting whose default is a boolean or a number is read as one, so that
    TRACKER_SESSION_COOKIE_SECURE=false means False, not the true string "false".
    """
    environ = os.environ if environ is None else environ
    settings = {}
    for name, value in environ.items():
        if name.startswith("TRACKER_") and len(name) > len("TRACKER_"):
            key = name[len("TRACKER_") :]
            settings[key] = _typed(key, value)
    return settings
