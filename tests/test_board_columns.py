"""The board's columns counted per status and day (tracker/pipeline/columns.py) give the counts
worked out from the records, for any period; the rows follow every change of a solution's
status and of its company's place in the portfolio."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests import factories
from tracker import dates
from tracker.companies import services as companies
from tracker.extensions import db
from tracker.models import CompanyStatus, SolutionStatus, User
from tracker.pipeline import columns, queries
from tracker.pipeline.filters import PRESETS, preset_period
from tracker.support import services as support

TODAY = dates.today()
AGENCY = queries.Scope()


def counted(first: date, last: date, kept: bool) -> dict[SolutionStatus, int]:
    return {c.status: c.total for c in queries.board(AGENCY, first, last, TODAY, kept=kept)}


def same_both_ways(first: date, last: date) -> bool:
    return counted(first, last, kept=True) == counted(first, last, kept=False)


def no_stale_rows() -> bool:
    return columns.stale(db.session.connection()) == []


def test_the_kept_columns_equal_those_worked_out_for_any_period(app, monkeypatch):
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(60, 1_500)
        db.session.commit()
        assert no_stale_rows()
        periods = [preset_period(preset, TODAY) for preset in PRESETS]
        periods += [(TODAY - timedelta(days=400), TODAY), (TODAY, TODAY)]
        periods += [
            (TODAY - timedelta(days=days + 20), TODAY - timedelta(days=days)) for days in (7, 120)
        ]
        for first, last in periods:
            assert same_both_ways(first, last), (first, last)
        whole = counted(TODAY - timedelta(days=400), TODAY, kept=True)
        assert all(whole[status] > 0 for status in SolutionStatus), whole
        # Over the cap, both say "more than the cap".
        monkeypatch.setattr(queries, "BOARD_COUNT_CAP", 3)
        for first, last in periods:
            assert same_both_ways(first, last), (first, last)
        assert set(counted(TODAY - timedelta(days=400), TODAY, kept=True).values()) == {4}


def _suggested(company_name: str, advisor: User, days_ago: int):
    company = factories.make_company(company_name, owner_id=advisor.id)
    need = support.identify_need(
        company=company,
        category=factories.category("investment"),
        identified_on=TODAY - timedelta(days=days_ago + 1),
        actor=advisor,
    )
    solution = support.suggest_solution(
        need=need,
        suggested_on=TODAY - timedelta(days=days_ago),
        actor=advisor,
        instrument=factories.instrument("COVID-RDI"),
        amount_requested=Decimal("1000.00"),
    )
    return company, solution


def test_the_columns_follow_a_solution_through_its_statuses(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        _company, solution = _suggested("Moving Card S.A.", advisor, 40)
        db.session.commit()
        this_month = preset_period("this-month", TODAY)
        last_year = (TODAY - timedelta(days=365), TODAY)
        assert counted(*this_month, kept=True)[SolutionStatus.SUGGESTED] == 1
        steps = [
            (SolutionStatus.SUBMITTED, 30),
            (SolutionStatus.IN_PREPARATION, 25),
            (SolutionStatus.SUBMITTED, 20),
            (SolutionStatus.GRANTED, 0),
        ]
        for status, days_ago in steps:
            support.change_solution_status(
                solution,
                status,
                on=TODAY - timedelta(days=days_ago),
                actor=advisor,
                amount_granted=Decimal("800.00") if status is SolutionStatus.GRANTED else None,
            )
            db.session.commit()
            shown = counted(*last_year, kept=True)
            assert shown[status] == 1 and sum(shown.values()) == 1, (status, shown)
            assert same_both_ways(*this_month) and same_both_ways(*last_year)
        # Granted today: in this month's column, not in one of a period that ended before.
        assert (
            counted(TODAY - timedelta(days=60), TODAY - timedelta(days=1), kept=True)[
                SolutionStatus.GRANTED
            ]
            == 0
        )
        assert no_stale_rows()


def test_a_company_leaving_the_portfolio_takes_its_cards_and_brings_them_back(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        company, _solution = _suggested("Leaving Cards S.A.", advisor, 3)
        db.session.commit()
        period = preset_period("this-month", TODAY)
        assert counted(*period, kept=True)[SolutionStatus.SUGGESTED] == 1
        companies.archive_company(company, actor=manager)
        db.session.commit()
        assert counted(*period, kept=True)[SolutionStatus.SUGGESTED] == 0
        companies.restore_company(company, actor=manager)
        db.session.commit()
        assert counted(*period, kept=True)[SolutionStatus.SUGGESTED] == 1
        company.status = CompanyStatus.CLOSED  # a closed company leaves the portfolio too
        db.session.commit()
        assert counted(*period, kept=True)[SolutionStatus.SUGGESTED] == 0
        assert same_both_ways(*period) and no_stale_rows()


def test_a_rolled_back_suggestion_leaves_no_row(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        _suggested("Rolled Back Card S.A.", advisor, 0)
        db.session.flush()
        assert counted(TODAY, TODAY, kept=True)[SolutionStatus.SUGGESTED] == 1
        db.session.rollback()
        assert counted(TODAY, TODAY, kept=True)[SolutionStatus.SUGGESTED] == 0
        assert no_stale_rows()
