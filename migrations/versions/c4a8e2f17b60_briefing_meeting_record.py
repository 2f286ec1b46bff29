"""The quarter's briefing meeting (place, chair, attendees, proposals); the report's
lead-in paragraph

Revision ID: c4a8e2f17b60
Revises: 020833e21361
Create Date: 2026-12-06 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2f17b60'
down_revision = '020833e21361'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('briefing_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('chair_name', sa.String(length=200), nullable=False),
    sa.Column('chair_title', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quarter_id'], ['quarter.id'], name=op.f('fk_briefing_meeting_quarter_id_quarter')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_briefing_meeting_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_briefing_meeting')),
    sa.UniqueConstraint('quarter_id', name=op.f('uq_briefing_meeting_quarter_id'))
    )
    op.create_table('briefing_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('addressee', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['briefing_meeting.id'], name=op.f('fk_briefing_proposal_meeting_id_briefing_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_briefing_proposal'))
    )
    with op.batch_alter_table('briefing_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_briefing_proposal_meeting_id'), ['meeting_id'], unique=False)
    with op.batch_alter_table('quarter_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_in', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('quarter_report', schema=None) as batch_op:
        batch_op.drop_column('lead_in')
    with op.batch_alter_table('briefing_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_briefing_proposal_meeting_id'))
    op.drop_table('briefing_proposal')
    op.drop_table('briefing_meeting')
