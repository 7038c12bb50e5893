"""The main pages work with the keyboard alone (WCAG 2.1.1): no click, no filled-in locator, only
key presses; the page is read (to know where the focus is) but never touched by the test."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    Cluster,
    FollowUp,
    HealthCheck,
    Interaction,
    InteractionType,
    Need,
    RiskLevel,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
)

CASTINGS = "Moselle Precision Castings S.à r.l."

ACTIVE = """() => {
  const el = document.activeElement;
  const name = el.getAttribute("aria-label") || (el.labels && el.labels[0]
    ? el.labels[0].textContent : el.textContent);
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name.trim().slice(0, 40)}"`;
}"""


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector`, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
        passed.append(page.evaluate(ACTIVE))
    raise AssertionError(f"{limit} × {key} never reached {selector}; last: {passed[-8:]}")


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("selector => document.activeElement.matches(selector)", selector)


def sign_in_with_the_keyboard(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    # The e-mail field has the focus on arrival (waited for: the page may still be settling).
    expect(page.locator("input[name=email]")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-name")).to_be_visible()


def choose_radio(page: Page, group_label: str, answer: str, *, backwards: bool = False) -> None:
    """Tab into a radio group (its checked answer takes the focus) and move with the arrows."""
    group = page.get_by_role("group", name=group_label, exact=True)
    answers = group.get_by_role("radio").evaluate_all(
        "radios => radios.map(radio => radio.labels[0].textContent.trim())"
    )
    checked = group.locator("input:checked").evaluate("radio => radio.labels[0].textContent.trim()")
    name = group.get_by_role("radio").first.get_attribute("name")
    tab_to(page, f"input[type=radio][name='{name}']", backwards=backwards)
    for _ in range((answers.index(answer) - answers.index(checked)) % len(answers)):
        page.keyboard.press("ArrowRight")
    expect(group.get_by_role("radio", name=answer, exact=True)).to_be_checked()


def same_day_and_month(start: date, step: int) -> date:
    """The first date from `start` (going by `step` days) whose day and month are the same
    number, like 11/11: typed in a date field, it reads the same in day-month and month-day
    order, whichever the browser's language puts first."""
    day = start
    while day.day != day.month:
        day += timedelta(days=step)
    return day


def type_date(page: Page, selector: str, day: date) -> None:
    """Type a date in the focused date field. A date field has several stops (its parts and its
    calendar button) and Shift+Tab enters it by the last: leave it backwards and come in again
    with Tab, on its first part, then type the digits."""
    assert day.day == day.month, "see same_day_and_month"
    for _ in range(5):
        if not focused(page, selector):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert focused(page, selector)
    page.keyboard.type(day.strftime("%d%m%Y"))


def test_log_a_contact_with_the_keyboard_alone(app: Flask, live_server, users, page: Page) -> None:
    with app.app_context():
        cluster = db.session.scalars(sa.select(Cluster)).one()
        company = factories.make_company(
            CASTINGS,
            owner_id=users["advisor"].id,
            clusters=[cluster],
            rcs_number="B123456",
            locality="Esch-sur-Alzette",
        )
        factories.make_company("Moselle Wood Works", rcs_number="B654321", locality="Wiltz")
        factories.make_person(company, "Anne Schmit", job_title="CFO")
        db.session.commit()
        company_id = company.id
    occurred = same_day_and_month(today() - timedelta(days=1), -1)
    due = same_day_and_month(today() + timedelta(days=1), 1)

    sign_in_with_the_keyboard(page, live_server.url, "advisor@example.lu")

    # From the dashboard, the menu's "Log a contact".
    tab_to(page, "nav a[href$='/interactions/new']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")

    # The company: type part of its name, arrow down to it, Enter.
    # The company field has the focus on arrival (waited for: the form's script sets it).
    expect(page.locator("#company_query")).to_be_focused()
    page.keyboard.type("precis", delay=30)
    expect(page.get_by_role("option", name=CASTINGS)).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#company_query")).to_have_value(CASTINGS)
    expect(page.get_by_role("checkbox", name="Anne Schmit · CFO")).to_be_visible()

    # Type and date come before the company: back with Shift+Tab.
    choose_radio(page, "Type", "Visit", backwards=True)
    tab_to(page, "#occurred_on", backwards=True)
    type_date(page, "#occurred_on", occurred)
    expect(page.locator("#occurred_on")).to_have_value(occurred.isoformat())

    # The people met and the summary.
    tab_to(page, "input[name=people]")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Anne Schmit · CFO")).to_be_checked()
    tab_to(page, "#summary")
    page.keyboard.type("Site visit: the automotive orders collapsed.")

    # The health check opens from its summary; answers move with the arrow keys.
    tab_to(page, "#contact-health > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-health")).to_have_attribute("open", "")
    choose_radio(page, "Turnover", "Down")
    choose_radio(page, "Risk level", "High")

    # A need, chosen by typing in the list, and what the company needs.
    tab_to(page, "#needs-0-category")
    page.keyboard.type("Cash")
    expect(page.locator("#needs-0-category option:checked")).to_have_text("Cash and liquidity")
    tab_to(page, "#needs-0-description")
    page.keyboard.type("Bridge the next two quarters.")

    # The follow-up; Enter in its title saves the contact.
    tab_to(page, "#followup-title")
    page.keyboard.type("Send the COVID-RDI form")
    page.keyboard.press("Tab")
    assert focused(page, "#followup-due_on")
    type_date(page, "#followup-due_on", due)
    expect(page.locator("#followup-due_on")).to_have_value(due.isoformat())
    tab_to(page, "#followup-title", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text(f"Contact with {CASTINGS} logged.")

    with app.app_context():
        interaction = db.session.scalars(sa.select(Interaction)).one()
        assert (interaction.company_id, interaction.type) == (company_id, InteractionType.VISIT)
        assert interaction.occurred_on == occurred
        assert interaction.summary == "Site visit: the automotive orders collapsed."
        assert [p.name for p in interaction.people] == ["Anne Schmit"]
        check = db.session.scalars(sa.select(HealthCheck)).one()
        assert (check.turnover_trend, check.risk_level) == (Trend.DOWN, RiskLevel.HIGH)
        need = db.session.scalars(sa.select(Need)).one()
        assert need.category.slug == "liquidity"
        followup = db.session.scalars(sa.select(FollowUp)).one()
        assert (followup.title, followup.due_on) == ("Send the COVID-RDI form", due)

    page.goto(f"{live_server.url}/companies/{company_id}")
    expect(page.locator(".timeline")).to_contain_text(
        "Site visit: the automotive orders collapsed."
    )


def test_slash_focuses_the_search(live_server, users, page: Page) -> None:
    sign_in_with_the_keyboard(page, live_server.url, "advisor@example.lu")
    tab_to(page, "nav a[href$='/companies']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Companies")
    tab_to(page, "main a")  # the focus somewhere in the page, not in a field
    page.keyboard.press("/")
    assert focused(page, "[data-search-shortcut]")
    page.keyboard.type("zzz")
    page.keyboard.press("Enter")
    expect(page.locator("#q")).to_have_value("zzz")  # "/" itself was not typed


def test_a_pipeline_card_moves_with_the_keyboard(app: Flask, live_server, users, page) -> None:
    on = today()
    with app.app_context():
        cluster = db.session.scalars(sa.select(Cluster)).one()
        company = factories.make_company(
            "Capellen Composites S.A.", owner_id=users["advisor"].id, clusters=[cluster]
        )
        need = factories.make_need(company, "rdi-funding", on - timedelta(days=60))
        solution = factories.make_solution(
            need, "National R&D aid", on - timedelta(days=50), amount_requested=Decimal(120000)
        )
        solution.changes.append(
            SolutionStatusChange(
                from_status=SolutionStatus.SUGGESTED,
                to_status=SolutionStatus.SUBMITTED,
                changed_on=on - timedelta(days=12),
            )
        )
        solution.status = SolutionStatus.SUBMITTED
        db.session.commit()
        solution_id = solution.id

    sign_in_with_the_keyboard(page, live_server.url, "manager@example.lu")
    tab_to(page, "nav a[href$='/pipeline']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")

    # The card's "Move" opens its small form; the status is chosen by typing in the list.
    tab_to(page, "[data-column=submitted] article summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page, "[data-move-status]")
    page.keyboard.type("Granted")
    tab_to(page, "[data-move-granted]")
    page.keyboard.type("95000")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "National R&D aid for Capellen Composites S.A. is now granted"
    )
    expect(page.locator("[data-column=granted]")).to_contain_text("Capellen Composites S.A.")
    with app.app_context():
        solution = db.session.get(Solution, solution_id)
        assert solution.status is SolutionStatus.GRANTED
        assert solution.amount_granted == Decimal(95000)
