"""funnel_days and funnel_repeats without the need category: fewer rows to sum

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = ('funnel_days', 'funnel_repeats')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('category_id')
    # The rows again, by the keys the application now keeps.
    from tracker.pipeline.flows import refresh

    refresh(op.get_bind())


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
    # The rows stay, without a category: the agency's and an instrument's funnel are right;
    # the application of revision 0016 reads a category's funnel from them too, and finds it
    # empty until its flows.refresh() rewrites them by its own keys.
