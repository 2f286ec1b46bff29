"""Forms for registering a "Dân vận khéo" model and moving it through its states."""
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.i18n import today
from tracker.models.initiative import (
    INITIATIVE_FIELDS,
    INITIATIVE_STATES,
    RECOGNITION_LEVELS,
)
from tracker.tasks.forms import DATE_FORMATS, strip

NO_LEVEL = ""


def _text(label, maximum):
    return StringField(
        label,
        validators=[Length(max=maximum, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


def _not_in_future(form, field):
    if field.data is not None and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


class InitiativeForm(Form):
    """What the model is, who registered it where and when, and whom it serves."""

    name = StringField(
        _l("Name of the model"),
        validators=[DataRequired(_l("Write the model's name.")),
                    Visible(_l("Write the model's name.")),
                    Length(max=300, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    field = SelectField(_l("Field"), choices=choices(INITIATIVE_FIELDS.items()))
    unit_id = SelectField(_l("Registering unit"), coerce=int, validate_choice=True)
    commune = _text(_l("Commune"), 200)
    year = IntegerField(
        _l("Year"),
        validators=[InputRequired(_l("Enter the year.")),
                    NumberRange(2000, 2100, _l("Enter a year between %(min)s and "
                                               "%(max)s."))],
    )
    beneficiaries = TextAreaField(
        _l("People it serves"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    registered_on = DateField(
        _l("Registered on"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date it was registered.")),
                    _not_in_future])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(unit.id, unit.name) for unit in units]

    def validate_registered_on(self, field):
        """Refuse a registration dated outside the model's year or the year before."""
        year = self.year.data
        if field.data is not None and isinstance(year, int) and not (
            year - 1 <= field.data.year <= year
        ):
            raise ValidationError(_l("The date must fall in the model's year."))

    def details(self):
        """Return the fields as the registry's service takes them."""
        return dict(
            name=self.name.data, field=self.field.data, unit_id=self.unit_id.data,
            commune=self.commune.data, year=self.year.data,
            beneficiaries=self.beneficiaries.data,
            registered_on=self.registered_on.data,
        )


STEP_STATES = {code: label for code, label in INITIATIVE_STATES.items()
               if code != "registered"}


class StepForm(Form):
    """Move a model to its next state: built, reviewed, recognised or dropped."""

    state = SelectField(_l("New state"), choices=choices(STEP_STATES.items()))
    on = DateField(
        _l("Date (of the decision, if recognised)"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date.")), _not_in_future])
    level = SelectField(
        _l("Recognised at level"),
        choices=choices([(NO_LEVEL, _l("— not recognised —"))]
                        + list(RECOGNITION_LEVELS.items())),
        validate_choice=False)
    decision_number = _text(_l("Decision number"), 100)
    note = TextAreaField(
        _l("Note (the reason, if dropped)"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def validate_state(self, field):
        """Refuse a state the model cannot move to from where it stands."""
        if field.data not in self.allowed:
            raise ValidationError(_l("The model cannot move to this state now."))

    def validate_level(self, field):
        """Require the level of a recognition (one of the levels, or none)."""
        if field.data and field.data not in RECOGNITION_LEVELS:
            raise ValidationError(_l("Not a valid choice."))
        if self.state.data == "recognised" and not field.data:
            raise ValidationError(_l("Choose the level that recognised the model."))

    def validate_decision_number(self, field):
        """Require the number of the recognising decision."""
        if self.state.data == "recognised" and not field.data:
            raise ValidationError(_l("Enter the number of the decision."))

    def validate_note(self, field):
        """Require the reason a model is dropped."""
        if self.state.data == "dropped" and not field.data:
            raise ValidationError(_l("Write why the model is dropped."))
