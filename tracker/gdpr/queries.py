"""Reads for GDPR: everything held about a person, and the people due for a retention review."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from tracker.dates import AGENCY_TZ
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Company,
    Event,
    FollowUp,
    Interaction,
    Need,
    NeedCategory,
    Person,
    User,
    event_people,
    interaction_people,
)

EXPORT_FORMAT = 1


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def person_record(person: Person, *, exported_at: datetime) -> dict[str, Any]:
    """Everything the tracker holds about a person, as plain JSON-ready data."""
    company = db.session.get(Company, person.company_id)
    interactions = db.session.execute(
        sa.select(
            Interaction.id,
            Interaction.occurred_on,
            Interaction.type,
            Interaction.summary,
            Interaction.archived,
            User.name.label("advisor"),
        )
        .join(interaction_people, interaction_people.c.interaction_id == Interaction.id)
        .join(User, User.id == Interaction.advisor_id)
        .where(interaction_people.c.person_id == person.id)
        .order_by(Interaction.occurred_on, Interaction.id)
        # Everything held about the person, archived contacts included.
        .execution_options(include_archived=True)
    ).all()
    interaction_ids = [row.id for row in interactions]
    events = db.session.execute(
        sa.select(Event.id, Event.title, Event.held_on, Event.format)
        .join(event_people, event_people.c.event_id == Event.id)
        .where(event_people.c.person_id == person.id)
        .order_by(Event.held_on, Event.id)
    ).all()
    needs = db.session.execute(
        sa.select(
            Need.id,
            Need.interaction_id,
            NeedCategory.name.label("category"),
            Need.description,
            Need.status,
            Need.identified_on,
        )
        .join(NeedCategory, NeedCategory.id == Need.category_id)
        .where(Need.interaction_id.in_(interaction_ids))
        .order_by(Need.identified_on, Need.id)
    ).all()
    followups = db.session.execute(
        sa.select(
            FollowUp.id,
            FollowUp.interaction_id,
            FollowUp.title,
            FollowUp.due_on,
            FollowUp.status,
            FollowUp.done_on,
            FollowUp.notes,
        )
        .where(FollowUp.interaction_id.in_(interaction_ids))
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    entries = db.session.execute(
        sa.select(
            AuditEntry.at,
            AuditEntry.action,
            AuditEntry.changes,
            User.name.label("by"),
        )
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.record_type == Person.__name__, AuditEntry.record_id == person.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": exported_at.isoformat(),
        "person": {
            name: _plain(getattr(person, name))
            for name in (
                "id",
                "name",
                "job_title",
                "email",
                "phone",
                "lawful_basis",
                "notes",
                "archived",
                "erased_at",
                "created_at",
            )
        },
        "company": {"id": company.id, "name": company.legal_name} if company else None,
        "interactions": [
            {
                "id": row.id,
                "date": row.occurred_on.isoformat(),
                "type": row.type.value,
                "advisor": row.advisor,
                "summary": row.summary,
                "archived": row.archived,
            }
            for row in interactions
        ],
        "events": [
            {
                "id": row.id,
                "title": row.title,
                "date": row.held_on.isoformat(),
                "format": row.format.value,
            }
            for row in events
        ],
        "needs": [{key: _plain(value) for key, value in row._asdict().items()} for row in needs],
        "followups": [
            {key: _plain(value) for key, value in row._asdict().items()} for row in followups
        ],
        "audit": [
            {"at": _plain(row.at), "by": row.by, "action": row.action, "changes": row.changes}
            for row in entries
        ],
    }


# Retention


def retention_cutoff(on: date, years: int) -> date:
    """The same day `years` years before `on` (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def _last_contacts() -> sa.Subquery:
    return (
        sa.select(
            interaction_people.c.person_id,
            sa.func.max(Interaction.occurred_on).label("last_contact"),
        )
        .join(Interaction, Interaction.id == interaction_people.c.interaction_id)
        .where(Interaction.archived.is_(False))
        .group_by(interaction_people.c.person_id)
        .subquery("last_contacts")
    )


def people_for_review(cutoff: date) -> sa.Select:
    """People not erased with no contact since `cutoff` (or, never contacted, added before it).

    Contacts that were archived do not count. The longest silent come first.
    """
    last = _last_contacts()
    # Timestamps are stored in UTC; the cutoff is a calendar day in Luxembourg.
    added_before = datetime.combine(cutoff, time.min, tzinfo=AGENCY_TZ).astimezone(UTC)
    return (
        sa.select(Person)
        .join(Company, Company.id == Person.company_id)
        .outerjoin(last, last.c.person_id == Person.id)
        .where(
            Person.erased_at.is_(None),
            sa.or_(
                last.c.last_contact < cutoff,
                sa.and_(last.c.last_contact.is_(None), Person.created_at < added_before),
            ),
        )
        .options(contains_eager(Person.company))
        .order_by(
            last.c.last_contact.is_not(None),
            last.c.last_contact,
            Person.created_at,
            Person.id,
        )
    )


def last_contacts(person_ids: Sequence[int]) -> dict[int, date]:
    """The date of each person's latest contact (archived contacts left out)."""
    if not person_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(interaction_people.c.person_id, sa.func.max(Interaction.occurred_on))
            .join(Interaction, Interaction.id == interaction_people.c.interaction_id)
            .where(
                Interaction.archived.is_(False),
                interaction_people.c.person_id.in_(person_ids),
            )
            .group_by(interaction_people.c.person_id)
        ).all()
    )
