"""Rules about accounts and units: every change is recorded in the audit log.

Functions only flush; the view commits once. A refused change raises AdminError with
a message for the user, before anything is written.
"""
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Unit, User
from tracker.models.audit import record
from tracker.models.unit import subtree_ids
from tracker.text import fold


class AdminError(Exception):
    """A change an administrator asked for that the rules refuse; says why."""


def list_users():
    """Return every account with its units, active ones first, then by username."""
    from sqlalchemy.orm import selectinload

    return db.session.scalars(
        select(User).options(selectinload(User.units))
        .order_by(User.is_active.desc(), User.username)
    ).all()


def usernames():
    """Return (id, username, display_name) of every account, by full name."""
    rows = db.session.execute(
        select(User.id, User.username, User.full_name).order_by(User.username)
    ).all()
    people = [
        SimpleNamespace(id=id_, username=username, display_name=full_name or username)
        for id_, username, full_name in rows
    ]
    return sorted(people, key=lambda person: (fold(person.display_name), person.id))


def list_units():
    """Return every unit in display order."""
    return db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.name)).all()


def units_by_id(ids):
    """Return the units with these ids, in display order."""
    if not ids:
        return []
    return db.session.scalars(
        select(Unit).where(Unit.id.in_(ids)).order_by(Unit.sort_order, Unit.name)
    ).all()


def username_taken(username, except_id=None):
    """Tell whether another account already uses the username (ignoring case)."""
    stmt = select(User.id).where(func.lower(User.username) == username.lower())
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    # Usernames are unique across boards: everyone signs in on the same page.
    return db.session.scalar(stmt.limit(1),
                             execution_options={"all_boards": True}) is not None


def _short_names(units):
    return sorted(unit.short_name for unit in units)


def _other_active_admins(user):
    """Return the ids of the active administrators other than user, locking them.

    The lock (PostgreSQL) makes two administrators who demote each other at the same
    moment wait for one another, so the second sees the first's change.
    """
    return db.session.scalars(
        select(User.id)
        .where(User.role == "admin", User.is_active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()


def _check_keeps_an_admin(target, actor, new_role, new_active):
    """Refuse a change that would leave no active administrator, or demote oneself."""
    if target.role != "admin" or not target.is_active:
        return
    if new_role == "admin" and new_active:
        return
    if actor is not None and target.id == actor.id:
        if not new_active:
            raise AdminError(_("You cannot deactivate your own account."))
        raise AdminError(_("You cannot remove your own administrator role."))
    if not _other_active_admins(target):
        raise AdminError(
            _("%(user)s is the last active administrator: make someone else an "
              "administrator first.", user=target.username)
        )


def create_user(username, full_name, role, units, password, actor):
    """Create an account and record it."""
    user = User(username=username, full_name=full_name, role=role, units=list(units))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(user, "created", actor, changes={
        "username": [None, username], "full_name": [None, full_name],
        "role": [None, role], "units": [[], _short_names(units)],
    })
    db.session.flush()
    return user


def update_user(user, full_name, role, units, actor):
    """Change an account's name, role and units; return the recorded changes."""
    _check_keeps_an_admin(user, actor, role, user.is_active)
    changes = {}
    if user.full_name != full_name:
        changes["full_name"] = [user.full_name, full_name]
        user.full_name = full_name
    if user.role != role:
        changes["role"] = [user.role, role]
        user.role = role
    before, after = _short_names(user.units), _short_names(units)
    if before != after:
        changes["units"] = [before, after]
        user.units = list(units)
    if changes:
        record(user, "updated", actor, changes=changes)
    db.session.flush()
    return changes


def set_user_active(user, active, actor):
    """Deactivate or reactivate an account, keeping at least one administrator."""
    if user.is_active == active:
        return False
    _check_keeps_an_admin(user, actor, user.role, active)
    user.is_active = active
    if not active:
        # Reactivating must not bring back the sessions it had.
        user.end_sessions("deactivated")
    record(user, "reactivated" if active else "deactivated", actor,
           changes={"is_active": [not active, active]})
    db.session.flush()
    return True


def reset_password(user, password, actor):
    """Set a new password for the account and record that it was reset."""
    user.set_password(password)
    # The audit log never holds a password or its hash, only the fact.
    record(user, "password_reset", actor)
    db.session.flush()


UNIT_FIELDS = ("name", "short_name", "kind", "parent_id", "sort_order")


def _unit_value(name, value):
    """Return a unit field's value as the audit log keeps it (parents by short name)."""
    if name == "parent_id":
        parent = db.session.get(Unit, value) if value else None
        return parent.short_name if parent else None
    return value


def create_unit(data, actor):
    """Create a unit and record it."""
    unit = Unit(**{name: data[name] for name in UNIT_FIELDS})
    db.session.add(unit)
    db.session.flush()
    record(unit, "created", actor, changes={
        name: [None, _unit_value(name, data[name])] for name in UNIT_FIELDS
    })
    db.session.flush()
    return unit


def update_unit(unit, data, actor):
    """Change a unit's fields; return the recorded changes."""
    if data.get("parent_id"):
        if data["parent_id"] in subtree_ids(unit.id, list_units()):
            raise AdminError(
                _("A unit cannot be placed under itself or its own units.")
            )
    changes = {}
    for name in UNIT_FIELDS:
        old, new = getattr(unit, name), data[name]
        if old != new:
            changes[name] = [_unit_value(name, old), _unit_value(name, new)]
            setattr(unit, name, new)
    if changes:
        record(unit, "updated", actor, changes=changes)
    db.session.flush()
    return changes


def set_unit_active(unit, active, actor):
    """Deactivate or reactivate a unit; its tasks and accounts keep it."""
    if unit.is_active == active:
        return False
    unit.is_active = active
    record(unit, "reactivated" if active else "deactivated", actor,
           changes={"is_active": [not active, active]})
    db.session.flush()
    return True


def list_groups():
    """Return the groups of units, with their members, in display order."""
    from sqlalchemy.orm import selectinload

    from tracker.models.unit import GROUP

    return db.session.scalars(
        select(Unit).where(Unit.kind == GROUP).options(selectinload(Unit.members))
        .order_by(Unit.sort_order, Unit.name)
    ).all()


def _set_members(group, member_ids):
    """Make the group's members the given units; return (old, new) short names."""
    before = _short_names(group.members)
    members = [unit for unit in units_by_id(member_ids)
               if unit.is_scored and unit.id != group.id]
    group.members = members
    return before, _short_names(members)


def create_group(data, member_ids, actor):
    """Create a group of units with its members and record it."""
    group = create_unit(data, actor)
    before, after = _set_members(group, member_ids)
    record(group, "members", actor, changes={"members": [before, after]})
    db.session.flush()
    return group


def group_open_task_count(group):
    """Return how many tasks of open quarters a change of the group's members updates."""
    from tracker.tasks.services import open_group_task_count

    return open_group_task_count(group)


def update_group(group, data, member_ids, actor):
    """Change a group's names, order and members; return (changes, GroupSync).

    A change of members reaches at once every task of an open quarter the group
    leads, co-leads or coordinates (tracker.tasks.services.sync_group_members), each
    with a history row by actor; the GroupSync says which tasks changed and which
    former members keep a share they have reported on. None when the members stay.
    """
    from tracker.tasks.services import sync_group_members

    changes = update_unit(group, data, actor)
    before, after = _set_members(group, member_ids)
    synced = None
    if before != after:
        record(group, "members", actor, changes={"members": [before, after]})
        changes["members"] = [before, after]
        synced = sync_group_members(group, actor)
    db.session.flush()
    return changes, synced
