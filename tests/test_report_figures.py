"""The figures of the monthly report, one test per definition of DESIGN.md section 5.

The month under test is March 2026: D1 is 1 March, DN is 31 March; M-1 is February, M-5 starts on
1 October 2025 and the 90-day coverage window starts on DN-89 = 1 January 2026.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests import factories
from tests.helpers import count_statements
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    CompanyStatus,
    FollowUpStatus,
    InteractionType,
    Liquidity,
    RiskLevel,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
)
from tracker.reports import figures
from tracker.reports.figures import (
    companies_at_risk,
    compute_figures,
    history,
    parse_month,
    previous_month,
    solutions_by_instrument_and_status,
)

MONTH = "2026-03"
D1 = date(2026, 3, 1)
DN = date(2026, 3, 31)
DAY = timedelta(days=1)
CATEGORY_SLUGS = ["liquidity", "investment", "rdi-funding", "digitalisation", "new-markets",
                  "internationalisation", "partnerships", "skills", "regulation",
                  "energy-sustainability", "other"]  # fmt: skip


def report(app, cluster_id: int | None = None, month: str = MONTH, scope: str = "all") -> dict:
    with app.app_context():
        return compute_figures(month, cluster_id, scope=scope, edition="internal")


def change_status(solution, status: SolutionStatus, on: date, amount: str | None = None) -> None:
    """Move a solution to `status` on `on`, kept in its history as the service does."""
    solution.changes.append(
        SolutionStatusChange(from_status=solution.status, to_status=status, changed_on=on)
    )
    solution.status = status
    if amount is not None:
        solution.amount_granted = Decimal(amount)


@pytest.fixture
def advisor(users) -> int:
    return users["advisor"].id


# ------------------------------------------------------------------------------------------
# Months
# ------------------------------------------------------------------------------------------


def test_parse_month_gives_first_and_last_day():
    assert parse_month("2020-10") == (date(2020, 10, 1), date(2020, 10, 31))
    assert parse_month("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_month("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize("bad", ["2020-13", "2020-00", "2020-1", "20-10", "2020/10", "", "oct"])
def test_parse_month_refuses_anything_else(bad):
    with pytest.raises(ValueError, match=r"Month must be YYYY-MM, e\.g\. 2026-10"):
        parse_month(bad)


def test_previous_month_crosses_the_year():
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-03") == "2026-02"


# ------------------------------------------------------------------------------------------
# The format
# ------------------------------------------------------------------------------------------

# Section 5, literally; None marks a dictionary whose keys are data (category slugs, instruments).
SECTION_5 = {
    "month": str, "scope": str, "edition": str,
    "portfolio": {"companies": int},
    "activity": {"interactions": int,
                 "by_type": {"call": int, "visit": int, "meeting": int, "email": int, "event": int},
                 "companies_contacted": int, "coverage_90d_pct": float},
    "health": {"companies_assessed": int,
               "risk": {"low": int, "medium": int, "high": int, "critical": int},
               "balances": {"turnover": float, "orders": float, "employment": float,
                            "outlook": float},
               "short_time_work_pct": float,
               "liquidity": {"good": int, "adequate": int, "tight": int, "critical": int},
               "risk_change": {"worsened": int, "improved": int, "unchanged": int}},
    "needs": {"identified": None, "identified_total": int, "resolved": int, "open_end": int},
    "solutions": {"suggested": int, "by_instrument": None, "granted": int,
                  "granted_amount_eur": float},
    "followups": {"completed": int, "overdue_end": int},
    "events": {"held": int, "participating_companies": int},
}  # fmt: skip
NULLABLE = {"balances", "short_time_work_pct"}


def assert_shape(value: dict, shape: dict, path: str = "", nullable: bool = False) -> None:
    assert set(value) == set(shape), f"keys of {path or 'the report'}"
    for key, expected in shape.items():
        here, may_be_null = f"{path}.{key}", nullable or key in NULLABLE
        if expected is None:
            assert all(isinstance(k, str) for k in value[key]), here
            assert all(type(n) is int for n in value[key].values()), here
        elif isinstance(expected, dict):
            assert_shape(value[key], expected, here, may_be_null)
        elif not (may_be_null and value[key] is None):
            assert type(value[key]) is expected, here


def test_json_has_exactly_the_keys_of_section_5(app, advisor):
    with app.app_context():
        company = factories.make_company()
        factories.make_interaction(company, advisor, D1)
        factories.make_health_check(
            company, advisor, D1, turnover_trend=Trend.UP, orders_trend=Trend.DOWN,
            employment_trend=Trend.STABLE, outlook=Trend.UP, short_time_work=False,
            liquidity=Liquidity.GOOD, risk_level=RiskLevel.LOW,
        )  # fmt: skip
        need = factories.make_need(company, "skills", D1)
        factories.make_solution(need, "Fit 4 Digital", D1)
        db.session.commit()
    data = report(app)
    assert_shape(data, SECTION_5)
    assert (data["month"], data["scope"], data["edition"]) == ("2026-03", "all", "internal")
    assert data["health"]["balances"] == {
        "turnover": 100.0, "orders": -100.0, "employment": 0.0, "outlook": 100.0
    }  # fmt: skip
    assert json.loads(json.dumps(data)) == data


def test_empty_portfolio_gives_zeros_and_nulls(app):
    with app.app_context():
        data = compute_figures(MONTH, None, scope="all", edition="ministry")
    zeros = dict.fromkeys
    assert data == {
        "month": "2026-03", "scope": "all", "edition": "ministry",
        "portfolio": {"companies": 0},
        "activity": {"interactions": 0,
                     "by_type": zeros(["call", "visit", "meeting", "email", "event"], 0),
                     "companies_contacted": 0, "coverage_90d_pct": 0.0},
        "health": {"companies_assessed": 0,
                   "risk": zeros(["low", "medium", "high", "critical"], 0),
                   "balances": zeros(["turnover", "orders", "employment", "outlook"]),
                   "short_time_work_pct": None,
                   "liquidity": zeros(["good", "adequate", "tight", "critical"], 0),
                   "risk_change": zeros(["worsened", "improved", "unchanged"], 0)},
        "needs": {"identified": zeros(CATEGORY_SLUGS, 0), "identified_total": 0, "resolved": 0,
                  "open_end": 0},
        "solutions": {"suggested": 0, "by_instrument": {}, "granted": 0,
                      "granted_amount_eur": 0.0},
        "followups": {"completed": 0, "overdue_end": 0},
        "events": {"held": 0, "participating_companies": 0},
    }  # fmt: skip
    assert_shape(data, SECTION_5)


def test_unknown_edition_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="Edition"):
        compute_figures(MONTH, None, scope="all", edition="public")


def test_statements_do_not_grow_with_the_data(app, advisor):
    def fill(start: int, n: int) -> None:
        with app.app_context():
            cluster = db.session.execute(db.select(Cluster)).scalar_one()
            for i in range(start, start + n):
                company = factories.make_company(f"Company {i:03d}", clusters=[cluster])
                factories.make_interaction(company, advisor, D1 + i % 28 * DAY)
                factories.make_health_check(company, advisor, D1, risk_level=RiskLevel.HIGH)
                need = factories.make_need(company, CATEGORY_SLUGS[i % 11], D1)
                change_status(factories.make_solution(need, on=D1), SolutionStatus.GRANTED, DN)
                factories.make_followup(company, advisor, D1)
                factories.make_event(f"Event {i}", D1, companies=[company])
            db.session.commit()

    def statements() -> list[int]:
        counts = []
        for run in (
            lambda: compute_figures(MONTH, None, scope="all", edition="internal"),
            lambda: compute_figures(MONTH, cluster_id, scope="m", edition="internal"),
            lambda: history(MONTH, None),
            lambda: solutions_by_instrument_and_status(MONTH, None),
            lambda: companies_at_risk(MONTH, None),
        ):
            with count_statements(app) as sql, app.app_context():
                run()
            counts.append(len(sql))
        return counts

    with app.app_context():
        cluster_id = db.session.execute(db.select(Cluster.id)).scalar_one()
    fill(0, 3)
    few = statements()
    fill(3, 37)
    assert report(app)["portfolio"]["companies"] == 40
    assert statements() == few
    assert few[0] <= 8 and few[2] == 1


# ------------------------------------------------------------------------------------------
# Portfolio and scope
# ------------------------------------------------------------------------------------------


def test_portfolio_excludes_archived_and_closed_companies(app, advisor):
    with app.app_context():
        factories.make_company("Active")
        factories.make_company("Dormant", status=CompanyStatus.DORMANT)
        archived = factories.make_company("Archived", archived=True)
        closed = factories.make_company("Closed", status=CompanyStatus.CLOSED)
        for company in (archived, closed):
            factories.make_interaction(company, advisor, D1)
            factories.make_health_check(company, advisor, D1, risk_level=RiskLevel.HIGH)
            factories.make_need(company, "liquidity", D1)
            factories.make_followup(company, advisor, D1)
        db.session.commit()
    data = report(app)
    assert data["portfolio"]["companies"] == 2
    assert data["activity"]["interactions"] == 0
    assert data["health"]["companies_assessed"] == 0
    assert data["needs"]["identified_total"] == data["needs"]["open_end"] == 0
    assert data["followups"]["overdue_end"] == 0


def test_cluster_scope_counts_its_members_and_a_company_in_two_clusters_once(app, advisor):
    with app.app_context():
        wood = factories.make_cluster("wood")
        space = factories.make_cluster("space")
        only_wood = factories.make_company("Only Wood", clusters=[wood])
        both = factories.make_company("Wood and Space", clusters=[wood, space])
        nowhere = factories.make_company("No Cluster")
        for company in (only_wood, both, nowhere):
            factories.make_interaction(company, advisor, D1)
            factories.make_need(company, "skills", D1)
        ids = wood.id, space.id
        db.session.commit()
    wood_report = report(app, ids[0], scope="wood")
    space_report = report(app, ids[1], scope="space")
    every = report(app)
    assert wood_report["scope"] == "wood"
    assert [r["portfolio"]["companies"] for r in (wood_report, space_report, every)] == [2, 1, 3]
    assert [r["activity"]["interactions"] for r in (wood_report, space_report, every)] == [2, 1, 3]
    assert [r["needs"]["identified"]["skills"] for r in (wood_report, space_report, every)] == [
        2, 1, 3
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------
# Activity
# ------------------------------------------------------------------------------------------


def test_interactions_in_month_by_type_and_companies_contacted(app, advisor):
    with app.app_context():
        first, second, quiet = (factories.make_company(n) for n in ("First", "Second", "Quiet"))
        factories.make_interaction(first, advisor, D1, InteractionType.CALL)
        factories.make_interaction(first, advisor, DN, InteractionType.VISIT)
        factories.make_interaction(first, advisor, DN, InteractionType.VISIT)
        factories.make_interaction(second, advisor, D1 + 9 * DAY, InteractionType.EVENT)
        factories.make_interaction(quiet, advisor, D1 - DAY, InteractionType.EMAIL)
        factories.make_interaction(quiet, advisor, DN + DAY, InteractionType.MEETING)
        db.session.commit()
    activity = report(app)["activity"]
    assert activity["interactions"] == 4
    assert activity["by_type"] == {"call": 1, "visit": 2, "meeting": 0, "email": 0, "event": 1}
    assert activity["companies_contacted"] == 2


def test_coverage_counts_interactions_from_dn_minus_89_to_dn(app, advisor):
    with app.app_context():
        dates = {
            "window start": DN - 89 * DAY,  # 1 January: in
            "day before the window": DN - 90 * DAY,  # 31 December: out
            "after DN": DN + DAY,  # out
        }
        for name, on in dates.items():
            factories.make_interaction(factories.make_company(name), advisor, on)
        db.session.commit()
    assert report(app)["activity"]["coverage_90d_pct"] == 33.3
    with app.app_context():
        company = db.session.execute(
            db.select(Company).where(Company.legal_name == "after DN")
        ).scalar_one()
        factories.make_interaction(company, advisor, DN)
        db.session.commit()
    assert report(app)["activity"]["coverage_90d_pct"] == 66.7  # 2/3, rounded up


# ------------------------------------------------------------------------------------------
# Health
# ------------------------------------------------------------------------------------------


def test_health_is_the_latest_check_of_the_six_months_m5_to_m(app, advisor):
    with app.app_context():
        edge = factories.make_company("First day of M-5")
        factories.make_health_check(edge, advisor, date(2025, 10, 1), risk_level=RiskLevel.LOW)
        stale = factories.make_company("Last day of M-6")
        factories.make_health_check(stale, advisor, date(2025, 9, 30), risk_level=RiskLevel.LOW)
        newer = factories.make_company("Newer check after DN")
        factories.make_health_check(newer, advisor, DN, risk_level=RiskLevel.MEDIUM)
        factories.make_health_check(newer, advisor, DN + DAY, risk_level=RiskLevel.CRITICAL)
        tie = factories.make_company("Two checks on one day")
        factories.make_health_check(tie, advisor, D1, risk_level=RiskLevel.CRITICAL)
        factories.make_health_check(tie, advisor, D1, risk_level=RiskLevel.HIGH)  # higher id
        older = factories.make_company("Older and newer check in the window")
        factories.make_health_check(older, advisor, D1 - 40 * DAY, risk_level=RiskLevel.CRITICAL)
        factories.make_health_check(older, advisor, D1 + DAY, risk_level=RiskLevel.LOW)
        again = factories.make_company("Checked again on DN")
        factories.make_health_check(again, advisor, D1, risk_level=RiskLevel.CRITICAL)
        factories.make_health_check(again, advisor, DN, risk_level=RiskLevel.LOW)
        db.session.commit()
    health = report(app)["health"]
    assert health["companies_assessed"] == 5
    assert health["risk"] == {"low": 3, "medium": 1, "high": 1, "critical": 0}


def test_risk_and_liquidity_leave_unanswered_fields_out(app, advisor):
    with app.app_context():
        answers = [
            {"risk_level": RiskLevel.HIGH, "liquidity": Liquidity.TIGHT},
            {"risk_level": RiskLevel.HIGH},
            {"liquidity": Liquidity.CRITICAL},
            {},
        ]
        for i, fields in enumerate(answers):
            factories.make_health_check(factories.make_company(f"C{i}"), advisor, DN, **fields)
        db.session.commit()
    health = report(app)["health"]
    assert health["companies_assessed"] == 4
    assert health["risk"] == {"low": 0, "medium": 0, "high": 2, "critical": 0}
    assert health["liquidity"] == {"good": 0, "adequate": 0, "tight": 1, "critical": 1}
    assert health["balances"] == dict.fromkeys(["turnover", "orders", "employment", "outlook"])
    assert health["short_time_work_pct"] is None


def test_balances_and_short_time_work_round_half_away_from_zero(app, advisor):
    # 16 answers: 1/16 is 6.25 %, which float rounding would turn into 6.2.
    with app.app_context():
        for i in range(16):
            factories.make_health_check(
                factories.make_company(f"Company {i:02d}"),
                advisor,
                D1 + i * DAY,
                turnover_trend=Trend.UP if i == 0 else Trend.STABLE,
                orders_trend=Trend.DOWN if i == 0 else Trend.STABLE,
                employment_trend=Trend.UP if i < 3 else Trend.STABLE,
                short_time_work={0: True, 1: False, 2: False}.get(i),
            )
        unanswered = factories.make_company("Nothing answered")
        factories.make_health_check(unanswered, advisor, DN)
        db.session.commit()
    health = report(app)["health"]
    assert health["companies_assessed"] == 17
    assert health["balances"] == {
        "turnover": 6.3, "orders": -6.3, "employment": 18.8, "outlook": None
    }  # fmt: skip
    assert health["short_time_work_pct"] == 33.3


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(49, 400, 12.3), (-49, 400, -12.3), (2, 3, 66.7), (-2, 3, -66.7), (1, 8, 12.5), (0, 5, 0.0)],
)
def test_percentages_round_the_exact_ratio_half_away_from_zero(numerator, denominator, expected):
    assert figures._pct(numerator, denominator) == expected


def test_balance_counts_up_minus_down_over_answers(app, advisor):
    with app.app_context():
        trends = [Trend.UP, Trend.DOWN, Trend.DOWN, Trend.STABLE, None]
        for i, trend in enumerate(trends):
            company = factories.make_company(f"Company {i}")
            factories.make_health_check(company, advisor, DN, outlook=trend)
        db.session.commit()
    assert report(app)["health"]["balances"]["outlook"] == -25.0  # (1 - 2) / 4


def test_risk_change_compares_the_ends_of_m_and_m_minus_1(app, advisor):
    feb = date(2026, 2, 10)
    levels = {
        "Worsened": (RiskLevel.LOW, RiskLevel.CRITICAL),
        "Improved": (RiskLevel.HIGH, RiskLevel.MEDIUM),
        "Unchanged": (RiskLevel.MEDIUM, RiskLevel.MEDIUM),
        "No risk answer in M": (RiskLevel.LOW, None),
        "No risk answer in M-1": (None, RiskLevel.HIGH),
    }
    with app.app_context():
        for name, (before, now) in levels.items():
            company = factories.make_company(name)
            factories.make_health_check(company, advisor, feb, risk_level=before)
            factories.make_health_check(company, advisor, D1, risk_level=now)
        same_check = factories.make_company("One check for both months")
        factories.make_health_check(same_check, advisor, feb, risk_level=RiskLevel.HIGH)
        only_now = factories.make_company("Assessed only at the end of M")
        factories.make_health_check(only_now, advisor, DN, risk_level=RiskLevel.HIGH)
        # Its check is in M-6..M-1 but not in M-5..M: assessed at the end of M-1 only.
        factories.make_health_check(
            factories.make_company("Window moved"), advisor, date(2025, 9, 30),
            risk_level=RiskLevel.HIGH,
        )  # fmt: skip
        db.session.commit()
    assert report(app)["health"]["risk_change"] == {"worsened": 1, "improved": 1, "unchanged": 2}


def test_risk_change_without_data_for_the_previous_month(app, advisor):
    with app.app_context():
        company = factories.make_company()
        factories.make_health_check(company, advisor, D1, risk_level=RiskLevel.HIGH)
        db.session.commit()
    health = report(app)["health"]
    assert health["companies_assessed"] == 1
    assert health["risk_change"] == {"worsened": 0, "improved": 0, "unchanged": 0}


# ------------------------------------------------------------------------------------------
# Needs
# ------------------------------------------------------------------------------------------


def test_needs_identified_in_month_by_category(app, advisor):
    with app.app_context():
        company = factories.make_company()
        factories.make_need(company, "liquidity", D1)
        factories.make_need(company, "liquidity", DN)
        factories.make_need(company, "skills", D1 + 3 * DAY)
        factories.make_need(company, "skills", D1 - DAY)
        factories.make_need(company, "energy-sustainability", DN + DAY)
        db.session.commit()
    needs = report(app)["needs"]
    assert needs["identified"] == {**dict.fromkeys(CATEGORY_SLUGS, 0), "liquidity": 2, "skills": 1}
    assert list(needs["identified"]) == CATEGORY_SLUGS
    assert needs["identified_total"] == 3


def test_needs_resolved_in_month_and_open_at_its_end(app, advisor):
    with app.app_context():
        company = factories.make_company()
        before = D1 - 60 * DAY

        def need(**fields):
            return factories.make_need(company, "investment", fields.pop("on", before), **fields)

        need(resolved_on=D1)  # resolved in M
        need(resolved_on=DN)  # resolved in M
        need(resolved_on=D1 - DAY)  # resolved before M
        need(resolved_on=DN + DAY)  # resolved after M: open at DN
        need(closed_on=DN)  # closed on DN: not open
        need(closed_on=DN + DAY)  # open at DN
        need(on=DN)  # identified on DN: open
        need(on=DN + DAY)  # identified after DN: not open
        need()  # still open
        db.session.commit()
    needs = report(app)["needs"]
    assert needs["resolved"] == 2
    assert needs["open_end"] == 4


# ------------------------------------------------------------------------------------------
# Solutions
# ------------------------------------------------------------------------------------------


def test_solutions_suggested_in_month_by_instrument(app, advisor):
    with app.app_context():
        company = factories.make_company()
        need = factories.make_need(company, "rdi-funding", D1 - 30 * DAY)
        factories.make_solution(need, "COVID-RDI", D1)
        factories.make_solution(need, "COVID-RDI", DN)
        factories.make_solution(need, "Fit 4 Innovation", DN)
        factories.make_solution(need, None, DN, partner="Materalia")
        factories.make_solution(need, "Referral to partner cluster", DN, partner="Skywin")
        factories.make_solution(need, "Horizon Europe", D1 - DAY)
        factories.make_solution(need, "Horizon Europe", DN + DAY)
        archived = factories.make_company("Archived", archived=True)
        factories.make_solution(factories.make_need(archived, "skills", D1), "SNCI loan", D1)
        db.session.commit()
    solutions = report(app)["solutions"]
    assert solutions["suggested"] == 5
    assert solutions["by_instrument"] == {
        "COVID-RDI": 2,
        "Fit 4 Innovation": 1,
        "Referral to partner cluster": 1,
        "Referral: Materalia": 1,
    }


def test_solutions_granted_in_month_with_their_amounts_in_eur(app, advisor):
    with app.app_context():
        company = factories.make_company()
        need = factories.make_need(company, "investment", D1 - 90 * DAY)

        def solution(granted_on: date, amount: str):
            made = factories.make_solution(need, "SNCI loan", D1 - 60 * DAY)
            change_status(made, SolutionStatus.SUBMITTED, D1 - 30 * DAY)
            change_status(made, SolutionStatus.GRANTED, granted_on, amount)
            return made

        solution(D1, "1234.56")
        solution(DN, "0.45")
        twice = solution(D1 + DAY, "100000.00")  # granted, withdrawn and granted again in M
        change_status(twice, SolutionStatus.SUBMITTED, D1 + 2 * DAY)
        change_status(twice, SolutionStatus.GRANTED, D1 + 3 * DAY, "100000.00")
        solution(D1 - DAY, "5000.00")  # granted in February
        solution(DN + DAY, "7000.00")  # granted in April
        closed = factories.make_company("Closed", status=CompanyStatus.CLOSED)
        other = factories.make_solution(factories.make_need(closed, "investment", D1), on=D1)
        change_status(other, SolutionStatus.GRANTED, D1, "999.99")
        db.session.commit()
    solutions = report(app)["solutions"]
    assert solutions["granted"] == 3
    assert solutions["granted_amount_eur"] == 101235.01


def test_solutions_by_instrument_and_status_at_the_end_of_the_month(app, advisor):
    with app.app_context():
        company = factories.make_company()
        need = factories.make_need(company, "investment", D1 - 90 * DAY)
        granted = factories.make_solution(need, "SNCI loan", D1 - 60 * DAY)
        change_status(granted, SolutionStatus.SUBMITTED, D1 - 30 * DAY)
        change_status(granted, SolutionStatus.GRANTED, DN)
        later = factories.make_solution(need, "SNCI loan", D1 - 60 * DAY)
        change_status(later, SolutionStatus.SUBMITTED, DN)
        change_status(later, SolutionStatus.REJECTED, DN + DAY)  # after DN: still submitted
        factories.make_solution(need, None, DN, partner="Skywin")
        factories.make_solution(need, "SNCI loan", DN + DAY)  # suggested after DN
        db.session.commit()
        table = solutions_by_instrument_and_status(MONTH, None)
    statuses = dict.fromkeys((s.value for s in SolutionStatus), 0)
    assert table == {
        "SNCI loan": {**statuses, "submitted": 1, "granted": 1},
        "Referral: Skywin": {**statuses, "suggested": 1},
    }


# ------------------------------------------------------------------------------------------
# Follow-ups
# ------------------------------------------------------------------------------------------


def test_followups_completed_in_month(app, advisor):
    with app.app_context():
        company = factories.make_company()
        for done_on in (D1, DN, D1 - DAY, DN + DAY):
            factories.make_followup(
                company, advisor, D1, status=FollowUpStatus.DONE, done_on=done_on
            )
        factories.make_followup(company, advisor, D1)  # still open
        db.session.commit()
    assert report(app)["followups"]["completed"] == 2


def test_followups_overdue_at_the_end_of_the_month(app, advisor):
    done = FollowUpStatus.DONE
    with app.app_context():
        company = factories.make_company()
        factories.make_followup(company, advisor, DN)  # due on DN, open: overdue
        factories.make_followup(company, advisor, D1 - 50 * DAY)  # long overdue
        factories.make_followup(company, advisor, DN + DAY)  # not due yet
        factories.make_followup(company, advisor, DN, status=done, done_on=DN)  # done in time
        factories.make_followup(company, advisor, D1, status=done, done_on=DN + DAY)  # done later
        factories.make_followup(company, advisor, D1, status=FollowUpStatus.CANCELLED)
        archived = factories.make_company("Archived", archived=True)
        factories.make_followup(archived, advisor, D1)
        db.session.commit()
    assert report(app)["followups"]["overdue_end"] == 3


# ------------------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------------------


def test_events_held_in_month_and_their_portfolio_participants(app, advisor):
    with app.app_context():
        wood = factories.make_cluster("wood")
        space = factories.make_cluster("space")
        member = factories.make_company("Wood member", clusters=[wood])
        outsider = factories.make_company("Space member", clusters=[space])
        archived = factories.make_company("Archived", clusters=[wood], archived=True)
        factories.make_event("Wood first day", D1, cluster=wood, companies=[member, archived])
        factories.make_event("Wood last day", DN, cluster=wood, companies=[member, outsider])
        factories.make_event("Space", D1, cluster=space, companies=[outsider])
        factories.make_event("Agency-wide", DN, companies=[member])
        factories.make_event("Wood, before M", D1 - DAY, cluster=wood, companies=[member])
        factories.make_event("Wood, after M", DN + DAY, cluster=wood)
        ids = wood.id, space.id
        db.session.commit()
    assert report(app)["events"] == {"held": 4, "participating_companies": 2}
    assert report(app, ids[0], scope="wood")["events"] == {"held": 2, "participating_companies": 1}
    assert report(app, ids[1], scope="space")["events"] == {
        "held": 1, "participating_companies": 1
    }  # fmt: skip


# ------------------------------------------------------------------------------------------
# History and the internal list
# ------------------------------------------------------------------------------------------


def test_history_agrees_with_compute_figures_for_each_month(app, advisor):
    trends = [*Trend, None]
    levels = [*RiskLevel, None]
    with app.app_context():
        cluster = factories.make_cluster("wood")
        for i in range(9):
            company = factories.make_company(f"Company {i}", clusters=[cluster] if i % 2 else [])
            for k in range(0, 20, 2 + i % 3):
                on = date(2025, 2, 1) + (17 * k + 5 * i) * DAY
                factories.make_health_check(
                    company, advisor, on,
                    turnover_trend=trends[(i + k) % 4], orders_trend=trends[(2 * i + k) % 4],
                    employment_trend=trends[k % 4], outlook=trends[(i * k) % 4],
                    short_time_work=[True, False, None][(i + k) % 3],
                    risk_level=levels[(i + 2 * k) % 5],
                )  # fmt: skip
        factories.make_health_check(
            factories.make_company("Archived", archived=True), advisor, D1,
            risk_level=RiskLevel.HIGH,
        )  # fmt: skip
        cluster_id = cluster.id
        db.session.commit()
        for scope in (None, cluster_id):
            months = history(MONTH, scope)
            assert [m["month"] for m in months] == [
                f"{2025 + (3 + k) // 12}-{(3 + k) % 12 + 1:02d}" for k in range(12)
            ]
            assert months[0]["month"] == "2025-04" and months[-1]["month"] == MONTH
            assert sum(m["companies_assessed"] for m in months) > 20
            for item in months:
                health = compute_figures(item["month"], scope, scope="x", edition="ministry")[
                    "health"
                ]
                assert item == {
                    "month": item["month"],
                    **{k: health[k] for k in ("companies_assessed", "risk", "balances",
                                              "short_time_work_pct")},
                }  # fmt: skip
        assert len(history("2026-03", None, months=3)) == 3


def test_companies_at_risk_worst_first_with_contact_and_open_needs(app, users, advisor):
    with app.app_context():
        critical = factories.make_company("Zeta Castings", owner_id=advisor)
        factories.make_health_check(critical, advisor, D1, risk_level=RiskLevel.CRITICAL)
        factories.make_interaction(critical, advisor, DN - 3 * DAY)
        factories.make_interaction(critical, advisor, DN + DAY)  # after DN: not the last contact
        factories.make_need(critical, "liquidity", D1 - 10 * DAY)
        factories.make_need(critical, "liquidity", D1)
        factories.make_need(critical, "skills", D1)
        factories.make_need(critical, "investment", D1, resolved_on=DN)
        factories.make_need(critical, "regulation", DN + DAY)
        high = factories.make_company("Alpha Steel")
        factories.make_health_check(high, advisor, D1 - 100 * DAY, risk_level=RiskLevel.HIGH)
        medium_now = factories.make_company("Beta Wood", owner_id=advisor)
        factories.make_health_check(medium_now, advisor, D1, risk_level=RiskLevel.HIGH)
        factories.make_health_check(medium_now, advisor, D1 + DAY, risk_level=RiskLevel.MEDIUM)
        also_high = factories.make_company("Aardvark Tools", owner_id=users["manager"].id)
        factories.make_health_check(also_high, advisor, DN, risk_level=RiskLevel.HIGH)
        closed = factories.make_company("Closed", status=CompanyStatus.CLOSED)
        factories.make_health_check(closed, advisor, DN, risk_level=RiskLevel.CRITICAL)
        ids = critical.id, also_high.id, high.id
        db.session.commit()
        listed = companies_at_risk(MONTH, None)
    assert listed == [
        {"company_id": ids[0], "company": "Zeta Castings", "advisor": "Advisor Tester",
         "risk": "critical", "checked_on": "2026-03-01", "last_contact": "2026-03-28",
         "open_needs": ["Cash and liquidity", "Skills and recruitment"]},
        {"company_id": ids[1], "company": "Aardvark Tools", "advisor": "Manager Tester",
         "risk": "high", "checked_on": "2026-03-31", "last_contact": None, "open_needs": []},
        {"company_id": ids[2], "company": "Alpha Steel", "advisor": None, "risk": "high",
         "checked_on": "2025-11-21", "last_contact": None, "open_needs": []},
    ]  # fmt: skip
    json.dumps(listed)
