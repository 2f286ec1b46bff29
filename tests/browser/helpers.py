"""Helpers for the browser journeys: sign-in, screenshots, and checks run in the DOM."""
import re
from functools import lru_cache
from pathlib import Path

from tracker import ROOT

ARTIFACTS = Path(ROOT) / "artifacts" / "browser"
PASSWORD = "demo"
CONGRESS = "Đại hội đại biểu Hội Nông dân huyện lần thứ XII, nhiệm kỳ 2023–2028"

DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}

# Letters only Vietnamese text has (ASCII English labels never contain them).
VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
    re.IGNORECASE,
)
CODE = re.compile(r"[a-z0-9_]+")


def shot(page, name):
    """Save a full-page screenshot as artifacts/browser/<name>-<device>.png."""
    path = ARTIFACTS / f"{name}-{page.device}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username, password=PASSWORD):
    """Sign in through the form and wait for the page after it."""
    page.goto("/login")
    page.get_by_label(vi("Username")).fill(username)
    page.get_by_label(vi("Password")).fill(password)
    page.locator("main form button[type=submit]").click()
    # Leaders land on a quarter's summary, staff on their own work, others on the list.
    page.wait_for_url(re.compile(r"/(quarters/|me$)"))


def assert_no_horizontal_scroll(page):
    """Assert the page fits the viewport's width: nothing to scroll sideways."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " inner: window.innerWidth, body: document.body.scrollWidth})"
    )
    viewport = page.viewport_size["width"]
    assert widths["inner"] == viewport, widths
    assert widths["scroll"] <= widths["inner"], (page.url, widths, wide_elements(page))
    assert widths["body"] <= widths["inner"], (page.url, widths, wide_elements(page))


def wide_elements(page):
    """Return the elements that stick out past the right edge of the viewport."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
          .filter(el => !el.closest('.table-responsive, .visually-hidden'))
          .slice(0, 10)
          .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
               + ' ' + Math.round(el.getBoundingClientRect().right))"""
    )


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    const byLabel = [...(el.labels || [])].some(l => l.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const byIds = (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
      .filter(Boolean).map(id => document.getElementById(id))
      .some(l => l && l.textContent.trim());
    return !(byLabel || byAria || byIds);
  })
  .map(el => el.outerHTML.slice(0, 160))"""


def unlabelled_controls(page):
    """Return the form controls that have no label a screen reader would announce."""
    return page.evaluate(UNLABELLED_CONTROLS)


# Every piece of text a person reads or hears on the page: text nodes, the title, and
# labelling attributes, each with the language of an element inside the page that
# marks its own (lang="en" on the link to English), or '' for the page's language.
PAGE_TEXTS = """() => {
  const texts = [];
  const langOf = el => {
    const marked = el.closest('body [lang]');
    return marked ? marked.lang : '';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) texts.push([text, langOf(parent)]);
  }
  texts.push([document.title, '']);
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = (el.getAttribute(name) || '').trim();
      if (value) texts.push([value, langOf(el)]);
    }
  }
  return texts;
}"""


def page_texts(page):
    """Return [(text, marked language or '')] for everything a person reads."""
    return [tuple(pair) for pair in page.evaluate(PAGE_TEXTS)]


@lru_cache(maxsize=None)
def catalog():
    """Return the Vietnamese catalog as {English msgid: Vietnamese text}."""
    from babel.messages.pofile import read_po

    path = Path(ROOT) / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        messages = read_po(handle)
    result = {}
    for message in messages:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for english, vietnamese in zip(message.id, message.string):
                result[english] = vietnamese
        else:
            result[message.id] = message.string
    return result


def vi(english):
    """Return the Vietnamese for an English message of the catalog."""
    return catalog()[english]


def data_strings(app):
    """Return every text value stored in the live server's database (longest first).

    Names, titles and notes are data people typed; they stay in their own language
    whatever the interface language is. Their whitespace is collapsed as page_texts()
    collapses it, so that multi-line notes shown in a textarea still match.
    """
    from sqlalchemy import String, Text, select

    from tracker.extensions import db

    values = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                values.update(" ".join(v.split()) for v in row if isinstance(v, str))
        db.session.remove()
    # Codes such as "in_progress" are stored, never shown: they are not page data.
    values = {value for value in values if value and not CODE.fullmatch(value)}
    return sorted(values, key=len, reverse=True)


def without_data(text, data):
    """Remove every stored data value, whole or cut short with "...", from page text."""
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    for value in data:
        head = value[:12]
        start = text.find(head) if len(value) > len(head) else -1
        while start != -1:
            end = text.find("...", start)
            if end != -1 and value.startswith(text[start:end].rstrip()):
                text = text[:start] + " " + text[end + 3 :]
            start = text.find(head, start + 1)
    return text


def vietnamese_leftovers(page, data):
    """Return the texts of an English page that still hold Vietnamese interface text."""
    found = []
    for text, lang in page_texts(page):
        if lang == "vi":
            continue  # marked as Vietnamese on purpose, e.g. the language link
        rest = without_data(text, data)
        if VIETNAMESE_LETTERS.search(rest):
            found.append(text)
    return found


@lru_cache(maxsize=None)
def _english_words():
    """Return the English words of the interface that Vietnamese text never uses."""
    words = set()
    for english, vietnamese in catalog().items():
        if english == vietnamese:
            continue
        literal = re.sub(r"%\(\w+\)[sd]", " ", english)
        words.update(w for w in re.findall(r"[A-Za-z]{4,}", literal))
    vietnamese_words = set()
    for vietnamese in catalog().values():
        vietnamese_words.update(re.findall(r"[A-Za-z]{4,}", vietnamese))
    return frozenset(words - vietnamese_words)


def english_leftovers(page, data):
    """Return the texts of a Vietnamese page that still hold English interface words."""
    found = []
    for text, lang in page_texts(page):
        if lang == "en":
            continue  # marked as English on purpose, e.g. the language link
        rest = without_data(text, data)
        words = set(re.findall(r"[A-Za-z]{4,}", rest)) & _english_words()
        if words:
            found.append((text, sorted(words)))
    return found


def open_menu(page):
    """Open the phone's collapsed menu once the page's script can open it.

    A click on the toggler before Bootstrap's script has run does nothing, and a
    loaded machine takes its time to run it.
    """
    page.wait_for_load_state("load")
    page.get_by_role("button", name=vi("Menu")).click()
    page.locator("#nav.show").wait_for()
