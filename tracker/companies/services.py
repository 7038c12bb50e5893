"""Writes on companies and their contact persons; each flushes, the caller commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process

from tracker import audit
from tracker.admin.services import ValidationError
from tracker.common.versions import UNCHECKED, check_version
from tracker.companies import validation
from tracker.extensions import db
from tracker.models import Cluster, Company, CompanyStatus, LawfulBasis, Market, Person, User
from tracker.models.base import utcnow

COMPANY_FIELDS = [
    "legal_name",
    "trade_name",
    "rcs_number",
    "vat_number",
    "nace_code",
    "employees",
    "street",
    "postal_code",
    "locality",
    "country",
    "website",
    "status",
    "owner",
    "clusters",
    "markets",
]
PERSON_FIELDS = ["name", "job_title", "email", "phone", "lawful_basis", "notes"]
# token_sort_ratio between name keys at or above which two companies are "likely the same".
SIMILAR_NAME_SCORE = 85


@dataclass
class CompanyDetails:
    """Everything a person edits on a company, as plain values."""

    legal_name: str
    trade_name: str | None = None
    rcs_number: str | None = None
    vat_number: str | None = None
    nace_code: str | None = None
    employees: int | None = None
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: str = "LU"
    website: str | None = None
    status: CompanyStatus = CompanyStatus.ACTIVE
    owner: User | None = None
    clusters: list[Cluster] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing company that a new one may well be, and why."""

    company_id: int
    name: str
    locality: str | None
    archived: bool
    reasons: tuple[str, ...]


class LikelyDuplicates(Exception):
    """Creating the company was not confirmed although it looks like existing ones."""

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        super().__init__(f"{len(matches)} likely duplicate(s)")
        self.matches = matches


def _checked(normalise: Callable[..., Any], value: Any, field_name: str, *args: Any) -> Any:
    try:
        return normalise(value, *args)
    except ValueError as error:
        raise ValidationError(str(error), field_name) from None


def _text(value: str | None, limit: int, field_name: str, label: LazyString) -> str | None:
    text = " ".join(value.split()) if value else ""
    if len(text) > limit:
        raise ValidationError(
            _("%(field)s has at most %(limit)d characters.", field=label, limit=limit), field_name
        )
    return text or None


def _clean(details: CompanyDetails) -> CompanyDetails:
    """The details with every field normalised; a ValidationError names the first bad field."""
    legal_name = _text(details.legal_name, 200, "legal_name", _l("The legal name"))
    if not legal_name:
        raise ValidationError(_("A company needs its legal name."), "legal_name")
    country = (details.country or "LU").strip().upper()
    if country not in validation.COUNTRIES:
        raise ValidationError(_("Unknown country: %(country)s.", country=country), "country")
    if details.employees is not None and details.employees < 0:
        raise ValidationError(_("The number of employees cannot be negative."), "employees")
    return CompanyDetails(
        legal_name=legal_name,
        trade_name=_text(details.trade_name, 200, "trade_name", _l("The trade name")),
        rcs_number=_checked(validation.normalise_rcs, details.rcs_number, "rcs_number"),
        vat_number=_checked(validation.normalise_vat, details.vat_number, "vat_number"),
        nace_code=_checked(validation.normalise_nace, details.nace_code, "nace_code"),
        employees=details.employees,
        street=_text(details.street, 200, "street", _l("The street")),
        postal_code=_checked(
            validation.normalise_postal_code, details.postal_code, "postal_code", country
        ),
        locality=_text(details.locality, 120, "locality", _l("The locality")),
        country=country,
        website=_checked(validation.normalise_website, details.website, "website"),
        status=CompanyStatus(details.status),
        owner=details.owner,
        clusters=list(details.clusters),
        markets=list(details.markets),
    )


def _check_rcs_free(rcs_number: str | None, exclude_id: int | None = None) -> None:
    if rcs_number is None:
        return
    query = db.select(Company.id, Company.legal_name).where(Company.rcs_number == rcs_number)
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    other = db.session.execute(query).first()
    if other is not None:
        raise ValidationError(
            _(
                "%(company)s already has the RCS number %(rcs)s.",
                company=other.legal_name,
                rcs=rcs_number,
            ),
            "rcs_number",
        )


def _apply(company: Company, details: CompanyDetails) -> None:
    company.legal_name = details.legal_name
    company.trade_name = details.trade_name
    company.rcs_number = details.rcs_number
    company.vat_number = details.vat_number
    company.nace_code = details.nace_code
    company.employees = details.employees
    company.street = details.street
    company.postal_code = details.postal_code
    company.locality = details.locality
    company.country = details.country
    company.website = details.website
    company.status = details.status
    company.owner = details.owner
    company.clusters = details.clusters
    company.markets = details.markets


def likely_duplicates(
    legal_name: str,
    *,
    trade_name: str | None = None,
    rcs_number: str | None = None,
    vat_number: str | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[DuplicateMatch]:
    """Existing companies (archived ones too) with the same RCS or VAT number or a similar name."""
    rows = db.session.execute(
        db.select(
            Company.id,
            Company.legal_name,
            Company.trade_name,
            Company.rcs_number,
            Company.vat_number,
            Company.locality,
            Company.archived,
        )
    ).all()
    rows_by_id = {row.id: row for row in rows if row.id != exclude_id}
    reasons: dict[int, list[str]] = {}
    for row in rows_by_id.values():
        if rcs_number and row.rcs_number == rcs_number:
            reasons.setdefault(row.id, []).append(_("same RCS number %(rcs)s", rcs=rcs_number))
        if vat_number and row.vat_number == vat_number:
            reasons.setdefault(row.id, []).append(_("same VAT number %(vat)s", vat=vat_number))
    keys = {validation.name_key(n) for n in (legal_name, trade_name) if n}
    keys.discard("")
    if keys:
        choices: dict[tuple[int, str], str] = {}
        for row in rows_by_id.values():
            for kind, name in (("legal", row.legal_name), ("trade", row.trade_name)):
                key = validation.name_key(name)
                if key:
                    choices[(row.id, kind)] = key
        best: dict[int, float] = {}
        for key in keys:
            for _choice, score, (company_id, _kind) in process.extract(
                key,
                choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=SIMILAR_NAME_SCORE,
                limit=None,
            ):
                best[company_id] = max(best.get(company_id, 0.0), score)
        for company_id, score in best.items():
            reasons.setdefault(company_id, []).append(
                _("similar name (%(score)d%% alike)", score=round(score))
            )
    ranked = sorted(
        reasons,
        key=lambda cid: (-len(reasons[cid]), rows_by_id[cid].legal_name.casefold(), cid),
    )[:limit]
    return [
        DuplicateMatch(
            company_id=cid,
            name=rows_by_id[cid].legal_name,
            locality=rows_by_id[cid].locality,
            archived=rows_by_id[cid].archived,
            reasons=tuple(reasons[cid]),
        )
        for cid in ranked
    ]


def create_company(
    details: CompanyDetails, *, actor: User | None, allow_duplicates: bool = False
) -> Company:
    """Add a company; refuse a taken RCS number, and likely duplicates unless allowed."""
    details = _clean(details)
    _check_rcs_free(details.rcs_number)
    if not allow_duplicates:
        matches = likely_duplicates(
            details.legal_name,
            trade_name=details.trade_name,
            rcs_number=details.rcs_number,
            vat_number=details.vat_number,
        )
        if matches:
            raise LikelyDuplicates(matches)
    company = Company(legal_name=details.legal_name)
    _apply(company, details)
    db.session.add(company)
    audit.record(actor, "create", company, audit.diff({}, audit.snapshot(company, COMPANY_FIELDS)))
    return company


def update_company(
    company: Company,
    details: CompanyDetails,
    *,
    actor: User | None,
    version: Any = UNCHECKED,
) -> Company:
    """Save edited details; refuse when `version` shows someone else saved in the meantime."""
    check_version(company, version, _("company"))
    details = _clean(details)
    _check_rcs_free(details.rcs_number, exclude_id=company.id)
    before = audit.snapshot(company, COMPANY_FIELDS)
    _apply(company, details)
    changes = audit.diff(before, audit.snapshot(company, COMPANY_FIELDS))
    if changes:
        # Clusters and markets live in other tables: mark the company itself as changed.
        company.updated_at = utcnow()
        audit.record(actor, "update", company, changes)
    return company


def archive_company(company: Company, *, actor: User | None) -> Company:
    """Hide the company from lists; nothing is deleted."""
    if not company.archived:
        company.archived = True
        company.updated_at = utcnow()
        audit.record(actor, "archive", company, {"archived": [False, True]})
    return company


def restore_company(company: Company, *, actor: User | None) -> Company:
    if company.archived:
        company.archived = False
        company.updated_at = utcnow()
        audit.record(actor, "restore", company, {"archived": [True, False]})
    return company


def markets_by_slug(slugs: Iterable[str]) -> list[Market]:
    """The markets with these slugs (case-insensitive); unknown slugs are an error."""
    wanted = {s.strip().lower() for s in slugs if s.strip()}
    if not wanted:
        return []
    found = db.session.execute(db.select(Market).where(Market.slug.in_(wanted))).scalars().all()
    missing = wanted - {m.slug for m in found}
    if missing:
        raise ValidationError(
            _("Unknown market: %(slugs)s.", slugs=", ".join(sorted(missing))), "markets"
        )
    return list(found)


@dataclass
class PersonDetails:
    """Everything a person edits on a contact, as plain values."""

    name: str
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    lawful_basis: LawfulBasis = LawfulBasis.LEGITIMATE_INTEREST
    notes: str = ""


def _clean_person(details: PersonDetails) -> PersonDetails:
    name = _text(details.name, 160, "name", _l("The name"))
    if not name:
        raise ValidationError(_("A contact needs a name."), "name")
    return PersonDetails(
        name=name,
        job_title=_text(details.job_title, 160, "job_title", _l("The job title")),
        email=_checked(validation.normalise_email, details.email, "email"),
        phone=_checked(validation.normalise_phone, details.phone, "phone"),
        lawful_basis=LawfulBasis(details.lawful_basis),
        notes=(details.notes or "").strip(),
    )


def _apply_person(person: Person, details: PersonDetails) -> None:
    person.name = details.name
    person.job_title = details.job_title
    person.email = details.email
    person.phone = details.phone
    person.lawful_basis = details.lawful_basis
    person.notes = details.notes


def add_person(company: Company, details: PersonDetails, *, actor: User | None) -> Person:
    """Add a contact person to a company."""
    details = _clean_person(details)
    person = Person(company=company, name=details.name)
    _apply_person(person, details)
    db.session.add(person)
    audit.record(actor, "create", person, audit.diff({}, audit.snapshot(person, PERSON_FIELDS)))
    return person


def update_person(
    person: Person, details: PersonDetails, *, actor: User | None, version: Any = UNCHECKED
) -> Person:
    """Save a contact's edited details, refused when someone else saved them meanwhile."""
    check_version(person, version, _("contact"))
    details = _clean_person(details)
    before = audit.snapshot(person, PERSON_FIELDS)
    _apply_person(person, details)
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if changes:
        audit.record(actor, "update", person, changes)
    return person


def archive_person(person: Person, *, actor: User | None) -> Person:
    """Hide a contact who left the company from its page; nothing is deleted."""
    if not person.archived:
        person.archived = True
        audit.record(actor, "archive", person, {"archived": [False, True]})
    return person


def restore_person(person: Person, *, actor: User | None) -> Person:
    """List an archived contact person on the company's page again (never an erased one)."""
    if person.erased_at is not None:
        raise ValidationError(_("This person's data was erased; the record cannot be restored."))
    if person.archived:
        person.archived = False
        audit.record(actor, "restore", person, {"archived": [True, False]})
    return person
