"""company_search and company_facts carry the company's listed flag, status and sorting name

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 01:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on either database (a batch would reflect the companies table on SQLite,
    # and its expression index with it).
    for table in ("company_search", "company_facts"):
        op.add_column(
            table, sa.Column("listed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        if table == "company_facts":
            op.add_column(
                table,
                sa.Column(
                    "status",
                    sa.Enum(
                        "active",
                        "dormant",
                        "closed",
                        name="companystatus",
                        native_enum=False,
                        length=16,
                    ),
                    server_default="active",
                    nullable=False,
                ),
            )
        op.add_column(
            table, sa.Column("name_key", sa.String(length=200), server_default="", nullable=False)
        )
    # The rows already there, from their companies.
    def of_company(table, expression):
        return f"(SELECT {expression} FROM companies c WHERE c.id = {table}.company_id)"

    for table in ("company_search", "company_facts"):
        assignments = [
            f"listed = {of_company(table, 'NOT c.archived')}",
            f"name_key = {of_company(table, 'lower(c.legal_name)')}",
        ]
        if table == "company_facts":
            assignments.append(f"status = {of_company(table, 'c.status')}")
        op.execute(f"UPDATE {table} SET {', '.join(assignments)}")


def downgrade():
    # SQLite drops a column in place (3.35 and later): a batch would rebuild company_search
    # without its trigram triggers.
    for table, columns in (
        ("company_facts", ("name_key", "status", "listed")),
        ("company_search", ("name_key", "listed")),
    ):
        for column in columns:
            if op.get_bind().dialect.name == "sqlite":
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            else:
                op.drop_column(table, column)
