"""The health figures' checks, counted per scope and span of months: `health_spans`.

A company's health at the end of M is its latest check within M-5..M (DESIGN.md section 5): each
check is that latest for a span of months (tracker.reports.figures.check_spans). Counted from
the records, a report reads every check of its 18 months, a pass that grows with the
portfolio; kept, a row per scope (every cluster, or one cluster) and span holds its checks'
answers counted, and a month adds up the few dozen rows that cover it.

Rows count the checks of portfolio companies (neither archived nor closed), archived checks
left out. They are adjusted by the difference a flush makes to the rows of the companies it
touches (a check written, moved, re-dated or archived; a company archived, closed, or moved
between clusters): before the flush, those companies' counts as they were; after it, as they
are; the rows take the difference, in the same transaction. The companies' rows are locked
first, so that two transactions changing one company's checks do not both start from the same
counts. The volume generator and the migration call `refresh`; `stale` compares with the
records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.companies import kept
from tracker.models import (
    HEALTH_COUNTS,
    RISK_CHANGE_COUNTS,
    SCOPE_ALL,
    Company,
    HealthCheck,
    Liquidity,
    RiskLevel,
    Trend,
    company_clusters,
    health_spans,
)
from tracker.reports import figures

CHECK_FIELDS = (
    "company_id",
    "company",
    "checked_on",
    "archived",
    "risk_level",
    "liquidity",
    "short_time_work",
    "turnover_trend",
    "orders_trend",
    "employment_trend",
    "outlook",
)
COMPANY_FIELDS = ("archived", "status", "clusters")
COUNTS = (*HEALTH_COUNTS, *RISK_CHANGE_COUNTS)
KEY = ("scope", "span_from", "span_to")
PENDING = "health_spans_pending"

Key = tuple[int, int, int]
Counts = dict[Key, list[int]]


def _answer_counts() -> list[sa.ColumnElement[int]]:
    """The HEALTH_COUNTS of a group of checks (HealthCheck joined), in their order."""
    columns = [
        sa.func.count(),
        *[figures.count_if(HealthCheck.risk_level == level) for level in RiskLevel],
        *[figures.count_if(HealthCheck.liquidity == answer) for answer in Liquidity],
        figures.count_if(HealthCheck.short_time_work.is_(True)),
        figures.count_if(HealthCheck.short_time_work.is_(False)),
    ]
    for column in figures.TREND_FIELDS.values():
        columns += [
            figures.count_if(column == Trend.UP),
            figures.count_if(column == Trend.DOWN),
            sa.func.count(column),
        ]
    return columns


def _with_previous(spans: sa.Subquery) -> sa.Select:
    """`spans` with the rank of each check's risk level, and the span_to and rank of the
    company's check before it (None for its first)."""
    rank = sa.case({level: level.rank for level in RiskLevel}, value=spans.c.risk_level)
    window = {"partition_by": spans.c.company_id, "order_by": spans.c.span_from}
    return sa.select(
        *spans.c,
        rank.label("rank"),
        sa.func.lag(spans.c.span_to).over(**window).label("previous_to"),
        sa.func.lag(rank).over(**window).label("previous_rank"),
    )


def _counted(company_ids: list[int] | None) -> sa.CompoundSelect:
    """(scope, span_from, span_to, *COUNTS) of the checks of `company_ids` (every company:
    None), for every cluster and for each cluster the company belongs to.

    The spans are worked out once (a CTE) and grouped twice: for every cluster, and joined
    with the company's clusters (by the membership's key) for each. Joined with a union of both
    scopes instead, SQLite searches the union for every check (ten minutes at 10x).
    """
    portfolio = figures.portfolio_companies(None)
    if company_ids is not None:
        portfolio = portfolio.where(Company.id.in_(company_ids))
    spans = _with_previous(figures.check_spans(portfolio)).cte("spans")
    follows = spans.c.previous_to == spans.c.span_from - 1
    now, before = spans.c.rank, spans.c.previous_rank
    counts = [
        *_answer_counts(),
        figures.count_if(follows & (now > before)),
        figures.count_if(follows & (now < before)),
        figures.count_if(follows & (now == before)),
    ]
    everyone = (
        sa.select(sa.literal(SCOPE_ALL, sa.Integer), spans.c.span_from, spans.c.span_to, *counts)
        .join(HealthCheck, HealthCheck.id == spans.c.id)
        .group_by(spans.c.span_from, spans.c.span_to)
    )
    cluster_id = company_clusters.c.cluster_id
    each_cluster = (
        sa.select(cluster_id, spans.c.span_from, spans.c.span_to, *counts)
        .join(HealthCheck, HealthCheck.id == spans.c.id)
        .join(company_clusters, company_clusters.c.company_id == spans.c.company_id)
        .group_by(cluster_id, spans.c.span_from, spans.c.span_to)
    )
    return sa.union_all(everyone, each_cluster)


def refresh(connection: sa.Connection) -> None:
    """Rewrite every row from the records."""
    connection.execute(health_spans.delete())
    connection.execute(health_spans.insert().from_select([*KEY, *COUNTS], _counted(None)))


def stale(connection: sa.Connection) -> list[Any]:
    """The rows that differ from the records (empty unless something wrote past the ORM
    without refreshing)."""
    return kept.stale_rows(connection, (health_spans,), refresh)["health_spans"]


def counts_of(connection: sa.Connection, company_ids: Iterable[int]) -> Counts:
    """The rows' counts that the checks of `company_ids` make, as they are now."""
    found: Counts = {}
    for chunk in kept.chunks(company_ids):
        for scope, span_from, span_to, *counts in connection.execute(_counted(chunk)):
            found[(scope, int(span_from), int(span_to))] = [int(n) for n in counts]
    return found


def adjust(connection: sa.Connection, before: Counts, after: Counts) -> None:
    """Add to the rows the difference from `before` to `after` (counts of the same companies),
    key by key in order; rows left without a check go."""
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key, [0] * len(COUNTS)), after.get(key, [0] * len(COUNTS))
        change = [n - o for o, n in zip(old, new, strict=True)]
        if any(change):
            rows.append(dict(zip((*KEY, *COUNTS), (*key, *change), strict=True)))
    if not rows:
        return
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    statement = insert(health_spans)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={name: health_spans.c[name] + statement.excluded[name] for name in COUNTS},
    )
    connection.execute(statement, rows)
    connection.execute(health_spans.delete().where(health_spans.c.assessed == 0))


# ------------------------------------------------------------------------------ session hooks


def _touched(session: Session) -> tuple[set[int], list[HealthCheck]]:
    """The ids of the companies whose checks' counts a flush may change (before it), and the
    new checks of companies that get their id in it."""
    ids: set[int] = set()
    stored: list[int] = []  # checks already written: their company as written, too
    unresolved: list[HealthCheck] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        new, deleted = obj in session.new, obj in session.deleted
        if isinstance(obj, HealthCheck):
            if not (new or deleted or kept.changed(obj, CHECK_FIELDS)):
                continue
            if not new:
                stored.append(obj.id)
            # The key, and the company the relationship names when it was set (the key
            # follows it at the flush; read only then: no load per edited check); a new
            # company's id is known after the flush, with nothing counted before.
            company = obj.company if new or kept.changed(obj, ("company",)) else None
            if company is not None and company.id is None:
                unresolved.append(obj)
            ids.update(i for i in (obj.company_id, company.id if company else None) if i)
        elif isinstance(obj, Company) and not new:
            if deleted or kept.changed(obj, COMPANY_FIELDS):
                ids.add(obj.id)
    for chunk in kept.chunks(stored):
        ids.update(
            session.connection()
            .execute(sa.select(HealthCheck.company_id).where(HealthCheck.id.in_(chunk)))
            .scalars()
        )
    return ids, unresolved


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    ids, unresolved = _touched(session)
    if not ids and not unresolved:
        return
    pending = session.info.setdefault(PENDING, {"ids": set(), "before": {}, "checks": []})
    fresh = sorted(ids - pending["ids"])
    if fresh:
        connection = session.connection()
        kept.lock_companies(connection, fresh)
        pending["before"].update(counts_of(connection, fresh))
        pending["ids"].update(fresh)
    pending["checks"].extend(unresolved)


def _after_flush(session: Session, _context: Any) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    ids = pending["ids"] | {check.company_id for check in pending["checks"]}
    ids.discard(None)
    connection = session.connection()
    adjust(connection, pending["before"], counts_of(connection, ids))


def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush_postexec", _after_flush)
event.listen(Session, "after_soft_rollback", _forget)
