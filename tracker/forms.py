"""Form base class whose built-in WTForms messages go through our catalogs."""
from flask_babel import get_translations, lazy_ngettext
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from tracker.i18n import lazy as _l


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
    """FlaskForm whose WTForms messages are translated by Flask-Babel."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()


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
)
