"""A manager reviews the pipeline: moves a card to granted and finds it on the company's page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import Cluster, SolutionStatus, SolutionStatusChange


def _no_accessibility_violations(page) -> None:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def _sign_in(page, live_server, email: str, password: str = factories.PASSWORD) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _submitted_application(app, users) -> int:
    """A company of the advisor with an R&D application submitted 12 days ago."""
    on = today()
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster))
        company = factories.make_company(
            "Capellen Composites S.A.", owner_id=users["advisor"].id, clusters=[cluster]
        )
        need = factories.make_need(company, "rdi-funding", on - timedelta(days=60))
        solution = factories.make_solution(
            need, "National R&D aid", on - timedelta(days=50), amount_requested=Decimal("120000")
        )
        solution.changes.append(
            SolutionStatusChange(
                from_status=SolutionStatus.SUGGESTED,
                to_status=SolutionStatus.SUBMITTED,
                changed_on=on - timedelta(days=12),
            )
        )
        solution.status = SolutionStatus.SUBMITTED
        other = factories.make_company("Wiltz Wood Works", owner_id=users["manager"].id)
        factories.make_solution(factories.make_need(other, "skills", on - timedelta(days=40)))
        db.session.commit()
        return company.id


def test_a_manager_moves_a_card_to_granted_and_sees_it_on_the_timeline(
    live_server, app, users, page, screenshot
):
    company_id = _submitted_application(app, users)
    _sign_in(page, live_server, users["manager"].email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    submitted = page.locator('[data-column="submitted"]')
    card = submitted.locator("article").filter(has_text="Capellen Composites S.A.")
    expect(card).to_contain_text("€120,000.00 requested")
    expect(card).to_contain_text("12 days in status")
    _no_accessibility_violations(page)

    # Dropping the card on "Granted" opens its form with that status chosen, nothing saved yet.
    card.drag_to(page.locator('[data-column="granted"]'))
    expect(card.get_by_label("New status")).to_have_value("granted")
    expect(card.get_by_label("Amount granted (EUR)")).to_be_focused()
    card.get_by_label("Amount granted (EUR)").fill("95 000")
    card.get_by_role("button", name="Move", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(
        "National R&D aid for Capellen Composites S.A. is now granted: €95,000.00."
    )
    granted = page.locator('[data-column="granted"]')
    expect(granted.locator("article").filter(has_text="Capellen Composites S.A.")).to_contain_text(
        "€95,000.00 granted"
    )
    expect(submitted).not_to_contain_text("Capellen Composites S.A.")
    screenshot("pipeline-board-moved")

    granted.get_by_role("link", name="Capellen Composites S.A.").click()
    expect(page).to_have_url(re.compile(rf"/companies/{company_id}$"))
    expect(page.locator(".timeline")).to_contain_text(
        "National R&D aid: submitted → granted, €95,000.00"
    )


def test_a_card_moves_without_a_mouse(live_server, app, users, page):
    _submitted_application(app, users)
    _sign_in(page, live_server, users["manager"].email)
    page.goto(f"{live_server.url}/pipeline")
    card = page.locator('[data-column="submitted"] article')
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    card.get_by_label("New status").select_option("rejected")
    card.get_by_label("Date").fill((today() - timedelta(days=1)).isoformat())
    card.get_by_role("button", name="Move", exact=True).press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("is now rejected.")
    expect(page.locator('[data-column="rejected"]')).to_contain_text("Capellen Composites S.A.")


def test_pipeline_views_on_the_demo_data(live_server, app, page, screenshot):
    from tracker.demo.seed import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
    _sign_in(page, live_server, "sandra.kremer@demo.lu", "demo-password-manager")

    page.goto(f"{live_server.url}/pipeline")
    expect(page.locator('[data-column="suggested"] article').first).to_be_visible()
    screenshot("pipeline-board")

    page.get_by_role("link", name="Workload").click()
    expect(page.get_by_role("table")).to_contain_text("Laurent Schmit")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Portfolio")
    screenshot("pipeline-workload")
    _no_accessibility_violations(page)

    page.get_by_role("link", name="Funnel").click()
    page.get_by_role("link", name="This year").click()
    expect(page.locator('[data-testid="funnel-total"]')).to_contain_text("Total")
    screenshot("pipeline-funnel")
    _no_accessibility_violations(page)

    page.get_by_role("link", name="Unaddressed needs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    screenshot("pipeline-unaddressed")
    _no_accessibility_violations(page)

    page.get_by_role("link", name="Coverage").click()
    page.get_by_label("Cluster", exact=True).select_option(label="Wood")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"cluster=wood"))
    screenshot("pipeline-coverage")
    _no_accessibility_violations(page)
