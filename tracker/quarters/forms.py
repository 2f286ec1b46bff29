"""Form for opening a new quarter."""
from flask_babel import gettext as _
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from tracker.forms import Form, choices
from tracker.i18n import lazy as _l


class QuarterForm(Form):
    """Year and quarter number of a new quarter."""

    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(2000, 2100, _l("Enter a year from %(min)s to %(max)s.")),
        ],
    )
    number = SelectField(
        _l("Quarter"),
        coerce=int,
        choices=choices([(1, "I"), (2, "II"), (3, "III"), (4, "IV")]),
    )

    def validate_number(self, field):
        """Refuse a quarter that already exists."""
        from tracker.quarters.services import find_quarter

        if field.errors or self.year.errors or not self.year.data:
            return  # an invalid year or number (10**30) must not reach the database
        if find_quarter(self.year.data, field.data) is not None:
            raise ValidationError(_("This quarter already exists."))
