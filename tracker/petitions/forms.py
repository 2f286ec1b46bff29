"""Forms for recording a petition and following it to an answer."""
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.i18n import today
from tracker.models.petition import PETITION_FIELDS
from tracker.tasks.forms import DATE_FORMATS, strip

NO_UNIT = 0


def _text(label, maximum):
    return StringField(
        label,
        validators=[Length(max=maximum, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


def _required_text(label, message, maximum=10000):
    return TextAreaField(
        label,
        validators=[DataRequired(message), Visible(message),
                    Length(max=maximum, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


def _not_in_future(form, field):
    if field.data is not None and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


def _unit_choices(units):
    return [(NO_UNIT, _l("— a body named below —"))] + [
        (unit.id, unit.name) for unit in units
    ]


class PetitionForm(Form):
    """What citizens raised, in which field, and who must answer by when."""

    citizen = _text(_l("Citizen or group (optional)"), 200)
    commune = _text(_l("Commune / village (optional)"), 200)
    content = _required_text(_l("Content"), _l("Write what was raised."))
    field = SelectField(_l("Field"), choices=choices(PETITION_FIELDS.items()))
    answering_unit_id = SelectField(_l("Body that must answer"), coerce=int,
                                    validate_choice=True)
    answering_body = _text(_l("Outside body (if not in the list)"), 200)
    due_on = DateField(_l("Answer due by"), format=DATE_FORMATS,
                       validators=[Optional()])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answering_unit_id.choices = _unit_choices(units)

    def validate_answering_body(self, field):
        """Refuse a petition that names no body to answer it."""
        if not self.answering_unit_id.data and not field.data:
            raise ValidationError(
                _l("Choose the body that must answer, or name an outside body."))

    def details(self):
        """Return the fields as the petition service takes them."""
        unit_id = self.answering_unit_id.data or None
        return dict(
            citizen=self.citizen.data, commune=self.commune.data,
            content=self.content.data, field=self.field.data,
            answering_unit_id=unit_id,
            answering_body="" if unit_id else self.answering_body.data,
            due_on=self.due_on.data,
        )


class ForwardForm(Form):
    """Forward a petition to the body that must answer it."""

    forwarded_on = DateField(
        _l("Forwarded on"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date it was forwarded.")),
                    _not_in_future])
    note = TextAreaField(
        _l("Note (document number, to whom)"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )


class AnswerForm(Form):
    """Record the answer the body gave, and its date."""

    answer = _required_text(_l("Answer"), _l("Write the answer given."))
    answered_on = DateField(
        _l("Answered on"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date of the answer.")), _not_in_future])


class ClosePetitionForm(Form):
    """Close a petition without an answer, with the reason."""

    reason = _required_text(_l("Reason"), _l("Write why it is closed without answer."),
                            2000)
    closed_on = DateField(
        _l("Closed on"), format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date it was closed.")), _not_in_future])
