"""The API's schemas: declared once, used to validate, serialise and document."""
import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from tracker.congresses.services import HELD, NOT_PLANNED, PLANNED
from tracker.models import CLOSING_REASONS, KINDS, SHARE_STATUSES, STATUSES
from tracker.models.congress import CONGRESS_LEVELS
from tracker.models.initiative import (
    INITIATIVE_FIELDS,
    INITIATIVE_STATES,
    RECOGNITION_LEVELS,
)
from tracker.models.petition import PETITION_FIELDS, PETITION_STATES
from tracker.models.unit import UNIT_KINDS
from tracker.models.user import USER_ROLES
from tracker.reports.forms import PROPOSALS_MAX
from tracker.tasks.services import PAGE_SIZE, PAGE_SIZES, SORTS
from tracker.tasks.timeliness import TIMELINESS

CONGRESS_STATES = (PLANNED, HELD, NOT_PLANNED)

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class UtcDateTime(fields.DateTime):
    """A moment stored in UTC without its zone (tracker.models.base.utcnow), with it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class Schema(ma.Schema):
    """Keep the declared order; refuse fields nobody declared in bodies."""

    class Meta:
        ordered = True


class ProblemSchema(Schema):
    """An error as problem details (RFC 9457), in the request's language."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Messages of each refused field."})


class PageArgs(Schema):
    """Which page of a list, and how long a page is."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=PAGE_SIZE, validate=validate.OneOf(PAGE_SIZES))


class QuarterPageArgs(Schema):
    """Which page of the quarters (three years a page by default)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=12, validate=validate.Range(min=1, max=100))


class AsOfArgs(Schema):
    """The cut-off date of an open quarter's figures (today when absent)."""

    as_of = fields.String(
        validate=validate.Regexp(DATE_PATTERN),
        metadata={"description": "A date YYYY-MM-DD (2000-01-01 to 2100-12-31); "
                                 "a closed quarter is judged at its own cut-off."},
    )


class UnitRefSchema(Schema):
    """A unit as other records name it."""

    id = fields.Integer()
    name = fields.String()
    short_name = fields.String()


class UnitSchema(UnitRefSchema):
    """A responsible unit."""

    kind = fields.String(validate=validate.OneOf(tuple(UNIT_KINDS)), metadata={
        "description": "\"group\": a group of units (its members at /groups); "
                       "\"external\": an outside body every board may name; "
                       "\"commune_party_committee\": a commune (a task's scope). "
                       "Neither a group nor an outside body is scored."})
    parent_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class UnitListSchema(Schema):
    """The board's units (and the outside bodies every board shares)."""

    items = fields.List(fields.Nested(UnitSchema))
    total = fields.Integer()


class GroupSchema(UnitRefSchema):
    """A group of units: it leads or coordinates as one, its members take the shares."""

    is_active = fields.Boolean()
    members = fields.List(fields.Nested(UnitRefSchema))


class GroupListSchema(Schema):
    """The board's groups of units, in display order."""

    items = fields.List(fields.Nested(GroupSchema))
    total = fields.Integer()


class BoardRefSchema(Schema):
    """A board (issuing body)."""

    code = fields.String()
    name = fields.String()


class UserSchema(Schema):
    """The token's user."""

    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String(validate=validate.OneOf(USER_ROLES),
                         metadata={"description": "Role in the home board."})
    board = fields.Nested(BoardRefSchema)
    units = fields.List(fields.Nested(UnitRefSchema))
    token_scope = fields.String(validate=validate.OneOf(("read", "write")))


class QuarterSchema(Schema):
    """A quarter of the board."""

    key = fields.String(metadata={"example": "2023-Q2"})
    year = fields.Integer()
    number = fields.Integer()
    label = fields.String()
    state = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    briefing_on = fields.Date(allow_none=True)
    is_closed = fields.Boolean()
    closed_at = UtcDateTime(allow_none=True)
    approved_at = UtcDateTime(allow_none=True)


class QuarterPageSchema(Schema):
    """One page of the board's quarters, newest first."""

    items = fields.List(fields.Nested(QuarterSchema))
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


class FiguresSchema(Schema):
    """A quarter's figures at its cut-off, exactly as figures.json serves them.

    Only the headline keys are described; the comparisons, trend and a parent
    board's roll-up come as figures.json has them.
    """

    class Meta:
        ordered = True
        unknown = ma.INCLUDE

    quarter = fields.String()
    label = fields.String()
    as_of = fields.String()
    closed = fields.Boolean()
    total = fields.Integer()
    done = fields.Integer()
    overdue = fields.Integer()
    rate = fields.Float(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    unacknowledged_count = fields.Integer(metadata={
        "description": "Tasks and shares not acknowledged 3 days after given."})
    unacknowledged = fields.List(fields.Dict())
    units = fields.List(fields.Dict())
    tasks = fields.List(fields.Dict())


class LinkSchema(Schema):
    """A unit's part in a task, and its share."""

    unit = fields.Nested(UnitRefSchema)
    role = fields.String()
    share_status = fields.String(allow_none=True)
    share_done_on = fields.Date(allow_none=True)


class TaskSchema(Schema):
    """A task, with its timeliness at the request's day."""

    id = fields.Integer()
    quarter = fields.String(metadata={"description": "The quarter's key."})
    kind = fields.String(validate=validate.OneOf(KINDS))
    title = fields.String()
    lead_unit = fields.Nested(UnitRefSchema, allow_none=True)
    units = fields.List(fields.Nested(LinkSchema))
    status = fields.String(validate=validate.OneOf(STATUSES))
    progress = fields.Integer(allow_none=True)
    due_on = fields.Date(allow_none=True)
    extended_due_on = fields.Date(allow_none=True, metadata={
        "description": "The approved extended due date the task is judged by."})
    completed_on = fields.Date(allow_none=True)
    is_recurring = fields.Boolean()
    target_count = fields.Integer(allow_none=True)
    achieved_count = fields.Integer(allow_none=True)
    is_archived = fields.Boolean()
    timeliness = fields.String(allow_none=True, validate=validate.OneOf(TIMELINESS))
    scope = fields.List(fields.Nested(UnitRefSchema), metadata={
        "description": "The communes the task is carried out in (its địa bàn)."})
    version = fields.Integer(allow_none=True)


class TaskDetailSchema(TaskSchema):
    """A task with its description and result."""

    description = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    source_document = fields.String(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)


class TaskListArgs(PageArgs):
    """The quarter board's filters, order and page."""

    unit = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    commune = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "A commune's unit id: the tasks in its scope, or "
                                 "that it leads or takes part in (as the board)."})
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(max=200))
    archived = fields.Boolean(load_default=False)
    sort = fields.String(load_default="plan", validate=validate.OneOf(SORTS))
    timeliness = fields.String(
        validate=validate.OneOf(TIMELINESS),
        metadata={"description": "The timeliness class at the quarter's cut-off "
                                 "(today for an open quarter)."},
    )


class TaskPageSchema(Schema):
    """One page of a quarter's tasks under the filters."""

    quarter = fields.String()
    cutoff = fields.Date()
    items = fields.List(fields.Nested(TaskSchema))
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class UserRefSchema(Schema):
    """A person as history rows name them."""

    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class HistorySchema(Schema):
    """One row of a task's history."""

    id = fields.Integer()
    created_at = UtcDateTime()
    action = fields.String()
    user = fields.Nested(UserRefSchema, allow_none=True)
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    old_status = fields.String(allow_none=True)
    new_status = fields.String(allow_none=True)
    old_progress = fields.Integer(allow_none=True)
    new_progress = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True)
    via = fields.String(allow_none=True, metadata={
        "description": "\"api\" for a change made through the API."})


class HistoryListSchema(Schema):
    """A task's whole history, newest first."""

    task = fields.Integer()
    items = fields.List(fields.Nested(HistorySchema))


class ProgressSchema(Schema):
    """A progress report on a whole task, as the task page's form takes it."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    progress = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=5000))
    completed_on = fields.Date(allow_none=True)


class ProgressResultSchema(Schema):
    """The task after a progress report, and the history row it wrote (if any)."""

    changed = fields.Boolean()
    task = fields.Nested(TaskDetailSchema)
    update = fields.Nested(HistorySchema, allow_none=True)


class ScorecardArgs(AsOfArgs):
    """Which quarter's scorecard (the current one by default)."""

    quarter = fields.String(validate=validate.Regexp(r"^\d{4}-Q[1-4]$"))


class ScorecardSchema(Schema):
    """A unit's row of a quarter's figures: tasks led and shares taken."""

    unit = fields.Nested(UnitRefSchema)
    quarter = fields.String(allow_none=True)
    cutoff = fields.Date(allow_none=True)
    score = fields.Dict(allow_none=True)


ID = validate.Range(min=1, max=2**31 - 1)
COUNT = validate.Range(min=0, max=1_000_000)


def _text(maximum):
    return fields.String(validate=validate.Length(max=maximum))


def _count():
    return fields.Integer(allow_none=True, validate=COUNT)


class TaskWriteSchema(Schema):
    """A task's plan, as the task form takes it (the form's rules apply)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    kind = fields.String(validate=validate.OneOf(KINDS))
    title = _text(500)
    description = _text(10000)
    lead_unit_id = fields.Integer(validate=ID)
    co_lead = fields.List(fields.Integer(validate=ID),
                          validate=validate.Length(max=500))
    coordinating = fields.List(fields.Integer(validate=ID),
                               validate=validate.Length(max=500))
    participating = fields.List(fields.Integer(validate=ID),
                                validate=validate.Length(max=500))
    scope = fields.List(
        fields.Integer(validate=ID), validate=validate.Length(max=500),
        metadata={"description": "The communes (commune unit ids) the task is "
                                 "carried out in; left as it is when not sent."})
    due_on = fields.Date(allow_none=True)
    is_recurring = fields.Boolean()
    target_count = _count()
    achieved_count = _count()
    target_label = _text(100)
    source_document = _text(300)
    result = _text(10000)
    held_on = fields.Date(allow_none=True)
    campaign_name = _text(300)
    models_registered = _count()
    models_recognised = _count()
    organisation = _text(300)
    congress_ordinal = fields.Integer(allow_none=True,
                                      validate=validate.Range(min=1, max=100))
    term_start = fields.Integer(allow_none=True,
                                validate=validate.Range(min=1945, max=2100))
    term_end = fields.Integer(allow_none=True,
                              validate=validate.Range(min=1945, max=2100))
    delegates = _count()
    audience = _text(300)
    sessions = fields.Integer(allow_none=True,
                              validate=validate.Range(min=0, max=10_000))
    trainees_planned = _count()
    trainees_attended = _count()
    chair = _text(200)
    commune = _text(200)
    participants = _count()


class TaskCreateSchema(TaskWriteSchema):
    """A new task: its kind, title and lead unit at least."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    lead_unit_id = fields.Integer(required=True, validate=ID)


class TaskEditResultSchema(Schema):
    """The task after an edit, and the fields it changed ({field: [old, new]})."""

    changed = fields.Dict()
    task = fields.Nested(TaskDetailSchema)


class ShareSchema(Schema):
    """A participating unit's report on its share, as the task page's form takes it."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    status = fields.String(required=True, validate=validate.OneOf(SHARE_STATUSES))
    done_on = fields.Date(allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class CloseChoiceSchema(Schema):
    """What the close does with an unfinished task: carry it, or end it (a reason)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    task = fields.Integer(required=True, validate=ID)
    action = fields.String(
        required=True, validate=validate.OneOf(("carry",) + tuple(CLOSING_REASONS)),
        metadata={"description": "\"carry\" to the next quarter, or end the task "
                                 "here: \"cancelled\" or \"not_needed\"."})
    note = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "The reason (needed to end a task)."})


class CloseSchema(Schema):
    """The close's choices, as the close page asks them; tasks not named are carried."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    carry_all = fields.Boolean(load_default=False, metadata={
        "description": "Carry every unfinished task (the choices are then ignored)."})
    choices = fields.List(fields.Nested(CloseChoiceSchema), load_default=list,
                          validate=validate.Length(max=10_000))


class ClosePlanItemSchema(Schema):
    """An unfinished (or recurring) task the close decides about."""

    task = fields.Nested(TaskSchema)
    carried_to = fields.Integer(allow_none=True, metadata={
        "description": "Its continuation, when an earlier close carried it already."})


class ClosePlanSchema(Schema):
    """What closing the quarter would decide about, and the choices."""

    quarter = fields.String()
    next_quarter = fields.String()
    can_close = fields.Boolean()
    reason = fields.String(allow_none=True)
    actions = fields.List(fields.String())
    items = fields.List(fields.Nested(ClosePlanItemSchema))


class CloseResultSchema(Schema):
    """What a close did: the quarter, where work went, what was carried or ended."""

    quarter = fields.Nested(QuarterSchema)
    next_quarter = fields.String()
    created_next = fields.Boolean()
    carried = fields.List(fields.Integer(), metadata={
        "description": "The new tasks of the next quarter."})
    closed = fields.List(fields.Integer(), metadata={
        "description": "The tasks ended with the quarter."})


class ApproveResultSchema(Schema):
    """The approved quarter and the headline that was approved."""

    quarter = fields.Nested(QuarterSchema)
    total = fields.Integer()
    done = fields.Integer()
    overdue = fields.Integer()
    rate = fields.Float(allow_none=True)


class PetitionListArgs(Schema):
    """The petitions list's filters, as on its page."""

    state = fields.String(validate=validate.OneOf(PETITION_STATES))
    field = fields.String(validate=validate.OneOf(PETITION_FIELDS))
    commune = fields.String(validate=validate.Length(max=200))
    body = fields.String(validate=validate.Regexp(r"^(mine|[1-9][0-9]{0,8})$"),
                         metadata={"description": "A unit id, or \"mine\"."})
    overdue = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class PetitionUpdateSchema(Schema):
    """One row of a petition's history."""

    id = fields.Integer()
    created_at = UtcDateTime()
    action = fields.String()
    user = fields.Nested(UserRefSchema, allow_none=True)
    old_state = fields.String(allow_none=True)
    new_state = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True)


class PetitionSchema(Schema):
    """A petition raised at a dialogue, and where it stands."""

    id = fields.Integer()
    task = fields.Integer()
    quarter = fields.String()
    citizen = fields.String()
    commune = fields.String()
    content = fields.String()
    field = fields.String(validate=validate.OneOf(PETITION_FIELDS))
    answering_unit = fields.Nested(UnitRefSchema, allow_none=True)
    answering_body = fields.String()
    due_on = fields.Date(allow_none=True)
    state = fields.String(validate=validate.OneOf(PETITION_STATES))
    is_overdue = fields.Boolean()
    forwarded_on = fields.Date(allow_none=True)
    answer = fields.String()
    answered_on = fields.Date(allow_none=True)
    close_reason = fields.String()
    closed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class PetitionDetailSchema(PetitionSchema):
    """A petition with its history, newest first."""

    history = fields.List(fields.Nested(PetitionUpdateSchema))


class PetitionPageSchema(Schema):
    """One page of the petitions under the filters."""

    items = fields.List(fields.Nested(PetitionSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()
    overdue = fields.Integer()


class PetitionCreateSchema(Schema):
    """A petition raised at the task's meeting, as its form takes it."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    citizen = _text(200)
    commune = _text(200)
    content = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    field = fields.String(load_default="other",
                          validate=validate.OneOf(PETITION_FIELDS))
    answering_unit_id = fields.Integer(allow_none=True, validate=ID)
    answering_body = _text(200)
    due_on = fields.Date(allow_none=True)


class ForwardSchema(Schema):
    """Forwarding a petition to the body that must answer it."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    forwarded_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class AnswerSchema(Schema):
    """The answer the body gave, and its date."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    answer = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    answered_on = fields.Date(required=True)


class ClosePetitionSchema(Schema):
    """Closing a petition without an answer, and why."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    closed_on = fields.Date(required=True)


class NotificationArgs(Schema):
    """Which page of the notices."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class NotificationSchema(Schema):
    """A notice to the token's user."""

    id = fields.Integer()
    kind = fields.String()
    message = fields.String()
    task = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)
    is_read = fields.Boolean()


class NotificationPageSchema(Schema):
    """One page of the token user's notices, newest first."""

    items = fields.List(fields.Nested(NotificationSchema))
    page = fields.Integer()
    has_next = fields.Boolean()
    unread = fields.Integer()


class CommentSchema(Schema):
    """A comment in a task's discussion: its Markdown and the HTML the page shows."""

    id = fields.Integer()
    task = fields.Integer()
    author = fields.Nested(UserRefSchema, allow_none=True)
    created_at = UtcDateTime()
    edited_at = UtcDateTime(allow_none=True)
    body = fields.String(metadata={"description": "The Markdown source."})
    body_html = fields.String(metadata={
        "description": "The sanitised HTML the task's page shows, mentions linked."})


class CommentListSchema(Schema):
    """A task's discussion, oldest first."""

    task = fields.Integer()
    items = fields.List(fields.Nested(CommentSchema))


class CommentCreateSchema(Schema):
    """A comment to post, in Markdown (@username tells that person)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))


class CommentEditSchema(Schema):
    """A comment's corrected text, in Markdown (its author, within the edit window)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))


class InitiativeListArgs(Schema):
    """The registry list's filters, as on its page."""

    state = fields.String(validate=validate.OneOf(INITIATIVE_STATES))
    field = fields.String(validate=validate.OneOf(INITIATIVE_FIELDS))
    unit = fields.String(validate=validate.Regexp(r"^(mine|[1-9][0-9]{0,8})$"),
                         metadata={"description": "A unit id, or \"mine\"."})
    commune = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Words of the commune's name, accents and case ignored."})
    year = fields.Integer(validate=validate.Range(min=1901, max=2199))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class InitiativeUpdateSchema(Schema):
    """One row of a model's history."""

    id = fields.Integer()
    created_at = UtcDateTime()
    action = fields.String()
    user = fields.Nested(UserRefSchema, allow_none=True)
    old_state = fields.String(allow_none=True)
    new_state = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    changes = fields.Dict(allow_none=True)
    via = fields.String(allow_none=True, metadata={
        "description": "\"api\" for a change made through the API."})


class InitiativeSchema(Schema):
    """A "Dân vận khéo" model of the registry, and where it stands."""

    id = fields.Integer()
    name = fields.String()
    field = fields.String(validate=validate.OneOf(INITIATIVE_FIELDS))
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    commune = fields.String()
    year = fields.Integer()
    beneficiaries = fields.String()
    registered_on = fields.Date()
    state = fields.String(validate=validate.OneOf(INITIATIVE_STATES))
    next_states = fields.List(fields.String(), metadata={
        "description": "The states a step may move it to now (none once settled)."})
    level = fields.String(allow_none=True)
    decision_number = fields.String()
    recognised_on = fields.Date(allow_none=True)
    dropped_on = fields.Date(allow_none=True)
    drop_reason = fields.String()
    is_imported = fields.Boolean(metadata={
        "description": "A count typed before the registry (count may exceed 1)."})
    count = fields.Integer()
    quarter = fields.String(allow_none=True)
    task = fields.Integer(allow_none=True)
    version = fields.Integer()


class InitiativeDetailSchema(InitiativeSchema):
    """A model with its history, newest first."""

    history = fields.List(fields.Nested(InitiativeUpdateSchema))


class InitiativePageSchema(Schema):
    """One page of the registry under the filters."""

    items = fields.List(fields.Nested(InitiativeSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Models counted in each state under the filters."})


class InitiativeWriteSchema(Schema):
    """A model's details, as the registry's form takes them (the form's rules apply)."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    name = _text(300)
    field = fields.String(validate=validate.OneOf(INITIATIVE_FIELDS))
    unit_id = fields.Integer(validate=ID)
    commune = _text(200)
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    beneficiaries = _text(2000)
    registered_on = fields.Date()


class InitiativeCreateSchema(InitiativeWriteSchema):
    """A model to register: its name, unit, year and date are required."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    field = fields.String(required=True, validate=validate.OneOf(INITIATIVE_FIELDS))
    unit_id = fields.Integer(required=True, validate=ID)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    registered_on = fields.Date(required=True)


class InitiativeEditResultSchema(Schema):
    """The model after an edit, and what changed ({field: [old, new]})."""

    changed = fields.Dict()
    initiative = fields.Nested(InitiativeDetailSchema)


class InitiativeStepSchema(Schema):
    """A step: the state to move to, its date, and what the state needs."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    state = fields.String(required=True, validate=validate.OneOf(
        [state for state in INITIATIVE_STATES if state != "registered"]))
    on = fields.Date(required=True, metadata={
        "description": "The day of the step (the decision's date, if recognised)."})
    level = fields.String(validate=validate.OneOf(RECOGNITION_LEVELS), metadata={
        "description": "Required to recognise: the level that recognised it."})
    decision_number = fields.String(validate=validate.Length(max=100), metadata={
        "description": "Required to recognise: the decision's number."})
    note = fields.String(load_default="", validate=validate.Length(max=2000),
                         metadata={"description": "Required to drop: the reason."})


class CongressSchema(Schema):
    """One congress of the calendar: an organisation's next one, or its last held."""

    term_id = fields.Integer()
    organisation = fields.String()
    level = fields.String(validate=validate.OneOf(tuple(CONGRESS_LEVELS)))
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    last_ordinal = fields.Integer(metadata={"description": "Its last congress."})
    last_term_start = fields.Integer()
    last_term_end = fields.Integer()
    last_held_on = fields.Date(allow_none=True)
    ordinal = fields.Integer(metadata={"description": "This congress's number."})
    ordinal_roman = fields.String()
    term_start = fields.Integer()
    term_end = fields.Integer()
    due_on = fields.Date()
    state = fields.String(validate=validate.OneOf(CONGRESS_STATES))
    held_on = fields.Date(allow_none=True)
    task = fields.Integer(allow_none=True, metadata={
        "description": "The congress task that plans or held it."})
    flagged = fields.Boolean(metadata={
        "description": "Due within two quarters and not planned."})


class CongressListSchema(Schema):
    """The calendar of congresses, as its page orders it."""

    items = fields.List(fields.Nested(CongressSchema))


class CongressTermChangeSchema(Schema):
    """One change of a term: who, when, what (old and new)."""

    id = fields.Integer()
    created_at = UtcDateTime()
    action = fields.String()
    user = fields.Nested(UserRefSchema, allow_none=True)
    task = fields.Integer(allow_none=True)
    changes = fields.Dict(allow_none=True)


class CongressTermSchema(Schema):
    """An organisation's term: its last congress, its next one and its history."""

    id = fields.Integer()
    organisation = fields.String()
    level = fields.String(validate=validate.OneOf(tuple(CONGRESS_LEVELS)))
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    last_ordinal = fields.Integer()
    last_ordinal_roman = fields.String()
    last_term_start = fields.Integer()
    last_term_end = fields.Integer()
    last_held_on = fields.Date(allow_none=True)
    next_ordinal = fields.Integer()
    next_ordinal_roman = fields.String()
    next_term_start = fields.Integer()
    next_term_end = fields.Integer()
    next_due_on = fields.Date()
    version = fields.Integer()
    history = fields.List(fields.Nested(CongressTermChangeSchema))


class ProposalSchema(Schema):
    """A proposal raised at the briefing meeting and whom it goes to."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    addressee = fields.String(load_default="", validate=validate.Length(max=200),
                              metadata={"example": "Thường trực Huyện ủy"})
    text = fields.String(load_default="", validate=validate.Length(max=5000))


class BriefingSchema(Schema):
    """The quarter's briefing meeting (hội nghị trực báo), as its page shows it."""

    quarter = fields.String(metadata={"description": "The quarter's key."})
    is_closed = fields.Boolean(metadata={
        "description": "A closed quarter's record no longer changes."})
    briefing_on = fields.Date(allow_none=True, metadata={
        "description": "The day of the meeting (the quarter's briefing date)."})
    place = fields.String()
    chair_name = fields.String(metadata={"description": "Who chaired it."})
    chair_title = fields.String(metadata={
        "description": "The capacity they chaired in."})
    attendees = fields.String()
    proposals = fields.List(fields.Nested(ProposalSchema))
    task = fields.Integer(allow_none=True, metadata={
        "description": "The quarter's meeting task held on that day, if any."})


class BriefingWriteSchema(Schema):
    """The whole record of the meeting, as its page's form takes it: what is not
    sent is left empty; a proposal without text (and addressee) is dropped."""

    class Meta:
        ordered = True
        unknown = ma.RAISE

    briefing_on = fields.Date(required=True)
    place = fields.String(load_default="", validate=validate.Length(max=200))
    chair_name = fields.String(load_default="", validate=validate.Length(max=200))
    chair_title = fields.String(load_default="", validate=validate.Length(max=200))
    attendees = fields.String(load_default="", validate=validate.Length(max=5000))
    proposals = fields.List(fields.Nested(ProposalSchema), load_default=list,
                            validate=validate.Length(max=PROPOSALS_MAX))
