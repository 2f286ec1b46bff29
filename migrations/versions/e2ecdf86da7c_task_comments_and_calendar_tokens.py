"""Comments on tasks (with their earlier texts) and calendar feed tokens

Revision ID: e2ecdf86da7c
Revises: 8c3d2e6f1a57
Create Date: 2026-12-06 04:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2ecdf86da7c'
down_revision = '8c3d2e6f1a57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('edited_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_comment_task_id_task')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_comment_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment')),
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_task_id'), ['task_id'],
                              unique=False)
    op.create_table(
        'comment_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'],
                                name=op.f('fk_comment_revision_comment_id_comment')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_comment_revision_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revision')),
    )
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revision_comment_id'),
                              ['comment_id'], unique=False)
    op.create_table(
        'calendar_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_calendar_token_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_token_token_hash')),
    )
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_token_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('calendar_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_token_user_id'))
    op.drop_table('calendar_token')
    with op.batch_alter_table('comment_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revision_comment_id'))
    op.drop_table('comment_revision')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_task_id'))
    op.drop_table('comment')
