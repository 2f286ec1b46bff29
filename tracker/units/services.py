"""Reading units and their part in a quarter."""
from tracker.figures.services import compute
from tracker.models import Task
from tracker.models.unit import subtree_ids
from tracker.tasks.rows import FIGURE_COLUMNS, task_rows, unit_rows
from tracker.tasks.services import takes_part


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
    The figures also count the tasks of the units below it (a commune's villages),
    so that its row states its roll-up; the tasks returned are its own.
    """
    units = unit_rows()
    ids = subtree_ids(unit.id, units.values())
    tasks = task_rows(
        Task.quarter_id == quarter.id,
        Task.is_archived.is_(False),
        takes_part(ids),
        columns=FIGURE_COLUMNS, units=units, notes=True,
    )
    figures = compute(quarter, tasks, cutoff, units=units)
    own = [task for task in tasks if task.lead_unit_id == unit.id
           or any(link.unit_id == unit.id for link in task.unit_links)]
    return own, figures
