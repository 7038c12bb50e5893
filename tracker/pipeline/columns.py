"""The board's columns, counted per status and day: `board_days`.

A column of the board holds the solutions in scope in its status: every one for an open status,
those that entered it in the period for a decided one (by `Solution.status_since`, the date of
a solution's latest status change). Counted from the records, that reads every card of the
column, with its need and company; kept, a row per status and day, which the agency's board
sums (an open column's rows whatever their day, a decided column's rows of the period).

Rows count portfolio solutions (of companies neither archived nor closed) of any cluster, owner,
instrument and category: the agency's board reads them; any other scope counts its columns from
the records. Each row is rewritten from the records (never adjusted by increments) by session
hooks, in the same transaction, when a solution's status, date or need changes, or its company
leaves or rejoins the portfolio; the volume generator and the migration call `refresh`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.companies import kept
from tracker.models import Need, Solution, SolutionStatus, board_days
from tracker.reports import figures

LOCKS = 720_541  # PostgreSQL advisory lock class of the board's days (a lock per day)
SOLUTION_FIELDS = ("status", "status_since", "need_id")
# What a flush notes: (status, day) keys, and the ids of needs and companies whose solutions'
# keys are rewritten.
NOTES = ("keys", "need_ids", "company_ids")

Key = tuple[str, date]


def _counts(days: list[date] | None) -> sa.Select:
    """(status, day, solutions) of portfolio solutions, for `days` (all: None)."""
    solutions = Solution.__table__.c
    needs = Need.__table__.c
    query = (
        sa.select(solutions.status, solutions.status_since, sa.func.count())
        .join(Need.__table__, needs.id == solutions.need_id)
        .where(figures.in_portfolio(needs.company_id, None))
        .group_by(solutions.status, solutions.status_since)
    )
    if days is not None:
        query = query.where(solutions.status_since.in_(days))
    return query


def refresh(connection: sa.Connection, keys: Iterable[Key] | None = None) -> None:
    """Rewrite the rows of the (status, day) `keys` (every row: None) from the records: the
    rows of their days, whatever the status (a day's few rows cost no more than one)."""
    columns = ["status", "day", "solutions"]
    if keys is None:
        connection.execute(board_days.delete())
        connection.execute(board_days.insert().from_select(columns, _counts(None)))
        return
    days = sorted({day for _status, day in keys if day})
    kept.advisory_locks(connection, LOCKS, (day.toordinal() for day in days))
    for start in range(0, len(days), kept.CHUNK):
        chunk = days[start : start + kept.CHUNK]
        connection.execute(board_days.delete().where(board_days.c.day.in_(chunk)))
        connection.execute(board_days.insert().from_select(columns, _counts(chunk)))


def stale(connection: sa.Connection) -> list[Any]:
    """The rows that differ from the records (empty unless something wrote past the ORM
    without refreshing)."""
    return kept.stale_rows(connection, (board_days,), refresh)["board_days"]


def counts(first: date, last: date) -> sa.Select:
    """(status, solutions) of the agency's board: every open solution, and those that entered
    a decided status in first..last."""
    decided = [status.value for status in SolutionStatus if status.is_decided]
    on_board = sa.or_(
        board_days.c.status.not_in(decided),
        board_days.c.day.between(first, last),
    )
    return (
        sa.select(board_days.c.status, sa.func.sum(board_days.c.solutions))
        .where(on_board)
        .group_by(board_days.c.status)
    )


# ------------------------------------------------------------------------------ session hooks


def _value(status: Any) -> str:
    return status.value if isinstance(status, SolutionStatus) else str(status)


def _note(session: Session, obj: Any, pending: dict[str, set[Any]]) -> None:
    new, deleted = obj in session.new, obj in session.deleted
    if isinstance(obj, Solution):
        if new or deleted or kept.changed(obj, SOLUTION_FIELDS):
            statuses = [obj.status, *kept.former(obj, "status")]
            days = [obj.status_since, *kept.former(obj, "status_since")]
            pending["keys"].update((_value(s), d) for s in statuses if s for d in days if d)
    else:
        kept.note_solution_owners(session, obj, pending)


def _rewrite(connection: sa.Connection, pending: dict[str, set[Any]]) -> None:
    keys: set[Key] = set(pending["keys"])
    solutions = Solution.__table__.c
    need_ids = kept.needs_of(connection, pending["need_ids"], pending["company_ids"])
    for chunk in kept.chunks(need_ids):
        keys.update(
            (status, day)
            for status, day in connection.execute(
                sa.select(solutions.status, solutions.status_since).where(
                    solutions.need_id.in_(chunk)
                )
            )
        )
    if keys:
        refresh(connection, keys)


kept.keep_notes("board_columns", NOTES, _note, _rewrite)
