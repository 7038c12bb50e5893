"""Optimistic locking: a save based on an older version of a record is refused, never merged.

Every editable model has a `version` column (tracker.models.base.Versioned) that each UPDATE
increments. An edit form carries the version it was opened with in a hidden field
(`VersionField`); the service calls `check_version` before applying the change. When someone
else saved meanwhile, the user gets `EditConflict`: a message and the changes made since their
version, read from the audit trail (each audit entry keeps the version it produced). The form
page shows both (templates/macros/conflict.html) with the user's input kept and the hidden
version moved on, so that saving again applies their values knowingly. A race that slips
between the check and the write is caught by SQLAlchemy (`StaleDataError`, a 409 page).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms import DateField, DecimalField, HiddenField, IntegerField

from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import AuditEntry

if TYPE_CHECKING:
    from tracker.history.display import FieldChange

# How many of the changes made since the user's version the conflict message lists.
CHANGES_SHOWN = 20


class _Unchecked:
    def __repr__(self) -> str:
        return "UNCHECKED"


# What services take as `version` when the caller is not a form (other services, the demo
# seed, tests setting up data): no version to compare.
UNCHECKED: Any = _Unchecked()


class VersionField(HiddenField):
    """The version of the record the form was opened on.

    Only the posted value counts: a post without it is not filled in from the record (which
    would pass any check), and `populate_obj` never copies it back onto the record.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else None

    def populate_obj(self, obj: Any, name: str) -> None:
        """The version is the database's to move, not the form's."""


@dataclass(frozen=True)
class ChangeSince:
    """One audited change made after the version the user was editing."""

    at: datetime
    who: str
    action: str
    changes: dict[str, list[Any]]
    # The changed fields as people read them (labels, names for ids, formatted dates).
    fields: tuple[FieldChange, ...] = field(default=())

    def describe(self) -> str:
        """`Ann Smith: Due on 1 Dec 2026 → 5 Dec 2026; Notes — → Call first`."""
        parts = [f"{f.label} {f.old.text} → {f.new.text}" for f in self.fields]
        return f"{self.who}: {'; '.join(parts) or self.action}"


class EditConflict(ValidationError):
    """Someone else saved the record after the user opened it; `changes` says what they did."""

    def __init__(self, message: str, changes: list[ChangeSince], noun: str = "record") -> None:
        super().__init__(message)
        self.changes = changes
        self.noun = noun

    def summary(self) -> str:
        """The refusal and the changes on one line, for a flash after a button's post."""
        if not self.changes:
            return str(self)
        described = " ".join(f"{change.describe()}." for change in self.changes)
        return _(
            "Someone else changed this %(noun)s in the meantime, so nothing was done. "
            "%(changes)s Check it and try again.",
            noun=self.noun,
            changes=described,
        )


def parse_version(raw: Any) -> int | None:
    """The version a form submitted, or None when it is missing or not a number."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def changes_since(record: Any, version: int) -> list[ChangeSince]:
    """The audited changes to `record` that produced a version newer than `version`."""
    from tracker.history.display import field_changes, referenced_names

    entries = (
        db.session.execute(
            db.select(AuditEntry)
            .where(
                AuditEntry.record_type == type(record).__name__,
                AuditEntry.record_id == record.id,
                AuditEntry.record_version > version,
            )
            .order_by(AuditEntry.id)
            .options(db.joinedload(AuditEntry.user))
            .limit(CHANGES_SHOWN)
        )
        .scalars()
        .all()
    )
    names = referenced_names(entries)
    return [
        ChangeSince(
            at=e.at,
            who=e.user.name if e.user is not None else _("the system"),
            action=e.action,
            changes=e.changes or {},
            fields=tuple(field_changes(e, names)),
        )
        for e in entries
    ]


def check_version(record: Any, submitted: Any, noun: str, *, unaudited_ok: bool = False) -> None:
    """Refuse a save when the form was opened on an older version of `record`.

    `submitted` is the raw hidden-field value; a missing or malformed version is refused too,
    since nothing then proves the user saw the current record. `UNCHECKED` (no form) passes.
    `unaudited_ok` accepts an older version when nothing audited happened since: for users,
    whose row also changes when they sign in, which is no edit of theirs to protect.
    """
    if submitted is UNCHECKED:
        return
    version = parse_version(submitted)
    if version == record.version:
        return
    if version is None or version > record.version:
        raise EditConflict(
            _(
                "This form is out of date. Reload the %(noun)s and make your changes again.",
                noun=noun,
            ),
            [],
            noun,
        )
    changes = changes_since(record, version)
    if unaudited_ok and not changes:
        return
    raise EditConflict(
        _(
            "Someone else saved this %(noun)s while you were editing it. Your changes were not "
            "saved: check what changed below, then save again to apply yours.",
            noun=noun,
        ),
        changes,
        noun,
    )


def touch(record: Any) -> None:
    """Give `record` a new version although only its links changed.

    Rows of a many-to-many table (a company's clusters, an event's participants) are not the
    record's row: SQLAlchemy's counter does not move for them, so the version is set here.
    """
    state = sa.inspect(record)
    if state.persistent and not state.attrs.version.history.has_changes():
        record.version = record.version + 1


def _comparable(value: Any) -> Any:
    """A form value and an audited value in one spelling, to tell whether they are the same."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return sorted(str(_comparable(v)) for v in value)
    if isinstance(value, bool):
        return value
    return str(value).strip()


def _form_value(field: Any, value: Any) -> Any:
    """An audited value as the field holds it."""
    if value is None:
        return [] if isinstance(field.data, list) else None
    if isinstance(field, DateField):
        return date.fromisoformat(str(value)[:10])
    if isinstance(field, IntegerField):
        return int(value)
    if isinstance(field, DecimalField):
        return Decimal(str(value))
    if isinstance(value, list):
        return list(value)
    return value


def adopt_their_changes(form: Any, conflict: EditConflict) -> list[str]:
    """Put the other person's new values into the fields this user had left as they were.

    A field the user did not touch still holds the value they opened the form with, which is
    the other person's old value: saving the form again would silently undo their change. Such
    fields take the new value; a field both changed keeps this user's value, and the message
    lists both. Fields whose audited spelling differs from the form's are left alone.
    Returns the names of the fields that were brought up to date.
    """
    adopted = []
    for change in conflict.changes:
        for name, values in (change.changes or {}).items():
            field = form._fields.get(name) if hasattr(form, "_fields") else None
            if field is None or name in ("version", "csrf_token") or len(values) != 2:
                continue
            old, new = values
            if _comparable(field.data) != _comparable(old):
                continue
            try:
                field.data = _form_value(field, new)
            except (TypeError, ValueError, ArithmeticError):
                continue
            field.raw_data = None  # render `data`, not what was posted
            adopted.append(name)
    return adopted


def reopen(form: Any, record: Any, conflict: EditConflict | None = None) -> None:
    """After a refused save: roll back, bring the fields the user had not changed up to date
    with the other person's values, and move the form's hidden version to the record's current
    one, so that saving the form again applies the user's own changes knowingly."""
    db.session.rollback()
    if conflict is not None:
        adopt_their_changes(form, conflict)
    form.version.data = record.version
