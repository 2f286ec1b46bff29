"""The API's schemas: declared once, used to validate, serialise and document."""
import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from tracker.models import KINDS, STATUSES
from tracker.models.user import USER_ROLES
from tracker.tasks.services import PAGE_SIZE, PAGE_SIZES, SORTS
from tracker.tasks.timeliness import TIMELINESS

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

    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class UnitListSchema(Schema):
    """The board's units (and the outside bodies every board shares)."""

    items = fields.List(fields.Nested(UnitSchema))
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
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(max=200))
    archived = fields.Boolean(load_default=False)
    sort = fields.String(load_default="plan", validate=validate.OneOf(SORTS))


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
