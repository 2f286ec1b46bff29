"""Language selection and the formatting helpers pages, exports and the report use.

Numbers are written the way the language writes them: 1.000.000 and 12,5% in
Vietnamese, 1,000,000 and 12.5% in English. The .docx report asks for Vietnamese
whatever the interface shows (locale="vi").
"""
import datetime as dt
import math
import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    url_for,
)
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask_babel import (
    get_locale,
    get_translations,
    gettext,
    lazy_gettext,
    ngettext,
    to_user_timezone,
)

from tracker.config import LANGUAGES
from tracker.text import to_roman

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale():
    """Pick the language remembered in the session, Vietnamese by default."""
    lang = session.get("lang") if has_request_context() else None
    if has_request_context() and request.blueprint == "api":
        # The API keeps no session: its language is the request's Accept-Language.
        lang = request.accept_languages.best_match(LANGUAGES)
    if lang in LANGUAGES:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language():
    """Store ?lang=vi|en in the session so the choice outlives the request."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


def language_url(lang):
    """Return the address of this page in another language, keeping its query.

    A form shown again after a failed POST lives at an address that only takes POST
    (e.g. /tasks/5/status); the switch then goes back to the page the form was on.
    """
    if request.method in ("GET", "HEAD"):
        path, query = request.path, request.query_string.decode("utf-8", "replace")
    else:
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host and referrer.path.startswith("/"):
            path, query = referrer.path, referrer.query
        else:
            path, query = url_for("index"), ""
    args = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True)
            if key != "lang"]
    return path + "?" + urlencode(args + [("lang", lang)])


def today():
    """Return the tracker's idea of today (pinned by the TODAY setting if given)."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        if isinstance(pinned, dt.date):
            return pinned
        return dt.date.fromisoformat(str(pinned))
    return dt.date.today()


def fmt_date(value):
    """Format a date as dd/mm/yyyy, or an empty string."""
    if not value:
        return ""
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value):
    """Format a stored UTC timestamp in local time as dd/mm/yyyy HH:MM.

    The pattern has no word of any language, so Python writes it: Babel's
    format_datetime parses its pattern again on every call, and a summary writes a
    time for each task that needs attention.
    """
    if not value:
        return ""
    return to_user_timezone(value).strftime("%d/%m/%Y %H:%M")


def quarter_label(year, number):
    """Return "Quý II/2023" (or "Quarter II/2023" in English)."""
    _ = memo_gettext  # remembered: lists and pickers show many quarters
    return _("Quarter %(roman)s/%(year)s") % {"roman": to_roman(number), "year": year}


QUARTER_KEY = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_key_label(key):
    """Return the label of a quarter key ("2023-Q1" -> "Quý I/2023"), else the text."""
    match = QUARTER_KEY.match(str(key or ""))
    if not match:
        return key
    return quarter_label(int(match.group(1)), int(match.group(2)))


def _number_locale(locale=None):
    """Return the locale numbers are written in: the one asked for, else the page's."""
    if locale is not None:
        return locale
    return (get_locale() if has_app_context() else None) or "vi"


def fmt_number(value, locale=None):
    """Write a number with the language's separators: 1.000.000 and 12,5 in Vietnamese.

    At most one decimal is kept; None gives an empty string.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, int) and -1000 < value < 1000:
        return str(value)  # nothing to separate: skip Babel on the many small counts
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        # Babel's pattern (#,##0.# rounded half to even) written by Python's own
        # formatting with the locale's symbols: a province's summary writes thousands
        # of numbers, and format_decimal parses its locale and pattern every time.
        group, decimal = _separators(str(_number_locale(locale)))
        if isinstance(value, float):
            value = Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_EVEN)
        text = f"{value:,}"
        if text.endswith(".0"):
            text = text[:-2]
        if text in ("-0", "-0.0"):
            text = "0"
        return text.translate({ord(","): group, ord("."): decimal})
    return format_decimal(value, format="#,##0.#", locale=_number_locale(locale))


TENTH = Decimal("0.1")


@lru_cache(maxsize=None)
def _separators(locale):
    """Return the locale's (group, decimal) symbols."""
    return get_group_symbol(locale), get_decimal_symbol(locale)


def fmt_percent(value, locale=None, empty="—"):
    """Write a ratio 0..1 as a percentage with one decimal where needed (98,6%)."""
    if value is None:
        return empty
    return fmt_number(round(value * 100, 1), locale) + "%"


def fmt_points(difference, locale=None):
    """Write the difference of two rates in percentage points: "+5,2 điểm phần trăm"."""
    if difference is None:
        return "—"
    points = round(difference * 100, 1)
    text = fmt_number(abs(points), locale)
    sign = "+" if points > 0 else ("-" if points < 0 else "")
    # English says "1 percentage point" but "0.5 percentage points".
    return ngettext(
        "%(points)s percentage point", "%(points)s percentage points",
        1 if abs(points) == 1 else 2, points=sign + text,
    )


def fmt_signed(value, locale=None):
    """Write a change of a count with its sign: +8, -2, 0."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return sign + fmt_number(abs(value), locale)


# {language: {message: translation}}: the compiled catalogs never change while the
# application runs, so a text is looked up once per language and process.
_TRANSLATED = {}


def _memo():
    """Return the {message: translation} memo of the current language.

    A big page shows the same few texts thousands of times (a label per task) and a
    catalog lookup through Flask-Babel costs microseconds each, so each text is
    looked up once. The language is checked on every call (force_locale may change
    it within a request); outside an application there is nothing to remember.
    """
    if not has_app_context():
        return {}
    locale = get_locale()
    memo = g.get("_i18n_memo")
    if memo is None or memo[0] is not locale:
        memo = g._i18n_memo = (locale, _TRANSLATED.setdefault(str(locale), {}))
    return memo[1]


def memo_gettext(string):
    """Translate a template's text, looked up once per language."""
    memo = _memo()
    try:
        return memo[string]
    except KeyError:
        text = memo[string] = get_translations().ugettext(string)
        return text


def plain_ngettext(singular, plural, num):
    """Translate a template's text with a count (rare enough to look up each time)."""
    return get_translations().ungettext(singular, plural, num)


def translated(labels):
    """Return {code: text} of a dict of lazily translated labels, in the language."""
    memo = _memo()
    key = ("labels", id(labels))
    found = memo.get(key)
    if found is None or found[0] is not labels:
        found = memo[key] = (labels, {code: str(text) for code, text in labels.items()})
    return found[1]


def init_app(app):
    """Register the language hook and template filters."""
    app.before_request(remember_language)
    app.jinja_env.install_gettext_callables(memo_gettext, plain_ngettext, newstyle=True)
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_filter(fmt_percent, "percent")
    app.add_template_filter(fmt_number, "number")
    app.add_template_filter(fmt_points, "points")
    app.add_template_filter(fmt_signed, "signed")
    app.add_template_filter(quarter_key_label, "quarter_name")
    app.add_template_filter(to_roman, "roman")
    app.add_template_global(LANGUAGE_NAMES, "LANGUAGE_NAMES")
    app.add_template_global(language_url)

    @app.context_processor
    def inject_language():
        """Tell templates which language is active."""
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "vi")}


lazy = lazy_gettext
