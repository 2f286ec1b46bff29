"""A parent board's roll-up: its children's figures for the same quarter, and totals.

A province reads its districts' quarters side by side. Each child's figures are the
ones that child's own pages state (tracker.figures.services.compute over its own
records, at its own cut-off: a closed quarter at the day after its end, an open one at
the as_of asked for), never typed again. The totals are the children's sums plus the
parent's own tasks. The cost does not grow with the number of children: one statement
for their quarters, one for all their tasks and one for all their units' links.
"""
from sqlalchemy import select

from tracker.boards import scope
from tracker.extensions import db
from tracker.figures.services import compute
from tracker.i18n import today
from tracker.models import Board, Quarter, Task
from tracker.tasks.timeliness import TIMELINESS, completion_rate

# The numbers a roll-up row carries beside the timeliness counts.
SUMMED = {
    "dialogues": ("planned", "held", "participants", "opinions_raised",
                  "opinions_answered", "answered_on_time", "still_open", "overdue"),
    "congresses": ("planned", "held", "delegates"),
    "movements": ("count", "models_registered", "models_recognised"),
}


def children_of(board):
    """Return the board's child boards in their order (merged ones included)."""
    return db.session.scalars(
        select(Board).where(Board.parent_id == board.id)
        .order_by(Board.sort_order, Board.name),
        execution_options={"all_boards": True},
    ).all()


def _empty_row():
    row = dict(counts=dict.fromkeys(TIMELINESS, 0), total=0, done=0, overdue=0)
    for part, names in SUMMED.items():
        row[part] = dict.fromkeys(names, 0)
    return row


def _row_of(figures):
    """Return the part of a quarter's figures a roll-up states."""
    row = dict(counts=dict(figures["counts"]), total=figures["total"],
               done=figures["done"], overdue=figures["overdue"], rate=figures["rate"],
               as_of=figures["as_of"], closed=figures["closed"])
    for part, names in SUMMED.items():
        row[part] = {name: figures[part][name] for name in names}
    return row


def _add_into(total, row):
    for code in TIMELINESS:
        total["counts"][code] += row["counts"][code]
    for name in ("total", "done", "overdue"):
        total[name] += row[name]
    for part, names in SUMMED.items():
        for name in names:
            total[part][name] += row[part][name]


def rollup(board, quarter, figures, as_of=None, children=None):
    """Return the roll-up of the board's children for the quarter's year and number.

    figures are the parent quarter's own (already computed at its cut-off). Returns
    None when the board has no children; else a dict with one entry per child
    (board, its quarter of that key or None, its row and its whole figures, or None),
    the parent's own row
    and the totals (children's sums plus the parent's own, with the rate of the sums).
    """
    if children is None:
        children = children_of(board)
    if not children:
        return None
    ids = [child.id for child in children]
    from tracker.initiatives.services import initiative_rows
    from tracker.petitions.services import petition_rows
    from tracker.tasks.rows import FIGURE_COLUMNS, task_rows, unit_rows

    with scope.boards(ids + [board.id], unit_ids=ids + [board.id]):
        quarters = db.session.scalars(
            select(Quarter).where(Quarter.board_id.in_(ids),
                                  Quarter.year == quarter.year,
                                  Quarter.number == quarter.number)
        ).all()
        units = unit_rows() if quarters else {}
        rows = task_rows(
            Task.quarter_id.in_([q.id for q in quarters]), Task.is_archived.is_(False),
            columns=FIGURE_COLUMNS, units=units,
        ) if quarters else []
        petitions = petition_rows([q.id for q in quarters])
        initiatives = initiative_rows(quarters)
    by_quarter = {}
    for row in rows:
        by_quarter.setdefault(row.quarter_id, []).append(row)
    by_board = {q.board_id: q for q in quarters}
    day = as_of or today()
    totals = _empty_row()
    own = _row_of(figures)
    _add_into(totals, own)
    entries = []
    for child in children:
        child_quarter = by_board.get(child.id)
        row = full = None
        if child_quarter is not None:
            full = compute(child_quarter, by_quarter.get(child_quarter.id, []),
                           child_quarter.cutoff(day),
                           petitions=petitions.get(child_quarter.id, []),
                           initiatives=initiatives.get(child_quarter.id, []),
                           units=units)
            row = _row_of(full)
            _add_into(totals, row)
        entries.append(dict(board=child, quarter=child_quarter, row=row, figures=full))
    totals["rate"] = completion_rate(totals["counts"])
    return dict(boards=entries, own=own, totals=totals)
