"""Forms of follow-up: acknowledge, watch, ask for and decide a deadline extension."""
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.forms import Form, choices
from tracker.i18n import lazy as _l
from tracker.tasks.forms import DATE_FORMATS, strip


class AcknowledgeForm(Form):
    """Acknowledge (tiếp nhận) a task or a share for one of the user's units."""

    unit_id = IntegerField(validators=[InputRequired(_l("Choose the unit."))])


class WatchForm(Form):
    """Watch or stop watching a task or a quarter."""

    watch = SelectField(choices=choices([("1", _l("Watch")), ("0", _l("Unwatch"))]),
                        validators=[InputRequired()])


class ExtensionRequestForm(Form):
    """Ask for a later deadline, with the reason."""

    proposed_on = DateField(
        _l("Proposed due date"), format=DATE_FORMATS,
        validators=[InputRequired(_l("Enter the proposed date (dd/mm/yyyy)."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Write the reason for the extension.")),
                    Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
        # Its own id: the task page also shows the archive form's "reason".
        id="extension_reason",
    )


class ExtensionDecisionForm(Form):
    """Approve or refuse a request for a later deadline."""

    decision = SelectField(
        _l("Decision"),
        choices=choices([("approve", _l("Approve")), ("refuse", _l("Refuse"))]),
        validators=[InputRequired(_l("Choose approve or refuse."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=2000, message=_l("At most %(max)d characters."))],
        filters=[strip],
        # Its own id: the task page also shows the progress form's "note".
        id="decision_note",
    )
