"""health_spans: the report's health checks counted per scope and span of months

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 22:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "health_spans",
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("span_from", sa.Integer(), nullable=False),
        sa.Column("span_to", sa.Integer(), nullable=False),
        sa.Column("assessed", sa.Integer(), nullable=False),
        sa.Column("risk_low", sa.Integer(), nullable=False),
        sa.Column("risk_medium", sa.Integer(), nullable=False),
        sa.Column("risk_high", sa.Integer(), nullable=False),
        sa.Column("risk_critical", sa.Integer(), nullable=False),
        sa.Column("liquidity_good", sa.Integer(), nullable=False),
        sa.Column("liquidity_adequate", sa.Integer(), nullable=False),
        sa.Column("liquidity_tight", sa.Integer(), nullable=False),
        sa.Column("liquidity_critical", sa.Integer(), nullable=False),
        sa.Column("stw_yes", sa.Integer(), nullable=False),
        sa.Column("stw_no", sa.Integer(), nullable=False),
        sa.Column("turnover_up", sa.Integer(), nullable=False),
        sa.Column("turnover_down", sa.Integer(), nullable=False),
        sa.Column("turnover_answered", sa.Integer(), nullable=False),
        sa.Column("orders_up", sa.Integer(), nullable=False),
        sa.Column("orders_down", sa.Integer(), nullable=False),
        sa.Column("orders_answered", sa.Integer(), nullable=False),
        sa.Column("employment_up", sa.Integer(), nullable=False),
        sa.Column("employment_down", sa.Integer(), nullable=False),
        sa.Column("employment_answered", sa.Integer(), nullable=False),
        sa.Column("outlook_up", sa.Integer(), nullable=False),
        sa.Column("outlook_down", sa.Integer(), nullable=False),
        sa.Column("outlook_answered", sa.Integer(), nullable=False),
        sa.Column("worsened", sa.Integer(), nullable=False),
        sa.Column("improved", sa.Integer(), nullable=False),
        sa.Column("same_risk", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "span_from", "span_to", name=op.f("pk_health_spans")),
        sqlite_with_rowid=False,
    )
    # The rows of the records already there, as the application keeps them.
    from tracker.reports.spans import refresh

    refresh(op.get_bind())


def downgrade():
    op.drop_table("health_spans")
