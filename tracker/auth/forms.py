"""Sign-in and password forms."""
from flask_babel import gettext as _
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.auth.passwords import password_problem
from tracker.forms import Form
from tracker.i18n import lazy as _l


class LoginForm(Form):
    """Username and password."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=60)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
    )
    remember = BooleanField(_l("Keep me signed in"))


def password_rules(form, field):
    """Refuse a new password that is too short or long, common, or made of a name.

    Use it on every field where a password is set, so one set of rules
    (tracker.auth.passwords) governs them all. The form says whose password it is
    with a password_context() method returning password_problem's keywords.
    """
    context = getattr(form, "password_context", None)
    problem = password_problem(field.data or "", **(context() if context else {}))
    if problem:
        raise ValidationError(problem)


class ChangePasswordForm(Form):
    """The current password, and the new one twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=200)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter the new password.")), password_rules],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("new_password", _l("The two new passwords differ.")),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def password_context(self):
        """Return whose password this is: the signed-in user's."""
        return {"user": self.user}

    def validate_new_password(self, field):
        """Refuse a new password equal to the current one."""
        if field.data and field.data == self.current_password.data:
            raise ValidationError(
                _("Choose a password different from the current one.")
            )
