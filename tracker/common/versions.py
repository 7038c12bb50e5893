"""Optimistic locking: a save based on an older version of a record is refused, never merged.

Every editable model has a `version` column (tracker.models.base.Versioned) that each UPDATE
increments. An edit form carries the version it was opened with in a hidden field; the service
calls `check_version` before applying the change. When someone else saved meanwhile, the user
gets `EditConflict`: a message and the changes made since their version, read from the audit
trail (each audit entry keeps the version it produced). A race that slips between the check and
the write is caught by SQLAlchemy (`StaleDataError`) and shown as the same conflict page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import AuditEntry


@dataclass(frozen=True)
class ChangeSince:
    """One audited change made after the version the user was editing."""

    at: datetime
    who: str
    action: str
    changes: dict[str, list[Any]]


class EditConflict(ValidationError):
    """Someone else saved the record after the user opened it; `changes` says what they did."""

    def __init__(self, message: str, changes: list[ChangeSince]) -> None:
        super().__init__(message)
        self.changes = changes


def parse_version(raw: Any) -> int | None:
    """The version a form submitted, or None when it is missing or not a number."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def changes_since(record: Any, version: int) -> list[ChangeSince]:
    """The audited changes to `record` that produced a version newer than `version`."""
    entries = db.session.execute(
        db.select(AuditEntry)
        .where(
            AuditEntry.record_type == type(record).__name__,
            AuditEntry.record_id == record.id,
            AuditEntry.record_version > version,
        )
        .order_by(AuditEntry.id)
        .options(db.joinedload(AuditEntry.user))
        .limit(20)
    ).scalars()
    return [
        ChangeSince(
            at=e.at,
            who=e.user.name if e.user is not None else "the system",
            action=e.action,
            changes=e.changes or {},
        )
        for e in entries
    ]


def check_version(record: Any, submitted: Any, noun: str) -> None:
    """Refuse a save when the form was opened on an older version of `record`.

    `submitted` is the raw hidden-field value; a missing or malformed version is refused too,
    since nothing then proves the user saw the current record.
    """
    version = parse_version(submitted)
    if version == record.version:
        return
    if version is None:
        raise EditConflict(
            f"This form is out of date. Reload the {noun} and make your changes again.", []
        )
    raise EditConflict(
        f"Someone else saved this {noun} while you were editing it. Your changes were not "
        "saved: check what changed below, then save again to apply yours.",
        changes_since(record, version),
    )
