"""The "Dân vận khéo" registry's history says when a change came through the API

Revision ID: 3e8f2a6c9d10
Revises: 5c2e8a91f0d7
Create Date: 2026-12-06 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8f2a6c9d10'
down_revision = '5c2e8a91f0d7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=10), nullable=True,
                                      server_default=sa.text('NULL')))


def downgrade():
    with op.batch_alter_table('initiative_update', schema=None) as batch_op:
        batch_op.drop_column('via')
