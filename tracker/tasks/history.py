"""What a history row or an audit event says, in words people read.

History rows keep codes and short keys (a status code, a unit's short name, a
username, "2023-Q1"), so that they stay true when labels are translated or renamed.
Here they become labels: status and kind names, units' and people's full names,
"Quý I/2023", dates as dd/mm/yyyy, and each field named as its form labels it.
"""
import datetime as dt
import re
from dataclasses import dataclass

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import literal, select, union_all

from tracker.extensions import db
from tracker.i18n import fmt_number, quarter_key_label, translated
from tracker.i18n import lazy as _l
from tracker.models import CLOSING_REASONS, KINDS, ROLES, STATUSES, Unit, User

# Fields whose values are units' short names (a list of them, or one).
UNIT_FIELDS = frozenset(
    ("lead_unit_id", "parent_id", "co_lead", "coordinating", "participating",
     "scope", "units", "share_of", "members", "via_group", "kept")
)
# Fields whose values are usernames.
PERSON_FIELDS = frozenset(("approved_by",))
# Fields whose values are quarter keys ("2023-Q1").
QUARTER_FIELDS = frozenset(("from", "to", "next"))
# Fields whose values are task ids.
TASK_FIELDS = frozenset(("from_task", "to_task"))
# Whole numbers written without separators: years.
YEAR_FIELDS = frozenset(("term_start", "term_end"))
# Fields whose value is a list of names, never an old → new pair.
LIST_FIELDS = frozenset(("fields",))
# Coded values of a task's fields, shown by their translated names.
TASK_CODES = {
    "status": STATUSES, "share_status": STATUSES, "kind": KINDS,
    "closing_reason": CLOSING_REASONS,
}
# Rows written before the history kept units by role said "HND (coordinating)".
_UNIT_WITH_ROLE = re.compile(r"^(.*) \((coordinating|participating)\)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Change:
    """One field of an entry: its label, and old → new (or a single value)."""

    label: str
    old: str = ""
    new: str = ""
    is_pair: bool = True


class Names:
    """Units' and people's full names by the short names and usernames rows keep.

    Read in one statement the first time a row needs a name, then kept for the
    request: a page of history costs the same however many names it shows.
    """

    def __init__(self):
        self._found = None

    def _load(self):
        units = select(literal("unit"), Unit.short_name, Unit.name)
        people = select(literal("user"), User.username, User.full_name)
        found = {"unit": {}, "user": {}}
        for kind, key, name in db.session.execute(union_all(units, people)):
            found[kind][key] = name
        return found

    def _get(self, kind, key):
        if self._found is None:
            self._found = self._load()
        return self._found[kind].get(key)

    def unit(self, short_name):
        """Return the unit's full name, or what the row holds if it names none."""
        return self._get("unit", short_name) or short_name

    def person(self, username):
        """Return "Full Name (username)", or the username if no name is known."""
        name = self._get("user", username)
        return f"{name} ({username})" if name and name != username else username


def names():
    """Return the request's Names (a fresh one outside a request)."""
    if not has_app_context():
        return Names()
    found = g.get("_history_names")
    if found is None:
        found = g._history_names = Names()
    return found


def _unit_text(value):
    match = _UNIT_WITH_ROLE.match(value)
    if match:
        role = translated(ROLES).get(match.group(2), match.group(2))
        return f"{names().unit(match.group(1))} ({str(role).lower()})"
    return names().unit(value)


def value_text(name, value, codes=None):
    """Return a value a row stores for the field, as people read it ("" if none)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(
            text for text in (value_text(name, item, codes) for item in value) if text
        )
    coded = (codes or {}).get(name)
    if coded is not None and isinstance(value, str):
        return str(translated(coded).get(value, value))
    if name in UNIT_FIELDS and isinstance(value, str):
        return _unit_text(value)
    if name in PERSON_FIELDS and isinstance(value, str):
        return names().person(value)
    if name in QUARTER_FIELDS:
        return str(quarter_key_label(value))
    if name in TASK_FIELDS:
        return f"#{value}"
    if isinstance(value, int):
        return str(value) if name in YEAR_FIELDS else fmt_number(value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def describe_changes(changes, labels, codes=None, skip=()):
    """Return the Changes of a row's changes dict: labelled, values in words.

    A pair whose two sides read the same (a carried task's unchanged due date) is
    shown as one value.
    """
    described = []
    for name, value in (changes or {}).items():
        if name in skip:
            continue
        label = str(labels.get(name, name))
        if isinstance(value, list) and len(value) == 2 and name not in LIST_FIELDS:
            old = value_text(name, value[0], codes)
            new = value_text(name, value[1], codes)
            if old == new == "":
                continue  # nothing before, nothing after: nothing to say
            if old == new:
                described.append(Change(label, new=new, is_pair=False))
            else:
                described.append(Change(label, old, new))
        else:
            described.append(Change(label, new=value_text(name, value, codes),
                                    is_pair=False))
    return described


def task_labels():
    """Return the label of every field a task's history row may name."""
    from tracker.tasks.forms import HISTORY_LABELS

    labels = dict(HISTORY_LABELS)
    labels.update(
        closing_reason=_l("Closing reason"), closing_note=_l("Closing note"),
        due_on=_l("Due date"), extended_due_on=_l("Due date judged by"),
        share_of=_l("Share of the unit"),
        via_group=_l("Through the group"),
        kept=_l("Kept, having reported on its share (left the group)"),
        **{"from": _l("Carried from"), "to": _l("Carried to"),
           "from_task": _l("Carried from task"), "to_task": _l("Carried to task")},
    )
    return labels


def update_changes(update):
    """Return the Changes a task's history row shows under its heading.

    Progress and share rows state the task's status and progress in their heading,
    so their lists leave the task's status out.
    """
    skip = ("status",) if update.action in ("progress", "share") else ()
    return describe_changes(update.changes, task_labels(), TASK_CODES, skip=skip)
