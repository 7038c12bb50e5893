"""An advisor creates a company, finds it with the search, and reads a company's story."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    Cluster,
    CompanyStatus,
    EventFormat,
    FollowUpStatus,
    InteractionType,
    Liquidity,
    Market,
    NeedStatus,
    RiskLevel,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    Urgency,
)


def _portfolio(app, users) -> int:
    """A small, realistic portfolio; returns the id of the company with the richest story."""
    on = today()
    advisor, manager = users["advisor"].id, users["manager"].id
    with app.app_context():
        mm = db.session.scalar(db.select(Cluster))
        auto = factories.make_cluster("automobility", "Automobility")
        wood = factories.make_cluster("wood", "Wood")
        markets = {m.slug: m for m in db.session.scalars(db.select(Market))}
        companies = [
            ("Acier Wiltz S.A.", "Wiltz", 140, "24.10", [mm], ["construction"], manager, 35),
            (
                "Ardennes Bois S.à r.l.",
                "Clervaux",
                18,
                "16.23",
                [wood],
                ["construction"],
                advisor,
                75,
            ),
            ("Betzdorf Orbital Systems S.A.", "Betzdorf", 260, "30.30", [mm], ["space"], None, 400),
            (
                "Capellen Composites S.A.",
                "Capellen",
                64,
                "22.29",
                [mm, auto],
                ["automotive"],
                advisor,
                12,
            ),
            (
                "Diekirch Plastics S.à r.l.",
                "Diekirch",
                9,
                "22.22",
                [mm],
                ["packaging"],
                manager,
                210,
            ),
            ("Eifel Holzbau GmbH", "Bitburg", 31, "16.23", [wood], ["construction"], advisor, 160),
            (
                "Foetz Mobility Parts S.A.",
                "Foetz",
                410,
                "29.32",
                [auto],
                ["automotive"],
                advisor,
                3,
            ),
        ]
        risks = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]
        for n, (name, town, staff, nace, clusters, mks, owner, last) in enumerate(companies):
            company = factories.make_company(
                name,
                owner_id=owner,
                clusters=clusters,
                markets=[markets[m] for m in mks],
                locality=town,
                employees=staff,
                nace_code=nace,
                country="DE" if town == "Bitburg" else "LU",
            )
            factories.make_interaction(company, advisor, on=on - timedelta(days=last))
            factories.make_health_check(
                company, advisor, on=on - timedelta(days=last), risk_level=risks[n % 4]
            )
            if n % 2:
                factories.make_followup(company, advisor, due=on + timedelta(days=n * 4 - 9))

        story = factories.make_company(
            "Moselle Precision Castings S.à r.l.",
            trade_name="MPC",
            owner_id=advisor,
            clusters=[mm, auto],
            markets=[markets["automotive"], markets["aeronautics"]],
            rcs_number="B123456",
            vat_number="LU15027442",
            nace_code="25.62",
            employees=85,
            street="12, rue de l'Industrie",
            postal_code="L-4362",
            locality="Esch-sur-Alzette",
            website="https://www.moselle-castings.lu",
            status=CompanyStatus.ACTIVE,
        )
        anne = factories.make_person(
            story,
            "Anne Schmit",
            job_title="Managing director",
            email="anne.schmit@moselle-castings.lu",
            phone="+352 26 12 34 56",
        )
        factories.make_person(
            story,
            "Marc Weber",
            job_title="Head of production",
            email="marc.weber@moselle-castings.lu",
            phone="+352 621 123 456",
            notes="Knows the machine park; prefers calls before 10:00.",
        )
        checks = [
            (690, RiskLevel.LOW, Liquidity.GOOD),
            (540, RiskLevel.LOW, Liquidity.GOOD),
            (400, RiskLevel.MEDIUM, Liquidity.ADEQUATE),
            (250, RiskLevel.HIGH, Liquidity.TIGHT),
            (120, RiskLevel.HIGH, Liquidity.TIGHT),
            (40, RiskLevel.MEDIUM, Liquidity.ADEQUATE),
        ]
        for days, risk, liquidity in checks:
            factories.make_health_check(
                story,
                advisor,
                on=on - timedelta(days=days),
                risk_level=risk,
                liquidity=liquidity,
                turnover_trend=Trend.DOWN if risk is RiskLevel.HIGH else Trend.STABLE,
                orders_trend=Trend.UP if days == 40 else Trend.DOWN,
                employment_trend=Trend.STABLE,
                outlook=Trend.UP if days == 40 else Trend.DOWN,
                short_time_work=risk is RiskLevel.HIGH,
                comment="Orders from two German car makers down 30 %; a new aeronautics customer "
                "in sight."
                if days == 40
                else "",
                risk_reasons=["key_customer_loss"] if risk is RiskLevel.HIGH else [],
            )
        visit = factories.make_interaction(
            story,
            advisor,
            on=on - timedelta(days=40),
            type=InteractionType.VISIT,
            summary="Site visit with the managing director. The order book recovers slowly; "
            "they want to qualify for aeronautics (EN 9100) and digitalise quality control.",
        )
        visit.people.append(anne)
        factories.make_interaction(
            story,
            advisor,
            on=on - timedelta(days=120),
            summary="Short-time work extended for 20 of 85 employees.",
        )
        factories.make_interaction(
            story,
            advisor,
            on=on - timedelta(days=250),
            type=InteractionType.MEETING,
            summary="Loss of the main automotive customer announced; cash for 3 months.",
        )
        cash = factories.make_need(
            story,
            "liquidity",
            on=on - timedelta(days=250),
            status=NeedStatus.RESOLVED,
            resolved_on=on - timedelta(days=150),
            description="Bridge three months of payroll.",
        )
        loan = factories.make_solution(
            cash,
            "SNCI loan",
            on=on - timedelta(days=248),
            amount_requested=Decimal("250000"),
        )
        loan.changes.append(
            SolutionStatusChange(
                from_status=SolutionStatus.SUGGESTED,
                to_status=SolutionStatus.GRANTED,
                changed_on=on - timedelta(days=150),
            )
        )
        loan.status, loan.amount_granted = SolutionStatus.GRANTED, Decimal("200000")
        digital = factories.make_need(
            story,
            "digitalisation",
            on=on - timedelta(days=40),
            status=NeedStatus.IN_PROGRESS,
            urgency=Urgency.HIGH,
            description="Automated optical inspection of castings.",
        )
        fit = factories.make_solution(
            digital, "Fit 4 Digital", on=on - timedelta(days=39), amount_requested=Decimal("25000")
        )
        fit.changes.append(
            SolutionStatusChange(
                from_status=SolutionStatus.SUGGESTED,
                to_status=SolutionStatus.SUBMITTED,
                changed_on=on - timedelta(days=20),
            )
        )
        fit.status = SolutionStatus.SUBMITTED
        factories.make_need(
            story,
            "new-markets",
            on=on - timedelta(days=40),
            description="Qualify for aeronautics (EN 9100).",
        )
        after_visit = datetime.combine(on - timedelta(days=40), time(17), UTC)
        factories.make_followup(
            story,
            advisor,
            due=on - timedelta(days=3),
            title="Send the Fit 4 Digital checklist",
            created_at=after_visit,
        )
        factories.make_followup(
            story,
            advisor,
            due=on + timedelta(days=12),
            title="Introduce to Skywin (aeronautics)",
            created_at=after_visit,
        )
        factories.make_followup(
            story,
            advisor,
            due=on - timedelta(days=100),
            title="Check short-time work renewal",
            status=FollowUpStatus.DONE,
            done_on=on - timedelta(days=110),
            created_at=datetime.combine(on - timedelta(days=120), time(17), UTC),
        )
        event = factories.make_event(
            "Matchmaking: aeronautics supply chain",
            on=on - timedelta(days=60),
            format=EventFormat.ON_SITE,
        )
        event.companies.append(story)
        db.session.commit()
        return story.id


def _no_accessibility_violations(page, *known: str) -> None:
    """axe-core finds nothing, apart from the `known` rules (each with a reason at the call)."""
    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in known}}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()


def test_advisor_creates_finds_and_opens_a_company(live_server, app, users, page, screenshot):
    story_id = _portfolio(app, users)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("advisor@example.lu")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Companies")
    expect(page.get_by_role("status").filter(has_text="companies")).to_have_text("8 companies")
    screenshot("companies-list")
    _no_accessibility_violations(page)

    # A new company, first with mistakes.
    page.get_by_role("link", name="New company").first.click()
    page.get_by_label("Legal name").fill("Sûre Laser Technologies S.A.")
    page.get_by_label("RCS number").fill("X-77")
    page.get_by_label("VAT number").fill("LU15027443")
    page.get_by_label("NACE code").fill("99.99")
    page.get_by_label("Employees").fill("-4")
    page.get_by_label("Postal code").fill("12")
    page.get_by_label("Website").fill("javascript:alert(1)")
    page.get_by_role("button", name="Create company").click()
    for message in [
        "An RCS number is B followed by digits",
        "does not pass the VAT check digits",
        "is not a code of the NACE Rev. 2 classification",
        "Enter a whole number of 0 or more.",
        "A Luxembourg postal code is like L-4362.",
        "Enter a web address starting with http:// or https://.",
    ]:
        expect(page.get_by_text(message)).to_be_visible()
    screenshot("company-form-errors")
    # The shared field macro writes aria-invalid="None" on fields without errors (reported).
    _no_accessibility_violations(page, "aria-valid-attr-value")

    page.get_by_label("RCS number").fill("b 224 466")
    page.get_by_label("VAT number").fill("")
    page.get_by_label("NACE code").fill("2651")
    page.get_by_label("Employees").fill("23")
    page.get_by_label("Postal code").fill("9099")
    page.get_by_label("Locality").fill("Ingeldorf")
    page.get_by_label("Website").fill("www.sure-laser.lu")
    page.get_by_label("Materials & Manufacturing").check()
    page.get_by_label("Electronics").check()
    page.get_by_role("button", name="Create company").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sûre Laser Technologies S.A.")
    expect(page.get_by_text("Sûre Laser Technologies S.A. added.")).to_be_visible()
    expect(page.get_by_text("B224466")).to_be_visible()
    expect(page.get_by_text("L-9099 Ingeldorf")).to_be_visible()

    # Find it again from the list: "/" focuses the search field.
    page.get_by_role("link", name="Companies").first.click()
    page.locator("body").press("/")
    expect(page.get_by_role("searchbox", name="Search companies")).to_be_focused()
    page.keyboard.type("sure laser")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/companies\?q=sure\+laser"))
    rows = page.locator("table.company-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Sûre Laser Technologies S.A.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sûre Laser Technologies S.A.")
    expect(page.get_by_text("Nothing has happened yet — log the first contact.")).to_be_visible()

    # A company with a story.
    page.goto(f"{live_server.url}/companies/{story_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moselle Precision Castings S.à r.l.")
    expect(
        page.get_by_role("img", name=re.compile("Risk level at 6 health checks"))
    ).to_be_visible()
    expect(page.get_by_text("SNCI loan: suggested → granted, €200,000.00")).to_be_visible()
    expect(page.get_by_text("3 days overdue")).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="Log a contact")).to_have_attribute(
        "href", f"/interactions/new?company={story_id}"
    )
    screenshot("company-detail")
    _no_accessibility_violations(page)
