"""Tasks read as plain rows, for the pages that list a whole quarter.

A province's quarter holds a thousand tasks and four thousand unit links. Loading them
as ORM objects (identity map, attribute instrumentation, a Unit per link) costs more
than the page itself, so the lists read the columns they show through Core and wrap
them in TaskRow, which answers the same questions as Task (labels, timeliness,
coordinating units, shares) from the same TaskFacts code. Rows are read-only: every
change still goes through the Task model and the services.
"""

from collections import namedtuple
from itertools import chain

from sqlalchemy import (
    ARRAY, Integer, String, and_, any_, bindparam, func, literal, null, select,
    union_all,
)

from tracker.extensions import db
from tracker.i18n import translated
from tracker.models import ROLES, STATUSES, Task, TaskUnit, Unit
from tracker.models.task import TaskFacts, task_scope

# What a list of tasks shows (the board, the rollover view, the summary's attention
# list): the kind-specific fields are left out.
LIST_COLUMNS = (
    "id",
    "quarter_id",
    "kind",
    "title",
    "lead_unit_id",
    "due_on",
    "extended_due_on",
    "status",
    "progress",
    "completed_on",
    "held_on",
    "target_count",
    "achieved_count",
    "target_label",
    "is_recurring",
    "carried_from_id",
    "frozen_timeliness",
    "closing_reason",
    "closing_note",
    "is_archived",
    "created_at",
    "lead_given_at",
    "acknowledged_at",
)
# What the quarter's figures count: the list's columns and every kind's numbers.
FIGURE_COLUMNS = LIST_COLUMNS + (
    "delegates",
    "sessions",
    "trainees_planned",
    "trainees_attended",
    "participants",
)


class TaskRow(TaskFacts):
    """A task's columns as plain attributes, with its lead unit and unit links."""

    def __init__(self, values, lead_unit=None):
        self.__dict__.update(values)
        self.lead_unit = lead_unit
        self.unit_links = []
        self.scope_units = []

    def __repr__(self):
        return f"<TaskRow {self.id}>"


class LinkRow:
    """A unit's part in a task, as TaskUnit shows it: unit, role and share.

    The share's note is read only when asked for (the figures read it; the lists,
    which show a thousand links, do not). Every value is given, in order: a
    province's quarter makes thousands of these per page.
    """

    __slots__ = ("unit", "unit_id", "role", "share_status", "share_done_on",
                 "share_note", "given_at", "acknowledged_at", "via_group_id")

    def __init__(self, unit, unit_id, role, share_status, share_done_on, share_note,
                 given_at, acknowledged_at, via_group_id):
        self.unit = unit
        self.unit_id = unit_id
        self.role = role
        self.share_status = share_status
        self.share_done_on = share_done_on
        self.share_note = share_note
        self.given_at = given_at
        self.acknowledged_at = acknowledged_at
        self.via_group_id = via_group_id

    @property
    def role_label(self):
        """Return the translated role name."""
        return translated(ROLES).get(self.role, self.role)

    @property
    def share_status_label(self):
        """Return the translated share status."""
        return translated(STATUSES).get(self.share_status, self.share_status)


def among(column, ids):
    """Return a condition matching the ids, in a shape both databases plan well.

    The bounding range is redundant, but it tells PostgreSQL's planner how few rows
    match: given a long IN list alone it estimates many and scans the whole table
    (every quarter's links), given the range it walks the index from the first id
    to the last, which covers about one quarter. On PostgreSQL the ids go as one
    array parameter (= ANY): a thousand separate parameters cost the driver more
    than the query.
    """
    ids = list(ids)
    if not ids:
        return column.in_(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        listed = column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    else:
        listed = column.in_(ids)
    return and_(column.between(min(ids), max(ids)), listed)


def of_tasks(column, tasks):
    """Return a condition: the column's task is one the select of task ids chooses.

    For a whole quarter's links. SQLite runs it as an IN over the select, answered
    from the tasks' index. PostgreSQL given that shape, or a join, hashes every link
    of every quarter (24 ms at forty quarters against 6 at one); given
    = ANY(ARRAY(select)) it runs the select once and walks the links' index for its
    ids, the same at one quarter or forty, with no ids sent from here.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(func.array(tasks.scalar_subquery()))
    return column.in_(tasks)


# A unit as the lists read it. A named tuple, not the driver's row: the figures and
# the lists read a unit's fields thousands of times a page, and a row's attributes
# are looked up by name each time (ten times slower).
UnitRow = namedtuple(
    "UnitRow", ("id", "name", "short_name", "kind", "sort_order", "is_active",
                "parent_id"))


def unit_rows():
    """Return {unit id: UnitRow} of every unit (id, names, kind, order, active)."""
    rows = db.session.execute(
        # The model's attributes, not the table's columns: the board scope applies
        # to statements about the model (tracker.boards.scope).
        select(*(getattr(Unit, name) for name in UnitRow._fields))
        .order_by(Unit.sort_order, Unit.name)
    )
    return {row[0]: UnitRow._make(row) for row in rows}


def task_rows(*conditions, columns=LIST_COLUMNS, units=None, links=True,
              notes=False, order_by=None, limit=None, offset=None, by_select=False):
    """Return the tasks matching the conditions as TaskRows, in plan order.

    units is {id: unit row} (loaded when not given); with links, each row's
    unit_links are filled from one more statement, whatever the number of tasks
    (with notes, their shares' notes too). order_by (a list of columns, plan order by
    default), limit and offset give one page of the rows, chosen in SQL.

    by_select: unpaged, choose the links by the rows' own select (of_tasks) instead
    of their ids. Only for conditions an index answers (a whole quarter's tasks):
    the databases answer those for less than it costs to bind a thousand ids, but
    SQLite plans a correlated condition (takes_part) inside the links' statement
    badly (the unit page went from 36 to 47 ms).
    """
    if units is None:
        units = unit_rows()
    table = Task.__table__
    stmt = select(*(table.c[name] for name in columns)).where(*conditions)
    # zip with the names: a row's _mapping builds a key view per row, which on a
    # thousand rows costs more than the rows themselves.
    lead = columns.index("lead_unit_id")
    stmt = stmt.order_by(*(order_by or [table.c.id]))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset or 0)
    rows = [
        TaskRow(dict(zip(columns, row)), units.get(row[lead]))
        for row in db.session.execute(stmt).all()
    ]
    if links:  # even for no rows: a page's statement count stays the same
        by_id = {row.id: row for row in rows}
        link = TaskUnit.__table__.c
        wanted = [link.task_id, link.unit_id, link.role, link.share_status,
                  link.share_done_on, link.given_at, link.acknowledged_at,
                  link.via_group_id]
        if notes:
            wanted.append(link.share_note)
        if by_select and limit is None:
            # The links chosen by the rows' own select, a statement of the tables'
            # columns as the rows' was (the quarter was found within the request's
            # boards).
            ids = select(table.c.id).where(*conditions)
            chosen = (lambda column: of_tasks(column, ids))
        else:
            # The ids themselves (a page's, or tasks chosen by conditions the links'
            # statement would plan badly: see by_select). The tasks were read within
            # the request's boards; their links need no second board filter.
            chosen = (lambda column: among(column, by_id))
        for (task_id, unit_id, role, status, done_on, given_at, acknowledged_at,
             via, *note) in db.session.execute(
            _with_scope(select(*wanted).where(chosen(link.task_id)),
                        chosen(task_scope.c.task_id), len(wanted)),
            execution_options={"all_boards": True},
        ).all():
            row = by_id.get(task_id)
            if row is None:
                # A task added since the rows were read: on PostgreSQL each
                # statement of a reading request sees the data as it is then
                # (autocommit, tracker.db_setup).
                continue
            if role == SCOPE:
                row.scope_units.append(units[unit_id])
                continue
            row.unit_links.append(LinkRow(
                units[unit_id], unit_id, role, status, done_on,
                note[0] if note else "", given_at, acknowledged_at, via))
        for row in rows:
            _sort_scope(row)
    return rows


# The role the links' statement gives a task's communes (its scope), read with them
# in the same statement: a page's statement count stays as it was.
SCOPE = "@scope"


def _with_scope(links, condition, width):
    """Return the links' select followed by the scope's rows matching the condition.

    A scope row is (task id, unit id, SCOPE, then NULLs) in the links' shape.
    """
    scope = select(task_scope.c.task_id, task_scope.c.unit_id,
                   literal(SCOPE, String), *([null()] * (width - 3))).where(condition)
    return union_all(links, scope)


def _sort_scope(row):
    """Put a row's communes in the units' display order."""
    if len(row.scope_units) > 1:
        row.scope_units.sort(key=lambda unit: (unit.sort_order, unit.name))


# Rows an export reads from the driver at a time.
EXPORT_PART = 50


def export_rows(quarter, units=None):
    """Yield the quarter's tasks (not archived) with every column and their links.

    For the downloads of a whole quarter: the units (unless given, {id: unit row})
    and the links are read in one statement each, then the tasks in one more, each
    row handed on as it is read.
    """
    if units is None:
        units = unit_rows()
    table, link = Task.__table__, TaskUnit.__table__.c
    links, scope = {}, {}
    # The tables' columns: the quarter was found within the request's boards.
    in_quarter = select(table.c.id).where(table.c.quarter_id == quarter.id,
                                          table.c.is_archived.is_(False))
    for (task_id, unit_id, role, status, done_on, note, given_at,
         acknowledged_at, via) in _in_parts(db.session.execute(_with_scope(
        select(link.task_id, link.unit_id, link.role, link.share_status,
               link.share_done_on, link.share_note, link.given_at,
               link.acknowledged_at, link.via_group_id)
        .where(of_tasks(link.task_id, in_quarter)),
        of_tasks(task_scope.c.task_id, in_quarter), 9,
    ))):
        if role == SCOPE:
            scope.setdefault(task_id, []).append(units[unit_id])
            continue
        links.setdefault(task_id, []).append(
            LinkRow(units[unit_id], unit_id, role, status, done_on, note, given_at,
                    acknowledged_at, via))
    names = [column.name for column in table.columns]
    lead = names.index("lead_unit_id")
    for values in _in_parts(db.session.execute(
        select(table).where(table.c.quarter_id == quarter.id,
                            table.c.is_archived.is_(False)).order_by(table.c.id)
    )):
        row = TaskRow(dict(zip(names, values)), units.get(values[lead]))
        row.unit_links = links.get(row.id, [])
        row.scope_units = scope.get(row.id, [])
        _sort_scope(row)
        yield row


def _in_parts(result):
    """Return the result's rows as one iterator, fetched from the driver EXPORT_PART
    at a time rather than with a call per row (which costs most on PostgreSQL)."""
    return chain.from_iterable(result.partitions(EXPORT_PART))
