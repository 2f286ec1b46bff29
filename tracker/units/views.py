"""Units, their hierarchy, and the tasks each leads or coordinates."""
from flask import Blueprint, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.i18n import today
from tracker.models import Quarter, Task, TaskUnit, Unit

bp = Blueprint("units", __name__, url_prefix="/units")


def tree(units):
    """Return [(unit, depth)] in hierarchy order."""
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered = []

    def walk(parent_id, depth):
        for unit in sorted(children.get(parent_id, []), key=lambda u: (u.sort_order, u.name)):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    known = {unit.id for unit, _ in ordered}
    ordered += [(unit, 0) for unit in units if unit.id not in known]
    return ordered


@bp.route("/")
def index():
    """List units in their hierarchy with the number of tasks each leads and joins."""
    units = db.session.scalars(select(Unit)).all()
    led = dict(
        db.session.execute(
            select(Task.lead_unit_id, func.count())
            .where(Task.is_archived.is_(False))
            .group_by(Task.lead_unit_id)
        ).all()
    )
    joined = dict(
        db.session.execute(
            select(TaskUnit.unit_id, func.count())
            .join(Task, Task.id == TaskUnit.task_id)
            .where(Task.is_archived.is_(False))
            .group_by(TaskUnit.unit_id)
        ).all()
    )
    return render_template(
        "units/index.html", tree=tree(units), led=led, joined=joined
    )


@bp.route("/<int:unit_id>")
def show(unit_id):
    """Show the tasks a unit leads and those it coordinates or takes part in."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    options = (
        joinedload(Task.quarter),
        joinedload(Task.lead_unit),
        selectinload(Task.unit_links).joinedload(TaskUnit.unit),
    )
    order = (Quarter.year.desc(), Quarter.number.desc(), Task.id)
    led = db.session.scalars(
        select(Task).join(Task.quarter)
        .where(Task.lead_unit_id == unit.id, Task.is_archived.is_(False))
        .options(*options).order_by(*order)
    ).unique().all()
    joined = db.session.scalars(
        select(Task).join(Task.quarter).join(TaskUnit, TaskUnit.task_id == Task.id)
        .where(TaskUnit.unit_id == unit.id, Task.is_archived.is_(False))
        .options(*options).order_by(*order)
    ).unique().all()
    roles = {}
    for task in joined:
        for link in task.unit_links:
            if link.unit_id == unit.id:
                roles[task.id] = link
    return render_template(
        "units/show.html", unit=unit, led=led, joined=joined, roles=roles,
        today=today(),
    )
