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

    def day_of(self, value: date) -> date:
        return value


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

    def day_of(self, value: datetime) -> date:
        if value.tzinfo is None:  # SQLite gives back naive UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(AGENCY_TZ).date()


@dataclass(frozen=True)
class _Source:
    kind: str
    rank: int  # within a day, higher ranks come first
    query: Callable[[int], sa.Select]
    day: _DateColumn
    ident: Any

    def page(self, company_id: int, cursor: Cursor | None, limit: int) -> list[TimelineItem]:
        query = self.query(company_id).where(self.day.column.is_not(None))
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
        query = query.order_by(self.day.column.desc(), self.ident.desc()).limit(limit)
        return [
            TimelineItem(
                on=self.day.day_of(getattr(record, self.day.column.key)),
                rank=self.rank,
                kind=self.kind,
                record=record,
            )
            for record in db.session.scalars(query).unique()
        ]


def _interactions(company_id: int) -> sa.Select:
    return (
        sa.select(Interaction)
        .options(joinedload(Interaction.advisor), selectinload(Interaction.people))
        .where(Interaction.company_id == company_id)
    )


def _health_checks(company_id: int) -> sa.Select:
    return (
        sa.select(HealthCheck)
        .options(joinedload(HealthCheck.recorded_by))
        .where(HealthCheck.company_id == company_id)
    )


def _needs(company_id: int) -> sa.Select:
    return sa.select(Need).options(joinedload(Need.category)).where(Need.company_id == company_id)


def _solution_changes(company_id: int) -> sa.Select:
    return (
        sa.select(SolutionStatusChange)
        .join(SolutionStatusChange.solution)
        .join(Solution.need)
        .options(
            joinedload(SolutionStatusChange.changed_by),
            joinedload(SolutionStatusChange.solution).joinedload(Solution.instrument),
            joinedload(SolutionStatusChange.solution)
            .joinedload(Solution.need)
            .joinedload(Need.category),
        )
        .where(Need.company_id == company_id)
    )


def _followups(company_id: int) -> sa.Select:
    return (
        sa.select(FollowUp)
        .options(joinedload(FollowUp.assignee))
        .where(FollowUp.company_id == company_id)
    )


def _done_followups(company_id: int) -> sa.Select:
    return _followups(company_id).where(FollowUp.status == FollowUpStatus.DONE)


def _events(company_id: int) -> sa.Select:
    return (
        sa.select(Event)
        .join(event_companies, event_companies.c.event_id == Event.id)
        .where(event_companies.c.company_id == company_id)
    )


SOURCES = [
    _Source("interaction", 9, _interactions, _DateColumn(Interaction.occurred_on), Interaction.id),
    _Source("health_check", 8, _health_checks, _DateColumn(HealthCheck.checked_on), HealthCheck.id),
    _Source("need_identified", 7, _needs, _DateColumn(Need.identified_on), Need.id),
    _Source(
        "solution_change",
        6,
        _solution_changes,
        _DateColumn(SolutionStatusChange.changed_on),
        SolutionStatusChange.id,
    ),
    _Source("followup_created", 5, _followups, _TimestampColumn(FollowUp.created_at), FollowUp.id),
    _Source("followup_done", 4, _done_followups, _DateColumn(FollowUp.done_on), FollowUp.id),
    _Source("need_resolved", 3, _needs, _DateColumn(Need.resolved_on), Need.id),
    _Source("need_closed", 2, _needs, _DateColumn(Need.closed_on), Need.id),
    _Source("event", 1, _events, _DateColumn(Event.held_on), Event.id),
]


def company_timeline(
    company_id: int, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """The `limit` newest items older than the cursor `before`, newest first."""
    items: list[TimelineItem] = []
    for source in SOURCES:
        items.extend(source.page(company_id, before, limit + 1))
    items.sort(key=lambda item: item.key, reverse=True)
    if len(items) > limit:
        return TimelinePage(items[:limit], items[limit - 1].cursor)
    return TimelinePage(items, None)
