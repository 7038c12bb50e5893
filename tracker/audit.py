"""The audit trail: one entry per change, written in the same transaction as the change."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.extensions import db
from tracker.models import AuditEntry, User


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, db.Model):
        return getattr(value, "slug", None) or getattr(value, "id", None)
    return value


def snapshot(record: Any, fields: list[str]) -> dict[str, Any]:
    """The plain values of `fields` on `record`, for a later `diff`."""
    return {name: _plain(getattr(record, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def removed(before: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, None]} for a record being deleted."""
    return {k: [v, None] for k, v in before.items()}


def record(
    actor: User | None, action: str, target: Any, changes: dict[str, list[Any]] | None = None
) -> AuditEntry:
    """Add an audit entry for `target`; flushes so the record has its id."""
    db.session.flush()
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        action=action,
        record_type=type(target).__name__,
        record_id=target.id,
        record_version=getattr(target, "version", None),
        changes=changes or {},
    )
    db.session.add(entry)
    return entry
