"""companies: an index in the list's order (lower(legal_name), id)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(
            'ix_companies_list_order', [sa.text('lower(legal_name)'), 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_list_order')
