"""The figures of the monthly sector-health report (DESIGN.md section 5), aggregated in SQL.

Every figure is computed by the database (COUNT / SUM / window functions) in a fixed number of
statements, whatever the size of the portfolio; Python only rounds and shapes the result. The
health figures add up the portfolio's checks kept counted per span of months
(tracker/reports/spans.py, which works them out with check_spans).

Decisions where section 5 leaves room (also in each function's docstring):

- **Portfolio**: companies in scope (a member of the cluster through `company_clusters`, or every
  company), not archived and not closed, by their current flags (their history is not kept).
- **Events in a cluster scope**: `events.held` counts the events of that cluster
  (`Event.cluster_id`) dated in M; events without a cluster (agency-wide) count only in the "all"
  scope. `participating_companies` counts the distinct portfolio companies that took part in
  those same events.
- **Solutions without an instrument** (a referral to a named partner) are counted under
  "Referral: <partner>", the label the app shows for them; a solution with an instrument counts
  under the instrument's name, whatever partner it names ("Referral to partner cluster" included).
- **Granted amounts** are the solutions' current `amount_granted` (the amount has no history).
- **Needs and follow-ups at the end of M** are read from their dates (`resolved_on`, `closed_on`,
  `done_on`); a cancelled follow-up has no date, so one cancelled after DN no longer counts as
  overdue at DN in a report generated later.

The public building blocks (portfolio_companies, need_open_at, granted_in, suggested_in,
contact_window, followup_overdue_at, solution_status_at, instrument_columns/instrument_label) are
the definitions the managers' pipeline (tracker.pipeline.queries) reuses, so that both agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from tracker.extensions import db
from tracker.models import (
    HEALTH_COUNTS,
    HEALTH_TRENDS,
    SCOPE_ALL,
    Company,
    CompanyStatus,
    Event,
    FollowUp,
    FollowUpStatus,
    HealthCheck,
    Instrument,
    Interaction,
    InteractionType,
    Liquidity,
    Need,
    NeedCategory,
    RiskLevel,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    User,
    company_clusters,
    event_companies,
    health_spans,
)

MONTH_FORMAT_MESSAGE = "Month must be YYYY-MM, e.g. 2026-10"
EDITIONS = ("internal", "ministry")
COVERAGE_DAYS = 90
HEALTH_MONTHS = 6  # a company's health at the end of M is read from checks dated in M-5..M
# The trends asked at a check, named as the kept health spans count them.
TREND_FIELDS = dict(
    zip(
        HEALTH_TRENDS,
        (
            HealthCheck.turnover_trend,
            HealthCheck.orders_trend,
            HealthCheck.employment_trend,
            HealthCheck.outlook,
        ),
        strict=True,
    )
)
AT_RISK = (RiskLevel.CRITICAL, RiskLevel.HIGH)  # worst first
_ONE_DECIMAL = Decimal("0.1")
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


# ------------------------------------------------------------------------------------------
# Months
# ------------------------------------------------------------------------------------------


def parse_month(month: str) -> tuple[date, date]:
    """'2020-10' -> (date(2020, 10, 1), date(2020, 10, 31)); ValueError for anything else."""
    match = _MONTH_RE.fullmatch(month) if isinstance(month, str) else None
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValueError(MONTH_FORMAT_MESSAGE)
    first = date(int(match[1]), int(match[2]), 1)
    return first, _last_day(first)


def previous_month(month: str) -> str:
    """'2026-01' -> '2025-12'."""
    first, _ = parse_month(month)
    return _month_label(_shift(first, -1))


def _shift(first: date, months: int) -> date:
    """The first day of the month `months` months after the month starting on `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _last_day(first: date) -> date:
    return _shift(first, 1) - timedelta(days=1)


def _month_label(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


# ------------------------------------------------------------------------------------------
# Shared pieces of SQL
# ------------------------------------------------------------------------------------------


def portfolio_companies(cluster_id: int | None, company: Any = Company) -> sa.Select:
    """The ids of the portfolio companies: in scope, not archived, not closed.

    Shared with the pipeline, whose scope narrows this Select further (owner, ...). `company`
    is Company or an alias of it (see in_portfolio).
    """
    query = sa.select(company.id).where(
        company.archived.is_(False), company.status != CompanyStatus.CLOSED
    )
    if cluster_id is not None:
        members = sa.select(company_clusters.c.company_id).where(
            company_clusters.c.cluster_id == cluster_id
        )
        query = query.where(company.id.in_(members.correlate(None)))
    return query


# One alias for every in_portfolio: a new alias builds each column it is asked for again,
# several milliseconds a view; each EXISTS names it in its own FROM.
_PORTFOLIO_COMPANY = aliased(Company, name="portfolio_company")


def in_portfolio(
    company_id: sa.ColumnElement[int], cluster_id: int | None, owner_id: int | None = None
) -> sa.ColumnElement[bool]:
    """`company_id` is a portfolio company (of `owner_id` too, when given: the pipeline's
    advisor scope), as a correlated EXISTS over an alias of Company.

    The database then reads the rows of the period (through their date index) and looks each
    one's company up by its key, where `IN (portfolio)` makes SQLite read the rows of every
    portfolio company through the company index, the whole history of each.
    """
    company = _PORTFOLIO_COMPANY
    query = portfolio_companies(cluster_id, company).where(company.id == company_id)
    if owner_id is not None:
        query = query.where(company.owner_id == owner_id)
    return query.exists()


class unindexed(FunctionElement):
    """`column` unchanged, which SQLite must not read through an index (`+column`).

    For a condition that keeps most of a table ("on or before the end of M"): SQLite cannot
    tell how many rows a range keeps and reads them one by one through the date index, where
    reading the table in order is several times faster. Other databases plan from statistics.
    """

    inherit_cache = True

    def __init__(self, column: sa.ColumnElement[Any]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _compile_unindexed(element: unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _compile_unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """COUNT of the rows where `condition` holds (COUNT ignores the NULL of the others)."""
    return sa.func.count(sa.case((condition, 1)))


def _between(column: sa.ColumnElement[date], first: date, last: date) -> sa.ColumnElement[bool]:
    return column.between(first, last)


def contact_window(last: date, days: int = COVERAGE_DAYS) -> tuple[date, date]:
    """The `days` days ending on `last`, both included: DN-89..DN for the 90-day coverage."""
    return last - timedelta(days=days - 1), last


def suggested_in(first: date, last: date) -> sa.ColumnElement[bool]:
    """A solution suggested in first..last."""
    return _between(Solution.suggested_on, first, last)


def followup_overdue_at(last: date) -> sa.ColumnElement[bool]:
    """A follow-up due on or before `last`, not cancelled, and not done on or before `last`."""
    return sa.and_(
        unindexed(FollowUp.due_on) <= last,
        FollowUp.status != FollowUpStatus.CANCELLED,
        sa.or_(FollowUp.done_on.is_(None), FollowUp.done_on > last),
    )


def solution_status_at(last: date) -> sa.ColumnElement[Any]:
    """The status of the enclosing query's Solution at the end of `last`: that of its latest
    change dated on or before it, None when it has none; of two changes on the same day the
    one with the highest id is the later.

    From `status_since` (its latest change) on, that is its current status: a change cannot be
    dated before the one it follows (support.services.change_solution_status). Before, an index
    probe (ix_solution_status_changes_solution_on) reads it, rather than ranking the whole
    history of every solution.
    """
    return sa.case(
        (Solution.status_since <= last, Solution.status), else_=_status_from_history(last)
    )


def _status_from_history(last: date) -> sa.ScalarSelect:
    return (
        sa.select(SolutionStatusChange.to_status)
        .where(
            SolutionStatusChange.solution_id == Solution.id, SolutionStatusChange.changed_on <= last
        )
        .order_by(SolutionStatusChange.changed_on.desc(), SolutionStatusChange.id.desc())
        .limit(1)
        .correlate(Solution)
        .scalar_subquery()
    )


class month_number(FunctionElement):
    """year x 12 + month of a date column: consecutive months are consecutive numbers."""

    inherit_cache = True
    type = sa.Integer()

    def __init__(self, day: sa.ColumnElement[date]) -> None:
        super().__init__(day)


@compiles(month_number)
def _compile_month_number(element: month_number, compiler: Any, **kw: Any) -> str:
    # date_part() is a double, exact for these small integers, and computed several times
    # faster than EXTRACT's numeric (PostgreSQL 14 and later).
    day = compiler.process(element.clauses, **kw)
    return f"CAST(date_part('year', {day}) * 12 + date_part('month', {day}) AS INTEGER)"


@compiles(month_number, "sqlite")
def _compile_month_number_sqlite(element: month_number, compiler: Any, **kw: Any) -> str:
    # Dates are ISO text in SQLite; cutting it is several times faster than strftime().
    day = compiler.process(element.clauses, **kw)
    return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER))"


class days_between(FunctionElement):
    """The whole days from the date `earlier` to the date `later` (later - earlier)."""

    inherit_cache = True
    type = sa.Integer()

    def __init__(self, later: sa.ColumnElement[date], earlier: sa.ColumnElement[date]) -> None:
        super().__init__(later, earlier)


@compiles(days_between)
def _compile_days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"  # date - date is an integer in PostgreSQL


@compiles(days_between, "sqlite")
def _compile_days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _number_of(first: date) -> int:
    return first.year * 12 + first.month


def check_spans(
    portfolio: sa.Select, first: date | None = None, last_first: date | None = None
) -> sa.Subquery:
    """The portfolio's health checks (not archived) that are a company's latest at the end of
    some month, each with that span of months: of the months from `first` to `last_first`
    (first days of months) when given, else of any month.

    A check dated in month c is the company's latest at the end of every month from c until the
    month before its next check (by date, then id), for HEALTH_MONTHS months at most: it counts
    in the windows M-5..M of those months and no other. Columns: company_id, id, checked_on,
    risk_level, span_from and span_to (month numbers, see _number_of); the other answers are
    read by joining HealthCheck on id. One pass over the checks, in company order.

    The window reads only columns of the index on (company_id, checked_on, id, risk_level,
    archived), each check's month computed once: the database copies every row for the window,
    several times slower with every answer in the rows (SQLite copies each partition;
    PostgreSQL reads the table rather than the index). Archived checks are left out here and
    not only by the session's filter (tracker.archiving): the keeper of the health spans
    (tracker/reports/spans.py) runs this on a flush's connection.
    """
    dated = sa.select(
        HealthCheck.company_id,
        HealthCheck.id,
        HealthCheck.checked_on,
        HealthCheck.risk_level,
        month_number(HealthCheck.checked_on).label("span_from"),
    ).where(HealthCheck.company_id.in_(portfolio), HealthCheck.archived.is_(False))
    if first is not None and last_first is not None:
        # Checks after the last month play no part: a next check after it is after every
        # month asked for.
        dated = dated.where(
            _between(
                HealthCheck.checked_on, _shift(first, 1 - HEALTH_MONTHS), _last_day(last_first)
            )
        )
    dated = dated.subquery("dated")
    checks = sa.select(
        *dated.c,
        sa.func.lead(dated.c.span_from)
        .over(partition_by=dated.c.company_id, order_by=(dated.c.checked_on, dated.c.id))
        .label("next_month"),
    ).subquery("checks")
    oldest = checks.c.span_from + (HEALTH_MONTHS - 1)
    before_next = checks.c.next_month - 1
    span_to = sa.case(
        (sa.or_(checks.c.next_month.is_(None), before_next > oldest), oldest), else_=before_next
    )
    spans = sa.select(
        *[c for c in checks.c if c.name != "next_month"], span_to.label("span_to")
    ).where(span_to >= checks.c.span_from)
    if first is not None:
        spans = spans.where(span_to >= _number_of(first))
    return spans.subquery("spans")


def _covers(spans: sa.Subquery, month: int) -> sa.ColumnElement[bool]:
    """The check is its company's latest at the end of `month` (a month number)."""
    return sa.and_(spans.c.span_from <= month, spans.c.span_to >= month)


def _pct(numerator: int, denominator: int) -> float:
    """100 x numerator / denominator, rounded half away from zero to one decimal."""
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _pct_or_none(numerator: int, denominator: int) -> float | None:
    return _pct(numerator, denominator) if denominator else None


# ------------------------------------------------------------------------------------------
# Health: shared by compute_figures and history
# ------------------------------------------------------------------------------------------


def _health_by_month(
    month_starts: list[date], cluster_id: int | None, changes: Sequence[date] = ()
) -> tuple[dict[int, dict[str, int]], dict[date, dict[str, int]]]:
    """The aggregates behind the health figures, for each month index that has any check, and
    the risk changes of each month of `changes`, from the kept health spans.

    `health_spans` counts the portfolio's checks per scope and span of months (see
    tracker/reports/spans.py): each month adds up the spans that cover it, a few dozen rows
    whatever the number of checks. A company assessed with a risk level at the end of both M
    and M-1 counts its change on the check that is its latest at the end of M: that same check
    when it is dated before M (unchanged), else the change from the company's check before it,
    when that one's span reaches M-1 (counted per span as worsened, improved, same_risk).
    """
    months = [_number_of(start) for start in month_starts]
    change_months = [_number_of(start) for start in changes]
    spans = health_spans.c
    groups = (
        db.session.execute(
            sa.select(health_spans).where(
                spans.scope == (cluster_id or SCOPE_ALL),
                spans.span_to >= min([*months, *change_months]),
                spans.span_from <= max([*months, *change_months]),
            )
        )
        .mappings()
        .all()
    )
    result: dict[int, dict[str, int]] = {}
    for idx, month in enumerate(months):
        covering = [g for g in groups if g["span_from"] <= month <= g["span_to"]]
        if covering:
            result[idx] = {key: sum(g[key] for g in covering) for key in HEALTH_COUNTS}
    risk: dict[date, dict[str, int]] = {}
    for start, month in zip(changes, change_months, strict=True):
        starting = [g for g in groups if g["span_from"] == month]
        before = [g for g in groups if g["span_from"] < month <= g["span_to"]]
        risk[start] = {
            "worsened": sum(g["worsened"] for g in starting),
            "improved": sum(g["improved"] for g in starting),
            "unchanged": sum(g["same_risk"] for g in starting)
            + sum(g[f"risk_{r.value}"] for g in before for r in RiskLevel),
        }
    return result, risk


def _health_figures(row: dict[str, int] | None) -> dict[str, Any]:
    """companies_assessed, risk, balances, short_time_work_pct and liquidity from one row."""

    def get(key: str) -> int:
        return int(row[key]) if row is not None else 0

    return {
        "companies_assessed": get("assessed"),
        "risk": {r.value: get(f"risk_{r.value}") for r in RiskLevel},
        "balances": {
            name: _pct_or_none(get(f"{name}_up") - get(f"{name}_down"), get(f"{name}_answered"))
            for name in TREND_FIELDS
        },
        "short_time_work_pct": _pct_or_none(get("stw_yes"), get("stw_yes") + get("stw_no")),
        "liquidity": {q.value: get(f"liquidity_{q.value}") for q in Liquidity},
    }


class HealthSeries:
    """The health figures of a run of months and the risk changes of its last two, from one
    pass over the checks: what a report reads for its month, the month before and its
    history, rather than a pass for each."""

    def __init__(self, month: str, cluster_id: int | None, months: int) -> None:
        if months < 2:
            raise ValueError("A health series needs at least two months.")
        first, _ = parse_month(month)
        self.starts = [_shift(first, k - months + 1) for k in range(months)]
        rows, self._risk = _health_by_month(self.starts, cluster_id, self.starts[-2:])
        self._health = {start: _health_figures(rows.get(i)) for i, start in enumerate(self.starts)}

    def health(self, first: date) -> dict[str, Any]:
        """The "health" section of compute_figures for the month starting on `first`."""
        return {**self._health[first], "risk_change": self._risk[first]}

    def history(self) -> list[dict]:
        """As history()."""
        return [_history_item(start, self._health[start]) for start in self.starts]


# ------------------------------------------------------------------------------------------
# The other sections of the report
# ------------------------------------------------------------------------------------------


def _activity(first: date, last: date, portfolio: sa.Select) -> dict[str, Any]:
    in_month = Interaction.occurred_on >= first
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(portfolio.subquery()).scalar_subquery(),
            count_if(in_month),
            *[count_if(in_month & (Interaction.type == t)) for t in InteractionType],
            sa.func.count(sa.distinct(sa.case((in_month, Interaction.company_id)))),
            sa.func.count(sa.distinct(Interaction.company_id)),
        ).where(
            Interaction.company_id.in_(portfolio),
            # DN-89 is never after D1: a month has at most 31 days.
            _between(Interaction.occurred_on, *contact_window(last)),
        )
    ).one()
    companies, interactions, *by_type, contacted, covered = row
    return {
        "portfolio": {"companies": companies},
        "activity": {
            "interactions": interactions,
            "by_type": {t.value: n for t, n in zip(InteractionType, by_type, strict=True)},
            "companies_contacted": contacted,
            "coverage_90d_pct": _pct(covered, companies) if companies else 0.0,
        },
    }


def need_open_at(last: date) -> sa.ColumnElement[bool]:
    """A need identified on or before `last` and neither resolved nor closed on or before it."""
    return sa.and_(
        unindexed(Need.identified_on) <= last,
        sa.or_(Need.resolved_on.is_(None), Need.resolved_on > last),
        sa.or_(Need.closed_on.is_(None), Need.closed_on > last),
    )


def granted_in(first: date, last: date) -> sa.Select:
    return sa.select(SolutionStatusChange.solution_id).where(
        SolutionStatusChange.to_status == SolutionStatus.GRANTED,
        _between(SolutionStatusChange.changed_on, first, last),
    )


def _events_in(first: date, last: date, cluster_id: int | None) -> sa.Select:
    query = sa.select(Event.id).where(_between(Event.held_on, first, last))
    if cluster_id is not None:
        query = query.where(Event.cluster_id == cluster_id)
    return query


def _counts(first: date, last: date, cluster_id: int | None) -> sa.Row:
    """The single-number figures of needs, solutions, follow-ups and events, in one statement."""

    def count(model: type[db.Model], *where: sa.ColumnElement[bool]) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    need_of_portfolio = in_portfolio(Need.company_id, cluster_id)
    followup_of_portfolio = in_portfolio(FollowUp.company_id, cluster_id)
    granted = (
        sa.select(Solution.id, Solution.amount_granted.label("amount_granted"))
        .join(Need, Need.id == Solution.need_id)
        .where(Solution.id.in_(granted_in(first, last)), need_of_portfolio)
        # A CTE: read once for both its count and its sum (a subquery is planned for each).
        .cte("granted")
    )
    events = _events_in(first, last, cluster_id)
    return db.session.execute(
        sa.select(
            count(Need, need_of_portfolio, _between(Need.resolved_on, first, last)).label(
                "resolved"
            ),
            count(Need, need_of_portfolio, need_open_at(last)).label("open_end"),
            sa.select(sa.func.count())
            .select_from(Solution)
            .join(Need, Need.id == Solution.need_id)
            .where(need_of_portfolio, suggested_in(first, last))
            .scalar_subquery()
            .label("suggested"),
            sa.select(sa.func.count()).select_from(granted).scalar_subquery().label("granted"),
            sa.select(
                # Whole cents, summed exactly as integers.
                sa.func.coalesce(
                    sa.func.sum(sa.type_coerce(granted.c.amount_granted, sa.BigInteger)), 0
                )
            )
            .scalar_subquery()
            .label("granted_cents"),
            count(
                FollowUp,
                followup_of_portfolio,
                FollowUp.status == FollowUpStatus.DONE,
                _between(FollowUp.done_on, first, last),
            ).label("followups_completed"),
            count(FollowUp, followup_of_portfolio, followup_overdue_at(last)).label(
                "followups_overdue"
            ),
            count(Event, Event.id.in_(events)).label("events_held"),
            sa.select(sa.func.count(sa.distinct(event_companies.c.company_id)))
            .where(
                event_companies.c.event_id.in_(events),
                in_portfolio(event_companies.c.company_id, cluster_id),
            )
            .scalar_subquery()
            .label("participating"),
        )
    ).one()


def _needs_identified(first: date, last: date, cluster_id: int | None) -> dict[str, int]:
    """Needs identified in M by category slug: every active category, and any other with needs."""
    identified = (
        sa.select(Need.category_id, sa.func.count().label("n"))
        .where(in_portfolio(Need.company_id, cluster_id), _between(Need.identified_on, first, last))
        .group_by(Need.category_id)
        .subquery("identified")
    )
    n = sa.func.coalesce(identified.c.n, 0)
    rows = db.session.execute(
        sa.select(NeedCategory.slug, n)
        .outerjoin(identified, identified.c.category_id == NeedCategory.id)
        .where(sa.or_(NeedCategory.active.is_(True), n > 0))
        .order_by(NeedCategory.position, NeedCategory.name)
    )
    return {slug: count for slug, count in rows}


def instrument_label(name: str | None, partner: str | None) -> str:
    """The key a solution is counted under: its instrument, else its referral partner."""
    if name is not None:
        return name
    return f"Referral: {partner}" if partner else "Referral"


def instrument_columns() -> tuple[sa.ColumnElement[str], sa.ColumnElement[str]]:
    """Instrument name, and the partner only when there is no instrument (the grouping keys)."""
    return Instrument.name, sa.case((Solution.instrument_id.is_(None), Solution.partner))


def _by_instrument(first: date, last: date, cluster_id: int | None) -> dict[str, int]:
    name, partner = instrument_columns()
    rows = db.session.execute(
        sa.select(name, partner, sa.func.count())
        .select_from(Solution)
        .join(Need, Need.id == Solution.need_id)
        .outerjoin(Instrument, Instrument.id == Solution.instrument_id)
        .where(in_portfolio(Need.company_id, cluster_id), suggested_in(first, last))
        .group_by(name, partner)
    )
    counts: dict[str, int] = {}
    for instrument, referral, n in rows:
        key = instrument_label(instrument, referral)
        counts[key] = counts.get(key, 0) + n
    return _most_first(counts.items())


def _most_first(items: Iterable[tuple[str, int]]) -> dict[str, int]:
    return dict(sorted(items, key=lambda item: (-item[1], item[0])))


# ------------------------------------------------------------------------------------------
# The interface used by the PDF, the /reports pages and the CLI
# ------------------------------------------------------------------------------------------


def compute_figures(
    month: str,
    cluster_id: int | None,
    *,
    scope: str,
    edition: str,
    series: HealthSeries | None = None,
) -> dict:
    """The JSON of DESIGN.md section 5 for `month` and a scope (cluster_id None: all companies).

    `scope` (the cluster slug or "all") and `edition` ("internal" or "ministry") are copied in.
    Percentages and balances are floats rounded half away from zero to one decimal, computed from
    the exact ratio; null where section 5 says so. by_type, risk and liquidity always list every
    value (zeros included); needs.identified lists every active category in the catalogue's
    order, plus any retired one that has needs in M. solutions.by_instrument is keyed by
    instrument name, or "Referral: <partner>" for a solution without an instrument, most used
    first. events.held counts, for a cluster, the events of that cluster (Event.cluster_id);
    for "all", every event; participating_companies counts the distinct portfolio companies
    that took part in those same events. granted_amount_eur is the sum of the current granted
    amounts of the solutions granted in M, in EUR with cents.
    A constant number of SQL statements, whatever the data; the health section comes from
    `series` when the caller has one covering the month (see HealthSeries).
    """
    if edition not in EDITIONS:
        raise ValueError(f"Edition must be one of: {', '.join(EDITIONS)}")
    first, last = parse_month(month)
    portfolio = portfolio_companies(cluster_id)
    head = _activity(first, last, portfolio)
    if series is not None:
        health = series.health(first)
    else:
        rows, risk = _health_by_month([first], cluster_id, [first])
        health = {**_health_figures(rows.get(0)), "risk_change": risk[first]}
    counts = _counts(first, last, cluster_id)
    identified = _needs_identified(first, last, cluster_id)
    return {
        "month": _month_label(first),
        "scope": scope,
        "edition": edition,
        **head,
        "health": health,
        "needs": {
            "identified": identified,
            "identified_total": sum(identified.values()),
            "resolved": counts.resolved,
            "open_end": counts.open_end,
        },
        "solutions": {
            "suggested": counts.suggested,
            "by_instrument": _by_instrument(first, last, cluster_id),
            "granted": counts.granted,
            "granted_amount_eur": float(Decimal(int(counts.granted_cents)) / 100),
        },
        "followups": {
            "completed": counts.followups_completed,
            "overdue_end": counts.followups_overdue,
        },
        "events": {"held": counts.events_held, "participating_companies": counts.participating},
    }


def history(month: str, cluster_id: int | None, months: int = 12) -> list[dict]:
    """The health figures of the `months` months ending with `month`, oldest first.

    Each item: {"month", "companies_assessed", "risk", "balances", "short_time_work_pct"}, with the
    same definitions (and the same code) as compute_figures; one SQL statement for all months.
    """
    if months < 1:
        raise ValueError("History needs at least one month.")
    first, _ = parse_month(month)
    starts = [_shift(first, k - months + 1) for k in range(months)]
    rows, _ = _health_by_month(starts, cluster_id)
    return [_history_item(start, _health_figures(rows.get(i))) for i, start in enumerate(starts)]


def _history_item(start: date, health: dict[str, Any]) -> dict[str, Any]:
    """A month of the history: its label and the health figures the charts draw."""
    keys = ("companies_assessed", "risk", "balances", "short_time_work_pct")
    return {"month": _month_label(start), **{key: health[key] for key in keys}}


def solutions_by_instrument_and_status(
    month: str, cluster_id: int | None
) -> dict[str, dict[str, int]]:
    """Portfolio solutions suggested on or before DN, by instrument and by status at DN.

    The status at DN is that of the latest change dated on or before DN (ties: the highest id);
    a solution without any such change counts as suggested. Instruments are labelled as in
    compute_figures' by_instrument, most solutions first; every status is listed, zeros included.
    """
    _, last = parse_month(month)
    name, partner = instrument_columns()
    solutions = (
        sa.select(
            name.label("instrument"),
            partner.label("partner"),
            solution_status_at(last).label("status"),
        )
        .select_from(Solution)
        .join(Need, Need.id == Solution.need_id)
        .outerjoin(Instrument, Instrument.id == Solution.instrument_id)
        .where(
            in_portfolio(Need.company_id, cluster_id),
            unindexed(Solution.suggested_on) <= last,
        )
        .subquery("solutions_at")
    )
    rows = db.session.execute(
        sa.select(
            solutions.c.instrument, solutions.c.partner, solutions.c.status, sa.func.count()
        ).group_by(solutions.c.instrument, solutions.c.partner, solutions.c.status)
    )
    table: dict[str, dict[str, int]] = {}
    for instrument, referral, status, n in rows:
        counts = table.setdefault(
            instrument_label(instrument, referral), {s.value: 0 for s in SolutionStatus}
        )
        counts[(status or SolutionStatus.SUGGESTED).value] += n
    order = _most_first((key, sum(counts.values())) for key, counts in table.items())
    return {key: table[key] for key in order}


def companies_at_risk(month: str, cluster_id: int | None) -> list[dict]:
    """Portfolio companies whose health at the end of M is high or critical, worst first, by name.

    Each: company_id, company (legal name), advisor (the owner's name or None), risk, checked_on,
    last_contact (latest interaction on or before DN, or None) and open_needs (the distinct
    category names of the needs open at the end of M, in the catalogue's order). One statement:
    a row per company and open need category. For the internal edition only: it names companies.
    """
    first, last = parse_month(month)
    spans = check_spans(portfolio_companies(cluster_id), first, first)
    latest = (
        sa.select(spans.c.company_id, spans.c.risk_level, spans.c.checked_on)
        .where(_covers(spans, _number_of(first)), spans.c.risk_level.in_(AT_RISK))
        .subquery("at_risk")
    )
    last_contact = (
        sa.select(sa.func.max(Interaction.occurred_on))
        .where(Interaction.company_id == Company.id, Interaction.occurred_on <= last)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Company.id,
            Company.legal_name,
            User.name,
            latest.c.risk_level,
            latest.c.checked_on,
            last_contact,
            NeedCategory.name,
        )
        .join(latest, latest.c.company_id == Company.id)
        .outerjoin(User, User.id == Company.owner_id)
        .outerjoin(Need, sa.and_(Need.company_id == Company.id, need_open_at(last)))
        .outerjoin(NeedCategory, NeedCategory.id == Need.category_id)
        .order_by(
            sa.case({RiskLevel.CRITICAL: 0}, value=latest.c.risk_level, else_=1),
            Company.legal_name,
            Company.id,
            NeedCategory.position,
            NeedCategory.name,
        )
    )
    companies: dict[int, dict[str, Any]] = {}
    for company_id, legal_name, advisor, risk, checked_on, contact, category in rows:
        company = companies.get(company_id)
        if company is None:
            company = companies[company_id] = {
                "company_id": company_id,
                "company": legal_name,
                "advisor": advisor,
                "risk": risk.value,
                "checked_on": checked_on.isoformat(),
                "last_contact": contact.isoformat() if contact is not None else None,
                "open_needs": [],
            }
        if category is not None and category not in company["open_needs"]:
            company["open_needs"].append(category)
    return list(companies.values())
