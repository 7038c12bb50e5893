"""Reads behind the admin pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.admin.services import instrument_name_key
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    Instrument,
    InstrumentKind,
    Market,
    Need,
    NeedCategory,
    Solution,
    User,
    company_clusters,
    company_markets,
    user_clusters,
)


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


def need_category_overview() -> list[sa.Row]:
    """Every need category in list order, with the number of needs filed under it."""
    usage = (
        sa.select(Need.category_id, sa.func.count().label("n"))
        .group_by(Need.category_id)
        .subquery()
    )
    return list(
        db.session.execute(
            sa.select(NeedCategory, sa.func.coalesce(usage.c.n, 0).label("needs"))
            .outerjoin(usage, usage.c.category_id == NeedCategory.id)
            .order_by(NeedCategory.position, NeedCategory.name)
        )
    )


def market_overview() -> list[sa.Row]:
    """Every market by name, with the number of companies (not archived) that serve it."""
    usage = (
        sa.select(company_markets.c.market_id, sa.func.count().label("n"))
        .join(Company, Company.id == company_markets.c.company_id)
        .where(Company.archived.is_(False))
        .group_by(company_markets.c.market_id)
        .subquery()
    )
    return list(
        db.session.execute(
            sa.select(Market, sa.func.coalesce(usage.c.n, 0).label("companies"))
            .outerjoin(usage, usage.c.market_id == Market.id)
            .order_by(Market.name)
        )
    )


def instruments_query(
    kind: InstrumentKind | None = None, q: str = ""
) -> sa.Select[tuple[Instrument]]:
    """Instruments by name; `kind` filters, `q` searches name and provider without case or accents.

    The search reads the catalogue's names once and matches them in Python: "Letzebuerg" must find
    "Lëtzebuerg", and neither database strips accents portably.
    """
    query = sa.select(Instrument).order_by(Instrument.name)
    if kind is not None:
        query = query.where(Instrument.kind == kind)
    if q:
        wanted = instrument_name_key(q)
        rows = db.session.execute(sa.select(Instrument.id, Instrument.name, Instrument.provider))
        ids = [
            row.id
            for row in rows
            if wanted in instrument_name_key(row.name)
            or wanted in instrument_name_key(row.provider)
        ]
        query = query.where(Instrument.id.in_(ids))
    return query


def solutions_per_instrument(instrument_ids: Iterable[int]) -> dict[int, int]:
    """{instrument id: number of solutions suggesting it}, in one grouped query."""
    ids = list(instrument_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Solution.instrument_id, sa.func.count())
        .where(Solution.instrument_id.in_(ids))
        .group_by(Solution.instrument_id)
    )
    return {instrument_id: n for instrument_id, n in rows}


def instrument_state(instrument: Instrument, on: date) -> str:
    """`current`, `upcoming` or `ended`: where `on` falls in the instrument's active period."""
    if instrument.active_from is not None and on < instrument.active_from:
        return "upcoming"
    if instrument.active_to is not None and on > instrument.active_to:
        return "ended"
    return "current"


def catalogue_counts(on: date) -> dict[str, Any]:
    """The figures on the admin home page's catalogue cards, one statement per catalogue."""
    current = sa.and_(
        sa.or_(Instrument.active_from.is_(None), Instrument.active_from <= on),
        sa.or_(Instrument.active_to.is_(None), Instrument.active_to >= on),
    )
    categories = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.count().filter(NeedCategory.active.is_(True))
        ).select_from(NeedCategory)
    ).one()
    instruments = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(current)).select_from(Instrument)
    ).one()
    markets = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Market.active.is_(True))).select_from(
            Market
        )
    ).one()
    return {
        "need_categories": categories[0],
        "active_need_categories": categories[1],
        "instruments": instruments[0],
        "current_instruments": instruments[1],
        "markets": markets[0],
        "active_markets": markets[1],
    }
