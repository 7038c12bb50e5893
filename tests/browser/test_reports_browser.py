"""A manager generates last month's report, writes the summary, finalises and downloads it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import Cluster, InteractionType, Liquidity, RiskLevel, Trend
from tracker.reports.data import month_label
from tracker.reports.figures import previous_month

LAST_MONTH = previous_month(today().strftime("%Y-%m"))


@pytest.fixture
def last_month_data(app, users) -> None:
    """A dozen companies of the materials cluster with contacts, health checks and needs dated
    in the last month, so that the report has something to show."""
    first = date.fromisoformat(f"{LAST_MONTH}-01")
    advisor = users["advisor"].id
    risks = (
        [RiskLevel.LOW] * 5 + [RiskLevel.MEDIUM] * 4 + [RiskLevel.HIGH] * 2 + [RiskLevel.CRITICAL]
    )
    trends = [Trend.UP, Trend.STABLE, Trend.DOWN]
    with app.app_context():
        cluster = db.session.scalar(db.select(Cluster))
        for i, risk in enumerate(risks):
            company = factories.make_company(
                f"Company {i:02d} S.A.", owner_id=advisor, clusters=[cluster]
            )
            day = first + timedelta(days=i)
            factories.make_interaction(
                company, advisor, day, InteractionType.VISIT if i % 3 else InteractionType.CALL
            )
            factories.make_health_check(
                company,
                advisor,
                day,
                risk_level=risk,
                liquidity=Liquidity.GOOD if i % 2 else Liquidity.TIGHT,
                turnover_trend=trends[i % 3],
                orders_trend=trends[(i + 1) % 3],
                employment_trend=Trend.STABLE,
                outlook=trends[i % 2],
                short_time_work=i % 4 == 0,
            )
            need = factories.make_need(company, ["liquidity", "investment", "skills"][i % 3], day)
            if i % 2:
                factories.make_solution(need, "Fit 4 Digital", day)
        db.session.commit()


def no_accessibility_violations(page) -> None:
    """axe-core (WCAG 2.1 AA) finds nothing on the page."""
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def test_manager_generates_writes_finalises_and_downloads(
    live_server, users, last_month_data, page, screenshot, tmp_path
):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("manager@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("No report yet")).to_be_visible()
    expect(page.get_by_label("Month")).to_have_value(LAST_MONTH)
    no_accessibility_violations(page)

    page.get_by_label("Edition").select_option("ministry")
    page.get_by_role("button", name="Generate draft").click()
    label = month_label(LAST_MONTH)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"All clusters, {label}")
    expect(page.get_by_role("alert")).to_contain_text("Draft ready")
    expect(page.get_by_role("figure").first).to_be_visible()

    page.get_by_label("Text of the executive summary").fill(
        "Orders held up in the materials cluster.\n\nTwo suppliers need cash: see page 3."
    )
    page.get_by_role("button", name="Save summary").click()
    expect(page.get_by_role("alert")).to_contain_text("Summary saved.")
    expect(page.get_by_label("Text of the executive summary")).to_have_value(
        "Orders held up in the materials cluster.\n\nTwo suppliers need cash: see page 3."
    )
    no_accessibility_violations(page)
    screenshot("report-preview")

    page.get_by_role("button", name="Finalise").click()
    expect(page.get_by_role("alert")).to_contain_text("Report finalised")
    expect(page.get_by_text("Final", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Save summary")).to_have_count(0)
    expect(page.get_by_text("Two suppliers need cash: see page 3.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"sector-health-all-{LAST_MONTH}-ministry-en.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Reports").first.click()
    row = page.get_by_test_id("report-archive").get_by_role("row").nth(1)
    expect(row).to_contain_text(label)
    expect(row).to_contain_text("Final")
    expect(row).to_contain_text("Manager Tester")
    no_accessibility_violations(page)
    screenshot("reports-archive")
    assert re.search(r"/reports$", page.url)


def test_a_report_in_french_previews_in_french_on_an_english_page(
    live_server, users, last_month_data, page, screenshot
):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("manager@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/reports")
    language = page.get_by_label("Language of the report")
    expect(language).to_have_value("en")  # the language the manager reads the app in
    language.select_option(label="Français")
    page.get_by_role("button", name="Generate draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Draft ready")
    expect(page.get_by_role("alert")).to_contain_text("Français")

    preview = page.locator("article.report-preview")
    expect(preview).to_have_attribute("lang", "fr")
    expect(preview.get_by_role("heading", name="Chiffres clés", exact=True)).to_be_visible()
    expect(preview.get_by_role("heading", name="Définitions", exact=True)).to_be_visible()
    # The page itself, and the summary form in the preview, stay in the manager's language.
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.get_by_label("Text of the executive summary")).to_be_visible()
    no_accessibility_violations(page)
    screenshot("report-preview-fr")
