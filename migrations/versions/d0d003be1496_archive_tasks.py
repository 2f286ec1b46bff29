"""Archive tasks instead of deleting them

Revision ID: d0d003be1496
Revises: 9674691e3a4f
Create Date: 2026-11-29 04:19:11.149380

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0d003be1496'
down_revision = '9674691e3a4f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_archived', sa.Boolean(), server_default=sa.false(),
                      nullable=False)
        )


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('is_archived')
