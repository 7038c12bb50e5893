"""Reads behind the company pages: the filtered list, the type-ahead search, the company page."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from tracker.companies import search
from tracker.companies.chart import RiskHistory
from tracker.companies.validation import fold, nace_divisions
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    CompanyStatus,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Market,
    Need,
    NeedStatus,
    RiskLevel,
    Role,
    Solution,
    Urgency,
    User,
    company_facts,
    company_search,
    workload_owners,
)
from tracker.pipeline.totals import NOBODY

# (value, label, lowest, highest) of the size bands, by number of employees.
SIZE_BANDS = [
    ("1-9", _l("1–9 employees"), 0, 9),
    ("10-49", _l("10–49 employees"), 10, 49),
    ("50-249", _l("50–249 employees"), 50, 249),
    ("250+", _l("250 or more"), 250, None),
    ("unknown", _l("Size unknown"), None, None),
]
SILENCE_DAYS = (90, 180)
SORTS = ("name", "contact", "followup", "employees")
FACT_SORTS = ("contact", "followup")  # sorted on each company's facts row
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class CompanyFilters:
    """What the list is narrowed to and sorted by, parsed from the query string."""

    q: str = ""
    cluster: str = ""
    owner: str = ""  # a user id, "mine" or "none"
    status: str = ""
    market: str = ""
    nace: str = ""  # a two-digit NACE division
    size: str = ""
    risk: str = ""  # a risk level, or "none" for never assessed
    silent: str = ""  # "90" or "180": not contacted for that many days
    archived: bool = False
    sort: str = "name"  # one of SORTS, "-" in front for descending

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CompanyFilters:
        """Read the query string; a value that makes no sense is left out rather than refused."""

        def pick(name: str, allowed: set[str]) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        owner = (args.get("owner") or "").strip()
        if owner not in ("mine", "none") and not owner.isdigit():
            owner = ""
        sort = (args.get("sort") or "name").strip()
        if sort.removeprefix("-") not in SORTS:
            sort = "name"
        return cls(
            q=" ".join((args.get("q") or "").split())[:100],
            cluster=(args.get("cluster") or "").strip().lower()[:64],
            owner=owner,
            status=pick("status", {s.value for s in CompanyStatus}),
            market=(args.get("market") or "").strip().lower()[:64],
            nace=pick("nace", {code for code, _label in nace_divisions()}),
            size=pick("size", {band[0] for band in SIZE_BANDS}),
            risk=pick("risk", {r.value for r in RiskLevel} | {"none"}),
            silent=pick("silent", {str(d) for d in SILENCE_DAYS}),
            archived=(args.get("archived") or "") in ("1", "y", "on", "true"),
            sort=sort,
        )

    @property
    def scans(self) -> bool:
        """True when a search or a filter keeps the companies its own rows find (search rows,
        facts rows): a few, counted with the page and sorted rather than walked in order."""
        return bool(self.q or self.risk or self.silent)

    @property
    def narrowed(self) -> bool:
        """True when anything but the sort order is set."""
        return any(getattr(self, f.name) for f in fields(self) if f.name != "sort")

    def args(self, **changes: Any) -> dict[str, str]:
        """The query-string arguments that reproduce these filters, with `changes` applied."""
        values = replace(self, **changes)
        result = {}
        for f in fields(values):
            value = getattr(values, f.name)
            if f.name == "archived":
                if value:
                    result["archived"] = "1"
            elif value and not (f.name == "sort" and value == "name"):
                result[f.name] = str(value)
        return result


# Accented letters and their plain forms, for PostgreSQL's translate().
_ACCENTED = "àáâäãåçèéêëìíîïñòóôöõùúûüýÿÀÁÂÄÃÅÇÈÉÊËÌÍÎÏÑÒÓÔÖÕÙÚÛÜÝ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuy"
SQLITE_FOLD_FUNCTION = "tracker_fold"


class folded(FunctionElement):
    """`folded(column)`: the column lower-cased and without accents, on either database."""

    type = sa.String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_in_python(element: folded, compiler: Any, **kw: Any) -> str:
    # SQLite: lower() knows only ASCII, so the fold is a Python function on each connection.
    return f"{SQLITE_FOLD_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_by_translate(element: folded, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"translate(lower({column}), '{_ACCENTED}', '{_PLAIN}')"


def install_sqlite_fold(dbapi_connection: Any, _record: Any) -> None:
    """A `connect` listener giving SQLite connections the function `folded` compiles to."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function(SQLITE_FOLD_FUNCTION, 1, _fold_cell, deterministic=True)


class _FoldedCharacters(dict[int, str]):
    """Each character's fold, worked out the first time it is met."""

    def __missing__(self, code: int) -> str:
        self[code] = folded_character = fold(chr(code))
        return folded_character


_FOLDED_CHARACTERS = _FoldedCharacters()


def _fold_cell(text: str | None) -> str | None:
    if text is None:
        return None
    # Most names are plain ASCII: lower() alone, without the Unicode decomposition.
    if text.isascii():
        return text.lower()
    # fold() character by character, from a cache: the same result (a decomposition changes
    # nothing but its own character, and the marks it reorders are all dropped), a few times
    # faster on the thousands of names a search reads. lower() stays on the whole text, for
    # the final sigma.
    return text.lower().translate(_FOLDED_CHARACTERS)


def matching(q: str) -> sa.ColumnElement[bool]:
    """Companies whose names, numbers, locality or contact persons contain `q`.

    Case and accents do not matter: "petange" finds "Pétange"; nor do spaces in numbers. One
    LIKE on each company's search row (tracker/companies/search.py).
    """
    return search.matching(fold(q))


def companies_query(filters: CompanyFilters, *, user_id: int, on: date) -> sa.Select:
    """The companies the filters keep, sorted; clusters and owner loaded alongside."""
    return _companies_of(_kept(filters, user_id=user_id, on=on).subquery(), filters).options(
        selectinload(Company.clusters), joinedload(Company.owner)
    )


def company_page(filters: CompanyFilters, *, user_id: int, on: date, per_page: int) -> Pagination:
    """The page of the list that the `page` argument asks for, with the total."""
    return CompanyPage(
        filters=filters,
        kept=_kept(filters, user_id=user_id, on=on),
        listed=_listed(filters, user_id=user_id),
        # Counted with the page when the page sorts what it keeps anyway; a list walked in the
        # order of an index reads its page alone and counts apart.
        counted=filters.scans and filters.sort.removeprefix("-") not in FACT_SORTS,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )


class CompanyPage(Pagination):
    """A page of the list: its companies, clusters and owner loaded, and how many there are.

    The page's ids are picked first, from narrow rows: PostgreSQL would otherwise sort every
    company kept, with its owner, to find 25. For a search or a filter on the facts sorted by
    name (`counted`), the total comes with the page (a window count) instead of from a second
    statement doing it all again; only an empty page still counts apart.
    """

    def _query_items(self) -> list[Company]:
        kept: sa.Select = self._query_args["kept"]
        counted: bool = self._query_args["counted"]
        if counted:
            kept = kept.add_columns(sa.func.count().over().label("total"))
        ids = kept.limit(self.per_page).offset(self._query_offset).subquery()
        page = _companies_of(ids, self._query_args["filters"])
        if counted:
            page = page.add_columns(ids.c.total)
        rows = db.session.execute(
            page.options(selectinload(Company.clusters), joinedload(Company.owner))
        ).all()
        self._total = rows[0].total if counted and rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        listed = self._query_args["listed"]
        if listed is not None:
            return db.session.scalar(listed) or 0
        kept = self._query_args["kept"].order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(kept)) or 0


def _companies_of(ids: sa.Subquery, filters: CompanyFilters) -> sa.Select:
    """The companies of `ids` (the kept ids, a column "id"), in the list's order: joined to the
    kept rows that order is on, by their keys."""
    query = sa.select(Company).join(ids, ids.c.id == Company.id)
    rows = _rows(filters)
    if rows is not None:
        query = query.join(rows, rows.c.company_id == Company.id)
    if rows is not company_facts and filters.sort.removeprefix("-") in FACT_SORTS:
        query = query.join(company_facts, company_facts.c.company_id == Company.id)
    return query.order_by(*_ordering(filters))


def _listed(filters: CompanyFilters, *, user_id: int) -> sa.Select | None:
    """The list's total from each owner's count of companies not archived (kept with the
    workload's totals, tracker/pipeline/totals.py), when the filters ask no more than an
    owner: the whole list is then counted from a row per owner, not a row per company.
    None when the filters need the companies counted."""
    narrowed = replace(filters, owner="", sort="name")
    if narrowed != CompanyFilters():
        return None
    owners = workload_owners.c
    query = sa.select(sa.func.coalesce(sa.func.sum(owners.listed), 0))
    if filters.owner == "mine":
        query = query.where(owners.owner_key == user_id)
    elif filters.owner == "none":
        query = query.where(owners.owner_key == NOBODY)
    elif filters.owner:
        query = query.where(owners.owner_key == int(filters.owner))
    return query


def _rows(filters: CompanyFilters) -> sa.Table | None:
    """The kept rows a list reads its companies from: the search rows for a search, each
    company's facts row for a filter or a sort on the facts (tracker/companies/search.py,
    facts.py); None: the companies themselves. Either carries the company's listed flag and
    sorting name (the facts row its status too), so that a search or the risk and silence
    filters keep and order their companies without reading each one: only the page's."""
    if filters.q:
        return company_search
    if _reads_facts(filters):
        return company_facts
    return None


def _reads_facts(filters: CompanyFilters) -> bool:
    """True when the list filters or sorts on each company's facts row."""
    return bool(filters.risk or filters.silent) or filters.sort.removeprefix("-") in FACT_SORTS


def _kept(filters: CompanyFilters, *, user_id: int, on: date) -> sa.Select:
    """The ids of the companies the filters keep (a column "id"), in the list's order."""
    rows = _rows(filters)
    if rows is None:
        query = sa.select(Company.id.label("id"))
        if not filters.archived:
            query = query.where(Company.archived.is_(False))
    else:
        query = sa.select(rows.c.company_id.label("id")).select_from(rows)
        if not filters.archived:
            query = query.where(rows.c.listed.is_(True))
    if filters.q:
        query = query.where(search.found(fold(filters.q)))
    facts = company_facts.c
    if rows is company_search and _reads_facts(filters):
        query = query.join(company_facts, facts.company_id == company_search.c.company_id)
    # One range of the facts' (latest_risk, last_contact_on) index, not every company's health
    # checks and contacts.
    if filters.risk == "none":
        query = query.where(facts.latest_risk.is_(None))
    elif filters.risk:
        query = query.where(facts.latest_risk == RiskLevel(filters.risk))
    if filters.silent:
        # Not contacted for N days: no contact dated in the N days up to today.
        since = on - timedelta(days=int(filters.silent) - 1)
        last = facts.last_contact_on
        query = query.where(sa.or_(last.is_(None), last < since))
    if filters.status and rows is company_facts:  # else a condition on the companies
        query = query.where(facts.status == CompanyStatus(filters.status))
    company = _company_conditions(filters, user_id=user_id, facts=rows is company_facts)
    if rows is not None and (company or filters.sort.removeprefix("-") == "employees"):
        query = query.join(Company, Company.id == rows.c.company_id)
    query = query.where(*company)
    return query.order_by(*_ordering(filters))


def _company_conditions(
    filters: CompanyFilters, *, user_id: int, facts: bool
) -> list[sa.ColumnElement[bool]]:
    """The filters on the companies' own columns (the status: when not read from the facts)."""
    conditions = []
    if filters.cluster:
        conditions.append(Company.clusters.any(Cluster.slug == filters.cluster))
    if filters.owner == "mine":
        conditions.append(Company.owner_id == user_id)
    elif filters.owner == "none":
        conditions.append(Company.owner_id.is_(None))
    elif filters.owner:
        conditions.append(Company.owner_id == int(filters.owner))
    if filters.status and not facts:
        conditions.append(Company.status == CompanyStatus(filters.status))
    if filters.market:
        conditions.append(Company.markets.any(Market.slug == filters.market))
    if filters.nace:
        conditions.append(Company.nace_code.like(f"{filters.nace}%"))
    if filters.size:
        conditions.append(_size_condition(filters.size))
    return conditions


def _size_condition(band: str) -> sa.ColumnElement[bool]:
    for value, _label, lowest, highest in SIZE_BANDS:
        if value == band:
            if lowest is None:
                return Company.employees.is_(None)
            if highest is None:
                return Company.employees >= lowest
            return Company.employees.between(lowest, highest)
    raise ValueError(band)


def _ordering(filters: CompanyFilters) -> list[Any]:
    """The list's order, on the rows the list reads (`_rows`): the plain list walks
    ix_companies_list_order; a search or a filter sorts its few companies by the name its
    rows carry; a list by latest contact or next follow-up walks the facts' index in that
    order (SQLite sorts only the companies of one day by name, PostgreSQL's incremental sort
    likewise)."""
    sort = filters.sort
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    rows = _rows(filters)
    name = search.sort_name(Company.legal_name) if rows is None else rows.c.name_key
    ident = Company.id if rows is None else rows.c.company_id
    if key == "contact":
        contact = company_facts.c.last_contact_on
        # Oldest first puts the never-contacted companies at the top: they are the oldest.
        first = contact.desc().nulls_last() if descending else contact.asc().nulls_first()
        return [first, name, ident]
    if key == "followup":
        due = company_facts.c.next_followup_on
        return [(due.desc() if descending else due.asc()).nulls_last(), name, ident]
    if key == "employees":
        size = Company.employees
        return [(size.desc() if descending else size.asc()).nulls_last(), name, ident]
    return [name.desc() if descending else name, ident.desc() if descending else ident]


@dataclass(frozen=True)
class CompanyFacts:
    last_contact_on: date | None
    next_followup_on: date | None
    latest_risk: RiskLevel | None


def facts_for(company_ids: list[int]) -> dict[int, CompanyFacts]:
    """Latest contact, next open follow-up and latest risk of each company, in one query."""
    if not company_ids:
        return {}
    rows = db.session.execute(
        sa.select(company_facts).where(company_facts.c.company_id.in_(company_ids))
    )
    return {
        row.company_id: CompanyFacts(row.last_contact_on, row.next_followup_on, row.latest_risk)
        for row in rows
    }


def search_results(q: str) -> list[dict[str, Any]]:
    """At most ten non-archived companies matching `q` (names starting with it first)."""
    q = " ".join(q.split())[:100]
    if len(q) < SEARCH_MIN_LENGTH:
        return []
    starts = sa.case((folded(Company.legal_name).startswith(fold(q), autoescape=True), 0), else_=1)
    rows = db.session.execute(
        sa.select(Company.id, Company.legal_name, Company.locality, Company.rcs_number)
        .where(Company.archived.is_(False), matching(q))
        .order_by(starts, sa.func.lower(Company.legal_name), Company.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        {"id": r.id, "name": r.legal_name, "locality": r.locality, "rcs_number": r.rcs_number}
        for r in rows
    ]


# Choices of the filters and the company form.


def cluster_choices() -> list[tuple[int, str, str]]:
    """(id, slug, name) of every cluster."""
    rows = db.session.execute(
        sa.select(Cluster.id, Cluster.slug, Cluster.name).order_by(Cluster.name)
    )
    return [(r.id, r.slug, r.name) for r in rows]


def market_choices(include_ids: set[int] | None = None) -> list[tuple[int, str, str]]:
    """(id, slug, name) of the active markets, and of retired ones listed in `include_ids`."""
    condition = Market.active.is_(True)
    if include_ids:
        condition = sa.or_(condition, Market.id.in_(include_ids))
    rows = db.session.execute(
        sa.select(Market.id, Market.slug, Market.name).where(condition).order_by(Market.name)
    )
    return [(r.id, r.slug, r.name) for r in rows]


def staff_choices(include_id: int | None = None) -> Sequence[sa.Row[Any]]:
    """(id, name) of active staff users, and of the user `include_id` whatever their state."""
    condition = sa.and_(User.active.is_(True), User.role != Role.VIEWER)
    if include_id is not None:
        condition = sa.or_(condition, User.id == include_id)
    # Rows as they come (tuples of id and name), from the session's connection: an agency may
    # have hundreds of staff, and the ORM's result handling costs more than the query.
    return (
        db.session.connection()
        .execute(sa.select(User.id, User.name).where(condition).order_by(User.name))
        .all()
    )


# The company page.


def company_for_page(company_id: int) -> Company:
    """The company with its owner, clusters, markets and people; 404 when there is none."""
    return db.get_or_404(
        Company,
        company_id,
        options=[
            joinedload(Company.owner),
            selectinload(Company.clusters),
            selectinload(Company.markets),
            selectinload(Company.people),
        ],
    )


def latest_health_check(company_id: int) -> HealthCheck | None:
    return db.session.scalars(
        sa.select(HealthCheck)
        .options(joinedload(HealthCheck.recorded_by))
        .where(HealthCheck.company_id == company_id)
        .order_by(HealthCheck.checked_on.desc(), HealthCheck.id.desc())
        .limit(1)
    ).first()


def risk_history(company_id: int, since: date) -> RiskHistory:
    """The risk levels of the company's health checks since `since`, one row per day.

    Counted and ranked in the database: a company checked many times a day costs no more
    than one checked daily.
    """
    assessed = [
        HealthCheck.company_id == company_id,
        HealthCheck.checked_on >= since,
        HealthCheck.risk_level.is_not(None),
    ]

    def end(*order: Any) -> sa.ScalarSelect[RiskLevel]:
        return (
            sa.select(HealthCheck.risk_level).where(*assessed).order_by(*order).limit(1)
        ).scalar_subquery()

    levels = list(RiskLevel)
    rows = db.session.execute(
        sa.select(
            HealthCheck.checked_on,
            sa.func.count().label("checks"),
            sa.func.max(
                sa.case({level: level.rank for level in levels}, value=HealthCheck.risk_level)
            ).label("worst"),
            end(HealthCheck.checked_on, HealthCheck.id).label("first"),
            end(HealthCheck.checked_on.desc(), HealthCheck.id.desc()).label("last"),
        )
        .where(*assessed)
        .group_by(HealthCheck.checked_on)
        .order_by(HealthCheck.checked_on)
    ).all()
    if not rows:
        return RiskHistory(checks=0, first=None, last=None, days=[])
    return RiskHistory(
        checks=sum(r.checks for r in rows),
        first=(rows[0].checked_on, rows[0].first),
        last=(rows[-1].checked_on, rows[-1].last),
        days=[(r.checked_on, levels[r.worst]) for r in rows],
    )


_URGENCY_ORDER = sa.case(
    (Need.urgency == Urgency.HIGH, 0), (Need.urgency == Urgency.NORMAL, 1), else_=2
)


def _open_need_filter(company_id: int) -> list[sa.ColumnElement[bool]]:
    return [
        Need.company_id == company_id,
        Need.status.in_([NeedStatus.OPEN, NeedStatus.IN_PROGRESS]),
    ]


def open_needs(company_id: int, limit: int | None = None) -> list[Need]:
    """Open and in-progress needs, most urgent first, then newest, with their solutions."""
    query = (
        sa.select(Need)
        .options(
            joinedload(Need.category),
            joinedload(Need.owner),
            selectinload(Need.solutions).joinedload(Solution.instrument),
        )
        .where(*_open_need_filter(company_id))
        .order_by(_URGENCY_ORDER, Need.identified_on.desc(), Need.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def open_counts(company_id: int) -> tuple[int, int]:
    """How many open needs and open follow-ups the company has, in one query."""
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Need.id))
            .where(*_open_need_filter(company_id))
            .scalar_subquery(),
            sa.select(sa.func.count(FollowUp.id))
            .where(FollowUp.company_id == company_id, FollowUp.status == FollowUpStatus.OPEN)
            .scalar_subquery(),
        )
    ).one()
    return row[0], row[1]


def open_followups(company_id: int, limit: int | None = None) -> list[FollowUp]:
    query = (
        sa.select(FollowUp)
        .options(joinedload(FollowUp.assignee))
        .where(FollowUp.company_id == company_id, FollowUp.status == FollowUpStatus.OPEN)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))
