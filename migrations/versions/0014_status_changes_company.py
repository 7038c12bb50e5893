"""solution_status_changes.company_id: a company's timeline reads its changes directly

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solution_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
    # The company of each change's solution's need.
    op.execute(
        "UPDATE solution_status_changes SET company_id = ("
        "SELECT n.company_id FROM solutions s JOIN needs n ON n.id = s.need_id"
        " WHERE s.id = solution_status_changes.solution_id)"
    )
    # SQLite rebuilds the table: reflect it alone, not the tables its keys refer to (the
    # companies' expression index cannot be reflected, and nothing here needs it).
    with op.batch_alter_table(
        'solution_status_changes', schema=None, reflect_kwargs={'resolve_fks': False}
    ) as batch_op:
        batch_op.alter_column('company_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_solution_status_changes_company_id_companies'),
            'companies', ['company_id'], ['id'], ondelete='CASCADE',
        )
        batch_op.create_index(
            'ix_solution_status_changes_company_on', ['company_id', 'changed_on', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table(
        'solution_status_changes', schema=None, reflect_kwargs={'resolve_fks': False}
    ) as batch_op:
        batch_op.drop_index('ix_solution_status_changes_company_on')
        batch_op.drop_constraint(
            batch_op.f('fk_solution_status_changes_company_id_companies'), type_='foreignkey'
        )
        batch_op.drop_column('company_id')
