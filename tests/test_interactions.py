"""Logging a contact: the form, its one transaction, its refusals; reading, editing, archiving."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import factories
from tests.helpers import count_statements
from tracker.dates import today
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Company,
    FollowUp,
    HealthCheck,
    Interaction,
    InteractionType,
    Liquidity,
    Need,
    NeedStatus,
    Person,
    RiskLevel,
    Solution,
    SolutionStatus,
    SolutionStatusChange,
    Trend,
    Urgency,
    User,
)

CASTINGS = "Moselle Precision Castings S.à r.l."


@pytest.fixture
def world(app, users):
    """Three companies (two named Moselle), their people, and a deactivated advisor."""
    with app.app_context():
        castings = factories.make_company(
            CASTINGS, rcs_number="B123456", locality="Esch-sur-Alzette"
        )
        wood = factories.make_company("Moselle Wood Works", rcs_number="B654321")
        aero = factories.make_company("Ardennes Aero", rcs_number="B777777")
        archived = factories.make_company("Old Foundry", archived=True)
        anne = factories.make_person(castings, "Anne Schmit", job_title="CFO")
        marc = factories.make_person(castings, "Marc Weber")
        gone = factories.make_person(castings, "Former Contact", archived=True)
        paul = factories.make_person(aero, "Paul Hoffmann")
        inactive = factories.make_user(role="advisor", email="gone@example.lu", name="Gone Away")
        db.session.get(User, inactive.id).active = False
        world = SimpleNamespace(
            castings=castings.id,
            wood=wood.id,
            aero=aero.id,
            archived=archived.id,
            anne=anne.id,
            marc=marc.id,
            gone=gone.id,
            paul=paul.id,
            inactive=inactive.id,
            liquidity=factories.category("liquidity").id,
            rdi=factories.category("rdi-funding").id,
            partnerships=factories.category("partnerships").id,
            covid_rdi=factories.instrument("COVID-RDI").id,
            fit4digital=factories.instrument("Fit 4 Digital").id,
        )
        db.session.commit()
    return world


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def base_post(world, users, **fields: object) -> dict[str, object]:
    """A valid minimal contact: a call today with the castings company, no extras."""
    data: dict[str, object] = {
        "occurred_on": today().isoformat(),
        "type": "call",
        "company_query": CASTINGS,
        "company_id": str(world.castings),
        "summary": "",
        "followup-assignee": str(users["advisor"].id),
    }
    data.update({key: value for key, value in fields.items() if value is not None})
    return data


def full_post(world, users) -> dict[str, object]:
    return base_post(
        world,
        users,
        occurred_on=(today() - timedelta(days=2)).isoformat(),
        type="visit",
        people=[str(world.anne)],
        summary="Site visit: orders from the automotive customer collapsed.",
        **{
            "health-turnover_trend": "down",
            "health-orders_trend": "down",
            "health-employment_trend": "stable",
            "health-outlook": "up",
            "health-short_time_work": "yes",
            "health-liquidity": "tight",
            "health-risk_level": "high",
            "health-risk_reasons": ["key_customer_loss", "downsizing"],
            "health-comment": "Lost its main automotive customer.",
            "needs-0-category": str(world.liquidity),
            "needs-0-urgency": "high",
            "needs-0-description": "Bridge the next two quarters.",
            "needs-0-solutions-0-instrument": str(world.covid_rdi),
            "needs-0-solutions-0-amount_requested": "120 000",
            "needs-0-solutions-1-instrument": str(world.fit4digital),
            "needs-0-solutions-1-amount_requested": "",
            "needs-1-category": str(world.partnerships),
            "needs-1-urgency": "normal",
            "needs-1-description": "Find new customers in aeronautics.",
            "needs-1-solutions-0-instrument": "",
            "needs-1-solutions-0-partner": "Materalia",
            "needs-1-solutions-0-amount_requested": "120.000,50",
            "followup-title": "Send the COVID-RDI application form",
            "followup-due_on": (today() + timedelta(days=7)).isoformat(),
            "followup-assignee": str(users["manager"].id),
        },
    )


def expected_landing(app, company_id: int) -> str:
    if "companies.detail" in app.view_functions:
        return f"/companies/{company_id}"
    return "/interactions/new"


# Logging a contact


def test_the_form_offers_sensible_defaults(client, login_as, users, world):
    login_as("advisor")
    html = client.get(f"/interactions/new?company={world.castings}").get_data(as_text=True)
    assert f'name="occurred_on" required type="date" value="{today().isoformat()}"' in html
    assert re.search(
        r'checked class="btn-check" id="type-0" name="type" type="radio" value="call"', html
    )
    assert f'value="{CASTINGS}"' in html.replace("&#39;", "'")
    # the company's active people, not the archived one
    assert "Anne Schmit" in html and "Marc Weber" in html and "Former Contact" not in html
    assert f'<option selected value="{users["advisor"].id}">Advisor Tester</option>' in html
    assert 'name="followup-due_on" type="date" value=""' in html
    # Enter in a text field saves: the first submit button of the form is "Save contact"
    form = html[html.index('<form method="post" action="/interactions/new"') :]
    first_button = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'name="save"' in first_button


def test_a_full_contact_is_recorded_with_its_links(app, client, login_as, users, world):
    login_as("advisor")
    with app.app_context():
        last_entry = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    response = client.post("/interactions/new", data=full_post(world, users))
    assert response.status_code == 302
    assert response.headers["Location"] == expected_landing(app, world.castings)
    assert f"Contact with {CASTINGS} logged." in client.get("/").get_data(as_text=True)

    with app.app_context():
        interaction = db.session.scalars(sa.select(Interaction)).one()
        assert interaction.company_id == world.castings
        assert interaction.advisor_id == users["advisor"].id
        assert interaction.type is InteractionType.VISIT
        assert interaction.occurred_on == today() - timedelta(days=2)
        assert interaction.summary.startswith("Site visit")
        assert [p.id for p in interaction.people] == [world.anne]

        check = db.session.scalars(sa.select(HealthCheck)).one()
        assert check.interaction_id == interaction.id
        assert check.company_id == world.castings
        assert check.checked_on == interaction.occurred_on
        assert check.recorded_by_id == users["advisor"].id
        assert (check.turnover_trend, check.orders_trend) == (Trend.DOWN, Trend.DOWN)
        assert (check.employment_trend, check.outlook) == (Trend.STABLE, Trend.UP)
        assert check.short_time_work is True
        assert check.liquidity is Liquidity.TIGHT
        assert check.risk_level is RiskLevel.HIGH
        assert check.risk_reasons == ["downsizing", "key_customer_loss"]
        assert check.comment == "Lost its main automotive customer."

        needs = db.session.scalars(sa.select(Need).order_by(Need.id)).all()
        assert [n.category_id for n in needs] == [world.liquidity, world.partnerships]
        assert all(n.interaction_id == interaction.id for n in needs)
        assert all(n.identified_on == interaction.occurred_on for n in needs)
        assert [n.urgency for n in needs] == [Urgency.HIGH, Urgency.NORMAL]
        # a need with a suggested solution is being worked on
        assert all(n.status is NeedStatus.IN_PROGRESS for n in needs)

        solutions = db.session.scalars(sa.select(Solution).order_by(Solution.id)).all()
        assert [s.need_id for s in solutions] == [needs[0].id, needs[0].id, needs[1].id]
        assert [s.instrument_id for s in solutions] == [world.covid_rdi, world.fit4digital, None]
        assert [s.partner for s in solutions] == [None, None, "Materalia"]
        assert [s.amount_requested for s in solutions] == [
            Decimal("120000.00"),
            None,
            Decimal("120000.50"),
        ]
        assert all(s.status is SolutionStatus.SUGGESTED for s in solutions)
        changes = db.session.scalars(sa.select(SolutionStatusChange)).all()
        assert sorted(c.solution_id for c in changes) == [s.id for s in solutions]
        assert {(c.from_status, c.to_status) for c in changes} == {(None, SolutionStatus.SUGGESTED)}

        followup = db.session.scalars(sa.select(FollowUp)).one()
        assert followup.interaction_id == interaction.id
        assert followup.company_id == world.castings
        assert followup.need_id == needs[0].id
        assert followup.assignee_id == users["manager"].id
        assert followup.due_on == today() + timedelta(days=7)

        audit = db.session.execute(
            sa.select(AuditEntry.record_type, AuditEntry.action, AuditEntry.user_id).where(
                AuditEntry.id > last_entry
            )
        ).all()
        assert sorted((t, a) for t, a, _ in audit) == sorted(
            [("Interaction", "create"), ("HealthCheck", "create")]
            + [("Need", "create")] * 2
            # A suggestion moves its open need in progress.
            + [("Need", "update")] * 2
            + [("Solution", "create")] * 3
            + [("FollowUp", "create")]
        )
        assert {u for _, _, u in audit} == {users["advisor"].id}


def test_the_advisor_is_always_the_signed_in_user(app, client, login_as, users, world):
    login_as("advisor")
    data = base_post(world, users, advisor_id=str(users["manager"].id), summary="Short call.")
    assert client.post("/interactions/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Interaction.advisor_id)).one() == users["advisor"].id


def test_a_blank_health_section_and_blank_rows_record_nothing_more(
    app, client, login_as, users, world
):
    login_as("advisor")
    data = base_post(
        world,
        users,
        summary="Quick call.",
        **{
            "health-turnover_trend": "",
            "health-liquidity": "",
            "health-risk_level": "",
            "health-comment": "  ",
            "needs-0-category": "",
            "needs-0-urgency": "normal",
            "needs-0-description": "",
            "needs-0-solutions-0-instrument": "",
            "needs-0-solutions-0-partner": "",
            "needs-0-solutions-0-amount_requested": "",
            "followup-title": "",
            "followup-due_on": "",
        },
    )
    assert client.post("/interactions/new", data=data).status_code == 302
    counts = row_counts(app)
    assert counts["interactions"] == 1
    assert counts["health_checks"] == counts["needs"] == counts["solutions"] == 0
    assert counts["followups"] == 0


@pytest.mark.parametrize(
    ("text", "amount"),
    [("120000", "120000.00"), ("120 000", "120000.00"), ("120,000.50", "120000.50"),
     ("120.000,50", "120000.50")],
)  # fmt: skip
def test_amounts_are_read_in_either_notation(app, client, login_as, users, world, text, amount):
    login_as("advisor")
    data = base_post(
        world,
        users,
        **{
            "needs-0-category": str(world.rdi),
            "needs-0-solutions-0-instrument": str(world.covid_rdi),
            "needs-0-solutions-0-amount_requested": text,
        },
    )
    assert client.post("/interactions/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Solution.amount_requested)).one() == Decimal(amount)


def test_the_company_is_found_from_its_text_without_script(app, client, login_as, users, world):
    login_as("advisor")
    data = base_post(world, users, company_id="", company_query="b 777 777")
    assert client.post("/interactions/new", data=data).status_code == 302
    data = base_post(world, users, company_id="", company_query="precision")
    assert client.post("/interactions/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(
            sa.select(Interaction.company_id).order_by(Interaction.id)
        ).all() == [
            world.aero,
            world.castings,
        ]


def test_a_stale_company_id_gives_way_to_the_text(app, client, login_as, users, world):
    """Typing another name over a chosen company logs the contact with the company typed."""
    login_as("advisor")
    data = base_post(world, users, company_id=str(world.castings), company_query="Ardennes Aero")
    assert client.post("/interactions/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Interaction.company_id)).one() == world.aero


def test_an_ambiguous_company_offers_a_choice_then_saves_the_one_picked(
    app, client, login_as, users, world
):
    login_as("advisor")
    before = row_counts(app)
    data = base_post(world, users, company_id="", company_query="moselle", summary="Typed once.")
    html = client.post("/interactions/new", data=data).get_data(as_text=True)
    assert "Several companies match “moselle”: choose one." in html
    assert f'<option value="{world.castings}">' in html and f'<option value="{world.wood}">' in html
    assert "Typed once." in html
    assert row_counts(app) == before

    data["company_pick"] = str(world.wood)
    assert client.post("/interactions/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Interaction.company_id)).one() == world.wood


def test_find_shows_the_company_people_without_saving(app, client, login_as, users, world):
    login_as("advisor")
    before = row_counts(app)
    data = base_post(world, users, company_id="", company_query="precision", find_company="1")
    html = client.post("/interactions/new", data=data).get_data(as_text=True)
    assert 'autofocus class="form-check-input" id="people-0" name="people"' in html
    assert f'value="{world.anne}"' in html and "Anne Schmit" in html
    assert f'name="company_id" type="hidden" value="{world.castings}"' in html
    assert row_counts(app) == before


BAD_INPUT = {
    "missing company": (
        {"company_query": "", "company_id": ""},
        "Choose the company you contacted.",
    ),
    "unknown company": (
        {"company_query": "Nowhere Industries", "company_id": ""},
        "No company matches “Nowhere Industries”.",
    ),
    "ambiguous company": (
        {"company_query": "Moselle", "company_id": ""},
        "Several companies match “Moselle”: choose one.",
    ),
    "archived company": (
        {"company_query": "Old Foundry", "company_id": "{archived}"},
        "This company is archived; restore it before logging a contact.",
    ),
    "future date": (
        {"occurred_on": "{tomorrow}"},
        "The date of a contact cannot be in the future.",
    ),
    "unreadable date": ({"occurred_on": "next tuesday"}, "Not a valid date value."),
    "bad amount": (
        {
            "needs-0-category": "{liquidity}",
            "needs-0-solutions-0-instrument": "{covid_rdi}",
            "needs-0-solutions-0-amount_requested": "12O 000",
        },
        "Enter an amount in euros",
    ),
    "person of another company": (
        {"people": "{paul}"},
        "Tick only people who work at the company contacted.",
    ),
    "follow-up title without date": (
        {"followup-title": "Call back", "followup-due_on": ""},
        "Give the follow-up a due date.",
    ),
    "follow-up date without title": (
        {"followup-title": "", "followup-due_on": "{tomorrow}"},
        "Say what is to be done by then.",
    ),
    "unknown category": (
        {"needs-0-category": "9999", "needs-0-description": "Cash"},
        "Choose a need from the list.",
    ),
    "category that is not a number": (
        {"needs-0-category": "cash", "needs-0-description": "Cash"},
        "Choose a need from the list.",
    ),
    "solution without a need": (
        {"needs-0-solutions-0-instrument": "{covid_rdi}"},
        "Choose the need this solution answers.",
    ),
    "solution with neither instrument nor partner": (
        {"needs-0-category": "{liquidity}", "needs-0-solutions-0-amount_requested": "5000"},
        "Choose an instrument or name a partner.",
    ),
    "unknown instrument": (
        {"needs-0-category": "{liquidity}", "needs-0-solutions-0-instrument": "9999"},
        "Choose an instrument from the list.",
    ),
    "inactive assignee": (
        {
            "followup-title": "Call back",
            "followup-due_on": "{tomorrow}",
            "followup-assignee": "{inactive}",
        },
        "Choose an active advisor, manager or admin from the list.",
    ),
    "health answer not offered": (
        {"health-liquidity": "splendid"},
        "Choose one of the answers offered.",
    ),
}


@pytest.mark.parametrize(("fields", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_explained_and_writes_nothing(
    app, client, login_as, users, world, fields, message
):
    login_as("advisor")
    values = {
        **vars(world),
        "tomorrow": (today() + timedelta(days=1)).isoformat(),
    }
    data = base_post(
        world,
        users,
        summary="Kept after the error.",
        **{key: value.format(**values) for key, value in fields.items()},
    )
    before = row_counts(app)
    response = client.post("/interactions/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "The contact was not saved." in html or "archived" in message
    assert 'aria-invalid="true"' in html or "is-invalid" in html
    assert "Kept after the error." in html
    assert row_counts(app) == before


def test_a_viewer_can_neither_see_nor_post_the_form(app, client, login_as, users, world):
    login_as("viewer")
    before = row_counts(app)
    assert client.get("/interactions/new").status_code == 403
    assert client.post("/interactions/new", data=full_post(world, users)).status_code == 403
    assert client.get(f"/interactions/company-people/{world.castings}").status_code == 403
    assert row_counts(app) == before


def test_errors_keep_every_typed_value_including_nested_rows(app, client, login_as, users, world):
    login_as("advisor")
    data = full_post(world, users)
    data["needs-1-solutions-1-instrument"] = str(world.covid_rdi)
    data["needs-1-solutions-1-amount_requested"] = "lots"
    html = client.post("/interactions/new", data=data).get_data(as_text=True)
    assert "Enter an amount in euros" in html
    for typed in [
        "Bridge the next two quarters.",
        "Find new customers in aeronautics.",
        'value="Materalia"',
        'value="120 000"',
        'value="120.000,50"',
        'value="lots"',
        "Send the COVID-RDI application form",
        "Lost its main automotive customer.",
    ]:
        assert typed in html, typed
    selected = r'<select[^>]*name="{}"[^>]*>.*?<option selected value="{}">'
    assert re.search(selected.format("needs-1-category", world.partnerships), html, re.S)
    assert re.search(
        rf'name="needs-1-solutions-1-instrument".*?<option selected value="{world.covid_rdi}">',
        html,
        re.S,
    )
    assert re.search(r'checked class="btn-check" id="health-liquidity-3"', html)
    ticked = r'checked class="form-check-input" id="people-\d" name="people" type="checkbox"'
    assert re.search(rf'{ticked} value="{world.anne}"', html)
    # the error summary links to the field in its row
    assert 'href="#needs-1-solutions-1-amount_requested"' in html
    assert "Need 2 · Solution 2 · Amount (EUR)" in html
    assert row_counts(app)["interactions"] == 0


def test_add_buttons_add_a_row_keep_everything_and_save_nothing(
    app, client, login_as, users, world
):
    login_as("advisor")
    before = row_counts(app)
    data = full_post(world, users)
    html = client.post("/interactions/new", data={**data, "add_need": "1"}).get_data(as_text=True)
    assert 'name="needs-2-category"' in html and 'name="needs-3-category"' not in html
    assert 'autofocus class="form-select" id="needs-2-category"' in html
    assert "Find new customers in aeronautics." in html
    assert "The contact was not saved" not in html  # not an attempt to save

    html = client.post("/interactions/new", data={**data, "add_solution": "1"}).get_data(
        as_text=True
    )
    assert 'name="needs-1-solutions-1-instrument"' in html
    assert 'name="needs-0-solutions-2-instrument"' not in html
    assert 'value="Materalia"' in html
    assert row_counts(app) == before


def test_the_people_of_a_company_as_json(client, login_as, world):
    login_as("advisor")
    response = client.get(f"/interactions/company-people/{world.castings}")
    assert response.status_code == 200
    assert response.json == {
        "people": [
            {"id": world.anne, "name": "Anne Schmit", "job_title": "CFO"},
            {"id": world.marc, "name": "Marc Weber", "job_title": None},
        ]
    }
    assert client.get("/interactions/company-people/999999").status_code == 404


# Reading, editing and deleting


@pytest.fixture
def logged(app, users, world):
    """One contact logged by the advisor and one by another advisor, with needs and a follow-up."""
    with app.app_context():
        other = factories.make_user(role="advisor", email="other@example.lu", name="Other Advisor")
        company = db.session.get(Company, world.castings)
        own = factories.make_interaction(company, users["advisor"].id, summary="Own call.")
        own.people = [db.session.get(Person, world.anne)]
        factories.make_health_check(
            company, users["advisor"].id, risk_level=RiskLevel.MEDIUM, interaction=own
        )
        need = factories.make_need(company, "liquidity", interaction=own, description="Cash")
        factories.make_solution(need, "COVID-RDI", amount_requested=Decimal("50000"))
        factories.make_followup(company, users["advisor"].id, title="Call back", interaction=own)
        theirs = factories.make_interaction(company, other.id, summary="Their call.")
        db.session.commit()
        return SimpleNamespace(own=own.id, theirs=theirs.id, need=need.id)


def test_the_detail_page_shows_everything_recorded(client, login_as, logged):
    login_as("advisor")
    html = client.get(f"/interactions/{logged.own}").get_data(as_text=True)
    for text in [CASTINGS, "Own call.", "Anne Schmit", "Medium", "Cash and liquidity", "COVID-RDI",
                 "50,000.00", "Call back", "Advisor Tester"]:  # fmt: skip
        assert text in html, text
    assert f'href="/interactions/{logged.own}/edit"' in html
    assert f'href="/interactions/{logged.own}/archive"' in html


RIGHTS = [
    ("advisor", "own", True),
    ("advisor", "theirs", False),
    ("manager", "theirs", True),
    ("admin", "own", True),
]


@pytest.mark.parametrize(("role", "which", "allowed"), RIGHTS)
def test_who_may_edit_and_archive(app, client, login_as, logged, role, which, allowed):
    login_as(role)
    interaction_id = getattr(logged, which)
    detail = client.get(f"/interactions/{interaction_id}").get_data(as_text=True)
    assert (f'href="/interactions/{interaction_id}/edit"' in detail) is allowed
    assert (f'href="/interactions/{interaction_id}/archive"' in detail) is allowed
    edit = client.get(f"/interactions/{interaction_id}/edit")
    assert edit.status_code == (200 if allowed else 403)
    assert client.get(f"/interactions/{interaction_id}/archive").status_code == edit.status_code
    version = re.search(r'name="version" type="hidden" value="(\w+)"', edit.get_data(as_text=True))
    response = client.post(
        f"/interactions/{interaction_id}/edit",
        data={
            "occurred_on": today().isoformat(),
            "type": "meeting",
            "summary": "Changed.",
            "version": version.group(1) if version else "1",
        },
    )
    assert response.status_code == (302 if allowed else 403)
    response = client.post(f"/interactions/{interaction_id}/archive")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        assert (db.session.get(Interaction, interaction_id) is None) is allowed
        assert (
            db.session.get(
                Interaction, interaction_id, execution_options={"include_archived": True}
            ).archived
            is allowed
        )
    response = client.post(f"/interactions/{interaction_id}/restore")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        assert db.session.get(Interaction, interaction_id) is not None


def test_a_viewer_reaches_no_contact_page(client, login_as, logged):
    login_as("viewer")
    for url in [f"/interactions/{logged.own}", f"/interactions/{logged.own}/edit",
                f"/interactions/{logged.own}/archive"]:  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/interactions/{logged.own}/archive").status_code == 403
    assert client.post(f"/interactions/{logged.own}/restore").status_code == 403
    assert client.get("/interactions/999999").status_code == 403


def test_unknown_contacts_are_not_found(client, login_as):
    login_as("advisor")
    assert client.get("/interactions/999999").status_code == 404
    assert client.get("/interactions/999999/edit").status_code == 404


def test_editing_changes_the_contact_and_its_health_check(
    app, client, login_as, users, world, logged
):
    login_as("advisor")
    html = client.get(f"/interactions/{logged.own}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\w+)"', html).group(1)
    assert re.search(r'checked class="btn-check" id="health-risk_level-2"', html)  # medium
    response = client.post(
        f"/interactions/{logged.own}/edit",
        data={
            "occurred_on": (today() - timedelta(days=1)).isoformat(),
            "type": "visit",
            "summary": "Visit, not a call.",
            "people": [str(world.anne), str(world.marc)],
            "health-risk_level": "critical",
            "health-liquidity": "critical",
            "version": version,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/interactions/{logged.own}"
    with app.app_context():
        interaction = db.session.get(Interaction, logged.own)
        assert interaction.type is InteractionType.VISIT
        assert interaction.summary == "Visit, not a call."
        assert sorted(p.id for p in interaction.people) == sorted([world.anne, world.marc])
        check = interaction.health_check
        assert check.risk_level is RiskLevel.CRITICAL
        assert check.checked_on == today() - timedelta(days=1)
        updates = db.session.scalars(
            sa.select(AuditEntry.record_type).where(AuditEntry.action == "update")
        ).all()
        assert sorted(updates) == ["HealthCheck", "Interaction"]

    # Clearing every answer archives the check (nothing is hard-deleted).
    html = client.get(f"/interactions/{logged.own}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\w+)"', html).group(1)
    response = client.post(
        f"/interactions/{logged.own}/edit",
        data={
            "occurred_on": today().isoformat(),
            "type": "visit",
            "summary": "Visit.",
            "version": version,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Interaction, logged.own).health_check is None
        assert db.session.scalar(
            sa.select(AuditEntry.id).where(
                AuditEntry.record_type == "HealthCheck", AuditEntry.action == "archive"
            )
        )
        assert db.session.scalar(sa.text("SELECT COUNT(*) FROM health_checks")) == 1


def test_editing_refuses_to_overwrite_a_change_made_meanwhile(app, client, login_as, logged):
    login_as("advisor")
    html = client.get(f"/interactions/{logged.own}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\w+)"', html).group(1)
    with app.app_context():
        db.session.get(Interaction, logged.own).summary = "Someone else's words."
        db.session.commit()
    data = {
        "occurred_on": today().isoformat(),
        "type": "call",
        "summary": "Mine.",
        "version": version,
    }
    html = client.post(f"/interactions/{logged.own}/edit", data=data).get_data(as_text=True)
    assert "Someone else saved this contact while you were editing it." in html
    assert "Mine." in html
    with app.app_context():
        assert db.session.get(Interaction, logged.own).summary == "Someone else's words."
    # Saving again, having seen the warning, keeps the user's version.
    data["version"] = re.search(r'name="version" type="hidden" value="(\w+)"', html).group(1)
    assert client.post(f"/interactions/{logged.own}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Interaction, logged.own).summary == "Mine."


def test_editing_refuses_a_person_of_another_company(app, client, login_as, world, logged):
    login_as("advisor")
    before = row_counts(app)
    data = {"occurred_on": today().isoformat(), "type": "call", "people": [str(world.paul)]}
    html = client.post(f"/interactions/{logged.own}/edit", data=data).get_data(as_text=True)
    assert "Tick only people who work at the company contacted." in html
    assert row_counts(app) == before


def test_archiving_keeps_needs_and_followups_and_leaves_an_audit_trail(
    app, client, login_as, world, logged
):
    login_as("advisor")
    html = client.get(f"/interactions/{logged.own}/archive").get_data(as_text=True)
    assert "1 need identified at it stays with the company." in html
    assert "Archive this contact" in html
    response = client.post(f"/interactions/{logged.own}/archive", data={"archive": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/companies/{world.castings}" if "companies.detail" in app.view_functions else "/"
    )
    with app.app_context():
        assert db.session.get(Interaction, logged.own) is None, "hidden once archived"
        assert db.session.scalar(sa.select(sa.func.count(HealthCheck.id))) == 0
        kept = db.session.get(Interaction, logged.own, execution_options={"include_archived": True})
        assert kept.archived and kept.health_check.archived, "archived, not deleted"
        need = db.session.get(Need, logged.need)
        assert need is not None and need.interaction_id == logged.own
        assert db.session.scalars(sa.select(FollowUp)).one().interaction_id == logged.own
        archived = db.session.execute(
            sa.select(AuditEntry.record_type, AuditEntry.record_id, AuditEntry.changes).where(
                AuditEntry.action == "archive"
            )
        ).all()
        assert {t for t, _, _ in archived} == {"Interaction", "HealthCheck"}
        assert ("Interaction", logged.own, {"archived": [False, True]}) in archived
        assert not db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "delete")
        )
    # Archived contacts cannot be edited or archived again until restored.
    assert client.get(f"/interactions/{logged.own}/edit").status_code == 404
    assert client.get(f"/interactions/{logged.own}/archive").status_code == 404


# Statements per page do not grow with the data


def _grow(app, users, company_id: int, rows: int) -> int:
    """Give the company `rows` people, and a contact with `rows` needs of two solutions each."""
    with app.app_context():
        company = db.session.get(Company, company_id)
        people = [factories.make_person(company, f"Person {i:02d}") for i in range(rows)]
        interaction = factories.make_interaction(company, users["advisor"].id)
        interaction.people = people
        factories.make_health_check(company, users["advisor"].id, interaction=interaction)
        for i in range(rows):
            need = factories.make_need(company, "liquidity", interaction=interaction)
            factories.make_solution(need, "COVID-RDI")
            factories.make_solution(need, None, partner=f"Partner {i}")
            factories.make_followup(company, users["advisor"].id, interaction=interaction)
        db.session.commit()
        return interaction.id


def test_statements_per_page_do_not_grow_with_the_data(app, client, login_as, users, world):
    login_as("advisor")
    counts: dict[tuple[str, str], int] = {}
    for size, company_id, rows in [("small", world.aero, 3), ("large", world.wood, 30)]:
        interaction_id = _grow(app, users, company_id, rows)
        pages = {
            "new": f"/interactions/new?company={company_id}",
            "detail": f"/interactions/{interaction_id}",
            "edit": f"/interactions/{interaction_id}/edit",
        }
        for page, url in pages.items():
            with count_statements(app) as statements:
                assert client.get(url).status_code == 200
            counts[size, page] = len(statements)
    for page in ("new", "detail", "edit"):
        assert counts["small", page] == counts["large", page], counts
    # the user, the choices (categories, instruments, staff), the company and its people
    assert counts["small", "new"] <= 6, counts
