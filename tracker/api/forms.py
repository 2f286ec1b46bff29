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


def form_from_json(form_class, data, **kwargs):
    """Return the page's form filled from a JSON body (the same fields, the same rules).

    The API validates a body's shape with its schema, then hands the values to the
    form the page uses, so a value the page refuses is refused here with the same
    message. Lists become repeated fields, a list of objects the rows of a list of
    subforms ("proposals-0-text"), true becomes a ticked box, None and false are
    left out (an empty field), dates are written YYYY-MM-DD.
    """
    from werkzeug.datastructures import MultiDict

    pairs = []
    for name, value in data.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for index, item in enumerate(values):
            if isinstance(item, dict):
                for sub, subvalue in item.items():
                    pairs += _pairs(f"{name}-{index}-{sub}", subvalue)
            else:
                pairs += _pairs(name, item)
    return form_class(formdata=MultiDict(pairs), meta={"csrf": False}, **kwargs)


def _pairs(name, item):
    """Return the form's (name, text) pairs of one JSON value."""
    import datetime as dt

    if item is None or item is False:
        return []
    if item is True:
        item = "y"
    elif isinstance(item, (dt.date, dt.datetime)):
        item = item.isoformat()
    return [(name, str(item))]


def form_errors(form):
    """Return a form's errors as the API's {field: [messages]}.

    A list of subforms answers {field: {row index: {subfield: [messages]}}}, its
    rows without errors left out (as marshmallow words a nested list's errors).
    """
    return {name: _messages(messages) for name, messages in form.errors.items()}


def _messages(messages):
    if isinstance(messages, dict):
        return {name: _messages(value) for name, value in messages.items()}
    if any(isinstance(item, (dict, list)) for item in messages):
        return {str(index): _messages(item) for index, item in enumerate(messages)
                if item}
    return [str(message) for message in messages]
