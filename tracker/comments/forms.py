"""The form of a comment: its Markdown text."""
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.forms import Form, Visible
from tracker.i18n import lazy as _l
from tracker.tasks.forms import strip

MAX_LENGTH = 10000


class CommentForm(Form):
    """Write or correct a comment (Markdown; @username tells that person)."""

    body = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(_l("Write the comment.")),
            Visible(_l("Write the comment.")),
            Length(max=MAX_LENGTH, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )
