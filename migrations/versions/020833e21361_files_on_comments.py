"""Evidence files on comments: stored_file.comment_id

Revision ID: 020833e21361
Revises: 3e8f2a6c9d10
Create Date: 2026-12-06 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '020833e21361'
down_revision = '3e8f2a6c9d10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_id', sa.Integer(),
                                      server_default=sa.text('NULL'), nullable=True))
        batch_op.create_index(batch_op.f('ix_stored_file_comment_id'), ['comment_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stored_file_comment_id_comment'),
                                    'comment', ['comment_id'], ['id'])


def downgrade():
    # A comment's files stay files of its task (the rows keep who gave and removed
    # them); only the link to the comment goes.
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stored_file_comment_id_comment'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stored_file_comment_id'))
        batch_op.drop_column('comment_id')
