"""Checking credentials and changing passwords."""
import functools

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models import User
from tracker.models.user import hash_method


@functools.cache
def _stand_in_hash(method):
    """Return a hash to check when there is no account, made once per method."""
    return generate_password_hash("no such account", method=method)


def find_user(username):
    """Return the user with this username (surrounding spaces ignored), or None."""
    username = (username or "").strip()
    if not username:
        return None
    # Accounts are looked up across boards: a user signs in before any board is known.
    return db.session.scalar(select(User).where(User.username == username),
                             execution_options={"all_boards": True})


def authenticate(username, password):
    """Return the active user whose password this is, or None.

    A password hash is checked whatever the outcome, so that an unknown or
    deactivated account answers as slowly as a wrong password and the time taken
    does not tell which usernames exist.
    """
    user = find_user(username)
    stored = user.password_hash if user is not None else _stand_in_hash(hash_method())
    matches = check_password_hash(stored, password or "")
    if user is None or not user.is_active or not matches:
        return None
    return user


def change_password(user, new_password):
    """Set a new password; every session of the user, this one included, ends."""
    user.set_password(new_password)
    db.session.flush()
    return user
