"""The funnel's flows, kept per day: `funnel_days` and `funnel_repeats`.

The funnel counts, for a period, the solutions suggested in it, those with a change to
"submitted" in it, those with a change to "granted" in it (with their amounts), and those with a
change to a decided status in it (with the days from suggestion to the latest such change in the
period). Worked out, that reads every solution and status change of the period; kept, a row per
day and kind of solution.

A solution counts once in a period however many days of it saw such a change. So each day row
counts the solutions with a change of its metric that day, and `funnel_repeats` holds, for each
solution and metric, each pair of consecutive days with such a change (earlier, later): a
period holds a run of k of a solution's days, and the k - 1 pairs inside it, whose rows are
taken off the k day rows, leave one; for "decided" the one left is the latest day of the run,
whose days from suggestion are the ones the funnel reports.

Rows count portfolio companies (neither archived nor closed) of any cluster, owner and need
category, by instrument (or referral partner): the funnel of the agency, or of an instrument,
reads them; a cluster, advisor or need category scope works its flows out from the records (a
key with the category would leave nearly a row per event: at 50,000 companies, 8,600 rows in a
month against 3,800 without it).

Each row is rewritten from the records of its day (never adjusted by increments) by session
hooks, in the same transaction, when a solution, its changes, its need or its company changes;
the volume generator and the migrations call `refresh`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.companies import kept
from tracker.models import (
    Need,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    funnel_days,
    funnel_repeats,
)
from tracker.reports import figures

LOCKS = 720_540  # PostgreSQL advisory lock class of the funnel's days (a lock per day)
DECIDED = tuple(status for status in SolutionStatus if status.is_decided)
# metric -> the statuses whose changes make it (None: the suggestion date), and the amount.
METRICS: dict[str, tuple[tuple[SolutionStatus, ...] | None, str | None]] = {
    "suggested": (None, None),
    "submitted": ((SolutionStatus.SUBMITTED,), "amount_requested_cents"),
    "granted": ((SolutionStatus.GRANTED,), "amount_granted_cents"),
    "decided": (DECIDED, None),
}
SOLUTION_FIELDS = (
    "suggested_on",
    "instrument_id",
    "partner",
    "need_id",
    "amount_requested",
    "amount_granted",
)
KEY_COLUMNS = ("metric", "instrument_id", "partner", "days")
# What a flush notes: days, new status changes (their solution's days), and the ids of
# solutions, needs and companies whose solutions' days are rewritten.
NOTES = ("days", "solutions", "solution_ids", "need_ids", "company_ids")


def _events(metric: str, days: list[date] | None) -> sa.Subquery:
    """(solution_id, day): each solution once per day with an event of `metric`."""
    statuses, _ = METRICS[metric]
    if statuses is None:
        solutions = Solution.__table__.c
        query = sa.select(solutions.id.label("solution_id"), solutions.suggested_on.label("day"))
        if days is not None:
            query = query.where(solutions.suggested_on.in_(days))
        return query.subquery("events")
    changes = SolutionStatusChange.__table__.c
    query = (
        sa.select(changes.solution_id, changes.changed_on.label("day"))
        .where(changes.to_status.in_(statuses))
        .distinct()
    )
    if days is not None:
        query = query.where(changes.changed_on.in_(days))
    return query.subquery("events")


def _next_day(metric: str, events: sa.Subquery) -> sa.ScalarSelect[Any]:
    """The solution's next day with an event of `metric` after the event's day (None: none)."""
    statuses, _ = METRICS[metric]
    changes = SolutionStatusChange.__table__.c
    return (
        sa.select(sa.func.min(changes.changed_on))
        .where(
            changes.solution_id == events.c.solution_id,
            changes.to_status.in_(statuses or ()),
            changes.changed_on > events.c.day,
        )
        .scalar_subquery()
    )


def _rows(metric: str, days: list[date] | None, repeats: bool) -> sa.Select:
    """The rows of `metric` for `days` (all: None), from the records: per day, or per pair of
    consecutive days (`repeats`), keyed by instrument, partner and days taken."""
    _, amount = METRICS[metric]
    solutions = Solution.__table__.c
    needs = Need.__table__.c
    events = _events(metric, days)
    if repeats:
        later = _next_day(metric, events).label("later")
        events = sa.select(events, later).subquery("pairs")
    days_taken: Any = (
        figures.days_between(events.c.day, solutions.suggested_on)
        if metric == "decided"
        else sa.null()
    )
    cents = (
        sa.func.coalesce(sa.func.sum(sa.type_coerce(solutions[amount], sa.BigInteger)), 0)
        if amount
        else sa.literal(0, sa.BigInteger)
    )
    partner = sa.case((solutions.instrument_id.is_(None), solutions.partner))
    when = [events.c.day, events.c.later] if repeats else [events.c.day]
    keys = [solutions.instrument_id, partner]
    grouped = [*when, *keys] + ([days_taken] if metric == "decided" else [])
    query = (
        sa.select(*when, sa.literal(metric), *keys, days_taken, sa.func.count(), cents)
        .select_from(events)
        .join(Solution.__table__, solutions.id == events.c.solution_id)
        .join(Need.__table__, needs.id == solutions.need_id)
        .where(figures.in_portfolio(needs.company_id, None))
        .group_by(*grouped)
    )
    if repeats:
        query = query.where(events.c.later.is_not(None))
    return query


def refresh(connection: sa.Connection, days: Iterable[date] | None = None) -> None:
    """Rewrite the rows of `days` (every day: None) from the records."""
    chunks: Iterable[list[date] | None]
    if days is None:
        connection.execute(funnel_days.delete())
        connection.execute(funnel_repeats.delete())
        chunks = [None]
    else:
        ordered = sorted(set(days))
        _lock(connection, ordered)
        chunks = (ordered[i : i + kept.CHUNK] for i in range(0, len(ordered), kept.CHUNK))
    day_columns = ["day", *KEY_COLUMNS, "solutions", "cents"]
    repeat_columns = ["earlier", "later", *KEY_COLUMNS, "solutions", "cents"]
    for chunk in chunks:
        if chunk is not None:
            connection.execute(funnel_days.delete().where(funnel_days.c.day.in_(chunk)))
            connection.execute(funnel_repeats.delete().where(funnel_repeats.c.earlier.in_(chunk)))
        for metric, (statuses, _) in METRICS.items():
            rows = _rows(metric, chunk, repeats=False)
            connection.execute(funnel_days.insert().from_select(day_columns, rows))
            if statuses is not None:
                rows = _rows(metric, chunk, repeats=True)
                connection.execute(funnel_repeats.insert().from_select(repeat_columns, rows))


def _lock(connection: sa.Connection, days: list[date]) -> None:
    """Two transactions rewriting one day's rows wait for each other, and the second reads
    what the first committed."""
    kept.advisory_locks(connection, LOCKS, (day.toordinal() for day in days))


def stale(connection: sa.Connection) -> dict[str, list[Any]]:
    """The rows that differ from the records, by table (empty unless something wrote past the
    ORM without refreshing)."""
    return kept.stale_rows(connection, (funnel_days, funnel_repeats), refresh)


# ------------------------------------------------------------------------------ session hooks


def _days_of(connection: sa.Connection, solution_ids: Iterable[int]) -> set[date]:
    """Every day with an event of these solutions: their suggestion and status changes."""
    solutions = Solution.__table__.c
    changes = SolutionStatusChange.__table__.c
    days: set[date] = set()
    for chunk in kept.chunks(solution_ids):
        days.update(
            connection.execute(
                sa.select(solutions.suggested_on).where(solutions.id.in_(chunk))
            ).scalars()
        )
        days.update(
            connection.execute(
                sa.select(changes.changed_on).where(changes.solution_id.in_(chunk)).distinct()
            ).scalars()
        )
    return days


def _note(session: Session, obj: Any, pending: dict[str, set[Any]]) -> None:
    new, deleted = obj in session.new, obj in session.deleted
    if isinstance(obj, SolutionStatusChange):
        pending["days"].add(obj.changed_on)
        pending["solutions"].add(obj)
    elif isinstance(obj, Solution):
        if deleted:  # its changes go with it: their days now
            pending["days"].update(_days_of(session.connection(), [obj.id]))
        if new or deleted or kept.changed(obj, SOLUTION_FIELDS):
            pending["days"].update(
                [obj.suggested_on, *kept.former(obj, "suggested_on")]
                if not new
                else [obj.suggested_on]
            )
            if not new:
                pending["solution_ids"].add(obj.id)
    else:
        kept.note_solution_owners(session, obj, pending)


def _rewrite(connection: sa.Connection, pending: dict[str, set[Any]]) -> None:
    days = {day for day in pending["days"] if day}
    solution_ids = set(pending["solution_ids"])
    solution_ids.update(change.solution_id for change in pending["solutions"])
    solutions = Solution.__table__.c
    need_ids = kept.needs_of(connection, pending["need_ids"], pending["company_ids"])
    for chunk in kept.chunks(need_ids):
        solution_ids.update(
            connection.execute(
                sa.select(solutions.id).where(solutions.need_id.in_(chunk))
            ).scalars()
        )
    days |= _days_of(connection, solution_ids)
    if days:
        refresh(connection, days)


kept.keep_notes("funnel_flows", NOTES, _note, _rewrite)
