"""board_days: the board's columns counted per status and day

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'board_days',
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('solutions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'day', name=op.f('pk_board_days')),
        sqlite_with_rowid=False,
    )
    # The rows of the records already there, as the application keeps them.
    from tracker.pipeline.columns import refresh

    refresh(op.get_bind())


def downgrade():
    op.drop_table('board_days')
