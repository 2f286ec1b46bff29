"""Forms for planning a task and reporting its progress."""
import datetime as dt

from flask_babel import gettext as _
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from tracker.files.content import EXTENSIONS
from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.models import KINDS, SHARE_STATUSES, STATUSES
from tracker.models.unit import COMMUNE, listed

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def strip(value):
    """Trim surrounding whitespace; an absent value becomes an empty string."""
    return value.strip() if isinstance(value, str) else (value or "")


def _count(label, maximum=1_000_000):
    """Return an optional whole-number field between 0 and maximum."""
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(0, maximum, _l("Enter a whole number from 0 to %(max)s.")),
        ],
    )


def _text(label, maximum):
    """Return an optional single-line text field of bounded length."""
    return StringField(
        label,
        validators=[Length(max=maximum, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


def _year(label):
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(1945, 2100, _l("Enter a year from %(min)s to %(max)s.")),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# What the file inputs offer (the server checks the content whatever is chosen).
FILE_ACCEPT = ",".join(EXTENSIONS + (".jpeg",))


class TaskForm(Form):
    """Plan fields of a task, including the fields of its kind."""

    kind = SelectField(_l("Kind of work"), choices=choices(KINDS.items()))
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter the task's title.")),
            Visible(_l("Enter the task's title.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=10000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    lead_unit_id = SelectField(
        _l("Lead unit"),
        coerce=int,
        validators=[DataRequired(_l("Choose the lead unit."))],
        validate_choice=True,
    )
    co_lead = MultiCheckboxField(_l("Co-lead units"), coerce=int)
    coordinating = MultiCheckboxField(_l("Coordinating units"), coerce=int)
    participating = MultiCheckboxField(
        _l("Participating units (each reports its own share)"), coerce=int
    )
    # The communes the work is carried out in (địa bàn).
    scope = MultiCheckboxField(_l("Scope (communes)"), coerce=int)
    due_on = DateField(_l("Due date"), format=DATE_FORMATS, validators=[Optional()])
    is_recurring = BooleanField(_l("Recurring / ongoing work"))
    target_count = _count(_l("Target (count)"))
    achieved_count = _count(_l("Achieved (count)"))
    target_label = _text(_l("Counted in (e.g. dialogues)"), 100)
    source_document = _text(_l("Source document"), 300)
    result = TextAreaField(
        _l("Result"),
        validators=[Length(max=10000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    # movement / campaign
    campaign_name = _text(_l("Campaign name"), 300)
    # congress
    organisation = _text(_l("Organisation"), 300)
    congress_ordinal = IntegerField(
        _l("Congress number (ordinal)"),
        validators=[
            Optional(),
            NumberRange(1, 100, _l("Enter a whole number from %(min)s to %(max)s.")),
        ],
    )
    term_start = _year(_l("Term from (year)"))
    term_end = _year(_l("Term to (year)"))
    delegates = _count(_l("Delegates"))
    # training
    audience = _text(_l("Audience"), 300)
    sessions = _count(_l("Sessions"), 10_000)
    trainees_planned = _count(_l("Trainees planned"))
    trainees_attended = _count(_l("Trainees attended"))
    # dialogue
    chair = _text(_l("Chaired by"), 200)
    commune = _text(_l("Commune / unit"), 200)
    participants = _count(_l("Participants"))
    # any kind: the day the event took place
    held_on = DateField(_l("Date held"), format=DATE_FORMATS, validators=[Optional()])

    def __init__(self, *args, quarter=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter = quarter
        # Villages and residential groups come after their commune, named under
        # it ("ĐU Tịnh Trà › Chi bộ thôn Trà Bình"): a share can go to any level.
        shown = listed(units)
        options = [(unit.id, label) for unit, label in shown]
        self.lead_unit_id.choices = choices([(0, _("— choose —"))] + options)
        self.co_lead.choices = choices(options)
        self.coordinating.choices = choices(options)
        # A group takes part through its members' shares, not a share of its own.
        self.participating.choices = choices(
            [(unit.id, label) for unit, label in shown if not unit.is_group])
        self.scope.choices = choices(
            [(unit.id, unit.name) for unit in units if unit.kind == COMMUNE])

    def validate_due_on(self, field):
        """Keep the due date within the quarter and the year after it."""
        if field.data is None or self.quarter is None:
            return
        latest = self.quarter.ends_on + dt.timedelta(days=366)
        if field.data < self.quarter.starts_on or field.data > latest:
            raise ValidationError(
                _(
                    "The due date must fall between %(start)s and %(end)s.",
                    start=self.quarter.starts_on.strftime("%d/%m/%Y"),
                    end=latest.strftime("%d/%m/%Y"),
                )
            )

    def validate_held_on(self, field):
        """Refuse a date held that makes no sense for the quarter."""
        if field.data is None or self.quarter is None:
            return
        earliest = self.quarter.starts_on - dt.timedelta(days=366)
        latest = self.quarter.ends_on + dt.timedelta(days=366)
        if not earliest <= field.data <= latest:
            raise ValidationError(_("This date is too far from the quarter."))

    def validate_term_end(self, field):
        """Require the term to end after it starts."""
        if field.data and self.term_start.data and field.data <= self.term_start.data:
            raise ValidationError(_("The term must end after it starts."))

    def validate_co_lead(self, field):
        """Refuse a co-lead that is the lead or has another part in the task."""
        chosen = set(field.data or ())
        if self.lead_unit_id.data in chosen:
            raise ValidationError(_("The lead unit cannot also be a co-lead."))
        others = set(self.coordinating.data or ()) | set(self.participating.data or ())
        if chosen & others:
            raise ValidationError(
                _("A co-lead cannot also coordinate or take part with a share.")
            )

    def validate_coordinating(self, field):
        """Refuse a unit that is both coordinating and participating."""
        both = set(field.data or ()) & set(self.participating.data or ())
        if both:
            raise ValidationError(
                _("A unit cannot be both coordinating and participating.")
            )

    def plan_data(self):
        """Return the plan fields as a dict for the task services."""
        from tracker.tasks.services import PLAN_FIELDS

        return {name: getattr(self, name).data for name in PLAN_FIELDS}


class TaskEditForm(TaskForm):
    """The plan form of an existing task, carrying the version it was filled from."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("This form is incomplete; reload the page and "
                                     "make your changes again."))],
    )
    # The plan values the form was shown with (signed), to tell what changed meanwhile.
    snapshot = HiddenField(validators=[Length(max=200_000)])


class ProgressForm(Form):
    """A progress report: status, percentage, a note and evidence files."""

    accepts_files = True

    status = SelectField(_l("Status"), choices=choices(STATUSES.items()))
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            Optional(),
            NumberRange(0, 100, _l("Progress must be between 0 and 100.")),
        ],
    )
    completed_on = DateField(
        _l("Completed on"), format=DATE_FORMATS, validators=[Optional()]
    )
    undated = BooleanField(_l("Done, date not recorded"))
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=5000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    files = MultipleFileField(_l("Files (minutes, photos, signed reports)"),
                              id="report-files", render_kw={"accept": FILE_ACCEPT})

    def __init__(self, *args, task=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.today = today or dt.date.today()

    def validate(self, extra_validators=None):
        """Check each field, then that status, progress and date agree for the task.

        Progress is required unless the task is done or cancelled; what the task
        services refuse (see progress_problems) is shown at its field.
        """
        from tracker.tasks.services import progress_problems

        valid = super().validate(extra_validators)
        missing = self.progress.data is None and not self.progress.errors
        if missing and self.status.data not in ("done", "cancelled"):
            self.progress.errors.append(_("Enter the progress from 0 to 100."))
            return False
        if not valid or self.task is None:
            return valid
        problems = progress_problems(
            self.task, self.status.data, self.progress.data, self.completed_on.data,
            self.today, self.status.data == "done" and self.undated.data,
        )
        for name, message in problems:
            getattr(self, name).errors.append(message)
        # Ending a task is for good: it needs a reason, kept in its history.
        if self.status.data == "cancelled" and self.task.status != "cancelled" \
                and not self.note.data:
            self.note.errors.append(_("Give the reason for ending the task."))
            return False
        return not problems

    def validate_completed_on(self, field):
        """Refuse a completion date in the future."""
        if field.data and field.data > self.today:
            raise ValidationError(_("The completion date cannot be in the future."))


class ShareForm(Form):
    """A participating unit's report on its own share of a shared task."""

    accepts_files = True

    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    share_status = SelectField(_l("Status"), choices=choices(SHARE_STATUSES.items()))
    share_done_on = DateField(_l("Date done"), format=DATE_FORMATS, validators=[Optional()])
    share_note = TextAreaField(
        _l("Note"),
        validators=[Length(max=5000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    files = MultipleFileField(_l("Files (minutes, photos, signed reports)"),
                              id="share-files", render_kw={"accept": FILE_ACCEPT})

    def __init__(self, *args, links=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_links(links)
        self.today = today or dt.date.today()

    def set_links(self, links):
        """Offer the units of these participating links."""
        self.links = list(links)
        self.unit_id.choices = choices((link.unit_id, link.unit.name) for link in links)

    def validate(self, extra_validators=None):
        """Check each field, then the report against the chosen unit's share."""
        from tracker.tasks.services import share_problems

        if not super().validate(extra_validators):
            return False
        link = next((item for item in self.links if item.unit_id == self.unit_id.data),
                    None)
        if link is None:
            return True  # the view answers 404 for a unit that does not take part
        problems = share_problems(
            link, self.share_status.data, self.share_done_on.data, self.today
        )
        for name, message in problems:
            getattr(self, name).errors.append(message)
        return not problems

    def validate_share_done_on(self, field):
        """Refuse a date done in the future."""
        if field.data and field.data > self.today:
            raise ValidationError(_("The date cannot be in the future."))


class DirectionForm(Form):
    """A leader's direction (ý kiến chỉ đạo) on a task."""

    direction = TextAreaField(
        _l("Direction"),
        validators=[
            DataRequired(_l("Write the direction.")),
            Length(max=5000, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )


class ArchiveForm(Form):
    """Archive or restore a task, with an optional reason."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


def _history_labels():
    """Return the label of every field a history row may name."""
    labels = {
        name: field.args[0]
        for name, field in vars(TaskForm).items()
        if getattr(field, "args", None)
    }
    # The units' links are kept by role (rows written before said "units").
    labels.update(
        units=_l("Units"),
        co_lead=TaskForm.co_lead.args[0],
        coordinating=TaskForm.coordinating.args[0],
        participating=TaskForm.participating.args[0],
        share_note=_l("Note"),
        status=_l("Status"),
        progress=_l("Progress (%)"),
        completed_on=_l("Completed on"),
        share_status=_l("Unit's status"),
        share_done_on=_l("Date done"),
        is_archived=_l("Archived"),
    )
    return labels


HISTORY_LABELS = _history_labels()
