"""The tables of each export: a header and the rows under it.

The companies and the contact history are written with the columns of their import files
(DESIGN.md 4.3 and 4.4), so that an export imports back without changes: those headers are the
same in every language. The other exports are read by people: their headers are in the language
of the page they were downloaded from (the cells keep the values the database holds). Rows are
read from the database in batches while the file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from tracker.admin.services import catalogue_name_key
from tracker.companies.queries import CompanyFilters, companies_query
from tracker.dates import today
from tracker.exports import Cell
from tracker.extensions import db
from tracker.models import (
    Company,
    FollowUp,
    HealthCheck,
    Instrument,
    Interaction,
    Need,
    NeedCategory,
    Person,
    Solution,
    User,
)
from tracker.transfer.imports import COMPANY_COLUMNS, INTERACTION_COLUMNS

BATCH = 2000

Rows = Iterator[Sequence[Cell]]
Table = tuple[Sequence[str], Rows]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: LazyString
    description: LazyString
    rows: Callable[[Mapping[str, str], int], Table]


def _stream(query: sa.Select) -> Iterator[Any]:
    return iter(db.session.execute(query.execution_options(yield_per=BATCH)))


def _joined(values: Sequence[str]) -> str:
    return ";".join(values)


def companies(args: Mapping[str, str], user_id: int) -> Table:
    """The companies the list shows with the same query string, in its order."""
    query = companies_query(CompanyFilters.from_args(args), user_id=user_id, on=today()).options(
        selectinload(Company.markets)
    )

    def rows() -> Rows:
        for company in db.session.scalars(query):
            yield [
                company.legal_name,
                company.trade_name,
                company.rcs_number,
                company.vat_number,
                company.nace_code,
                company.employees,
                company.street,
                company.postal_code,
                company.locality,
                company.country,
                company.website,
                _joined(sorted(c.slug for c in company.clusters)),
                _joined(sorted(m.slug for m in company.markets)),
                company.owner.email if company.owner else None,
                company.status.value,
            ]

    return list(COMPANY_COLUMNS), rows()


def people(args: Mapping[str, str], user_id: int) -> Table:
    header = [_("Company"), _("RCS number"), _("Name"), _("Job title"), _("E-mail"), _("Phone"),
              _("Lawful basis"), _("Notes"), _("Archived")]  # fmt: skip
    query = (
        sa.select(
            Company.legal_name,
            Company.rcs_number,
            Person.name,
            Person.job_title,
            Person.email,
            Person.phone,
            Person.lawful_basis,
            Person.notes,
            Person.archived,
        )
        .join(Company, Person.company_id == Company.id)
        .order_by(sa.func.lower(Company.legal_name), Company.id, Person.name, Person.id)
    )

    def rows() -> Rows:
        for row in _stream(query):
            yield [*row[:6], row.lawful_basis.value, row.notes, row.archived]

    return header, rows()


def _company_labels() -> dict[int, str]:
    """How the contact history names each company: its legal name, or its RCS number when
    another company has the same name (the import matches the exact name)."""
    rows = db.session.execute(sa.select(Company.id, Company.legal_name, Company.rcs_number)).all()
    counts: dict[str, int] = {}
    for row in rows:
        key = catalogue_name_key(row.legal_name)
        counts[key] = counts.get(key, 0) + 1
    return {
        row.id: row.rcs_number
        if row.rcs_number and counts[catalogue_name_key(row.legal_name)] > 1
        else row.legal_name
        for row in rows
    }


def interactions(args: Mapping[str, str], user_id: int) -> Table:
    """Every interaction in the columns of the contact-history import, oldest first."""
    labels = _company_labels()
    needs_of: dict[int, list[tuple[int, str]]] = {}
    for need_id, interaction_id, slug in db.session.execute(
        sa.select(Need.id, Need.interaction_id, NeedCategory.slug)
        .join(NeedCategory, Need.category_id == NeedCategory.id)
        .where(Need.interaction_id.is_not(None))
        .order_by(Need.id)
    ):
        needs_of.setdefault(interaction_id, []).append((need_id, slug))
    instruments: dict[int, list[str]] = {}
    for need_id, name in db.session.execute(
        sa.select(Solution.need_id, Instrument.name)
        .join(Instrument, Solution.instrument_id == Instrument.id)
        .join(Need, Solution.need_id == Need.id)
        .where(Need.interaction_id.is_not(None))
        .order_by(Solution.id)
    ):
        instruments.setdefault(need_id, []).append(name)
    followup_of: dict[int, tuple[Any, str]] = {}
    for interaction_id, due_on, title in db.session.execute(
        sa.select(FollowUp.interaction_id, FollowUp.due_on, FollowUp.title)
        .where(FollowUp.interaction_id.is_not(None))
        .order_by(FollowUp.id.desc())
    ):
        followup_of[interaction_id] = (due_on, title)  # the first one wins: read last
    health = aliased(HealthCheck)
    query = (
        sa.select(
            Interaction.id,
            Interaction.occurred_on,
            Interaction.company_id,
            Interaction.type,
            User.email,
            Interaction.summary,
            health.turnover_trend,
            health.orders_trend,
            health.employment_trend,
            health.outlook,
            health.short_time_work,
            health.liquidity,
            health.risk_level,
        )
        .join(User, Interaction.advisor_id == User.id)
        .outerjoin(health, health.interaction_id == Interaction.id)
        .order_by(Interaction.occurred_on, Interaction.id)
    )

    def value(member: Any) -> str | None:
        return member.value if member is not None else None

    def rows() -> Rows:
        for row in _stream(query):
            row_needs = needs_of.get(row.id, [])
            answers = [name for need_id, _ in row_needs for name in instruments.get(need_id, [])]
            due_on, title = followup_of.get(row.id, (None, None))
            yield [
                row.occurred_on,
                labels[row.company_id],
                row.type.value,
                row.email,
                row.summary,
                _joined([slug for _id, slug in row_needs]),
                _joined(list(dict.fromkeys(answers))),
                due_on,
                title,
                value(row.turnover_trend),
                value(row.orders_trend),
                value(row.employment_trend),
                value(row.outlook),
                row.short_time_work,
                value(row.liquidity),
                value(row.risk_level),
            ]

    return list(INTERACTION_COLUMNS), rows()


def needs(args: Mapping[str, str], user_id: int) -> Table:
    header = [_("Id"), _("Company"), _("RCS number"), _("Category"), _("Description"),
              _("Urgency"), _("Status"), _("Identified on"), _("Resolved on"), _("Closed on"),
              _("Owner's e-mail"), _("Outcome")]  # fmt: skip
    query = (
        sa.select(
            Need.id,
            Company.legal_name,
            Company.rcs_number,
            NeedCategory.slug,
            Need.description,
            Need.urgency,
            Need.status,
            Need.identified_on,
            Need.resolved_on,
            Need.closed_on,
            User.email,
            Need.outcome,
        )
        .join(Company, Need.company_id == Company.id)
        .join(NeedCategory, Need.category_id == NeedCategory.id)
        .outerjoin(User, Need.owner_id == User.id)
        .order_by(Need.identified_on, Need.id)
    )

    def rows() -> Rows:
        for row in _stream(query):
            yield [*row[:5], row.urgency.value, row.status.value, *row[7:]]

    return header, rows()


def solutions(args: Mapping[str, str], user_id: int) -> Table:
    header = [_("Id"), _("Need id"), _("Company"), _("RCS number"), _("Need category"),
              _("Instrument"), _("Partner"), _("Status"), _("Amount requested (EUR)"),
              _("Amount granted (EUR)"), _("Suggested on"), _("Decided on"),
              _("Created by (e-mail)"), _("Notes")]  # fmt: skip
    query = (
        sa.select(
            Solution.id,
            Solution.need_id,
            Company.legal_name,
            Company.rcs_number,
            NeedCategory.slug,
            Instrument.name,
            Solution.partner,
            Solution.status,
            Solution.amount_requested,
            Solution.amount_granted,
            Solution.suggested_on,
            Solution.decided_on,
            User.email,
            Solution.notes,
        )
        .join(Need, Solution.need_id == Need.id)
        .join(Company, Need.company_id == Company.id)
        .join(NeedCategory, Need.category_id == NeedCategory.id)
        .outerjoin(Instrument, Solution.instrument_id == Instrument.id)
        .outerjoin(User, Solution.created_by_id == User.id)
        .order_by(Solution.suggested_on, Solution.id)
    )

    def rows() -> Rows:
        for row in _stream(query):
            yield [*row[:7], row.status.value, *row[8:]]

    return header, rows()


def followups(args: Mapping[str, str], user_id: int) -> Table:
    header = [_("Id"), _("Company"), _("RCS number"), _("Title"), _("Due on"),
              _("Assignee's e-mail"), _("Status"), _("Done on"), _("Need id"), _("Solution id"),
              _("Notes"), _("Created by (e-mail)")]  # fmt: skip
    creator = aliased(User)
    query = (
        sa.select(
            FollowUp.id,
            Company.legal_name,
            Company.rcs_number,
            FollowUp.title,
            FollowUp.due_on,
            User.email,
            FollowUp.status,
            FollowUp.done_on,
            FollowUp.need_id,
            FollowUp.solution_id,
            FollowUp.notes,
            creator.email.label("created_by_email"),
        )
        .join(Company, FollowUp.company_id == Company.id)
        .join(User, FollowUp.assignee_id == User.id)
        .outerjoin(creator, FollowUp.created_by_id == creator.id)
        .order_by(FollowUp.due_on, FollowUp.id)
    )

    def rows() -> Rows:
        for row in _stream(query):
            yield [*row[:6], row.status.value, *row[7:]]

    return header, rows()


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "companies",
            _l("Companies"),
            _l(
                "The columns of the company import: change the file and import it back. "
                "Archived companies are left out."
            ),
            companies,
        ),
        Dataset(
            "people",
            _l("Contact persons"),
            _l("Every contact person, with their company."),
            people,
        ),
        Dataset(
            "interactions",
            _l("Contact history"),
            _l(
                "Every contact, with the needs, solutions, follow-up and health check logged with "
                "it, in the columns of the contact-history import."
            ),
            interactions,
        ),
        Dataset("needs", _l("Needs"), _l("Every need, whatever its status."), needs),
        Dataset(
            "solutions",
            _l("Solutions"),
            _l("Every solution suggested, with its status and amounts."),
            solutions,
        ),
        Dataset(
            "followups",
            _l("Follow-ups"),
            _l("Every follow-up, open, done or cancelled."),
            followups,
        ),
    )
}
