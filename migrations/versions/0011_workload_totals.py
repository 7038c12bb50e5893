"""workload_contacts, workload_followups and workload_owners: the workload's totals per advisor

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workload_contacts',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('advisor_id', sa.Integer(), nullable=False),
        sa.Column('contacts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['advisor_id'], ['users.id'],
            name=op.f('fk_workload_contacts_advisor_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('day', 'advisor_id', name=op.f('pk_workload_contacts')),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'workload_followups',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=False),
        sa.Column('open', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assignee_id'], ['users.id'],
            name=op.f('fk_workload_followups_assignee_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('day', 'assignee_id', name=op.f('pk_workload_followups')),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'workload_owners',
        sa.Column('owner_key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('companies', sa.Integer(), nullable=False),
        sa.Column('open_needs', sa.Integer(), nullable=False),
        sa.Column('open_solutions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('owner_key', name=op.f('pk_workload_owners')),
    )
    # The rows of the records already there, as the application keeps them: the days' rows
    # here; the owners' rows by revision 0016, which gives them the column the application's
    # code now writes too.
    from tracker.pipeline.totals import DAY_COUNTS, refresh_days

    for counts in DAY_COUNTS:
        refresh_days(op.get_bind(), counts)


def downgrade():
    op.drop_table('workload_owners')
    op.drop_table('workload_followups')
    op.drop_table('workload_contacts')
