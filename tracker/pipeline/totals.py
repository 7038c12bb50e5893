"""The workload's totals, kept per advisor: `workload_contacts` (per day and advisor, the
contacts they logged of portfolio companies), `workload_followups` (per due date and assignee,
the open follow-ups of portfolio companies) and `workload_owners` (per owner, their portfolio
companies and those companies' open needs and solutions today).

Worked out on the fly, the agency's workload reads every portfolio company, every contact of
the last 30 days and every overdue follow-up, each company looked up; kept, it reads a row per
advisor and day, and one per owner.
As with the companies' facts rows (tracker/companies/facts.py), each row is rewritten from the
records it derives from, never adjusted by increments. The session keeps them: a flush that
adds, changes or removes a contact, a follow-up, a need or a solution, or that adds a company or
changes its
owner, archived flag or status, rewrites the rows it touches in the same transaction, after
the facts rows. Writes that bypass the ORM (the companies import, the volume generator) call
`refresh_companies` or `refresh` themselves; purge only removes archived records, which these
rows do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

import tracker.companies.facts  # noqa: F401  (its rows are rewritten first: these sum them)
from tracker.companies import kept
from tracker.models import (
    Company,
    CompanyStatus,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    Solution,
    company_facts,
    workload_contacts,
    workload_followups,
    workload_owners,
)
from tracker.reports import figures

NOBODY = 0  # the owner key of the companies nobody owns
# PostgreSQL advisory lock classes of these rows, a lock per user key in each; taken in this
# order by each flush.
LOCKS = {"workload_owners": 720_531, "workload_contacts": 720_532, "workload_followups": 720_533}
# The owner is set through the relationship or its key: before the flush, only one changed.
COMPANY_FIELDS = ("owner", "owner_id", "archived", "status")
PORTFOLIO_FIELDS = ("archived", "status")  # the company's records count or not
# Records whose change changes their company's facts, and so its owner's row.
WATCHED: dict[type, tuple[str, ...]] = {
    Need: ("resolved_on", "closed_on", "company_id"),
    Solution: ("status", "need_id"),
}

DayKey = tuple[date, int]  # day, user id


@dataclass(frozen=True)
class DayCounts:
    """A table of counts per day and user, of the records of portfolio companies."""

    table: sa.Table
    model: type  # the records counted
    day: str  # their date
    user: str  # their user
    condition: str  # which of them count: a boolean column, or "status" (open ones)
    fields: tuple[str, ...]  # what a change of makes a record counted elsewhere, or not

    def counted(self) -> sa.ColumnElement[bool]:
        columns = self.model.__table__.c
        if self.condition == "status":
            return columns.status == FollowUpStatus.OPEN
        return columns[self.condition].is_(False)


CONTACTS = DayCounts(
    workload_contacts,
    Interaction,
    "occurred_on",
    "advisor_id",
    "archived",
    ("occurred_on", "advisor_id", "archived", "company_id"),
)
FOLLOWUPS = DayCounts(
    workload_followups,
    FollowUp,
    "due_on",
    "assignee_id",
    "status",
    ("due_on", "assignee_id", "status", "company_id"),
)
DAY_COUNTS = (CONTACTS, FOLLOWUPS)
# What a flush notes, by kind: day and owner keys, and what resolves to them after it.
NOTES = (
    *(f"{counts.table.name}:keys" for counts in DAY_COUNTS),  # (day, user id)
    *(f"{counts.table.name}:records" for counts in DAY_COUNTS),  # new or changed: theirs
    "owners",  # owner keys
    "companies",  # their owner
    "portfolio",  # ids of companies whose records count or no longer count
    "owned",  # needs, solutions and their former companies or needs (kept.Note): their owners
)


def _lock(connection: sa.Connection, table: sa.Table, keys: Iterable[int]) -> None:
    """Two transactions rewriting one advisor's rows of `table` wait for each other, and the
    second reads what the first committed."""
    kept.advisory_locks(connection, LOCKS[table.name], keys)


def refresh_days(
    connection: sa.Connection, counts: DayCounts, keys: Iterable[DayKey] | None = None
) -> None:
    """Rewrite the rows of `counts` of `keys` (days and users; every row: None) from the
    records."""
    records = counts.model.__table__.c
    day, user = records[counts.day], records[counts.user]
    counted = (
        sa.select(day, user, sa.func.count())
        .where(counts.counted(), figures.in_portfolio(records.company_id, None))
        .group_by(day, user)
    )
    table = counts.table
    columns = [c.name for c in table.columns]
    if keys is None:
        connection.execute(table.delete())
        # In the order of their keys, day first, as the days' rows come when contacts are
        # logged day by day: a period's rows then sit together in PostgreSQL's table, not on
        # a page each.
        connection.execute(table.insert().from_select(columns, counted.order_by(day, user)))
        return
    ordered = sorted(set(keys))
    _lock(connection, table, (user_id for _, user_id in ordered))
    for start in range(0, len(ordered), kept.CHUNK):
        chunk = ordered[start : start + kept.CHUNK]
        key = sa.tuple_(*table.primary_key.columns)
        connection.execute(table.delete().where(key.in_(chunk)))
        of_chunk = sa.tuple_(day, user).in_(chunk)
        connection.execute(table.insert().from_select(columns, counted.where(of_chunk)))


def _keys_of_companies(connection: sa.Connection, counts: DayCounts, ids: Iterable[int]) -> set:
    """The (day, user) keys of every record of these companies."""
    records = counts.model.__table__.c
    keys: set[DayKey] = set()
    for chunk in kept.chunks(ids):
        keys.update(
            (day, user_id)
            for day, user_id in connection.execute(
                sa.select(records[counts.day], records[counts.user])
                .where(records.company_id.in_(chunk))
                .distinct()
            )
        )
    return keys


def refresh_owners(connection: sa.Connection, owner_keys: Iterable[int] | None = None) -> None:
    """Rewrite the rows of `owner_keys` (user ids, NOBODY; every row: None) from the companies
    and their facts rows: a row for each owner of a company that is not archived."""
    companies = Company.__table__.c
    facts = company_facts.c
    key = sa.func.coalesce(companies.owner_id, NOBODY)
    active = companies.status != CompanyStatus.CLOSED  # not archived: in the portfolio

    def portfolio_sum(value: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((active, value), else_=0)), 0)

    counted = (
        sa.select(
            key,
            portfolio_sum(1),
            portfolio_sum(facts.open_needs),
            portfolio_sum(facts.open_solutions),
            sa.func.count(),
        )
        .select_from(Company.__table__)
        .join(company_facts, facts.company_id == companies.id)
        .where(companies.archived.is_(False))
        .group_by(key)
    )
    columns = ["owner_key", "companies", "open_needs", "open_solutions", "listed"]
    if owner_keys is None:
        connection.execute(workload_owners.delete())
        connection.execute(workload_owners.insert().from_select(columns, counted))
        return
    ordered = sorted(set(owner_keys))
    _lock(connection, workload_owners, ordered)
    for start in range(0, len(ordered), kept.CHUNK):
        chunk = ordered[start : start + kept.CHUNK]
        connection.execute(workload_owners.delete().where(workload_owners.c.owner_key.in_(chunk)))
        # Each owner's companies through the owner index; those nobody owns by their NULL.
        owned = companies.owner_id.in_([k for k in chunk if k != NOBODY])
        if NOBODY in chunk:
            owned = sa.or_(owned, companies.owner_id.is_(None))
        connection.execute(workload_owners.insert().from_select(columns, counted.where(owned)))


def refresh(connection: sa.Connection) -> None:
    """Rewrite every row (the migration that adds them, the volume generator)."""
    refresh_owners(connection)
    for counts in DAY_COUNTS:
        refresh_days(connection, counts)


def refresh_companies(connection: sa.Connection, company_ids: Iterable[int]) -> None:
    """Rewrite the rows of these companies' owners and of their records' days and users
    (companies written past the ORM, after their facts rows)."""
    ids = sorted(set(company_ids))
    refresh_owners(connection, _owners_of(connection, ids))
    for counts in DAY_COUNTS:
        refresh_days(connection, counts, _keys_of_companies(connection, counts, ids))


def _owners_of(connection: sa.Connection, company_ids: Iterable[int]) -> set[int]:
    companies = Company.__table__.c
    owners: set[int] = set()
    for chunk in kept.chunks(company_ids):
        owners.update(
            connection.execute(
                sa.select(sa.func.coalesce(companies.owner_id, NOBODY))
                .where(companies.id.in_(chunk))
                .distinct()
            ).scalars()
        )
    return owners


def stale(connection: sa.Connection) -> dict[str, list[Any]]:
    """The rows that differ from the records, by table (empty lists unless something wrote
    past the ORM without refreshing): for the tests and for checking a database."""
    found: dict[str, list[Any]] = {}
    for table, refresh_table in (
        (workload_owners, refresh_owners),
        *(
            (counts.table, lambda c, counts=counts: refresh_days(c, counts))
            for counts in DAY_COUNTS
        ),
    ):
        kept_rows = set(map(tuple, connection.execute(sa.select(table))))
        savepoint = connection.begin_nested()
        refresh_table(connection)
        derived = set(map(tuple, connection.execute(sa.select(table))))
        savepoint.rollback()
        found[table.name] = sorted(kept_rows ^ derived)
    return found


# ------------------------------------------------------------------------------ session hooks


def _former(obj: Any, attribute: str) -> list[Any]:
    """The values `attribute` had before this flush changed it, None included."""
    return list(inspect(obj).attrs[attribute].history.deleted or ())


def _note(session: Session, obj: Any, pending: dict[str, set[Any]]) -> None:
    """What a new, changed or deleted object of the flush touches: contact keys and owner keys
    known now (former values), and objects and companies to resolve after the flush."""
    new, deleted = obj in session.new, obj in session.deleted
    for counts in DAY_COUNTS:
        if isinstance(obj, counts.model):
            if new or deleted or kept.changed(obj, counts.fields):
                days = {getattr(obj, counts.day), *_former(obj, counts.day)}
                users = {getattr(obj, counts.user), *_former(obj, counts.user)}
                keys = pending[f"{counts.table.name}:keys"]
                keys.update((d, u) for d in days for u in users if d and u)
                if not deleted:  # its user may only be set by the flush
                    pending[f"{counts.table.name}:records"].add(obj)
            return
    if isinstance(obj, Company):
        if not (new or deleted or kept.changed(obj, COMPANY_FIELDS)):
            return
        # Before the flush, owner_id still holds the former owner when the relationship changed.
        former = [obj.owner_id, *_former(obj, "owner_id")]
        former += [user.id if user else None for user in _former(obj, "owner")]
        pending["owners"].update(o or NOBODY for o in former)
        pending["companies"].add(obj)
        if not new and kept.changed(obj, PORTFOLIO_FIELDS):  # its records count or not
            pending["portfolio"].add(obj.id)
    elif type(obj) in WATCHED and (new or deleted or kept.changed(obj, WATCHED[type(obj)])):
        pending["owned"].add(obj)
        if isinstance(obj, Solution):  # moved to another need: that need's company too
            pending["owned"].update(("need", need_id) for need_id in kept.former(obj, "need_id"))
        else:
            pending["owned"].update(kept.former(obj, "company_id"))


def _rewrite(connection: sa.Connection, pending: dict[str, set[Any]]) -> None:
    company_ids = kept.company_ids_of(connection, pending["owned"])
    owners = set(pending["owners"]) | _owners_of(connection, company_ids)
    owners.update(c.owner_id or NOBODY for c in pending["companies"])
    if owners:
        refresh_owners(connection, owners)
    for counts in DAY_COUNTS:
        keys = set(pending[f"{counts.table.name}:keys"])
        keys.update(
            (getattr(r, counts.day), getattr(r, counts.user))
            for r in pending[f"{counts.table.name}:records"]
        )
        keys |= _keys_of_companies(connection, counts, pending["portfolio"])
        if keys:
            refresh_days(connection, counts, keys)


kept.keep_notes("workload_totals", NOTES, _note, _rewrite)
