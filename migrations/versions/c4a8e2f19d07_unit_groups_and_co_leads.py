"""Groups of units and the links given through them

Revision ID: c4a8e2f19d07
Revises: c4a8e2f17b60
Create Date: 2026-12-06 19:50:00

A group is a unit of kind "group" ("Khối Dân vận", "Các cơ sở"); its members are kept
in unit_group_member. A task given to a group fans out to its members' links, each
marked with the group it came through (task_unit.via_group_id). Co-leads are links of
the role "co_lead": no schema of their own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2f19d07'
down_revision = 'c4a8e2f17b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unit_group_member',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['unit.id'],
                                name=op.f('fk_unit_group_member_group_id_unit')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_unit_group_member_unit_id_unit')),
        sa.PrimaryKeyConstraint('group_id', 'unit_id',
                                name=op.f('pk_unit_group_member')),
    )
    with op.batch_alter_table('unit_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_group_member_unit_id'), ['unit_id'],
                              unique=False)
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_task_unit_via_group_id_unit'),
                                    'unit', ['via_group_id'], ['id'])


def downgrade():
    # Before co-leads, a second unit answerable for the whole task coordinated it;
    # the members' links stay, as plain links of their own.
    task_unit = sa.table('task_unit', sa.column('role', sa.String))
    op.execute(task_unit.update().where(task_unit.c.role == 'co_lead')
               .values(role='coordinating'))
    with op.batch_alter_table('task_unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_unit_via_group_id_unit'),
                                 type_='foreignkey')
        batch_op.drop_column('via_group_id')
    with op.batch_alter_table('unit_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_group_member_unit_id'))
    op.drop_table('unit_group_member')
