"""Tasks, the units that take part in them, and their append-only history."""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import lazy as _l
from tracker.i18n import fmt_number, translated
from tracker.models.base import utcnow
from tracker.tasks import kinds
from tracker.tasks.timeliness import TIMELINESS, TIMELINESS_COLOURS, classify
from tracker.text import fold, to_roman

# The kinds of work live in one table (tracker/tasks/kinds.py); these names stay
# importable from here.
KINDS, KIND_FIELDS = kinds.KINDS, kinds.KIND_FIELDS
ALL_KIND_FIELDS = kinds.ALL_KIND_FIELDS

STATUSES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "postponed": _l("Postponed"),
    "cancelled": _l("Cancelled"),
}
STATUS_COLOURS = {
    "not_started": "secondary",
    "in_progress": "primary",
    "done": "success",
    "postponed": "warning",
    "cancelled": "dark",
}
SHARE_STATUSES = {key: STATUSES[key] for key in ("not_started", "in_progress", "done")}

ROLES = {
    "co_lead": _l("Co-lead"),
    "coordinating": _l("Coordinating"),
    "participating": _l("Participating"),
}


# The columns of follow-up (acknowledgement, extended due date), read together when a
# load asks for them: with_follow_up() below.
FOLLOW_UP = "follow_up"
_FOLLOWING = dict(server_default=text("NULL"), deferred=True, deferred_group=FOLLOW_UP)


def with_follow_up(links=True):
    """Return the loader options reading tasks' (and their links') follow-up columns."""
    from sqlalchemy.orm import selectinload, undefer_group

    options = [undefer_group(FOLLOW_UP)]
    if links:
        options.append(selectinload(Task.unit_links).undefer_group(FOLLOW_UP))
    return options


# Days a unit has to acknowledge (tiếp nhận) a task or a share it was given.
ACK_DAYS = 3


def _day(moment):
    """Return the date of a stored time (or date), or None."""
    if moment is None:
        return None
    return moment.date() if isinstance(moment, dt.datetime) else moment


def display_order(link):
    """Sort key of a unit link: its unit's place in the units' display order."""
    return link.unit.sort_order, link.unit.name


class TaskFacts:
    """What a task says for display: labels, timeliness, targets, units' shares.

    Shared by the Task model and by TaskRow, the plain read-only rows the big pages
    load without the ORM's cost per object; both have the columns and unit_links.
    """

    @property
    def kind_label(self):
        """Return the translated kind name."""
        return translated(KINDS).get(self.kind, self.kind)

    @property
    def status_label(self):
        """Return the translated status name."""
        return translated(STATUSES).get(self.status, self.status)

    @property
    def status_colour(self):
        """Return the badge colour of the status."""
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def closing_reason_label(self):
        """Return the translated reason the task ended with its quarter."""
        reason = self.closing_reason
        return translated(CLOSING_REASONS).get(reason, reason or "")

    @property
    def is_finished(self):
        """Tell whether the task needs no more work (done or cancelled)."""
        return self.status in ("done", "cancelled")

    @property
    def effective_due_on(self):
        """Return the date the task is judged by: an approved extension, else due."""
        return self.extended_due_on or self.due_on

    @property
    def is_extended(self):
        """Tell whether an approved extension moved the task's due date."""
        return self.extended_due_on is not None

    def timeliness(self, cutoff):
        """Return the timeliness code at the cut-off date (frozen once closed)."""
        if self.frozen_timeliness:
            return self.frozen_timeliness
        return classify(self.status, self.effective_due_on, self.completed_on, cutoff,
                        self.held_on)

    def share_timeliness(self, link, cutoff):
        """Return the timeliness code of a unit's share at the cut-off date.

        A share is judged by the task's date held (else its due date) and its own
        status and date; the shares of a cancelled task are cancelled with it.
        """
        status = "cancelled" if self.status == "cancelled" else link.share_status
        return classify(status, self.held_on or self.effective_due_on,
                        link.share_done_on, cutoff)

    def timeliness_label(self, cutoff):
        """Return the translated timeliness label at the cut-off date."""
        code = self.timeliness(cutoff)
        return translated(TIMELINESS).get(code, "") if code else ""

    def timeliness_colour(self, cutoff):
        """Return the badge colour of the timeliness class."""
        return TIMELINESS_COLOURS.get(self.timeliness(cutoff), "dark")

    @property
    def ordinal_roman(self):
        """Return the congress ordinal in Roman numerals ("XII")."""
        return to_roman(self.congress_ordinal)

    @property
    def term_label(self):
        """Return the congress term, e.g. "2023–2028"."""
        if self.term_start and self.term_end:
            return f"{self.term_start}–{self.term_end}"
        return ""

    @property
    def target_text(self):
        """Return what was achieved, out of the target if there is one.

        "3/10 cuộc" reads 3 of 10; "25 tác phẩm" is a count without a target; no
        achieved count, or none yet of unfinished planned work, gives an empty string
        (never "0", "0/0" or "0/10").
        """
        achieved, target = self.achieved_count, self.target_count
        # Nothing achieved yet of a plan is the plan, not "0/10" (plan_target_text).
        if achieved is None or (not achieved and target and self.status != "done"):
            return ""
        text = fmt_number(achieved)
        if target:
            text += f"/{fmt_number(target)}"
        return f"{text} {self.target_label}".strip()

    @property
    def plan_target_text(self):
        """Return the planned count ("11 cuộc"), or an empty string without one."""
        if not self.target_count:
            return ""
        return f"{fmt_number(self.target_count)} {self.target_label}".strip()

    def kind_details(self):
        """Return (field name, value) pairs of the kind's own fields that are set."""
        names = KIND_FIELDS.get(self.kind, ())
        pairs = []
        for name in names:
            value = getattr(self, name)
            if value not in (None, ""):
                pairs.append((name, value))
        return pairs

    @property
    def co_lead_units(self):
        """Return the units that lead the task beside its lead unit (đồng chủ trì)."""
        return [link.unit for link in self._links("co_lead")]

    @property
    def lead_units(self):
        """Return the lead unit and the co-leads, as the task names its leads."""
        return [self.lead_unit] + self.co_lead_units

    @property
    def lead_short_names(self):
        """Return the leads' short names joined for a card ("BDV, HND")."""
        return ", ".join(unit.short_name for unit in self.lead_units if unit is not None)

    @property
    def coordinating_short_names(self):
        """Return the coordinating units' short names joined for a card."""
        return ", ".join(unit.short_name for unit in self.coordinating_units)

    @property
    def scope_short_names(self):
        """Return the communes of the task's scope, short names joined for a card."""
        return ", ".join(unit.short_name for unit in self.scope_units)

    def unacknowledged_names(self, cutoff):
        """Return the short names of the units late to acknowledge, joined."""
        return ", ".join(unit.short_name if unit is not None else ""
                         for unit, _what, _given in self.unacknowledged(cutoff))

    @property
    def lead_names(self):
        """Return the leads' names joined for a line of text."""
        return "; ".join(unit.name for unit in self.lead_units if unit is not None)

    @property
    def coordinating_units(self):
        """Return the coordinating units in display order.

        A group's members are named by the group (its own link), not one by one.
        """
        return [link.unit for link in self._links("coordinating")
                if getattr(link, "via_group_id", None) is None]

    @property
    def participants_links(self):
        """Return the links of units that each report their own share."""
        return self._links("participating")

    @property
    def own_participants_links(self):
        """Return the participating links chosen for the task, not via a group."""
        return [link for link in self.participants_links
                if getattr(link, "via_group_id", None) is None]

    def _links(self, role):
        return sorted((link for link in self.unit_links if link.role == role),
                      key=display_order)

    @property
    def is_shared(self):
        """Tell whether several units each carry out a share of the task."""
        return any(link.role == "participating" for link in self.unit_links)

    def share_counts(self):
        """Return (units done, units taking part) for a shared task."""
        links = self.participants_links
        return sum(1 for link in links if link.share_status == "done"), len(links)

    def unacknowledged(self, cutoff):
        """Return [(unit, "task" or "share", day given)] not acknowledged in time.

        The lead unit (for the task) and each participating unit (for its share) are
        to acknowledge what they were given within ACK_DAYS; at the cut-off, what was
        given ACK_DAYS or more before it and is not acknowledged is listed. Work
        finished (the task done or cancelled, a share done) asks for nothing.
        """
        if self.status in ("done", "cancelled") or self.is_archived:
            return []
        # What was given on this day or before and is not acknowledged is late. An
        # acknowledgement settles it for good, whatever the cut-off: the list is of
        # work still waiting for one, not a history of how long each took.
        latest = cutoff - dt.timedelta(days=ACK_DAYS)
        created = _day(self.created_at)
        late = []
        if self.acknowledged_at is None:
            given = _day(self.lead_given_at) or created
            if given is not None and given <= latest:
                late.append((self.lead_unit, "task", given))
        # Only the late shares are put in display order: the figures ask this of
        # every task of a quarter, and few of its links are late.
        shares = []
        for link in self.unit_links:
            if (link.role != "participating" or link.share_status == "done"
                    or link.acknowledged_at is not None):
                continue
            given = _day(link.given_at) or created
            if given is not None and given <= latest:
                shares.append((link, given))
        if len(shares) > 1:
            shares.sort(key=lambda share: display_order(share[0]))
        late.extend((link.unit, "share", given) for link, given in shares)
        return late

    def overdue_shares(self, cutoff):
        """Return the participating links not done although the due date has passed."""
        return [link for link in self.participants_links
                if self.share_timeliness(link, cutoff) == "overdue"]


class Task(TaskFacts, db.Model):
    """A piece of a quarter's work, led by one unit."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_quarter_kind", "quarter_id", "kind"),
        # Covers what the lists of quarters count per quarter (status, timeliness,
        # carried in) without reading the task rows.
        Index(
            "ix_task_quarter_figures", "quarter_id", "status", "due_on",
            "completed_on", "frozen_timeliness", "carried_from_id", "is_archived",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_id: Mapped[int] = mapped_column(ForeignKey("quarter.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    due_on: Mapped[Optional[dt.date]]
    # The due date of the latest approved extension (tracker.models.extension): the
    # task is judged by it, while due_on keeps the plan's date.
    # Like the acknowledgement below, left to the database's default unless set and
    # read with the loads that ask for the group (FOLLOW_UP), so that code run against
    # an older schema (the migration tests) need not find the columns.
    extended_due_on: Mapped[Optional[dt.date]] = mapped_column(**_FOLLOWING)
    # The lead unit's acknowledgement (tiếp nhận) of the task, and since when the
    # lead unit has had it (the task's creation unless the lead changed since).
    lead_given_at: Mapped[Optional[dt.datetime]] = mapped_column(**_FOLLOWING)
    acknowledged_at: Mapped[Optional[dt.datetime]] = mapped_column(**_FOLLOWING)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user.id"), **_FOLLOWING)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    progress: Mapped[int] = mapped_column(default=0)
    completed_on: Mapped[Optional[dt.date]]
    result: Mapped[str] = mapped_column(Text, default="")
    target_count: Mapped[Optional[int]]
    achieved_count: Mapped[Optional[int]]
    target_label: Mapped[str] = mapped_column(String(100), default="")
    source_document: Mapped[str] = mapped_column(String(300), default="")
    is_recurring: Mapped[bool] = mapped_column(default=False)
    # Tasks are never deleted: an archived task leaves the board and the counts.
    is_archived: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    carried_from_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("task.id"), index=True
    )
    # Set when the quarter closes: the class at the day after the quarter's last day
    # (its cut-off), never recomputed.
    frozen_timeliness: Mapped[Optional[str]] = mapped_column(String(20))
    # Set when the quarter closes and the task is not carried: why it ends here.
    closing_reason: Mapped[Optional[str]] = mapped_column(String(20))
    closing_note: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    # movement / campaign
    campaign_name: Mapped[str] = mapped_column(String(300), default="")
    models_registered: Mapped[Optional[int]]
    models_recognised: Mapped[Optional[int]]
    # congress
    organisation: Mapped[str] = mapped_column(String(300), default="")
    congress_ordinal: Mapped[Optional[int]]
    term_start: Mapped[Optional[int]]
    term_end: Mapped[Optional[int]]
    delegates: Mapped[Optional[int]]
    # training
    audience: Mapped[str] = mapped_column(String(300), default="")
    sessions: Mapped[Optional[int]]
    trainees_planned: Mapped[Optional[int]]
    trainees_attended: Mapped[Optional[int]]
    # dialogue
    chair: Mapped[str] = mapped_column(String(200), default="")
    commune: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[Optional[int]]
    # Counts once typed by hand, now petitions' records (tracker.models.petition);
    # a migration moved them there as imported counts. Nothing reads them.
    opinions_raised: Mapped[Optional[int]]
    opinions_answered: Mapped[Optional[int]]
    # any kind: the day the event took place (its timeliness is judged by it)
    held_on: Mapped[Optional[dt.date]]

    quarter: Mapped["Quarter"] = relationship()  # noqa: F821
    lead_unit: Mapped["Unit"] = relationship()  # noqa: F821
    created_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[created_by_id])
    acknowledged_by: Mapped[Optional["User"]] = relationship(  # noqa: F821
        foreign_keys=[acknowledged_by_id])
    carried_from: Mapped[Optional["Task"]] = relationship(remote_side=[id])
    unit_links: Mapped[list["TaskUnit"]] = relationship(
        back_populates="task", cascade="all, delete-orphan"
    )
    updates: Mapped[list["TaskUpdate"]] = relationship(
        back_populates="task",
        order_by="TaskUpdate.id.desc()",
        cascade="all, delete-orphan",
    )
    # The communes (địa bàn) the work is carried out in: a model replicated in one,
    # a dialogue in another. The free-text commune field of dialogues stays as typed.
    scope_units: Mapped[list["Unit"]] = relationship(  # noqa: F821
        secondary="task_scope", order_by="(Unit.sort_order, Unit.name)")

    # RETURNING would name the follow-up columns too (their server defaults).
    __mapper_args__ = {"version_id_col": version, "eager_defaults": False}

    def refresh_search_text(self):
        """Recompute the diacritic-free text the board's search matches against."""
        parts = [
            self.title, self.description, self.campaign_name, self.organisation,
            self.source_document, self.audience, self.chair, self.commune,
            self.result,
        ]
        self.search_text = fold(" ".join(part for part in parts if part))

    def __repr__(self):
        return f"<Task {self.id} {self.title[:30]!r}>"


@event.listens_for(Task, "before_insert")
@event.listens_for(Task, "before_update")
def _keep_search_text(mapper, connection, task):
    """Keep the folded search text in step with the fields it covers."""
    task.refresh_search_text()


task_scope = db.Table(
    "task_scope",
    db.Column("task_id", ForeignKey("task.id"), primary_key=True),
    db.Column("unit_id", ForeignKey("unit.id"), primary_key=True),
    # Filtering a board by commune reads the index only.
    Index("ix_task_scope_unit_task", "unit_id", "task_id"),
)


class TaskUnit(db.Model):
    """A unit's part in a task other than leading it: coordinating or participating."""

    __tablename__ = "task_unit"
    # A unit's links with their tasks in the index itself: filtering a quarter's
    # board by unit reads the index only (the primary key serves task_id lookups).
    __table_args__ = (Index("ix_task_unit_unit_task", "unit_id", "task_id"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="coordinating")
    share_status: Mapped[str] = mapped_column(String(20), default="not_started")
    share_done_on: Mapped[Optional[dt.date]]
    share_note: Mapped[str] = mapped_column(Text, default="")
    share_updated_at: Mapped[Optional[dt.datetime]]
    # The group (a unit of kind "group") the unit has its part through: a task given
    # to a group fans out to its members' links, named on pages by the group.
    # Like the follow-up columns, left to the database unless set and read with
    # them (with_follow_up), so code run against an older schema need not find it.
    via_group_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("unit.id"), **_FOLLOWING)
    # When the unit was given its part, and its acknowledgement (tiếp nhận) of it.
    # None: given with the task (its created_at); set when added to a task later.
    given_at: Mapped[Optional[dt.datetime]] = mapped_column(**_FOLLOWING)
    acknowledged_at: Mapped[Optional[dt.datetime]] = mapped_column(**_FOLLOWING)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("user.id"), **_FOLLOWING)

    __mapper_args__ = {"eager_defaults": False}  # as Task's

    task: Mapped[Task] = relationship(back_populates="unit_links")
    unit: Mapped["Unit"] = relationship(  # noqa: F821
        lazy="joined", foreign_keys=[unit_id])
    acknowledged_by: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def role_label(self):
        """Return the translated role name."""
        return translated(ROLES).get(self.role, self.role)

    @property
    def share_status_label(self):
        """Return the translated share status."""
        return translated(STATUSES).get(self.share_status, self.share_status)


UPDATE_ACTIONS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "progress": _l("Progress report"),
    "share": _l("Unit's share reported"),
    "carried_in": _l("Carried over from the previous quarter"),
    "carried_out": _l("Carried over to the next quarter"),
    "closed": _l("Closed without carrying over"),
    "direction": _l("Direction"),
    "archived": _l("Archived"),
    "restored": _l("Restored from the archive"),
    "reopened": _l("Quarter reopened: the close undone"),
    "recomputed": _l("Recorded as ended at the quarter's close"),
    "acknowledged": _l("Acknowledged"),
    "extension_asked": _l("Deadline extension requested"),
    "extension_granted": _l("Deadline extension approved"),
    "extension_refused": _l("Deadline extension refused"),
    "file_removed": _l("File removed"),
}

CLOSING_REASONS = {
    "cancelled": _l("Cancelled"),
    "not_needed": _l("No longer needed"),
}


class TaskUpdate(db.Model):
    """One entry of a task's history: who changed what, and when. Never edited."""

    __tablename__ = "task_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(20))
    old_status: Mapped[Optional[str]] = mapped_column(String(20))
    new_status: Mapped[Optional[str]] = mapped_column(String(20))
    old_progress: Mapped[Optional[int]]
    new_progress: Mapped[Optional[int]]
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # How the change came: "api" through the JSON API (tracker.api); None on the pages.
    # Left to the database's default unless set, and read only where asked for (the
    # task page's history), so code that knows nothing of it, such as the migration
    # tests at older revisions, need not find the column.
    via: Mapped[Optional[str]] = mapped_column(String(10), server_default=text("NULL"),
                                               deferred=True)
    __mapper_args__ = {"eager_defaults": False}  # RETURNING would name it too

    task: Mapped[Task] = relationship(back_populates="updates")
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
    unit: Mapped[Optional["Unit"]] = relationship()  # noqa: F821

    @property
    def action_label(self):
        """Return the translated action name."""
        return translated(UPDATE_ACTIONS).get(self.action, self.action)

    @property
    def old_status_label(self):
        """Return the translated previous status."""
        return translated(STATUSES).get(self.old_status, self.old_status or "")

    @property
    def new_status_label(self):
        """Return the translated new status."""
        return translated(STATUSES).get(self.new_status, self.new_status or "")
