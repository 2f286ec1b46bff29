"""Searching the tasks of every quarter of a board, and the searches people keep.

The words are matched the way the board's own search matches them (the task's
diacritic-free search text, tracker.tasks.services.search_condition), and the filters
apply in SQL before the page is cut. Timeliness is the figures' own rule
(tracker.tasks.timeliness.timeliness_sql), each quarter judged at its own cut-off.
"""
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from flask import abort
from sqlalchemy import String, case, cast, func, or_, select

from tracker.extensions import db
from tracker.models import KINDS, STATUSES, Quarter, SavedSearch, Task
from tracker.models.quarter import parse_key
from tracker.models.unit import COMMUNE
from tracker.tasks.rows import task_rows, unit_rows
from tracker.tasks.services import in_commune, search_condition, takes_part
from tracker.tasks.timeliness import TIMELINESS, timeliness_sql
from tracker.text import row_id

PAGE_SIZE = 50
MAX_PAGE = 100_000
# A unit's part in a task: leading it, coordinating it, or taking a share of it.
UNIT_ROLES = ("lead", "coordinating", "participating")
# The query-string names of the filters, in the order a saved search keeps them.
FILTER_NAMES = ("q", "kind", "unit", "role", "commune", "status", "timeliness",
                "from", "to")
MAX_SAVED = 30  # per person and board: the menu lists them all
NAME_LENGTH = 80
# Separates the saved searches read with the signed-in user (a form refuses control
# characters, so no name holds it).
SEPARATOR = "\x1f"


@dataclass
class Filters:
    """A search's words and filters, each None when not asked for."""

    q: str = None
    kind: str = None
    unit: int = None
    role: str = None
    commune: int = None
    status: str = None
    timeliness: str = None
    start: tuple = None  # (year, number) of the first quarter
    end: tuple = None  # (year, number) of the last quarter
    ignored: list = field(default_factory=list)  # query-string names not understood

    def args(self):
        """Return the filters as query-string pairs, in a fixed order."""
        values = {
            "q": self.q, "kind": self.kind, "unit": self.unit, "role": self.role,
            "commune": self.commune, "status": self.status,
            "timeliness": self.timeliness,
            "from": "%d-Q%d" % self.start if self.start else None,
            "to": "%d-Q%d" % self.end if self.end else None,
        }
        return {name: values[name] for name in FILTER_NAMES
                if values[name] is not None}

    def query_string(self):
        """Return the filters as a query string ("q=dan+van&kind=dialogue")."""
        return urlencode(self.args())

    @property
    def is_empty(self):
        return not self.args()


def parse_filters(args, units):
    """Return the Filters of a query string; values not understood are left out.

    units is {id: unit row} of the board: a unit or commune not among them (or a
    commune that is not a commune's unit) is not understood. The names of what was
    left out are in .ignored, for the page to say so.
    """
    filters = Filters()

    def take(name, value):
        if value is None:
            filters.ignored.append(name)
        return value

    q = " ".join((args.get("q") or "").split())[:200]
    filters.q = q or None
    for name, known in (("kind", KINDS), ("status", STATUSES),
                        ("timeliness", TIMELINESS), ("role", UNIT_ROLES)):
        value = args.get(name) or None
        if value is not None:
            setattr(filters, name, take(name, value if value in known else None))
    unit = args.get("unit") or None
    if unit is not None:
        unit = row_id(unit)
        filters.unit = take("unit", unit if unit in units else None)
    commune = args.get("commune") or None
    if commune is not None:
        commune = row_id(commune)
        filters.commune = take("commune", commune if commune in units
                               and units[commune].kind == COMMUNE else None)
    for name, attribute in (("from", "start"), ("to", "end")):
        value = args.get(name) or None
        if value is not None:
            setattr(filters, attribute, take(name, parse_key(value)))
    if filters.role and filters.unit is None:
        filters.role = None  # a part in a task means nothing without the unit
    return filters


def parse_page(value):
    """Return the page number a query-string value asks for, or None if malformed."""
    if value is None or value == "":
        return 1
    number = row_id(value)
    return min(number, MAX_PAGE) if number is not None else None


def board_quarters():
    """Return the board's quarters, newest first."""
    return db.session.scalars(
        select(Quarter).order_by(Quarter.year.desc(), Quarter.number.desc())
    ).all()


def _index(year_number):
    year, number = year_number
    return year * 4 + number - 1


def search_conditions(filters, quarters, today, units=None):
    """Return the SQL conditions of the filters over the given quarters.

    The quarters are the board's (read in its scope): the tasks are kept to them by
    id, which also applies the quarter range. Timeliness is classified at each
    quarter's cut-off (today for an open one, the day after its end once closed).
    units ({id: unit row}, read when not given) say which units lie below the
    commune filtered by.
    """
    if filters.start or filters.end:
        low = _index(filters.start) if filters.start else 0
        high = _index(filters.end) if filters.end else 10**6
        quarters = [quarter for quarter in quarters
                    if low <= _index((quarter.year, quarter.number)) <= high]
    conditions = [Task.quarter_id.in_([quarter.id for quarter in quarters]),
                  Task.is_archived.is_(False)]
    if filters.q:
        conditions.extend(search_condition(filters.q))
    if filters.kind:
        conditions.append(Task.kind == filters.kind)
    if filters.status:
        conditions.append(Task.status == filters.status)
    if filters.unit is not None:
        conditions.append(takes_part(filters.unit, filters.role))
    if filters.commune is not None:
        # The commune's tasks: those it or a unit below it (a village) leads or
        # takes part in, and those carried out in it (the task's scope).
        conditions.append(in_commune(
            filters.commune, (units if units is not None else unit_rows()).values()))
    if filters.timeliness:
        by_cutoff = {}
        for quarter in quarters:
            by_cutoff.setdefault(quarter.cutoff(today), []).append(quarter.id)
        conditions.append(or_(False, *(
            Task.quarter_id.in_(ids) & (timeliness_sql(Task, cutoff)
                                        == filters.timeliness)
            for cutoff, ids in by_cutoff.items()
        )))
    return conditions


@dataclass
class SearchPage:
    """One page of a search's results: rows with their quarters, and the paging."""

    rows: list  # [(TaskRow, its Quarter)]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self):
        """Return the number of the page's first task (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self):
        return self.first + len(self.rows) - 1 if self.rows else 0


def search_page(filters, quarters, units, today, page=1, per_page=PAGE_SIZE):
    """Return one page of the tasks matching the filters, newest quarter first.

    Within a quarter, tasks come as planned (by id). A page past the last shows the
    last.
    """
    conditions = search_conditions(filters, quarters, today, units)
    total = db.session.scalar(select(func.count(Task.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    by_id = {quarter.id: quarter for quarter in quarters}
    newest_first = case({quarter.id: rank for rank, quarter in enumerate(quarters)},
                        value=Task.quarter_id, else_=len(quarters))
    rows = task_rows(*conditions, units=units, order_by=[newest_first, Task.id],
                     limit=per_page, offset=(page - 1) * per_page)
    return SearchPage([(row, by_id[row.quarter_id]) for row in rows], total, page,
                      pages, per_page)


# ------------------------------------------------------------------ saved searches

@dataclass(frozen=True)
class SavedEntry:
    """A saved search as the menu shows it: id, name, query string."""

    id: int
    name: str
    query: str


def home_saved_column():
    """Return a column listing the loaded user's saved searches in their home board.

    Read with the signed-in user (tracker.auth), so the menu costs no statement of
    its own on the pages of the home board. Each is "id:query:name", joined by
    SEPARATOR (a query string holds no colon: urlencode quotes it).
    """
    from tracker.models import User

    entry = (cast(SavedSearch.id, String) + ":" + SavedSearch.query + ":"
             + SavedSearch.name)
    return (
        select(func.aggregate_strings(entry, SEPARATOR))
        .where(SavedSearch.user_id == User.id, SavedSearch.board_id == User.board_id)
        .correlate(User)
        .scalar_subquery()
    )


def _entries(pairs):
    return sorted((SavedEntry(*pair) for pair in pairs),
                  key=lambda entry: (entry.name.casefold(), entry.id))


def parse_home_saved(text):
    """Return the SavedEntries of a home_saved_column value, by name."""
    pairs = []
    for item in (text or "").split(SEPARATOR):
        saved_id, _, rest = item.partition(":")
        query, _, name = rest.partition(":")
        if saved_id.isdigit():
            pairs.append((int(saved_id), name, query))
    return _entries(pairs)


def saved_searches(user, board):
    """Return the person's saved searches in the board, by name."""
    if board is None or not getattr(user, "is_authenticated", False):
        return []
    home = getattr(user, "home_saved_searches", None)
    if home is not None and board.id == user.board_id:
        return home
    return _entries(db.session.execute(
        select(SavedSearch.id, SavedSearch.name, SavedSearch.query)
        .where(SavedSearch.user_id == user.id, SavedSearch.board_id == board.id)
    ).all())


def get_own_or_404(user, saved_id):
    """Return the person's saved search in the request's board, or abort with 404."""
    saved = db.session.scalar(
        select(SavedSearch).where(SavedSearch.id == saved_id,
                                  SavedSearch.user_id == user.id)
    )
    if saved is None:
        abort(404)
    return saved


def name_taken(user, board, name, except_id=None):
    """Tell whether the person already keeps a search of that name in the board."""
    return db.session.scalar(
        select(func.count(SavedSearch.id)).where(
            SavedSearch.user_id == user.id, SavedSearch.board_id == board.id,
            SavedSearch.name == name,
            *([SavedSearch.id != except_id] if except_id else []))
    ) > 0


def saved_count(user, board):
    """Return how many searches the person keeps in the board."""
    return db.session.scalar(
        select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id,
                                                 SavedSearch.board_id == board.id)
    )


def filters_of_query(query, units):
    """Return the Filters a stored or posted query string names."""
    return parse_filters(dict(parse_qsl(query or "")), units)


def save_search(user, board, name, query):
    """Keep the filters under the name for the person in the board."""
    saved = SavedSearch(user_id=user.id, board_id=board.id, name=name, query=query)
    db.session.add(saved)
    db.session.flush()
    return saved


def rename_search(saved, name):
    """Give the saved search a new name."""
    saved.name = name
    db.session.flush()
    return saved


def delete_search(saved):
    """Forget the saved search."""
    db.session.delete(saved)
    db.session.flush()
