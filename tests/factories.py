"""Small factories for test data; they flush through the services, the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker import dates
from tracker.admin import services
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    Event,
    EventFormat,
    FollowUp,
    HealthCheck,
    Instrument,
    Interaction,
    InteractionType,
    Need,
    NeedCategory,
    Person,
    Role,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
)

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    role: str


def make_cluster(slug: str = "wood", name: str | None = None) -> Cluster:
    return services.create_cluster(slug=slug, name=name or slug.replace("-", " ").title())


def make_user(
    *,
    role: str = "advisor",
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    clusters: list[Cluster] | None = None,
) -> UserInfo:
    email = email or f"{role}@example.lu"
    user = services.create_user(
        email=email,
        name=name or f"{role.title()} Tester",
        role=Role(role),
        password=password,
        clusters=clusters or [],
    )
    db.session.flush()
    return UserInfo(id=user.id, email=user.email, name=user.name, role=role)


# Domain records, built directly so that any test can set up any state; the caller commits.


def make_company(
    name: str = "Moselle Precision Castings S.à r.l.",
    *,
    owner_id: int | None = None,
    clusters: list[Cluster] | None = None,
    **fields: object,
) -> Company:
    company = Company(legal_name=name, owner_id=owner_id, clusters=clusters or [], **fields)
    db.session.add(company)
    db.session.flush()
    return company


def make_person(company: Company, name: str = "Anne Schmit", **fields: object) -> Person:
    person = Person(company=company, name=name, **fields)
    db.session.add(person)
    db.session.flush()
    return person


def make_interaction(
    company: Company,
    advisor_id: int,
    on: date | None = None,
    type: InteractionType = InteractionType.CALL,
    summary: str = "Call about the order book.",
) -> Interaction:
    interaction = Interaction(
        company=company,
        advisor_id=advisor_id,
        occurred_on=on or dates.today(),
        type=type,
        summary=summary,
    )
    db.session.add(interaction)
    db.session.flush()
    return interaction


def make_health_check(
    company: Company, recorded_by_id: int, on: date | None = None, **answers: object
) -> HealthCheck:
    check = HealthCheck(
        company=company, recorded_by_id=recorded_by_id, checked_on=on or dates.today(), **answers
    )
    db.session.add(check)
    db.session.flush()
    return check


def category(slug: str) -> NeedCategory:
    return db.session.execute(db.select(NeedCategory).where(NeedCategory.slug == slug)).scalar_one()


def instrument(name: str) -> Instrument:
    return db.session.execute(db.select(Instrument).where(Instrument.name == name)).scalar_one()


def make_need(
    company: Company, slug: str = "liquidity", on: date | None = None, **fields: object
) -> Need:
    need = Need(
        company=company, category=category(slug), identified_on=on or dates.today(), **fields
    )
    db.session.add(need)
    db.session.flush()
    return need


def make_solution(
    need: Need,
    instrument_name: str | None = "COVID-RDI",
    on: date | None = None,
    status: SolutionStatus = SolutionStatus.SUGGESTED,
    **fields: object,
) -> Solution:
    solution = Solution(
        need=need,
        instrument=instrument(instrument_name) if instrument_name else None,
        suggested_on=on or dates.today(),
        status=status,
        **fields,
    )
    solution.changes.append(
        SolutionStatusChange(to_status=SolutionStatus.SUGGESTED, changed_on=solution.suggested_on)
    )
    db.session.add(solution)
    db.session.flush()
    return solution


def make_followup(
    company: Company, assignee_id: int, due: date | None = None, title: str = "Call back", **fields
) -> FollowUp:
    followup = FollowUp(
        company=company, assignee_id=assignee_id, due_on=due or dates.today(), title=title, **fields
    )
    db.session.add(followup)
    db.session.flush()
    return followup


def make_event(title: str = "Webinar: energy prices", on: date | None = None, **fields) -> Event:
    event = Event(
        title=title,
        held_on=on or dates.today(),
        format=fields.pop("format", EventFormat.WEBINAR),
        **fields,
    )
    db.session.add(event)
    db.session.flush()
    return event
