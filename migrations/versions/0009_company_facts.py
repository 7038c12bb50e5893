"""company_facts: each company's latest contact, latest risk, next follow-up, open needs and solutions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'company_facts',
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('last_contact_on', sa.Date(), nullable=True),
        sa.Column(
            'latest_risk',
            sa.Enum('low', 'medium', 'high', 'critical', name='risklevel', native_enum=False,
                    length=16),
            nullable=True,
        ),
        sa.Column('next_followup_on', sa.Date(), nullable=True),
        sa.Column('open_needs', sa.Integer(), server_default='0', nullable=False),
        sa.Column('open_solutions', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(
            ['company_id'], ['companies.id'],
            name=op.f('fk_company_facts_company_id_companies'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('company_id', name=op.f('pk_company_facts')),
    )
    op.create_index(
        'ix_company_facts_risk_contact', 'company_facts', ['latest_risk', 'last_contact_on'],
        unique=False,
    )
    op.create_index(
        'ix_company_facts_last_contact_on', 'company_facts', ['last_contact_on'], unique=False
    )
    # The rows of the companies already there, as the application keeps them.
    from tracker.companies.facts import refresh

    refresh(op.get_bind())


def downgrade():
    op.drop_index('ix_company_facts_last_contact_on', table_name='company_facts')
    op.drop_index('ix_company_facts_risk_contact', table_name='company_facts')
    op.drop_table('company_facts')
