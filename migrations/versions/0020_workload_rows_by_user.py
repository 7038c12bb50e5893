"""workload_contacts and workload_followups: indexes by user and day (the workload's page)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 02:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_workload_contacts_advisor_day",
        "workload_contacts",
        ["advisor_id", "day", "contacts"],
        unique=False,
    )
    op.create_index(
        "ix_workload_followups_assignee_day",
        "workload_followups",
        ["assignee_id", "day", "open"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_workload_followups_assignee_day", table_name="workload_followups")
    op.drop_index("ix_workload_contacts_advisor_day", table_name="workload_contacts")
