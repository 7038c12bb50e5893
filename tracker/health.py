"""Shared reads of company health: each company's latest check-in."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.models import HealthCheck


def latest_health_checks(
    on: date, since: date | None = None, companies: sa.Select | None = None
) -> sa.Subquery:
    """Each company's latest health check dated on or before `on` (and on or after `since`).

    One row per company: company_id, checked_on and every answer column. `companies`, a
    select of company ids, limits the ranking to them (a dashboard ranks one portfolio, not
    every check in the database).
    """
    ranked = sa.select(
        HealthCheck.company_id,
        HealthCheck.id.label("health_check_id"),
        HealthCheck.checked_on,
        HealthCheck.turnover_trend,
        HealthCheck.orders_trend,
        HealthCheck.employment_trend,
        HealthCheck.outlook,
        HealthCheck.short_time_work,
        HealthCheck.liquidity,
        HealthCheck.risk_level,
        sa.func.row_number()
        .over(
            partition_by=HealthCheck.company_id,
            order_by=(HealthCheck.checked_on.desc(), HealthCheck.id.desc()),
        )
        .label("rank"),
    ).where(HealthCheck.checked_on <= on)
    if since is not None:
        ranked = ranked.where(HealthCheck.checked_on >= since)
    if companies is not None:
        ranked = ranked.where(HealthCheck.company_id.in_(companies))
    ranked_sq = ranked.subquery("ranked_checks")
    return (
        sa.select(*[c for c in ranked_sq.c if c.name != "rank"])
        .where(ranked_sq.c.rank == 1)
        .subquery("latest_checks")
    )
