"""The workload's totals kept per advisor (tracker/pipeline/totals.py: contacts per day and
advisor, open follow-ups per due date and assignee, portfolio and open needs and solutions per
owner) stay equal to what the records say, whichever way they change, in the same transaction;
the workload read from them equals the one worked out from the records."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests import factories
from tracker import dates
from tracker.companies import services as companies
from tracker.extensions import db
from tracker.followups import services as followups
from tracker.interactions import services as interactions
from tracker.models import (
    CompanyStatus,
    InteractionType,
    SolutionStatus,
    User,
    workload_contacts,
    workload_followups,
    workload_owners,
)
from tracker.pipeline import queries, totals
from tracker.support import services as support

TODAY = dates.today()
AGENCY = queries.Scope()


def no_stale_rows() -> bool:
    return totals.stale(db.session.connection()) == {
        "workload_owners": [],
        "workload_contacts": [],
        "workload_followups": [],
    }


def contacts_of(advisor_id: int) -> dict[date, int]:
    table = workload_contacts.c
    rows = db.session.execute(
        sa.select(table.day, table.contacts).where(table.advisor_id == advisor_id)
    )
    return dict(rows.all())


def owner_row(owner_key: int) -> tuple | None:
    table = workload_owners.c
    row = db.session.execute(
        sa.select(table.companies, table.open_needs, table.open_solutions).where(
            table.owner_key == owner_key
        )
    ).one_or_none()
    return tuple(row) if row else None


def open_followups(assignee_id: int) -> dict[date, int]:
    table = workload_followups.c
    rows = db.session.execute(
        sa.select(table.day, table.open).where(table.assignee_id == assignee_id)
    )
    return dict(rows.all())


def test_contacts_follow_logging_moving_archiving_and_the_company(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        company = factories.make_company("Contacts Totals S.A.", owner_id=advisor.id)
        before = TODAY - timedelta(days=3)
        first = interactions.log_interaction(
            company=company, occurred_on=before, type=InteractionType.CALL, actor=advisor
        )
        interactions.log_interaction(
            company=company, occurred_on=before, type=InteractionType.VISIT, actor=advisor
        )
        db.session.commit()
        assert contacts_of(advisor.id) == {before: 2}

        # Moved to another day: both days are rewritten.
        interactions.update_interaction(
            first,
            occurred_on=TODAY,
            type=InteractionType.CALL,
            summary="",
            people=[],
            actor=advisor,
        )
        db.session.commit()
        assert contacts_of(advisor.id) == {before: 1, TODAY: 1}

        interactions.archive_interaction(first, actor=advisor)
        db.session.commit()
        assert contacts_of(advisor.id) == {before: 1}
        interactions.restore_interaction(first, actor=advisor)
        db.session.commit()
        assert contacts_of(advisor.id) == {before: 1, TODAY: 1}

        # A company leaving the portfolio takes its contacts with it, and brings them back.
        companies.archive_company(company, actor=manager)
        db.session.commit()
        assert contacts_of(advisor.id) == {}
        companies.restore_company(company, actor=manager)
        db.session.commit()
        assert contacts_of(advisor.id) == {before: 1, TODAY: 1}
        company.status = CompanyStatus.CLOSED
        db.session.commit()
        assert contacts_of(advisor.id) == {}
        assert no_stale_rows()


def test_owner_rows_follow_companies_needs_and_solutions(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        company = factories.make_company("Owner Totals S.A.", owner_id=advisor.id)
        db.session.commit()
        assert owner_row(advisor.id) == (1, 0, 0)

        need = support.identify_need(
            company=company,
            category=factories.category("liquidity"),
            identified_on=TODAY - timedelta(days=5),
            actor=advisor,
        )
        aid = support.suggest_solution(
            need=need,
            suggested_on=TODAY - timedelta(days=4),
            actor=advisor,
            instrument=factories.instrument("COVID-RDI"),
        )
        db.session.commit()
        assert owner_row(advisor.id) == (1, 1, 1)
        support.change_solution_status(aid, SolutionStatus.GRANTED, on=TODAY, actor=advisor)
        db.session.commit()
        assert owner_row(advisor.id) == (1, 1, 0)

        # Handed over to the manager: the advisor's row goes, the manager's comes.
        company.owner = manager
        db.session.commit()
        assert owner_row(advisor.id) is None
        assert owner_row(manager.id) == (1, 1, 0)
        company.owner = None
        db.session.commit()
        assert owner_row(manager.id) is None
        assert owner_row(totals.NOBODY) == (1, 1, 0)
        companies.archive_company(company, actor=manager)
        db.session.commit()
        assert owner_row(totals.NOBODY) is None
        assert no_stale_rows()


def test_an_owner_of_closed_companies_only_has_no_workload(app, users):
    """Their row counts the companies list's total (closed ones are listed), not the workload."""
    with app.app_context():
        former = db.session.get(
            User, factories.make_user(email="former@example.lu", name="Former Advisor").id
        )
        former.active = False
        company = factories.make_company("Closed Totals S.A.", owner_id=former.id)
        company.status = CompanyStatus.CLOSED
        db.session.commit()
        assert owner_row(former.id) == (0, 0, 0)
        for kept in (True, False):
            names = [row.name for row in queries.workload(AGENCY, TODAY, TODAY, kept=kept)]
            assert "Former Advisor" not in names, kept
        company.status = CompanyStatus.ACTIVE
        db.session.commit()
        rows = queries.workload(AGENCY, TODAY, TODAY)
        assert [row.portfolio for row in rows if row.name == "Former Advisor"] == [1]
        assert no_stale_rows()


def test_open_follow_ups_by_due_date_and_assignee(app, users):
    with app.app_context():
        advisor = db.session.get(User, users["advisor"].id)
        manager = db.session.get(User, users["manager"].id)
        company = factories.make_company("Follow-up Totals S.A.", owner_id=advisor.id)
        late = TODAY - timedelta(days=2)
        call = followups.create_followup(
            company=company, title="Call", due_on=late, assignee=advisor, actor=manager
        )
        db.session.commit()
        assert open_followups(advisor.id) == {late: 1}
        followups.reschedule_followup(call, TODAY + timedelta(days=1), actor=manager)
        db.session.commit()
        assert open_followups(advisor.id) == {TODAY + timedelta(days=1): 1}
        followups.complete_followup(call, on=TODAY, actor=manager)
        db.session.commit()
        assert open_followups(advisor.id) == {}
        followups.reopen_followup(call, actor=manager)
        db.session.commit()
        assert open_followups(advisor.id) == {TODAY + timedelta(days=1): 1}
        followups.cancel_followup(call, actor=manager)
        db.session.commit()
        assert open_followups(advisor.id) == {}
        assert no_stale_rows()


def test_a_rolled_back_change_leaves_the_rows_as_they_were(app, users):
    with app.app_context():
        advisor_id = users["advisor"].id
        company = factories.make_company("Rollback Totals S.A.", owner_id=advisor_id)
        db.session.commit()
        factories.make_interaction(company, advisor_id, TODAY)
        assert contacts_of(advisor_id) == {TODAY: 1}  # flushed: kept in the same transaction
        db.session.rollback()
        assert contacts_of(advisor_id) == {}
        assert no_stale_rows()


def test_imported_companies_count_for_their_owner(app, runner, tmp_path, users):
    path = tmp_path / "companies.csv"
    email = users["advisor"].email
    path.write_text(
        f"name,locality,owner_email\nImported Totals S.A.,Esch,{email}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "companies", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert owner_row(users["advisor"].id) == (1, 0, 0)
        assert no_stale_rows()


def test_a_row_written_past_the_orm_is_reported_stale_and_refreshed(app, users):
    with app.app_context():
        factories.make_company("Stale Totals S.A.", owner_id=users["advisor"].id)
        db.session.commit()
        db.session.execute(workload_owners.update().values(companies=7))
        found = totals.stale(db.session.connection())
        assert found["workload_owners"] == sorted(
            {(users["advisor"].id, 7, 0, 0, 1), (users["advisor"].id, 1, 0, 0, 1)}
        )
        totals.refresh(db.session.connection())
        assert no_stale_rows()


def test_the_agency_workload_from_the_totals_equals_the_one_worked_out(app):
    """Every figure of the agency's workload, today and at an earlier date, read from what is
    kept and worked out from the records."""
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(40, 800)
        db.session.commit()
        assert no_stale_rows()
        for as_of in (TODAY, TODAY - timedelta(days=45)):
            kept = queries.workload(AGENCY, as_of, TODAY)
            worked_out = queries.workload(AGENCY, as_of, TODAY, kept=False)
            assert kept == worked_out
        rows = queries.workload(AGENCY, TODAY, TODAY)
        for figure in ("portfolio", "contacts", "open_needs", "open_solutions", "overdue"):
            assert sum(getattr(row, figure) for row in rows) > 0, figure


def test_the_agency_page_by_name_equals_the_whole_workload_cut_in_pages(app, users):
    """The manager's first view reads the page's advisors only: each page, and the total, are
    those of the whole list; a former advisor with companies and the companies nobody owns
    are listed as in the whole list."""
    from tracker.demo.volume import seed_volume

    with app.app_context():
        seed_volume(40, 800)
        former = db.session.get(User, factories.make_user(email="f@example.lu", name="Zed").id)
        factories.make_company("Former's S.A.", owner_id=former.id)
        former.active = False
        factories.make_company("Nobody's S.A.")
        db.session.commit()
        whole = queries.workload(AGENCY, TODAY, TODAY)
        assert any(row.name == "Zed" for row in whole) and whole[-1].user_id is None
        per_page = 2
        pages = -(-len(whole) // per_page)
        assert pages > 2
        for number in range(1, pages + 1):
            with app.test_request_context(f"/pipeline/workload?page={number}"):
                page, total = queries.workload_page(TODAY, per_page)
            assert page.items == whole[(number - 1) * per_page : number * per_page], number
            assert page.total == len(whole)
            assert total == queries.workload_total(whole)
