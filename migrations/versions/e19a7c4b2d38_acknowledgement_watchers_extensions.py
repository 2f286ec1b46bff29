"""Acknowledgement of tasks and shares, watchers, and deadline extensions

Revision ID: e19a7c4b2d38
Revises: 52c45194f3ef
Create Date: 2026-12-06 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e19a7c4b2d38'
down_revision = '52c45194f3ef'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extended_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lead_given_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(),
                                      nullable=True))
        batch_op.create_foreign_key(op.f('fk_task_acknowledged_by_id_user'), 'user',
                                    ['acknowledged_by_id'], ['id'])
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(),
                                      nullable=True))
        batch_op.create_foreign_key(op.f('fk_task_unit_acknowledged_by_id_user'),
                                    'user', ['acknowledged_by_id'], ['id'])
    op.create_table(
        'deadline_extension',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('previous_due_on', sa.Date(), nullable=True),
        sa.Column('proposed_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_deadline_extension_task_id_task')),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['user.id'],
            name=op.f('fk_deadline_extension_requested_by_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_deadline_extension_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_extension')),
    )
    op.create_index('ix_deadline_extension_state', 'deadline_extension',
                    ['state', 'task_id'], unique=False)
    op.create_index(op.f('ix_deadline_extension_task_id'), 'deadline_extension',
                    ['task_id'], unique=False)
    op.create_table(
        'watch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('quarter_id', sa.Integer(), nullable=True),
        sa.Column('is_watching', sa.Boolean(), server_default=sa.true(),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_watch_user_id_user')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'],
                                name=op.f('fk_watch_task_id_task')),
        sa.ForeignKeyConstraint(['quarter_id'], ['quarter.id'],
                                name=op.f('fk_watch_quarter_id_quarter')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_watch')),
        sa.UniqueConstraint('user_id', 'task_id', name='uq_watch_user_task'),
        sa.UniqueConstraint('user_id', 'quarter_id', name='uq_watch_user_quarter'),
    )
    op.create_index(op.f('ix_watch_user_id'), 'watch', ['user_id'], unique=False)
    op.create_index(op.f('ix_watch_task_id'), 'watch', ['task_id'], unique=False)
    op.create_index(op.f('ix_watch_quarter_id'), 'watch', ['quarter_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_watch_quarter_id'), table_name='watch')
    op.drop_index(op.f('ix_watch_task_id'), table_name='watch')
    op.drop_index(op.f('ix_watch_user_id'), table_name='watch')
    op.drop_table('watch')
    op.drop_index(op.f('ix_deadline_extension_task_id'),
                  table_name='deadline_extension')
    op.drop_index('ix_deadline_extension_state', table_name='deadline_extension')
    op.drop_table('deadline_extension')
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_task_unit_acknowledged_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('given_at')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_task_acknowledged_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('lead_given_at')
        batch_op.drop_column('extended_due_on')
