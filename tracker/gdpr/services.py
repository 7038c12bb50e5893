"""Erasing a contact person, and recognising one that was erased; each write flushes only."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker import audit
from tracker.common.errors import ValidationError
from tracker.companies.validation import fold
from tracker.extensions import db
from tracker.gdpr import queries
from tracker.models import (
    AuditEntry,
    Interaction,
    InteractionType,
    Person,
    PersonErasure,
    User,
    interaction_people,
)
from tracker.models.base import utcnow

ERASED_NAME = "Erased person"
# What replaces every personal value in the audit trail of an erased person.
SCRUBBED = "[erased]"
# Audit fields of a Person that hold no personal data and are kept as they were.
AUDIT_FIELDS_KEPT = frozenset({"lawful_basis", "archived", "erased_at", "company", "company_id"})


def person_name_key(name: str | None) -> str:
    """A person's name for comparison: folded (lower case, no accents), single spaces."""
    return " ".join(fold(name or "").split())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def email_digest(email: str | None) -> str | None:
    """SHA-256 of the e-mail address lower-cased and stripped; None for no address."""
    text = (email or "").strip().lower()
    return _sha256(text) if text else None


def name_digest(name: str | None) -> str:
    """SHA-256 of the folded name."""
    return _sha256(person_name_key(name))


def erased_match(
    name: str | None, email: str | None, company_id: int | None
) -> PersonErasure | None:
    """The latest erasure of a person with this e-mail address, or this name at this company."""
    conditions = [
        sa.and_(
            PersonErasure.name_digest == name_digest(name),
            PersonErasure.company_id == company_id,
        )
    ]
    digest = email_digest(email)
    if digest is not None:
        conditions.append(PersonErasure.email_digest == digest)
    return db.session.scalar(
        sa.select(PersonErasure)
        .where(sa.or_(*conditions))
        .order_by(PersonErasure.erased_at.desc(), PersonErasure.id.desc())
        .limit(1)
    )


class ErasureIndex:
    """Every erasure's digests, loaded once, to check the rows of an import file."""

    def __init__(self) -> None:
        self.by_email: dict[str, PersonErasure] = {}
        self.by_name: dict[tuple[int | None, str], PersonErasure] = {}
        for erasure in db.session.scalars(
            sa.select(PersonErasure).order_by(PersonErasure.erased_at, PersonErasure.id)
        ):
            # Ordered oldest first, so the latest erasure of the same digest wins.
            if erasure.email_digest:
                self.by_email[erasure.email_digest] = erasure
            self.by_name[(erasure.company_id, erasure.name_digest)] = erasure

    def match(self, name: str | None, email: str | None, company_id: int) -> PersonErasure | None:
        digest = email_digest(email)
        found = self.by_email.get(digest) if digest else None
        return found or self.by_name.get((company_id, name_digest(name)))


def export_person(person: Person, *, actor: User | None) -> dict[str, Any]:
    """Everything held about the person; the export itself is audited, without its content."""
    data = queries.person_record(person, exported_at=utcnow())
    audit.record(actor, "export", person)
    return data


def erase_person(person: Person, *, actor: User | None) -> PersonErasure:
    """Anonymise a person for good, keeping their links (so every count stays the same).

    The person's earlier audit entries lose their personal values, a PersonErasure keeps
    digests only (to warn before the person is created again), and an "erase" entry says who
    erased them and when, with no personal data.
    """
    if person.erased_at is not None:
        raise ValidationError(_("This person's data was already erased."))
    now = utcnow()
    erasure = PersonErasure(
        erased_at=now,
        erased_by_id=actor.id if actor is not None else None,
        company_id=person.company_id,
        email_digest=email_digest(person.email),
        name_digest=name_digest(person.name),
    )
    db.session.add(erasure)
    _scrub_audit_trail(person.id)
    was_archived = person.archived
    person.name = f"{ERASED_NAME} #{person.id}"
    person.job_title = None
    person.email = None
    person.phone = None
    person.notes = ""
    person.archived = True
    person.erased_at = now
    audit.record(
        actor,
        "erase",
        person,
        {"archived": [was_archived, True], "erased_at": [None, now.isoformat()]},
    )
    return erasure


def _scrub_audit_trail(person_id: int) -> None:
    """Replace every personal value in the audit entries of this person by SCRUBBED."""
    entries = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.changes).where(
            AuditEntry.record_type == Person.__name__, AuditEntry.record_id == person_id
        )
    ).all()
    scrubbed = [
        {"entry_id": entry.id, "scrubbed": _scrubbed(entry.changes or {})}
        for entry in entries
        if _scrubbed(entry.changes or {}) != (entry.changes or {})
    ]
    if not scrubbed:
        return
    table = AuditEntry.__table__
    # Audit entries cannot be changed through the ORM (a before_flush guard refuses any UPDATE
    # of an AuditEntry): an erasure is the one lawful rewrite of the trail, so it goes through
    # a Core UPDATE of the table, in the same transaction as the erasure.
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("entry_id"))
        .values(changes=sa.bindparam("scrubbed")),
        scrubbed,
    )
    # Entries already loaded in this session would show their old values until expired.
    for entry in db.session.identity_map.values():
        if isinstance(entry, AuditEntry) and entry.record_type == Person.__name__:
            db.session.expire(entry)


def _scrubbed(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values if name in AUDIT_FIELDS_KEPT else _scrub_values(values)
        for name, values in changes.items()
    }


def _scrub_values(values: Any) -> Any:
    if isinstance(values, list):
        return [None if value is None else SCRUBBED for value in values]
    return None if values is None else SCRUBBED


@dataclass(frozen=True)
class InteractionToReview:
    """A contact whose free-text summary may hold the person's data."""

    id: int
    occurred_on: date
    type: InteractionType
    took_part: bool
    mentions: bool


def interactions_to_review(person: Person) -> list[InteractionToReview]:
    """The company's contacts the person took part in or whose summary names them, newest first.

    Summaries are free text: an erasure cannot anonymise them, the advisor edits them.
    """
    linked = set(
        db.session.scalars(
            sa.select(interaction_people.c.interaction_id).where(
                interaction_people.c.person_id == person.id
            )
        )
    )
    patterns = _name_patterns(person)
    found = []
    for row in db.session.execute(
        sa.select(Interaction.id, Interaction.occurred_on, Interaction.type, Interaction.summary)
        .where(Interaction.company_id == person.company_id)
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .execution_options(include_archived=True)
    ):
        summary = fold(row.summary or "")
        mentions = any(pattern.search(summary) for pattern in patterns)
        if mentions or row.id in linked:
            found.append(
                InteractionToReview(
                    row.id, row.occurred_on, row.type, took_part=row.id in linked, mentions=mentions
                )
            )
    return found


def _name_patterns(person: Person) -> list[re.Pattern[str]]:
    """Whole-word patterns for the full name, the last name and the e-mail address, folded."""
    key = person_name_key(person.name)
    words = [key]
    last = key.split()[-1] if key else ""
    if len(last) >= 3:
        words.append(last)
    if person.email:
        words.append(person.email.lower())
    return [re.compile(rf"(?<!\w){re.escape(word)}(?!\w)") for word in words if word]
