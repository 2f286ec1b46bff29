"""Language selection and the formatting helpers templates use."""
import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, has_request_context, request, session, url_for
from flask_babel import format_datetime, gettext, lazy_gettext

from tracker.config import LANGUAGES
from tracker.text import to_roman

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale():
    """Pick the language remembered in the session, Vietnamese by default."""
    lang = session.get("lang") if has_request_context() else None
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
    """Format a stored UTC timestamp in local time as dd/mm/yyyy HH:MM."""
    if not value:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def quarter_label(year, number):
    """Return "Quý II/2023" (or "Quarter II/2023" in English)."""
    return gettext("Quarter %(roman)s/%(year)s", roman=to_roman(number), year=year)


def fmt_percent(value):
    """Format a ratio 0..1 as a whole percentage with one decimal where needed."""
    if value is None:
        return "—"
    pct = round(value * 100, 1)
    text = f"{pct:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%" if _is_vi() else text + "%"


def _is_vi():
    from flask_babel import get_locale

    locale = get_locale()
    return locale is not None and locale.language == "vi"


def init_app(app):
    """Register the language hook and template filters."""
    app.before_request(remember_language)
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_datetime, "datetime")
    app.add_template_filter(fmt_percent, "percent")
    app.add_template_filter(to_roman, "roman")
    app.add_template_global(LANGUAGE_NAMES, "LANGUAGE_NAMES")
    app.add_template_global(language_url)

    @app.context_processor
    def inject_language():
        """Tell templates which language is active."""
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "vi")}


lazy = lazy_gettext
