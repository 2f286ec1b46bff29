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


PRINT_COLUMNS = ("done", "in_progress", "not_started")


def print_rows(markup):
    """Return the print view's unit rows: {unit id: {column: items, "overdue": n}}."""
    import re

    rows = {}
    pattern = r'(?s)<tr class="unit-row" id="unit-(\d+)">(.*?)</tr>'
    for unit_id, row in re.findall(pattern, markup):
        counts = {}
        for name in PRINT_COLUMNS:
            cell = re.search(rf'(?s)<td class="print-{name}">(.*?)</td>', row).group(1)
            counts[name] = cell.count("<li")
        counts["overdue"] = row.count("<strong>(")
        rows[int(unit_id)] = counts
    return rows


def scorecard_in_print(figures):
    """Return what each scored unit's print row must hold, from the figures:
    {unit id: (items listed, done, overdue)}; stopped work is only counted."""
    stopped = {}
    for task in figures["tasks"]:
        if task["timeliness"] == "cancelled":
            for unit_id in [task["lead"], *task["co_leads"]]:
                stopped[unit_id] = stopped.get(unit_id, 0) + 1
        for share in task["shares"]:
            if share["timeliness"] == "cancelled":
                stopped[share["unit"]] = stopped.get(share["unit"], 0) + 1
    return {unit["id"]: (unit["led"] + unit["shares"] - stopped.get(unit["id"], 0),
                         unit["done"], unit["overdue"])
            for unit in figures["units"]}
