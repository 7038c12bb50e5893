"""Reads behind the managers' pipeline: the solutions board, unaddressed needs, workload,
coverage and the funnel.

They are built from the monthly report's definitions (`tracker.reports.figures`: the portfolio,
needs open at a date, solutions suggested and granted in a period, a solution's status at a date,
follow-ups overdue at a date, the coverage window), so that the pipeline and the report agree for
the same period and scope. Each view costs a constant number of SQL statements, whatever the data.

Rules where the design leaves room:

- **Scope**: the report's portfolio (companies in the cluster, not archived, not closed),
  narrowed to one advisor's companies (`Company.owner_id`); needs by category; solutions by
  instrument and by their need's category. Every figure counts records of those companies.
- **Snapshots** (unaddressed needs, workload, coverage) are read at the end of the period's last
  day, or now when the period runs to today ("as of").
- **Board**: every open solution in scope, and the decided ones that entered their status in the
  period; days in status count from the latest status change (the suggestion when there is
  none); an open card unchanged for more than 30 days is stalled.
- **Unaddressed**: needs open at the as-of date, identified at least 14 days before it, with no
  solution suggested on or before it (a solution suggested late takes the need off the list).
- **Workload**: portfolio, open needs and open solutions count for the company's owner; contacts
  for the advisor who logged them; overdue follow-ups for their assignee. At the end of a past
  day a follow-up due that day and not done is overdue (the report's rule); today, those due
  before today and still open are.
- **Funnel**: flows in the period, not a cohort: solutions suggested in it, those that entered
  "submitted" in it (with their requested amounts) and those granted in it (the report's
  definition, with their granted amounts); the median days from suggestion to decision over the
  solutions that entered granted, rejected or dropped in it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from tracker.companies.kept import chunks
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    FollowUp,
    FollowUpStatus,
    Instrument,
    Interaction,
    Need,
    NeedCategory,
    Role,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    User,
    company_clusters,
    company_facts,
    funnel_days,
    funnel_repeats,
    user_clusters,
    workload_contacts,
    workload_followups,
    workload_owners,
)
from tracker.pipeline import columns as kept_columns
from tracker.pipeline.totals import NOBODY
from tracker.reports import figures

OPEN_STATUSES = tuple(s for s in SolutionStatus if not s.is_decided)
DECIDED_STATUSES = tuple(s for s in SolutionStatus if s.is_decided)
STALLED_AFTER_DAYS = 30  # an open card unchanged for more than this is stalled
UNADDRESSED_AFTER_DAYS = 14
CONTACT_DAYS = 30  # "contacts in the last 30 days" of the workload
SILENCE_DAYS = (90, 180)
BOARD_LIMIT = 25  # cards per column on the board; "show all" pages through the rest
BOARD_COUNT_CAP = 1000  # a column counts its cards up to this, then says "1,000+"
WORKLOAD_SORTS = ("name", "portfolio", "contacts", "open_needs", "open_solutions", "overdue")


@dataclass(frozen=True)
class Scope:
    """Which companies, needs and solutions a view counts; None means no restriction."""

    cluster_id: int | None = None
    advisor_id: int | None = None
    instrument_id: int | None = None
    category_id: int | None = None

    def companies(self) -> sa.Select:
        """The ids of the portfolio companies in scope (the report's portfolio, narrowed)."""
        query = figures.portfolio_companies(self.cluster_id)
        if self.advisor_id is not None:
            query = query.where(Company.owner_id == self.advisor_id)
        # Never correlated with a Company of the enclosing query: it is a list of ids.
        return query.correlate(None)

    def owns(self, company_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
        """`company_id` is a portfolio company in scope.

        An advisor's few companies are listed first and their rows read through the company
        index; in a wider scope the rows are read first, each company looked up by its key
        (figures.in_portfolio), rather than every row of every portfolio company.
        """
        if self.advisor_id is not None:
            return company_id.in_(self.companies())
        return figures.in_portfolio(company_id, self.cluster_id)

    def needs(self) -> list[sa.ColumnElement[bool]]:
        conditions = [self.owns(Need.company_id)]
        if self.category_id is not None:
            conditions.append(Need.category_id == self.category_id)
        return conditions

    def solutions(self) -> list[sa.ColumnElement[bool]]:
        """Conditions on a query that joins Solution to its Need."""
        conditions = self.needs()
        if self.instrument_id is not None:
            conditions.append(Solution.instrument_id == self.instrument_id)
        return conditions


@dataclass(frozen=True)
class ScopeOptions:
    """What the scope selects offer."""

    clusters: list[Cluster]
    advisors: list[sa.Row[tuple[int, str]]]  # id, name
    instruments: list[Instrument]
    categories: list[NeedCategory]


def scope_options() -> ScopeOptions:
    """Clusters, active staff, every instrument and need category (retired ones too: the
    pipeline reads the past); four statements."""
    return ScopeOptions(
        clusters=list(db.session.scalars(sa.select(Cluster).order_by(Cluster.name))),
        # Their ids and names only: an agency may have hundreds of them.
        advisors=list(
            db.session.connection().execute(
                sa.select(User.id, User.name)
                .where(User.active.is_(True), User.role != Role.VIEWER)
                .order_by(User.name, User.id)
            )
        ),
        instruments=list(db.session.scalars(sa.select(Instrument).order_by(Instrument.name))),
        categories=list(
            db.session.scalars(
                sa.select(NeedCategory).order_by(NeedCategory.position, NeedCategory.name)
            )
        ),
    )


class RowPagination(Pagination):
    """A page of a Select of columns (Flask-SQLAlchemy's own pagination keeps only the first)."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"]
        return list(db.session.execute(select.limit(self.per_page).offset(self._query_offset)))

    def _query_count(self) -> int:
        sub = self._query_args["select"].order_by(None).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0


class ListPagination(Pagination):
    """A page of a list already in memory (rows aggregated and sorted in Python)."""

    def _query_items(self) -> list[Any]:
        return self._query_args["items"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list[Any], per_page: int = 50) -> Pagination:
    """`items`, one page (the `page` query argument) at a time."""
    return ListPagination(page=None, per_page=per_page, max_per_page=per_page, items=items)


def paginate_rows(
    select: sa.Select, page: int | None = None, per_page: int = 50, total: int | None = None
) -> Pagination:
    """Rows of `select`, one page (the `page` query argument by default) at a time; `total`,
    when the caller already knows it, saves counting them again."""
    pagination = RowPagination(
        page=page, per_page=per_page, max_per_page=per_page, count=total is None, select=select
    )
    if total is not None:
        pagination.total = total
    return pagination


def rate(numerator: int, denominator: int) -> Decimal | None:
    """100 x numerator / denominator to one decimal, half away from zero; None for 0/0."""
    if not denominator:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------------------
# Solutions board
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A solution on the board."""

    solution_id: int
    status: SolutionStatus
    title: str  # the instrument, or the referral partner
    since: date
    days: int
    company_id: int
    company: str
    owner_id: int | None
    advisor: str | None
    need_id: int
    category: str
    suggested_on: date
    amount_requested: Decimal | None
    amount_granted: Decimal | None
    version: int  # the solution's, carried by the card's move form

    @property
    def stalled(self) -> bool:
        return not self.status.is_decided and self.days > STALLED_AFTER_DAYS

    @property
    def amount(self) -> Decimal | None:
        """The amount the card shows: granted for a granted solution, requested otherwise."""
        if self.status is SolutionStatus.GRANTED:
            return self.amount_granted
        return self.amount_requested

    @classmethod
    def from_row(cls, row: Any, today: date) -> Card:
        return cls(
            solution_id=row.id,
            status=SolutionStatus(row.status),
            title=figures.instrument_label(row.instrument, row.partner),
            since=row.since,
            days=max((today - row.since).days, 0),
            company_id=row.company_id,
            company=row.company,
            owner_id=row.owner_id,
            advisor=row.advisor,
            need_id=row.need_id,
            category=row.category,
            suggested_on=row.suggested_on,
            amount_requested=row.amount_requested,
            amount_granted=row.amount_granted,
            version=row.version,
        )


@dataclass(frozen=True)
class BoardColumn:
    status: SolutionStatus
    cards: list[Card]
    total: int  # at most BOARD_COUNT_CAP + 1: see `capped`

    @property
    def more(self) -> bool:
        return self.total > len(self.cards)

    @property
    def capped(self) -> bool:
        """The column holds more than BOARD_COUNT_CAP cards; its page has the exact count."""
        return self.total > BOARD_COUNT_CAP


def _cards(
    scope: Scope, first: date, last: date, status: SolutionStatus | None = None
) -> sa.Select:
    """(id, status, since) of the board's solutions (of one column when `status` is given):
    every open one in scope, and the decided ones that entered their status in first..last.
    A card is in its status since its latest status change (`Solution.status_since`), read in
    order from ix_solutions_status_since; what a card shows is joined to the cards kept (see
    _card_rows). One column's condition is a single range of that index: a decided column's
    is its status and the period, not the board's "open, or decided in the period" (which
    would read the column's decisions from its first ever)."""
    since = Solution.status_since
    if status is None:
        on_board = sa.or_(
            Solution.status.in_(OPEN_STATUSES),
            sa.and_(Solution.status.in_(DECIDED_STATUSES), since.between(first, last)),
        )
    elif status.is_decided:
        on_board = sa.and_(Solution.status == status, since.between(first, last))
    else:
        on_board = Solution.status == status
    return (
        sa.select(Solution.id, Solution.status, since.label("since"))
        .join(Need, Need.id == Solution.need_id)
        .where(*scope.solutions(), on_board)
    )


def _column_order(status: SolutionStatus) -> tuple[sa.ColumnElement[Any], ...]:
    """Open columns put the longest-waiting cards first; decided columns the latest decisions
    (on one day, the latest recorded first): the order of the status index, read forwards or
    backwards, so that the first cards are read without sorting the column."""
    if status.is_decided:
        return (Solution.status_since.desc(), Solution.id.desc())
    return (Solution.status_since, Solution.id)


def _card_rows(cards: sa.Subquery) -> sa.Select:
    """What a card shows (see Card.from_row), for each of `cards` (a subquery with the id and
    since of each)."""
    return (
        sa.select(
            Solution.id,
            Solution.status,
            cards.c.since,
            Solution.suggested_on,
            Solution.amount_requested,
            Solution.amount_granted,
            Solution.partner,
            Solution.version,
            Instrument.name.label("instrument"),
            Need.id.label("need_id"),
            NeedCategory.name.label("category"),
            Company.id.label("company_id"),
            Company.legal_name.label("company"),
            Company.owner_id,
            User.name.label("advisor"),
        )
        .select_from(cards)
        .join(Solution, Solution.id == cards.c.id)
        .join(Need, Need.id == Solution.need_id)
        .join(Company, Company.id == Need.company_id)
        .join(NeedCategory, NeedCategory.id == Need.category_id)
        .outerjoin(Instrument, Instrument.id == Solution.instrument_id)
        .outerjoin(User, User.id == Company.owner_id)
    )


def board(
    scope: Scope,
    first: date,
    last: date,
    today: date,
    limit: int = BOARD_LIMIT,
    kept: bool = True,
) -> list[BoardColumn]:
    """Every column of the board with its first `limit` cards and its count (up to
    BOARD_COUNT_CAP + 1); two statements.

    Each column's first cards are read in the column's order from the status index, so the
    cost of a column does not depend on how many cards it has beyond those shown.
    """
    firsts = [
        _cards(scope, first, last, status).order_by(*_column_order(status)).limit(limit).subquery()
        for status in SolutionStatus
    ]
    shown = sa.union_all(*[sa.select(column) for column in firsts]).subquery("cards")
    columns: dict[SolutionStatus, list[Card]] = {status: [] for status in SolutionStatus}
    for row in db.session.execute(_card_rows(shown)):
        card = Card.from_row(row, today)
        columns[card.status].append(card)
    for status, cards in columns.items():  # in the column's order
        cards.sort(key=lambda card: (card.since, card.solution_id), reverse=status.is_decided)
    if kept and scope == Scope():
        # The agency's columns: a row per status and day, kept (tracker/pipeline/columns.py).
        counted = db.session.execute(kept_columns.counts(first, last))
        totals = {SolutionStatus(value): min(n, BOARD_COUNT_CAP + 1) for value, n in counted}
    else:
        # Counted up to the cap: the cost of a column stays that of BOARD_COUNT_CAP cards,
        # whatever the agency's size (the column's own page counts them all).
        counts = []
        for status in SolutionStatus:
            capped = _cards(scope, first, last, status).limit(BOARD_COUNT_CAP + 1).subquery()
            counts.append(sa.select(sa.literal(status.value), sa.func.count()).select_from(capped))
        counted = db.session.execute(sa.union_all(*counts))
        totals = {SolutionStatus(value): n for value, n in counted}
    return [
        BoardColumn(status, columns[status], totals.get(status, 0)) for status in SolutionStatus
    ]


def board_column(scope: Scope, first: date, last: date, status: SolutionStatus) -> sa.Select:
    """One column's cards, ordered as on the board, to page through."""
    cards = _cards(scope, first, last, status).subquery("cards")
    if status.is_decided:
        return _card_rows(cards).order_by(cards.c.since.desc(), cards.c.id.desc())
    return _card_rows(cards).order_by(cards.c.since, cards.c.id)


def board_export(scope: Scope, first: date, last: date) -> sa.Select:
    """Every card of the board, column by column, as on the board."""
    cards = _cards(scope, first, last).subquery("cards")
    position = sa.case({s: i for i, s in enumerate(SolutionStatus)}, value=cards.c.status)
    decided = cards.c.status.in_(DECIDED_STATUSES)
    decided_since, decided_id = sa.case((decided, cards.c.since)), sa.case((decided, cards.c.id))
    return _card_rows(cards).order_by(
        position, decided_since.desc(), decided_id.desc(), cards.c.since, cards.c.id
    )


# ------------------------------------------------------------------------------------------
# Unaddressed needs
# ------------------------------------------------------------------------------------------


def unaddressed_needs(scope: Scope, as_of: date) -> sa.Select:
    """Needs open at the end of `as_of`, identified at least 14 days before it, with no
    solution suggested on or before it; oldest first."""
    answered = sa.select(Solution.id).where(
        Solution.need_id == Need.id, Solution.suggested_on <= as_of
    )
    owner = aliased(User, name="need_owner")
    return (
        sa.select(
            Need.id,
            Need.identified_on,
            Need.urgency,
            Need.status,
            Need.description,
            NeedCategory.name.label("category"),
            Company.id.label("company_id"),
            Company.legal_name.label("company"),
            owner.name.label("owner"),
        )
        .join(Company, Company.id == Need.company_id)
        .join(NeedCategory, NeedCategory.id == Need.category_id)
        .outerjoin(owner, owner.id == Need.owner_id)
        .where(
            *scope.needs(),
            figures.need_open_at(as_of),
            Need.identified_on <= as_of - timedelta(days=UNADDRESSED_AFTER_DAYS),
            ~answered.exists(),
        )
        .order_by(Need.identified_on, Need.id)
    )


# ------------------------------------------------------------------------------------------
# Workload
# ------------------------------------------------------------------------------------------


@dataclass
class WorkloadRow:
    user_id: int | None  # None: the companies nobody owns
    name: str
    portfolio: int = 0
    contacts: int = 0
    open_needs: int = 0
    open_solutions: int = 0
    overdue: int = 0


def _overdue(as_of: date, today: date) -> list[sa.ColumnElement[bool]]:
    """Follow-ups overdue at the end of `as_of` (the report's definition); today is not over,
    so today's are those due before today and still open."""
    if as_of < today:
        return [figures.followup_overdue_at(as_of)]
    return [
        figures.followup_overdue_at(today - timedelta(days=1)),
        FollowUp.status == FollowUpStatus.OPEN,
    ]


def _open_solution_at(as_of: date, today: date) -> list[sa.ColumnElement[bool]]:
    """A solution suggested on or before `as_of` and not decided at its end. Today that is its
    current status (no change is dated in the future)."""
    if as_of >= today:
        return [figures.unindexed(Solution.status).in_(OPEN_STATUSES)]
    status = figures.solution_status_at(as_of)
    return [
        figures.unindexed(Solution.suggested_on) <= as_of,
        # Without a change by then, it is suggested.
        sa.func.coalesce(status, sa.literal(SolutionStatus.SUGGESTED, status.type)).not_in(
            DECIDED_STATUSES
        ),
    ]


def _summed(metric: str, user: Any, n: Any, condition: sa.ColumnElement[bool]) -> sa.Select:
    """A workload figure per user from rows kept per user and day (tracker/pipeline/totals.py)."""
    return (
        sa.select(
            sa.literal(metric).label("metric"), user.label("user_id"), sa.func.sum(n).label("n")
        )
        .where(condition)
        .group_by(user)
    )


def workload(scope: Scope, as_of: date, today: date, kept: bool = True) -> list[WorkloadRow]:
    """Per advisor, at the end of `as_of`: portfolio companies they own, contacts they logged in
    the 30 days ending on `as_of`, open needs and open (undecided) solutions of their companies,
    and follow-ups assigned to them that are overdue; all within the scope. Every active advisor
    is listed (of the cluster, in a cluster scope), with zeros when they have nothing; anyone
    else with a figure too; "No advisor" collects what unowned companies have. By name; three
    statements.

    What the agency's totals (tracker/pipeline/totals.py) and each company's facts keep is read
    from them; with `kept` False everything is worked out from the records (the tests compare
    both)."""
    companies = scope.companies()
    contact_days = figures.contact_window(as_of, CONTACT_DAYS)
    # Grouped by an owner SQLite does not read through the companies' owner index: that index
    # would lead it to every company's needs and solutions, one by one.
    owner = figures.unindexed(Company.owner_id)

    def metric(name: str, key: Any) -> list[Any]:
        return [sa.literal(name).label("metric"), key.label("user_id"), sa.func.count().label("n")]

    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    company_metrics: list[sa.Select] = []
    agency = kept and scope.cluster_id is None and scope.advisor_id is None
    every_need = scope.category_id is None and scope.instrument_id is None
    if as_of >= today and agency and every_need:
        # The agency today: a row per owner, kept (tracker/pipeline/totals.py).
        owners = workload_owners.c
        for owner_key, portfolio, open_needs, open_solutions in db.session.execute(
            sa.select(
                owners.owner_key, owners.companies, owners.open_needs, owners.open_solutions
            ).where(owners.companies > 0)  # owners of closed companies only: no figure
        ):
            counts[owner_key or None].update(
                portfolio=portfolio, open_needs=open_needs, open_solutions=open_solutions
            )
    elif as_of >= today and kept and every_need:
        # Today, each company's open needs and solutions are counted in its facts row
        # (tracker/companies/facts.py): one pass over the companies instead of three.
        today_counts = (
            sa.select(
                owner,
                sa.func.count(),
                sa.func.sum(company_facts.c.open_needs),
                sa.func.sum(company_facts.c.open_solutions),
            )
            .join(company_facts, company_facts.c.company_id == Company.id)
            .where(Company.id.in_(companies))
            .group_by(owner)
        )
        for user_id, portfolio, open_needs, open_solutions in db.session.execute(today_counts):
            counts[user_id].update(
                portfolio=portfolio, open_needs=open_needs or 0, open_solutions=open_solutions or 0
            )
    else:
        company_metrics = [
            sa.select(*metric("portfolio", Company.owner_id))
            .where(Company.id.in_(companies))
            .group_by(Company.owner_id),
            sa.select(*metric("open_needs", owner))
            .select_from(Need)
            .join(Company, Company.id == Need.company_id)
            .where(*scope.needs(), figures.need_open_at(as_of))
            .group_by(owner),
            sa.select(*metric("open_solutions", owner))
            .select_from(Solution)
            .join(Need, Need.id == Solution.need_id)
            .join(Company, Company.id == Need.company_id)
            .where(*scope.solutions(), *_open_solution_at(as_of, today))
            .group_by(owner),
        ]
    if agency:
        # The agency's contacts: a row per advisor and day, kept (tracker/pipeline/totals.py).
        logged = workload_contacts.c
        contacts = _summed(
            "contacts", logged.advisor_id, logged.contacts, logged.day.between(*contact_days)
        )
    else:
        # The period's contacts from the date index alone, each company looked up by its key
        # (grouped by an advisor SQLite does not read through the advisor index).
        contacts = (
            sa.select(*metric("contacts", figures.unindexed(Interaction.advisor_id)))
            .where(
                Interaction.occurred_on.between(*contact_days),
                scope.owns(Interaction.company_id),
            )
            .group_by(figures.unindexed(Interaction.advisor_id))
        )
    if as_of >= today and agency:
        # The agency's overdue follow-ups today: open ones due before it, from a row per
        # assignee and due date, kept (tracker/pipeline/totals.py).
        due = workload_followups.c
        overdue = _summed("overdue", due.assignee_id, due.open, due.day < today)
    else:
        overdue = (
            sa.select(*metric("overdue", FollowUp.assignee_id))
            .where(scope.owns(FollowUp.company_id), *_overdue(as_of, today))
            .group_by(FollowUp.assignee_id)
        )
    metrics = sa.union_all(
        *company_metrics,
        contacts,
        overdue,
    )
    for name, user_id, n in db.session.execute(metrics):
        counts[user_id][name] = n

    if scope.advisor_id is not None:
        listed = User.id == scope.advisor_id
    else:
        listed = sa.and_(User.active.is_(True), User.role == Role.ADVISOR)
        if scope.cluster_id is not None:
            listed &= User.id.in_(
                sa.select(user_clusters.c.user_id).where(
                    user_clusters.c.cluster_id == scope.cluster_id
                )
            )
    users = db.session.execute(sa.select(User.id, User.name).where(listed)).all()
    if scope.advisor_id is None:
        # Anyone else with a figure (a former advisor, a manager owning companies): by key,
        # the few not listed already (not hundreds of keys in one statement).
        others = set(counts) - {user_id for user_id, _name in users} - {None}
        for chunk in chunks(sorted(others)):
            users += db.session.execute(
                sa.select(User.id, User.name).where(User.id.in_(chunk))
            ).all()
    rows = [WorkloadRow(user_id, name, **counts.get(user_id, {})) for user_id, name in users]
    rows.sort(key=lambda row: (row.name.casefold(), row.user_id))
    if scope.advisor_id is None and counts.get(None):
        rows.append(WorkloadRow(None, "", **counts[None]))
    return rows


def workload_page(today: date, per_page: int) -> tuple[Pagination, WorkloadRow]:
    """The agency's workload today, by name, one page of advisors at a time (the `page` query
    argument), and the total of every advisor: what `workload` gives for the whole list, read
    for the page's advisors only. Who is listed comes from the users and the kept totals
    (tracker/pipeline/totals.py); each figure of the page from a row per advisor (and day, for
    the contacts and the overdue follow-ups) of the page's advisors; the total from the kept
    rows summed by the database. Four statements, whatever the number of advisors."""
    owners, logged, due = workload_owners.c, workload_contacts.c, workload_followups.c
    window = logged.day.between(*figures.contact_window(today, CONTACT_DAYS))
    overdue = due.day < today
    advisors = sa.and_(User.active.is_(True), User.role == Role.ADVISOR)
    people = db.session.connection().execute(sa.select(User.id, User.name).where(advisors)).all()

    # Anyone else with a figure (a former advisor, a manager owning companies), as `workload`
    # lists them: each of the few other users looked up in the kept rows by their key; and
    # whether the companies nobody owns have figures.
    def has(key: Any) -> sa.ColumnElement[bool]:
        return sa.or_(
            sa.exists().where(owners.owner_key == key, owners.companies > 0),
            sa.exists().where(logged.advisor_id == key, window),
            sa.exists().where(due.assignee_id == key, overdue),
        )

    others = sa.select(User.id, User.name).where(sa.not_(advisors), has(User.id))
    unowned = sa.select(sa.cast(sa.null(), sa.Integer), sa.literal("")).where(
        sa.exists().where(owners.owner_key == NOBODY, owners.companies > 0)
    )
    found = db.session.execute(sa.union_all(others, unowned)).all()
    people += [row for row in found if row[0] is not None]
    nobody = any(row[0] is None for row in found)
    people.sort(key=lambda person: (person.name.casefold(), person.id))
    everyone: list[tuple[int | None, str]] = [(p.id, p.name) for p in people]
    if nobody:
        everyone.append((None, ""))
    page = paginate_list(everyone, per_page=per_page)

    keys = [NOBODY if user_id is None else user_id for user_id, _name in page.items]
    ids = [key for key in keys if key != NOBODY]
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for name, key, n, needs, solutions in db.session.execute(
        sa.union_all(
            sa.select(
                sa.literal("portfolio"),
                owners.owner_key,
                owners.companies,
                owners.open_needs,
                owners.open_solutions,
            ).where(owners.companies > 0, owners.owner_key.in_(keys)),
            sa.select(sa.literal("contacts"), logged.advisor_id, sa.func.sum(logged.contacts), 0, 0)
            .where(window, logged.advisor_id.in_(ids))
            .group_by(logged.advisor_id),
            sa.select(sa.literal("overdue"), due.assignee_id, sa.func.sum(due.open), 0, 0)
            .where(overdue, due.assignee_id.in_(ids))
            .group_by(due.assignee_id),
        )
    ):
        figures_of = counts[None if key == NOBODY else key]
        figures_of[name] = n
        if name == "portfolio":
            figures_of.update(open_needs=needs, open_solutions=solutions)
    page.items = [WorkloadRow(key, name, **counts.get(key, {})) for key, name in page.items]

    def summed(column: Any, *conditions: Any) -> sa.ScalarSelect[Any]:
        total = sa.func.coalesce(sa.func.sum(column), 0)
        return sa.select(total).where(*conditions).scalar_subquery()

    total = db.session.execute(
        sa.select(
            summed(owners.companies, owners.companies > 0),
            summed(logged.contacts, window),
            summed(owners.open_needs, owners.companies > 0),
            summed(owners.open_solutions, owners.companies > 0),
            summed(due.open, overdue),
        )
    ).one()
    return page, WorkloadRow(None, "", *total)


def sort_workload(rows: list[WorkloadRow], sort: str) -> list[WorkloadRow]:
    """`rows` (by name, as `workload` gives them) sorted by a column of WORKLOAD_SORTS, "-" in
    front for descending; by name within a tie, and "No advisor" always last."""
    key = sort.removeprefix("-")
    if key not in WORKLOAD_SORTS:
        key, sort = "name", "name"
    people = [row for row in rows if row.user_id is not None]
    if sort == "name":
        return people + [row for row in rows if row.user_id is None]
    if key == "name":
        people.sort(key=lambda row: row.name.casefold(), reverse=sort.startswith("-"))
    else:
        people.sort(key=lambda row: getattr(row, key), reverse=sort.startswith("-"))
    return people + [row for row in rows if row.user_id is None]


def workload_total(rows: Iterable[WorkloadRow]) -> WorkloadRow:
    """Each figure summed over `rows` (a column at a time: hundreds of advisors)."""
    rows = list(rows)
    return WorkloadRow(
        None, "", **{name: sum(getattr(row, name) for row in rows) for name in WORKLOAD_SORTS[1:]}
    )


# ------------------------------------------------------------------------------------------
# Coverage
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCount:
    key: int | None
    name: str
    companies: int
    silent_90: int
    silent_180: int

    def silent(self, days: int) -> int:
        """Companies not contacted for `days` (one of SILENCE_DAYS) days."""
        return getattr(self, f"silent_{days}")

    @property
    def covered_pct(self) -> Decimal | None:
        """The report's coverage_90d_pct for this group."""
        return rate(self.companies - self.silent_90, self.companies)


def _last_contact(as_of: date) -> sa.ColumnElement[date]:
    """The date of the company's latest interaction on or before `as_of` (None: never)."""
    return (
        sa.select(sa.func.max(Interaction.occurred_on))
        .where(Interaction.company_id == Company.id, Interaction.occurred_on <= as_of)
        .correlate(Company)
        .scalar_subquery()
    )


def _silent(as_of: date, days: int) -> sa.ColumnElement[bool]:
    """The company had no interaction in the `days` days ending on `as_of` (the report's
    coverage window), never contacted included. An index probe per company."""
    contacted = (
        sa.select(Interaction.id)
        .where(
            Interaction.company_id == Company.id,
            Interaction.occurred_on.between(*figures.contact_window(as_of, days)),
        )
        .correlate(Company)
    )
    return ~contacted.exists()


def _coverage_columns(as_of: date) -> list[Any]:
    columns: list[Any] = [sa.func.count().label("companies")]
    for days in SILENCE_DAYS:
        silent = sa.func.count(sa.case((_silent(as_of, days), 1)))
        columns.append(silent.label(f"silent_{days}"))
    return columns


def coverage_counts(scope: Scope, as_of: date) -> tuple[list[CoverageCount], list[CoverageCount]]:
    """Portfolio companies not contacted for 90 and for 180 days at the end of `as_of`, by
    advisor (the company's owner; None for nobody) and by cluster (a company of two clusters
    counts in both; in a cluster scope, that cluster only). Two statements."""
    in_scope = Company.id.in_(scope.companies())
    by_advisor = db.session.execute(
        sa.select(Company.owner_id, User.name, *_coverage_columns(as_of))
        .outerjoin(User, User.id == Company.owner_id)
        .where(in_scope)
        .group_by(Company.owner_id, User.name)
    ).all()
    in_cluster = (
        sa.select(Cluster.id, Cluster.name, *_coverage_columns(as_of))
        .select_from(Company)
        .join(company_clusters, company_clusters.c.company_id == Company.id)
        .join(Cluster, Cluster.id == company_clusters.c.cluster_id)
        .where(in_scope)
    )
    if scope.cluster_id is not None:
        in_cluster = in_cluster.where(Cluster.id == scope.cluster_id)
    by_cluster = db.session.execute(in_cluster.group_by(Cluster.id, Cluster.name)).all()

    def counts(rows: Iterable[Any]) -> list[CoverageCount]:
        result = [CoverageCount(key, name or "", n, s90, s180) for key, name, n, s90, s180 in rows]
        # Most silent first; "No advisor" with them.
        return sorted(result, key=lambda c: (-c.silent_90, -c.silent_180, c.name.casefold()))

    return counts(by_advisor), counts(by_cluster)


def coverage_total(counts: Iterable[CoverageCount]) -> CoverageCount:
    """The sum of the by-advisor counts: every portfolio company in scope once."""
    rows = list(counts)
    return CoverageCount(
        None,
        "",
        sum(c.companies for c in rows),
        sum(c.silent_90 for c in rows),
        sum(c.silent_180 for c in rows),
    )


def silent_companies(scope: Scope, as_of: date, days: int) -> sa.Select:
    """Portfolio companies in scope not contacted in the `days` days ending on `as_of`, never
    contacted first, then the longest silent; with their advisor and last contact."""
    last_contact = _last_contact(as_of).label("last_contact")
    return (
        sa.select(
            Company.id.label("company_id"),
            Company.legal_name.label("company"),
            Company.owner_id,
            User.name.label("advisor"),
            last_contact,
        )
        .outerjoin(User, User.id == Company.owner_id)
        .where(Company.id.in_(scope.companies()), _silent(as_of, days))
        .order_by(last_contact.asc().nulls_first(), Company.legal_name, Company.id)
    )


def cluster_names(company_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each company's clusters, alphabetically; one statement."""
    ids = list(company_ids)
    names: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return names
    rows = db.session.execute(
        sa.select(company_clusters.c.company_id, Cluster.name)
        .join(Cluster, Cluster.id == company_clusters.c.cluster_id)
        .where(company_clusters.c.company_id.in_(ids))
        .order_by(Cluster.name)
    )
    for company_id, name in rows:
        names[company_id].append(name)
    return names


# ------------------------------------------------------------------------------------------
# Funnel
# ------------------------------------------------------------------------------------------


@dataclass
class FunnelRow:
    instrument: str
    suggested: int = 0
    submitted: int = 0
    granted: int = 0
    requested_eur: Decimal = Decimal("0.00")
    granted_eur: Decimal = Decimal("0.00")
    # How many decisions took each number of days since the suggestion: the median comes from
    # these counts, whose size is bounded by the days a decision can take, not by the agency.
    decision_days: Counter[int] = field(default_factory=Counter)
    # The kept funnel's decisions instead, worked out by the database from the rows kept per
    # day: how many, and the days of the two middle ones (one and the same when odd).
    kept_median: tuple[int, int, int] | None = None

    @property
    def submitted_rate(self) -> Decimal | None:
        """Submitted / suggested, in percent."""
        return rate(self.submitted, self.suggested)

    @property
    def granted_rate(self) -> Decimal | None:
        """Granted / submitted, in percent."""
        return rate(self.granted, self.submitted)

    @property
    def decided(self) -> int:
        if self.kept_median is not None:
            return self.kept_median[0]
        return self.decision_days.total()

    @property
    def median_days(self) -> float | None:
        """The median of the days taken, from their counts."""
        decided = self.decided
        if not decided:
            return None
        if self.kept_median is not None:
            return (self.kept_median[1] + self.kept_median[2]) / 2
        # The values at positions (decided - 1) // 2 and decided // 2 of the sorted days.
        low, high, seen = None, None, 0
        for days, n in sorted(self.decision_days.items()):
            seen += n
            if low is None and seen > (decided - 1) // 2:
                low = days
            if seen > decided // 2:
                high = days
                break
        assert low is not None and high is not None
        return (low + high) / 2


def _cents(amount: Any) -> Decimal:
    return (Decimal(int(amount or 0)) / 100).quantize(Decimal("0.01"))


def _kept_flows(scope: Scope, first: date, last: date) -> sa.Select:
    """The funnel's figures from its rows kept per day (tracker/pipeline/flows.py): each day
    row of the period, less each pair of a solution's days both in it (sign -1). Rows of
    (metric, instrument, partner, n, cents, low, high): the flows by instrument; "decided" by
    instrument, and "decided_all" for the whole, with the days taken by the two middle
    decisions (`low`, `high`; the same one when their number is odd). The medians are worked
    out by the database from the rows grouped by days taken, not by the application from a
    row per day, instrument and days taken; rows are grouped by instrument id and named last
    (instrument names are unique)."""

    def part(table: sa.Table, sign: int, within: list[sa.ColumnElement[bool]]) -> sa.Select:
        conditions = list(within)
        if scope.instrument_id is not None:
            conditions.append(table.c.instrument_id == scope.instrument_id)
        return sa.select(
            table.c.metric,
            table.c.instrument_id,
            table.c.partner,
            table.c.days,
            (sign * table.c.solutions).label("n"),
            (sign * table.c.cents).label("cents"),
        ).where(*conditions)

    pair_within = [funnel_repeats.c.earlier >= first, funnel_repeats.c.later <= last]

    def rows_of(decided: bool) -> sa.Subquery:
        # The decisions, or the other flows: each part reads its own rows of the period.
        def metric(table: sa.Table) -> sa.ColumnElement[bool]:
            return table.c.metric == "decided" if decided else table.c.metric != "decided"

        return sa.union_all(
            part(funnel_days, 1, [funnel_days.c.day.between(first, last), metric(funnel_days)]),
            part(funnel_repeats, -1, [*pair_within, metric(funnel_repeats)]),
        ).subquery("decided_rows" if decided else "flow_rows")

    rows = rows_of(decided=False)
    key = [rows.c.instrument_id, rows.c.partner]
    flows = (
        sa.select(
            rows.c.metric,
            *key,
            sa.func.sum(rows.c.n).label("n"),
            sa.func.sum(rows.c.cents).label("cents"),
        )
        .group_by(rows.c.metric, *key)
        .subquery("flows")
    )
    decided = rows_of(decided=True)
    taken = (
        sa.select(
            decided.c.instrument_id,
            decided.c.partner,
            decided.c.days,
            sa.func.sum(decided.c.n).label("n"),
        )
        .group_by(decided.c.instrument_id, decided.c.partner, decided.c.days)
        .having(sa.func.sum(decided.c.n) != 0)
        .cte("decisions_taken")
    )
    by_days = (
        sa.select(taken.c.days, sa.func.sum(taken.c.n).label("n"))
        .group_by(taken.c.days)
        .subquery("all_taken")
    )

    def middle(counted: sa.Subquery, metric: str, keys: list[Any]) -> sa.Select:
        # Decisions in order of days taken: the low middle one is the first day whose running
        # count reaches half of them, the high one the first whose count passes half.
        upto, total, days = counted.c.upto, counted.c.total, counted.c.days
        return (
            sa.select(
                sa.literal(metric).label("metric"),
                *keys,
                sa.cast(sa.func.max(total), sa.Integer).label("n"),
                sa.cast(sa.null(), sa.BigInteger).label("cents"),
                sa.func.min(sa.case((2 * upto >= total, days))).label("low"),
                sa.func.min(sa.case((2 * upto > total, days))).label("high"),
            )
            .select_from(counted)
            .group_by(*keys)
        )

    def counted(source: Any, keys: list[Any]) -> sa.Subquery:
        partition = keys or None
        return sa.select(
            *keys,
            source.c.days,
            sa.func.sum(source.c.n)
            .over(partition_by=partition, order_by=source.c.days, rows=(None, 0))
            .label("upto"),
            # The same window, the whole partition: one sort for both.
            sa.func.sum(source.c.n)
            .over(partition_by=partition, order_by=source.c.days, rows=(None, None))
            .label("total"),
        ).subquery()

    each = counted(taken, [taken.c.instrument_id, taken.c.partner])
    whole = counted(by_days, [])
    no_day = sa.cast(sa.null(), sa.Integer)
    no_key = [sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)]
    medians = sa.union_all(
        sa.select(flows, no_day.label("low"), no_day.label("high")),
        middle(each, "decided", [each.c.instrument_id, each.c.partner]),
        middle(whole, "decided_all", no_key),
    ).subquery("figures")
    return sa.select(
        medians.c.metric,
        Instrument.name,
        medians.c.partner,
        medians.c.n,
        medians.c.cents,
        medians.c.low,
        medians.c.high,
    ).outerjoin(Instrument, Instrument.id == medians.c.instrument_id)


def funnel(
    scope: Scope, first: date, last: date, kept: bool = True
) -> tuple[list[FunnelRow], FunnelRow]:
    """By instrument (labelled as the report labels them): solutions suggested, submitted and
    granted in first..last, the conversion rates, the amounts requested (of those submitted)
    and granted (of those granted), and the median days from suggestion to decision. The rows
    with most suggestions first, and their total. Two statements; one, for the agency or an
    instrument, from the rows kept per day (`kept` False: from the records, for the tests that
    compare both)."""
    name, partner = figures.instrument_columns()

    def flow(metric: str, condition: Any, amount: Any) -> sa.Select:
        # Whole cents, summed exactly as integers.
        cents = sa.func.coalesce(sa.func.sum(sa.type_coerce(amount, sa.BigInteger)), 0)
        return (
            sa.select(
                sa.literal(metric).label("metric"),
                name.label("instrument"),
                partner.label("partner"),
                sa.func.count().label("n"),
                cents.label("cents"),
            )
            .select_from(Solution)
            .join(Need, Need.id == Solution.need_id)
            .outerjoin(Instrument, Instrument.id == Solution.instrument_id)
            .where(*scope.solutions(), condition)
            .group_by(name, partner)
        )

    submitted_in = sa.select(SolutionStatusChange.solution_id).where(
        SolutionStatusChange.to_status == SolutionStatus.SUBMITTED,
        SolutionStatusChange.changed_on.between(first, last),
    )
    rows: dict[str, FunnelRow] = {}

    def row(instrument: str | None, referral: str | None) -> FunnelRow:
        label = figures.instrument_label(instrument, referral)
        if label not in rows:  # called per row of counts: a new FunnelRow only when needed
            rows[label] = FunnelRow(label)
        return rows[label]

    if kept and scope == Scope(instrument_id=scope.instrument_id):
        whole = None
        for metric, instrument, referral, n, cents, low, high in db.session.execute(
            _kept_flows(scope, first, last)
        ):
            if metric == "decided_all":
                whole = (n, low, high) if n else None
                continue
            if metric == "decided" and not n:
                continue
            target = row(instrument, referral)
            if metric == "decided":
                target.kept_median = (n, low, high)
                continue
            setattr(target, metric, getattr(target, metric) + n)
            if metric == "submitted":
                target.requested_eur += _cents(cents)
            elif metric == "granted":
                target.granted_eur += _cents(cents)
        ordered, total = _ordered(rows)
        total.kept_median = whole or (0, 0, 0)
        return ordered, total

    flows = sa.union_all(
        flow("suggested", figures.suggested_in(first, last), Solution.amount_requested),
        flow("submitted", Solution.id.in_(submitted_in), Solution.amount_requested),
        flow("granted", Solution.id.in_(figures.granted_in(first, last)), Solution.amount_granted),
    )
    for metric, instrument, referral, n, cents in db.session.execute(flows):
        target = row(instrument, referral)
        setattr(target, metric, getattr(target, metric) + n)
        if metric == "submitted":
            target.requested_eur += _cents(cents)
        elif metric == "granted":
            target.granted_eur += _cents(cents)

    decisions = (
        sa.select(
            SolutionStatusChange.solution_id,
            sa.func.max(SolutionStatusChange.changed_on).label("decided_on"),
        )
        .where(
            SolutionStatusChange.to_status.in_(DECIDED_STATUSES),
            SolutionStatusChange.changed_on.between(first, last),
        )
        .group_by(SolutionStatusChange.solution_id)
        .subquery("decisions")
    )
    # How many took each number of days, by instrument: the medians come from these counts.
    days = figures.days_between(decisions.c.decided_on, Solution.suggested_on)
    decided = db.session.execute(
        sa.select(name, partner, days, sa.func.count())
        .select_from(Solution)
        .join(decisions, decisions.c.solution_id == Solution.id)
        .join(Need, Need.id == Solution.need_id)
        .outerjoin(Instrument, Instrument.id == Solution.instrument_id)
        .where(*scope.solutions())
        .group_by(name, partner, days)
    )
    for instrument, referral, taken, n in decided:
        row(instrument, referral).decision_days[taken] += n

    return _ordered(rows)


def _ordered(rows: dict[str, FunnelRow]) -> tuple[list[FunnelRow], FunnelRow]:
    """The rows with most suggestions first, and their total."""
    ordered = sorted(rows.values(), key=lambda r: (-r.suggested, -r.granted, r.instrument))
    total = FunnelRow("")
    for r in ordered:
        total.suggested += r.suggested
        total.submitted += r.submitted
        total.granted += r.granted
        total.requested_eur += r.requested_eur
        total.granted_eur += r.granted_eur
        total.decision_days.update(r.decision_days)
    return ordered, total
