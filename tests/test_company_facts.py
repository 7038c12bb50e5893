"""Each company's facts row (tracker/companies/facts.py: latest contact, latest assessed risk,
next open follow-up) stays equal to what its records say, whichever way they change, in the
same transaction; the companies list filters and sorts on it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tracker import dates
from tracker.companies import facts
from tracker.companies import services as company_services
from tracker.companies.queries import CompanyFilters, companies_query
from tracker.extensions import db
from tracker.followups import services as followups
from tracker.interactions import services as interactions
from tracker.interactions.services import HealthAnswers
from tracker.maintenance import purge
from tracker.models import (
    Company,
    CompanyStatus,
    InteractionType,
    NeedStatus,
    RiskLevel,
    SolutionStatus,
    User,
    company_facts,
)
from tracker.support import services as support

TODAY = dates.today()


def facts_of(company_id: int) -> tuple:
    row = db.session.execute(
        sa.select(
            company_facts.c.last_contact_on,
            company_facts.c.latest_risk,
            company_facts.c.next_followup_on,
        ).where(company_facts.c.company_id == company_id)
    ).one()
    return tuple(row)


def no_stale_rows() -> bool:
    return facts.stale(db.session.connection()) == []


def test_a_new_company_has_an_empty_row(app):
    with app.app_context():
        company = factories.make_company("Empty Facts S.A.")
        db.session.commit()
        assert facts_of(company.id) == (None, None, None)
        assert no_stale_rows()


def test_logging_editing_archiving_and_restoring_contacts(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Contacts Facts S.A.", owner_id=advisor.id)
        older = TODAY - timedelta(days=40)
        first = interactions.log_interaction(
            company=company,
            occurred_on=older,
            type=InteractionType.CALL,
            actor=advisor,
            health=HealthAnswers(risk_level=RiskLevel.HIGH),
        )
        db.session.commit()
        assert facts_of(company.id) == (older, RiskLevel.HIGH, None)

        latest = interactions.log_interaction(
            company=company,
            occurred_on=TODAY - timedelta(days=2),
            type=InteractionType.VISIT,
            actor=advisor,
            health=HealthAnswers(risk_level=RiskLevel.LOW),
        )
        db.session.commit()
        assert facts_of(company.id) == (TODAY - timedelta(days=2), RiskLevel.LOW, None)

        # Moved back in time: the other contact is now the latest.
        interactions.update_interaction(
            latest,
            occurred_on=older - timedelta(days=1),
            type=InteractionType.VISIT,
            summary="",
            people=[],
            actor=advisor,
        )
        db.session.commit()
        assert facts_of(company.id) == (older, RiskLevel.HIGH, None)

        # Archived with its health check: gone from the facts; restored: back.
        interactions.archive_interaction(first, actor=advisor)
        db.session.commit()
        assert facts_of(company.id) == (older - timedelta(days=1), RiskLevel.LOW, None)
        interactions.restore_interaction(first, actor=advisor)
        db.session.commit()
        assert facts_of(company.id) == (older, RiskLevel.HIGH, None)
        assert no_stale_rows()


def test_a_check_without_a_risk_leaves_the_latest_assessed_one(app, users):
    with app.app_context():
        company = factories.make_company("Risk Facts S.A.")
        factories.make_health_check(
            company, users["advisor"].id, TODAY - timedelta(days=9), risk_level=RiskLevel.CRITICAL
        )
        factories.make_health_check(company, users["advisor"].id, TODAY, liquidity=None)
        db.session.commit()
        assert facts_of(company.id)[1] is RiskLevel.CRITICAL
        assert no_stale_rows()


def test_follow_ups_done_cancelled_rescheduled_and_reopened(app, users):
    with app.app_context():
        manager = db.session.get(User, users["manager"].id)
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Follow-up Facts S.A.")
        soon = followups.create_followup(
            company=company,
            title="Call",
            due_on=TODAY + timedelta(days=3),
            assignee=advisor,
            actor=manager,
        )
        later = followups.create_followup(
            company=company,
            title="Visit",
            due_on=TODAY + timedelta(days=20),
            assignee=advisor,
            actor=manager,
        )
        db.session.commit()
        assert facts_of(company.id)[2] == TODAY + timedelta(days=3)
        followups.complete_followup(soon, on=TODAY, actor=manager)
        db.session.commit()
        assert facts_of(company.id)[2] == TODAY + timedelta(days=20)
        followups.reschedule_followup(later, TODAY + timedelta(days=1), actor=manager)
        db.session.commit()
        assert facts_of(company.id)[2] == TODAY + timedelta(days=1)
        followups.cancel_followup(later, actor=manager)
        db.session.commit()
        assert facts_of(company.id)[2] is None
        followups.reopen_followup(soon, actor=manager)
        db.session.commit()
        assert facts_of(company.id)[2] == TODAY + timedelta(days=3)
        assert no_stale_rows()


def test_a_rolled_back_change_leaves_the_row_as_it_was(app, users):
    with app.app_context():
        company = factories.make_company("Rollback Facts S.A.")
        db.session.commit()
        factories.make_interaction(company, users["advisor"].id, TODAY)
        assert facts_of(company.id)[0] == TODAY  # flushed: kept in the same transaction
        db.session.rollback()
        assert facts_of(company.id) == (None, None, None)


def test_the_list_filters_and_sorts_on_the_facts(app, users):
    with app.app_context():
        advisor = users["advisor"].id
        silent_high = factories.make_company("A Silent High S.A.")
        factories.make_interaction(silent_high, advisor, TODAY - timedelta(days=120))
        factories.make_health_check(
            silent_high, advisor, TODAY - timedelta(days=120), risk_level=RiskLevel.HIGH
        )
        recent_high = factories.make_company("B Recent High S.A.")
        factories.make_interaction(recent_high, advisor, TODAY - timedelta(days=5))
        factories.make_health_check(
            recent_high, advisor, TODAY - timedelta(days=5), risk_level=RiskLevel.HIGH
        )
        never = factories.make_company("C Never Contacted S.A.")
        db.session.commit()

        def names(**filters: str) -> list[str]:
            query = companies_query(CompanyFilters(**filters), user_id=advisor, on=TODAY)
            return [c.legal_name for c in db.session.scalars(query).unique()]

        assert names(risk="high") == ["A Silent High S.A.", "B Recent High S.A."]
        assert names(risk="high", silent="90") == ["A Silent High S.A."]
        assert names(silent="90") == ["A Silent High S.A.", "C Never Contacted S.A."]
        assert names(risk="none") == ["C Never Contacted S.A."]
        assert names(sort="-contact") == [
            "B Recent High S.A.",
            "A Silent High S.A.",
            "C Never Contacted S.A.",
        ]
        assert never.id in {c.id for c in db.session.scalars(sa.select(Company))}


def test_purging_a_company_removes_its_row(app, users):
    with app.app_context():
        company = factories.make_company("Purged Facts S.A.")
        factories.make_interaction(company, users["advisor"].id, TODAY)
        company.archived = True
        db.session.commit()
        company_id = company.id
        plan = purge.plan_purge("company", company_id)
        assert "facts rows" in [removal.label for removal in plan.removals]
        purge.purge(plan)
        db.session.commit()
        count = sa.select(sa.func.count()).where(company_facts.c.company_id == company_id)
        assert db.session.scalar(count) == 0


def test_imported_companies_have_rows(app, runner, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("name,locality\nImported Facts S.A.,Esch\n", encoding="utf-8")
    result = runner.invoke(args=["import", "companies", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        company = db.session.scalar(sa.select(Company).where(Company.legal_name.like("Imp%")))
        assert facts_of(company.id) == (None, None, None)
        assert no_stale_rows()


def test_the_volume_generator_leaves_no_stale_row(app):
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(30, 400)
        db.session.commit()
        assert no_stale_rows()
        filled = sa.select(sa.func.count()).where(company_facts.c.last_contact_on.is_not(None))
        assert db.session.scalar(filled) > 0


def test_a_row_written_past_the_orm_is_reported_stale_and_refreshed(app, users):
    with app.app_context():
        company = factories.make_company("Stale Facts S.A.")
        db.session.commit()
        db.session.execute(
            company_facts.update()
            .where(company_facts.c.company_id == company.id)
            .values(latest_risk=RiskLevel.LOW)
        )
        assert facts.stale(db.session.connection()) == [company.id]
        facts.refresh(db.session.connection())
        assert no_stale_rows() and facts_of(company.id) == (None, None, None)


def test_open_needs_and_solutions_follow_their_status(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        company = factories.make_company("Needs Facts S.A.", owner_id=advisor.id)
        cash = support.identify_need(
            company=company,
            category=factories.category("liquidity"),
            identified_on=TODAY - timedelta(days=10),
            actor=advisor,
        )
        digital = support.identify_need(
            company=company,
            category=factories.category("digitalisation"),
            identified_on=TODAY - timedelta(days=10),
            actor=advisor,
        )
        aid = support.suggest_solution(
            need=cash,
            suggested_on=TODAY - timedelta(days=9),
            actor=advisor,
            instrument=factories.instrument("COVID-RDI"),
        )
        db.session.commit()
        assert open_counts(company.id) == (2, 1)
        support.change_solution_status(aid, SolutionStatus.SUBMITTED, on=TODAY, actor=advisor)
        db.session.commit()
        assert open_counts(company.id) == (2, 1)  # submitted is still open
        support.change_solution_status(aid, SolutionStatus.GRANTED, on=TODAY, actor=advisor)
        db.session.commit()
        assert open_counts(company.id) == (2, 0)
        support.change_need_status(digital, NeedStatus.CLOSED_UNRESOLVED, on=TODAY, actor=advisor)
        db.session.commit()
        assert open_counts(company.id) == (1, 0)
        support.change_need_status(digital, NeedStatus.OPEN, on=TODAY, actor=advisor)
        db.session.commit()
        assert open_counts(company.id) == (2, 0)
        assert no_stale_rows()


def open_counts(company_id: int) -> tuple[int, int]:
    row = db.session.execute(
        sa.select(company_facts.c.open_needs, company_facts.c.open_solutions).where(
            company_facts.c.company_id == company_id
        )
    ).one()
    return tuple(row)


def test_todays_workload_from_the_facts_equals_the_one_worked_out(app, users):
    """Today, the workload reads open needs and solutions from the facts rows; at an earlier
    date it works them out from the records: for today both must agree."""
    from tracker.demo.volume import seed_volume
    from tracker.pipeline import queries

    with app.app_context():
        seed_volume(40, 600)
        db.session.commit()
        kept = queries.workload(queries.Scope(), TODAY, TODAY)
        # "Today" a day later: the same date is then read as a past one, from the records.
        worked_out = queries.workload(queries.Scope(), TODAY, TODAY + timedelta(days=1))
        assert sum(row.open_needs for row in kept) > 0
        assert sum(row.open_solutions for row in kept) > 0
        for row, other in zip(kept, worked_out, strict=True):
            assert (row.user_id, row.portfolio, row.open_needs, row.open_solutions) == (
                other.user_id,
                other.portfolio,
                other.open_needs,
                other.open_solutions,
            )


def test_the_rows_follow_the_company_own_name_status_and_archiving(app, users):
    """The facts row carries the company's listed flag, status and sorting name: the risk and
    silence filters and the sorts by contact read them there, right after each change."""
    with app.app_context():
        advisor = users["advisor"].id
        day = TODAY - timedelta(days=100)
        made = {}
        for name in ("Kappa Tools S.A.", "Lambda Tools S.A.", "Mu Tools S.A."):
            made[name] = company = factories.make_company(name)
            factories.make_interaction(company, advisor, day)  # the same day: sorted by name
            factories.make_health_check(company, advisor, day, risk_level=RiskLevel.HIGH)
        db.session.commit()

        def names(**filters: str) -> list[str]:
            query = companies_query(CompanyFilters(**filters), user_id=advisor, on=TODAY)
            return [c.legal_name for c in db.session.scalars(query).unique()]

        assert names(risk="high", silent="90", sort="contact") == [
            "Kappa Tools S.A.",
            "Lambda Tools S.A.",
            "Mu Tools S.A.",
        ]
        mu = made["Mu Tools S.A."]
        company_services.update_company(
            mu,
            company_services.CompanyDetails(legal_name="Alpha Tools S.A.", status=mu.status),
            actor=None,
        )
        company_services.update_company(
            made["Kappa Tools S.A."],
            company_services.CompanyDetails(
                legal_name="Kappa Tools S.A.", status=CompanyStatus.DORMANT
            ),
            actor=None,
        )
        company_services.archive_company(made["Lambda Tools S.A."], actor=None)
        db.session.commit()
        assert no_stale_rows()
        assert names(risk="high", silent="90", sort="-contact") == [
            "Alpha Tools S.A.",
            "Kappa Tools S.A.",
        ]
        assert names(risk="high", status="dormant") == ["Kappa Tools S.A."]
        assert names(risk="high", status="active") == ["Alpha Tools S.A."]
        assert names(risk="high", archived=True, sort="contact") == [
            "Alpha Tools S.A.",
            "Kappa Tools S.A.",
            "Lambda Tools S.A.",
        ]
        company_services.restore_company(made["Lambda Tools S.A."], actor=None)
        db.session.commit()
        assert no_stale_rows()
        assert names(silent="90", risk="high") == [
            "Alpha Tools S.A.",
            "Kappa Tools S.A.",
            "Lambda Tools S.A.",
        ]
