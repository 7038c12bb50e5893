"""Events the cluster organises and who took part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tracker import audit
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import Cluster, Company, Event, EventFormat, Person, User

EVENT_FIELDS = ["title", "held_on", "format", "partners", "description", "cluster_id",
                "companies", "people"]  # fmt: skip


def _clean_partners(partners: str) -> str:
    return "\n".join(p.strip() for p in partners.replace(";", "\n").splitlines() if p.strip())


def _check_people(companies: Sequence[Company], people: Sequence[Person]) -> None:
    company_ids = {c.id for c in companies}
    if any(p.company_id not in company_ids for p in people):
        raise ValidationError(
            "Each participant must work at one of the participating companies.", "people"
        )


def create_event(
    *,
    title: str,
    held_on: date,
    format: EventFormat,
    actor: User,
    partners: str = "",
    description: str = "",
    cluster: Cluster | None = None,
) -> Event:
    if not title.strip():
        raise ValidationError("Give the event a title.", "title")
    event = Event(
        title=title.strip(),
        held_on=held_on,
        format=format,
        partners=_clean_partners(partners),
        description=description.strip(),
        cluster=cluster,
        created_by=actor,
    )
    db.session.add(event)
    audit.record(actor, "create", event, audit.diff({}, audit.snapshot(event, EVENT_FIELDS)))
    return event


def update_event(
    event: Event,
    *,
    title: str,
    held_on: date,
    format: EventFormat,
    actor: User,
    partners: str = "",
    description: str = "",
    cluster: Cluster | None = None,
) -> Event:
    if not title.strip():
        raise ValidationError("Give the event a title.", "title")
    before = audit.snapshot(event, EVENT_FIELDS)
    event.title, event.held_on, event.format = title.strip(), held_on, format
    event.partners, event.description = _clean_partners(partners), description.strip()
    event.cluster = cluster
    changes = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
    if changes:
        audit.record(actor, "update", event, changes)
    return event


def set_participants(
    event: Event, *, companies: Sequence[Company], people: Sequence[Person], actor: User
) -> Event:
    """Replace who took part: companies, and people of those companies."""
    _check_people(companies, people)
    before = audit.snapshot(event, ["companies", "people"])
    event.companies = list(dict.fromkeys(companies))
    event.people = list(dict.fromkeys(people))
    changes = audit.diff(before, audit.snapshot(event, ["companies", "people"]))
    if changes:
        audit.record(actor, "update", event, changes)
    return event
