"""A class for work done without a date: stored list counts name it

Work reported done without a completion date now has its own timeliness class,
"done" (counted as done and in the rate, neither on time nor late). The list counts
stored with each closed quarter name every class, so this revision adds "done": 0 to
the counts stored before it. Their numbers do not change: a closed quarter's record
is what it was when it closed. No column changes.

Revision ID: 4c5e1f0b9a2d
Revises: 5c1e0a7d2b94
Create Date: 2026-12-06 02:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c5e1f0b9a2d'
down_revision = '5c1e0a7d2b94'
branch_labels = None
depends_on = None

quarter = sa.table(
    "quarter", sa.column("id", sa.Integer), sa.column("closed_counts", sa.JSON),
)


def _rewrite(change):
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(quarter.c.id, quarter.c.closed_counts)
        .where(quarter.c.closed_counts.is_not(None))
    ).all()
    for quarter_id, counts in rows:
        if not counts or not isinstance(counts.get("timeliness"), dict):
            continue
        classes = dict(counts["timeliness"])
        if change(classes):
            counts = dict(counts, timeliness=classes)
            bind.execute(quarter.update().where(quarter.c.id == quarter_id)
                         .values(closed_counts=counts))


def upgrade():
    def add(classes):
        if "done" in classes:
            return False
        # Keep the classes in the order the tracker lists them.
        ordered = {}
        for key, value in classes.items():
            ordered[key] = value
            if key == "done_late":
                ordered["done"] = 0
        ordered.setdefault("done", 0)
        classes.clear()
        classes.update(ordered)
        return True

    _rewrite(add)


def downgrade():
    def drop(classes):
        # Work done without a date counted as done on time before this revision.
        if "done" not in classes:
            return False
        classes["done_on_time"] = classes.get("done_on_time", 0) + classes.pop("done")
        return True

    _rewrite(drop)
