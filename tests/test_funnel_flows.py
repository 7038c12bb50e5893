"""The funnel's flows kept per day (tracker/pipeline/flows.py) give the figures worked out from
the records, for any period and for the agency, an instrument or a need category; a solution
with several days of one status in a period counts once; the rows follow every change."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests import factories
from tracker import dates
from tracker.companies import services as companies
from tracker.extensions import db
from tracker.models import SolutionStatus, User
from tracker.pipeline import flows, queries
from tracker.pipeline.filters import PRESETS, preset_period
from tracker.support import services as support

TODAY = dates.today()
AGENCY = queries.Scope()


def figures(scope: queries.Scope, first: date, last: date, kept: bool) -> list[tuple]:
    rows, total = queries.funnel(scope, first, last, kept=kept)
    return [
        (
            row.instrument,
            row.suggested,
            row.submitted,
            row.granted,
            row.requested_eur,
            row.granted_eur,
            row.decided,
            row.median_days,
        )
        for row in [*rows, total]
    ]


def same_both_ways(scope: queries.Scope, first: date, last: date) -> bool:
    return figures(scope, first, last, kept=True) == figures(scope, first, last, kept=False)


def no_stale_rows() -> bool:
    return flows.stale(db.session.connection()) == {"funnel_days": [], "funnel_repeats": []}


def test_the_kept_funnel_equals_the_one_worked_out_for_any_period_and_scope(app):
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(60, 1_500)
        db.session.commit()
        assert no_stale_rows()
        periods = [preset_period(preset, TODAY) for preset in PRESETS]
        periods += [(TODAY - timedelta(days=400), TODAY), (TODAY, TODAY)]
        periods += [
            (TODAY - timedelta(days=days + 20), TODAY - timedelta(days=days))
            for days in (7, 45, 120)
        ]
        instrument = factories.instrument("COVID-RDI")
        category = factories.category("liquidity")
        for first, last in periods:
            for scope in (
                AGENCY,
                queries.Scope(instrument_id=instrument.id),
                queries.Scope(category_id=category.id),
            ):
                assert same_both_ways(scope, first, last), (scope, first, last)
        _rows, total = queries.funnel(AGENCY, TODAY - timedelta(days=400), TODAY)
        assert total.suggested > 0 and total.granted > 0 and total.decided > 0


def test_a_solution_submitted_and_granted_twice_counts_once(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Twice Granted S.A.", owner_id=advisor.id)
        need = support.identify_need(
            company=company,
            category=factories.category("investment"),
            identified_on=TODAY - timedelta(days=30),
            actor=advisor,
        )
        aid = support.suggest_solution(
            need=need,
            suggested_on=TODAY - timedelta(days=29),
            actor=advisor,
            instrument=factories.instrument("COVID-RDI"),
            amount_requested=Decimal("1000.00"),
        )
        steps = [
            (SolutionStatus.SUBMITTED, 20),
            (SolutionStatus.IN_PREPARATION, 18),
            (SolutionStatus.SUBMITTED, 15),
            (SolutionStatus.GRANTED, 10),
            (SolutionStatus.SUBMITTED, 8),
            (SolutionStatus.GRANTED, 5),
        ]
        for status, days_ago in steps:
            support.change_solution_status(
                aid,
                status,
                on=TODAY - timedelta(days=days_ago),
                actor=advisor,
                amount_granted=Decimal("500.00") if status is SolutionStatus.GRANTED else None,
            )
            db.session.commit()
        assert no_stale_rows()
        month = (TODAY - timedelta(days=29), TODAY)
        (row, *_), _total = queries.funnel(AGENCY, *month)
        assert (row.suggested, row.submitted, row.granted) == (1, 1, 1)
        assert row.requested_eur == Decimal("1000.00") and row.granted_eur == Decimal("500.00")
        assert (row.decided, row.median_days) == (1, 24)  # the latest decision in the period
        # Periods holding some of the days only, and none.
        for first, last in [(20, 16), (15, 9), (9, 6), (10, 10), (4, 0), (29, 21)]:
            period = (TODAY - timedelta(days=first), TODAY - timedelta(days=last))
            assert same_both_ways(AGENCY, *period), period
        (row, *_), _total = queries.funnel(
            AGENCY, TODAY - timedelta(days=15), TODAY - timedelta(days=9)
        )
        assert (row.submitted, row.granted, row.decided, row.median_days) == (1, 1, 1, 19)


def test_a_company_leaving_the_portfolio_takes_its_flows_and_brings_them_back(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        company = factories.make_company("Leaving Flows S.A.", owner_id=advisor.id)
        need = support.identify_need(
            company=company,
            category=factories.category("liquidity"),
            identified_on=TODAY - timedelta(days=3),
            actor=advisor,
        )
        support.suggest_solution(
            need=need,
            suggested_on=TODAY - timedelta(days=2),
            actor=advisor,
            partner="Chamber of Commerce",
        )
        db.session.commit()
        period = (TODAY - timedelta(days=10), TODAY)
        assert figures(AGENCY, *period, kept=True)[0][:2] == ("Referral: Chamber of Commerce", 1)
        companies.archive_company(company, actor=manager)
        db.session.commit()
        assert figures(AGENCY, *period, kept=True) == figures(AGENCY, *period, kept=False)
        assert queries.funnel(AGENCY, *period)[1].suggested == 0
        companies.restore_company(company, actor=manager)
        db.session.commit()
        assert queries.funnel(AGENCY, *period)[1].suggested == 1
        assert no_stale_rows()


def test_a_rolled_back_suggestion_leaves_no_row(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Rolled Back Flows S.A.", owner_id=advisor.id)
        db.session.commit()
        need = support.identify_need(
            company=company,
            category=factories.category("liquidity"),
            identified_on=TODAY,
            actor=advisor,
        )
        support.suggest_solution(
            need=need,
            suggested_on=TODAY,
            actor=advisor,
            instrument=factories.instrument("COVID-RDI"),
        )
        db.session.flush()
        assert queries.funnel(AGENCY, TODAY, TODAY)[1].suggested == 1
        db.session.rollback()
        assert queries.funnel(AGENCY, TODAY, TODAY)[1].suggested == 0
        assert no_stale_rows()
