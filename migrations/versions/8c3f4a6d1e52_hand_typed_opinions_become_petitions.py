"""Hand-typed opinions raised/answered become petitions marked as imported counts

Revision ID: 8c3f4a6d1e52
Revises: 5b1e7c2a9d40
Create Date: 2026-12-06 01:35:00.000000

Each task's counts become one answered row (the answered count, dated the meeting's
day or its quarter's last day) and one received row (the rest), both marked
is_imported, with a history row; the task's columns are then emptied, so the
figures read one source. A closed quarter's rows are dated as recorded when it
closed, so its figures stay what they were. Downgrading puts the counts back.
"""
import calendar
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c3f4a6d1e52'
down_revision = '5b1e7c2a9d40'
branch_labels = None
depends_on = None

task = sa.table(
    'task', sa.column('id', sa.Integer), sa.column('quarter_id', sa.Integer),
    sa.column('held_on', sa.Date), sa.column('opinions_raised', sa.Integer),
    sa.column('opinions_answered', sa.Integer),
)
quarter = sa.table(
    'quarter', sa.column('id', sa.Integer), sa.column('year', sa.Integer),
    sa.column('number', sa.Integer), sa.column('state', sa.String),
    sa.column('closed_at', sa.DateTime),
)
petition = sa.table(
    'petition', sa.column('id', sa.Integer), sa.column('task_id', sa.Integer),
    sa.column('citizen', sa.String), sa.column('commune', sa.String),
    sa.column('commune_folded', sa.String), sa.column('content', sa.Text),
    sa.column('field', sa.String), sa.column('answering_body', sa.String),
    sa.column('state', sa.String), sa.column('answer', sa.Text),
    sa.column('answered_on', sa.Date), sa.column('close_reason', sa.Text),
    sa.column('settled_at', sa.DateTime), sa.column('is_imported', sa.Boolean),
    sa.column('count', sa.Integer), sa.column('created_at', sa.DateTime),
    sa.column('version', sa.Integer),
)
petition_update = sa.table(
    'petition_update', sa.column('petition_id', sa.Integer),
    sa.column('created_at', sa.DateTime), sa.column('action', sa.String),
    sa.column('new_state', sa.String), sa.column('note', sa.Text),
    sa.column('changes', sa.JSON),
)


def _quarter_end(year, number):
    month = number * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def upgrade():
    conn = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = conn.execute(
        sa.select(task.c.id, task.c.held_on, task.c.opinions_raised,
                  task.c.opinions_answered, quarter.c.year, quarter.c.number,
                  quarter.c.state, quarter.c.closed_at)
        .select_from(task.join(quarter, quarter.c.id == task.c.quarter_id))
        .where(sa.or_(task.c.opinions_raised > 0, task.c.opinions_answered > 0))
        .order_by(task.c.id)
    ).all()
    for row in rows:
        raised = max(row.opinions_raised or 0, row.opinions_answered or 0)
        answered = min(row.opinions_answered or 0, raised)
        recorded = row.closed_at if row.state == 'closed' and row.closed_at else now
        day = row.held_on or _quarter_end(row.year, row.number)
        for count, state in ((answered, 'answered'), (raised - answered, 'received')):
            if not count:
                continue
            new_id = conn.execute(petition.insert().values(
                task_id=row.id, citizen='', commune='', commune_folded='',
                content='', field='other', answering_body='', state=state,
                answer='', close_reason='', is_imported=True, count=count,
                answered_on=day if state == 'answered' else None,
                settled_at=recorded if state == 'answered' else None,
                created_at=recorded, version=1,
            ).returning(petition.c.id)).scalar()
            conn.execute(petition_update.insert().values(
                petition_id=new_id, created_at=recorded, action='imported',
                new_state=state, note='', changes={'count': [None, count]},
            ))
    conn.execute(task.update().values(opinions_raised=None, opinions_answered=None))


def downgrade():
    conn = op.get_bind()
    imported = conn.execute(
        sa.select(petition.c.id, petition.c.task_id, petition.c.state,
                  petition.c.count)
        .where(petition.c.is_imported.is_(True))
    ).all()
    totals = {}
    for row in imported:
        raised, answered = totals.get(row.task_id, (0, 0))
        totals[row.task_id] = (raised + row.count,
                               answered + (row.count if row.state == 'answered' else 0))
    for task_id, (raised, answered) in totals.items():
        conn.execute(task.update().where(task.c.id == task_id).values(
            opinions_raised=raised, opinions_answered=answered))
    ids = [row.id for row in imported]
    if ids:
        conn.execute(petition_update.delete().where(
            petition_update.c.petition_id.in_(ids)))
        conn.execute(petition.delete().where(petition.c.id.in_(ids)))
