"""Rows derived from each company's records and kept by the session: the search rows
(search.py) and the facts rows (facts.py) share this machinery; the workload's totals, the
funnel's flows and the board's column counts (tracker/pipeline/totals.py, flows.py,
columns.py) its parts.

`keep` registers three session hooks for one kind of row: before a flush, which records change
it (their companies' ids may only exist after the flush); after the flush, the ids of those
companies, whose rows the keeper rewrites in the same transaction; after a rollback, nothing
pending. A keeper's `refresh` takes `lock_companies` first, so that concurrent transactions
rewriting one company's rows wait for each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from tracker.models import Company, Need, Solution

CHUNK = 500  # company ids per statement (SQLite takes at most 32,766 parameters)

# What a keeper notes of a record of a flush, resolved to company ids after it: a company id,
# a Company, ("need", need id), a Solution (its need's company), or a record with company_id.
Note = Callable[[Session, Any], Iterable[Any]]
Refresh = Callable[[sa.Connection, Iterable[int]], None]


def changed(obj: Any, fields: tuple[str, ...]) -> bool:
    """A field of `fields` of the object has a change not yet flushed."""
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def former(obj: Any, attribute: str) -> list[int]:
    """The values `attribute` had before this flush changed it (a record moved elsewhere)."""
    return [value for value in inspect(obj).attrs[attribute].history.deleted or () if value]


def chunks(company_ids: Iterable[int]) -> Iterable[list[int]]:
    """The ids, sorted and without repeats, CHUNK at a time."""
    ids = sorted(set(company_ids))
    return (ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK))


def lock_companies(connection: sa.Connection, company_ids: list[int]) -> None:
    """Wait for, then hold, the rows of `company_ids` in `companies` (in id order), before
    rewriting rows derived from them.

    Two transactions rewriting the same company's derived row (two contacts logged at once)
    would otherwise both delete the row they saw and both insert one. The company row stays
    (the derived one is deleted and inserted again), so it serializes any number of writers;
    once it is held, each later statement sees what the others committed (PostgreSQL reads
    each statement afresh). FOR NO KEY UPDATE: inserting a contact of the company (a foreign
    key check) does not wait for it. SQLite lets one writer at a time anyway.
    """
    companies = Company.__table__
    connection.execute(
        sa.select(companies.c.id)
        .where(companies.c.id.in_(company_ids))
        .order_by(companies.c.id)
        .with_for_update(key_share=True)
    ).all()


def advisory_locks(connection: sa.Connection, kind: int, keys: Iterable[int]) -> None:
    """Wait for, then hold until the transaction ends, PostgreSQL's advisory lock of each key
    of one kind of derived rows, in order: for rows kept per advisor or per day, which no table
    row stands for. SQLite lets one writer at a time anyway."""
    if connection.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        lock = sa.literal(kind << 32 | key, sa.BigInteger)
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))


def keep_notes(
    name: str,
    kinds: Iterable[str],
    note: Callable[[Session, Any, dict[str, set[Any]]], None],
    rewrite: Callable[[sa.Connection, dict[str, set[Any]]], None],
) -> None:
    """Keep rows derived from more than companies (the workload's totals, the funnel's flows):
    before a flush, `note` files what each new, changed or deleted object touches into sets by
    kind; after it, `rewrite` rewrites the rows they name, on the flush's connection; after a
    rollback, nothing pending."""
    pending_key = f"{name}_pending"

    def note_flush(session: Session, _context: Any, _instances: Any) -> None:
        pending = session.info.setdefault(pending_key, {kind: set() for kind in kinds})
        for obj in chain(session.new, session.dirty, session.deleted):
            note(session, obj, pending)

    def forget(session: Session, _previous: Any) -> None:
        session.info.pop(pending_key, None)

    def after_flush(session: Session, _context: Any) -> None:
        pending = session.info.pop(pending_key, None)
        if pending and any(pending.values()):
            rewrite(session.connection(), pending)

    event.listen(Session, "before_flush", note_flush)
    event.listen(Session, "after_soft_rollback", forget)
    event.listen(Session, "after_flush_postexec", after_flush)


def keep(name: str, note: Note, refresh: Refresh) -> None:
    """Keep one kind of derived rows: `note` tells what a new, changed or deleted object of a
    flush touches (nothing: it does not matter to these rows), `refresh` rewrites the rows of
    the companies touched, after the flush, on its connection."""

    def file(session: Session, obj: Any, pending: dict[str, set[Any]]) -> None:
        pending["notes"].update(note(session, obj))

    def rewrite(connection: sa.Connection, pending: dict[str, set[Any]]) -> None:
        ids = company_ids_of(connection, pending["notes"])
        if ids:
            refresh(connection, ids)

    keep_notes(name, ("notes",), file, rewrite)


def company_ids_of(connection: sa.Connection, pending: Iterable[Any]) -> set[int]:
    """The ids of the companies that the notes (see Note) of a flush touch, once flushed."""
    ids: set[int] = set()
    need_ids: set[int] = set()
    for item in pending:
        if isinstance(item, int):
            ids.add(item)
        elif isinstance(item, tuple):  # ("need", id)
            need_ids.add(item[1])
        elif isinstance(item, Company):
            ids.add(item.id)
        elif isinstance(item, Solution):  # flushed: its need_id is set
            need_ids.add(item.need_id)
        else:  # a record, flushed: its company_id is set
            ids.add(item.company_id)
    if need_ids:
        needs = Need.__table__.c
        ids.update(
            connection.execute(
                sa.select(needs.company_id).where(needs.id.in_(sorted(need_ids)))
            ).scalars()
        )
    ids.discard(None)  # type: ignore[arg-type]
    return ids


# What moves a solution in or out of the portfolio, for the keepers of rows per solution: its
# need's company, that company's archived flag or status.
NEED_FIELDS = ("company_id",)
COMPANY_FIELDS = ("archived", "status")


def note_solution_owners(session: Session, obj: Any, pending: dict[str, set[Any]]) -> None:
    """File a need or a company of a flush whose solutions' rows are rewritten after it (see
    needs_of): one deleted, or moved (NEED_FIELDS, COMPANY_FIELDS); a new one has no solution
    written yet."""
    if obj in session.new:
        return
    deleted = obj in session.deleted
    if isinstance(obj, Need) and (deleted or changed(obj, NEED_FIELDS)):
        pending["need_ids"].add(obj.id)
    elif isinstance(obj, Company) and (deleted or changed(obj, COMPANY_FIELDS)):
        pending["company_ids"].add(obj.id)


def stale_rows(
    connection: sa.Connection,
    tables: Iterable[sa.Table],
    refresh: Callable[[sa.Connection], None],
) -> dict[str, list[Any]]:
    """The rows of `tables` that differ from what `refresh` derives from the records, by table
    (refreshed in a savepoint, rolled back)."""
    tables = list(tables)
    before = {t.name: set(map(tuple, connection.execute(sa.select(t)))) for t in tables}
    savepoint = connection.begin_nested()
    refresh(connection)
    found = {}
    for table in tables:
        derived = set(map(tuple, connection.execute(sa.select(table))))
        found[table.name] = sorted(before[table.name] ^ derived, key=repr)
    savepoint.rollback()
    return found


def needs_of(
    connection: sa.Connection, need_ids: Iterable[int], company_ids: Iterable[int]
) -> set[int]:
    """The ids of `need_ids` and of every need of `company_ids` (whose solutions a keeper of
    rows per solution rewrites when a need or company changes)."""
    needs = Need.__table__.c
    found = set(need_ids)
    for chunk in chunks(company_ids):
        found.update(
            connection.execute(sa.select(needs.id).where(needs.company_id.in_(chunk))).scalars()
        )
    return found
