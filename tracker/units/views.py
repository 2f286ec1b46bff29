"""Units, their hierarchy, and the tasks each leads or takes part in, by quarter."""
from collections import Counter

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from tracker.extensions import db
from tracker.figures.services import (
    cutoff_for,
    requested_as_of,
    share_codes,
    unit_figures,
)
from tracker.i18n import today, translated
from tracker.initiatives.services import unit_initiatives
from tracker.models import Task, TaskUnit, Unit, parse_key
from tracker.quarters.services import current_quarter, find_quarter, list_quarters
from tracker.tasks.rows import among
from tracker.tasks.timeliness import TIMELINESS, TIMELINESS_COLOURS
from tracker.units.services import tree, unit_quarter_figures

bp = Blueprint("units", __name__, url_prefix="/units")


def _chosen_quarter():
    """Return the quarter named by ?quarter=KEY, else the current one (or None)."""
    parsed = parse_key(request.args.get("quarter", ""))
    quarter = find_quarter(*parsed) if parsed else None
    return quarter or current_quarter(today())


@bp.route("/")
def index():
    """List units in their hierarchy with the tasks each leads and joins in a quarter.

    Counting one quarter (the current one unless ?quarter= says otherwise) keeps the
    page's cost to that quarter's tasks however many years are kept.
    """
    units = db.session.scalars(select(Unit)).all()
    quarter = _chosen_quarter()
    led, joined = Counter(), Counter()
    if quarter is not None:
        tasks = db.session.execute(
            select(Task.id, Task.lead_unit_id).where(
                Task.quarter_id == quarter.id, Task.is_archived.is_(False)
            )
        ).all()
        led.update(lead for _, lead in tasks)
        # The links are looked up by the quarter's task ids and counted here: as a
        # join, PostgreSQL hashes every link of every quarter, and a GROUP BY makes
        # SQLite walk the whole (unit, task) index instead of the primary key.
        joined.update(db.session.scalars(
            select(TaskUnit.unit_id)
            .where(among(TaskUnit.task_id, [task_id for task_id, _ in tasks]))
        ))
    return render_template(
        "units/index.html", tree=tree(units), led=led, joined=joined,
        quarter=quarter, quarters=list_quarters(),
    )


@bp.route("/<int:unit_id>")
def show(unit_id):
    """Show a unit's scorecard, the tasks it leads and its shares, quarter by quarter.

    The scorecard is the unit's row of the quarter's figures, computed from the
    tasks it leads or takes part in (no other task changes its row), at ?as_of=
    (open quarters; else today).
    """
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    as_of = requested_as_of()
    quarter = _chosen_quarter()
    led, joined, roles, score, shares = [], [], {}, None, {}
    cutoff = cutoff_for(quarter, as_of) if quarter else (as_of or today())
    if quarter is not None:
        tasks, figures = unit_quarter_figures(unit, quarter, cutoff)
        score = unit_figures(figures, unit.id)
        shares = share_codes(figures)
        for task in tasks:
            if task.lead_unit_id == unit.id:
                led.append(task)
                continue
            joined.append(task)
            roles[task.id] = next(link for link in task.unit_links
                                  if link.unit_id == unit.id)
    return render_template(
        "units/show.html", unit=unit, led=led, joined=joined, roles=roles,
        quarter=quarter, quarters=list_quarters(), cutoff=cutoff, as_of=as_of,
        score=score, shares=shares, timeliness_labels=translated(TIMELINESS),
        timeliness_colours=TIMELINESS_COLOURS,
        initiatives=unit_initiatives(unit),
        below=[child for child in unit.children if child.is_active],
    )
