"""Form base class: translated WTForms messages, and no control characters stored."""
import re
import unicodedata
from functools import lru_cache

from flask import request
from markupsafe import Markup
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from flask_babel import get_translations, gettext, lazy_ngettext
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.i18n import lazy as _l

# Characters XML 1.0 cannot hold (so neither can a .docx report), NUL included;
# tab, line feed and carriage return are ordinary text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def choices(pairs):
    """Return select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class _CatalogTranslations:
    """Route WTForms' own messages through the tracker's translation catalogs."""

    # WTForms formats the result itself, so hand back the raw translated string.
    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """FlaskForm whose messages are translated and which refuses control characters."""

    accepts_files = False

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()

        def wrap_formdata(self, form, formdata):
            """Read submitted forms from the form fields only.

            Flask-WTF would also read uploads and JSON bodies into the fields, where a
            file or a nested JSON value is not text. A form with file fields says so
            with accepts_files and gets the uploads too; none takes JSON.
            """
            if formdata is _Auto:
                if not _is_submitted():
                    return None
                if getattr(form, "accepts_files", False):
                    # Uploads reach the file fields only: a file posted under a
                    # text field's name is not text (and not read).
                    names = {name for name, field in form._fields.items()
                             if field.type in ("FileField", "MultipleFileField")}
                    files = MultiDict([(key, item) for key, item
                                       in request.files.items(multi=True)
                                       if key in names])
                    return CombinedMultiDict((files, request.form))
                return request.form
            return formdata

    def validate(self, extra_validators=None):
        """Validate the fields, then refuse text holding control characters."""
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
                field.errors.append(
                    gettext("Remove the invisible control characters from this field.")
                )
                valid = False
        return valid


class Visible:
    """Require at least one visible character (not only spaces or invisible marks)."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        text = field.data if isinstance(field.data, str) else ""
        if not any(unicodedata.category(ch)[0] in "LNPS" for ch in text):
            raise ValidationError(self.message or _l("This field is required."))


# WTForms' built-in messages, listed so extraction puts them in our catalogs.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("This field is required."),
    _l("Invalid input."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF session token is missing."),
    _l("The CSRF tokens do not match."),
    _l("The referrer header is missing."),
    _l("The referrer does not match the host."),
)


def option_list(units, selected=None):
    """Return the <option>s of a filter's units (id and name), the selected marked.

    A province's board lists three hundred units on every page; they change seldom,
    so the markup is built once per list and choice, not three hundred template
    steps per request.
    """
    return _option_list(tuple((unit.id, unit.name) for unit in units), selected)


@lru_cache(maxsize=64)
def _option_list(pairs, selected):
    option = Markup('<option value="{}">{}</option>')
    chosen = Markup('<option value="{}" selected>{}</option>')
    return Markup("").join(
        (chosen if value == selected else option).format(value, label)
        for value, label in pairs)
