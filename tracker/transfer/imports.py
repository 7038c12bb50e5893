"""Plans for importing companies (DESIGN.md 4.3) and contact history (4.4), and applying them.

A plan is read from a file and from the database as it is now: what each row would create or
update, which new companies look like existing ones, and every error with its row and column.
Nothing is written while planning. Applying a plan without errors writes it through the feature
services (so audit entries and status history are the same as from the forms), flushing only:
the caller commits once, or rolls back. The command line and the upload page share both steps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import Enum
from types import SimpleNamespace
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from rapidfuzz import fuzz, process
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.admin.services import catalogue_name_key, instrument_name_key
from tracker.common.errors import NotAllowed, ValidationError
from tracker.companies import facts, search, validation
from tracker.companies import services as company_services
from tracker.dates import today
from tracker.extensions import db
from tracker.i18n import format_number
from tracker.interactions.services import (
    FollowUpInput,
    HealthAnswers,
    NeedInput,
    SolutionInput,
    log_interaction,
)
from tracker.models import (
    AuditEntry,
    Cluster,
    Company,
    CompanyStatus,
    Instrument,
    Interaction,
    InteractionType,
    Liquidity,
    Market,
    NeedCategory,
    RiskLevel,
    Role,
    Trend,
    User,
    company_clusters,
    company_markets,
)
from tracker.models.base import utcnow
from tracker.pipeline import totals
from tracker.transfer.sheets import Cell, FileRefused, Problem, Sheet, SheetRow, read_sheet

__all__ = ["FileRefused", "ImportFailed", "Problem"]

DEFAULT_MAX_ROWS = 20_000
KINDS = ("companies", "interactions")
# Ids per IN (...) list: well below SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500
# Existing companies shown for each likely duplicate, as on the company form.
DUPLICATES_SHOWN = 5

# The file's columns and the CompanyDetails field each one sets. `trade_name` is not in
# DESIGN.md 4.3 but is accepted, so that an export of companies re-imports whole.
COMPANY_COLUMNS = {
    "name": "legal_name",
    "trade_name": "trade_name",
    "rcs_number": "rcs_number",
    "vat_number": "vat_number",
    "nace_code": "nace_code",
    "employees": "employees",
    "street": "street",
    "postal_code": "postal_code",
    "locality": "locality",
    "country": "country",
    "website": "website",
    "clusters": "clusters",
    "markets": "markets",
    "owner_email": "owner",
    "status": "status",
}
COMPANY_REQUIRED = ("name",)
HEALTH_COLUMNS = {
    "turnover": "turnover_trend",
    "orders": "orders_trend",
    "employment": "employment_trend",
    "outlook": "outlook",
    "short_time_work": "short_time_work",
    "liquidity": "liquidity",
    "risk": "risk_level",
}
INTERACTION_COLUMNS = (
    "date",
    "company",
    "type",
    "advisor_email",
    "summary",
    "needs",
    "solutions",
    "follow_up_on",
    "follow_up",
    *HEALTH_COLUMNS,
)
INTERACTION_REQUIRED = ("date", "company", "type", "advisor_email")

# What a new company is when the file leaves a column out.
NEW_COMPANY: dict[str, Any] = {
    "trade_name": None,
    "rcs_number": None,
    "vat_number": None,
    "nace_code": None,
    "employees": None,
    "street": None,
    "postal_code": None,
    "locality": None,
    "country": "LU",
    "website": None,
    "status": CompanyStatus.ACTIVE,
    "owner": None,
    "clusters": [],
    "markets": [],
}
_TEXT_LIMITS = {"legal_name": 200, "trade_name": 200, "street": 200, "locality": 120}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_RCS_LIKE = re.compile(r"^[Bb]?[\s.\-]*\d[\d\s.\-]*$")
_WHOLE_NUMBER = re.compile(r"^\d+$")


E = TypeVar("E", bound=Enum)


class ImportFailed(Exception):
    """Applying the plan met a refusal that planning did not foresee; nothing is to be kept."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


# Values of cells


def _text(value: Cell) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _line(value: Cell) -> str:
    """A one-line text: runs of white space become one space."""
    return " ".join(_text(value).split())


def parse_date(value: Cell) -> date:
    """A date cell: an Excel date, `YYYY-MM-DD`, `DD/MM/YYYY` (or `DD.MM.YYYY`)."""
    if isinstance(value, date):
        return value
    text = _text(value).strip()
    iso, day_first = _ISO_DATE.match(text), _DAY_FIRST_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
    except ValueError:
        pass
    raise ValueError(
        _("%(value)s is not a date; write it as 2024-03-05 or 05/03/2024.", value=repr(text))
    )


def _choice(value: Cell, enum_cls: type[E], aliases: dict[str, str] | None = None) -> E:
    """An enumeration member from its value, case-insensitive."""
    key = _line(value).lower()
    key = (aliases or {}).get(key, key)
    try:
        return enum_cls(key)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_cls)
        raise ValueError(
            _("%(value)s is not one of %(allowed)s.", value=repr(_line(value)), allowed=allowed)
        ) from None


def _items(value: Cell) -> list[str]:
    """The entries of a list cell, separated by `;` or `|`, without repeats."""
    seen: dict[str, None] = {}
    for item in re.split(r"[;|]", _text(value)):
        item = " ".join(item.split())
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _unknown_entries(kind: str, unknown: list[str], known: list[str]) -> str:
    """`Unknown clusters: a, b; the known ones are ...`: one sentence per kind, for the grammar."""
    names, known_names = ", ".join(unknown), ", ".join(known)
    if kind == "clusters":
        return ngettext(
            "Unknown cluster: %(names)s; the known ones are %(known)s.",
            "Unknown clusters: %(names)s; the known ones are %(known)s.",
            len(unknown),
            names=names,
            known=known_names,
        )
    if kind == "markets":
        return ngettext(
            "Unknown market: %(names)s; the known ones are %(known)s.",
            "Unknown markets: %(names)s; the known ones are %(known)s.",
            len(unknown),
            names=names,
            known=known_names,
        )
    return ngettext(
        "Unknown need category: %(names)s; the known ones are %(known)s.",
        "Unknown need categories: %(names)s; the known ones are %(known)s.",
        len(unknown),
        names=names,
        known=known_names,
    )


def _by_name_or_slug(value: Cell, entries: dict[str, Any], kind: str) -> list[Any]:
    """The catalogue entries a list cell names; unknown names are one error naming them all."""
    found, unknown = [], []
    for item in _items(value):
        entry = entries.get(item.lower()) or entries.get(instrument_name_key(item))
        if entry is None:
            unknown.append(item)
        elif entry not in found:
            found.append(entry)
    if unknown:
        known = sorted({entry.slug for entry in entries.values()})
        raise ValueError(_unknown_entries(kind, unknown, known))
    return found


def _catalogue(rows: Iterable[Any]) -> dict[str, Any]:
    """Entries by lower-cased slug, and by name without case or accents."""
    entries: dict[str, Any] = {}
    for row in rows:
        entries[instrument_name_key(row.name)] = row
    for row in rows:
        entries[row.slug.lower()] = row
    return entries


def _users_by_email() -> dict[str, User]:
    return {user.email.lower(): user for user in db.session.scalars(sa.select(User))}


def _user(value: Cell, users: dict[str, User]) -> User:
    email = _line(value).lower()
    user = users.get(email)
    if user is None:
        raise ValueError(_("No user has the e-mail %(email)s.", email=email))
    if user.role is Role.VIEWER:
        raise ValueError(
            _("%(email)s is a viewer; choose an advisor, a manager or an admin.", email=email)
        )
    return user


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# Plans


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class CompanyRow:
    """A row of the company file: what it sets, and the company it updates (None: creates)."""

    row: int
    name: str
    values: dict[str, Any]
    raw_postal_code: Cell = None
    company_id: int | None = None
    current_name: str = ""
    archived: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    duplicates: list[company_services.DuplicateMatch] = field(default_factory=list)


@dataclass
class InteractionRow:
    """A row of the contact-history file, resolved to records."""

    row: int
    company_id: int
    company_name: str
    archived: bool
    occurred_on: date
    type: InteractionType
    advisor: User
    summary: str = ""
    needs: list[NeedCategory] = field(default_factory=list)
    solutions: list[Instrument] = field(default_factory=list)
    followup: tuple[date, str] | None = None
    health: HealthAnswers | None = None

    @property
    def key(self) -> tuple[int, date, str, int, str]:
        """What makes two interactions the same contact: company, date, type, advisor, summary."""
        return (
            self.company_id,
            self.occurred_on,
            self.type.value,
            self.advisor.id,
            " ".join(self.summary.split()),
        )


@dataclass
class SkippedRow:
    row: int
    company_name: str
    occurred_on: date
    reason: str


@dataclass
class CompanyPlan:
    source: str = ""
    description: str = ""
    creates: list[CompanyRow] = field(default_factory=list)
    updates: list[CompanyRow] = field(default_factory=list)
    unchanged: list[CompanyRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rows: int = 0
    kind: str = "companies"

    @property
    def rows_with_errors(self) -> int:
        return len({p.row for p in self.errors if p.row})

    @property
    def likely_duplicates(self) -> list[CompanyRow]:
        return [row for row in self.creates if row.duplicates]

    @property
    def writes(self) -> int:
        return len(self.creates) + len(self.updates)

    def summary(self) -> str:
        return (
            f"{_count(len(self.creates), 'company', 'companies')} to create, "
            f"{len(self.updates):,} to update, {len(self.unchanged):,} unchanged, "
            f"{_count(len(self.errors), 'error')}"
        )

    def done(self) -> str:
        """What confirming did, for the page (in its language) and the command line (English)."""
        return ngettext(
            "Imported: %(created)s company created, %(updated)s updated, %(unchanged)s unchanged.",
            "Imported: %(created)s companies created, %(updated)s updated, "
            "%(unchanged)s unchanged.",
            len(self.creates),
            created=format_number(len(self.creates)),
            updated=format_number(len(self.updates)),
            unchanged=format_number(len(self.unchanged)),
        )

    def fingerprint(self) -> str:
        """Changes whenever what confirming would write changes."""
        return _digest(
            [
                [row.row for row in self.creates],
                [(r.row, r.company_id, [c.column for c in r.changes]) for r in self.updates],
                [str(p) for p in self.errors],
            ]
        )


@dataclass
class InteractionPlan:
    source: str = ""
    description: str = ""
    creates: list[InteractionRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rows: int = 0
    kind: str = "interactions"

    @property
    def writes(self) -> int:
        return len(self.creates)

    @property
    def rows_with_errors(self) -> int:
        return len({p.row for p in self.errors if p.row})

    @property
    def past_followups(self) -> int:
        on = today()
        return sum(1 for row in self.creates if row.followup and row.followup[0] < on)

    def summary(self) -> str:
        return (
            f"{_count(len(self.creates), 'interaction')} to create, "
            f"{len(self.skipped):,} already imported, {_count(len(self.errors), 'error')}"
        )

    def done(self) -> str:
        """What confirming did, for the page (in its language) and the command line (English)."""
        return ngettext(
            "Imported: %(created)s interaction created, %(skipped)s already imported (skipped).",
            "Imported: %(created)s interactions created, %(skipped)s already imported (skipped).",
            len(self.creates),
            created=format_number(len(self.creates)),
            skipped=format_number(len(self.skipped)),
        )

    def fingerprint(self) -> str:
        return _digest(
            [
                [row.row for row in self.creates],
                [row.row for row in self.skipped],
                [str(p) for p in self.errors],
            ]
        )


Plan = CompanyPlan | InteractionPlan


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:24]


def plan_import(kind: str, data: bytes, *, actor: User | None, source: str = "") -> Plan:
    """What importing `data` as `kind` would do; raises FileRefused for a file that is no table.

    `actor` is the person importing (None from the command line, which may do everything).
    """
    if kind == "companies":
        return plan_companies(data, actor=actor, source=source)
    if kind == "interactions":
        return plan_interactions(data, actor=actor, source=source)
    raise ValueError(kind)


def apply_plan(plan: Plan, *, actor: User | None) -> None:
    """Write a plan without errors; flushes, the caller commits. Raises ImportFailed."""
    if plan.errors:
        raise ImportFailed(plan.errors)
    if isinstance(plan, CompanyPlan):
        apply_companies(plan, actor=actor)
    else:
        apply_interactions(plan, actor=actor)


# Companies


@dataclass
class _Existing:
    """An existing company's importable values, as stored."""

    id: int
    legal_name: str
    trade_name: str | None
    rcs_number: str | None
    vat_number: str | None
    nace_code: str | None
    employees: int | None
    street: str | None
    postal_code: str | None
    locality: str | None
    country: str
    website: str | None
    status: CompanyStatus
    owner_id: int | None
    archived: bool
    clusters: set[str] = field(default_factory=set)
    markets: set[str] = field(default_factory=set)


class _CompanyIndex:
    """Every existing company and catalogue entry, loaded once for the whole file."""

    def __init__(self) -> None:
        names = [f.name for f in fields(_Existing) if f.name not in ("clusters", "markets")]
        rows = db.session.execute(sa.select(*(getattr(Company, n) for n in names)))
        self.companies = {row.id: _Existing(**row._asdict()) for row in rows}
        for company_id, slug in db.session.execute(
            sa.select(company_clusters.c.company_id, Cluster.slug).join(
                Cluster, Cluster.id == company_clusters.c.cluster_id
            )
        ):
            self.companies[company_id].clusters.add(slug)
        for company_id, slug in db.session.execute(
            sa.select(company_markets.c.company_id, Market.slug).join(
                Market, Market.id == company_markets.c.market_id
            )
        ):
            self.companies[company_id].markets.add(slug)
        self.by_rcs = {c.rcs_number: c for c in self.companies.values() if c.rcs_number}
        self.by_name: dict[str, list[_Existing]] = {}
        for company in self.companies.values():
            self.by_name.setdefault(validation.name_key(company.legal_name), []).append(company)
        self.clusters = _catalogue(db.session.scalars(sa.select(Cluster)).all())
        self.markets = _catalogue(db.session.scalars(sa.select(Market)).all())
        self.users = _users_by_email()
        self.emails = {user.id: user.email for user in self.users.values()}


def plan_companies(data: bytes, *, actor: User | None, source: str = "") -> CompanyPlan:
    """What importing a company file would create and update, and what is wrong with it."""
    sheet, problems = read_sheet(
        data, allowed=list(COMPANY_COLUMNS), required=COMPANY_REQUIRED, max_rows=max_rows()
    )
    plan = CompanyPlan(source=source, errors=problems)
    if sheet is None:
        return plan
    plan.description, plan.rows = sheet.description, len(sheet.rows)
    index = _CompanyIndex()
    rcs_rows: dict[str, int] = {}
    target_rows: dict[int, int] = {}
    new_keys: dict[tuple[str, str | None], int] = {}
    for sheet_row in sheet.rows:
        row_errors = len(plan.errors)
        row = _company_row(sheet, sheet_row, index, plan.errors)
        rcs = row.values.get("rcs_number")
        if rcs and rcs in rcs_rows:
            message = _("Row %(row)d has the same RCS number.", row=rcs_rows[rcs])
            plan.errors.append(sheet.problem(row.row, "rcs_number", message))
        elif rcs:
            rcs_rows[rcs] = row.row
        if len(plan.errors) > row_errors:
            if row.name and ("country" in row.values or sheet_row.cells.get("country") is None):
                _match(sheet, row, index, plan.errors)  # to report a wrong postal code too
            continue
        target = _match(sheet, row, index, plan.errors)
        if len(plan.errors) > row_errors:
            continue
        if target is not None:
            if target.id in target_rows:
                plan.errors.append(
                    sheet.problem(
                        row.row,
                        "name",
                        _(
                            "Row %(row)d already updates %(company)s.",
                            row=target_rows[target.id],
                            company=target.legal_name,
                        ),
                    )
                )
                continue
            target_rows[target.id] = row.row
            row.company_id, row.current_name, row.archived = (
                target.id,
                target.legal_name,
                target.archived,
            )
            row.changes = _changes(row.values, target, index)
            (plan.updates if row.changes else plan.unchanged).append(row)
        else:
            key = (validation.name_key(row.name), row.values.get("postal_code"))
            if not rcs and key in new_keys:
                plan.errors.append(
                    sheet.problem(
                        row.row,
                        "name",
                        _(
                            "Row %(row)d has the same company (same name and postal code).",
                            row=new_keys[key],
                        ),
                    )
                )
                continue
            new_keys.setdefault(key, row.row)
            plan.creates.append(row)
    if plan.errors:
        plan.errors.sort(key=_position)
    else:
        _flag_duplicates(plan.creates, index)
    return plan


def _position(problem: Problem) -> tuple[int, int, str]:
    """Errors in the order of the file: by row, then by column from left to right."""
    letter = problem.letter or ""
    return (problem.row or 0, len(letter), letter)


def _company_row(
    sheet: Sheet, sheet_row: SheetRow, index: _CompanyIndex, errors: list[Problem]
) -> CompanyRow:
    """The row's values, normalised as the company form would.

    A wrong value is added to `errors` and left out of the row's values.
    """
    values: dict[str, Any] = {}
    cells = sheet_row.cells

    def check(column: str, parse: Callable[[Cell], Any]) -> None:
        if cells.get(column) is None:
            return
        try:
            values[COMPANY_COLUMNS[column]] = parse(cells[column])
        except ValueError as error:
            errors.append(sheet.problem(sheet_row.number, column, str(error)))

    if cells.get("name") is None:
        errors.append(sheet.problem(sheet_row.number, "name", _("A company needs its legal name.")))
    for column in ("name", "trade_name", "street", "locality"):
        check(column, _limited(COMPANY_COLUMNS[column]))
    check("rcs_number", validation.normalise_rcs)
    check("vat_number", validation.normalise_vat)
    check("nace_code", validation.normalise_nace)
    check("employees", _employees)
    check("country", _country)
    check("website", validation.normalise_website)
    check("clusters", lambda v: _by_name_or_slug(v, index.clusters, "clusters"))
    check("markets", lambda v: _by_name_or_slug(v, index.markets, "markets"))
    check("owner_email", lambda v: _user(v, index.users))
    check("status", lambda v: _choice(v, CompanyStatus))
    return CompanyRow(
        row=sheet_row.number,
        name=values.get("legal_name", ""),
        values=values,
        raw_postal_code=cells.get("postal_code"),
    )


def _limited(attribute: str) -> Callable[[Cell], str]:
    limit = _TEXT_LIMITS[attribute]

    def parse(value: Cell) -> str:
        text = _line(value)
        if len(text) > limit:
            raise ValueError(
                _("At most %(limit)d characters (%(length)d here).", limit=limit, length=len(text))
            )
        return text

    return parse


def _employees(value: Cell) -> int:
    if isinstance(value, int):
        number = value
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", _text(value))
        if not _WHOLE_NUMBER.match(text):
            raise ValueError(
                _("%(value)s is not a whole number of employees.", value=repr(_text(value)))
            )
        number = int(text)
    if number < 0:
        raise ValueError(_("The number of employees cannot be negative."))
    return number


def _country(value: Cell) -> str:
    code = _line(value).upper()
    if code not in validation.COUNTRIES:
        raise ValueError(
            _(
                "%(value)s is not a country code we know; use ISO-2 codes such as %(codes)s.",
                value=repr(code),
                codes=", ".join(validation.COUNTRIES[:4]),
            )
        )
    return code


def _postal(row: CompanyRow, country: str) -> str | None:
    return validation.normalise_postal_code(
        None if row.raw_postal_code is None else _text(row.raw_postal_code), country
    )


def _match(
    sheet: Sheet, row: CompanyRow, index: _CompanyIndex, errors: list[Problem]
) -> _Existing | None:
    """The company the row updates: same RCS number, else same name key and postal code.

    Sets the row's normalised postal code, in the country of the row or of that company.
    """
    country = row.values.get("country")
    rcs = row.values.get("rcs_number")
    target = index.by_rcs.get(rcs) if rcs else None
    if target is None:
        candidates = []
        for company in index.by_name.get(validation.name_key(row.name), []):
            if rcs and company.rcs_number and company.rcs_number != rcs:
                continue  # two companies of the same name, told apart by their RCS numbers
            try:
                postal = _postal(row, country or company.country)
            except ValueError:
                continue
            if postal == company.postal_code:
                candidates.append(company)
        if len(candidates) > 1:
            names = ", ".join(f"{c.legal_name} (id {c.id})" for c in candidates)
            errors.append(
                sheet.problem(
                    row.row,
                    "name",
                    _(
                        "%(count)d companies have this name and postal code (%(names)s); "
                        "add the RCS number to say which one.",
                        count=len(candidates),
                        names=names,
                    ),
                )
            )
            return None
        target = candidates[0] if candidates else None
    in_country = country or (target.country if target else "LU")
    try:
        if row.raw_postal_code is not None:
            row.values["postal_code"] = _postal(row, in_country)
        elif target is not None and country and country != target.country:
            validation.normalise_postal_code(target.postal_code, country)
    except ValueError as error:
        column = "postal_code" if row.raw_postal_code is not None else "country"
        errors.append(sheet.problem(row.row, column, str(error)))
    return target


def _changes(values: dict[str, Any], company: _Existing, index: _CompanyIndex) -> list[FieldChange]:
    """The fields the row changes on the company, with old and new values as text."""
    changes = []
    for column, attribute in COMPANY_COLUMNS.items():
        if attribute not in values:
            continue
        new = values[attribute]
        if attribute in ("clusters", "markets"):
            old_text = ", ".join(sorted(getattr(company, attribute)))
            new_text = ", ".join(sorted(entry.slug for entry in new))
            changed = set(getattr(company, attribute)) != {entry.slug for entry in new}
        elif attribute == "owner":
            old_text = index.emails.get(company.owner_id, "") if company.owner_id else ""
            new_text, changed = new.email, new.id != company.owner_id
        else:
            old = getattr(company, attribute)
            changed = old != new
            old_text, new_text = _shown(old), _shown(new)
        if changed:
            changes.append(FieldChange(column, old_text, new_text))
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _flag_duplicates(rows: list[CompanyRow], index: _CompanyIndex) -> None:
    """Attach to each new company the existing ones it may well be.

    The rule of the company form's check (company_services.likely_duplicates: the same VAT
    number, or a legal or trade name alike by SIMILAR_NAME_SCORE), with its wording, applied to
    the whole file at once: that function reads every company for each call, 0.2 s a row with
    10,000 companies. (The same RCS number is no reason here: such a row updates the company.)
    """
    if not rows or not index.companies:
        return
    owners: list[int] = []
    choices: list[str] = []
    by_vat: dict[str, list[int]] = {}
    for company in index.companies.values():
        for name in (company.legal_name, company.trade_name):
            key = validation.name_key(name)
            if key:
                owners.append(company.id)
                choices.append(key)
        if company.vat_number:
            by_vat.setdefault(company.vat_number, []).append(company.id)
    names = [
        (position, validation.name_key(name))
        for position, row in enumerate(rows)
        for name in (row.name, row.values.get("trade_name"))
        if name and validation.name_key(name)
    ]
    similar: list[dict[int, float]] = [{} for _row in rows]
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        scores = process.cdist(
            [key for _position, key in chunk],
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=company_services.SIMILAR_NAME_SCORE,
            workers=-1,
        )
        for query, choice in zip(*scores.nonzero(), strict=True):
            best = similar[chunk[query][0]]
            company_id = owners[choice]
            best[company_id] = max(best.get(company_id, 0.0), float(scores[query, choice]))
    for row, alike in zip(rows, similar, strict=True):
        reasons: dict[int, list[str]] = {}
        vat = row.values.get("vat_number")
        for company_id in by_vat.get(vat, []) if vat else []:
            reasons.setdefault(company_id, []).append(_("same VAT number %(vat)s", vat=vat))
        for company_id, score in alike.items():
            reasons.setdefault(company_id, []).append(
                _("similar name (%(score)d%% alike)", score=round(score))
            )
        ranked = sorted(
            reasons,
            key=lambda cid: (-len(reasons[cid]), index.companies[cid].legal_name.casefold(), cid),
        )
        row.duplicates = [
            company_services.DuplicateMatch(
                company_id=cid,
                name=index.companies[cid].legal_name,
                locality=index.companies[cid].locality,
                archived=index.companies[cid].archived,
                reasons=tuple(reasons[cid]),
            )
            for cid in ranked[:DUPLICATES_SHOWN]
        ]


def apply_companies(plan: CompanyPlan, *, actor: User | None) -> None:
    """Create and update the companies of the plan, with their audit entries; flushes only.

    The values were normalised and checked while planning, with the helpers the company form
    uses, so they are written as they are, with the audit entries that create_company and
    update_company write. Those services flush and query once per company (70 s for 10,000
    new companies); new companies are inserted here a statement per table instead.
    """
    audited = company_services.COMPANY_FIELDS
    companies: dict[int, Company] = {}
    ids = [row.company_id for row in plan.updates if row.company_id is not None]
    for chunk in _chunks(ids):
        companies.update(
            (company.id, company)
            for company in db.session.scalars(
                sa.select(Company)
                .where(Company.id.in_(chunk))
                .options(
                    selectinload(Company.clusters),
                    selectinload(Company.markets),
                    selectinload(Company.owner),
                )
            )
        )
    changed: list[tuple[Company, dict[str, list[Any]]]] = []
    for row in plan.updates:
        company = companies[row.company_id]  # type: ignore[index]
        before = audit.snapshot(company, audited)
        for change in row.changes:
            attribute = COMPANY_COLUMNS[change.column]
            setattr(company, attribute, row.values[attribute])
        changes = audit.diff(before, audit.snapshot(company, audited))
        if changes:
            # Clusters and markets live in other tables: mark the company itself as changed.
            company.updated_at = utcnow()
            changed.append((company, changes))
    user_id = actor.id if actor is not None else None
    for company, changes in changed:
        db.session.add(
            AuditEntry(
                user_id=user_id,
                action="update",
                record_type="Company",
                record_id=company.id,
                changes=changes,
            )
        )
    _insert_companies([{**NEW_COMPANY, **row.values} for row in plan.creates], user_id)
    db.session.flush()


def _insert_companies(new: list[dict[str, Any]], user_id: int | None) -> None:
    """Insert companies, their clusters and markets and their audit entries, a statement each."""
    if not new:
        return
    now = utcnow()
    scalars = [name for name in NEW_COMPANY if name not in ("owner", "clusters", "markets")]
    ids = db.session.scalars(
        sa.insert(Company).returning(Company.id, sort_by_parameter_order=True),
        [
            {
                "legal_name": values["legal_name"],
                **{name: values[name] for name in scalars},
                "owner_id": values["owner"].id if values["owner"] is not None else None,
                "archived": False,
                "created_at": now,
                "updated_at": now,
            }
            for values in new
        ],
    ).all()
    for table, attribute, column in (
        (company_clusters, "clusters", "cluster_id"),
        (company_markets, "markets", "market_id"),
    ):
        links = [
            {"company_id": company_id, column: entry.id}
            for company_id, values in zip(ids, new, strict=True)
            for entry in values[attribute]
        ]
        if links:
            db.session.execute(table.insert(), links)
    # Inserted past the ORM, whose hooks keep the search and facts rows: their rows here.
    search.refresh(db.session.connection(), ids)
    facts.refresh(db.session.connection(), ids)
    totals.refresh_companies(db.session.connection(), ids)
    audited = company_services.COMPANY_FIELDS
    db.session.execute(
        sa.insert(AuditEntry),
        [
            {
                "at": now,
                "user_id": user_id,
                "action": "create",
                "record_type": "Company",
                "record_id": company_id,
                "changes": audit.diff({}, audit.snapshot(SimpleNamespace(**values), audited)),
            }
            for company_id, values in zip(ids, new, strict=True)
        ],
    )


# Contact history


class _InteractionIndex:
    """Companies, users and catalogues, loaded once for the whole file."""

    def __init__(self) -> None:
        rows = db.session.execute(
            sa.select(Company.id, Company.legal_name, Company.rcs_number, Company.archived)
        ).all()
        self.by_id = {row.id: row for row in rows}
        self.by_rcs = {row.rcs_number: row for row in rows if row.rcs_number}
        self.by_name: dict[str, list[Any]] = {}
        for row in rows:
            self.by_name.setdefault(catalogue_name_key(row.legal_name), []).append(row)
        self.users = _users_by_email()
        self.categories = _catalogue(db.session.scalars(sa.select(NeedCategory)).all())
        self.instruments = {
            instrument_name_key(i.name): i for i in db.session.scalars(sa.select(Instrument))
        }

    def company(self, value: Cell) -> Any:
        text = _line(value)
        if _RCS_LIKE.match(text):
            rcs = validation.normalise_rcs(text)
            if rcs in self.by_rcs:
                return self.by_rcs[rcs]
            if catalogue_name_key(text) not in self.by_name:
                raise ValueError(_("No company has the RCS number %(rcs)s.", rcs=rcs))
        found = self.by_name.get(catalogue_name_key(text), [])
        if not found:
            raise ValueError(
                _(
                    "No company is named %(name)s; use its RCS number or its exact legal name.",
                    name=repr(text),
                )
            )
        if len(found) > 1:
            raise ValueError(
                _(
                    "%(count)d companies are named %(name)s; use the RCS number.",
                    count=len(found),
                    name=repr(text),
                )
            )
        return found[0]


def plan_interactions(data: bytes, *, actor: User | None, source: str = "") -> InteractionPlan:
    """What importing a contact-history file would create, skip as already there, or refuse."""
    sheet, problems = read_sheet(
        data, allowed=INTERACTION_COLUMNS, required=INTERACTION_REQUIRED, max_rows=max_rows()
    )
    plan = InteractionPlan(source=source, errors=problems)
    if sheet is None:
        return plan
    plan.description, plan.rows = sheet.description, len(sheet.rows)
    index = _InteractionIndex()
    rows = [
        row
        for sheet_row in sheet.rows
        if (row := _interaction_row(sheet, sheet_row, index, actor, plan.errors)) is not None
    ]
    existing = _existing_keys(rows)
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        if row.key in existing:
            reason = _("Already imported: the same contact is in the tracker.")
        elif row.key in seen:
            reason = _("The same contact as row %(row)d.", row=seen[row.key])
        elif row.archived:
            # Checked last: a contact already in the tracker is skipped, archived company or not.
            message = _(
                "%(company)s is archived; restore it before importing its contacts.",
                company=row.company_name,
            )
            plan.errors.append(sheet.problem(row.row, "company", message))
            continue
        else:
            seen[row.key] = row.row
            plan.creates.append(row)
            continue
        plan.skipped.append(SkippedRow(row.row, row.company_name, row.occurred_on, reason))
    plan.errors.sort(key=_position)
    return plan


def _interaction_row(
    sheet: Sheet,
    sheet_row: SheetRow,
    index: _InteractionIndex,
    actor: User | None,
    errors: list[Problem],
) -> InteractionRow | None:
    """The row resolved to a company, an advisor and catalogue entries; None when wrong."""
    cells, number, count = sheet_row.cells, sheet_row.number, len(errors)
    values: dict[str, Any] = {}

    def check(column: str, parse: Callable[[Cell], Any]) -> None:
        if cells.get(column) is None:
            return
        try:
            values[column] = parse(cells[column])
        except ValueError as error:
            errors.append(sheet.problem(number, column, str(error)))

    def refuse(column: str, message: str) -> None:
        errors.append(sheet.problem(number, column, message))

    for column in INTERACTION_REQUIRED:
        if cells.get(column) is None:
            refuse(column, _("This column is required."))
    on = today()
    check("date", parse_date)
    if values.get("date") and values["date"] > on:
        refuse("date", _("The date of a contact cannot be in the future."))
    check("company", index.company)
    company = values.get("company")
    check("type", lambda v: _choice(v, InteractionType, {"e-mail": "email"}))
    check("advisor_email", lambda v: _user(v, index.users))
    advisor = values.get("advisor_email")
    if advisor and actor is not None and actor.role is Role.ADVISOR and advisor.id != actor.id:
        refuse(
            "advisor_email",
            _("An advisor imports only their own contacts; ask a manager to import colleagues'."),
        )
    check("needs", lambda v: _by_name_or_slug(v, index.categories, "needs"))
    check("solutions", lambda v: _solutions(v, index.instruments))
    if values.get("solutions") and not values.get("needs"):
        refuse(
            "solutions", _("A row with solutions needs a need: they answer the row's first need.")
        )
    check("follow_up_on", parse_date)
    check("follow_up", _limited_title)
    _check_followup(cells, values, advisor, refuse)
    health = _health(cells, lambda column, error: refuse(column, str(error)))
    if len(errors) > count:
        return None
    return InteractionRow(
        row=number,
        company_id=company.id,
        company_name=company.legal_name,
        archived=company.archived,
        occurred_on=values["date"],
        type=values["type"],
        advisor=advisor,
        summary=_text(cells["summary"]).strip() if cells.get("summary") is not None else "",
        needs=values.get("needs", []),
        solutions=values.get("solutions", []),
        followup=(values["follow_up_on"], values["follow_up"]) if "follow_up" in values else None,
        health=health,
    )


def _solutions(value: Cell, instruments: dict[str, Instrument]) -> list[Instrument]:
    found, unknown = [], []
    for name in _items(value):
        instrument = instruments.get(instrument_name_key(name))
        if instrument is None:
            unknown.append(name)
        elif instrument not in found:
            found.append(instrument)
    if unknown:
        raise ValueError(
            ngettext(
                "Unknown instrument: %(names)s.",
                "Unknown instruments: %(names)s.",
                len(unknown),
                names=", ".join(unknown),
            )
        )
    return found


def _limited_title(value: Cell) -> str:
    text = _line(value)
    if len(text) > 200:
        raise ValueError(
            _("A follow-up title has at most 200 characters (%(length)d here).", length=len(text))
        )
    return text


def _check_followup(
    cells: dict[str, Cell],
    values: dict[str, Any],
    advisor: User | None,
    refuse: Callable[[str, str], None],
) -> None:
    has_on, has_title = cells.get("follow_up_on") is not None, cells.get("follow_up") is not None
    if has_on and not has_title:
        refuse("follow_up", _("A follow-up date needs its text in follow_up."))
    elif has_title and not has_on:
        refuse("follow_up_on", _("A follow-up needs its due date in follow_up_on."))
    due, occurred = values.get("follow_up_on"), values.get("date")
    if due and occurred and due < occurred:
        refuse("follow_up_on", _("The follow-up is due before the contact took place."))
    if has_title and advisor is not None and not advisor.active:
        refuse(
            "follow_up",
            _(
                "%(email)s is deactivated; a follow-up needs an active advisor to do it.",
                email=advisor.email,
            ),
        )


def _health(cells: dict[str, Cell], refuse: Callable[[str, Exception], None]) -> HealthAnswers:
    answers = HealthAnswers()
    parsers: dict[str, Callable[[Cell], Any]] = {
        "turnover": lambda v: _answer(v, Trend),
        "orders": lambda v: _answer(v, Trend),
        "employment": lambda v: _answer(v, Trend),
        "outlook": lambda v: _answer(v, Trend),
        "short_time_work": _yes_no,
        "liquidity": lambda v: _answer(v, Liquidity),
        "risk": lambda v: _answer(v, RiskLevel),
    }
    for column, attribute in HEALTH_COLUMNS.items():
        if cells.get(column) is None:
            continue
        try:
            setattr(answers, attribute, parsers[column](cells[column]))
        except ValueError as error:
            refuse(column, error)
    return answers


def _answer(value: Cell, enum_cls: type[E]) -> E | None:
    if _line(value).lower() == "unknown":
        return None
    return _choice(value, enum_cls)


def _yes_no(value: Cell) -> bool | None:
    answer = _line(value).lower()
    if answer in ("yes", "no"):
        return answer == "yes"
    if answer == "unknown":
        return None
    raise ValueError(_("%(value)s is not yes or no.", value=repr(_line(value))))


def _existing_keys(rows: list[InteractionRow]) -> set[tuple[Any, ...]]:
    """Keys of the interactions already in the tracker for the file's companies and dates."""
    if not rows:
        return set()
    company_ids = sorted({row.company_id for row in rows})
    first = min(row.occurred_on for row in rows)
    last = max(row.occurred_on for row in rows)
    keys = set()
    for chunk in _chunks(company_ids):
        for found in db.session.execute(
            sa.select(
                Interaction.company_id,
                Interaction.occurred_on,
                Interaction.type,
                Interaction.advisor_id,
                Interaction.summary,
            )
            .where(Interaction.company_id.in_(chunk), Interaction.occurred_on.between(first, last))
            # An archived contact was imported once: a re-import must not bring it back.
            .execution_options(include_archived=True)
        ):
            keys.add(
                (
                    found.company_id,
                    found.occurred_on,
                    found.type.value,
                    found.advisor_id,
                    " ".join((found.summary or "").split()),
                )
            )
    return keys


def apply_interactions(plan: InteractionPlan, *, actor: User | None) -> None:
    """Log every interaction of the plan as its advisor would; flushes, the caller commits.

    Each interaction, health check, need, solution and follow-up gets the audit entries and
    status history of the contact form, written by the advisor of the row; one more entry
    says who imported the file.
    """
    ids = sorted({row.company_id for row in plan.creates})
    companies: dict[int, Company] = {}
    for chunk in _chunks(ids):
        companies.update(
            (c.id, c) for c in db.session.scalars(sa.select(Company).where(Company.id.in_(chunk)))
        )
    for row in plan.creates:
        needs = [NeedInput(category=category) for category in row.needs]
        if needs:
            needs[0].solutions = [SolutionInput(instrument=i) for i in row.solutions]
        followup = None
        if row.followup is not None:
            due_on, title = row.followup
            followup = FollowUpInput(title=title, due_on=due_on, assignee=row.advisor)
        try:
            log_interaction(
                company=companies[row.company_id],
                occurred_on=row.occurred_on,
                type=row.type,
                actor=row.advisor,
                summary=row.summary,
                health=row.health,
                needs=needs,
                followup=followup,
            )
        except (ValidationError, NotAllowed) as error:
            raise ImportFailed([Problem(row.row, None, str(error))]) from None
    if plan.creates:
        db.session.add(
            AuditEntry(
                user_id=actor.id if actor is not None else None,
                action="import",
                record_type="Interaction",
                record_id=None,
                changes={"file": [None, plan.source], "interactions": [None, len(plan.creates)]},
            )
        )
    db.session.flush()
