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
    # The rows of the companies already there: their search text as the application folds it,
    # written with this revision's columns only (a later revision adds its own).
    from tracker.companies.search import text_of

    connection = op.get_bind()
    companies = connection.execute(
        sa.text(
            "SELECT id, legal_name, trade_name, locality, rcs_number, vat_number FROM companies"
        )
    ).all()
    people = {}
    for person in connection.execute(
        sa.text("SELECT company_id, name, email, archived FROM people ORDER BY id")
    ):
        people.setdefault(person.company_id, []).append(person)
    rows = [{"id": c.id, "text": text_of(c, people.get(c.id, []))} for c in companies]
    if rows:
        connection.execute(
            sa.text("INSERT INTO company_search (company_id, text) VALUES (:id, :text)"), rows
        )


def downgrade():
    op.drop_table('company_search')
