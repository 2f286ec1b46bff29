"""E-mail of notifications: each person's address and choice, and what was mailed

Revision ID: 8c3d2e6f1a57
Revises: 5b7e1c9a2f40
Create Date: 2026-12-06 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c3d2e6f1a57'
down_revision = '5b7e1c9a2f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('digest_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_mail_preference_user_id_user')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mail_preference')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_notification_unmailed', ['mailed_at', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_unmailed')
        batch_op.drop_column('mailed_at')
    op.drop_table('mail_preference')
