"""Flask extensions, created unbound and initialised in the application factory."""
from flask import current_app
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter tables on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
cache = Cache()
bootstrap = Bootstrap5()
mail = Mail()
# No default limits: only the routes that ask for one (signing in) are limited.
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _limits_switched_off():
    """Exempt every request of an application whose RATELIMIT_ENABLED is false.

    Flask-Limiter keeps its on/off switch on the one extension object; asking the
    application's config on each request lets one process hold several apps (tests).
    """
    return not current_app.config.get("RATELIMIT_ENABLED", True)
