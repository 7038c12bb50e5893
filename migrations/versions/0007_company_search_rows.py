"""company_search: one folded search row per company

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 11:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'company_search',
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['company_id'], ['companies.id'],
            name=op.f('fk_company_search_company_id_companies'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('company_id', name=op.f('pk_company_search')),
    )
    # The rows of the companies already there, as the application keeps them.
    from tracker.companies.search import refresh

    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM companies")).scalars().all()
    refresh(connection, ids)


def downgrade():
    op.drop_table('company_search')
