"""Reading units and their part in a quarter."""
from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased

from tracker.figures.services import compute
from tracker.models import Task, TaskUnit
from tracker.tasks.rows import FIGURE_COLUMNS, task_rows, unit_rows


def tree(units):
    """Return [(unit, depth)] in hierarchy order.

    A unit whose parent is not among the units (or that sits in a loop of parent
    links) is listed at the top level after the others, never left out.
    """
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, known = [], set()

    def walk(parent_id, depth):
        siblings = children.get(parent_id, [])
        for unit in sorted(siblings, key=lambda u: (u.sort_order, u.name)):
            if unit.id in known:
                continue
            known.add(unit.id)
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    for unit in units:
        if unit.id not in known:
            known.add(unit.id)
            ordered.append((unit, 0))
            walk(unit.id, 1)
    return ordered


def unit_quarter_figures(unit, quarter, cutoff):
    """Return (the tasks the unit leads or joins, their figures) at the cut-off.

    The unit's scorecard is its row of these figures: no other task changes it.
    """
    link = aliased(TaskUnit)
    takes_part = exists().where(link.task_id == Task.id, link.unit_id == unit.id)
    tasks = task_rows(
        Task.quarter_id == quarter.id,
        Task.is_archived.is_(False),
        or_(Task.lead_unit_id == unit.id, takes_part),
        columns=FIGURE_COLUMNS, units=unit_rows(), notes=True,
    )
    return tasks, compute(quarter, tasks, cutoff)
