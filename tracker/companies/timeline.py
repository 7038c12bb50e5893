"""A company's story: everything that happened to it, newest first, one page at a time.

Each kind of item comes from its own query, limited to one page and filtered by the same
keyset (date, rank, id), so a page costs a fixed number of statements however long the
history. The items are merged in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.dates import AGENCY_TZ
from tracker.extensions import db
from tracker.models import (
    Event,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Interaction,
    Need,
    Solution,
    SolutionStatusChange,
    event_companies,
)

PAGE_SIZE = 50
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,2})\.(\d{1,12})$")

Cursor = tuple[date, int, int]


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened: `kind` says what, `record` is the row it comes from."""

    on: date
    rank: int
    kind: str
    record: Any

    @property
    def key(self) -> Cursor:
        return (self.on, self.rank, self.record.id)

    @property
    def cursor(self) -> str:
        return f"{self.on.isoformat()}.{self.rank}.{self.record.id}"


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    older: str | None  # the cursor of the next page, None on the last page


def parse_cursor(value: str | None) -> Cursor | None:
    """`2026-03-04.9.123` → (date, rank, id); None for anything else."""
    match = _CURSOR.match(value or "")
    if not match:
        return None
    try:
        return (date.fromisoformat(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


class _DateColumn:
    """Comparisons of a date column with a calendar day."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def before(self, day: date) -> sa.ColumnElement[bool]:
        return self.column < day

    def on_or_before(self, day: date) -> sa.ColumnElement[bool]:
        return self.column <= day

    def on(self, day: date) -> sa.ColumnElement[bool]:
        return self.column == day

    def key_columns(self) -> tuple[Any, Any]:
        """The (date, timestamp) pair of the key query; the one this column is not, NULL."""
        return self.column, sa.cast(sa.null(), sa.DateTime(timezone=True))

    def day_of(self, on: date | None, at: datetime | None) -> date:
        assert on is not None
        return on


class _TimestampColumn(_DateColumn):
    """Comparisons of a timestamp column with a calendar day in Luxembourg."""

    @staticmethod
    def _start(day: date) -> datetime:
        # In UTC: SQLite keeps timestamps as UTC wall-clock text, PostgreSQL compares instants.
        return datetime.combine(day, time(), AGENCY_TZ).astimezone(UTC)

    def before(self, day: date) -> sa.ColumnElement[bool]:
        return self.column < self._start(day)

    def on_or_before(self, day: date) -> sa.ColumnElement[bool]:
        return self.column < self._start(day + timedelta(days=1))

    def on(self, day: date) -> sa.ColumnElement[bool]:
        return sa.and_(
            self.column >= self._start(day), self.column < self._start(day + timedelta(days=1))
        )

    def key_columns(self) -> tuple[Any, Any]:
        return sa.cast(sa.null(), sa.Date), self.column

    def day_of(self, on: date | None, at: datetime | None) -> date:
        assert at is not None
        if at.tzinfo is None:  # SQLite gives back naive UTC
            at = at.replace(tzinfo=UTC)
        return at.astimezone(AGENCY_TZ).date()


@dataclass(frozen=True)
class _Source:
    kind: str
    rank: int  # within a day, higher ranks come first; tells the sources apart in the key query
    model: type
    scope: Callable[[sa.Select, int], sa.Select]  # the joins and the company condition
    day: _DateColumn
    ident: Any

    def keys(self, company_id: int, cursor: Cursor | None, limit: int) -> sa.Select:
        """(rank, on, at, id) of the source's `limit` newest items older than the cursor."""
        on, at = self.day.key_columns()
        query = self.scope(
            sa.select(
                sa.literal_column(str(self.rank), sa.Integer).label("rank"),
                on.label("on"),
                at.label("at"),
                self.ident.label("id"),
            ),
            company_id,
        ).where(self.day.column.is_not(None))
        if cursor is not None:
            day, rank, ident = cursor
            if self.rank < rank:
                query = query.where(self.day.on_or_before(day))
            elif self.rank > rank:
                query = query.where(self.day.before(day))
            else:
                query = query.where(
                    sa.or_(self.day.before(day), sa.and_(self.day.on(day), self.ident < ident))
                )
        return query.order_by(self.day.column.desc(), self.ident.desc()).limit(limit)


def _of_company(column: Any) -> Callable[[sa.Select, int], sa.Select]:
    return lambda query, company_id: query.where(column == company_id)


def _done_followups(query: sa.Select, company_id: int) -> sa.Select:
    return query.where(FollowUp.company_id == company_id, FollowUp.status == FollowUpStatus.DONE)


def _events(query: sa.Select, company_id: int) -> sa.Select:
    return (
        query.select_from(Event)
        .join(event_companies, event_companies.c.event_id == Event.id)
        .where(event_companies.c.company_id == company_id)
    )


SOURCES = [
    _Source(
        "interaction",
        9,
        Interaction,
        _of_company(Interaction.company_id),
        _DateColumn(Interaction.occurred_on),
        Interaction.id,
    ),
    _Source(
        "health_check",
        8,
        HealthCheck,
        _of_company(HealthCheck.company_id),
        _DateColumn(HealthCheck.checked_on),
        HealthCheck.id,
    ),
    _Source(
        "need_identified",
        7,
        Need,
        _of_company(Need.company_id),
        _DateColumn(Need.identified_on),
        Need.id,
    ),
    _Source(
        "solution_change",
        6,
        SolutionStatusChange,
        _of_company(SolutionStatusChange.company_id),
        _DateColumn(SolutionStatusChange.changed_on),
        SolutionStatusChange.id,
    ),
    _Source(
        "followup_created",
        5,
        FollowUp,
        _of_company(FollowUp.company_id),
        _TimestampColumn(FollowUp.created_at),
        FollowUp.id,
    ),
    _Source(
        "followup_done", 4, FollowUp, _done_followups, _DateColumn(FollowUp.done_on), FollowUp.id
    ),
    _Source(
        "need_resolved",
        3,
        Need,
        _of_company(Need.company_id),
        _DateColumn(Need.resolved_on),
        Need.id,
    ),
    _Source(
        "need_closed", 2, Need, _of_company(Need.company_id), _DateColumn(Need.closed_on), Need.id
    ),
    _Source("event", 1, Event, _events, _DateColumn(Event.held_on), Event.id),
]
_BY_RANK = {source.rank: source for source in SOURCES}

# How each kind of record is loaded for display, with what the timeline shows of it.
_RECORDS: dict[type, Callable[[], sa.Select]] = {
    Interaction: lambda: sa.select(Interaction).options(
        joinedload(Interaction.advisor), selectinload(Interaction.people)
    ),
    HealthCheck: lambda: sa.select(HealthCheck).options(joinedload(HealthCheck.recorded_by)),
    Need: lambda: sa.select(Need).options(joinedload(Need.category)),
    SolutionStatusChange: lambda: sa.select(SolutionStatusChange).options(
        joinedload(SolutionStatusChange.changed_by),
        joinedload(SolutionStatusChange.solution).joinedload(Solution.instrument),
        joinedload(SolutionStatusChange.solution)
        .joinedload(Solution.need)
        .joinedload(Need.category),
    ),
    FollowUp: lambda: sa.select(FollowUp).options(joinedload(FollowUp.assignee)),
    Event: lambda: sa.select(Event),
}


def _records(keys: list[tuple[date, int, int]]) -> dict[tuple[type, int], Any]:
    """The records behind the keys, one query per kind of record."""
    ids: dict[type, set[int]] = {}
    for _on, rank, ident in keys:
        ids.setdefault(_BY_RANK[rank].model, set()).add(ident)
    records: dict[tuple[type, int], Any] = {}
    for model, wanted in ids.items():
        query = _RECORDS[model]().where(model.id.in_(sorted(wanted)))
        for record in db.session.scalars(query).unique():
            records[model, record.id] = record
    return records


def company_timeline(
    company_id: int, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """The `limit` newest items older than the cursor `before`, newest first.

    One query gathers the keys of each source's `limit + 1` newest items (a few hundred small
    rows whatever the history); the records of the page's items are then loaded by id.
    """
    union = sa.union_all(
        *(sa.select(source.keys(company_id, before, limit + 1).subquery()) for source in SOURCES)
    )
    keys = sorted(
        (
            (_BY_RANK[row.rank].day.day_of(row.on, row.at), row.rank, row.id)
            for row in db.session.execute(union)
        ),
        reverse=True,
    )[: limit + 1]
    page, more = keys[:limit], len(keys) > limit
    records = _records(page)
    items = [
        TimelineItem(
            on=on, rank=rank, kind=_BY_RANK[rank].kind, record=records[_BY_RANK[rank].model, ident]
        )
        for on, rank, ident in page
        if (_BY_RANK[rank].model, ident) in records  # unless deleted in the meantime
    ]
    return TimelinePage(items, items[-1].cursor if more else None)
