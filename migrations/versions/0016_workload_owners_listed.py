"""workload_owners.listed: each owner's companies that are not archived (the list's total)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 19:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workload_owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Integer(), nullable=True))
    # Every row again, as the application keeps them (owners of closed companies only too).
    from tracker.pipeline.totals import refresh_owners

    refresh_owners(op.get_bind())
    with op.batch_alter_table('workload_owners', schema=None) as batch_op:
        batch_op.alter_column('listed', existing_type=sa.Integer(), nullable=False)


def downgrade():
    op.execute("DELETE FROM workload_owners WHERE companies = 0")
    with op.batch_alter_table('workload_owners', schema=None) as batch_op:
        batch_op.drop_column('listed')
