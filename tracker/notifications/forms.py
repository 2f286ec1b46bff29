"""The account page's choice of how notices are mailed."""
from wtforms import EmailField, SelectField
from wtforms.validators import Length, Optional, Regexp

from tracker.forms import Form, choices
from tracker.i18n import lazy as _l
from tracker.notifications.mail import FREQUENCIES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MailPreferenceForm(Form):
    """Where notices are mailed and how often."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            Optional(),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                   message=_l("Enter an e-mail address such as ten@example.vn.")),
        ],
        filters=[_strip],
    )
    frequency = SelectField(_l("E-mail me my notifications"),
                                 choices=choices(FREQUENCIES.items()))
