"""An advisor logs a contact from the keyboard, with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import SCREENSHOTS
from tracker.dates import today
from tracker.extensions import db
from tracker.models import FollowUp, HealthCheck, Interaction, Need, RiskLevel, Solution

CASTINGS = "Moselle Precision Castings S.à r.l."


def make_companies(app) -> int:
    with app.app_context():
        castings = factories.make_company(
            CASTINGS, rcs_number="B123456", locality="Esch-sur-Alzette"
        )
        factories.make_company("Moselle Wood Works", rcs_number="B654321", locality="Wiltz")
        factories.make_person(castings, "Anne Schmit", job_title="CFO")
        factories.make_person(castings, "Marc Weber", job_title="Plant manager")
        db.session.commit()
        return castings.id


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_test_id("user-name")).to_be_visible()


def no_accessibility_violations(page: Page) -> None:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


def test_log_a_contact_with_the_keyboard(app, live_server, users, page, screenshot):
    company_id = make_companies(app)
    sign_in(page, live_server.url, "advisor@example.lu")
    page.goto(f"{live_server.url}/interactions/new")
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()
    screenshot("log-contact-empty")
    no_accessibility_violations(page)

    # The company field has the focus: type part of the name, pick with the arrow keys.
    company = page.get_by_role("combobox", name="Company")
    expect(company).to_be_focused()
    company.press_sequentially("precis", delay=40)
    expect(page.get_by_role("option", name=re.compile("Moselle Precision"))).to_be_visible()
    company.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(company).to_have_attribute("aria-expanded", "false")
    company.press("ArrowDown")  # opens the suggestions again, on the first one
    expect(company).to_have_attribute("aria-activedescendant", "company-option-0")
    screenshot("log-contact-search")
    company.press("Enter")
    expect(company).to_have_value(CASTINGS)
    expect(page.get_by_role("listbox")).to_be_hidden()

    page.get_by_label("Anne Schmit · CFO").check()
    page.get_by_label("Summary").fill("Site visit: the automotive orders collapsed.")

    page.get_by_text("Health check", exact=True).click()
    page.get_by_role("group", name="Turnover", exact=True).get_by_text("Down").click()
    page.get_by_role("group", name="Order book", exact=True).get_by_text("Down").click()
    page.get_by_role("group", name="Liquidity", exact=True).get_by_text("Tight").click()
    risk = page.get_by_role("group", name="Risk level", exact=True)
    risk.get_by_text("Unknown").click()
    page.keyboard.press("ArrowRight")  # radio buttons move with the arrow keys
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.get_by_label("Loss of key customer").check()

    page.evaluate("window.noReload = true")
    page.locator("#needs-0-category").select_option(label="Cash and liquidity")
    page.locator("#needs-0-description").fill("Bridge the next two quarters.")
    page.locator("#needs-0-solutions-0-instrument").select_option(label="COVID-RDI")
    page.locator("#needs-0-solutions-0-amount_requested").fill("120 000")
    page.get_by_role("button", name="Add another need").click()
    expect(page.locator("#needs-1-category")).to_be_focused()
    page.locator("#needs-1-category").select_option(label="Partners and supply chain")
    page.locator("#needs-1-solutions-0-partner").fill("Materalia")
    assert page.evaluate("window.noReload") is True  # the row was added without a reload

    page.get_by_label("Next step").fill("Send the COVID-RDI form")
    screenshot("log-contact-filled")

    # Enter in a text field saves; without a due date the follow-up is refused.
    page.get_by_label("Next step").press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("The contact was not saved.")
    expect(page.get_by_text("Give the follow-up a due date.").last).to_be_visible()
    expect(page.locator("#needs-1-solutions-0-partner")).to_have_value("Materalia")
    expect(page.get_by_label("Anne Schmit · CFO")).to_be_checked()
    screenshot("log-contact-errors")
    no_accessibility_violations(page)

    page.get_by_label("Due on").fill((today() + timedelta(days=7)).isoformat())
    page.get_by_label("Next step").press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text(f"Contact with {CASTINGS} logged.")

    with app.app_context():
        interaction = db.session.scalars(sa.select(Interaction)).one()
        assert interaction.company_id == company_id
        assert [p.name for p in interaction.people] == ["Anne Schmit"]
        check = db.session.scalars(sa.select(HealthCheck)).one()
        assert check.risk_level is RiskLevel.HIGH
        assert check.risk_reasons == ["key_customer_loss"]
        assert db.session.scalar(sa.select(sa.func.count(Need.id))) == 2
        partners = db.session.scalars(sa.select(Solution.partner).order_by(Solution.id)).all()
        assert partners == [None, "Materalia"]
        assert db.session.scalars(sa.select(FollowUp.title)).one() == "Send the COVID-RDI form"

    # The contact's page shows it all; its author may change it and archive it.
    page.goto(f"{live_server.url}/interactions/{interaction.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Call with {CASTINGS}")
    expect(page.get_by_text("Materalia")).to_be_visible()
    screenshot("contact-detail")
    no_accessibility_violations(page)
    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#contact-health")).to_have_attribute("open", "")
    page.get_by_label("Summary").fill("Site visit, with the plant manager.")
    screenshot("contact-edit")
    no_accessibility_violations(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").first).to_contain_text("Changes to the contact saved.")
    page.get_by_role("link", name="Archive").click()
    expect(page.get_by_text("2 needs identified at it stay with the company.")).to_be_visible()
    page.get_by_role("button", name="Archive this contact").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"The contact with {CASTINGS} is")
    with app.app_context():
        # Archived, not deleted: hidden from the app's reads, still in the table.
        assert db.session.scalar(sa.select(sa.func.count(Interaction.id))) == 0
        assert db.session.execute(sa.text("SELECT archived FROM interactions")).scalar() in (
            1,
            True,
        )
        assert db.session.scalar(sa.select(sa.func.count(Need.id))) == 2
    # The company page lists it among the archived contacts, where its author restores it.
    page.get_by_role("link", name="Archived contacts (1)").click()
    screenshot("contact-archived-list")
    no_accessibility_violations(page)
    page.get_by_role("button", name=re.compile("^Restore Call on")).click()
    expect(page.get_by_role("alert").first).to_contain_text("is restored")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Interaction.id))) == 1


def test_log_a_contact_without_javascript(app, live_server, users, browser):
    make_companies(app)
    # A tablet held upright, as during a site visit.
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 768, "height": 1024}, locale="en-GB"
    )
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "advisor@example.lu")
        page.goto(f"{live_server.url}/interactions/new")
        page.get_by_label("Company", exact=True).fill("moselle")
        page.get_by_role("button", name="Find the company and its people").click()
        # Two companies match: the form asks which one.
        page.get_by_label("Which company do you mean?").select_option(
            label=f"{CASTINGS} — Esch-sur-Alzette, B123456"
        )
        page.get_by_role("button", name="Find the company and its people").click()
        expect(page.get_by_label("Company", exact=True)).to_have_value(CASTINGS)
        page.get_by_label("Marc Weber · Plant manager").check()

        page.locator("#needs-0-category").select_option(label="Investment financing")
        page.locator("#needs-0-solutions-0-instrument").select_option(label="SNCI loan")
        page.locator("#needs-0-solutions-0-amount_requested").fill("250.000,00")
        page.get_by_role("button", name="Add a solution to need 1").click()
        expect(page.locator("#needs-0-solutions-1-instrument")).to_be_focused()
        page.locator("#needs-0-solutions-1-partner").fill("MecaTech")
        page.get_by_role("button", name="Add another need").click()
        expect(page.locator("#needs-1-category")).to_be_focused()
        expect(page.locator("#needs-0-solutions-0-amount_requested")).to_have_value("250.000,00")
        page.locator("#needs-1-category").select_option(label="Skills and recruitment")
        page.locator("#needs-1-description").fill("Two CNC operators.")
        page.get_by_label("Next step").fill("Visit the new line")
        page.get_by_label("Due on").fill((today() + timedelta(days=30)).isoformat())
        page.screenshot(path=str(SCREENSHOTS / "log-contact-no-javascript.png"), full_page=True)

        page.locator("#needs-0-solutions-1-partner").press("Enter")
        expect(page.get_by_role("alert").first).to_contain_text(f"Contact with {CASTINGS} logged.")
    finally:
        context.close()

    with app.app_context():
        interaction = db.session.scalars(sa.select(Interaction)).one()
        assert [p.name for p in interaction.people] == ["Marc Weber"]
        assert db.session.scalar(sa.select(sa.func.count(HealthCheck.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Need.id))) == 2
        solutions = db.session.execute(
            sa.select(Solution.partner, Solution.amount_requested).order_by(Solution.id)
        ).all()
        assert [s.partner for s in solutions] == [None, "MecaTech"]
        assert str(solutions[0].amount_requested) == "250000.00"
