"""Importing contact persons from a CSV or XLSX file, with the file rules of DESIGN.md 4.3.

One row is one person of an existing company (`company`: its RCS number or exact legal name).
A row with the e-mail address, or else the name, of a person already at that company updates
them with the row's filled cells; any other row creates a person. A row that would create a
person erased at their request (tracker.gdpr.services.erased_match) is a warning, and the
import refuses such rows unless told to allow them. Planning writes nothing; applying flushes,
the caller commits once (all or nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.common.errors import ValidationError
from tracker.companies import services as company_services
from tracker.companies import validation
from tracker.companies.services import PersonDetails
from tracker.extensions import db
from tracker.gdpr.services import ErasureIndex, person_name_key
from tracker.models import AuditEntry, Company, LawfulBasis, Person, PersonErasure, User
from tracker.transfer.imports import (
    FieldChange,
    ImportFailed,
    _chunks,
    _count,
    _digest,
    _InteractionIndex,
    _line,
    _position,
    _shown,
    _text,
    max_rows,
)
from tracker.transfer.sheets import Cell, Problem, Sheet, SheetRow, read_sheet

# The file's columns and the PersonDetails field each one sets.
PEOPLE_COLUMNS = {
    "company": None,
    "name": "name",
    "job_title": "job_title",
    "email": "email",
    "phone": "phone",
    "lawful_basis": "lawful_basis",
    "notes": "notes",
}
PEOPLE_REQUIRED = ("company", "name")
_LIMITS = {"name": 160, "job_title": 160, "email": 254, "notes": 5000}


@dataclass
class PersonRow:
    """A row of the people file: what it sets, and the person it updates (None: creates)."""

    row: int
    company_id: int
    company_name: str
    values: dict[str, Any]
    person_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    erasure: PersonErasure | None = None

    @property
    def name(self) -> str:
        return self.values.get("name", "")


@dataclass
class PeoplePlan:
    source: str = ""
    description: str = ""
    creates: list[PersonRow] = field(default_factory=list)
    updates: list[PersonRow] = field(default_factory=list)
    unchanged: list[PersonRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rows: int = 0
    kind: str = "people"

    @property
    def erased(self) -> list[PersonRow]:
        """Rows that would create again a person erased at their request."""
        return [row for row in self.creates if row.erasure is not None]

    @property
    def writes(self) -> int:
        return len(self.creates) + len(self.updates)

    @property
    def rows_with_errors(self) -> int:
        return len({p.row for p in self.errors if p.row})

    def summary(self) -> str:
        erased = (
            f", {_count(len(self.erased), 'row')} matching erased people" if self.erased else ""
        )
        return (
            f"{_count(len(self.creates), 'person', 'people')} to create, "
            f"{len(self.updates):,} to update, {len(self.unchanged):,} unchanged{erased}, "
            f"{_count(len(self.errors), 'error')}"
        )

    def done(self) -> str:
        return (
            f"Imported: {_count(len(self.creates), 'person', 'people')} created, "
            f"{len(self.updates):,} updated, {len(self.unchanged):,} unchanged."
        )

    def fingerprint(self) -> str:
        """Changes whenever what confirming would write changes."""
        return _digest(
            [
                [row.row for row in self.creates],
                [row.row for row in self.erased],
                [(r.row, r.person_id, [c.column for c in r.changes]) for r in self.updates],
                [str(p) for p in self.errors],
            ]
        )


def erased_warning(row: PersonRow) -> str:
    """The warning of a row that matches an erased person, without any personal data."""
    day = row.erasure.erased_at.date().isoformat() if row.erasure else ""
    return (
        f"Row {row.row}: a person with this name/e-mail was erased on {day} at the request of "
        "the data subject; create them again only if they agreed."
    )


class _PeopleIndex:
    """The people (not erased) of the file's companies, by e-mail and by folded name."""

    def __init__(self, company_ids: list[int]) -> None:
        self.people: dict[int, Person] = {}
        self.by_email: dict[tuple[int, str], Person] = {}
        self.by_name: dict[tuple[int, str], list[Person]] = {}
        for chunk in _chunks(sorted(company_ids)):
            for person in db.session.scalars(
                sa.select(Person).where(Person.company_id.in_(chunk), Person.erased_at.is_(None))
            ):
                self.people[person.id] = person
                if person.email:
                    self.by_email.setdefault((person.company_id, person.email.lower()), person)
                key = (person.company_id, person_name_key(person.name))
                self.by_name.setdefault(key, []).append(person)


def plan_people(data: bytes, *, actor: User | None, source: str = "") -> PeoplePlan:
    """What importing a people file would create and update, and what is wrong with it."""
    sheet, problems = read_sheet(
        data, allowed=list(PEOPLE_COLUMNS), required=PEOPLE_REQUIRED, max_rows=max_rows()
    )
    plan = PeoplePlan(source=source, errors=problems)
    if sheet is None:
        return plan
    plan.description, plan.rows = sheet.description, len(sheet.rows)
    companies = _InteractionIndex()
    rows = [
        row
        for sheet_row in sheet.rows
        if (row := _person_row(sheet, sheet_row, companies, plan.errors)) is not None
    ]
    people = _PeopleIndex([row.company_id for row in rows])
    erasures = ErasureIndex()
    by_email: dict[tuple[int, str], int] = {}
    by_name: dict[tuple[int, str], tuple[int, str]] = {}
    targets: dict[int, int] = {}
    for row in rows:
        email = (row.values.get("email") or "").lower()
        name_key = (row.company_id, person_name_key(row.name))
        earlier = by_email.get((row.company_id, email)) if email else None
        if earlier is None and name_key in by_name:
            # Namesakes with two different e-mail addresses are two people.
            first, first_email = by_name[name_key]
            earlier = first if not (email and first_email and email != first_email) else None
        if earlier is not None:
            message = f"Row {earlier} has the same person (same company, and e-mail or name)."
            plan.errors.append(sheet.problem(row.row, "name", message))
            continue
        if email:
            by_email[(row.company_id, email)] = row.row
        by_name.setdefault(name_key, (row.row, email))
        errors = len(plan.errors)
        target = _match(sheet, row, people, plan.errors)
        if len(plan.errors) > errors:
            continue
        if target is None:
            row.erasure = erasures.match(row.name, email, row.company_id)
            plan.creates.append(row)
            continue
        if target.id in targets:
            message = f"Row {targets[target.id]} already updates this person."
            plan.errors.append(sheet.problem(row.row, "name", message))
            continue
        targets[target.id] = row.row
        row.person_id = target.id
        row.changes = _changes(row.values, target)
        (plan.updates if row.changes else plan.unchanged).append(row)
    plan.errors.sort(key=_position)
    return plan


def _person_row(
    sheet: Sheet, sheet_row: SheetRow, companies: _InteractionIndex, errors: list[Problem]
) -> PersonRow | None:
    """The row's values, normalised as the contact form would; None when any is wrong."""
    cells, number, count = sheet_row.cells, sheet_row.number, len(errors)
    values: dict[str, Any] = {}

    def check(column: str, parse: Callable[[Cell], Any]) -> Any:
        if cells.get(column) is None:
            return None
        try:
            value = parse(cells[column])
        except ValueError as error:
            errors.append(sheet.problem(number, column, str(error)))
            return None
        if PEOPLE_COLUMNS[column]:
            values[PEOPLE_COLUMNS[column]] = value
        return value

    for column in PEOPLE_REQUIRED:
        if cells.get(column) is None:
            errors.append(sheet.problem(number, column, "This column is required."))
    company = check("company", companies.company)
    check("name", _limited("name", one_line=True))
    check("job_title", _limited("job_title", one_line=True))
    check("email", lambda v: validation.normalise_email(_limited("email", one_line=True)(v)))
    check("phone", lambda v: validation.normalise_phone(_text(v)))
    check("lawful_basis", _lawful_basis)
    check("notes", _limited("notes", one_line=False))
    if company is not None and company.archived:
        message = f"{company.legal_name} is archived; restore it before importing its people."
        errors.append(sheet.problem(number, "company", message))
    if len(errors) > count:
        return None
    return PersonRow(
        row=number, company_id=company.id, company_name=company.legal_name, values=values
    )


def _limited(column: str, *, one_line: bool) -> Callable[[Cell], str]:
    limit = _LIMITS[column]

    def parse(value: Cell) -> str:
        text = _line(value) if one_line else _text(value).strip()
        if len(text) > limit:
            raise ValueError(f"At most {limit:,} characters ({len(text):,} here).")
        return text

    return parse


def _lawful_basis(value: Cell) -> LawfulBasis:
    key = "_".join(_line(value).lower().replace("-", " ").split())
    try:
        return LawfulBasis(key)
    except ValueError:
        allowed = ", ".join(member.value for member in LawfulBasis)
        raise ValueError(f"{_line(value)!r} is not one of {allowed}.") from None


def _match(
    sheet: Sheet, row: PersonRow, people: _PeopleIndex, errors: list[Problem]
) -> Person | None:
    """The person the row updates: the same e-mail at the company, else the same name."""
    email = row.values.get("email")
    if email:
        found = people.by_email.get((row.company_id, email.lower()))
        if found is not None:
            return found
    namesakes = people.by_name.get((row.company_id, person_name_key(row.name)), [])
    if email:
        # A namesake with another e-mail address is another person.
        namesakes = [p for p in namesakes if not p.email]
    if len(namesakes) > 1:
        message = (
            f"{len(namesakes)} people of {row.company_name} have this name; "
            "add the e-mail address to say which one."
        )
        errors.append(sheet.problem(row.row, "name", message))
        return None
    return namesakes[0] if namesakes else None


def _changes(values: dict[str, Any], person: Person) -> list[FieldChange]:
    """The fields the row changes on the person, with old and new values as text."""
    changes = []
    for column, attribute in PEOPLE_COLUMNS.items():
        if attribute is None or attribute not in values:
            continue
        old, new = getattr(person, attribute), values[attribute]
        if old != new:
            changes.append(FieldChange(column, _shown(old), _shown(new)))
    return changes


def apply_people(plan: PeoplePlan, *, actor: User | None, allow_erased: bool = False) -> None:
    """Write a plan without errors through the contact services; flushes, the caller commits.

    Raises ImportFailed for errors, or for rows matching erased people unless `allow_erased`.
    """
    if plan.errors:
        raise ImportFailed(plan.errors)
    if plan.erased and not allow_erased:
        raise ImportFailed(
            [Problem(row.row, None, erased_warning(row).split(": ", 1)[1]) for row in plan.erased]
        )
    companies: dict[int, Company] = {}
    for chunk in _chunks(sorted({row.company_id for row in plan.creates})):
        companies.update(
            (c.id, c) for c in db.session.scalars(sa.select(Company).where(Company.id.in_(chunk)))
        )
    people: dict[int, Person] = {}
    for chunk in _chunks(sorted(row.person_id for row in plan.updates if row.person_id)):
        people.update(
            (p.id, p) for p in db.session.scalars(sa.select(Person).where(Person.id.in_(chunk)))
        )
    try:
        for row in plan.creates:
            company_services.add_person(
                companies[row.company_id], PersonDetails(**row.values), actor=actor
            )
        for row in plan.updates:
            person = people[row.person_id]  # type: ignore[index]
            current = {
                name: getattr(person, name)
                for name in ("name", "job_title", "email", "phone", "lawful_basis", "notes")
            }
            company_services.update_person(
                person, PersonDetails(**{**current, **row.values}), actor=actor
            )
    except ValidationError as error:
        raise ImportFailed([Problem(None, error.field, str(error))]) from None
    if plan.writes:
        db.session.add(
            AuditEntry(
                user_id=actor.id if actor is not None else None,
                action="import",
                record_type="Person",
                record_id=None,
                changes={
                    "file": [None, plan.source],
                    "created": [None, len(plan.creates)],
                    "updated": [None, len(plan.updates)],
                },
            )
        )
    db.session.flush()
