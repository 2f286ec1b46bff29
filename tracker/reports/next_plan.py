"""Planning the next quarter from this one: its tasks again, dates a quarter later.

The chosen tasks of quarter Q become a plan for the quarter after it, checked and
previewed as an imported file is (tracker.reports.imports) and written through the
same apply_plan, so each new task has its "created" history row. Dates move by whole
quarters (a day kept where the month has it, else the month's last day); status,
progress, results and completion dates start afresh; kind, units, recurring work and
the plan's own fields are kept. A task the close already carried into the next
quarter, or one that quarter already holds (same title and lead unit), is not
offered: planning it again would make a second copy.

The same shift and reset serve the import's option for a workbook of another quarter
(shift_row, source_quarter).
"""
import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.auth import policy
from tracker.extensions import db
from tracker.i18n import quarter_label
from tracker.models import KIND_FIELDS, Quarter, Task
from tracker.quarters.services import create_quarter, find_quarter
from tracker.quarters.summary import quarter_tasks
from tracker.text import fold, row_id

# The dates of a plan that move with it; the completion date is cleared instead.
SHIFTED_FIELDS = ("due_on", "held_on")
# What a quarter's work achieved, cleared for the next plan: its status, progress,
# completion, written result and the counts of what was done.
RESULT_FIELDS = (
    "progress", "completed_on", "result", "achieved_count", "trainees_attended",
    "participants", "opinions_raised", "opinions_answered", "models_registered",
    "models_recognised",
)
# The plan's own fields copied from the task (the kind's own fields are added).
PLAN_FIELDS = (
    "kind", "title", "description", "due_on", "held_on", "is_recurring",
    "target_count", "target_label", "source_document",
)
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
LABEL_PATTERN = re.compile(
    r"^(?:quy|quarter|q)?\s*([1-4]|i{1,3}|iv)\s*[/.-]\s*(\d{4})$")
KEY_PATTERN = re.compile(r"^(\d{4})\s*-\s*q([1-4])$")


class NextPlanError(Exception):
    """A next quarter's plan that cannot be made; the message says why."""


# ---- shifting dates and resetting results -------------------------------------------


def quarter_index(year, number):
    """Return a quarter's position on one line of quarters (for differences)."""
    return year * 4 + number - 1


def shift_date(day, quarters):
    """Return the date whole quarters later (earlier if negative).

    The day of the month is kept where the new month has it, else it becomes the
    month's last day: 31/03 -> 30/06, 30/11/2023 -> 29/02/2024.
    """
    if day is None or not quarters:
        return day
    months = day.year * 12 + day.month - 1 + 3 * quarters
    year, month = divmod(months, 12)
    month += 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(day)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def shift_row(data, quarters):
    """Move a plan row's dates by whole quarters and clear its results, in place.

    The status becomes "not started"; the completion date, progress, written result
    and achieved counts are dropped; kind, units, recurrence and the plan stay.
    """
    for name in SHIFTED_FIELDS:
        if data.get(name) is not None:
            try:
                data[name] = shift_date(data[name], quarters)
            except ValueError:
                pass  # a date beyond the calendar: the range checks refuse it
    for name in RESULT_FIELDS:
        data.pop(name, None)
    data["status"] = "not_started"
    return data


def parse_quarter(text):
    """Return (year, number) of a quarter written "Quý II/2023", "2023-Q2" or "2/2023".

    None when the text names no quarter.
    """
    folded = " ".join(fold(str(text or "")).split())
    match = KEY_PATTERN.match(folded)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
    else:
        match = LABEL_PATTERN.match(folded)
        if not match:
            return None
        part = match.group(1)
        number = int(part) if part.isdigit() else ROMAN[part]
        year = int(match.group(2))
    return (year, number) if 2000 <= year <= 2100 else None


def quarter_of(day):
    """Return (year, number) of the quarter holding a date."""
    return day.year, (day.month - 1) // 3 + 1


def source_quarter(named, dates):
    """Return (year, number) of the quarter a file comes from, or None.

    named: the quarters the file's rows name (the exports' "Quarter" column); else
    the quarter most of its dates fall in (dates: the due and held dates). The most
    frequent wins; a tie goes to the earliest.
    """
    for values in (named, [quarter_of(day) for day in dates]):
        counts = Counter(value for value in values if value is not None)
        if counts:
            return min(counts, key=lambda key: (-counts[key], key))
    return None


# ---- the next quarter's plan from this one ------------------------------------------


@dataclass
class Candidate:
    """One task of the quarter, as the page that picks the next plan lists it."""

    task: Task
    # The task the next quarter already holds for it: its continuation (carried
    # at the close), or a task of the same title and lead unit.
    carried_to: Task = None
    existing: Task = None

    @property
    def offered(self):
        """Tell whether the task may be planned again (not already in the next)."""
        return self.carried_to is None and self.existing is None

    @property
    def is_ended(self):
        """Tell whether the task ended in its quarter (cancelled, or closed with a
        reason)."""
        return self.task.status == "cancelled" or bool(self.task.closing_reason)


def next_quarter(quarter):
    """Return the quarter after this one, or None if it has not been opened."""
    return find_quarter(*quarter.next_key())


def check_target(quarter, target, user):
    """Raise NextPlanError unless the user may plan the quarter after this one."""
    year, number = quarter.next_key()
    if target is None:
        if not policy.can_open_quarter(user):
            raise NextPlanError(_(
                "%(quarter)s has not been opened yet; only a leader can open it. Ask "
                "a leader to open it, or to plan it from here.",
                quarter=quarter_label(year, number)))
        return
    if target.is_closed:
        raise NextPlanError(_(
            "%(quarter)s is closed; nothing can be planned into it.",
            quarter=target.label))


def candidates(quarter, target):
    """Return a Candidate for each task of the quarter (not archived), in plan order."""
    tasks = quarter_tasks(quarter)
    carried, existing = {}, {}
    if target is not None and target.id is not None and tasks:
        rows = db.session.scalars(
            select(Task).where(Task.quarter_id == target.id)
        ).all()
        for row in rows:
            if row.carried_from_id is not None:
                carried[row.carried_from_id] = row
            existing.setdefault((fold(row.title), row.lead_unit_id), row)
    found = []
    for task in tasks:
        item = Candidate(task=task, carried_to=carried.get(task.id))
        if item.carried_to is None:
            item.existing = existing.get((fold(task.title), task.lead_unit_id))
        found.append(item)
    return found


def chosen_ids(values):
    """Return the task ids a form sent, or raise NextPlanError if one is garbage."""
    ids = []
    for value in values:
        task_id = row_id(value)
        if task_id is None:
            raise NextPlanError(_("The list of chosen tasks is not valid; choose the "
                                  "tasks again."))
        ids.append(task_id)
    if not ids:
        raise NextPlanError(_("Choose at least one task to plan again."))
    return list(dict.fromkeys(ids))


def planning_target(quarter):
    """Return the next quarter, or an unsaved one standing for it until confirmed."""
    target = next_quarter(quarter)
    if target is None:
        year, number = quarter.next_key()
        target = Quarter(year=year, number=number, state="planning",
                         board_id=quarter.board_id)
    return target


def build_plan(quarter, target, ids, user):
    """Return the checked Plan creating the chosen tasks again in the target quarter.

    Raises NextPlanError if an id is not one of the quarter's tasks that may be
    planned again (already carried or planned, archived, another quarter's).
    """
    from tracker.reports.imports import Plan, PlanRow, Problem, check_rules

    offered = {item.task.id: item for item in candidates(quarter, target)}
    unknown = [task_id for task_id in ids
               if task_id not in offered or not offered[task_id].offered]
    if unknown:
        raise NextPlanError(_(
            "Some of the chosen tasks are not tasks of %(quarter)s that can be "
            "planned again (they may already be in %(next)s); choose the tasks again.",
            quarter=quarter.label, next=target.label))
    plan = Plan(quarter=target, user=user, source=quarter,
                note=_("Planned from %(quarter)s", quarter=quarter.label))
    shift = quarter_index(target.year, target.number) - quarter_index(
        quarter.year, quarter.number)
    seen = {}
    for number, task_id in enumerate(ids, start=1):
        task = offered[task_id].task
        data = {name: getattr(task, name) for name in PLAN_FIELDS}
        for name in KIND_FIELDS.get(task.kind, ()):
            data[name] = getattr(task, name)
        shift_row(data, shift)
        row = PlanRow(
            row=number, data=data, lead=task.lead_unit,
            co_lead_units=list(task.co_lead_units),
            coordinating_units=list(task.coordinating_units),
            # A group's members are given their parts again by the group itself.
            participating_units=[link.unit for link in task.own_participants_links],
        )
        row.source = task

        def problem(key, message, row=row):
            from tracker.reports.imports import column_label

            row.problems.append(Problem(message, row.row, column_label(key)))

        for key, units in (("lead_unit", [row.lead]), ("co_lead", row.co_lead_units),
                           ("coordinating", row.coordinating_units),
                           ("participating", row.participating_units)):
            for unit in units:
                if not unit.is_active:
                    problem(key, _("The unit “%(value)s” is no longer active.",
                                   value=unit.name))
        check_rules(row, target, problem)
        key = (fold(task.title), task.lead_unit_id)
        if key in seen:
            problem("title", _("Same title and lead unit as row %(row)d.",
                               row=seen[key]))
        seen.setdefault(key, number)
        plan.problems.extend(row.problems)
        plan.rows.append(row)
    return plan


def confirm_plan(quarter, ids, user):
    """Create the chosen tasks in the next quarter (opening it if needed).

    Returns (the Plan, the created tasks); the tasks list is empty when the plan has
    problems, and then nothing was written. Raises NextPlanError on bad input. Only
    adds and flushes: the caller commits, or rolls back if the plan has problems.
    """
    from tracker.reports.imports import apply_plan

    target = next_quarter(quarter)
    check_target(quarter, target, user)
    if target is None:
        target = create_quarter(*quarter.next_key(), user)
    plan = build_plan(quarter, target, ids, user)
    if not plan.ok:
        return plan, []
    return plan, apply_plan(plan, user)
