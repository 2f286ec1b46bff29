"""The forms of a comment: its Markdown text, and the files posted with it."""
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.forms import Form, Visible
from tracker.i18n import lazy as _l
from tracker.tasks.forms import FILE_ACCEPT, MultiCheckboxField, strip

MAX_LENGTH = 10000


class CommentForm(Form):
    """Write a comment (Markdown; @username tells that person), with files if wanted."""

    accepts_files = True

    body = TextAreaField(
        _l("Comment"),
        validators=[
            DataRequired(_l("Write the comment.")),
            Visible(_l("Write the comment.")),
            Length(max=MAX_LENGTH, message=_l("At most %(max)d characters.")),
        ],
        filters=[strip],
    )
    files = MultipleFileField(_l("Files (minutes, photos, signed reports)"),
                              id="comment-files", render_kw={"accept": FILE_ACCEPT})


class CommentEditForm(CommentForm):
    """Correct a comment: its text, files to add, and files to take off it."""

    remove_files = MultiCheckboxField(_l("Remove these files"), coerce=int)

    def __init__(self, *args, files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.remove_files.choices = [(stored.id, stored.original_name)
                                     for stored in files]
