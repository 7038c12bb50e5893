"""The report's health figures read from the kept health spans (tracker/reports/spans.py) equal
those worked out company by company from the checks, for every cluster and for one, whichever
way the checks and the companies change; the rows follow in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tracker import dates
from tracker.companies import services as companies
from tracker.extensions import db
from tracker.interactions import services as interactions
from tracker.interactions.services import HealthAnswers
from tracker.models import (
    Cluster,
    Company,
    CompanyStatus,
    HealthCheck,
    InteractionType,
    RiskLevel,
    User,
    health_spans,
)
from tracker.reports import figures, spans

TODAY = dates.today()
MONTH = f"{TODAY.year:04d}-{TODAY.month:02d}"
MONTHS = 12
RANK = {level: n for n, level in enumerate(RiskLevel)}


def no_stale_rows() -> bool:
    return spans.stale(db.session.connection()) == []


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def worked_out(cluster_id: int | None) -> tuple[list[tuple], dict[str, int]]:
    """Per month of the series, (assessed, counts by risk), and the risk changes of the last
    month, company by company from the checks (DESIGN.md section 5), in Python."""
    query = sa.select(Company).where(
        Company.archived.is_(False), Company.status != CompanyStatus.CLOSED
    )
    if cluster_id is not None:
        query = query.where(Company.clusters.any(Cluster.id == cluster_id))
    portfolio = {company.id for company in db.session.scalars(query)}
    checks: dict[int, list[HealthCheck]] = {}
    for check in db.session.scalars(
        sa.select(HealthCheck).order_by(HealthCheck.checked_on, HealthCheck.id)
    ):
        if check.company_id in portfolio:
            checks.setdefault(check.company_id, []).append(check)

    def health_at(first: date) -> dict[int, HealthCheck]:
        last = _shift(first, 1) - timedelta(days=1)
        oldest = _shift(first, -5)
        latest = {}
        for company_id, theirs in checks.items():
            within = [c for c in theirs if oldest <= c.checked_on <= last]
            if within:
                latest[company_id] = within[-1]
        return latest

    current = date(TODAY.year, TODAY.month, 1)
    series = []
    for k in range(MONTHS):
        latest = health_at(_shift(current, k - MONTHS + 1))
        risks = tuple(
            sum(1 for c in latest.values() if c.risk_level is level) for level in RiskLevel
        )
        series.append((len(latest), risks))
    now, before = health_at(current), health_at(_shift(current, -1))
    changes = {"worsened": 0, "improved": 0, "unchanged": 0}
    for company_id, check in now.items():
        earlier = before.get(company_id)
        if earlier is None or check.risk_level is None or earlier.risk_level is None:
            continue
        move = RANK[check.risk_level] - RANK[earlier.risk_level]
        changes["worsened" if move > 0 else "improved" if move < 0 else "unchanged"] += 1
    return series, changes


def read_from_spans(cluster_id: int | None) -> tuple[list[tuple], dict[str, int]]:
    series = figures.HealthSeries(MONTH, cluster_id, MONTHS)
    months = [
        (item["companies_assessed"], tuple(item["risk"][level.value] for level in RiskLevel))
        for item in series.history()
    ]
    first = date(TODAY.year, TODAY.month, 1)
    return months, series.health(first)["risk_change"]


def agree(*cluster_ids: int | None) -> bool:
    return all(read_from_spans(c) == worked_out(c) for c in (None, *cluster_ids))


def log(company: Company, advisor: User, days_ago: int, risk: RiskLevel | None, **answers):
    return interactions.log_interaction(
        company=company,
        occurred_on=TODAY - timedelta(days=days_ago),
        type=InteractionType.CALL,
        actor=advisor,
        health=HealthAnswers(risk_level=risk, **answers),
    )


def revise(interaction, advisor: User, days_ago: int, health: HealthAnswers | None = None):
    """The contact moved to `days_ago`, its check's answers replaced by `health` (None: kept)."""
    interactions.revise_interaction(
        interaction,
        occurred_on=TODAY - timedelta(days=days_ago),
        type=InteractionType.CALL,
        summary="",
        people=[],
        health=health,
        actor=advisor,
    )


def committed_and_agreeing(*cluster_ids: int) -> bool:
    db.session.commit()
    return agree(*cluster_ids) and no_stale_rows()


def test_the_volume_generator_leaves_rows_that_agree_with_the_checks(app):
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(60, 1_500)
        db.session.commit()
        assert no_stale_rows()
        cluster_ids = db.session.scalars(sa.select(Cluster.id)).all()
        series, changes = worked_out(None)
        assert series[-1][0] > 20 and sum(changes.values()) > 5, (series, changes)
        assert agree(*cluster_ids)


def test_the_rows_follow_checks_logged_moved_changed_archived_and_emptied(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        wood = factories.make_cluster("wood")
        company = factories.make_company("Spans Joinery S.A.", clusters=[wood])
        other = factories.make_company("Spans Sawmill S.A.", clusters=[wood])
        db.session.commit()
        assert (
            agree(wood.id)
            and db.session.scalar(sa.select(sa.func.count(health_spans.c.scope))) == 0
        )

        old = log(company, advisor, 75, RiskLevel.LOW, liquidity=None)
        log(other, advisor, 40, RiskLevel.MEDIUM)
        db.session.commit()
        latest = log(company, advisor, 0, RiskLevel.HIGH)
        assert committed_and_agreeing(wood.id)

        # Moved back in time, before the older check; then its answers change.
        revise(latest, advisor, 80)
        assert committed_and_agreeing(wood.id)
        revise(latest, advisor, 20, HealthAnswers(risk_level=RiskLevel.CRITICAL))
        assert committed_and_agreeing(wood.id)

        # Archived with its contact, restored; emptied (the check is archived).
        interactions.archive_interaction(old, actor=advisor)
        assert committed_and_agreeing(wood.id)
        interactions.restore_interaction(old, actor=advisor)
        assert committed_and_agreeing(wood.id)
        revise(latest, advisor, 20, HealthAnswers())
        assert committed_and_agreeing(wood.id)
        assert read_from_spans(None)[0][-1][0] == 2


def test_the_rows_follow_a_company_through_the_portfolio_and_its_clusters(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        wood, metal = factories.make_cluster("wood"), factories.make_cluster("metal", "Metal")
        company = factories.make_company("Moving Spans S.A.", clusters=[wood])
        log(company, advisor, 100, RiskLevel.MEDIUM)
        log(company, advisor, 10, RiskLevel.LOW)
        db.session.commit()
        assert read_from_spans(wood.id)[0][-1][0] == 1 and read_from_spans(metal.id)[0][-1][0] == 0

        company.clusters = [metal]
        db.session.commit()
        assert read_from_spans(wood.id)[0][-1][0] == 0 and read_from_spans(metal.id)[0][-1][0] == 1
        assert agree(wood.id, metal.id) and no_stale_rows()

        companies.archive_company(company, actor=manager)
        db.session.commit()
        assert read_from_spans(None)[0][-1][0] == 0
        assert agree(wood.id, metal.id) and no_stale_rows()
        companies.restore_company(company, actor=manager)
        db.session.commit()
        assert read_from_spans(None)[0][-1][0] == 1
        company.status = CompanyStatus.CLOSED
        db.session.commit()
        assert read_from_spans(None)[0][-1][0] == 0
        assert agree(wood.id, metal.id) and no_stale_rows()


def test_a_new_company_and_its_checks_in_one_flush_and_a_move_between_companies(app, users):
    with app.app_context():
        advisor_id = users["advisor"].id
        wood, metal = factories.make_cluster("wood"), factories.make_cluster("metal", "Metal")
        first = Company(legal_name="New Spans S.A.", clusters=[wood])
        check = HealthCheck(
            company=first, recorded_by_id=advisor_id, checked_on=TODAY, risk_level=RiskLevel.HIGH
        )
        db.session.add_all([first, check])
        db.session.commit()
        assert read_from_spans(None)[0][-1] == (1, (0, 0, 1, 0))
        assert read_from_spans(wood.id)[0][-1] == (1, (0, 0, 1, 0))
        second = factories.make_company("Other Spans S.A.", clusters=[metal])
        check.company = second  # recorded against the wrong company, moved
        db.session.commit()
        assert read_from_spans(wood.id)[0][-1][0] == 0
        assert read_from_spans(metal.id)[0][-1] == (1, (0, 0, 1, 0))
        check.company_id = first.id  # and back, by its key
        db.session.commit()
        assert read_from_spans(wood.id)[0][-1][0] == 1 and read_from_spans(metal.id)[0][-1][0] == 0
        assert agree(wood.id, metal.id) and no_stale_rows()
        db.session.delete(check)
        db.session.commit()
        assert read_from_spans(None)[0][-1][0] == 0 and no_stale_rows()


def test_a_risk_change_needs_the_health_of_the_month_before(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        first = date(TODAY.year, TODAY.month, 1)
        stale_one = factories.make_company("Long Silence S.A.")
        factories.make_health_check(
            stale_one, advisor.id, _shift(first, -7), risk_level=RiskLevel.LOW
        )
        factories.make_health_check(stale_one, advisor.id, first, risk_level=RiskLevel.HIGH)
        db.session.commit()
        # Not assessed at the end of last month (its check is 7 months old): no change.
        assert read_from_spans(None)[1] == {"worsened": 0, "improved": 0, "unchanged": 0}
        followed = factories.make_company("Close Watch S.A.")
        factories.make_health_check(
            followed, advisor.id, _shift(first, -1), risk_level=RiskLevel.LOW
        )
        factories.make_health_check(followed, advisor.id, first, risk_level=RiskLevel.HIGH)
        steady = factories.make_company("Steady S.A.")
        factories.make_health_check(steady, advisor.id, _shift(first, -2), risk_level=RiskLevel.LOW)
        calmer = factories.make_company("Calmer S.A.")
        factories.make_health_check(
            calmer, advisor.id, _shift(first, -3), risk_level=RiskLevel.HIGH
        )
        factories.make_health_check(calmer, advisor.id, first, risk_level=RiskLevel.MEDIUM)
        db.session.commit()
        assert read_from_spans(None)[1] == {"worsened": 1, "improved": 1, "unchanged": 1}
        assert agree() and no_stale_rows()


def test_a_rolled_back_check_leaves_no_row(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Rolled Back Spans S.A.")
        db.session.commit()
        log(company, advisor, 0, RiskLevel.CRITICAL)
        db.session.flush()
        assert read_from_spans(None)[0][-1][0] == 1
        db.session.rollback()
        assert read_from_spans(None)[0][-1][0] == 0 and no_stale_rows()
