"""Reads behind the admin pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Cluster, Company, User, company_clusters, user_clusters


def users_query(q: str = "") -> sa.Select[tuple[User]]:
    """Users by name, with their clusters loaded in one more query; `q` filters name or e-mail."""
    query = db.select(User).options(selectinload(User.clusters)).order_by(User.name)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    return query


def cluster_overview() -> list[sa.Row]:
    """Every cluster with its number of staff and of companies."""
    staff = (
        sa.select(sa.func.count())
        .select_from(user_clusters)
        .where(user_clusters.c.cluster_id == Cluster.id)
        .scalar_subquery()
    )
    companies = (
        sa.select(sa.func.count())
        .select_from(company_clusters)
        .join(Company, Company.id == company_clusters.c.company_id)
        .where(company_clusters.c.cluster_id == Cluster.id, Company.archived.is_(False))
        .scalar_subquery()
    )
    return list(
        db.session.execute(
            sa.select(Cluster, staff.label("staff"), companies.label("companies")).order_by(
                Cluster.name
            )
        )
    )
