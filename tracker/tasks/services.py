"""Rules about tasks: the board's query, creating, editing and reporting progress.

Every write goes through here, appends a TaskUpdate row, and only flushes: the view
commits once.
"""
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from flask import abort, current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import bindparam, case, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from tracker.auth import policy
from tracker.extensions import db
from tracker.models import (
    KIND_FIELDS,
    KINDS,
    STATUSES,
    Quarter,
    Task,
    TaskUnit,
    TaskUpdate,
    Unit,
)
from tracker.models.base import utcnow
from tracker.models.task import (
    ALL_KIND_FIELDS,
    FOLLOW_UP,
    task_scope,
    with_follow_up,
)
from tracker.models.unit import COMMUNE, subtree_ids
from tracker.tasks.rows import among, task_rows, unit_rows
from tracker.text import fold

# Fields a plan edit may change, in the order the history lists them.
PLAN_FIELDS = (
    "kind", "title", "description", "lead_unit_id", "due_on", "is_recurring",
    "target_count", "achieved_count", "target_label", "source_document", "result",
    "held_on",
) + ALL_KIND_FIELDS


# The kind of unit a task's scope (địa bàn) names.
UNIT_ROLES = ("co_lead", "coordinating", "participating")
# What a group's members take when the group is given a role: a lead or co-lead
# group's members each carry out and report a share; a coordinating group's
# members coordinate.
FAN_OUT = {"lead": "participating", "co_lead": "participating",
           "coordinating": "coordinating"}
# Everything the edit form shows: a save is refused if one of these changed meanwhile.
EDIT_FIELDS = PLAN_FIELDS + UNIT_ROLES + ("scope",)


def get_task_or_404(task_id, for_update=False):
    """Return the task with its units and history loaded, or abort with 404.

    for_update locks the task's row until the request commits (PostgreSQL; SQLite
    write requests hold the whole database already), so two reports on one task
    are applied one after the other, each on the state the other left.
    """
    stmt = select(Task).where(Task.id == task_id)
    if for_update:
        stmt = stmt.with_for_update(of=Task).execution_options(populate_existing=True)
    task = db.session.scalar(
        stmt
        .options(
            joinedload(Task.quarter),
            joinedload(Task.lead_unit),
            selectinload(Task.unit_links).joinedload(TaskUnit.unit),
            *with_follow_up(),
            selectinload(Task.updates).joinedload(TaskUpdate.user),
            selectinload(Task.updates).joinedload(TaskUpdate.unit),
            selectinload(Task.updates).undefer(TaskUpdate.via),
            joinedload(Task.carried_from).joinedload(Task.quarter),
        )
    )
    if task is None:
        abort(404)
    return task


def search_condition(text):
    """Return a condition matching tasks whose text holds every word, ignoring accents."""
    words = fold(text).split()
    return [Task.search_text.contains(word, autoescape=True) for word in words]


PAGE_SIZES = (50, 100, 200, 500)
PAGE_SIZE = 100  # a district's quarter (about 50 tasks) shows on one page
SORTS = ("plan", "due")


@dataclass
class BoardPage:
    """One page of a quarter board: its rows and where it stands among the others."""

    tasks: list
    total: int  # tasks matching the filters, on every page
    kind_counts: dict  # {kind: tasks matching the filters, on every page}
    page: int
    pages: int
    per_page: int
    # {timeliness class: tasks matching the filters} when asked for (classes_at)
    classes: Optional[dict] = None

    @property
    def first(self):
        """Return the number of the page's first task (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.tasks else 0

    @property
    def last(self):
        return self.first + len(self.tasks) - 1 if self.tasks else 0


def board_page(quarter, page=1, per_page=PAGE_SIZE, sort="plan", units=None,
               classes_at=None, **filters):
    """Return one page of the quarter's tasks matching the filters (board_conditions).

    The filters and the order apply in SQL before the page is cut: plan order is by
    kind (in the fixed order of kinds), then as planned; "due" is by due date (work
    without one last). A page past the last one shows the last. With classes_at (a
    cut-off), the statement that counts the kinds also counts the timeliness classes
    at it (page.classes), by the figures' rule (timeliness_sql).
    """
    conditions = board_conditions(quarter, units=units, **filters)
    kind_counts, classes = {}, None
    if classes_at is None:
        kind_counts = dict(db.session.execute(
            select(Task.kind, func.count()).where(*conditions).group_by(Task.kind)
        ).all())
    else:
        from tracker.tasks.timeliness import TIMELINESS, timeliness_sql

        code = timeliness_sql(Task, classes_at)
        classes = dict.fromkeys(TIMELINESS, 0)
        for kind, name, count in db.session.execute(
            select(Task.kind, code, func.count()).where(*conditions)
            .group_by(Task.kind, code)
        ):
            kind_counts[kind] = kind_counts.get(kind, 0) + count
            classes[name] = classes.get(name, 0) + count
    total = sum(kind_counts.values())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    if sort == "due":
        order = [Task.due_on.is_(None), Task.due_on, Task.id]
    else:
        order = [_plan_order(), Task.id]
    tasks = task_rows(*conditions, units=units, order_by=order, limit=per_page,
                      offset=(page - 1) * per_page)
    return BoardPage(tasks, total, kind_counts, page, pages, per_page, classes)


def takes_part(unit_id, role=None):
    """Return a condition: the unit leads the task or has a link to it.

    unit_id is one unit's id, or a collection of ids (any of them). role narrows
    it: "lead" to the lead unit, a link role to links of that role.
    """
    ids = [unit_id] if isinstance(unit_id, int) else list(unit_id)
    if role == "lead":
        return Task.lead_unit_id.in_(ids)
    link = _part_link()
    linked = exists().where(link.task_id == Task.id, link.unit_id.in_(ids),
                            *([link.role == role] if role else []))
    return linked if role else or_(Task.lead_unit_id.in_(ids), linked)


@lru_cache(maxsize=1)
def _part_link():
    """Return the alias of TaskUnit that takes_part reads links through.

    Made once: making one per condition cost about a millisecond (working out its
    columns), more than the rest of the condition. Each condition is an EXISTS of
    its own, so conditions sharing the alias do not meet in one FROM.
    """
    return aliased(TaskUnit)


def in_commune(unit_id, units):
    """Return a condition: the commune or a unit below it (a village, a residential
    group) leads the task, takes part in it or is in its scope.

    units are the board's units (rows or objects with id and parent_id), which say
    what lies below the commune: the ids go into the statement, no statement more.
    """
    ids = sorted(subtree_ids(unit_id, units))
    in_scope = exists().where(task_scope.c.task_id == Task.id,
                              task_scope.c.unit_id.in_(ids))
    return or_(takes_part(ids), in_scope)


@lru_cache(maxsize=1)
def _plan_order():
    """Return the SQL of a task's kind's place in the fixed order of kinds (built
    once: an expression is never changed once built)."""
    return case({kind: index for index, kind in enumerate(KINDS)}, value=Task.kind,
                else_=len(KINDS))


def board_conditions(quarter, unit_id=None, kind=None, status=None, q=None,
                     archived=False, timeliness=None, cutoff=None, commune_id=None,
                     units=None):
    """Return the SQL conditions of the board's filters.

    Archived tasks are left out, unless archived is true: then only they are shown.
    timeliness keeps the tasks of one class at the cut-off (the quarter's own, for
    today, when none is given), by the rule the figures count with. commune_id
    keeps the tasks of the commune and of the units below it; units ({id: unit
    row}, read when not given) say which those are.
    """
    conditions = [Task.quarter_id == quarter.id, Task.is_archived.is_(bool(archived))]
    if unit_id is not None:
        conditions.append(takes_part(unit_id))
    if commune_id is not None:
        conditions.append(in_commune(
            commune_id, (units if units is not None else unit_rows()).values()))
    if kind:
        conditions.append(Task.kind == kind)
    if status:
        conditions.append(Task.status == status)
    if q:
        conditions.extend(search_condition(q))
    if timeliness:
        from tracker.tasks.timeliness import timeliness_sql

        if cutoff is None:
            from tracker.i18n import today

            cutoff = quarter.cutoff(today())
        conditions.append(timeliness_sql(Task, cutoff) == timeliness)
    return conditions


def group_by_kind(tasks):
    """Return [(kind, label, tasks)] in the fixed order of kinds, skipping empty ones."""
    groups = OrderedDict((kind, []) for kind in KINDS)
    for task in tasks:
        groups.setdefault(task.kind, []).append(task)
    return [(kind, KINDS.get(kind, kind), items) for kind, items in groups.items() if items]


def active_units():
    """Return the active units in display order."""
    return db.session.scalars(
        select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.sort_order, Unit.name)
    ).all()


def _plain(value):
    """Return a JSON-friendly form of a field value for the history."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _unit_roles(task):
    """Return {unit id: role} of the links chosen for the task (not via a group)."""
    return {link.unit_id: link.role for link in task.unit_links
            if link.via_group_id is None}


def _apply_plan(task, data):
    """Copy plan fields from data onto the task, clearing other kinds' fields."""
    for name in PLAN_FIELDS:
        if name in data:
            setattr(task, name, data[name])
    own = KIND_FIELDS.get(task.kind, ())
    for name in ALL_KIND_FIELDS:
        if name not in own:
            column_default = Task.__table__.c[name].default
            setattr(task, name, column_default.arg if column_default else None)
    if task.due_on is None and not task.is_recurring:
        task.due_on = task.quarter.ends_on


def _wanted_links(lead_unit_id, co_lead, coordinating, participating):
    """Return {unit id: (role, via group id)} of the links the choices make.

    Chosen units keep the role they were given; a group's members not chosen
    themselves take their part through it (FAN_OUT), the first group naming them
    in the order lead, co-leads, coordinating.
    """
    wanted = {}
    for role, unit_ids in (("co_lead", co_lead), ("coordinating", coordinating),
                           ("participating", participating)):
        for unit_id in unit_ids:
            wanted.setdefault(unit_id, (role, None))
    wanted.pop(lead_unit_id, None)
    givers = [(lead_unit_id, "lead")] + [
        (unit_id, role) for unit_id, (role, _via) in list(wanted.items())
        if role != "participating"
    ]
    for group_id, role in givers:
        group = db.session.get(Unit, group_id) if group_id else None
        if group is None or not group.is_group:
            continue
        for member in group.members:
            if member.id != lead_unit_id and member.id not in wanted:
                wanted[member.id] = (FAN_OUT[role], group.id)
    return wanted


def _apply_units(task, coordinating, participating, co_lead=()):
    """Make the task's unit links match the given unit ids, keeping reported shares."""
    wanted = _wanted_links(task.lead_unit_id, co_lead, coordinating, participating)
    current = {link.unit_id: link for link in task.unit_links}
    for unit_id, link in current.items():
        if unit_id not in wanted:
            task.unit_links.remove(link)
    # A unit given its part by an edit has it from now (at creation, with the task).
    given_at = utcnow() if task.id is not None else None
    for unit_id, (role, via) in wanted.items():
        if unit_id in current:
            link = current[unit_id]
            if role == "participating" and link.role != role:
                link.given_at, link.acknowledged_at = given_at, None
                link.acknowledged_by_id = None
            link.role = role
            if link.via_group_id != via:
                link.via_group_id = via
        else:
            link = TaskUnit(unit_id=unit_id, role=role,
                            unit=db.session.get(Unit, unit_id))
            if given_at is not None:
                link.given_at = given_at
            if via is not None:  # left unnamed otherwise (older schemas lack it)
                link.via_group_id = via
            task.unit_links.append(link)


def _open_group_tasks(group):
    """Return the conditions of the tasks of open quarters the group leads or joins.

    Open: a quarter planned or running, never a closed one. A group is given a task
    to lead, to co-lead or to coordinate (the forms offer it no share of its own).
    """
    conditions = [Quarter.state != "closed", takes_part(group.id)]
    if group.board_id is not None:
        conditions.append(Quarter.board_id == group.board_id)
    return conditions


def open_group_task_count(group):
    """Return how many tasks of open quarters the group leads, co-leads or coordinates."""
    return db.session.scalar(
        select(func.count(Task.id)).join(Quarter, Task.quarter_id == Quarter.id)
        .where(*_open_group_tasks(group))
    )


@dataclass
class GroupSync:
    """What a change of a group's members did to the tasks it is given."""

    changed: list  # the tasks given a history row
    kept: list  # [(task, [units])]: former members keeping a share they reported


def _has_reported(link):
    """Tell whether the unit has reported anything on its share of the task."""
    return (link.share_status != "not_started" or bool(link.share_note)
            or link.share_done_on is not None or link.share_updated_at is not None)


def _load_other_groups(tasks, group):
    """Read, in one go, the members of the other groups the tasks are given to.

    _wanted_links then finds every group's members in the session.
    """
    ids = {task.lead_unit_id for task in tasks if task.lead_unit.is_group}
    ids.update(link.unit_id for task in tasks for link in task.unit_links
               if link.via_group_id is None and link.role != "participating"
               and link.unit.is_group)
    ids.discard(group.id)
    if ids:
        db.session.scalars(
            select(Unit).where(Unit.id.in_(ids)).options(selectinload(Unit.members))
        ).all()


def _via_group(task, group):
    """Return {role: sorted short names} of the task's units linked through the group."""
    names = {}
    for link in task.unit_links:
        if link.via_group_id == group.id:
            names.setdefault(link.role, []).append(link.unit.short_name)
    return {role: sorted(found) for role, found in names.items()}


def _sync_task(task, group, members, given_at):
    """Give the task's links through the group to its members as they are now.

    Only the links the group gives (or gave) change, as an edit of the task would
    change them (_apply_units); a unit chosen itself keeps its own link. A unit that
    left the group but has reported on its share keeps its link, as its own: what
    it reported stays with the task. Return (history changes, units kept).
    """
    before = _via_group(task, group)
    chosen = {role: [link.unit_id for link in task.unit_links
                     if link.via_group_id is None and link.role == role]
              for role in UNIT_ROLES}
    wanted = _wanted_links(task.lead_unit_id, chosen["co_lead"],
                           chosen["coordinating"], chosen["participating"])
    current = {link.unit_id: link for link in task.unit_links}
    touched = {unit_id for unit_id, link in current.items()
               if link.via_group_id == group.id}
    touched.update(unit_id for unit_id, (_role, via) in wanted.items()
                   if via == group.id)
    kept = []
    for unit_id in sorted(touched):
        link, want = current.get(unit_id), wanted.get(unit_id)
        if want is None:
            if _has_reported(link):
                link.via_group_id = None
                kept.append(link.unit)
            else:
                task.unit_links.remove(link)
        elif link is None:
            role, via = want
            task.unit_links.append(TaskUnit(
                unit_id=unit_id, unit=members[unit_id], role=role, via_group_id=via,
                given_at=given_at))
        elif (link.role, link.via_group_id) != want:
            role, via = want
            if role == "participating" and link.role != role:
                link.given_at, link.acknowledged_at = given_at, None
                link.acknowledged_by_id = None
            link.role, link.via_group_id = want
    after = _via_group(task, group)
    changes = {}
    for role in UNIT_ROLES:
        old, new = before.get(role, []), after.get(role, [])
        if old != new:
            changes[role] = [old, new]
    if kept:
        changes["kept"] = sorted(unit.short_name for unit in kept)
    if changes:
        changes = {"via_group": group.short_name, **changes}
    return changes, sorted(kept, key=lambda unit: (unit.sort_order, unit.name))


def sync_group_members(group, user):
    """Bring the open tasks given to the group in line with its members, at once.

    Each task of a planning or running quarter the group leads, co-leads or
    coordinates gives a new member its part (FAN_OUT) and takes back a former
    member's, unless that unit has reported on its share (then the unit keeps it as
    its own, and the result names it). Every task changed gets a history row by
    user, as an edit would. Closed quarters never change. The tasks and their links
    are read in two statements, locked (PostgreSQL) so that a concurrent edit of
    one of them is applied before or after, never lost.
    """
    tasks = db.session.scalars(
        select(Task).join(Quarter, Task.quarter_id == Quarter.id)
        .where(*_open_group_tasks(group)).order_by(Task.id)
        .options(
            contains_eager(Task.quarter),
            joinedload(Task.lead_unit),
            selectinload(Task.unit_links).undefer_group(FOLLOW_UP),
        )
        .with_for_update(of=Task).execution_options(populate_existing=True)
    ).unique().all()
    result = GroupSync([], [])
    if not tasks:
        return result
    _load_other_groups(tasks, group)
    members = {member.id: member for member in group.members}
    now = utcnow()
    for task in tasks:
        changes, kept = _sync_task(task, group, members, now)
        if kept:
            result.kept.append((task, kept))
        if not changes:
            continue
        # Moves the version on, so that an edit form shown before cannot undo it.
        task.updated_at = now
        db.session.add(history_row(task, user, "edited", changes=changes))
        result.changed.append(task)
    db.session.flush()
    return result


def history_row(task, user, action, **fields):
    """Return a history row of the task that leaves its status and progress as
    they are (an edit of its plan or units, a direction, an archiving)."""
    return TaskUpdate(
        task=task, user=user, action=action, old_status=task.status,
        new_status=task.status, old_progress=task.progress,
        new_progress=task.progress, **fields,
    )


def _apply_scope(task, scope):
    """Set the task's communes (địa bàn) to the commune units of the given ids."""
    wanted = set(scope)
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(wanted),
                           Unit.kind == COMMUNE)
    ).all() if wanted else []
    task.scope_units = sorted(units, key=lambda unit: (unit.sort_order, unit.name))


def load_scopes(tasks):
    """Load the communes of many tasks in one statement (not one per task)."""
    from sqlalchemy.orm.attributes import set_committed_value

    by_id = {task.id: task for task in tasks}
    found = {task_id: [] for task_id in by_id}
    if by_id:
        for task_id, unit in db.session.execute(
            select(task_scope.c.task_id, Unit)
            .join(Unit, Unit.id == task_scope.c.unit_id)
            .where(among(task_scope.c.task_id, by_id))
            .order_by(Unit.sort_order, Unit.name),
            # The tasks are the board's already: their communes need no second
            # filter (a relationship load has none either).
            execution_options={"all_boards": True},
        ):
            found[task_id].append(unit)
    for task_id, units in found.items():
        # Loaded as the relationship would be: nothing for the session to write.
        set_committed_value(by_id[task_id], "scope_units", units)


def create_task(quarter, data, user, coordinating=(), participating=(), note="",
                co_lead=(), scope=()):
    """Add a task to the quarter with its units and a "created" history row."""
    task = Task(quarter=quarter, status=data.get("status", "not_started"))
    task.progress = data.get("progress", 0)
    task.completed_on = data.get("completed_on")
    _apply_plan(task, data)
    task.lead_unit = db.session.get(Unit, task.lead_unit_id)
    task.created_by = user
    _apply_units(task, coordinating, participating, co_lead)
    if scope:
        _apply_scope(task, scope)
    db.session.add(task)
    db.session.flush()
    db.session.add(
        TaskUpdate(
            task=task, user=user, action="created", new_status=task.status,
            new_progress=task.progress, note=note,
        )
    )
    db.session.flush()
    return task


def update_task(task, data, user, coordinating=(), participating=(), co_lead=(),
                scope=None):
    """Apply a plan edit and record every changed field in the history.

    scope (commune unit ids) is left as it is when None.
    """
    before = {name: getattr(task, name) for name in PLAN_FIELDS}
    scope_before = sorted(unit.short_name for unit in task.scope_units)
    lead_before = task.lead_unit.short_name
    roles_before = _unit_roles(task)
    _apply_plan(task, data)
    if task.lead_unit_id != before["lead_unit_id"]:
        task.lead_unit = db.session.get(Unit, task.lead_unit_id)
        # The new lead unit has the task from now, and acknowledges it itself.
        task.lead_given_at, task.acknowledged_at = utcnow(), None
        task.acknowledged_by_id = None
    _apply_units(task, coordinating, participating, co_lead)
    if scope is not None:
        _apply_scope(task, scope)
    changes = {}
    for name in PLAN_FIELDS:
        old, new = before[name], getattr(task, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    if "lead_unit_id" in changes:
        changes["lead_unit_id"] = [lead_before, task.lead_unit.short_name]
    roles_after = _unit_roles(task)
    if roles_before != roles_after:
        short = _short_names(set(roles_before) | set(roles_after))
        for role in UNIT_ROLES:
            old = sorted(short[uid] for uid, r in roles_before.items() if r == role)
            new = sorted(short[uid] for uid, r in roles_after.items() if r == role)
            if old != new:
                changes[role] = [old, new]
    scope_after = sorted(unit.short_name for unit in task.scope_units)
    if scope_after != scope_before:
        changes["scope"] = [scope_before, scope_after]
    if not changes:
        return task, {}
    # A change of units alone must still move the version on (and be checked), so
    # that a stale form cannot undo it: touching the row makes the UPDATE happen.
    task.updated_at = utcnow()
    db.session.add(history_row(task, user, "edited", changes=changes))
    db.session.flush()
    return task, changes


def _short_names(unit_ids):
    """Return {unit id: short name}: the history names units as the lists show them."""
    if not unit_ids:
        return {}
    return dict(db.session.execute(
        select(Unit.id, Unit.short_name).where(Unit.id.in_(unit_ids))
    ).all())


def status_progress_problems(status, progress):
    """Return [("progress", message)] when a status and a percentage contradict."""
    if status == "done" and progress is not None and progress != 100:
        return [("progress", _(
            "A done task is at 100%%: enter 100 or leave the progress empty, or "
            "choose another status (you entered %(progress)d%%).", progress=progress,
        ))]
    if status != "done" and progress == 100:
        return [("progress", _(
            "100%% means the task is done: choose “%(done)s” with its completion "
            "date, or enter less than 100.", done=STATUSES["done"],
        ))]
    if status == "not_started" and progress:
        return [("progress", _(
            "A task not started is at 0%%: enter 0, or choose “%(status)s”.",
            status=STATUSES["in_progress"],
        ))]
    return []


def progress_problems(task, status, progress, completed_on, today, undated=False):
    """Return [(field, message)] for a progress report that cannot be saved as entered.

    A report is saved exactly as entered or not at all: a status and a percentage
    that contradict each other are refused, never rewritten. The status decides
    whether the task counts as done, so 100% is only for done work (a task "in
    progress" at 100% would be counted as unfinished, and overdue after its due date,
    while its bar says finished). An empty completion date means today only while the
    task's quarter runs; once it has ended, today would be a made-up date: then it
    is entered, or the task is reported done with its date not recorded (undated),
    or an event's date held stands for it.
    """
    problems = status_progress_problems(status, progress)
    if status != "done":
        if completed_on is not None and completed_on != task.completed_on:
            problems.append(
                ("completed_on", _("Only a done task has a completion date."))
            )
    elif undated:
        if completed_on is not None:
            problems.append(("completed_on", _(
                "Leave the completion date empty when it is not recorded.")))
    elif completed_on is None and task.completed_on is None and task.held_on is None:
        if today > task.quarter.ends_on:
            problems.append(("completed_on", _(
                "Enter the completion date: %(quarter)s ended on %(date)s.",
                quarter=task.quarter.label,
                date=task.quarter.ends_on.strftime("%d/%m/%Y"),
            )))
    return problems


def report_progress(task, status, progress, note, user, completed_on=None, today=None,
                    undated=False, with_files=False):
    """Record a progress report as entered, with a history row; None if nothing changed.

    progress None keeps the task's percentage (100 for done work). The history row
    names the completion date's old and new values whenever it changes. A report that
    repeats the task's status, progress and date without a note changes nothing and
    writes nothing, unless it brings files (with_files: the row is what they attach
    to). Raises ValueError for a report progress_problems refuses.
    undated reports the task done with its completion date not recorded; an event's
    date held stands for a completion date not entered.

    The task's row is written with its version check like any other change; a report
    that loses that race is applied again to the fresh row by the caller (see
    tracker.tasks.views), so reports never fail because of a concurrent change.
    """
    today = today or dt.date.today()
    problems = progress_problems(task, status, progress, completed_on, today, undated)
    if problems:
        raise ValueError(problems[0][1])
    old_status, old_progress = task.status, task.progress
    old_completed = task.completed_on
    if status == "done":
        progress = 100
        if undated:
            completed = None
        else:
            completed = completed_on or task.completed_on or task.held_on or today
    else:
        completed = None
        if progress is None:
            progress = 0 if status == "not_started" else task.progress
    note = note or ""
    if (status, progress, completed) == (old_status, old_progress, old_completed) \
            and not note and not with_files:
        return None
    # Reported by someone of no unit answerable for the task (a leader, the board's
    # own staff): the history says on whose behalf. Asked before the task changes, as
    # loading the reporter's units may flush the session.
    on_behalf = policy.reports_on_behalf(user, task) if user is not None else None
    task.status, task.progress, task.completed_on = status, progress, completed
    changes = {}
    if completed != old_completed:
        changes["completed_on"] = [_plain(old_completed), _plain(completed)]
    update = TaskUpdate(
        task=task, user=user, action="progress", old_status=old_status,
        new_status=status, old_progress=old_progress, new_progress=progress,
        note=note, changes=changes or None, unit=on_behalf,
    )
    db.session.add(update)
    db.session.flush()
    return update


def share_problems(link, status, done_on, today):
    """Return [(field, message)] for a unit's share report that cannot be saved."""
    problems = []
    if status != "done":
        if done_on is not None and done_on != link.share_done_on:
            problems.append(("share_done_on", _(
                "Only a unit that has done its share has a date done."
            )))
    elif done_on is None and link.share_done_on is None:
        quarter = link.task.quarter
        if today > quarter.ends_on:
            problems.append(("share_done_on", _(
                "Enter the date done: %(quarter)s ended on %(date)s.",
                quarter=quarter.label, date=quarter.ends_on.strftime("%d/%m/%Y"),
            )))
    return problems


def report_share(link, status, done_on, note, user, today=None, with_files=False):
    """Record one participating unit's share, with a history row; None if unchanged.

    The task's progress follows the shares: the fraction of units done. When the last
    unit is done the task is done, on the date of the last share. An empty note keeps
    the unit's note (the form cannot show each unit's note to edit); the history row
    names every changed value with its old one; a report that brings files
    (with_files) is written even if it changes nothing else. Raises ValueError for a
    report share_problems refuses.
    """
    today = today or dt.date.today()
    problems = share_problems(link, status, done_on, today)
    if problems:
        raise ValueError(problems[0][1])
    task = link.task
    old_share, old_done_on = link.share_status, link.share_done_on
    new_done_on = (done_on or old_done_on or today) if status == "done" else None
    note = note or ""
    if status == old_share and new_done_on == old_done_on and not note \
            and not with_files:
        return None
    old_status, old_progress = task.status, task.progress
    old_completed = task.completed_on
    link.share_status = status
    link.share_done_on = new_done_on
    if note:
        link.share_note = note
    link.share_updated_at = utcnow()
    changes = {}
    if status != old_share:
        changes["share_status"] = [old_share, status]
    if new_done_on != old_done_on:
        changes["share_done_on"] = [_plain(old_done_on), _plain(new_done_on)]
    if task.status not in ("done", "cancelled"):
        links = task.participants_links
        done = [item for item in links if item.share_status == "done"]
        task.progress = round(100 * len(done) / len(links))
        if len(done) == len(links):
            task.status = "done"
            task.completed_on = max(item.share_done_on for item in done)
        elif task.status == "not_started" and status != "not_started":
            task.status = "in_progress"
    if task.status != old_status:
        changes["status"] = [old_status, task.status]
    if task.completed_on != old_completed:
        changes["completed_on"] = [_plain(old_completed), _plain(task.completed_on)]
    # Always write the task row, so its version check orders concurrent share reports:
    # the derived progress is then computed from every other unit's latest share.
    task.updated_at = utcnow()
    update = TaskUpdate(
        task=task, user=user, unit_id=link.unit_id, action="share",
        old_status=old_status, new_status=task.status, old_progress=old_progress,
        new_progress=task.progress, note=note, changes=changes or None,
    )
    db.session.add(update)
    db.session.flush()
    return update


def get_link_or_404(task, unit_id):
    """Return the task's participating link for the unit, or abort with 404."""
    for link in task.unit_links:
        if link.unit_id == unit_id and link.role == "participating":
            return link
    abort(404)


def carry_chain(task):
    """Return the task's ancestors, oldest first, with their quarters, in one statement."""
    if task.carried_from_id is None:
        return []
    ancestors = db.session.scalars(
        _chain_statement(), {"start": task.carried_from_id}
    ).all()
    return sorted(ancestors, key=lambda item: (item.quarter.year, item.quarter.number))


@lru_cache(maxsize=1)
def _chain_statement():
    """Return the statement of a task's ancestors, "start" being the id of the task
    it was carried from.

    Built once: built per request, its alias of Task worked out its columns anew
    each time, about an eighth of a carried task's page (cProfile).
    """
    chain = (
        select(Task.id.label("id"), Task.carried_from_id.label("parent"))
        .where(Task.id == bindparam("start"))
        .cte("ancestors", recursive=True)
    )
    step = aliased(Task)
    chain = chain.union_all(
        select(step.id, step.carried_from_id).join(chain, step.id == chain.c.parent)
    )
    return (
        select(Task).where(Task.id.in_(select(chain.c.id)))
        .options(joinedload(Task.quarter))
    )


def continuation_of(task):
    """Return the task that carries this one on in a later quarter, or None."""
    return db.session.scalar(
        select(Task).where(Task.carried_from_id == task.id)
        .options(joinedload(Task.quarter))
    )


def add_direction(task, note, user):
    """Record a leader's direction (ý kiến chỉ đạo) on the task."""
    update = history_row(task, user, "direction", note=note)
    db.session.add(update)
    db.session.flush()
    return update


def archive_task(task, user, note=""):
    """Take the task off the board and the counts; it stays, with its history."""
    return _set_archived(task, True, "archived", user, note)


def restore_task(task, user, note=""):
    """Bring an archived task back to the board and the counts."""
    return _set_archived(task, False, "restored", user, note)


def _set_archived(task, archived, action, user, note):
    if task.is_archived == archived:
        raise ValueError(action)
    task.is_archived = archived
    update = history_row(task, user, action, note=note or "",
                         changes={"is_archived": [not archived, archived]})
    db.session.add(update)
    db.session.flush()
    return update


def plan_snapshot(task):
    """Return the values the edit form shows, JSON-ready, keyed by field name."""
    values = {name: _plain(getattr(task, name)) for name in PLAN_FIELDS}
    for role in UNIT_ROLES:
        values[role] = sorted(
            link.unit_id for link in task.unit_links
            if link.role == role and link.via_group_id is None
        )
    values["scope"] = sorted(unit.id for unit in task.scope_units)
    return values


def submitted_snapshot(data, coordinating, participating, co_lead=(), scope=()):
    """Return the values of a submitted edit form in the shape of plan_snapshot."""
    values = {name: _plain(data.get(name)) for name in PLAN_FIELDS}
    values["scope"] = sorted(set(scope or ()))
    values["co_lead"] = sorted(set(co_lead or ()))
    values["coordinating"] = sorted(set(coordinating or ()))
    values["participating"] = sorted(set(participating or ()))
    return values


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="tracker.task-edit")


def sign_snapshot(task):
    """Return the task's plan values, signed, for the edit form to carry back."""
    return _serializer().dumps(plan_snapshot(task))


def read_snapshot(token):
    """Return the plan values an edit form was shown with, or None if unreadable."""
    if not token:
        return None
    try:
        values = _serializer().loads(token)
    except (BadData, ValueError, TypeError):
        return None
    return values if isinstance(values, dict) else None


def changed_meanwhile(task, version, shown):
    """Return the edit form's fields someone changed since the form was shown.

    A form from the task's current version conflicts with nothing. From an older
    version, the conflicts are the fields whose value now differs from what the form
    showed (shown, a plan_snapshot); progress reports and shares also move the
    version on, but the plan form does not show them, so they alone do not conflict.
    """
    if version == task.version:
        return []
    current = plan_snapshot(task)
    # A form signed before scopes existed showed none: not a conflict in itself.
    return [name for name in EDIT_FIELDS
            if shown.get(name, [] if name == "scope" else None) != current[name]]
