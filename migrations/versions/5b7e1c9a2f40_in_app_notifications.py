"""In-app notifications, one per event and person

Revision ID: 5b7e1c9a2f40
Revises: 8c3f4a6d1e52
Create Date: 2026-12-06 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e1c9a2f40'
down_revision = '8c3f4a6d1e52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('quarter_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['board_id'], ['board.id'],
                                name=op.f('fk_notification_board_id_board')),
        sa.ForeignKeyConstraint(['quarter_id'], ['quarter.id'],
                                name=op.f('fk_notification_quarter_id_quarter')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_notification_task_id_task')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_notification_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('user_id', 'key', name='uq_notification_user_key'),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_board_id'), ['board_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_notification_task_id'), ['task_id'],
                              unique=False)
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
        batch_op.drop_index(batch_op.f('ix_notification_task_id'))
        batch_op.drop_index(batch_op.f('ix_notification_board_id'))
    op.drop_table('notification')
