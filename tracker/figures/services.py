"""A quarter's figures at a cut-off date: what every page, export and the API read.

The cut-off of an open quarter is the date asked for (by default today; the report's
date for its downloads); a closed quarter is judged at the day after its last day,
whatever is asked. Figures are plain dicts, ready for JSON: the timeliness classes,
the rate done ÷ (done + overdue), counts by kind, targets, the per-unit scorecard
(tasks led and shares taken) and each task with its class and its units' shares.
"""
import datetime as dt
import re

from flask import abort, request
from flask_babel import gettext as _

from tracker.i18n import today
from tracker.models import Task
from tracker.models.task import display_order
from tracker.models.unit import UNSCORED, ancestor_ids, path_labels
from tracker.tasks.timeliness import (
    DONE_CLASSES,
    TIMELINESS,
    completion_rate,
    done_count,
)

AS_OF_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
HEADLINE = ("quarter", "total", "done", "overdue", "rate")


class BadDate(ValueError):
    """An as_of that is not a date the figures can be computed at."""


def parse_as_of(value):
    """Return the date of "YYYY-MM-DD", None for nothing, or raise BadDate."""
    if value is None or value == "":
        return None
    if not AS_OF_PATTERN.match(value):
        raise BadDate(value)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise BadDate(value) from None
    if not EARLIEST <= day <= LATEST:
        raise BadDate(value)
    return day


def bad_date_message():
    """Return the message that explains a malformed as_of."""
    return _("“as_of” must be a date written YYYY-MM-DD, e.g. 2023-06-30.")


def requested_as_of():
    """Return the ?as_of= date of the request, None if absent; 400 if malformed."""
    try:
        return parse_as_of(request.args.get("as_of"))
    except BadDate:
        abort(400, description=bad_date_message())


def cutoff_for(quarter, as_of=None):
    """Return the cut-off of the quarter's figures: as_of (else today) unless closed."""
    return quarter.cutoff(as_of or today())


def quarter_rows(quarter, units=None, notes=False):
    """Return the quarter's tasks (not archived) as rows with what the figures count."""
    from tracker.tasks.rows import FIGURE_COLUMNS, task_rows

    # The table's columns, not the model's: the quarter was found within the
    # request's boards, so its tasks need no board filter, and a plain statement's
    # rows skip the ORM's handling (about 2 of its 23 ms on a province's quarter).
    table = Task.__table__
    return task_rows(
        table.c.quarter_id == quarter.id, table.c.is_archived.is_(False),
        columns=FIGURE_COLUMNS, units=units, notes=notes, by_select=True,
    )


def quarter_figures(quarter, as_of=None, tasks=None):
    """Return the quarter's figures at its cut-off (as_of, else today, if open)."""
    from tracker.tasks.rows import unit_rows

    units = unit_rows()
    if tasks is None:
        tasks = quarter_rows(quarter, units=units, notes=True)
    return compute(quarter, tasks, cutoff_for(quarter, as_of), units=units)


def _iso(day):
    return day.isoformat() if day else None


def _add(total, value):
    return total + (value or 0)


# The counts of a scorecard row that its roll-up adds up (with the classes).
ROLLED_UP = ("led", "coordinated", "shares")


class _Scorecard:
    """The per-unit rows: tasks led and shares taken, counted by class."""

    def __init__(self):
        self.rows = {}

    def row(self, unit_id, unit):
        """Return the unit's row; an outside body's or a group's is counted nowhere.

        A group is scored through its members' own links (their shares), never as
        a unit of its own: counting both would count the same work twice.
        """
        found = self.rows.get(unit_id)
        if found is None:
            found = dict(
                id=unit.id, name=unit.name, short_name=unit.short_name,
                sort_order=unit.sort_order, parent_id=getattr(unit, "parent_id", None),
                led=0, coordinated=0, shares=0,
                classes=dict.fromkeys(TIMELINESS, 0),
            )
            if getattr(unit, "kind", None) not in UNSCORED:
                self.rows[unit_id] = found
        return found

    def results(self, units):
        """Return the rows, most work first, with done, overdue and the rate, and
        each unit's roll-up: its own counts with those of the units below it.

        units ({id: unit row}) say which units are above which: a unit above
        scored ones gets a row (its own counts may be none) so that its roll-up
        is stated. The roll-up adds up these same rows' counts, nothing else.
        """
        for row in list(self.rows.values()):
            for parent_id in ancestor_ids(row["id"], units):
                self.row(parent_id, units[parent_id])
        labels = path_labels([units[i] for i in self.rows if i in units], units)
        below = {}  # unit id: [the counts of the rows below it]
        for row in self.rows.values():
            for parent_id in ancestor_ids(row["id"], units):
                if parent_id in self.rows:
                    below.setdefault(parent_id, []).append(row)
        rolled = {}
        for unit_id, rows in below.items():
            total = dict.fromkeys(ROLLED_UP, 0)
            classes = dict.fromkeys(TIMELINESS, 0)
            for row in rows + [self.rows[unit_id]]:
                for name in ROLLED_UP:
                    total[name] += row[name]
                for code in TIMELINESS:
                    classes[code] += row["classes"][code]
            total["units_below"] = len(rows)
            rolled[unit_id] = _with_classes(total, classes)
        results = []
        for row in self.rows.values():
            row = _with_classes(row, row.pop("classes"))
            row["label"] = labels.get(row["id"], row["name"])
            row["with_below"] = rolled.get(row["id"])
            results.append(row)
        results.sort(key=lambda r: (-r["led"], -r["shares"], -r["coordinated"],
                                    r["sort_order"], r["name"]))
        return results


def _display_places(units):
    """Return {unit id: its place in the units' display order (sort order, name)}."""
    places = sorted({(unit.sort_order, unit.name) for unit in units.values()})
    places = {key: index for index, key in enumerate(places)}
    return {unit_id: places[(unit.sort_order, unit.name)]
            for unit_id, unit in units.items()}


def _with_classes(row, classes):
    """Return the row with done (on time, late, undated), overdue and the rate."""
    row.update(
        done_on_time=classes["done_on_time"], done_late=classes["done_late"],
        done_undated=classes["done"], done=done_count(classes),
        overdue=classes["overdue"], rate=completion_rate(classes),
    )
    return row


def compute(quarter, tasks, cutoff, petitions=None, initiatives=None, units=None,
            listing=True):
    """Return the figures of a quarter's tasks at the cut-off date.

    tasks are Task objects or TaskRows with their unit links (and the links' dates
    and notes, for the shares). petitions are the quarter's petition rows
    (tracker.petitions.services.petition_rows), read here when not given; only
    those raised at the given tasks count. initiatives are the quarter's rows of the
    "Dân vận khéo" registry (tracker.initiatives.services.initiative_rows), read
    here when not given. units ({id: unit row}, tracker.tasks.rows.unit_rows, read
    here when not given) place the scored units in their tree for the roll-up.

    listing: with each task's entry (its class, units and shares) as "tasks". A
    page that lists no tasks (the summary) asks for the figures without them: the
    counts are the same, and building a province's thousand entries cost a third
    of this function's time.
    """
    from tracker.initiatives.services import count_initiatives, initiative_rows
    from tracker.petitions.services import count_petitions, petition_rows
    from tracker.tasks.rows import unit_rows

    if units is None:
        units = unit_rows()

    if petitions is None:
        petitions = petition_rows([quarter.id]).get(quarter.id, [])
    if initiatives is None:
        initiatives = initiative_rows([quarter]).get(quarter.id, [])
    counts = dict.fromkeys(TIMELINESS, 0)
    kinds = {}
    dialogues = dict(planned=0, held=0, participants=0)
    training = dict(courses=0, held=0, sessions=0, trainees_planned=0,
                    trainees_attended=0)
    congresses = dict(planned=0, held=0, delegates=0)
    movements = dict(count=0, models_registered=0, models_recognised=0)
    targets, counted, listed, task_ids = [], [], [], set()
    scorecard = _Scorecard()
    carried_in = 0
    unacknowledged = []
    # Each unit's place in the display order (sort order, then name), as one number:
    # a listing's links of a thousand tasks are sorted, and comparing (number, name)
    # pairs cost more than all the counting here. Without a listing the links are
    # counted as they come: the scorecard's rows are sorted by the units' display
    # order in the end (units alike in it keep the order they came in, as a stable
    # sort of the links would have kept them).
    order = _display_places(units) if listing else None

    scored = scorecard.rows.get  # a unit's row once it has one, else None

    for task in tasks:
        task_ids.add(task.id)
        code = task.timeliness(cutoff)
        counts[code] += 1
        done = code in DONE_CLASSES
        carried_in += task.carried_from_id is not None
        for unit, what, given_on in task.unacknowledged(cutoff):
            unacknowledged.append(dict(
                task=task.id, title=task.title, unit=unit.id if unit else None,
                unit_name=unit.short_name if unit else "", what=what,
                given_on=given_on.isoformat()))
        kind = kinds.setdefault(task.kind, dict(total=0, done=0))
        kind["total"] += 1
        kind["done"] += done
        if task.kind == "dialogue":
            if task.target_count is not None:
                dialogues["planned"] += task.target_count
                dialogues["held"] += task.achieved_count or 0
            else:
                dialogues["planned"] += 1
                dialogues["held"] += done
            dialogues["participants"] = _add(dialogues["participants"],
                                             task.participants)
        elif task.kind == "training":
            training["courses"] += 1
            training["held"] += done
            for name in ("sessions", "trainees_planned", "trainees_attended"):
                training[name] = _add(training[name], getattr(task, name))
        elif task.kind == "congress":
            congresses["planned"] += 1
            congresses["held"] += done or (
                task.held_on is not None and task.held_on <= cutoff)
            congresses["delegates"] = _add(congresses["delegates"], task.delegates)
        elif task.kind == "movement":
            movements["count"] += 1
        if task.target_count is not None:
            targets.append(dict(
                id=task.id, title=task.title, target=task.target_count,
                achieved=task.achieved_count, label=task.target_label,
            ))
        elif task.achieved_count is not None:
            counted.append(dict(
                id=task.id, title=task.title, achieved=task.achieved_count,
                label=task.target_label,
            ))
        lead = scored(task.lead_unit_id) or scorecard.row(task.lead_unit_id,
                                                          task.lead_unit)
        lead["led"] += 1
        lead["classes"][code] += 1
        shares, coordinating, co_leads = [], [], []
        links = task.unit_links
        if order is not None and len(links) > 1:
            try:
                links = sorted(links, key=lambda link: order[link.unit_id])
            except KeyError:  # a unit the given units lack: compare by its names
                links = sorted(links, key=display_order)
        for link in links:
            unit = scored(link.unit_id) or scorecard.row(link.unit_id, link.unit)
            if link.role == "co_lead":  # each co-lead leads the task
                unit["led"] += 1
                unit["classes"][code] += 1
                if listing:
                    co_leads.append(link.unit_id)
                continue
            if link.role != "participating":
                unit["coordinated"] += 1
                if listing:
                    coordinating.append(link.unit_id)
                continue
            share_code = task.share_timeliness(link, cutoff)
            unit["shares"] += 1
            unit["classes"][share_code] += 1
            if not listing:
                continue
            shares.append(dict(
                unit=link.unit_id, role=link.role, status=link.share_status,
                completed_on=_iso(link.share_done_on), note=link.share_note or "",
                timeliness=share_code,
            ))
        if not listing:
            continue
        listed.append(dict(
            id=task.id, title=task.title, kind=task.kind, status=task.status,
            progress=task.progress, due_on=_iso(task.due_on),
            extended_due_on=_iso(task.extended_due_on),
            completed_on=_iso(task.completed_on), held_on=_iso(task.held_on),
            timeliness=code,
            lead=task.lead_unit_id, co_leads=co_leads, target=task.target_count,
            achieved=task.achieved_count, carried_from=task.carried_from_id,
            closing_reason=task.closing_reason, coordinating=coordinating,
            shares=shares,
        ))

    # What citizens raised at the quarter's meetings, from the petitions' records.
    raised, by_task = count_petitions(
        [row for row in petitions if row.task_id in task_ids], quarter, cutoff)
    dialogues.update(
        opinions_raised=raised["raised"], opinions_answered=raised["answered"],
        answered_on_time=raised["answered_on_time"], closed=raised["closed"],
        still_open=raised["open"], overdue=raised["overdue"],
        imported=raised["imported"], by_field=raised["by_field"],
    )
    for entry in listed:
        entry["petitions"] = by_task.get(entry["id"])
    # The models of the "Dân vận khéo" registry, for the quarter's year.
    models, models_by_task = count_initiatives(initiatives, quarter, cutoff)
    movements.update(
        models_registered=models["registered"],
        models_recognised=models["recognised"],
        models_recognised_in_quarter=models["recognised_in_quarter"],
        models_dropped=models["dropped"], models_imported=models["imported"],
        models_by_field=models["by_field"], models_by_unit=models["by_unit"],
        models_recognised_list=models["recognised_list"],
    )
    for entry in listed:
        entry["models"] = models_by_task.get(entry["id"])
    done = done_count(counts)
    return dict(
        quarter=quarter.key,
        label=str(quarter.label),
        as_of=cutoff.isoformat(),
        closed=quarter.is_closed,
        counts=counts,
        total=len(task_ids),
        done=done,
        overdue=counts["overdue"],
        cancelled=counts["cancelled"],
        rate=completion_rate(counts),
        carried_in=carried_in,
        unacknowledged_count=len(unacknowledged),
        unacknowledged=unacknowledged,
        kinds=kinds,
        dialogues=dialogues,
        training=training,
        congresses=congresses,
        movements=movements,
        targets=targets,
        counted=counted,
        units=scorecard.results(units),
        tasks=listed if listing else None,
    )


def codes(figures):
    """Return {task id: timeliness code} of the figures' tasks."""
    return {task["id"]: task["timeliness"] for task in figures["tasks"]}


def share_codes(figures):
    """Return {(task id, unit id): timeliness code} of the figures' shares."""
    return {(task["id"], share["unit"]): share["timeliness"]
            for task in figures["tasks"] for share in task["shares"]}


def unit_figures(figures, unit_id):
    """Return one unit's scorecard row, or an empty one if it has no part."""
    for row in figures["units"]:
        if row["id"] == unit_id:
            return row
    return dict(id=unit_id, led=0, coordinated=0, shares=0, done_on_time=0,
                done_late=0, done=0, overdue=0, rate=None, with_below=None)


def stage(code, status):
    """Return where work stood at the cut-off: done, in_progress, not_started or
    cancelled.

    Work reported done after the cut-off was still under way then.
    """
    if code in DONE_CLASSES:
        return "done"
    if code == "cancelled":
        return "cancelled"
    return "not_started" if status == "not_started" else "in_progress"


def headline(figures):
    """Return the headline of full figures: quarter, total, done, overdue, rate."""
    return {name: figures[name] for name in HEADLINE}


def comparison(current, other):
    """Return the change of the headline figures from another quarter's headline."""
    if other is None:
        return None
    delta = {
        name: current[name] - other[name] for name in ("total", "done", "overdue")
    }
    if current["rate"] is not None and other["rate"] is not None:
        delta["rate"] = current["rate"] - other["rate"]
    else:
        delta["rate"] = None
    return dict(quarter=other["quarter"], figures=other, delta=delta)


def comparisons(quarter, figures, as_of=None):
    """Return the previous quarter, the same quarter a year earlier and the trend.

    Earlier quarters are compared by their headlines (stored when they closed, or
    counted in the database at the same as_of), never by loading their tasks.
    """
    from tracker.figures.counting import headlines, recent_quarters

    recent = recent_quarters(quarter)
    heads = headlines([q for q in recent if q.id != quarter.id], as_of or today())
    heads[quarter.id] = headline(figures)
    by_key = {(q.year, q.number): q for q in recent}
    previous = by_key.get(quarter.previous_key())
    year_ago = by_key.get((quarter.year - 1, quarter.number))
    own = heads[quarter.id]
    return dict(
        previous=comparison(own, heads[previous.id] if previous else None),
        year_ago=comparison(own, heads[year_ago.id] if year_ago else None),
        trend=[(item, heads[item.id]) for item in reversed(recent)],
    )


def figures_document(quarter, as_of=None):
    """Return the figures with their comparisons, as figures.json serves them."""
    figures = quarter_figures(quarter, as_of)
    compared = comparisons(quarter, figures, as_of)
    document = dict(figures)
    document["units"] = [
        {key: value for key, value in row.items() if key != "sort_order"}
        for row in figures["units"]
    ]
    document["previous"] = compared["previous"]
    document["year_ago"] = compared["year_ago"]
    document["trend"] = [head for _, head in compared["trend"]]
    rolled = board_rollup(quarter, figures, as_of)
    if rolled is not None:
        document["own"] = dict(counts=figures["counts"], rate=figures["rate"],
                               total=figures["total"])
        totals = rolled["totals"]
        document.update(counts=totals["counts"], rate=totals["rate"],
                        total=totals["total"], done=totals["done"],
                        overdue=totals["overdue"])
        document["boards"] = [rollup_entry(entry, quarter, as_of)
                              for entry in rolled["boards"]]
    return document


def board_rollup(quarter, figures, as_of=None):
    """Return the roll-up of the quarter's board's children, or None if it has none."""
    from tracker.figures.rollup import rollup

    board = quarter.board
    if board is None:
        return None
    return rollup(board, quarter, figures, as_of)


def rollup_entry(entry, quarter, as_of=None):
    """Return one child board's line of a parent's figures.json."""
    from flask import request

    from tracker.boards.urls import board_path

    child, row = entry["board"], entry["row"]
    url = None
    if entry["quarter"] is not None:
        url = request.host_url.rstrip("/") + board_path(
            child.code, f"/quarters/{quarter.key}/figures.json")
        if as_of is not None:
            url += f"?as_of={as_of.isoformat()}"
    return {
        "code": child.code, "name": child.name, "figures_url": url,
        "counts": row["counts"] if row else None,
        "rate": row["rate"] if row else None,
    }
