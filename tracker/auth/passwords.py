"""What a new password must be: long enough, and not what a guesser tries first.

One function, password_problem(), answers for every place a password is set — one's
own change, an administrator's new account or reset, `flask create-user` — and for
the warning shown at sign-in when an old password would no longer be accepted.

Refused, besides the length rules:
- any of the 30,000 most common passwords (the list the zxcvbn package ships,
  read offline from the installed package; compared without case or accents), and
  such a password with a few digits or signs added ("dragon2024");
- a password made of the username, the person's name, or the name or short name of
  a unit they report for (or of the board): once that is taken out, what remains is
  short, only digits, or itself common ("hoinongdan2023", "canbo_hnd123").
"""
import functools
import re

from flask import current_app
from flask_babel import gettext as _

from tracker.text import fold

NOT_LETTERS = re.compile(r"[\W_]+")
TRAILING = re.compile(r"[\W\d_]{1,4}$")
SHORTEST_NAME = 3  # shorter names ("an") are parts of too many good passwords


@functools.cache
def common_passwords():
    """Return the common passwords, case-folded (zxcvbn's list of 30,000)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def _plain(text):
    """Return text folded (no case, no accents) and without spaces or signs."""
    return NOT_LETTERS.sub("", fold(text or ""))


def is_common(password):
    """Tell whether a guesser would try this password among the first."""
    common = common_passwords()
    lowered = (password or "").casefold().strip()
    for candidate in {lowered, fold(lowered), fold(lowered).replace(" ", "")}:
        if candidate in common:
            return True
        core = TRAILING.sub("", candidate)
        if len(core) >= 4 and core != candidate and core in common:
            return True
    return False


# Words that name a level of government: "Hội Nông dân huyện" is also "Hội Nông dân".
PLACE_WORDS = re.compile(r"\b(huyen|xa|tinh|thanh pho|thi xa|thi tran|phuong|quan)\b")


def _forms(name):
    """Return the plain forms of a name: whole, and without place words."""
    folded = fold(name or "")
    return {NOT_LETTERS.sub("", folded),
            NOT_LETTERS.sub("", PLACE_WORDS.sub("", folded))}


def _made_of(password, name):
    """Tell whether the password is the name with little or nothing added."""
    plain_password = _plain(password)
    for plain_name in _forms(name):
        if len(plain_name) < SHORTEST_NAME or plain_name not in plain_password:
            continue
        rest = plain_password.replace(plain_name, "")
        if len(rest) < 4 or rest.isdigit() or rest in common_passwords():
            return True
    return False


def _organisation_names():
    """Return the board's own names (issuing body, place), if they are set."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Organisation

    row = db.session.execute(
        select(Organisation.issuing_body, Organisation.place).limit(1)
    ).first()
    return [name for name in (row or ()) if name]


def password_problem(password, user=None, *, username=None, full_name=None,
                     units=None):
    """Return why a password may not be used (a translated sentence), or None.

    The username, the person's name and their units are those of user unless given
    (an account being created has no user yet).
    """
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        return _("The password needs at least %(min)d characters.", min=minimum)
    if len(password) > maximum:
        return _("At most %(max)d characters.", max=maximum)
    if not password.strip():
        return _("The password cannot be only spaces.")
    if is_common(password):
        return _("This is one of the most common passwords, which guessers try "
                 "first.")
    if user is not None:
        username = user.username if username is None else username
        full_name = user.full_name if full_name is None else full_name
        units = user.units if units is None else units
    if username and _made_of(password, username):
        return _("The password is made of the username.")
    if full_name and _made_of(password, full_name):
        return _("The password is made of the person's name.")
    for unit in units or ():
        for name in (unit.name, unit.short_name):
            if _made_of(password, name):
                return _("The password is made of the unit's name “%(name)s”.",
                         name=name)
    for name in _organisation_names():
        if _made_of(password, name):
            return _("The password is made of the name “%(name)s”.", name=name)
    return None
