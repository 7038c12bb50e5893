"""A report reads its two months' health and its history from one HealthSeries: the same
figures as computing each month on its own."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tests import factories
from tracker.extensions import db
from tracker.models import Liquidity, RiskLevel, Trend
from tracker.reports import figures
from tracker.reports.data import HISTORY_MONTHS, build_report_data

MONTH = "2026-03"


def test_the_series_gives_what_each_month_gives_alone(app, users):
    rng = random.Random(7)
    advisor = users["advisor"].id
    with app.app_context():
        for n in range(12):
            company = factories.make_company(f"Company {n:02d}")
            day = date(2025, 1, 5) + timedelta(days=rng.randrange(40))
            while day <= date(2026, 4, 20):
                factories.make_health_check(
                    company,
                    advisor,
                    day,
                    risk_level=rng.choice([*RiskLevel, None]),
                    liquidity=rng.choice([*Liquidity, None]),
                    turnover_trend=rng.choice([*Trend, None]),
                    short_time_work=rng.choice([True, False, None]),
                )
                day += timedelta(days=rng.choice([3, 20, 45, 90, 200]))
        db.session.commit()

        series = figures.HealthSeries(MONTH, None, HISTORY_MONTHS)
        assert series.history() == figures.history(MONTH, None, months=HISTORY_MONTHS)
        for month in (MONTH, figures.previous_month(MONTH)):
            alone = figures.compute_figures(month, None, scope="all", edition="internal")
            together = figures.compute_figures(
                month, None, scope="all", edition="internal", series=series
            )
            assert together == alone
            assert sum(alone["health"]["risk_change"].values()) > 0  # the data has changes
        data = build_report_data(MONTH, None, "internal")
        assert data["history"] == figures.history(MONTH, None, months=HISTORY_MONTHS)
