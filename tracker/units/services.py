"""Reading units and their part in a quarter."""
from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased

from tracker.figures.services import compute
from tracker.models import Task, TaskUnit
from tracker.tasks.rows import FIGURE_COLUMNS, task_rows, unit_rows


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
