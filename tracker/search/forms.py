"""The forms that keep, rename and forget a search."""
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from tracker.forms import Form, Visible
from tracker.i18n import lazy as _l
from tracker.search.services import NAME_LENGTH


def _tidy(value):
    """Return the name with its runs of spaces made one."""
    return " ".join(value.split()) if isinstance(value, str) else value


class SavedSearchNameForm(Form):
    """A name for a kept search."""

    name = StringField(
        _l("Name of the search"),
        validators=[
            DataRequired(message=_l("Give the search a name.")),
            Visible(message=_l("Give the search a name.")),
            Length(max=NAME_LENGTH, message=_l("At most %(max)d characters.")),
        ],
        filters=[_tidy],
    )


class SavedSearchForm(SavedSearchNameForm):
    """The current search's filters, to keep under a name."""

    # Long enough for every filter at its longest (200 letters of words, quoted).
    query = HiddenField(validators=[Length(max=4000)])
