"""An advisor works through their follow-ups, moves a solution to granted, and looks at events."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tracker.extensions import db
from tracker.models import (
    Cluster,
    FollowUp,
    FollowUpStatus,
    NeedStatus,
    Solution,
    SolutionStatus,
)

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def fixed_today(monkeypatch):
    # The live server runs in this process: the patched date is the one it uses.
    monkeypatch.setattr("tracker.dates.today", lambda: TODAY)


@pytest.fixture
def pipeline(app, users, fixed_today) -> dict[str, int]:
    advisor = users["advisor"].id
    with app.app_context():
        cluster = db.session.scalars(db.select(Cluster)).one()
        company = factories.make_company(
            "Moselle Precision Castings S.à r.l.", owner_id=advisor, clusters=[cluster]
        )
        other = factories.make_company("Ardennes Wood Works", owner_id=advisor)
        need = factories.make_need(
            company,
            "rdi-funding",
            on=TODAY - timedelta(days=40),
            owner_id=advisor,
            status=NeedStatus.IN_PROGRESS,
            description="A new alloy for aeronautics parts; the R&D budget is short.",
        )
        solution = factories.make_solution(
            need, "National R&D aid", on=TODAY - timedelta(days=30), amount_requested=Decimal(80000)
        )
        solution.changes[0].changed_by_id = advisor
        factories.make_solution(need, None, on=TODAY - timedelta(days=10), partner="Materalia")
        followups = {
            "overdue": ("Send the signed NDA", TODAY - timedelta(days=3), company, need),
            "today": ("Call the CFO about the bank loan", TODAY, other, None),
            "week": ("Check the R&D application draft", date(2026, 11, 29), company, need),
            "later": ("Visit the new press line", date(2026, 12, 14), other, None),
        }
        ids = {}
        for key, (title, due, where, for_need) in followups.items():
            ids[key] = factories.make_followup(
                where, advisor, due=due, title=title, need=for_need, created_by_id=advisor
            ).id
        factories.make_followup(
            other,
            advisor,
            due=TODAY - timedelta(days=5),
            title="Send the Fit 4 Digital brochure",
            status=FollowUpStatus.DONE,
            done_on=TODAY - timedelta(days=2),
        )
        webinar = factories.make_event(
            "Webinar: energy prices and hedging",
            on=TODAY - timedelta(days=6),
            cluster=cluster,
            partners="Materalia\nEnterprise Europe Network",
        )
        site = factories.make_event(
            "Workshop: additive manufacturing",
            on=TODAY - timedelta(days=40),
            format=factories.EventFormat.ON_SITE,
            partners="MecaTech",
        )
        anne = factories.make_person(company, "Anne Schmit", job_title="CEO")
        webinar.companies = [company, other]
        webinar.people = [anne]
        site.companies = [company]
        db.session.commit()
        ids.update(need=need.id, solution=solution.id, event=webinar.id)
    return ids


def no_accessibility_violations(page) -> None:
    """axe-core (WCAG 2.1 AA) finds nothing on the page."""
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-name")).to_be_visible()


def test_advisor_works_through_follow_ups_and_grants_a_solution(
    app, live_server, users, pipeline, page, screenshot
):
    sign_in(page, live_server, "advisor@example.lu")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My follow-ups")
    groups = {
        "overdue": "Send the signed NDA",
        "today": "Call the CFO about the bank loan",
        "this-week": "Check the R&D application draft",
        "later": "Visit the new press line",
    }
    for group, title in groups.items():
        expect(page.get_by_test_id(f"group-{group}")).to_contain_text(title)
    expect(page.get_by_test_id("group-overdue")).to_contain_text("3 days overdue")
    screenshot("followups")
    no_accessibility_violations(page)

    # Mark the overdue one done: it leaves the list for "Recently completed".
    page.get_by_role("button", name="Done: Send the signed NDA").click()
    expect(page.get_by_role("alert")).to_contain_text("Done: Send the signed NDA.")
    expect(page.get_by_test_id("group-overdue")).to_have_count(0)
    expect(page.get_by_test_id(f"done-{pipeline['overdue']}")).to_contain_text("25 Nov 2026")

    # Reschedule the later one into this week.
    page.get_by_label("New due date for Visit the new press line").fill("2026-11-27")
    page.get_by_role("button", name="Reschedule: Visit the new press line").click()
    expect(page.get_by_role("alert")).to_contain_text("is now due 27 Nov 2026")
    expect(page.get_by_test_id("group-this-week")).to_contain_text("Visit the new press line")
    expect(page.get_by_test_id("group-later")).to_have_count(0)
    with app.app_context():
        followup = db.session.get(FollowUp, pipeline["later"])
        assert followup.due_on == date(2026, 11, 27)
        assert db.session.get(FollowUp, pipeline["overdue"]).status is FollowUpStatus.DONE

    # The calendar link.
    page.get_by_role("button", name="Create my calendar link").click()
    expect(page.get_by_label("Your private calendar address")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/calendar/[\w-]+\.ics$")
    )

    # The need, with its solutions and their history.
    page.goto(f"{live_server.url}/needs/{pipeline['need']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("R&D and innovation funding")
    expect(page.get_by_test_id("need-status")).to_have_text("In progress")
    expect(page.get_by_role("link", name="Referral: Materalia", exact=True)).to_be_visible()
    screenshot("need-detail")
    no_accessibility_violations(page)

    # Move the solution to granted with an amount.
    page.get_by_role("link", name="Change the status of National R&D aid").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("National R&D aid")
    page.get_by_label("New status").select_option("granted")
    page.get_by_label("Date", exact=True).fill("2026-11-24")
    page.get_by_label("Amount granted").fill("72.500,50")
    page.get_by_label("Note").fill("Decision letter of the ministry")
    page.get_by_role("button", name="Record the change").click()
    expect(page.get_by_role("alert")).to_contain_text("National R&D aid is now granted.")
    expect(page.get_by_test_id("solution-status")).to_have_text("Granted")
    expect(page.get_by_test_id("amount-granted")).to_have_text("€72,500.50")
    expect(page.get_by_test_id("amount-requested")).to_have_text("€80,000.00")
    history = page.get_by_test_id("history")
    expect(history.get_by_role("listitem")).to_have_count(2)
    expect(history).to_contain_text("24 Nov 2026")
    expect(history).to_contain_text("Decision letter of the ministry")
    expect(history).to_contain_text("Advisor Tester")
    screenshot("solution-detail")
    no_accessibility_violations(page)

    # A wrong amount is explained under its field.
    page.get_by_label("Amount granted").fill("lots")
    page.get_by_role("button", name="Record the change").click()
    expect(page.get_by_text("Enter an amount in euros")).to_be_visible()
    with app.app_context():
        solution = db.session.get(Solution, pipeline["solution"])
        assert solution.status is SolutionStatus.GRANTED
        assert solution.amount_granted == Decimal("72500.50")


def test_advisor_browses_events(live_server, users, pipeline, page, screenshot):
    sign_in(page, live_server, "advisor@example.lu")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Webinar: energy prices and hedging")
    expect(rows.first).to_contain_text("Materalia, Enterprise Europe Network")
    screenshot("events-list")
    no_accessibility_violations(page)

    page.get_by_role("link", name="Webinar: energy prices and hedging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinar: energy prices and hedging")
    expect(page.get_by_role("table")).to_contain_text("Anne Schmit")
    screenshot("event-detail")
    no_accessibility_violations(page)

    page.get_by_role("link", name="Manage participants").click()
    page.get_by_label("Search companies by name").fill("zzz")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No company that is not archived")).to_be_visible()
    screenshot("event-participants")
    no_accessibility_violations(page)
