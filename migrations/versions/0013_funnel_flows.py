"""funnel_days and funnel_repeats: the funnel's flows kept per day

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _keys():
    return [
        sa.Column('metric', sa.String(length=16), nullable=False),
        sa.Column('instrument_id', sa.Integer(), nullable=True),
        sa.Column('partner', sa.String(length=160), nullable=True),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('solutions', sa.Integer(), nullable=False),
        sa.Column('cents', sa.BigInteger(), nullable=False),
    ]


def upgrade():
    op.create_table('funnel_days', sa.Column('day', sa.Date(), nullable=False), *_keys())
    op.create_index('ix_funnel_days_day', 'funnel_days', ['day'], unique=False)
    op.create_table(
        'funnel_repeats',
        sa.Column('earlier', sa.Date(), nullable=False),
        sa.Column('later', sa.Date(), nullable=False),
        *_keys(),
    )
    op.create_index(
        'ix_funnel_repeats_earlier_later', 'funnel_repeats', ['earlier', 'later'], unique=False
    )
    # The rows of the records already there, as the application keeps them.
    from tracker.pipeline.flows import refresh

    refresh(op.get_bind())


def downgrade():
    op.drop_index('ix_funnel_repeats_earlier_later', table_name='funnel_repeats')
    op.drop_table('funnel_repeats')
    op.drop_index('ix_funnel_days_day', table_name='funnel_days')
    op.drop_table('funnel_days')
