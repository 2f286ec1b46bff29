"""Audit events and petition history say when a change came through the API

Revision ID: 52c45194f3ef
Revises: dc8d13353918
Create Date: 2026-12-06 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '52c45194f3ef'
down_revision = 'dc8d13353918'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('audit_event', 'petition_update'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('via', sa.String(length=10), nullable=True,
                                          server_default=sa.text('NULL')))


def downgrade():
    for table in ('petition_update', 'audit_event'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('via')
