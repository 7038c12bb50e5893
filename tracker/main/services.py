"""Reads behind the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.dates import today
from tracker.extensions import db
from tracker.models import Company, FollowUp, FollowUpStatus, Interaction, Need, NeedStatus, User


@dataclass(frozen=True)
class DashboardCounts:
    companies: int
    open_needs: int
    open_followups: int
    overdue_followups: int
    interactions_30d: int


def dashboard_counts(user: User, on: date | None = None) -> DashboardCounts:
    """The user's portfolio at a glance, in one query."""
    on = on or today()
    my_companies = sa.select(Company.id).where(
        Company.owner_id == user.id, Company.archived.is_(False)
    )
    open_followups = sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN
    )
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(my_companies.subquery()).scalar_subquery(),
            sa.select(sa.func.count(Need.id))
            .where(
                Need.company_id.in_(my_companies),
                Need.status.in_([NeedStatus.OPEN, NeedStatus.IN_PROGRESS]),
            )
            .scalar_subquery(),
            open_followups.scalar_subquery(),
            open_followups.where(FollowUp.due_on < on).scalar_subquery(),
            sa.select(sa.func.count(Interaction.id))
            .where(
                Interaction.advisor_id == user.id,
                Interaction.occurred_on > on - timedelta(days=30),
            )
            .scalar_subquery(),
        )
    ).one()
    return DashboardCounts(*row)
