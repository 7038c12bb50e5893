"""Reads behind the contact pages; each returns a `Select` for the view to execute."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.models import (
    FollowUp,
    Interaction,
    Need,
    NeedCategory,
    Person,
    Solution,
)


def interaction_for_page(interaction_id: int) -> sa.Select[tuple[Interaction]]:
    """One interaction with its company, advisor, people met and health check."""
    return (
        sa.select(Interaction)
        .where(Interaction.id == interaction_id)
        .options(
            joinedload(Interaction.company),
            joinedload(Interaction.advisor),
            joinedload(Interaction.health_check),
            selectinload(Interaction.people),
        )
    )


def needs_of_interaction(interaction_id: int) -> sa.Select[tuple[Need]]:
    """The needs identified at a contact, with their category and every solution suggested."""
    return (
        sa.select(Need)
        .where(Need.interaction_id == interaction_id)
        .options(
            joinedload(Need.category),
            selectinload(Need.solutions).joinedload(Solution.instrument),
        )
        .order_by(Need.id)
    )


def followups_of_interaction(interaction_id: int) -> sa.Select[tuple[FollowUp]]:
    """The follow-ups created at a contact, with their assignee."""
    return (
        sa.select(FollowUp)
        .where(FollowUp.interaction_id == interaction_id)
        .options(joinedload(FollowUp.assignee))
        .order_by(FollowUp.due_on, FollowUp.id)
    )


def people_of_company(company_id: int, *, including: list[int] | None = None) -> sa.Select:
    """The company's contact persons who are not archived (and those in `including`), by name."""
    shown = Person.archived.is_(False)
    if including:
        shown = sa.or_(shown, Person.id.in_(including))
    return (
        sa.select(Person)
        .where(Person.company_id == company_id, shown)
        .order_by(Person.name, Person.id)
    )


def offered_need_categories() -> sa.Select[tuple[NeedCategory]]:
    """The categories a new need may have: the active ones, in the admins' order."""
    return (
        sa.select(NeedCategory)
        .where(NeedCategory.active.is_(True))
        .order_by(NeedCategory.position, NeedCategory.name)
    )


def archived_interactions(company_id: int) -> sa.Select[tuple[Interaction]]:
    """A company's archived contacts, newest first; run it inside `archived_included()`."""
    return (
        sa.select(Interaction)
        .where(Interaction.company_id == company_id, Interaction.archived.is_(True))
        .options(
            joinedload(Interaction.advisor),
            joinedload(Interaction.health_check),
            selectinload(Interaction.people),
        )
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
    )


def archived_count(company_id: int) -> sa.Select[tuple[int]]:
    """How many of a company's contacts are archived."""
    return (
        sa.select(sa.func.count(Interaction.id))
        .where(Interaction.company_id == company_id, Interaction.archived.is_(True))
        .execution_options(include_archived=True)
    )
