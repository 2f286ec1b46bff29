"""Sign-in and password forms."""
from flask import current_app
from flask_babel import gettext as _
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

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
    """Check a new password's length against PASSWORD_MIN/MAX_LENGTH.

    Use it on every field where a password is set, so one setting governs them all.
    """
    password = field.data or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(
            _("The password needs at least %(min)d characters.", min=minimum)
        )
    if len(password) > maximum:
        raise ValidationError(_("At most %(max)d characters.", max=maximum))
    if not password.strip():
        raise ValidationError(_("The password cannot be only spaces."))


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

    def validate_new_password(self, field):
        """Refuse a new password equal to the current one."""
        if field.data and field.data == self.current_password.data:
            raise ValidationError(
                _("Choose a password different from the current one.")
            )
