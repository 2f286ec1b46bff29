"""Small helpers shared by the tests."""
from tracker.extensions import db
from tracker.models import Task


def get_task(title_part):
    """Return the one task whose title contains the text."""
    return db.session.scalars(db.select(Task).where(Task.title.contains(title_part))).one()


def page_text(response):
    """Return the response body as text."""
    return response.get_data(as_text=True)


def visible_text(response):
    """Return the page's text as a reader sees it: no tags, spaces collapsed."""
    return text_of(page_text(response))


def text_of(markup):
    """Return the text of HTML as a reader sees it: no tags, spaces collapsed."""
    import html
    import re

    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", markup)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())
