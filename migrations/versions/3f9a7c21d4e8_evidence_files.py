"""Evidence files attached to progress reports and units' shares

Revision ID: 3f9a7c21d4e8
Revises: e19a7c4b2d38
Create Date: 2026-12-06 04:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9a7c21d4e8'
down_revision = 'e19a7c4b2d38'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('attached_to', sa.String(length=20), nullable=False),
        sa.Column('task_update_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage_key', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_stored_file_task_id_task')),
        sa.ForeignKeyConstraint(['task_update_id'], ['task_update.id'],
                                name=op.f('fk_stored_file_task_update_id_task_update')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_stored_file_unit_id_unit')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_stored_file_created_by_id_user')),
        sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'],
                                name=op.f('fk_stored_file_removed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index('ix_stored_file_task_removed', ['task_id', 'removed_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_stored_file_task_update_id'),
                              ['task_update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_file_sha256'), ['sha256'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_stored_file_task_update_id'))
        batch_op.drop_index('ix_stored_file_task_removed')
    op.drop_table('stored_file')
