"""An advisor edits a company and reads its History; an admin searches the audit trail."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_log_contact import no_accessibility_violations, sign_in
from tracker.companies import services as company_services
from tracker.extensions import db
from tracker.models import User

CASTINGS = "Moselle Precision Castings S.à r.l."


def make_company(app, advisor_id: int) -> int:
    """A company created through the service, so that its creation is in the audit trail."""
    with app.app_context():
        advisor = db.session.get(User, advisor_id)
        details = company_services.CompanyDetails(
            legal_name=CASTINGS, employees=40, locality="Esch-sur-Alzette", owner=advisor
        )
        company = company_services.create_company(details, actor=advisor)
        db.session.commit()
        return company.id


def test_an_advisor_reads_what_changed_in_the_history(
    app, live_server, users, page: Page, screenshot
):
    company_id = make_company(app, users["advisor"].id)
    sign_in(page, live_server.url, "advisor@example.lu")
    page.goto(f"{live_server.url}/companies/{company_id}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Employees").fill("55")
    page.get_by_label("Locality").fill("Differdange")
    page.get_by_role("button", name="Save company").click()
    expect(page.get_by_role("heading", name=CASTINGS)).to_be_visible()

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name=f"History of {CASTINGS}")).to_be_visible()
    latest = page.get_by_role("listitem").filter(has_text="Updated").first
    expect(latest).to_contain_text("Advisor Tester")
    employees = latest.get_by_role("row", name="Employees")
    expect(employees.get_by_role("cell").nth(0)).to_have_text("40")
    expect(employees.get_by_role("cell").nth(1)).to_have_text("55")
    locality = latest.get_by_role("row", name="Locality")
    expect(locality).to_contain_text("Esch-sur-Alzette")
    expect(locality).to_contain_text("Differdange")
    # The older entry, the creation, comes below.
    expect(page.get_by_role("listitem").filter(has_text="Created")).to_contain_text("Owner")
    screenshot("history-company")
    no_accessibility_violations(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, "admin@example.lu")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Audit trail").first.click()
    page.get_by_role("searchbox").fill("differdange")
    page.get_by_role("button", name="Search", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Differdange")
    screenshot("audit-search")
    no_accessibility_violations(page)

    # A bad filter: a message on the form, and still no violations.
    page.goto(f"{live_server.url}/admin/audit?date_from=31/12/2026&type=company")
    expect(page.get_by_role("alert")).to_contain_text("Some filters are not valid")
    expect(page.get_by_text("Enter a date like 2026-11-27.")).to_be_visible()
    screenshot("audit-search-bad-filter")
    no_accessibility_violations(page)

    rows_link = page.get_by_role("link", name="Clear filters")
    rows_link.click()
    page.get_by_role("link", name=f"Company #{company_id}").first.click()
    expect(page.get_by_role("heading", name=f"History of {CASTINGS}")).to_be_visible()
