"""The main journey of an advisor's day, end to end in the browser.

Sign in, find a company by typing part of its name, log a call with a health check, two needs, a
solution and a follow-up, see all of it on the company's timeline and the follow-up on /followups,
and mark it done.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_log_contact import CASTINGS, make_companies, sign_in
from tracker.dates import today


def test_log_a_call_then_follow_it_up(app, live_server, users, page, screenshot):
    company_id = make_companies(app)
    sign_in(page, live_server.url, "advisor@example.lu")

    # Find the company by typing part of its name.
    page.get_by_role("link", name="Companies").click()
    search = page.get_by_role("searchbox").first
    search.fill("precision")
    search.press("Enter")
    page.get_by_role("link", name=CASTINGS).click()
    expect(page).to_have_url(f"{live_server.url}/companies/{company_id}")
    page.get_by_role("main").get_by_role("link", name="Log a contact").first.click()

    # The form opens on that company: log the call with everything learnt.
    expect(page.get_by_role("combobox", name="Company")).to_have_value(CASTINGS)
    page.get_by_label("Summary").fill("Call with the CFO: the automotive orders collapsed.")
    page.get_by_text("Health check", exact=True).click()
    page.get_by_role("group", name="Turnover", exact=True).get_by_text("Down").click()
    page.get_by_role("group", name="Risk level", exact=True).get_by_text("High").click()
    page.locator("#needs-0-category").select_option(label="Cash and liquidity")
    page.locator("#needs-0-solutions-0-instrument").select_option(label="COVID-Invest")
    page.locator("#needs-0-solutions-0-amount_requested").fill("80 000")
    page.get_by_role("button", name="Add another need").click()
    page.locator("#needs-1-category").select_option(label="New markets and diversification")
    page.get_by_label("Next step").fill("Send the COVID-Invest application form")
    page.get_by_label("Due on").fill((today() + timedelta(days=3)).isoformat())
    page.get_by_label("Next step").press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text(f"Contact with {CASTINGS} logged.")

    # All of it is on the company's story.
    page.goto(f"{live_server.url}/companies/{company_id}")
    timeline = page.locator("#timeline, .timeline").first
    expect(timeline).to_contain_text("Call with the CFO: the automotive orders collapsed.")
    expect(timeline).to_contain_text("Health check-in")
    expect(timeline).to_contain_text("Need identified: Cash and liquidity")
    expect(timeline).to_contain_text("Need identified: New markets and diversification")
    expect(timeline).to_contain_text("COVID-Invest")
    expect(timeline).to_contain_text("Follow-up planned: Send the COVID-Invest application form")
    screenshot("journey-company-timeline")

    # The follow-up waits on /followups, and is marked done there.
    page.get_by_role("link", name="Follow-ups").click()
    row = page.get_by_role("row", name=re.compile("Send the COVID-Invest application form"))
    expect(row).to_contain_text("in 3 days")
    screenshot("journey-followups")
    page.get_by_role("button", name="Done: Send the COVID-Invest application form").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Done: Send the COVID-Invest application form"
    )
    completed = page.locator("section", has_text="Recently completed")
    expect(completed).to_contain_text("Send the COVID-Invest application form")
    page.goto(f"{live_server.url}/companies/{company_id}")
    expect(page.locator("#timeline, .timeline").first).to_contain_text(
        "Follow-up done: Send the COVID-Invest application form"
    )
