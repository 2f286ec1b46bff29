"""Forms for boards: a board's names and place in the tree, a merge, a membership."""
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from tracker.forms import Form, Visible, choices
from tracker.i18n import lazy as _l
from tracker.models import BOARD_LEVELS, USER_ROLES
from tracker.tasks.forms import strip


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _parent(value):
    return int(value) if value not in (None, "", "None") else None


class BoardForm(Form):
    """A board's name, code (in its addresses), level and parent."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the name.")), Visible(),
                    Length(max=200, message=_l("At most %(max)d characters."))],
        filters=[strip],
    )
    code = StringField(
        _l("Code (in the board's addresses, e.g. son-tinh)"),
        validators=[DataRequired(_l("Enter the code.")),
                    Length(max=40, message=_l("At most %(max)d characters."))],
        filters=[_lower],
    )
    level = SelectField(_l("Level"), choices=choices(BOARD_LEVELS.items()))
    parent_id = SelectField(_l("Parent board"), coerce=_parent, validate_choice=True)
    sort_order = IntegerField(
        _l("Display order"), default=0,
        validators=[InputRequired(_l("Enter a number.")),
                    NumberRange(min=0, max=100_000, message=_l("From %(min)s to %(max)s."))],
    )

    def __init__(self, *args, boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = choices(
            [(None, _l("(none: a top-level board)"))]
            + [(board.id, board.name) for board in boards]
        )

    def board_data(self):
        """Return the submitted values keyed by the board's field names."""
        return dict(name=self.name.data, code=self.code.data, level=self.level.data,
                    parent_id=self.parent_id.data, sort_order=self.sort_order.data)


class MergeForm(Form):
    """Merge this board into another, from a quarter on."""

    into = SelectField(_l("Merge into"), coerce=int, validate_choice=True)
    from_key = StringField(
        _l("First quarter of the merged board (e.g. 2025-Q3)"),
        validators=[DataRequired(_l("Enter the quarter."))], filters=[strip],
    )

    def __init__(self, *args, boards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.into.choices = choices([(board.id, board.name) for board in boards])


class MemberForm(Form):
    """Give an existing account a role in this board."""

    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Enter the username."))],
        filters=[strip],
    )
    role = SelectField(_l("Role"), choices=choices(USER_ROLES.items()))
