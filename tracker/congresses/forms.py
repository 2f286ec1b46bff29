"""The form of an organisation's term."""
from flask_babel import gettext as _
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.i18n import today
from tracker.models.congress import CONGRESS_LEVELS
from tracker.tasks.forms import DATE_FORMATS, strip

NO_UNIT = 0
# A term runs five years (Đoàn, Hội, Công đoàn); a form allows one to ten.
LONGEST_TERM = 10


def _year(label):
    return IntegerField(
        label,
        validators=[
            DataRequired(_l("Enter the year.")),
            NumberRange(1945, 2100, _l("Enter a year from %(min)s to %(max)s.")),
        ],
    )


class TermForm(Form):
    """An organisation at one level: its last congress and its term."""

    organisation = StringField(
        _l("Organisation (as the plan names it)"),
        validators=[DataRequired(_l("Name the organisation.")),
                    Visible(_l("Name the organisation.")),
                    Length(max=300, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    level = SelectField(_l("Level"), choices=choices(CONGRESS_LEVELS.items()))
    unit_id = SelectField(_l("Unit that leads its congress"), coerce=int,
                          validate_choice=True)
    ordinal = IntegerField(
        _l("Number of its last congress"),
        validators=[DataRequired(_l("Enter the number of its last congress.")),
                    NumberRange(1, 100, _l("Enter a whole number from %(min)s to "
                                           "%(max)s."))],
    )
    term_start = _year(_l("Term from (year)"))
    term_end = _year(_l("Term to (year)"))
    last_held_on = DateField(_l("Last congress held on"), format=DATE_FORMATS,
                             validators=[Optional()])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = choices([(NO_UNIT, _("— none —"))] + [
            (unit.id, unit.name) for unit in units])

    def validate_term_end(self, field):
        """Require a term of one to ten years."""
        start = self.term_start.data
        if field.data is None or start is None:
            return
        if not start < field.data <= start + LONGEST_TERM:
            raise ValidationError(_("The term must end one to ten years after it "
                                    "starts."))

    def validate_last_held_on(self, field):
        """Refuse a date in the future or far from the term's start."""
        day = field.data
        if day is None:
            return
        if day > today():
            raise ValidationError(_l("The date cannot be in the future."))
        start = self.term_start.data
        if start and not start - 1 <= day.year <= start:
            raise ValidationError(_("The last congress is held in the year its term "
                                    "starts (or the year before)."))

    def details(self):
        """Return the fields as the term service takes them."""
        return dict(
            organisation=" ".join(self.organisation.data.split()),
            level=self.level.data, unit_id=self.unit_id.data or None,
            ordinal=self.ordinal.data, term_start=self.term_start.data,
            term_end=self.term_end.data, last_held_on=self.last_held_on.data,
        )
