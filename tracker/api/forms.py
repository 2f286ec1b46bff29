"""The account page's form for making a personal access token."""
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.forms import Form, choices
from tracker.i18n import lazy as _l
from tracker.i18n import today
from tracker.models.token import TOKEN_SCOPES
from tracker.tasks.forms import DATE_FORMATS


class TokenForm(Form):
    """A new token: what it is for, what it may do, and until when."""

    name = StringField(
        _l("Token name"),
        validators=[DataRequired(message=_l("Name the token: what is it for?")),
                    Length(max=100, message=_l("At most %(max)d characters."))],
    )
    scope = SelectField(_l("Access"), choices=choices(TOKEN_SCOPES.items()),
                        default="read")
    expires_on = DateField(_l("Last day it works"), format=DATE_FORMATS,
                           validators=[Optional()])

    def validate_expires_on(self, field):
        """Refuse a last day already past."""
        if field.data is not None and field.data < today():
            raise ValidationError(_l("Choose today or a later day."))
