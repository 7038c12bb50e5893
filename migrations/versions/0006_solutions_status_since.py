"""solutions.status_since: the date of each solution's latest status change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.Date(), nullable=True))
    # Its latest change, or its suggestion when it has none.
    op.execute(
        "UPDATE solutions SET status_since = COALESCE("
        "(SELECT MAX(c.changed_on) FROM solution_status_changes c WHERE c.solution_id = solutions.id),"
        " suggested_on)"
    )
    with op.batch_alter_table('solutions', schema=None) as batch_op:
        batch_op.alter_column('status_since', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_solutions_status_since', ['status', 'status_since', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('solutions', schema=None) as batch_op:
        batch_op.drop_index('ix_solutions_status_since')
        batch_op.drop_column('status_since')
