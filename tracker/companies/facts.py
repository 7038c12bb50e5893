"""What the companies list filters and sorts on, and the workload counts, kept in one row per
company: `company_facts` (its latest contact, its latest assessed risk, its next open follow-up,
its open needs and their open solutions; and, from the company itself, whether it is listed,
its status and its sorting name, so that the list keeps and orders companies from these rows
alone).

Worked out on the fly, "high risk, not contacted for 90 days, latest contact first" reads the
history of every company of the agency; kept, it is one index range of a narrow table. Each row
is rewritten from the records it derives from, never adjusted by increments, so a row is right
whatever the order of the changes. The session keeps the rows: a flush that adds, changes or
removes an interaction, a health check, a follow-up, a need or a solution (or adds a company)
rewrites the rows of their companies in the same transaction (tracker/companies/kept.py).
Writes that bypass the ORM (the companies import, the volume generator) call `refresh`
themselves; purge removes a company's row with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.companies import kept
from tracker.companies.search import sort_name
from tracker.models import (
    Company,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Interaction,
    Need,
    Solution,
    SolutionStatus,
)
from tracker.models import company_facts as facts

# What each kind of record changes in the facts; a change of anything else leaves them.
WATCHED: dict[type, tuple[str, ...]] = {
    Interaction: ("occurred_on", "archived", "company_id"),
    HealthCheck: ("checked_on", "risk_level", "archived", "company_id"),
    FollowUp: ("due_on", "status", "company_id"),
    Need: ("resolved_on", "closed_on", "company_id"),
    Solution: ("status", "need_id"),
}
COMPANY_FIELDS = ("archived", "status", "legal_name")  # a company's own, in its row
OPEN_SOLUTION_STATUSES = tuple(status for status in SolutionStatus if not status.is_decided)


def derived(company_id: sa.ColumnElement[int]) -> dict[str, sa.ScalarSelect[Any]]:
    """The facts of the company `company_id`, worked out from its records (Core: archived
    records are left out here, not by the session's hook)."""
    interactions = Interaction.__table__.c
    checks = HealthCheck.__table__.c
    followups = FollowUp.__table__.c
    needs = Need.__table__.c
    solutions = Solution.__table__.c
    open_need = sa.and_(needs.resolved_on.is_(None), needs.closed_on.is_(None))
    company = Company.__table__.alias("listed_company")

    def own(value: Any) -> sa.ScalarSelect[Any]:
        return sa.select(value).where(company.c.id == company_id).scalar_subquery()

    return {
        "listed": own(sa.not_(company.c.archived)),
        "status": own(company.c.status),
        "name_key": own(sort_name(company.c.legal_name)),
        "last_contact_on": sa.select(sa.func.max(interactions.occurred_on))
        .where(interactions.company_id == company_id, interactions.archived.is_(False))
        .scalar_subquery(),
        "latest_risk": sa.select(checks.risk_level)
        .where(
            checks.company_id == company_id,
            checks.archived.is_(False),
            checks.risk_level.is_not(None),
        )
        .order_by(checks.checked_on.desc(), checks.id.desc())
        .limit(1)
        .scalar_subquery(),
        "next_followup_on": sa.select(sa.func.min(followups.due_on))
        .where(followups.company_id == company_id, followups.status == FollowUpStatus.OPEN)
        .scalar_subquery(),
        "open_needs": sa.select(sa.func.count())
        .select_from(Need.__table__)
        .where(needs.company_id == company_id, open_need)
        .scalar_subquery(),
        "open_solutions": sa.select(sa.func.count())
        .select_from(Solution.__table__)
        .join(Need.__table__, needs.id == solutions.need_id)
        .where(needs.company_id == company_id, solutions.status.in_(OPEN_SOLUTION_STATUSES))
        .scalar_subquery(),
    }


def refresh(connection: sa.Connection, company_ids: Iterable[int] | None = None) -> None:
    """Rewrite the facts rows of `company_ids` (every company: None) from their records, one
    delete and one insert per chunk, once the companies are locked; a company that no longer
    exists loses its row."""
    companies = Company.__table__.c
    if company_ids is None:
        connection.execute(facts.delete())
        chunks: Iterable[list[int] | None] = [None]
    else:
        chunks = kept.chunks(company_ids)
    for chunk in chunks:
        rows = sa.select(companies.id, *derived(companies.id).values())
        if chunk is not None:
            kept.lock_companies(connection, chunk)
            connection.execute(facts.delete().where(facts.c.company_id.in_(chunk)))
            rows = rows.where(companies.id.in_(chunk))
        connection.execute(facts.insert().from_select(["company_id", *derived(companies.id)], rows))


def stale(connection: sa.Connection) -> list[int]:
    """The companies whose facts row is missing or differs from their records (none, unless
    something wrote past the ORM without `refresh`): for the tests and for checking a
    database."""
    companies = Company.__table__.c
    differs = sa.or_(
        *[facts.c[name].is_distinct_from(value) for name, value in derived(companies.id).items()]
    )
    query = (
        sa.select(companies.id)
        .outerjoin(facts, facts.c.company_id == companies.id)
        .where(sa.or_(facts.c.company_id.is_(None), differs))
        .order_by(companies.id)
    )
    return list(connection.execute(query).scalars())


def _note(session: Session, obj: Any) -> list[Any]:
    """A record of the flush that changes facts: it (its company, after the flush), and the
    company or need it was moved from; a company when it is new (it needs its row) or its own
    columns of the row change."""
    if isinstance(obj, Company):
        return [obj] if obj in session.new or kept.changed(obj, COMPANY_FIELDS) else []
    fields = WATCHED.get(type(obj))
    if fields is None or not (
        obj in session.new or obj in session.deleted or kept.changed(obj, fields)
    ):
        return []
    if isinstance(obj, Solution):  # moved to another need: that need's company too
        return [obj, *(("need", need_id) for need_id in kept.former(obj, "need_id"))]
    return [obj, *kept.former(obj, "company_id")]


kept.keep("company_facts", _note, refresh)
