"""Reads of the audit trail: one record's entries, and the admins' search."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.dates import AGENCY_TZ
from tracker.extensions import db
from tracker.models import AuditEntry, User


def _newest_first(query: sa.Select) -> sa.Select:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries_of(record_type: str, record_id: int) -> sa.Select:
    """The entries of one record, newest first, with their authors."""
    return _newest_first(
        db.select(AuditEntry)
        .where(AuditEntry.record_type == record_type, AuditEntry.record_id == record_id)
        .options(joinedload(AuditEntry.user))
    )


def has_entries(record_type: str, record_id: int) -> bool:
    query = db.select(AuditEntry.id).where(
        AuditEntry.record_type == record_type, AuditEntry.record_id == record_id
    )
    return db.session.execute(query.limit(1)).first() is not None


@dataclass(frozen=True)
class AuditFilters:
    """What the admins' search narrows the trail to; None or empty means any."""

    user_id: int | None = None
    record_type: str = ""
    action: str = ""
    record_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""

    @property
    def narrowed(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.user_id,
                self.record_type,
                self.action,
                self.record_id,
                self.date_from,
                self.date_to,
                self.text,
            )
        )


def _start_of(day: date) -> datetime:
    """The instant a Luxembourg calendar day begins, in UTC (SQLite stores UTC without a zone)."""
    return datetime.combine(day, time.min, tzinfo=AGENCY_TZ).astimezone(UTC)


def _json_spellings(text: str) -> set[str]:
    """`text` as it may be stored in the JSON of the changes: JSON escapes non-ASCII letters
    (`ë` as `\\u00eb`), which a case-insensitive match does not fold, so the lower- and
    upper-case escaped forms are searched too."""
    spellings = {text}
    for variant in (text, text.lower(), text.upper()):
        spellings.add(json.dumps(variant)[1:-1])
    return spellings


def search(filters: AuditFilters) -> sa.Select:
    """The entries that match `filters`, newest first, with their authors."""
    query = db.select(AuditEntry).options(joinedload(AuditEntry.user))
    if filters.user_id is not None:
        query = query.where(AuditEntry.user_id == filters.user_id)
    if filters.record_type:
        query = query.where(AuditEntry.record_type == filters.record_type)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.record_id is not None:
        query = query.where(AuditEntry.record_id == filters.record_id)
    if filters.date_from is not None:
        query = query.where(AuditEntry.at >= _start_of(filters.date_from))
    if filters.date_to is not None:
        query = query.where(AuditEntry.at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.text:
        # The JSON as text: the same on SQLite (stored as text) and PostgreSQL (json::text).
        changes = sa.cast(AuditEntry.changes, sa.Text)
        query = query.where(
            sa.or_(
                *(
                    changes.icontains(spelling, autoescape=True)
                    for spelling in sorted(_json_spellings(filters.text))
                )
            )
        )
    return _newest_first(query)


def actions_in_use() -> list[str]:
    """Every action the trail holds, for the search form's choices."""
    return list(db.session.scalars(db.select(AuditEntry.action).distinct().order_by("action")))


def audit_users() -> list[User]:
    """Every user, for the search form's choices (deactivated ones too: their entries stay)."""
    return list(db.session.scalars(db.select(User).order_by(User.name, User.id)))
