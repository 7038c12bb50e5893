"""Purge: the one hard delete, of one archived record and what depends on it, with an audit entry.

Users only archive (DESIGN.md 6, "Nothing lost"); an admin who must remove data for good (a
record created by mistake, a retention rule) purges it from the command line. The dependent
rows are deleted explicitly, children first, rather than left to `ON DELETE CASCADE`, so that
the counts printed are the rows removed and nothing depends on a database's foreign-key
settings. Rows that only point at the record (`ON DELETE SET NULL`: needs and follow-ups of a
purged contact, erasure records of a purged company) are kept and unlinked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker import audit
from tracker.companies import search
from tracker.companies.services import COMPANY_FIELDS, PERSON_FIELDS
from tracker.extensions import db
from tracker.interactions.services import HEALTH_FIELDS, INTERACTION_FIELDS
from tracker.models import (
    Company,
    FollowUp,
    HealthCheck,
    Interaction,
    Need,
    Person,
    PersonErasure,
    Solution,
    SolutionStatusChange,
    event_companies,
    event_people,
    interaction_people,
)
from tracker.models.company import (
    company_clusters,
    company_facts,
    company_markets,
    company_search,
)

KINDS: dict[str, type[Company] | type[Person] | type[Interaction]] = {
    "company": Company,
    "person": Person,
    "interaction": Interaction,
}
FIELDS = {"company": COMPANY_FIELDS, "person": PERSON_FIELDS, "interaction": INTERACTION_FIELDS}
# The labels of the rows removed (plural, singular), in the order a summary names them.
NOUNS = {
    "people": "person",
    "interactions": "interaction",
    "health checks": "health check",
    "needs": "need",
    "solutions": "solution",
    "solution status changes": "solution status change",
    "follow-ups": "follow-up",
    "event participations": "event participation",
    "event participations of its people": "event participation of its people",
    "links to people met": "link to a person met",
    "links to contacts": "link to a contact",
    "cluster memberships": "cluster membership",
    "market tags": "market tag",
}  # rows not named here (the company's search row) are not worth telling


class PurgeRefused(Exception):
    """The record cannot be purged; the message says why, in one line."""


@dataclass(frozen=True)
class Removal:
    """Rows of one table that go with the record: `label` names them in the summary."""

    label: str
    table: sa.Table
    where: sa.ColumnElement[bool]


@dataclass(frozen=True)
class Unlink:
    """Rows that stay but lose their reference to the record."""

    table: sa.Table
    column: str
    where: sa.ColumnElement[bool]


@dataclass
class PurgePlan:
    kind: str
    record: Any
    removals: list[Removal]
    unlinks: list[Unlink]

    @property
    def name(self) -> str:
        """`company 12 “Moselle Castings”`, for messages."""
        record = self.record
        if isinstance(record, Company):
            title = record.legal_name
        elif isinstance(record, Person):
            title = record.name
        else:
            title = f"{record.type.value} on {record.occurred_on.isoformat()}"
        return f"{self.kind} {record.id} “{title}”"

    def counts(self) -> dict[str, int]:
        """How many rows each removal would delete now."""
        return {
            removal.label: db.session.scalar(
                sa.select(sa.func.count())
                .select_from(removal.table)
                .where(removal.where)
                .execution_options(include_archived=True)
            )
            or 0
            for removal in self.removals
        }


def describe(counts: dict[str, int]) -> str:
    """`3 people, 27 interactions, 1 health check`: the rows counted, in the order of NOUNS."""
    told = [(label, n) for label, n in counts.items() if label in NOUNS]
    ordered = sorted(told, key=lambda item: list(NOUNS).index(item[0]))
    return ", ".join(f"{n:,} {label if n != 1 else NOUNS[label]}" for label, n in ordered if n)


def _t(model: Any) -> sa.Table:
    return model.__table__


def _company_removals(company_id: int) -> tuple[list[Removal], list[Unlink]]:
    needs, solutions, people = _t(Need), _t(Solution), _t(Person)
    interactions = _t(Interaction)
    need_ids = sa.select(needs.c.id).where(needs.c.company_id == company_id)
    solution_ids = sa.select(solutions.c.id).where(solutions.c.need_id.in_(need_ids))
    person_ids = sa.select(people.c.id).where(people.c.company_id == company_id)
    interaction_ids = sa.select(interactions.c.id).where(interactions.c.company_id == company_id)
    changes = _t(SolutionStatusChange)
    removals = [
        Removal("solution status changes", changes, changes.c.solution_id.in_(solution_ids)),
        Removal("follow-ups", _t(FollowUp), _t(FollowUp).c.company_id == company_id),
        Removal("solutions", solutions, solutions.c.need_id.in_(need_ids)),
        Removal("needs", needs, needs.c.company_id == company_id),
        Removal("health checks", _t(HealthCheck), _t(HealthCheck).c.company_id == company_id),
        Removal(
            "links to people met",
            interaction_people,
            sa.or_(
                interaction_people.c.interaction_id.in_(interaction_ids),
                interaction_people.c.person_id.in_(person_ids),
            ),
        ),
        Removal("interactions", interactions, interactions.c.company_id == company_id),
        Removal(
            "event participations of its people",
            event_people,
            event_people.c.person_id.in_(person_ids),
        ),
        Removal(
            "event participations", event_companies, event_companies.c.company_id == company_id
        ),
        Removal("people", people, people.c.company_id == company_id),
        Removal(
            "cluster memberships", company_clusters, company_clusters.c.company_id == company_id
        ),
        Removal("market tags", company_markets, company_markets.c.company_id == company_id),
        Removal("search rows", company_search, company_search.c.company_id == company_id),
        Removal("facts rows", company_facts, company_facts.c.company_id == company_id),
    ]
    erasures = _t(PersonErasure)
    unlinks = [Unlink(erasures, "company_id", erasures.c.company_id == company_id)]
    return removals, unlinks


def _person_removals(person_id: int) -> tuple[list[Removal], list[Unlink]]:
    return [
        Removal(
            "links to contacts",
            interaction_people,
            interaction_people.c.person_id == person_id,
        ),
        Removal("event participations", event_people, event_people.c.person_id == person_id),
    ], []


def _interaction_removals(interaction_id: int) -> tuple[list[Removal], list[Unlink]]:
    checks = _t(HealthCheck)
    return [
        Removal("health checks", checks, checks.c.interaction_id == interaction_id),
        Removal(
            "links to people met",
            interaction_people,
            interaction_people.c.interaction_id == interaction_id,
        ),
    ], [
        Unlink(_t(Need), "interaction_id", _t(Need).c.interaction_id == interaction_id),
        Unlink(_t(FollowUp), "interaction_id", _t(FollowUp).c.interaction_id == interaction_id),
    ]


DEPENDENTS: dict[str, Callable[[int], tuple[list[Removal], list[Unlink]]]] = {
    "company": _company_removals,
    "person": _person_removals,
    "interaction": _interaction_removals,
}


def plan_purge(kind: str, record_id: int) -> PurgePlan:
    """What purging the record would remove; refuses an unknown or a non-archived record."""
    model = KINDS[kind]
    record = db.session.get(model, record_id, execution_options={"include_archived": True})
    if record is None:
        raise PurgeRefused(f"No {kind} has the id {record_id}.")
    removals, unlinks = DEPENDENTS[kind](record_id)
    plan = PurgePlan(kind, record, removals, unlinks)
    if not record.archived:
        raise PurgeRefused(
            f"The {plan.name} is not archived: only archived records can be purged. "
            "Archive it in the app first."
        )
    table = _t(model)
    plan.removals.append(Removal(kind, table, table.c.id == record_id))
    return plan


def purge(plan: PurgePlan) -> dict[str, int]:
    """Delete the record and its dependent rows, with a "purge" audit entry by the system.

    Returns the rows removed per label; flushes, the caller commits. The audit entries of the
    purged records stay.
    """
    record = plan.record
    audit.record(None, "purge", record, audit.removed(audit.snapshot(record, FIELDS[plan.kind])))
    if isinstance(record, Interaction) and record.health_check is not None:
        check = record.health_check
        audit.record(None, "purge", check, audit.removed(audit.snapshot(check, HEALTH_FIELDS)))
    db.session.flush()
    for unlink in plan.unlinks:
        db.session.execute(
            sa.update(unlink.table).where(unlink.where).values({unlink.column: None})
        )
    removed = {}
    for removal in plan.removals:
        result = db.session.execute(sa.delete(removal.table).where(removal.where))
        removed[removal.label] = result.rowcount
    if isinstance(record, Person):
        # Deleted past the ORM: the company's search row must forget the person.
        search.refresh(db.session.connection(), [record.company_id])
    return removed
