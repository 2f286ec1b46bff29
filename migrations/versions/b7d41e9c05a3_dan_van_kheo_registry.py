"""The "Dân vận khéo" registry; hand-typed model counts become imported records

Revision ID: b7d41e9c05a3
Revises: 3f9a7c21d4e8
Create Date: 2026-12-06 04:40:00.000000

Creates initiative and initiative_update. Each task's typed models registered /
recognised become one recognised row (the recognised count, dated its quarter's last
day) and one registered row (the rest), both marked is_imported and tied to the
task's quarter, with a history row; the task's columns are then emptied, so the
figures read one source. A closed quarter's rows are dated as recorded when it
closed, so its figures stay what they were. Downgrading puts the counts back.
"""
import calendar
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e9c05a3'
down_revision = '3f9a7c21d4e8'
branch_labels = None
depends_on = None

task = sa.table(
    'task', sa.column('id', sa.Integer), sa.column('quarter_id', sa.Integer),
    sa.column('title', sa.String), sa.column('lead_unit_id', sa.Integer),
    sa.column('models_registered', sa.Integer),
    sa.column('models_recognised', sa.Integer),
)
quarter = sa.table(
    'quarter', sa.column('id', sa.Integer), sa.column('board_id', sa.Integer),
    sa.column('year', sa.Integer), sa.column('number', sa.Integer),
    sa.column('state', sa.String), sa.column('closed_at', sa.DateTime),
)
initiative = sa.table(
    'initiative', sa.column('id', sa.Integer), sa.column('board_id', sa.Integer),
    sa.column('name', sa.String), sa.column('field', sa.String),
    sa.column('unit_id', sa.Integer), sa.column('commune', sa.String),
    sa.column('commune_folded', sa.String), sa.column('year', sa.Integer),
    sa.column('beneficiaries', sa.Text), sa.column('state', sa.String),
    sa.column('registered_on', sa.Date), sa.column('decision_number', sa.String),
    sa.column('recognised_on', sa.Date), sa.column('drop_reason', sa.Text),
    sa.column('settled_at', sa.DateTime), sa.column('is_imported', sa.Boolean),
    sa.column('count', sa.Integer), sa.column('quarter_id', sa.Integer),
    sa.column('task_id', sa.Integer), sa.column('created_at', sa.DateTime),
    sa.column('version', sa.Integer),
)
initiative_update = sa.table(
    'initiative_update', sa.column('initiative_id', sa.Integer),
    sa.column('created_at', sa.DateTime), sa.column('action', sa.String),
    sa.column('new_state', sa.String), sa.column('note', sa.Text),
    sa.column('changes', sa.JSON),
)


def _quarter_end(year, number):
    month = number * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _create_tables():
    op.create_table(
        'initiative',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('commune', sa.String(length=200), nullable=False),
        sa.Column('commune_folded', sa.String(length=200), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('beneficiaries', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=True),
        sa.Column('decision_number', sa.String(length=100), nullable=False),
        sa.Column('recognised_on', sa.Date(), nullable=True),
        sa.Column('dropped_on', sa.Date(), nullable=True),
        sa.Column('drop_reason', sa.Text(), nullable=False),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.Column('is_imported', sa.Boolean(), server_default=sa.false(),
                  nullable=False),
        sa.Column('count', sa.Integer(), server_default='1', nullable=False),
        sa.Column('quarter_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['board.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['quarter_id'], ['quarter.id']),
        sa.ForeignKeyConstraint(['task_id'], ['task.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_board_year', ['board_id', 'year'],
                              unique=False)
        for column in ('board_id', 'unit_id', 'quarter_id', 'task_id'):
            batch_op.create_index(batch_op.f(f'ix_initiative_{column}'), [column],
                                  unique=False)
    op.create_table(
        'initiative_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('initiative_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('old_state', sa.String(length=20), nullable=True),
        sa.Column('new_state', sa.String(length=20), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_update_initiative_id'),
                              ['initiative_id'], unique=False)


def upgrade():
    _create_tables()
    conn = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = conn.execute(
        sa.select(task.c.id, task.c.quarter_id, task.c.lead_unit_id,
                  task.c.models_registered, task.c.models_recognised,
                  quarter.c.board_id, quarter.c.year, quarter.c.number,
                  quarter.c.state, quarter.c.closed_at)
        .select_from(task.join(quarter, quarter.c.id == task.c.quarter_id))
        .where(sa.or_(task.c.models_registered > 0, task.c.models_recognised > 0))
        .order_by(task.c.id)
    ).all()
    for row in rows:
        registered = max(row.models_registered or 0, row.models_recognised or 0)
        recognised = min(row.models_recognised or 0, registered)
        recorded = row.closed_at if row.state == 'closed' and row.closed_at else now
        day = _quarter_end(row.year, row.number)
        for count, state in ((recognised, 'recognised'),
                             (registered - recognised, 'registered')):
            if not count:
                continue
            new_id = conn.execute(initiative.insert().values(
                board_id=row.board_id, name='', field='economy',
                unit_id=row.lead_unit_id, commune='', commune_folded='',
                year=row.year, beneficiaries='', state=state, registered_on=day,
                decision_number='', drop_reason='', is_imported=True, count=count,
                recognised_on=day if state == 'recognised' else None,
                settled_at=recorded if state == 'recognised' else None,
                quarter_id=row.quarter_id, task_id=row.id, created_at=recorded,
                version=1,
            ).returning(initiative.c.id)).scalar()
            conn.execute(initiative_update.insert().values(
                initiative_id=new_id, created_at=recorded, action='imported',
                new_state=state, note='', changes={'count': [None, count]},
            ))
    conn.execute(task.update().values(models_registered=None, models_recognised=None))


def downgrade():
    conn = op.get_bind()
    imported = conn.execute(
        sa.select(initiative.c.task_id, initiative.c.state, initiative.c.count)
        .where(initiative.c.is_imported.is_(True), initiative.c.task_id.is_not(None))
    ).all()
    totals = {}
    for row in imported:
        registered, recognised = totals.get(row.task_id, (0, 0))
        totals[row.task_id] = (
            registered + row.count,
            recognised + (row.count if row.state == 'recognised' else 0))
    for task_id, (registered, recognised) in totals.items():
        conn.execute(task.update().where(task.c.id == task_id).values(
            models_registered=registered, models_recognised=recognised))
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_update_initiative_id'))
    op.drop_table('initiative_update')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        for column in ('board_id', 'unit_id', 'quarter_id', 'task_id'):
            batch_op.drop_index(batch_op.f(f'ix_initiative_{column}'))
        batch_op.drop_index('ix_initiative_board_year')
    op.drop_table('initiative')
