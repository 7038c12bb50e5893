"""interactions: covering indexes by date, and by company and date with the type

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_interactions_occurred_advisor_company',
            ['occurred_on', 'advisor_id', 'company_id', 'archived'],
            unique=False,
        )
        batch_op.drop_index('ix_interactions_occurred_on')
        batch_op.create_index(
            'ix_interactions_company_occurred_type',
            ['company_id', 'occurred_on', 'archived', 'type'],
            unique=False,
        )
        batch_op.drop_index('ix_interactions_company_occurred_archived')


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_interactions_company_occurred_archived',
            ['company_id', 'occurred_on', 'archived'],
            unique=False,
        )
        batch_op.drop_index('ix_interactions_company_occurred_type')
        batch_op.create_index('ix_interactions_occurred_on', ['occurred_on'], unique=False)
        batch_op.drop_index('ix_interactions_occurred_advisor_company')
