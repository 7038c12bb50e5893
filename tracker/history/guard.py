"""The audit trail is append-only: no session may update or delete an audit entry.

Two listeners on every SQLAlchemy session refuse it, whatever code asks:

- `before_flush`: an AuditEntry changed or deleted through the unit of work;
- `do_orm_execute`: an `update(AuditEntry)` statement, and a `delete` of AuditEntry or of its
  table, run through a session.

The one lawful rewrite of the trail is a person's GDPR erasure, which scrubs their personal
data from old entries (tracker.gdpr.services): it is a Core UPDATE of the table, in the same
transaction as the erasure, and the only UPDATE the guard lets through. Nothing deletes an
entry; the tests empty the database through the engine, outside any session.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from tracker.models import AuditEntry

_installed = False


class AuditTrailImmutable(RuntimeError):
    """Code tried to change or delete an audit entry."""


def refuse_changes(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Raise before a flush would UPDATE or DELETE an audit entry."""
    if any(isinstance(obj, AuditEntry) for obj in session.deleted):
        raise AuditTrailImmutable("Audit entries cannot be deleted.")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            raise AuditTrailImmutable("Audit entries cannot be changed.")


def _targets_audit_entries(state: ORMExecuteState) -> bool:
    if any(issubclass(mapper.class_, AuditEntry) for mapper in state.all_mappers):
        return True
    table = getattr(state.statement, "table", None)
    return table is AuditEntry.__table__


def refuse_bulk_statements(state: ORMExecuteState) -> None:
    """Raise before an ORM UPDATE, or any DELETE, of audit entries runs through a session."""
    if state.is_delete and _targets_audit_entries(state):
        raise AuditTrailImmutable("Audit entries cannot be deleted.")
    if state.is_update and any(
        issubclass(mapper.class_, AuditEntry) for mapper in state.all_mappers
    ):
        raise AuditTrailImmutable("Audit entries cannot be changed.")


def install() -> None:
    """Attach the listeners to every session, once per process."""
    global _installed
    if _installed:
        return
    sa.event.listen(Session, "before_flush", refuse_changes)
    sa.event.listen(Session, "do_orm_execute", refuse_bulk_statements)
    _installed = True
