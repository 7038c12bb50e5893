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
    # The rows of the companies already there, worked out from their records as this revision
    # defines them (a later revision adds its own columns: the application's code of today
    # would write those too).
    op.get_bind().execute(
        sa.text(
            "INSERT INTO company_facts (company_id, last_contact_on, latest_risk,"
            " next_followup_on, open_needs, open_solutions)"
            " SELECT c.id,"
            " (SELECT max(i.occurred_on) FROM interactions i"
            "  WHERE i.company_id = c.id AND i.archived = :no),"
            " (SELECT h.risk_level FROM health_checks h"
            "  WHERE h.company_id = c.id AND h.archived = :no AND h.risk_level IS NOT NULL"
            "  ORDER BY h.checked_on DESC, h.id DESC LIMIT 1),"
            " (SELECT min(f.due_on) FROM followups f"
            "  WHERE f.company_id = c.id AND f.status = 'open'),"
            " (SELECT count(*) FROM needs n"
            "  WHERE n.company_id = c.id AND n.resolved_on IS NULL AND n.closed_on IS NULL),"
            " (SELECT count(*) FROM solutions s JOIN needs n ON n.id = s.need_id"
            "  WHERE n.company_id = c.id"
            "  AND s.status IN ('suggested', 'in_preparation', 'submitted'))"
            " FROM companies c"
        ).bindparams(no=False)
    )


def downgrade():
    op.drop_index('ix_company_facts_last_contact_on', table_name='company_facts')
    op.drop_index('ix_company_facts_risk_contact', table_name='company_facts')
    op.drop_table('company_facts')
