"""A task's scope: the communes it is carried out in

Revision ID: e5b1c7d20a43
Revises: c4a8e2f19d07
Create Date: 2026-12-06 20:55:00

task_scope ties a task to commune units (địa bàn). The free-text commune field of
dialogues stays as it is.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b1c7d20a43'
down_revision = 'c4a8e2f19d07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_scope',
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_task_scope_task_id_task')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_task_scope_unit_id_unit')),
        sa.PrimaryKeyConstraint('task_id', 'unit_id', name=op.f('pk_task_scope')),
    )
    with op.batch_alter_table('task_scope', schema=None) as batch_op:
        batch_op.create_index('ix_task_scope_unit_task', ['unit_id', 'task_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('task_scope', schema=None) as batch_op:
        batch_op.drop_index('ix_task_scope_unit_task')
    op.drop_table('task_scope')
