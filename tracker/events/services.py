"""Events the cluster organises and who took part."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit
from tracker.common.errors import ValidationError
from tracker.common.versions import UNCHECKED, check_version, touch
from tracker.extensions import db
from tracker.models import Cluster, Company, Event, EventFormat, Person, User, event_companies

EVENT_FIELDS = ["title", "held_on", "format", "partners", "description", "cluster_id",
                "companies", "people"]  # fmt: skip


def _clean_partners(partners: str) -> str:
    return "\n".join(p.strip() for p in partners.replace(";", "\n").splitlines() if p.strip())


def _check_people(companies: Sequence[Company], people: Sequence[Person]) -> None:
    company_ids = {c.id for c in companies}
    if any(p.company_id not in company_ids for p in people):
        raise ValidationError(
            _("Each participant must work at one of the participating companies."), "people"
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
        raise ValidationError(_("Give the event a title."), "title")
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
    db.session.flush()  # its cluster's id, for the audit entry
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
    version: Any = UNCHECKED,
) -> Event:
    """Change what the event is; refused when someone else saved it meanwhile."""
    check_version(event, version, _("event"))
    if not title.strip():
        raise ValidationError(_("Give the event a title."), "title")
    before = audit.snapshot(event, EVENT_FIELDS)
    event.title, event.held_on, event.format = title.strip(), held_on, format
    event.partners, event.description = _clean_partners(partners), description.strip()
    event.cluster = cluster
    changes = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
    if changes:
        audit.record(actor, "update", event, changes)
    return event


def set_participants(
    event: Event,
    *,
    companies: Sequence[Company],
    people: Sequence[Person],
    actor: User,
    version: Any = UNCHECKED,
) -> Event:
    """Replace who took part: companies, and people of those companies."""
    check_version(event, version, _("event"))
    _check_people(companies, people)
    before = audit.snapshot(event, ["companies", "people"])
    event.companies = list(dict.fromkeys(companies))
    event.people = list(dict.fromkeys(people))
    changes = audit.diff(before, audit.snapshot(event, ["companies", "people"]))
    if changes:
        touch(event)  # participants live in other tables
        audit.record(actor, "update", event, changes)
    return event


def add_participants(
    event: Event, companies: Sequence[Company], *, actor: User, version: Any = UNCHECKED
) -> Event:
    """Add companies to those who took part; archived companies cannot be added."""
    check_version(event, version, _("event"))
    archived = [c.legal_name for c in companies if c.archived and c not in event.companies]
    if archived:
        raise ValidationError(
            _("Archived companies cannot be added: %(names)s.", names=", ".join(archived)),
            "companies",
        )
    return set_participants(
        event, companies=[*event.companies, *companies], people=event.people, actor=actor
    )


def remove_participant(
    event: Event, company: Company, *, actor: User, version: Any = UNCHECKED
) -> Event:
    """Remove a company and its people from those who took part."""
    check_version(event, version, _("event"))
    return set_participants(
        event,
        companies=[c for c in event.companies if c.id != company.id],
        people=[p for p in event.people if p.company_id != company.id],
        actor=actor,
    )


# Reads behind the pages.


def events_list(cluster_id: int | None = None, year: int | None = None) -> sa.Select[tuple[Event]]:
    """Events, newest first, optionally of one cluster and one year."""
    query = sa.select(Event).options(joinedload(Event.cluster))
    if cluster_id is not None:
        query = query.where(Event.cluster_id == cluster_id)
    if year is not None:
        query = query.where(Event.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    return query.order_by(Event.held_on.desc(), Event.id.desc())


def participant_counts(event_ids: Sequence[int]) -> dict[int, int]:
    """How many companies took part in each of these events."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        sa.select(event_companies.c.event_id, sa.func.count())
        .where(event_companies.c.event_id.in_(event_ids))
        .group_by(event_companies.c.event_id)
    )
    return {event_id: count for event_id, count in rows}


def event_years() -> sa.Select[tuple[int]]:
    """The years in which there are events, latest first."""
    year = sa.extract("year", Event.held_on)
    return (
        sa.select(sa.cast(year, sa.Integer)).distinct().order_by(sa.cast(year, sa.Integer).desc())
    )


def event_detail(event_id: int) -> sa.Select[tuple[Event]]:
    """One event with its cluster, author, companies and people."""
    return (
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            joinedload(Event.cluster),
            joinedload(Event.created_by),
            selectinload(Event.companies),
            selectinload(Event.people),
        )
    )


def people_of(company_ids: Sequence[int]) -> sa.Select[tuple[Person]]:
    """The contact persons of these companies, by name."""
    return (
        sa.select(Person).where(Person.company_id.in_(company_ids)).order_by(Person.name, Person.id)
    )


def company_search(
    q: str, *, exclude: Sequence[int] = (), limit: int = 20
) -> sa.Select[tuple[Company]]:
    """Companies not archived whose legal or trade name contains `q`, by name."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = sa.select(Company).where(
        Company.archived.is_(False),
        sa.or_(
            Company.legal_name.ilike(pattern, escape="\\"),
            Company.trade_name.ilike(pattern, escape="\\"),
        ),
    )
    if exclude:
        query = query.where(Company.id.not_in(exclude))
    return query.order_by(Company.legal_name, Company.id).limit(limit)
