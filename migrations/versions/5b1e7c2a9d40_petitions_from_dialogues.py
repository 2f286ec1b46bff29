"""Petitions raised at dialogues, tracked to an answer, with their history

Revision ID: 5b1e7c2a9d40
Revises: 4c5e1f0b9a2d
Create Date: 2026-12-06 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c2a9d40'
down_revision = '4c5e1f0b9a2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'petition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('citizen', sa.String(length=200), nullable=False),
        sa.Column('commune', sa.String(length=200), nullable=False),
        sa.Column('commune_folded', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('answering_unit_id', sa.Integer(), nullable=True),
        sa.Column('answering_body', sa.String(length=200), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('forwarded_on', sa.Date(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.Column('is_imported', sa.Boolean(), server_default=sa.false(),
                  nullable=False),
        sa.Column('count', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['answering_unit_id'], ['unit.id'],
                                name=op.f('fk_petition_answering_unit_id_unit')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_petition_created_by_id_user')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_petition_task_id_task')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_petition')),
    )
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.create_index('ix_petition_state_due', ['state', 'due_on'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_petition_task_id'), ['task_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_petition_answering_unit_id'),
                              ['answering_unit_id'], unique=False)
    op.create_table(
        'petition_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('old_state', sa.String(length=20), nullable=True),
        sa.Column('new_state', sa.String(length=20), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['petition_id'], ['petition.id'],
                                name=op.f('fk_petition_update_petition_id_petition')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_petition_update_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_update')),
    )
    with op.batch_alter_table('petition_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_update_petition_id'),
                              ['petition_id'], unique=False)


def downgrade():
    with op.batch_alter_table('petition_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_update_petition_id'))
    op.drop_table('petition_update')
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_answering_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petition_task_id'))
        batch_op.drop_index('ix_petition_state_due')
    op.drop_table('petition')
