"""Reads behind the dashboard: the signed-in user's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.dates import today
from tracker.extensions import db
from tracker.health import latest_health_checks
from tracker.models import (
    Company,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    NeedStatus,
    RiskLevel,
    User,
)

LIST_LIMIT = 8
NOT_CONTACTED_DAYS = 90


@dataclass(frozen=True)
class DashboardCounts:
    companies: int
    open_needs: int
    open_followups: int
    overdue_followups: int
    interactions_30d: int


@dataclass
class Dashboard:
    counts: DashboardCounts
    overdue: list[FollowUp]
    upcoming: list[FollowUp]
    recent: list[Interaction]
    at_risk: list[sa.Row]
    not_contacted: list[sa.Row]
    not_contacted_total: int


def _my_companies(user: User) -> sa.Select:
    return sa.select(Company.id).where(Company.owner_id == user.id, Company.archived.is_(False))


def dashboard_counts(user: User, on: date | None = None) -> DashboardCounts:
    """The user's portfolio at a glance, in one query."""
    on = on or today()
    my_companies = _my_companies(user)
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


def _followups(user: User) -> sa.Select:
    return (
        sa.select(FollowUp)
        .where(FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN)
        .options(selectinload(FollowUp.company))
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(LIST_LIMIT)
    )


def _last_contact(companies: sa.Select) -> sa.Subquery:
    """The latest contact with each of `companies` (a select of ids)."""
    return (
        sa.select(
            Interaction.company_id, sa.func.max(Interaction.occurred_on).label("last_contact")
        )
        .where(Interaction.company_id.in_(companies))
        .group_by(Interaction.company_id)
        .subquery("last_contact")
    )


def build_dashboard(user: User, on: date | None = None) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries."""
    on = on or today()
    overdue = db.session.scalars(_followups(user).where(FollowUp.due_on < on)).all()
    upcoming = db.session.scalars(
        _followups(user).where(FollowUp.due_on >= on, FollowUp.due_on <= on + timedelta(days=7))
    ).all()
    recent = db.session.scalars(
        sa.select(Interaction)
        .where(Interaction.advisor_id == user.id)
        .options(selectinload(Interaction.company))
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    # Both aggregates are limited to the user's portfolio: their cost does not grow with the
    # contacts and checks of every other company.
    latest = latest_health_checks(on, companies=_my_companies(user))
    last = _last_contact(_my_companies(user))
    at_risk = db.session.execute(
        sa.select(Company.id, Company.legal_name, latest.c.risk_level, latest.c.checked_on)
        .join(latest, latest.c.company_id == Company.id)
        .where(
            Company.owner_id == user.id,
            Company.archived.is_(False),
            latest.c.risk_level.in_([RiskLevel.HIGH.value, RiskLevel.CRITICAL.value]),
        )
        .order_by(
            sa.case({RiskLevel.CRITICAL.value: 0}, value=latest.c.risk_level, else_=1),
            Company.legal_name,
        )
        .limit(LIST_LIMIT)
    ).all()
    stale = (
        sa.select(Company.id, Company.legal_name, last.c.last_contact)
        .outerjoin(last, last.c.company_id == Company.id)
        .where(
            Company.owner_id == user.id,
            Company.archived.is_(False),
            sa.or_(
                last.c.last_contact.is_(None),
                last.c.last_contact < on - timedelta(days=NOT_CONTACTED_DAYS),
            ),
        )
    )
    not_contacted = db.session.execute(
        stale.order_by(last.c.last_contact.asc().nulls_first(), Company.legal_name).limit(
            LIST_LIMIT
        )
    ).all()
    not_contacted_total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stale.subquery())
    )
    return Dashboard(
        counts=dashboard_counts(user, on),
        overdue=list(overdue),
        upcoming=list(upcoming),
        recent=list(recent),
        at_risk=list(at_risk),
        not_contacted=list(not_contacted),
        not_contacted_total=not_contacted_total or 0,
    )
