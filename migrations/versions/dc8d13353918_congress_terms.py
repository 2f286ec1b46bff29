"""Congresses by term: each organisation's term and the history of its changes

Revision ID: dc8d13353918
Revises: e2ecdf86da7c
Create Date: 2026-12-06 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dc8d13353918'
down_revision = 'e2ecdf86da7c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'congress_term',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('organisation', sa.String(length=300), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('term_start', sa.Integer(), nullable=False),
        sa.Column('term_end', sa.Integer(), nullable=False),
        sa.Column('last_held_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['board.id'],
                                name=op.f('fk_congress_term_board_id_board')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_congress_term_unit_id_unit')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'],
                                name=op.f('fk_congress_term_updated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_term')),
        sa.UniqueConstraint('board_id', 'organisation',
                            name='uq_congress_term_board_org'),
    )
    with op.batch_alter_table('congress_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_term_board_id'), ['board_id'],
                              unique=False)
    op.create_table(
        'congress_term_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['term_id'], ['congress_term.id'],
                                name=op.f('fk_congress_term_change_term_id_'
                                          'congress_term')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_congress_term_change_user_id_user')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_congress_term_change_task_id_task')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_term_change')),
    )
    with op.batch_alter_table('congress_term_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_term_change_term_id'),
                              ['term_id'], unique=False)


def downgrade():
    with op.batch_alter_table('congress_term_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_term_change_term_id'))
    op.drop_table('congress_term_change')
    with op.batch_alter_table('congress_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_term_board_id'))
    op.drop_table('congress_term')
